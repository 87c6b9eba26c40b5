/*
 * Private interface between bgp_update.c (UPDATE framing, NLRI, AS4
 * merging, packing) and bgp_attr.c (the path-attribute table and the
 * RFC 7606 outcome rules). Nothing outside these two files includes it.
 */
#ifndef ANYCASTD_BGP_ATTR_H
#define ANYCASTD_BGP_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "buf.h"

/* RFC 7606 2: the ways to handle an error, weakest first (3.h). */
enum attr_action {
	ATTR_ACT_NONE,
	ATTR_ACT_DISCARD,		/* "attribute discard" */
	ATTR_ACT_WITHDRAW,		/* "treat-as-withdraw" */
	ATTR_ACT_RESET,			/* "session reset" */
};

/*
 * The state of one UPDATE decode while its attributes are walked: what
 * the session negotiated, what the rest of the message holds, and what
 * the AS4 merge needs once every attribute has been seen.
 */
struct attr_parse {
	const struct bgp_decode_ctx	*ctx;
	struct bgp_update		*u;
	struct bgp_err			*err;

	bool		 nlri_field;	/* the IPv4 NLRI field is not empty */
	uint64_t	 seen[4];	/* type codes met so far, for 3.g */
	unsigned int	 n_attrs;	/* attributes framed, for End-of-RIB */

	/* Two-octet sessions: kept for bgp_update.c's RFC 6793 4.2.3. */
	struct bgp_bytes as2path;	/* validated 2-octet AS_PATH */
	bool		 has_as2path;
	struct bgp_bytes as4path;	/* validated AS4_PATH */
	bool		 has_as4path;
	bool		 has_as4aggr;
	uint32_t	 as4aggr_as;
	uint32_t	 as4aggr_addr;	/* network order */
	uint16_t	 aggr_as2;	/* AGGREGATOR as received */

	/* The first treat-as-withdraw cause, for RFC 7606 5.2. */
	bool		 have_taw;
	uint8_t		 taw_subcode;
	const uint8_t	*taw_data;
	size_t		 taw_len;
};

/*
 * The one place that applies an RFC 7606 outcome: records a discard or
 * treat-as-withdraw in p->u (the strongest wins, 3.h), or sets p->err for
 * a session reset and returns -1. data/len is the whole erroneous
 * attribute (flags, type, length, value) for the NOTIFICATION.
 */
int	 attr_outcome(struct attr_parse *, enum attr_action, uint8_t subcode,
	    uint8_t type, const uint8_t *data, size_t len);
/*
 * Decodes one framed attribute into p->u->attrs. raw/rawlen is the whole
 * attribute, value its value. Returns 0 (outcomes recorded) or -1 with
 * p->err set.
 */
int	 attr_decode(struct attr_parse *, uint8_t flags, uint8_t type,
	    const uint8_t *raw, size_t rawlen, struct buf *value);
/* After the walk: RFC 7606 3.d (missing mandatory attributes) and 5.2
 * (nothing to withdraw). Returns 0 or -1 with p->err set. */
int	 attr_finish(struct attr_parse *);

/* Writes the header of an attribute whose value is len octets, with the
 * extended-length bit only when len > 255; -1 if len cannot be encoded. */
int	 attr_put_hdr(struct buf *, uint8_t flags, uint8_t type, size_t len);

/* What attr_put_all() does with NEXT_HOP. */
enum attr_nexthop {
	ATTR_NH_AS_GIVEN,		/* written if a has it */
	ATTR_NH_ALWAYS,			/* IPv4 NLRI field: always written */
	ATTR_NH_NEVER,			/* MP_REACH carries the next hop */
};

/* bgp_attrs_put() with control over NEXT_HOP, for the packer. */
int	 attr_put_all(struct buf *, const struct bgp_attrs *,
	    const struct bgp_encode_ctx *, enum attr_nexthop);

/* Validates NLRI encoded per RFC 4271 4.3 (and RFC 7911) in one pass:
 * 0 if every entry parses and the view ends exactly after the last. */
int	 nlri_validate(const struct bgp_bytes *, enum bgp_aid, bool addpath);

/*
 * Validates an AS path whose ASNs are asn_size (2 or 4) octets (RFC 7606
 * 7.2, RFC 7607 2): returns 0, or -1 if malformed. *count is its length
 * as RFC 4271 9.1.2.2 counts it (an AS_SET is 1, confederation segments
 * 0), which is also how RFC 6793 4.2.3 compares AS_PATH and AS4_PATH.
 */
int	 aspath_validate(const uint8_t *, size_t, size_t asn_size,
	    unsigned int *count);

#endif /* ANYCASTD_BGP_ATTR_H */
