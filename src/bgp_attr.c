/*
 * Path attributes (RFC 4271 4.3, 5): one table indexed by type code that
 * gives each attribute we know its name, the Optional and Transitive bits
 * it must carry, its length rule, what RFC 7606 does when it is malformed,
 * and its decoder and encoder; attr_outcome(), the single place where an
 * RFC 7606 outcome (attribute discard, treat-as-withdraw, session reset)
 * is applied; and bgp_attrs_put().
 *
 * UPDATE framing, NLRI, the AS4_PATH merge and packing live in
 * bgp_update.c. Like the rest of the codec this module is pure: it reads
 * only through struct buf, keeps views into the message, never allocates
 * and never logs. Checks that need session state beyond what
 * struct bgp_decode_ctx carries (the peer's AS as the leftmost AS_PATH
 * entry, a NEXT_HOP that is our own address) belong to the session.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bgp.h"
#include "bgp_attr.h"
#include "buf.h"
#include "util.h"

#define F_OPT		BGP_ATTR_FLAG_OPTIONAL
#define F_TRANS		BGP_ATTR_FLAG_TRANSITIVE
#define F_OT		(F_OPT | F_TRANS)

/* Flags of each category, RFC 4271 5. */
#define WELL_KNOWN	F_TRANS
#define OPT_TRANS	(F_OPT | F_TRANS)
#define OPT_NONTRANS	F_OPT

enum attr_len {
	ATTR_LEN_ANY,
	ATTR_LEN_FIXED,			/* exactly len_arg octets */
	ATTR_LEN_MULTIPLE,		/* a non-zero multiple of len_arg */
	ATTR_LEN_MIN,			/* at least len_arg octets */
	ATTR_LEN_AGGREGATOR,		/* 6, or 8 with 4-octet ASNs */
};

typedef int	(*attr_decode_fn)(struct attr_parse *, struct buf *);
typedef int	(*attr_encode_fn)(struct buf *, const struct bgp_attrs *,
		    const struct bgp_encode_ctx *, enum attr_nexthop);

/*
 * A decoder returns 0, or the RFC 4271 6.3 subcode that describes what is
 * wrong with the value; attr_decode() then applies the table's outcome.
 * Decoders fill u->attrs only once the whole value has been checked.
 */
struct attr_desc {
	const char	*name;
	uint8_t		 flags;		/* the O and T bits required */
	uint8_t		 len_rule;	/* enum attr_len */
	uint8_t		 len_arg;
	uint8_t		 malformed;	/* enum attr_action */
	bool		 ibgp_only;	/* discarded from external peers */
	bool		 as2_only;	/* discarded on 4-octet sessions */
	attr_decode_fn	 decode;
	attr_encode_fn	 encode;
};

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static void
bitmap_set(uint64_t *bm, uint8_t type)
{
	bm[type >> 6] |= (uint64_t)1 << (type & 63);
}

static bool
bitmap_has(const uint64_t *bm, uint8_t type)
{
	return (bm[type >> 6] >> (type & 63)) & 1;
}

static void
view_rest(struct buf *v, struct bgp_bytes *out)
{
	out->data = buf_left(v) > 0 ? buf_ptr(v) : NULL;
	out->len = buf_left(v);
	(void)buf_skip(v, out->len);
}

/* RFC 7606 7.2 and RFC 7607 2 for AS_PATH and AS4_PATH alike. */
int
aspath_validate(const uint8_t *data, size_t len, size_t asn_size,
    unsigned int *count)
{
	struct buf	 b;
	uint8_t		 type, cnt;
	uint16_t	 as2 = 0;
	uint32_t	 as4 = 0;
	unsigned int	 n = 0, i;

	buf_view(&b, data, len);
	while (buf_left(&b) > 0) {
		/* RFC 7606 7.2: a single octet left is an underrun. */
		if (buf_get_u8(&b, &type) == -1 || buf_get_u8(&b, &cnt) == -1)
			return -1;
		/* RFC 7606 7.2: an unrecognised segment type. */
		if (type < BGP_ASPATH_SET || type > BGP_ASPATH_CONFED_SET)
			return -1;
		/* RFC 7606 7.2: a segment of length zero. */
		if (cnt == 0)
			return -1;
		/* RFC 7606 7.2: an overrun of the attribute. */
		if (buf_left(&b) < (size_t)cnt * asn_size)
			return -1;
		for (i = 0; i < cnt; i++) {
			if (asn_size == 2) {
				(void)buf_get_u16(&b, &as2);
				as4 = as2;
			} else
				(void)buf_get_u32(&b, &as4);
			/* RFC 7607 2: AS 0 makes the path malformed. */
			if (as4 == 0)
				return -1;
		}
		/* RFC 4271 9.1.2.2 a, RFC 5065 5.3. */
		if (type == BGP_ASPATH_SEQUENCE)
			n += cnt;
		else if (type == BGP_ASPATH_SET)
			n++;
	}
	*count = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Decoders                                                             */

static int
dec_origin(struct attr_parse *p, struct buf *v)
{
	uint8_t	 origin = 0;

	(void)buf_get_u8(v, &origin);
	if (origin > BGP_ORIGIN_INCOMPLETE)	/* RFC 7606 7.1 */
		return BGP_ERR_UPD_BAD_ORIGIN;
	p->u->attrs.origin = origin;
	return 0;
}

static int
dec_aspath(struct attr_parse *p, struct buf *v)
{
	struct bgp_bytes path;
	unsigned int	 count;

	view_rest(v, &path);
	/* RFC 6793 4.1: 4-octet ASNs only when both sides announced it. */
	if (aspath_validate(path.data, path.len, p->ctx->as4 ? 4 : 2,
	    &count) == -1)
		return BGP_ERR_UPD_MALFORMED_ASPATH;
	if (p->ctx->as4)
		p->u->attrs.aspath = path;
	else {
		/* Widened, and merged with AS4_PATH, after the walk. */
		p->as2path = path;
		p->has_as2path = true;
	}
	return 0;
}

static int
dec_nexthop(struct attr_parse *p, struct buf *v)
{
	uint8_t	 nh[4];

	(void)buf_get(v, nh, sizeof(nh));
	/*
	 * RFC 4271 6.3: syntactically correct means a valid IP host
	 * address, so "this network", multicast and class E (with the
	 * limited broadcast) are not. Whether it is our own address or on
	 * a shared subnet is for the session to check.
	 */
	if (nh[0] == 0 || nh[0] >= 224)
		return BGP_ERR_UPD_BAD_NEXTHOP;
	memcpy(&p->u->attrs.nexthop, nh, sizeof(nh));
	return 0;
}

static int
dec_med(struct attr_parse *p, struct buf *v)
{
	(void)buf_get_u32(v, &p->u->attrs.med);
	return 0;
}

static int
dec_local_pref(struct attr_parse *p, struct buf *v)
{
	(void)buf_get_u32(v, &p->u->attrs.local_pref);
	return 0;
}

static int
dec_atomic_aggregate(struct attr_parse *p, struct buf *v)
{
	(void)p;
	(void)v;
	return 0;
}

static int
dec_aggregator(struct attr_parse *p, struct buf *v)
{
	uint32_t asn = 0, addr = 0;
	uint16_t as2 = 0;

	if (p->ctx->as4)
		(void)buf_get_u32(v, &asn);
	else {
		(void)buf_get_u16(v, &as2);
		asn = as2;
	}
	(void)buf_get(v, &addr, sizeof(addr));
	if (asn == 0)				/* RFC 7607 2 */
		return BGP_ERR_UPD_OPTIONAL_ATTR;
	p->u->attrs.aggregator_as = asn;
	p->u->attrs.aggregator_addr = addr;
	p->aggr_as2 = as2;
	return 0;
}

static int
dec_communities(struct attr_parse *p, struct buf *v)
{
	view_rest(v, &p->u->attrs.communities);
	return 0;
}

static int
dec_originator_id(struct attr_parse *p, struct buf *v)
{
	(void)buf_get(v, &p->u->attrs.originator_id,
	    sizeof(p->u->attrs.originator_id));
	return 0;
}

static int
dec_cluster_list(struct attr_parse *p, struct buf *v)
{
	view_rest(v, &p->u->attrs.cluster_list);
	return 0;
}

/*
 * MP_REACH_NLRI (RFC 4760 3). A family we never negotiate (VPN, EVPN,
 * flowspec...) is framed and then ignored: mp_reach_aid is BGP_AID_MAX and
 * the NLRI view stays empty. RFC 4760 has no error for it, and resetting
 * would turn a peer's extra families into a flapping session.
 */
static int
dec_mp_reach(struct attr_parse *p, struct buf *v)
{
	struct bgp_attrs *a = &p->u->attrs;
	struct bgp_bytes nlri;
	enum bgp_aid	 aid;
	uint16_t	 afi = 0;
	uint8_t		 safi = 0, nhlen = 0, nh[32];

	/* The length rule guaranteed these five octets. */
	(void)buf_get_u16(v, &afi);
	(void)buf_get_u8(v, &safi);
	(void)buf_get_u8(v, &nhlen);
	/* RFC 7606 7.11: a next hop that overruns cannot be skipped. */
	if (buf_left(v) < (size_t)nhlen + 1)
		return BGP_ERR_UPD_OPTIONAL_ATTR;
	if (bgp_aid_from_afi(afi, safi, &aid) == -1) {
		a->mp_reach_aid = BGP_AID_MAX;
		a->mp_reach_nlri.data = NULL;
		a->mp_reach_nlri.len = 0;
		a->mp_nexthop_len = 0;
		view_rest(v, &nlri);
		return 0;
	}
	/*
	 * RFC 7606 7.11: a next hop length the family does not allow
	 * hides where the NLRI starts. IPv4: 4 octets (RFC 4760 3);
	 * IPv6: global, or global and link-local (RFC 2545 3).
	 */
	switch (aid) {
	case BGP_AID_IPV4:
		if (nhlen != 4)
			return BGP_ERR_UPD_OPTIONAL_ATTR;
		break;
	case BGP_AID_IPV6:
		if (nhlen != 16 && nhlen != 32)
			return BGP_ERR_UPD_OPTIONAL_ATTR;
		break;
	case BGP_AID_MAX:
		return BGP_ERR_UPD_OPTIONAL_ATTR;
	}
	(void)buf_get(v, nh, nhlen);
	(void)buf_skip(v, 1);		/* reserved, ignored (RFC 4760 3) */
	view_rest(v, &nlri);
	/* RFC 7606 5.3: NLRI that cannot be parsed. */
	if (nlri_validate(&nlri, aid, p->ctx->addpath_recv[aid]) == -1)
		return BGP_ERR_UPD_OPTIONAL_ATTR;

	a->mp_reach_aid = aid;
	a->mp_nexthop_len = nhlen;
	memset(a->mp_nexthop, 0, sizeof(a->mp_nexthop));
	memset(a->mp_nexthop_ll, 0, sizeof(a->mp_nexthop_ll));
	memcpy(a->mp_nexthop, nh, nhlen > 16 ? 16 : nhlen);
	if (nhlen == 32)
		memcpy(a->mp_nexthop_ll, nh + 16, 16);
	a->mp_reach_nlri = nlri;
	return 0;
}

/* MP_UNREACH_NLRI (RFC 4760 4); unknown families as for MP_REACH. */
static int
dec_mp_unreach(struct attr_parse *p, struct buf *v)
{
	struct bgp_attrs *a = &p->u->attrs;
	struct bgp_bytes nlri;
	enum bgp_aid	 aid;
	uint16_t	 afi = 0;
	uint8_t		 safi = 0;

	(void)buf_get_u16(v, &afi);
	(void)buf_get_u8(v, &safi);
	view_rest(v, &nlri);
	if (bgp_aid_from_afi(afi, safi, &aid) == -1) {
		a->mp_unreach_aid = BGP_AID_MAX;
		a->mp_unreach_nlri.data = NULL;
		a->mp_unreach_nlri.len = 0;
		return 0;
	}
	/* RFC 7606 5.3 */
	if (nlri_validate(&nlri, aid, p->ctx->addpath_recv[aid]) == -1)
		return BGP_ERR_UPD_OPTIONAL_ATTR;
	a->mp_unreach_aid = aid;
	a->mp_unreach_nlri = nlri;
	return 0;
}

static int
dec_ext_communities(struct attr_parse *p, struct buf *v)
{
	/* RFC 7606 7.14: unknown types and sub-types are not errors. */
	view_rest(v, &p->u->attrs.ext_communities);
	return 0;
}

/* RFC 6793 6: a malformed AS4_PATH is discarded (the table says so). */
static int
dec_as4path(struct attr_parse *p, struct buf *v)
{
	struct bgp_bytes path;
	unsigned int	 count;

	view_rest(v, &path);
	if (aspath_validate(path.data, path.len, 4, &count) == -1)
		return BGP_ERR_UPD_OPTIONAL_ATTR;
	p->as4path = path;
	p->has_as4path = true;
	return 0;
}

static int
dec_as4aggregator(struct attr_parse *p, struct buf *v)
{
	uint32_t asn = 0, addr = 0;

	(void)buf_get_u32(v, &asn);
	(void)buf_get(v, &addr, sizeof(addr));
	if (asn == 0)				/* RFC 7607 2 */
		return BGP_ERR_UPD_OPTIONAL_ATTR;
	p->as4aggr_as = asn;
	p->as4aggr_addr = addr;
	p->has_as4aggr = true;
	return 0;
}

static int
dec_large_communities(struct attr_parse *p, struct buf *v)
{
	/* RFC 8092 6: duplicates alone do not make it malformed. */
	view_rest(v, &p->u->attrs.large_communities);
	return 0;
}

static int
dec_otc(struct attr_parse *p, struct buf *v)
{
	(void)buf_get_u32(v, &p->u->attrs.otc);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Encoders                                                             */

/* Flags, type and a 1- or 2-octet length (RFC 4271 4.3). */
int
attr_put_hdr(struct buf *b, uint8_t flags, uint8_t type, size_t len)
{
	if (len > UINT16_MAX)
		return -1;
	/* RFC 4271 4.3: the extended length only when needed. */
	if (len > UINT8_MAX) {
		buf_put_u8(b, flags | BGP_ATTR_FLAG_EXTLEN);
		buf_put_u8(b, type);
		return buf_put_u16(b, (uint16_t)len);
	}
	buf_put_u8(b, flags & ~BGP_ATTR_FLAG_EXTLEN);
	buf_put_u8(b, type);
	return buf_put_u8(b, (uint8_t)len);
}

static int
put_u32_attr(struct buf *b, uint8_t flags, uint8_t type, uint32_t v)
{
	if (attr_put_hdr(b, flags, type, 4) == -1)
		return -1;
	return buf_put_u32(b, v);
}

/* Network-order values are kept as their four octets. */
static int
put_raw4_attr(struct buf *b, uint8_t flags, uint8_t type, const void *v)
{
	if (attr_put_hdr(b, flags, type, 4) == -1)
		return -1;
	return buf_put(b, v, 4);
}

/* A list of fixed-size items: refuses what would be malformed on the
 * wire (RFC 7606 4: zero length; 7.8, 7.10, 7.14, RFC 8092 6). */
static int
put_list_attr(struct buf *b, uint8_t flags, uint8_t type,
    const struct bgp_bytes *v, size_t item)
{
	if (v->len == 0 || v->len % item != 0)
		return -1;
	if (attr_put_hdr(b, flags, type, v->len) == -1)
		return -1;
	return buf_put(b, v->data, v->len);
}

static int
enc_origin(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)ctx;
	(void)nh;
	if (attr_put_hdr(b, WELL_KNOWN, BGP_ATTR_ORIGIN, 1) == -1)
		return -1;
	return buf_put_u8(b, a->origin);
}

/* What the 2-octet encoding of a 4-octet path needs (RFC 6793 4.2.2). */
struct aspath_sizes {
	size_t	 len2;		/* AS_PATH with 2-octet ASNs */
	size_t	 len4;		/* AS4_PATH: no confederation segments */
	bool	 unmappable;	/* some ASN is above 65535 */
};

static int
aspath_measure(const struct bgp_bytes *path, struct aspath_sizes *s)
{
	struct buf	 r;
	uint8_t		 type, cnt;
	uint32_t	 asn = 0;
	unsigned int	 i, count;

	memset(s, 0, sizeof(*s));
	if (aspath_validate(path->data, path->len, 4, &count) == -1)
		return -1;
	buf_view(&r, path->data, path->len);
	while (buf_get_u8(&r, &type) == 0 && buf_get_u8(&r, &cnt) == 0) {
		s->len2 += 2 + (size_t)cnt * 2;
		if (type == BGP_ASPATH_SET || type == BGP_ASPATH_SEQUENCE)
			s->len4 += 2 + (size_t)cnt * 4;
		for (i = 0; i < cnt; i++) {
			(void)buf_get_u32(&r, &asn);
			if (asn > UINT16_MAX)
				s->unmappable = true;
		}
	}
	return 0;
}

static int
enc_aspath(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	struct aspath_sizes s;
	struct buf	 r;
	uint8_t		 type, cnt;
	uint32_t	 asn = 0;
	unsigned int	 i;

	(void)nh;
	if (aspath_measure(&a->aspath, &s) == -1)
		return -1;
	if (ctx->as4) {
		if (attr_put_hdr(b, WELL_KNOWN, BGP_ATTR_AS_PATH,
		    a->aspath.len) == -1)
			return -1;
		return buf_put(b, a->aspath.data, a->aspath.len);
	}
	/* RFC 6793 4.2.2: 2-octet ASNs, AS_TRANS for those that do not fit. */
	if (attr_put_hdr(b, WELL_KNOWN, BGP_ATTR_AS_PATH, s.len2) == -1)
		return -1;
	buf_view(&r, a->aspath.data, a->aspath.len);
	while (buf_get_u8(&r, &type) == 0 && buf_get_u8(&r, &cnt) == 0) {
		buf_put_u8(b, type);
		buf_put_u8(b, cnt);
		for (i = 0; i < cnt; i++) {
			(void)buf_get_u32(&r, &asn);
			buf_put_u16(b, asn > UINT16_MAX ? BGP_AS_TRANS :
			    (uint16_t)asn);
		}
	}
	return buf_error(b) ? -1 : 0;
}

static int
enc_nexthop(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)ctx;
	switch (nh) {
	case ATTR_NH_AS_GIVEN:
		if (!bgp_attrs_has(a, BGP_ATTR_NEXT_HOP))
			return 0;
		break;
	case ATTR_NH_ALWAYS:
		break;
	case ATTR_NH_NEVER:
		/* RFC 4760 3: MP_REACH_NLRI carries it. */
		return 0;
	}
	return put_raw4_attr(b, WELL_KNOWN, BGP_ATTR_NEXT_HOP, &a->nexthop);
}

static int
enc_med(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)ctx;
	(void)nh;
	return put_u32_attr(b, OPT_NONTRANS, BGP_ATTR_MED, a->med);
}

static int
enc_local_pref(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)ctx;
	(void)nh;
	return put_u32_attr(b, WELL_KNOWN, BGP_ATTR_LOCAL_PREF, a->local_pref);
}

static int
enc_atomic_aggregate(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)a;
	(void)ctx;
	(void)nh;
	return attr_put_hdr(b, WELL_KNOWN, BGP_ATTR_ATOMIC_AGGREGATE, 0);
}

static int
enc_aggregator(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)nh;
	if (a->aggregator_as == 0)		/* RFC 7607 2 */
		return -1;
	if (ctx->as4) {
		if (attr_put_hdr(b, OPT_TRANS, BGP_ATTR_AGGREGATOR, 8) == -1)
			return -1;
		buf_put_u32(b, a->aggregator_as);
	} else {
		/* RFC 6793 4.2.2: AS_TRANS plus AS4_AGGREGATOR. */
		if (attr_put_hdr(b, OPT_TRANS, BGP_ATTR_AGGREGATOR, 6) == -1)
			return -1;
		buf_put_u16(b, a->aggregator_as > UINT16_MAX ? BGP_AS_TRANS :
		    (uint16_t)a->aggregator_as);
	}
	return buf_put(b, &a->aggregator_addr, 4);
}

static int
enc_communities(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)ctx;
	(void)nh;
	return put_list_attr(b, OPT_TRANS, BGP_ATTR_COMMUNITIES,
	    &a->communities, 4);
}

static int
enc_originator_id(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)ctx;
	(void)nh;
	return put_raw4_attr(b, OPT_NONTRANS, BGP_ATTR_ORIGINATOR_ID,
	    &a->originator_id);
}

static int
enc_cluster_list(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)ctx;
	(void)nh;
	return put_list_attr(b, OPT_NONTRANS, BGP_ATTR_CLUSTER_LIST,
	    &a->cluster_list, 4);
}

static int
enc_ext_communities(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)ctx;
	(void)nh;
	return put_list_attr(b, OPT_TRANS, BGP_ATTR_EXT_COMMUNITIES,
	    &a->ext_communities, 8);
}

/* Present on a 2-octet session whenever the path has an ASN above
 * 65535; never on a 4-octet session (RFC 6793 4.1, 4.2.2). */
static int
enc_as4path(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	struct aspath_sizes s;
	struct buf	 r;
	uint8_t		 type, cnt;
	uint32_t	 asn = 0;
	unsigned int	 i;

	(void)nh;
	if (ctx->as4 || !bgp_attrs_has(a, BGP_ATTR_AS_PATH))
		return 0;
	if (aspath_measure(&a->aspath, &s) == -1)
		return -1;
	if (!s.unmappable || s.len4 == 0)
		return 0;
	if (attr_put_hdr(b, OPT_TRANS, BGP_ATTR_AS4_PATH, s.len4) == -1)
		return -1;
	buf_view(&r, a->aspath.data, a->aspath.len);
	while (buf_get_u8(&r, &type) == 0 && buf_get_u8(&r, &cnt) == 0) {
		/* RFC 6793 4.2.2: confederation segments stay out. */
		if (type == BGP_ASPATH_CONFED_SEQUENCE ||
		    type == BGP_ASPATH_CONFED_SET) {
			(void)buf_skip(&r, (size_t)cnt * 4);
			continue;
		}
		buf_put_u8(b, type);
		buf_put_u8(b, cnt);
		for (i = 0; i < cnt; i++) {
			(void)buf_get_u32(&r, &asn);
			buf_put_u32(b, asn);
		}
	}
	return buf_error(b) ? -1 : 0;
}

static int
enc_as4aggregator(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)nh;
	if (ctx->as4 || !bgp_attrs_has(a, BGP_ATTR_AGGREGATOR) ||
	    a->aggregator_as <= UINT16_MAX)
		return 0;
	if (attr_put_hdr(b, OPT_TRANS, BGP_ATTR_AS4_AGGREGATOR, 8) == -1)
		return -1;
	buf_put_u32(b, a->aggregator_as);
	return buf_put(b, &a->aggregator_addr, 4);
}

static int
enc_large_communities(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)ctx;
	(void)nh;
	return put_list_attr(b, OPT_TRANS, BGP_ATTR_LARGE_COMMUNITIES,
	    &a->large_communities, 12);
}

static int
enc_otc(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	(void)ctx;
	(void)nh;
	return put_u32_attr(b, OPT_TRANS, BGP_ATTR_OTC, a->otc);
}

/* ------------------------------------------------------------------ */
/* The table                                                            */

/*
 * malformed is the RFC 7606 outcome for a value or length error and for
 * Optional/Transitive bits that conflict with the type (3.c), cited per
 * attribute. MP_REACH_NLRI and MP_UNREACH_NLRI have no encoder here:
 * bgp_update.c writes them around the NLRI.
 */
static const struct attr_desc attr_table[256] = {
	[BGP_ATTR_ORIGIN] = {
		.name = "ORIGIN", .flags = WELL_KNOWN,
		.len_rule = ATTR_LEN_FIXED, .len_arg = 1,
		.malformed = ATTR_ACT_WITHDRAW,		/* 7606 7.1 */
		.decode = dec_origin, .encode = enc_origin,
	},
	[BGP_ATTR_AS_PATH] = {
		.name = "AS_PATH", .flags = WELL_KNOWN,
		.len_rule = ATTR_LEN_ANY,
		.malformed = ATTR_ACT_WITHDRAW,		/* 7606 7.2 */
		.decode = dec_aspath, .encode = enc_aspath,
	},
	[BGP_ATTR_NEXT_HOP] = {
		.name = "NEXT_HOP", .flags = WELL_KNOWN,
		.len_rule = ATTR_LEN_FIXED, .len_arg = 4,
		.malformed = ATTR_ACT_WITHDRAW,		/* 7606 7.3 */
		.decode = dec_nexthop, .encode = enc_nexthop,
	},
	[BGP_ATTR_MED] = {
		.name = "MULTI_EXIT_DISC", .flags = OPT_NONTRANS,
		.len_rule = ATTR_LEN_FIXED, .len_arg = 4,
		.malformed = ATTR_ACT_WITHDRAW,		/* 7606 7.4 */
		.decode = dec_med, .encode = enc_med,
	},
	[BGP_ATTR_LOCAL_PREF] = {
		.name = "LOCAL_PREF", .flags = WELL_KNOWN,
		.len_rule = ATTR_LEN_FIXED, .len_arg = 4,
		.malformed = ATTR_ACT_WITHDRAW,		/* 7606 7.5 */
		.ibgp_only = true,
		.decode = dec_local_pref, .encode = enc_local_pref,
	},
	[BGP_ATTR_ATOMIC_AGGREGATE] = {
		.name = "ATOMIC_AGGREGATE", .flags = WELL_KNOWN,
		.len_rule = ATTR_LEN_FIXED, .len_arg = 0,
		.malformed = ATTR_ACT_DISCARD,		/* 7606 3.f, 7.6 */
		.decode = dec_atomic_aggregate, .encode = enc_atomic_aggregate,
	},
	[BGP_ATTR_AGGREGATOR] = {
		.name = "AGGREGATOR", .flags = OPT_TRANS,
		.len_rule = ATTR_LEN_AGGREGATOR,
		.malformed = ATTR_ACT_DISCARD,		/* 7606 3.f, 7.7 */
		.decode = dec_aggregator, .encode = enc_aggregator,
	},
	[BGP_ATTR_COMMUNITIES] = {
		.name = "COMMUNITIES", .flags = OPT_TRANS,
		.len_rule = ATTR_LEN_MULTIPLE, .len_arg = 4,
		.malformed = ATTR_ACT_WITHDRAW,		/* 7606 7.8 */
		.decode = dec_communities, .encode = enc_communities,
	},
	[BGP_ATTR_ORIGINATOR_ID] = {
		.name = "ORIGINATOR_ID", .flags = OPT_NONTRANS,
		.len_rule = ATTR_LEN_FIXED, .len_arg = 4,
		.malformed = ATTR_ACT_WITHDRAW,		/* 7606 7.9 */
		.ibgp_only = true,
		.decode = dec_originator_id, .encode = enc_originator_id,
	},
	[BGP_ATTR_CLUSTER_LIST] = {
		.name = "CLUSTER_LIST", .flags = OPT_NONTRANS,
		.len_rule = ATTR_LEN_MULTIPLE, .len_arg = 4,
		.malformed = ATTR_ACT_WITHDRAW,		/* 7606 7.10 */
		.ibgp_only = true,
		.decode = dec_cluster_list, .encode = enc_cluster_list,
	},
	[BGP_ATTR_MP_REACH_NLRI] = {
		.name = "MP_REACH_NLRI", .flags = OPT_NONTRANS,
		.len_rule = ATTR_LEN_MIN, .len_arg = 5,	/* 7606 5.3 */
		.malformed = ATTR_ACT_RESET,		/* 7606 3.j, 7.11 */
		.decode = dec_mp_reach,
	},
	[BGP_ATTR_MP_UNREACH_NLRI] = {
		.name = "MP_UNREACH_NLRI", .flags = OPT_NONTRANS,
		.len_rule = ATTR_LEN_MIN, .len_arg = 3,	/* 7606 5.3 */
		.malformed = ATTR_ACT_RESET,		/* 7606 3.j, 7.12 */
		.decode = dec_mp_unreach,
	},
	[BGP_ATTR_EXT_COMMUNITIES] = {
		.name = "EXTENDED_COMMUNITIES", .flags = OPT_TRANS,
		.len_rule = ATTR_LEN_MULTIPLE, .len_arg = 8,
		.malformed = ATTR_ACT_WITHDRAW,		/* 7606 7.14 */
		.decode = dec_ext_communities, .encode = enc_ext_communities,
	},
	[BGP_ATTR_AS4_PATH] = {
		.name = "AS4_PATH", .flags = OPT_TRANS,
		.len_rule = ATTR_LEN_MIN, .len_arg = 2,	/* 7606 4 */
		.malformed = ATTR_ACT_DISCARD,		/* 6793 6 */
		.as2_only = true,
		.decode = dec_as4path, .encode = enc_as4path,
	},
	[BGP_ATTR_AS4_AGGREGATOR] = {
		.name = "AS4_AGGREGATOR", .flags = OPT_TRANS,
		.len_rule = ATTR_LEN_FIXED, .len_arg = 8,
		.malformed = ATTR_ACT_DISCARD,		/* 6793 6 */
		.as2_only = true,
		.decode = dec_as4aggregator, .encode = enc_as4aggregator,
	},
	[BGP_ATTR_LARGE_COMMUNITIES] = {
		.name = "LARGE_COMMUNITY", .flags = OPT_TRANS,
		.len_rule = ATTR_LEN_MULTIPLE, .len_arg = 12,
		.malformed = ATTR_ACT_WITHDRAW,		/* 8092 6 */
		.decode = dec_large_communities,
		.encode = enc_large_communities,
	},
	[BGP_ATTR_OTC] = {
		.name = "OTC", .flags = OPT_TRANS,
		.len_rule = ATTR_LEN_FIXED, .len_arg = 4,
		.malformed = ATTR_ACT_WITHDRAW,		/* 9234 5 */
		.decode = dec_otc, .encode = enc_otc,
	},
};

static_assert(nitems(attr_table) == 256, "one entry per type code");

static bool
attr_len_ok(const struct attr_desc *d, const struct attr_parse *p,
    size_t len)
{
	switch ((enum attr_len)d->len_rule) {
	case ATTR_LEN_ANY:
		return true;
	case ATTR_LEN_FIXED:
		return len == d->len_arg;
	case ATTR_LEN_MULTIPLE:
		return len > 0 && len % d->len_arg == 0;
	case ATTR_LEN_MIN:
		return len >= d->len_arg;
	case ATTR_LEN_AGGREGATOR:
		return len == (p->ctx->as4 ? 8u : 6u);	/* 7606 7.7 */
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* RFC 7606 outcomes                                                    */

/* Every RFC 7606 outcome of a decode goes through here. */
int
attr_outcome(struct attr_parse *p, enum attr_action act, uint8_t subcode,
    uint8_t type, const uint8_t *data, size_t len)
{
	struct bgp_update *u = p->u;

	switch (act) {
	case ATTR_ACT_NONE:
		return 0;
	case ATTR_ACT_RESET:
		/* RFC 4271 6.3: the data is the erroneous attribute. */
		return bgp_err_set_view(p->err, BGP_ERR_UPDATE, subcode,
		    data, len);
	case ATTR_ACT_WITHDRAW:
		/* RFC 7606 3.h: treat-as-withdraw outranks discards. */
		u->outcome = BGP_UPDATE_TREAT_AS_WITHDRAW;
		if (!p->have_taw) {
			p->have_taw = true;
			p->taw_subcode = subcode;
			p->taw_data = data;
			p->taw_len = len;
		}
		break;
	case ATTR_ACT_DISCARD:
		bitmap_set(u->discarded, type);
		break;
	}
	if (u->err_subcode == 0) {
		u->err_subcode = subcode;
		u->err_attr = type;
	}
	return 0;
}

static void
attr_keep_unknown(struct bgp_attrs *a, uint8_t flags, uint8_t type,
    struct buf *v)
{
	struct bgp_attr_raw *r;

	bgp_attrs_set(a, type);
	if (a->n_unknown >= BGP_ATTRS_UNKNOWN_MAX) {
		a->unknown_truncated = true;
		return;
	}
	r = &a->unknown[a->n_unknown++];
	r->flags = flags;
	r->type = type;
	view_rest(v, &r->value);
}

/* One attribute: repeats, unknown types, session rules, flags, length,
 * value, in that order; the first failing check decides the outcome. */
int
attr_decode(struct attr_parse *p, uint8_t flags, uint8_t type,
    const uint8_t *raw, size_t rawlen, struct buf *value)
{
	const struct attr_desc	*d = &attr_table[type];
	enum attr_action	 act;
	int			 sub;

	if (bitmap_has(p->seen, type)) {
		/* RFC 7606 3.g: a repeated MP attribute is fatal... */
		if (type == BGP_ATTR_MP_REACH_NLRI ||
		    type == BGP_ATTR_MP_UNREACH_NLRI)
			return bgp_err_set(p->err, BGP_ERR_UPDATE,
			    BGP_ERR_UPD_MALFORMED_ATTR_LIST);
		/* ...any other repeat is dropped, the first one stands. */
		return attr_outcome(p, ATTR_ACT_DISCARD,
		    BGP_ERR_UPD_MALFORMED_ATTR_LIST, type, raw, rawlen);
	}
	bitmap_set(p->seen, type);

	if (d->name == NULL) {
		/* RFC 4271 6.3: an unrecognised well-known attribute. */
		if ((flags & F_OPT) == 0)
			return bgp_err_set_view(p->err, BGP_ERR_UPDATE,
			    BGP_ERR_UPD_UNKNOWN_WELLKNOWN, raw, rawlen);
		/* RFC 4271 5: kept, for whoever propagates it. */
		attr_keep_unknown(&p->u->attrs, flags, type, value);
		return 0;
	}

	/* RFC 7606 7.5, 7.9, 7.10: meaningless from an external peer. */
	if (d->ibgp_only && p->ctx->ebgp)
		return attr_outcome(p, ATTR_ACT_DISCARD, (d->flags & F_OPT) ?
		    BGP_ERR_UPD_OPTIONAL_ATTR : BGP_ERR_UPD_MALFORMED_ATTR_LIST,
		    type, raw, rawlen);
	/* RFC 6793 4.1: AS4_* between two 4-octet speakers. */
	if (d->as2_only && p->ctx->as4)
		return attr_outcome(p, ATTR_ACT_DISCARD,
		    BGP_ERR_UPD_OPTIONAL_ATTR, type, raw, rawlen);

	act = d->malformed;
	/*
	 * RFC 4760 3: NEXT_HOP in an UPDATE without an NLRI field is
	 * ignored, so an error in it withdraws nothing.
	 */
	if (type == BGP_ATTR_NEXT_HOP && !p->nlri_field)
		act = ATTR_ACT_DISCARD;

	/*
	 * RFC 7606 3.c: Optional or Transitive bits that conflict with the
	 * type. The Partial and Extended Length bits are not checked: 3.c
	 * replaced the RFC 4271 rule, and an attribute may use the extended
	 * length for a short value. For MP attributes 5.3 makes this a
	 * malformed attribute, hence a reset (3.j).
	 */
	if (((flags ^ d->flags) & F_OT) != 0)
		return attr_outcome(p, act, act == ATTR_ACT_RESET ?
		    BGP_ERR_UPD_OPTIONAL_ATTR : BGP_ERR_UPD_ATTR_FLAGS,
		    type, raw, rawlen);
	/* RFC 7606 4 (zero length), and each attribute's own rule. */
	if (!attr_len_ok(d, p, buf_left(value)))
		return attr_outcome(p, act, act == ATTR_ACT_RESET ?
		    BGP_ERR_UPD_OPTIONAL_ATTR : BGP_ERR_UPD_ATTR_LEN,
		    type, raw, rawlen);
	if ((sub = d->decode(p, value)) != 0)
		return attr_outcome(p, act, (uint8_t)sub, type, raw, rawlen);
	bgp_attrs_set(&p->u->attrs, type);
	return 0;
}

/* Checks that need the whole attribute section. */
int
attr_finish(struct attr_parse *p)
{
	struct bgp_update *u = p->u;
	const struct bgp_attrs *a = &u->attrs;
	uint8_t		 missing[4];
	size_t		 n = 0, i;
	bool		 reach;

	reach = p->nlri_field || bgp_attrs_has(a, BGP_ATTR_MP_REACH_NLRI);
	if (reach) {
		/*
		 * RFC 7606 3.d: a missing well-known mandatory attribute.
		 * NEXT_HOP only goes with the NLRI field (RFC 4760 3), and
		 * LOCAL_PREF is mandatory only from internal peers (RFC
		 * 4271 5.1.5). One that was present but malformed has
		 * already been handled.
		 */
		missing[n++] = BGP_ATTR_ORIGIN;
		missing[n++] = BGP_ATTR_AS_PATH;
		if (p->nlri_field)
			missing[n++] = BGP_ATTR_NEXT_HOP;
		if (!p->ctx->ebgp)
			missing[n++] = BGP_ATTR_LOCAL_PREF;
		for (i = 0; i < n; i++)
			if (!bitmap_has(p->seen, missing[i]))
				(void)attr_outcome(p, ATTR_ACT_WITHDRAW,
				    BGP_ERR_UPD_MISSING_WELLKNOWN, missing[i],
				    NULL, 0);
	}
	/*
	 * RFC 7606 5.2: with no reachable NLRI we cannot be sure the NLRI
	 * was parsed correctly, so anything stronger than a discard
	 * becomes a reset, with the first treat-as-withdraw cause.
	 */
	if (u->outcome == BGP_UPDATE_TREAT_AS_WITHDRAW && !reach)
		return bgp_err_set_view(p->err, BGP_ERR_UPDATE, p->taw_subcode,
		    p->taw_data, p->taw_len);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                             */

static int
attr_put_unknown(struct buf *b, const struct bgp_attr_raw *r)
{
	if (attr_put_hdr(b, r->flags, r->type, r->value.len) == -1)
		return -1;
	return buf_put(b, r->value.data, r->value.len);
}

/* Writes whatever a holds for type code t (nothing if it holds none). */
static int
attr_put_type(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh, unsigned int t)
{
	const struct attr_desc	*d = &attr_table[t];
	unsigned int		 i;

	if (d->encode != NULL) {
		/* NEXT_HOP and the AS4_* pair decide for themselves. */
		if (t == BGP_ATTR_NEXT_HOP || t == BGP_ATTR_AS4_PATH ||
		    t == BGP_ATTR_AS4_AGGREGATOR || bgp_attrs_has(a, (uint8_t)t))
			return d->encode(b, a, ctx, nh);
		return 0;
	}
	/* Kept attributes go out as they came, in type order. */
	if (d->name != NULL)
		return 0;
	for (i = 0; i < a->n_unknown && i < BGP_ATTRS_UNKNOWN_MAX; i++)
		if (a->unknown[i].type == t &&
		    attr_put_unknown(b, &a->unknown[i]) == -1)
			return -1;
	return 0;
}

/*
 * The table's encoders and the kept unknown attributes, by type code.
 * Only the codes that can produce output are visited: those present, the
 * ones that decide for themselves, and the kept unknown ones.
 */
int
attr_put_all(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx, enum attr_nexthop nh)
{
	uint64_t	 visit[4], bits;
	unsigned int	 t, i, w;

	memcpy(visit, a->present, sizeof(visit));
	visit[BGP_ATTR_NEXT_HOP >> 6] |= (uint64_t)1 << (BGP_ATTR_NEXT_HOP & 63);
	visit[BGP_ATTR_AS4_PATH >> 6] |= (uint64_t)1 << (BGP_ATTR_AS4_PATH & 63);
	visit[BGP_ATTR_AS4_AGGREGATOR >> 6] |=
	    (uint64_t)1 << (BGP_ATTR_AS4_AGGREGATOR & 63);
	for (i = 0; i < a->n_unknown && i < BGP_ATTRS_UNKNOWN_MAX; i++)
		visit[a->unknown[i].type >> 6] |=
		    (uint64_t)1 << (a->unknown[i].type & 63);
	for (w = 0; w < nitems(visit); w++) {
		for (bits = visit[w]; bits != 0; bits &= bits - 1) {
			t = w * 64 + (unsigned int)__builtin_ctzll(bits);
			if (t < nitems(attr_table) &&
			    attr_put_type(b, a, ctx, nh, t) == -1)
				return -1;
		}
	}
	return buf_error(b) ? -1 : 0;
}

/*
 * Writes a's attributes other than MP_REACH/MP_UNREACH in type-code order.
 * Unrecognised attributes kept by the decoder are written as received;
 * whoever propagates them applies RFC 4271 5 (drop the non-transitive,
 * set Partial on the transitive) before calling.
 */
int
bgp_attrs_put(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_encode_ctx *ctx)
{
	return attr_put_all(b, a, ctx, ATTR_NH_AS_GIVEN);
}
