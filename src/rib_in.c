/*
 * Adj-RIB-In: per neighbor, the routes received, held only so that they
 * can be shown. The module owns two structures and nothing else: no I/O,
 * no libevent, no logging per route (a full table is a million of them).
 *
 * Attribute sets are interned. Their canonical form is a header that
 * carries an MP_REACH_NLRI next hop (one octet of length, 0 when the next
 * hop is the NEXT_HOP attribute, then the global address and, for length
 * 32, the link-local one) followed by the path attributes re-encoded with
 * bgp_attrs_put() on a 4-octet-AS encoder. Re-encoding makes equal sets
 * equal bytes whatever order, flags or AS width the sender used, so one
 * memcmp decides equality. Each set is one allocation with a reference
 * count, found through an open-addressing index of (set ID, hash) pairs;
 * a route refers to its set by a 32-bit ID rather than by pointer to save
 * four octets per route, and a set is freed with its last route.
 *
 * Routes live in four open-addressing tables, one per family and per
 * "path ID is zero or not": linear probing in power-of-two sizes at a
 * load of at most 3/4, backward-shift deletion (so no tombstones), and a
 * halving once fewer than 1/8 of the slots are in use. A slot is the
 * packed key (address octets, prefix length, and the RFC 7911 path ID only
 * in the path-ID tables) followed by the set ID, 0 meaning empty: 9 octets
 * for IPv4 without ADD-PATH. A session without ADD-PATH never pays for
 * path IDs, and (prefix, path ID) stays unique across the pair of tables.
 *
 * Hashes are seeded per RIB, so a peer cannot choose prefixes or
 * attributes that collide on every host.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "buf.h"
#include "log.h"
#include "rib_in.h"
#include "util.h"

#define RT_MIN_BITS	4	/* 16 slots */
#define RT_KEY_MAX	(16 + 1 + 4)
#define RT_BATCH	32	/* prefixes whose slots are fetched at once */
#define SET_MIN_CAP	16
#define SET_ATTRS_MAX	65535	/* UPDATE attribute length: 16 bits */
#define SET_NH_MAX	32	/* global + link-local (RFC 2545 3) */
#define SET_HDR_MAX	(1 + SET_NH_MAX)

/* The tables, in walk order. */
enum rt_table {
	RT_IPV4,
	RT_IPV4_PATH,
	RT_IPV6,
	RT_IPV6_PATH,
	RT_MAX
};

struct rtable {
	uint8_t	*slots;		/* cap entries of esz octets */
	size_t	 cap;		/* 0 or 1 << bits */
	unsigned int bits;
	size_t	 count;
	size_t	 alen;		/* address octets in the key */
	size_t	 klen;		/* address, length, path ID */
	size_t	 esz;		/* key, then the 4-octet set ID */
	bool	 path;		/* the key has a path ID */
};

struct aset {
	uint32_t	refcnt;		/* routes using the set */
	uint32_t	len;
	uint8_t		data[];		/* canonical form */
};

/* The hash sits beside the ID so that probing past other sets (most
 * lookups of a full table find nothing) never touches them. */
struct sslot {
	uint32_t	id;		/* 0 = empty */
	uint32_t	hash;
};

/* A set ID maps to a set, or, while unused, to the next free ID. */
union aslot {
	struct aset	*set;
	uint32_t	 next_free;
};

struct rib_in {
	struct rtable	 rt[RT_MAX];
	union aslot	*sets;		/* by set ID; ID 0 is unused */
	uint32_t	 sets_cap;
	uint32_t	 sets_hwm;	/* IDs below were handed out */
	uint32_t	 free_id;	/* head of the free list, 0 if empty */
	size_t		 nsets;
	struct sslot	*sindex;	/* sets by hash */
	size_t		 sindex_cap;
	size_t		 set_bytes;	/* sum of set allocations */
	struct buf	*canon;		/* where sets are encoded */
	uint64_t	 seed;
};

static uint64_t
hash_fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Eight octets per multiply; the final mix spreads every input bit over
 * the whole word, as the route tables take the top bits and the set index
 * the bottom ones. */
static uint64_t
hash_bytes(uint64_t seed, const uint8_t *p, size_t n)
{
	uint64_t	h, w;
	size_t		i;

	h = seed ^ ((uint64_t)n * 0x9e3779b97f4a7c15ULL);
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x87c37b91114253d5ULL;
		h ^= h >> 29;
	}
	if (n > 0) {
		/* Byte by byte: a short key is the common case, and a
		 * variable-length memcpy would be a call. */
		for (w = 0, i = 0; i < n; i++)
			w |= (uint64_t)p[i] << (8 * i);
		h = (h ^ w) * 0x87c37b91114253d5ULL;
		h ^= h >> 29;
	}
	return hash_fmix(h);
}

/* ------------------------------------------------------------------ */
/* Route tables                                                        */

static enum rt_table
rt_pick(enum bgp_aid aid, uint32_t path_id)
{
	return (aid == BGP_AID_IPV6 ? RT_IPV6 : RT_IPV4) + (path_id != 0);
}

static void
rt_setup(struct rtable *t, enum rt_table which)
{
	memset(t, 0, sizeof(*t));
	t->alen = which >= RT_IPV6 ? 16 : 4;
	t->path = which == RT_IPV4_PATH || which == RT_IPV6_PATH;
	t->klen = t->alen + 1 + (t->path ? 4 : 0);
	t->esz = t->klen + 4;
}

/* Builds the key for p; -1 if the length does not fit the family. Host
 * bits are cleared so a lookup with a sloppy prefix still matches. */
static int
rt_key(const struct rtable *t, const struct bgp_prefix *p, uint8_t *key)
{
	size_t	 i, full;

	if (p->len > t->alen * 8)
		return -1;
	memcpy(key, p->addr, t->alen);
	full = p->len / 8;
	if (full < t->alen) {
		key[full] &= (uint8_t)(0xff00 >> (p->len % 8));
		for (i = full + 1; i < t->alen; i++)
			key[i] = 0;
	}
	key[t->alen] = p->len;
	if (t->path) {
		key[t->alen + 1] = p->path_id >> 24;
		key[t->alen + 2] = (p->path_id >> 16) & 0xff;
		key[t->alen + 3] = (p->path_id >> 8) & 0xff;
		key[t->alen + 4] = p->path_id & 0xff;
	}
	return 0;
}

static uint32_t
rt_id(const struct rtable *t, const uint8_t *e)
{
	uint32_t	 id;

	memcpy(&id, e + t->klen, sizeof(id));
	return id;
}

static uint64_t
rt_hash(const struct rib_in *r, const struct rtable *t, const uint8_t *key)
{
	return hash_bytes(r->seed, key, t->klen);
}

/*
 * The home slot is taken from the top bits of the hash, so a table is
 * ordered by hash apart from probe runs, and a resize (which walks the
 * old table in order) writes the new one almost sequentially instead of
 * missing the cache once per route.
 */
static size_t
rt_slot(const struct rtable *t, uint64_t h)
{
	return h >> (64 - t->bits);
}

static bool
rt_key_eq(const struct rtable *t, const uint8_t *e, const uint8_t *key)
{
	/* Constant sizes let the compiler inline the common cases. */
	switch (t->klen) {
	case 4 + 1:
		return memcmp(e, key, 4 + 1) == 0;
	case 4 + 1 + 4:
		return memcmp(e, key, 4 + 1 + 4) == 0;
	case 16 + 1:
		return memcmp(e, key, 16 + 1) == 0;
	default:
		return memcmp(e, key, t->klen) == 0;
	}
}

/* Resizes to 1 << nbits slots, or to nothing for nbits 0. */
static void
rt_resize(const struct rib_in *r, struct rtable *t, unsigned int nbits)
{
	uint8_t		*old = t->slots, *e;
	size_t		 ocap = t->cap, ncap, i, j;

	if (nbits == 0) {
		free(old);
		t->slots = NULL;
		t->cap = 0;
		t->bits = 0;
		return;
	}
	ncap = (size_t)1 << nbits;
	t->slots = xcalloc(ncap, t->esz);
	t->cap = ncap;
	t->bits = nbits;
	for (i = 0; i < ocap; i++) {
		e = old + i * t->esz;
		if (rt_id(t, e) == 0)
			continue;
		for (j = rt_slot(t, rt_hash(r, t, e));
		    rt_id(t, t->slots + j * t->esz) != 0;
		    j = (j + 1) & (ncap - 1))
			;
		memcpy(t->slots + j * t->esz, e, t->esz);
	}
	free(old);
}

/* Makes room for n more keys at a load of at most 3/4. */
static void
rt_reserve(const struct rib_in *r, struct rtable *t, size_t n)
{
	unsigned int	 nbits;
	size_t		 need = t->count + n;

	if (need * 4 <= t->cap * 3)
		return;
	for (nbits = t->bits < RT_MIN_BITS ? RT_MIN_BITS : t->bits;
	    need * 4 > ((size_t)1 << nbits) * 3; nbits++)
		;
	rt_resize(r, t, nbits);
}

/* The slot holding key (whose hash is h), or SIZE_MAX. */
static size_t
rt_find(const struct rtable *t, const uint8_t *key, uint64_t h)
{
	const uint8_t	*e;
	size_t		 i;

	if (t->count == 0)
		return SIZE_MAX;
	for (i = rt_slot(t, h);; i = (i + 1) & (t->cap - 1)) {
		e = t->slots + i * t->esz;
		if (rt_id(t, e) == 0)
			return SIZE_MAX;
		if (rt_key_eq(t, e, key))
			return i;
	}
}

/* Stores key -> id in a table with room reserved; returns the ID it
 * replaced, 0 if the key is new. */
static uint32_t
rt_put(struct rtable *t, const uint8_t *key, uint64_t h, uint32_t id)
{
	uint8_t		*e;
	uint32_t	 old;
	size_t		 i;

	for (i = rt_slot(t, h);; i = (i + 1) & (t->cap - 1)) {
		e = t->slots + i * t->esz;
		if ((old = rt_id(t, e)) == 0)
			break;
		if (rt_key_eq(t, e, key)) {
			memcpy(e + t->klen, &id, sizeof(id));
			return old;
		}
	}
	memcpy(e, key, t->klen);
	memcpy(e + t->klen, &id, sizeof(id));
	t->count++;
	return 0;
}

/* Removes key; returns its set ID, 0 if it was not there. */
static uint32_t
rt_del(struct rib_in *r, struct rtable *t, const uint8_t *key)
{
	size_t		 i, j, k, mask;
	uint32_t	 id;

	if ((i = rt_find(t, key, rt_hash(r, t, key))) == SIZE_MAX)
		return 0;
	mask = t->cap - 1;
	id = rt_id(t, t->slots + i * t->esz);
	/*
	 * Backward shift: pull later entries of the probe run into the hole
	 * unless that would put them before their home slot, so lookups
	 * never need tombstones.
	 */
	for (j = (i + 1) & mask; rt_id(t, t->slots + j * t->esz) != 0;
	    j = (j + 1) & mask) {
		k = rt_slot(t, rt_hash(r, t, t->slots + j * t->esz));
		if (((j - k) & mask) >= ((j - i) & mask)) {
			memcpy(t->slots + i * t->esz, t->slots + j * t->esz,
			    t->esz);
			i = j;
		}
	}
	memset(t->slots + i * t->esz, 0, t->esz);
	t->count--;
	/* Give memory back after a mass withdrawal; 1/8 to 1/4 after the
	 * halving leaves room before the next growth. */
	if (t->count == 0)
		rt_resize(r, t, 0);
	else if (t->bits > RT_MIN_BITS && t->count * 8 < t->cap)
		rt_resize(r, t, t->bits - 1);
	return id;
}

static void
rt_fill(const struct rib_in *r, enum rt_table which, const uint8_t *e,
    struct rib_in_route *out)
{
	const struct rtable	*t = &r->rt[which];
	const struct aset	*s;
	const uint8_t		*pid;

	memset(out, 0, sizeof(*out));
	out->prefix.aid = which >= RT_IPV6 ? BGP_AID_IPV6 : BGP_AID_IPV4;
	memcpy(out->prefix.addr, e, t->alen);
	out->prefix.len = e[t->alen];
	if (t->path) {
		pid = e + t->alen + 1;
		out->prefix.path_id = (uint32_t)pid[0] << 24 |
		    (uint32_t)pid[1] << 16 | (uint32_t)pid[2] << 8 | pid[3];
	}
	out->set_id = rt_id(t, e);
	s = r->sets[out->set_id].set;
	out->set = s->data;
	out->set_len = s->len;
}

/* ------------------------------------------------------------------ */
/* Attribute sets                                                      */

static uint32_t
set_hash(const struct rib_in *r, const uint8_t *p, size_t len)
{
	return (uint32_t)hash_bytes(r->seed, p, len);
}

static void
sindex_resize(struct rib_in *r, size_t ncap)
{
	struct sslot	*old = r->sindex;
	size_t		 ocap = r->sindex_cap, i, j;

	r->sindex = xcalloc(ncap, sizeof(*r->sindex));
	r->sindex_cap = ncap;
	for (i = 0; i < ocap; i++) {
		if (old[i].id == 0)
			continue;
		for (j = old[i].hash & (ncap - 1); r->sindex[j].id != 0;
		    j = (j + 1) & (ncap - 1))
			;
		r->sindex[j] = old[i];
	}
	free(old);
}

static uint32_t
set_new_id(struct rib_in *r)
{
	uint32_t	 id;

	if ((id = r->free_id) != 0) {
		r->free_id = r->sets[id].next_free;
		return id;
	}
	if (r->sets_hwm == 0)
		r->sets_hwm = 1;
	if (r->sets_hwm >= r->sets_cap) {
		if (r->sets_cap > UINT32_MAX / 2)
			fatalx("%s: too many attribute sets", __func__);
		r->sets_cap = r->sets_cap == 0 ? SET_MIN_CAP : r->sets_cap * 2;
		r->sets = xreallocarray(r->sets, r->sets_cap,
		    sizeof(*r->sets));
	}
	return r->sets_hwm++;
}

/* Frees every set, and the encoding scratch: an empty RIB (session down,
 * or everything withdrawn) holds no memory beyond its own struct. */
static void
set_release_all(struct rib_in *r)
{
	size_t	 i;

	for (i = 0; i < r->sindex_cap; i++)
		if (r->sindex[i].id != 0)
			free(r->sets[r->sindex[i].id].set);
	free(r->sindex);
	free(r->sets);
	r->sindex = NULL;
	r->sindex_cap = 0;
	r->sets = NULL;
	r->sets_cap = r->sets_hwm = r->free_id = 0;
	r->nsets = 0;
	r->set_bytes = 0;
	buf_free(r->canon);
	r->canon = NULL;
}

/* Returns the ID of the set with these canonical bytes, adding it with no
 * references if it is new. */
static uint32_t
set_intern(struct rib_in *r, const uint8_t *p, size_t len)
{
	struct aset	*s;
	uint32_t	 h, id;
	size_t		 i;

	if ((r->nsets + 1) * 4 > r->sindex_cap * 3)
		sindex_resize(r, r->sindex_cap == 0 ? SET_MIN_CAP :
		    r->sindex_cap * 2);
	h = set_hash(r, p, len);
	for (i = h & (r->sindex_cap - 1); (id = r->sindex[i].id) != 0;
	    i = (i + 1) & (r->sindex_cap - 1)) {
		if (r->sindex[i].hash != h)
			continue;
		s = r->sets[id].set;
		if (s->len == len && memcmp(s->data, p, len) == 0)
			return id;
	}
	s = xmalloc(sizeof(*s) + len);
	s->refcnt = 0;
	s->len = (uint32_t)len;
	memcpy(s->data, p, len);
	id = set_new_id(r);
	r->sets[id].set = s;
	r->sindex[i].id = id;
	r->sindex[i].hash = h;
	r->nsets++;
	r->set_bytes += sizeof(*s) + len;
	return id;
}

static void
set_drop(struct rib_in *r, uint32_t id)
{
	struct aset	*s = r->sets[id].set;
	size_t		 i, j, k, mask = r->sindex_cap - 1;

	for (i = set_hash(r, s->data, s->len) & mask; r->sindex[i].id != id;
	    i = (i + 1) & mask)
		;
	/* Backward shift, as in rt_del(). */
	for (j = (i + 1) & mask; r->sindex[j].id != 0; j = (j + 1) & mask) {
		k = r->sindex[j].hash & mask;
		if (((j - k) & mask) >= ((j - i) & mask)) {
			r->sindex[i] = r->sindex[j];
			i = j;
		}
	}
	r->sindex[i].id = 0;
	r->sindex[i].hash = 0;
	r->set_bytes -= sizeof(*s) + s->len;
	free(s);
	r->nsets--;
	if (r->nsets == 0) {
		/* No IDs in use: start the ID space over, no free list. */
		set_release_all(r);
		return;
	}
	r->sets[id].next_free = r->free_id;
	r->free_id = id;
	if (r->sindex_cap > SET_MIN_CAP && r->nsets * 8 < r->sindex_cap)
		sindex_resize(r, r->sindex_cap / 2);
}

static void
set_unref(struct rib_in *r, uint32_t id)
{
	if (--r->sets[id].set->refcnt == 0)
		set_drop(r, id);
}

/*
 * Interns the attributes of an announcement: from the IPv4 NLRI field
 * (mp false: the next hop is the NEXT_HOP attribute) or from
 * MP_REACH_NLRI (mp true: the next hop goes into the header and NEXT_HOP,
 * which RFC 4760 3 says to ignore then, is left out). Returns the set ID,
 * or 0 if the set has no encoding we can store.
 */
static uint32_t
set_intern_attrs(struct rib_in *r, const struct bgp_attrs *a, bool mp)
{
	static const struct bgp_encode_ctx ectx = {
		.as4 = true,
		.maxlen = BGP_MAX_EXT_MSG_LEN,
	};
	struct bgp_attrs	 c;
	const struct bgp_attrs	*put = a;
	size_t			 hdrlen = 1, nhlen;

	if (r->canon == NULL)
		r->canon = buf_new(SET_HDR_MAX + SET_ATTRS_MAX);
	buf_reset(r->canon);
	if (!mp)
		buf_put_u8(r->canon, 0);
	else {
		nhlen = a->mp_nexthop_len;
		if (nhlen > SET_NH_MAX)
			return 0;
		buf_put_u8(r->canon, (uint8_t)nhlen);
		buf_put(r->canon, a->mp_nexthop, nhlen < 16 ? nhlen : 16);
		if (nhlen > 16)
			buf_put(r->canon, a->mp_nexthop_ll, nhlen - 16);
		hdrlen += nhlen;
		c = *a;
		c.present[BGP_ATTR_NEXT_HOP >> 6] &=
		    ~((uint64_t)1 << (BGP_ATTR_NEXT_HOP & 63));
		put = &c;
	}
	if (bgp_attrs_put(r->canon, put, &ectx) == -1 ||
	    buf_error(r->canon) || buf_len(r->canon) - hdrlen > SET_ATTRS_MAX)
		return 0;
	return set_intern(r, r->canon->data, buf_len(r->canon));
}

/* ------------------------------------------------------------------ */
/* Applying UPDATEs                                                    */

static void
withdraw_one(struct rib_in *r, const struct bgp_prefix *p,
    struct rib_in_result *res)
{
	struct rtable	*t = &r->rt[rt_pick(p->aid, p->path_id)];
	uint8_t		 key[RT_KEY_MAX];
	uint32_t	 id;

	if (rt_key(t, p, key) == 0 && (id = rt_del(r, t, key)) != 0) {
		set_unref(r, id);
		res->withdrawn++;
	} else
		res->absent++;
}

/* Withdraws every prefix of a validated NLRI view. Returns 0, or EINVAL
 * if a prefix does not parse after all (the decoder promised it would). */
static int
withdraw_nlri(struct rib_in *r, const struct bgp_bytes *nlri,
    enum bgp_aid aid, bool addpath, struct rib_in_result *res)
{
	struct bgp_prefix	 p;
	struct buf		 b;
	int			 rv;

	buf_view(&b, nlri->data, nlri->len);
	while ((rv = bgp_nlri_next(&b, aid, addpath, &p)) == 1) {
		p.aid = aid;
		withdraw_one(r, &p, res);
	}
	return rv == 0 ? 0 : EINVAL;
}

/* A prefix between parsing and insertion. */
struct rt_pending {
	uint64_t	h;
	uint8_t		which;		/* enum rt_table */
	uint8_t		key[RT_KEY_MAX];
};

/* Inserts a batch: room first, so no slot moves while the home slots of
 * the whole batch are fetched from memory together. */
static void
announce_batch(struct rib_in *r, struct rt_pending *pend, size_t n,
    const size_t need[RT_MAX], uint32_t id)
{
	struct rtable	*t;
	uint32_t	 old;
	size_t		 i;

	for (i = 0; i < RT_MAX; i++)
		if (need[i] > 0)
			rt_reserve(r, &r->rt[i], need[i]);
	for (i = 0; i < n; i++) {
		t = &r->rt[pend[i].which];
		pend[i].h = rt_hash(r, t, pend[i].key);
		__builtin_prefetch(t->slots + rt_slot(t, pend[i].h) * t->esz);
	}
	for (i = 0; i < n; i++) {
		t = &r->rt[pend[i].which];
		r->sets[id].set->refcnt++;
		if ((old = rt_put(t, pend[i].key, pend[i].h, id)) == id)
			r->sets[id].set->refcnt--;
		else if (old != 0)
			set_unref(r, old);
	}
}

/* Stores every prefix of a validated NLRI view with the attributes a.
 * Returns 0 or an errno value, as rib_in_apply() describes. */
static int
announce_nlri(struct rib_in *r, const struct bgp_bytes *nlri,
    enum bgp_aid aid, bool addpath, const struct bgp_attrs *a, bool mp,
    struct rib_in_result *res)
{
	struct rt_pending	 pend[RT_BATCH];
	struct bgp_prefix	 p;
	struct buf		 b;
	size_t			 n, need[RT_MAX];
	uint32_t		 id;
	int			 rv = 0;

	if ((id = set_intern_attrs(r, a, mp)) == 0) {
		if (withdraw_nlri(r, nlri, aid, addpath, res) != 0)
			return EINVAL;
		return EMSGSIZE;
	}
	buf_view(&b, nlri->data, nlri->len);
	do {
		n = 0;
		memset(need, 0, sizeof(need));
		while (n < RT_BATCH &&
		    (rv = bgp_nlri_next(&b, aid, addpath, &p)) == 1) {
			pend[n].which = rt_pick(aid, p.path_id);
			/* bgp_nlri_next checked the length */
			if (rt_key(&r->rt[pend[n].which], &p,
			    pend[n].key) == -1)
				continue;
			need[pend[n].which]++;
			n++;
		}
		announce_batch(r, pend, n, need, id);
		res->announced += n;
	} while (n == RT_BATCH);
	/* Only an NLRI view without prefixes leaves a new set unused. */
	if (r->sets[id].set->refcnt == 0)
		set_drop(r, id);
	return rv == 0 ? 0 : EINVAL;
}

/* Withdraws or announces one NLRI view; keeps the first error. */
static void
apply_nlri(struct rib_in *r, const struct bgp_bytes *nlri, enum bgp_aid aid,
    const struct bgp_decode_ctx *ctx, const struct bgp_attrs *a, bool mp,
    bool withdraw, struct rib_in_result *res, int *error)
{
	int	 e;

	if (nlri->len == 0 || aid >= BGP_AID_MAX)
		return;
	if (withdraw)
		e = withdraw_nlri(r, nlri, aid, ctx->addpath_recv[aid], res);
	else
		e = announce_nlri(r, nlri, aid, ctx->addpath_recv[aid], a, mp,
		    res);
	if (*error == 0)
		*error = e;
}

/* Applies one UPDATE; u is only read. */
int
rib_in_apply(struct rib_in *r, const struct bgp_update *u,
    const struct bgp_decode_ctx *ctx, struct rib_in_result *res)
{
	const struct bgp_attrs	*a = &u->attrs;
	struct rib_in_result	 ignored;
	bool			 taw;
	int			 error = 0;

	if (res == NULL)
		res = &ignored;
	memset(res, 0, sizeof(*res));
	taw = u->outcome == BGP_UPDATE_TREAT_AS_WITHDRAW;

	/*
	 * Withdrawals first: a prefix both withdrawn and announced in one
	 * UPDATE counts as announced (RFC 4271 4.3).
	 */
	apply_nlri(r, &u->withdrawn, BGP_AID_IPV4, ctx, a, false, true, res,
	    &error);
	if (bgp_attrs_has(a, BGP_ATTR_MP_UNREACH_NLRI))
		apply_nlri(r, &a->mp_unreach_nlri, a->mp_unreach_aid, ctx, a,
		    true, true, res, &error);
	apply_nlri(r, &u->nlri, BGP_AID_IPV4, ctx, a, false, taw, res, &error);
	if (bgp_attrs_has(a, BGP_ATTR_MP_REACH_NLRI))
		apply_nlri(r, &a->mp_reach_nlri, a->mp_reach_aid, ctx, a, true,
		    taw, res, &error);
	if (error != 0) {
		errno = error;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Life cycle and queries                                              */

/* A new, empty RIB; the caller frees it with rib_in_free(). */
struct rib_in *
rib_in_new(void)
{
	struct rib_in	*r;
	int		 i;

	r = xcalloc(1, sizeof(*r));
	for (i = 0; i < RT_MAX; i++)
		rt_setup(&r->rt[i], i);
	r->seed = (uint64_t)arc4random() << 32 | arc4random();
	return r;
}

/* Drops every route and set; r keeps only its own struct. */
void
rib_in_clear(struct rib_in *r)
{
	int	 i;

	for (i = 0; i < RT_MAX; i++) {
		free(r->rt[i].slots);
		rt_setup(&r->rt[i], i);
	}
	set_release_all(r);
}

/* Frees r and all it holds; NULL is fine. */
void
rib_in_free(struct rib_in *r)
{
	if (r == NULL)
		return;
	rib_in_clear(r);
	free(r);
}

/* Routes of one family, every path ID included. */
size_t
rib_in_count(const struct rib_in *r, enum bgp_aid aid)
{
	if (aid >= BGP_AID_MAX)
		return 0;
	return r->rt[rt_pick(aid, 0)].count + r->rt[rt_pick(aid, 1)].count;
}

/* Attribute sets in use. */
size_t
rib_in_attr_sets(const struct rib_in *r)
{
	return r->nsets;
}

/* Bytes allocated for routes, sets and their indexes, for metrics. */
size_t
rib_in_memory(const struct rib_in *r)
{
	size_t	 n, i;

	n = sizeof(*r) + r->set_bytes +
	    (size_t)r->sets_cap * sizeof(*r->sets) +
	    r->sindex_cap * sizeof(*r->sindex);
	for (i = 0; i < RT_MAX; i++)
		n += r->rt[i].cap * r->rt[i].esz;
	if (r->canon != NULL)
		n += sizeof(*r->canon) + r->canon->cap;
	return n;
}

/* Exact-match lookup; out's set view lasts until r changes. */
int
rib_in_lookup(const struct rib_in *r, const struct bgp_prefix *p,
    struct rib_in_route *out)
{
	enum rt_table	 which;
	uint8_t		 key[RT_KEY_MAX];
	size_t		 i;

	if (p->aid >= BGP_AID_MAX)
		return 0;
	which = rt_pick(p->aid, p->path_id);
	if (rt_key(&r->rt[which], p, key) == -1 ||
	    (i = rt_find(&r->rt[which], key,
	    rt_hash(r, &r->rt[which], key))) == SIZE_MAX)
		return 0;
	rt_fill(r, which, r->rt[which].slots + i * r->rt[which].esz, out);
	return 1;
}

/* The next route in slot order; c stays valid (if imprecise) across
 * changes, since it is only a position that is checked on every call. */
int
rib_in_walk(const struct rib_in *r, struct rib_in_cursor *c,
    struct rib_in_route *out)
{
	const struct rtable	*t;
	const uint8_t		*e;

	for (; c->table < RT_MAX; c->table++, c->slot = 0) {
		t = &r->rt[c->table];
		for (; c->slot < t->cap; c->slot++) {
			e = t->slots + c->slot * t->esz;
			if (rt_id(t, e) != 0) {
				c->slot++;
				rt_fill(r, c->table, e, out);
				return 1;
			}
		}
	}
	return 0;
}

/* Decodes a route's set into a; a's views point into scratch. */
int
rib_in_route_attrs(const struct rib_in_route *rt, void *scratch,
    size_t scratchlen, struct bgp_attrs *a)
{
	static const struct bgp_decode_ctx dctx = { .as4 = true };
	struct bgp_update	 u;
	struct bgp_err		 err;
	struct buf		 w, b;
	const uint8_t		*p = rt->set;
	size_t			 nhlen, alen;

	if (p == NULL || rt->set_len < 1 || (nhlen = p[0]) > SET_NH_MAX ||
	    rt->set_len - 1 < nhlen ||
	    (alen = rt->set_len - 1 - nhlen) > SET_ATTRS_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (scratchlen < 4 + alen) {
		errno = ENOSPC;
		return -1;
	}
	/* An UPDATE body with no withdrawn routes and no NLRI, so no
	 * mandatory-attribute rule applies (RFC 7606 3.d). */
	buf_init(&w, scratch, scratchlen);
	buf_put_u16(&w, 0);
	buf_put_u16(&w, (uint16_t)alen);
	buf_put(&w, p + 1 + nhlen, alen);
	buf_view(&b, scratch, buf_len(&w));
	memset(&u, 0, sizeof(u));
	if (bgp_msg_get_update(&b, &dctx, &u, &err) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (u.outcome != BGP_UPDATE_OK || u.aspath_owned != NULL ||
	    (u.discarded[0] | u.discarded[1] | u.discarded[2] |
	    u.discarded[3]) != 0) {
		bgp_update_free(&u);
		errno = EINVAL;
		return -1;
	}
	*a = u.attrs;
	bgp_update_free(&u);
	if (nhlen > 0) {
		bgp_attrs_set(a, BGP_ATTR_MP_REACH_NLRI);
		a->mp_reach_aid = rt->prefix.aid;
		a->mp_nexthop_len = (uint8_t)nhlen;
		memset(a->mp_nexthop, 0, sizeof(a->mp_nexthop));
		memset(a->mp_nexthop_ll, 0, sizeof(a->mp_nexthop_ll));
		memcpy(a->mp_nexthop, p + 1, nhlen < 16 ? nhlen : 16);
		if (nhlen > 16)
			memcpy(a->mp_nexthop_ll, p + 17, nhlen - 16);
		a->mp_reach_nlri.data = NULL;
		a->mp_reach_nlri.len = 0;
	}
	return 0;
}
