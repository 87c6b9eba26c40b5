/*
 * Adj-RIB-In: the routes one neighbor has sent us, kept so that
 * "anycastctl show rib" can display them. anycastd never re-advertises or
 * selects among them, so the structure is built for memory, not for
 * longest-prefix lookups: a hash table per family keyed by prefix (and
 * ADD-PATH path ID), pointing at attribute sets interned once and shared
 * by every route that carries the same ones.
 */
#ifndef ANYCASTD_RIB_IN_H
#define ANYCASTD_RIB_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"

struct rib_in;

/*
 * What one rib_in_apply() did. announced counts prefixes stored (new or
 * replacing an older route for the same key); withdrawn counts routes
 * removed, including those an RFC 7606 treat-as-withdraw took away;
 * absent counts withdrawals (of either kind) for keys we did not hold.
 */
struct rib_in_result {
	size_t	announced;
	size_t	withdrawn;
	size_t	absent;
};

/*
 * One route as the walk and the lookup hand it out. set/set_len is the
 * interned attribute set in its canonical form (see rib_in.c); it is
 * shared, read-only and valid only until the rib_in is next changed.
 * set_id is stable for as long as any route uses the set, so a client can
 * print each set once.
 */
struct rib_in_route {
	struct bgp_prefix	 prefix;
	uint32_t		 set_id;
	const uint8_t		*set;
	size_t			 set_len;
};

/*
 * A resumable position in a walk. Zero it (or use RIB_IN_CURSOR_INIT) to
 * start. The order is unspecified but stable while the table is not
 * changed; if it changes between calls the walk stays safe but may skip
 * or repeat routes.
 */
struct rib_in_cursor {
	unsigned int	table;
	size_t		slot;
};
#define RIB_IN_CURSOR_INIT	{ 0, 0 }

/* Scratch rib_in_route_attrs() needs: 4 + set_len always suffices. */
#define RIB_IN_SCRATCH_MAX	(4 + 65535)

/* An empty Adj-RIB-In; it allocates nothing until the first route. */
struct rib_in	*rib_in_new(void);
/* Frees r and everything it holds; NULL is fine. */
void		 rib_in_free(struct rib_in *);
/* Drops every route and attribute set and releases their memory
 * (session down). r stays usable. */
void		 rib_in_clear(struct rib_in *);

/*
 * Applies one decoded UPDATE received on a session that negotiated ctx:
 * first the withdrawals (IPv4 withdrawn routes, MP_UNREACH_NLRI), then the
 * announcements (IPv4 NLRI, MP_REACH_NLRI), each with its attributes
 * interned. When u->outcome is BGP_UPDATE_TREAT_AS_WITHDRAW, every
 * announced prefix is withdrawn instead (RFC 7606 2). An End-of-RIB
 * changes nothing. res may be NULL.
 * Returns 0, or -1 with errno EMSGSIZE if the attributes have no canonical
 * encoding within 65535 octets: those prefixes are then withdrawn, since
 * the RIB must not keep a route whose attributes it cannot show.
 */
int		 rib_in_apply(struct rib_in *, const struct bgp_update *,
		    const struct bgp_decode_ctx *, struct rib_in_result *res);

/* Routes held for one family (all path IDs). */
size_t		 rib_in_count(const struct rib_in *, enum bgp_aid);
/* Distinct attribute sets in use. */
size_t		 rib_in_attr_sets(const struct rib_in *);
/* Bytes the structure has allocated (without allocator overhead). */
size_t		 rib_in_memory(const struct rib_in *);

/* Finds the route for p (prefix, length and path ID). Returns 1 and fills
 * out, or 0 if there is none. */
int		 rib_in_lookup(const struct rib_in *,
		    const struct bgp_prefix *, struct rib_in_route *out);
/* Returns 1 with the next route after c (and advances c), or 0 at the
 * end. */
int		 rib_in_walk(const struct rib_in *, struct rib_in_cursor *c,
		    struct rib_in_route *out);

/*
 * Decodes a route's attribute set for display. The views in a point into
 * scratch (scratchlen >= 4 + r->set_len, at most RIB_IN_SCRATCH_MAX), not
 * into the RIB, so they stay valid while the RIB changes. A next hop that
 * came in MP_REACH_NLRI is returned in mp_nexthop, mp_nexthop_ll and
 * mp_nexthop_len, with mp_reach_aid set to the route's family, the
 * MP_REACH_NLRI bit set and an empty mp_reach_nlri. Returns 0, or -1 with
 * errno ENOSPC (scratch too small) or EINVAL (not a set from this module).
 */
int		 rib_in_route_attrs(const struct rib_in_route *,
		    void *scratch, size_t scratchlen, struct bgp_attrs *a);

#endif /* ANYCASTD_RIB_IN_H */
