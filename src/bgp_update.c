/*
 * UPDATE messages (RFC 4271 4.3, RFC 4760, RFC 7606, RFC 7911): framing
 * of the withdrawn routes, path attribute and NLRI fields, the walk over
 * the attribute section (each attribute is handed to bgp_attr.c), NLRI
 * validation and iteration, End-of-RIB detection (RFC 4724 2), the AS
 * path rebuilt from a 2-octet AS_PATH and AS4_PATH (RFC 6793 4.2.3), and
 * the packers that fill UPDATEs for the sending side.
 *
 * Every NLRI field is validated in one tight pass when the message is
 * decoded, so that bgp_nlri_next() afterwards only copies. The only
 * allocation is the widened AS path of a 2-octet session. Nothing here
 * logs or keeps state between calls.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "bgp_attr.h"
#include "buf.h"
#include "util.h"

#define AID_MAXBITS(aid)	((aid) == BGP_AID_IPV4 ? 32u : 128u)

/* ------------------------------------------------------------------ */
/* NLRI                                                                 */

/* Tight on purpose: this runs once per prefix received. */
int
nlri_validate(const struct bgp_bytes *v, enum bgp_aid aid, bool addpath)
{
	struct buf	 b;
	unsigned int	 maxbits;
	uint8_t		 plen;

	if (v->len == 0)
		return 0;
	if (aid >= BGP_AID_MAX)
		return -1;
	maxbits = AID_MAXBITS(aid);
	buf_view(&b, v->data, v->len);
	/* RFC 7606 5.3: every length in range, and no overrun. */
	if (addpath) {
		while (buf_left(&b) > 0) {
			if (buf_skip(&b, 4) == -1 ||	/* RFC 7911 3 */
			    buf_get_u8(&b, &plen) == -1 || plen > maxbits ||
			    buf_skip(&b, (plen + 7u) / 8) == -1)
				return -1;
		}
	} else {
		while (buf_left(&b) > 0) {
			(void)buf_get_u8(&b, &plen);
			if (plen > maxbits ||
			    buf_skip(&b, (plen + 7u) / 8) == -1)
				return -1;
		}
	}
	return 0;
}

/* On -1 the read position is left where it was. */
int
bgp_nlri_next(struct buf *b, enum bgp_aid aid, bool addpath,
    struct bgp_prefix *p)
{
	size_t		 rpos = b->rpos;
	unsigned int	 n, i;
	uint8_t		 plen;

	if (buf_left(b) == 0)
		return 0;
	if (aid >= BGP_AID_MAX)
		return -1;
	p->aid = aid;
	p->path_id = 0;
	if (addpath && buf_get_u32(b, &p->path_id) == -1)
		goto bad;
	if (buf_get_u8(b, &plen) == -1 || plen > AID_MAXBITS(aid))
		goto bad;
	n = (plen + 7u) / 8;
	if (buf_left(b) < n)
		goto bad;
	/* Octet by octet: inline, and cheaper than a call for 0-16. */
	memset(p->addr, 0, sizeof(p->addr));
	for (i = 0; i < n; i++)
		(void)buf_get_u8(b, &p->addr[i]);
	/* RFC 4271 4.3: trailing bits are irrelevant; keep them zero. */
	if (plen % 8 != 0)
		p->addr[n - 1] &= (uint8_t)(0xff00u >> (plen % 8));
	p->len = plen;
	return 1;
bad:
	b->rpos = rpos;
	return -1;
}

/* RFC 4271 4.3: a length octet and the octets the length covers. */
size_t
bgp_prefix_wire_len(const struct bgp_prefix *p, bool addpath)
{
	return (addpath ? 4 : 0) + 1 + (p->len + 7u) / 8;
}

/* Writes one prefix in NLRI form; -1 for a length its family lacks.
 * One reservation per prefix: this is the packer's inner loop. */
static int
nlri_put(struct buf *b, const struct bgp_prefix *p, bool addpath)
{
	unsigned int	 n, i = 0;
	uint8_t		*d;

	if (p->aid >= BGP_AID_MAX || p->len > AID_MAXBITS(p->aid))
		return -1;
	n = (p->len + 7u) / 8;
	if ((d = buf_reserve(b, (addpath ? 4 : 0) + 1 + n)) == NULL)
		return -1;
	if (addpath) {				/* RFC 7911 3 */
		d[i++] = p->path_id >> 24;
		d[i++] = (p->path_id >> 16) & 0xff;
		d[i++] = (p->path_id >> 8) & 0xff;
		d[i++] = p->path_id & 0xff;
	}
	d[i++] = p->len;
	memcpy(d + i, p->addr, n);
	if (p->len % 8 != 0)
		d[i + n - 1] &= (uint8_t)(0xff00u >> (p->len % 8));
	return 0;
}

/* ------------------------------------------------------------------ */
/* AS paths                                                             */

/* The iterator borrows a's path. */
void
bgp_aspath_iter_init(struct bgp_aspath_iter *it, const struct bgp_attrs *a)
{
	buf_view(&it->b, a->aspath.data, a->aspath.len);
	it->seg_type = 0;
	it->seg_left = 0;
}

/* Stops early, as at the end, on a path that is cut short. */
int
bgp_aspath_next(struct bgp_aspath_iter *it, uint32_t *asn, uint8_t *seg_type)
{
	while (it->seg_left == 0) {
		if (buf_get_u8(&it->b, &it->seg_type) == -1 ||
		    buf_get_u8(&it->b, &it->seg_left) == -1)
			return 0;
	}
	if (buf_get_u32(&it->b, asn) == -1) {
		it->seg_left = 0;
		return 0;
	}
	it->seg_left--;
	if (seg_type != NULL)
		*seg_type = it->seg_type;
	return 1;
}

/* The length that route selection compares. */
unsigned int
bgp_aspath_length(const struct bgp_attrs *a)
{
	struct buf	 b;
	uint8_t		 type, cnt;
	unsigned int	 n = 0;

	buf_view(&b, a->aspath.data, a->aspath.len);
	while (buf_get_u8(&b, &type) == 0 && buf_get_u8(&b, &cnt) == 0) {
		/* RFC 4271 9.1.2.2 a; RFC 5065 5.3 for confederations. */
		if (type == BGP_ASPATH_SEQUENCE)
			n += cnt;
		else if (type == BGP_ASPATH_SET)
			n++;
		if (buf_skip(&b, (size_t)cnt * 4) == -1)
			break;
	}
	return n;
}

static bool
seg_is_confed(uint8_t type)
{
	return type == BGP_ASPATH_CONFED_SEQUENCE ||
	    type == BGP_ASPATH_CONFED_SET;
}

/* Copies cnt ASNs of size asn_size from r to w as 4-octet ASNs. */
static void
asns_copy(struct buf *r, struct buf *w, size_t asn_size, unsigned int cnt)
{
	uint32_t	 as4 = 0;
	uint16_t	 as2 = 0;
	unsigned int	 i;

	for (i = 0; i < cnt; i++) {
		if (asn_size == 2) {
			(void)buf_get_u16(r, &as2);
			as4 = as2;
		} else
			(void)buf_get_u32(r, &as4);
		buf_put_u32(w, as4);
	}
}

/*
 * Builds the 4-octet AS path of a 2-octet session into memory u owns:
 * the AS_PATH widened, with AS4_PATH merged in when as4path is not NULL
 * (RFC 6793 4.2.3). Both inputs were validated by bgp_attr.c.
 */
static void
aspath_rebuild(struct bgp_update *u, const struct bgp_bytes *as2path,
    const struct bgp_bytes *as4path)
{
	struct buf	 r, w;
	size_t		 cap, last_seq = SIZE_MAX;
	unsigned int	 n2, n4 = 0, need, take;
	uint8_t		 type, cnt, last_cnt = 0;

	if (as2path->len == 0)
		return;
	(void)aspath_validate(as2path->data, as2path->len, 2, &n2);
	if (as4path != NULL) {
		(void)aspath_validate(as4path->data, as4path->len, 4, &n4);
		/* RFC 6793 4.2.3: an AS4_PATH longer than AS_PATH is ignored. */
		if (n2 < n4)
			as4path = NULL;
	}
	need = as4path != NULL ? n2 - n4 : UINT32_MAX;

	/* Each 2-octet ASN doubles; AS4_PATH is copied at most whole. */
	cap = as2path->len * 2 + (as4path != NULL ? as4path->len : 0);
	u->aspath_owned = xmalloc(cap);
	buf_init(&w, u->aspath_owned, cap);

	/*
	 * RFC 6793 4.2.3: as many leading ASNs and segments of AS_PATH as
	 * make up the difference, then AS4_PATH. A confederation segment
	 * goes along if it leads or is next to one that was taken: the
	 * walk stops only at an AS_SET or AS_SEQUENCE once nothing more
	 * is needed, so every confederation segment it reaches qualifies.
	 */
	buf_view(&r, as2path->data, as2path->len);
	while (buf_get_u8(&r, &type) == 0 && buf_get_u8(&r, &cnt) == 0) {
		if (seg_is_confed(type)) {
			buf_put_u8(&w, type);
			buf_put_u8(&w, cnt);
			asns_copy(&r, &w, 2, cnt);
			last_seq = SIZE_MAX;
		} else {
			if (need == 0)
				break;
			if (type == BGP_ASPATH_SET) {
				take = cnt;		/* counts as one */
				need--;
			} else {
				take = cnt < need ? cnt : need;
				need -= take;
			}
			last_seq = type == BGP_ASPATH_SEQUENCE ?
			    buf_len(&w) : SIZE_MAX;
			last_cnt = (uint8_t)take;
			buf_put_u8(&w, type);
			buf_put_u8(&w, (uint8_t)take);
			asns_copy(&r, &w, 2, take);
			(void)buf_skip(&r, (size_t)(cnt - take) * 2);
		}
	}

	if (as4path != NULL) {
		buf_view(&r, as4path->data, as4path->len);
		while (buf_get_u8(&r, &type) == 0 && buf_get_u8(&r, &cnt) == 0) {
			/* RFC 6793 6: confederation segments are dropped. */
			if (seg_is_confed(type)) {
				(void)buf_skip(&r, (size_t)cnt * 4);
				continue;
			}
			/* Join a sequence split between the two attributes. */
			if (type == BGP_ASPATH_SEQUENCE && last_seq != SIZE_MAX &&
			    last_cnt + cnt <= UINT8_MAX)
				(void)buf_set_u8(&w, last_seq + 1,
				    (uint8_t)(last_cnt + cnt));
			else {
				buf_put_u8(&w, type);
				buf_put_u8(&w, cnt);
			}
			asns_copy(&r, &w, 4, cnt);
			last_seq = SIZE_MAX;
		}
	}
	u->attrs.aspath.data = u->aspath_owned;
	u->attrs.aspath.len = buf_len(&w);
}

/*
 * RFC 6793 4.2.3 on a 2-octet session: picks the aggregator and decides
 * whether AS4_PATH takes part, then rebuilds the path. The AS4_*
 * attributes are folded in and not reported as present.
 */
static void
update_as4_merge(struct attr_parse *p)
{
	struct bgp_attrs *a = &p->u->attrs;
	bool		 use_as4path = p->has_as4path;

	if (p->has_as4aggr && bgp_attrs_has(a, BGP_ATTR_AGGREGATOR)) {
		if (p->aggr_as2 != BGP_AS_TRANS)
			/* An OLD speaker aggregated: AS4_* are stale. */
			use_as4path = false;
		else {
			a->aggregator_as = p->as4aggr_as;
			a->aggregator_addr = p->as4aggr_addr;
		}
	}
	a->present[BGP_ATTR_AS4_PATH >> 6] &=
	    ~((uint64_t)1 << (BGP_ATTR_AS4_PATH & 63));
	a->present[BGP_ATTR_AS4_AGGREGATOR >> 6] &=
	    ~((uint64_t)1 << (BGP_ATTR_AS4_AGGREGATOR & 63));
	if (p->has_as2path)
		aspath_rebuild(p->u, &p->as2path,
		    use_as4path ? &p->as4path : NULL);
}

/* ------------------------------------------------------------------ */
/* Decoding                                                             */

/*
 * RFC 7606 4: an attribute header or length that does not fit what is
 * left of the attribute section. The Total Path Attribute Length still
 * locates the NLRI, so this is treat-as-withdraw, unless the attribute
 * is MP_REACH/MP_UNREACH, whose NLRI would be lost (3.j). An MP
 * attribute hidden behind the break is not considered: senders put them
 * first and never with an NLRI field (5.1), and with neither an NLRI
 * field nor MP_REACH seen, 5.2 resets anyway (attr_finish()).
 */
static int
update_attr_overrun(struct attr_parse *p, struct buf *sect)
{
	const uint8_t	*start = buf_ptr(sect);
	size_t		 left = buf_left(sect);
	uint8_t		 flags, type = 0;

	if (buf_get_u8(sect, &flags) == 0 && buf_get_u8(sect, &type) == 0 &&
	    (type == BGP_ATTR_MP_REACH_NLRI ||
	    type == BGP_ATTR_MP_UNREACH_NLRI))
		return attr_outcome(p, ATTR_ACT_RESET,
		    BGP_ERR_UPD_OPTIONAL_ATTR, type, start, left);
	return attr_outcome(p, ATTR_ACT_WITHDRAW,
	    BGP_ERR_UPD_MALFORMED_ATTR_LIST, type, start, left);
}

static int
update_walk_attrs(struct attr_parse *p, struct buf *sect)
{
	struct buf	 hdr, value;
	const uint8_t	*start;
	size_t		 hlen;
	uint16_t	 alen;
	uint8_t		 flags, type, len8;

	while (buf_left(sect) > 0) {
		start = buf_ptr(sect);
		buf_view(&hdr, start, buf_left(sect));
		/* RFC 7606 4: fewer than 3 (or 4) octets left. */
		if (buf_get_u8(&hdr, &flags) == -1 ||
		    buf_get_u8(&hdr, &type) == -1)
			return update_attr_overrun(p, sect);
		if (flags & BGP_ATTR_FLAG_EXTLEN) {
			if (buf_get_u16(&hdr, &alen) == -1)
				return update_attr_overrun(p, sect);
			hlen = 4;
		} else {
			if (buf_get_u8(&hdr, &len8) == -1)
				return update_attr_overrun(p, sect);
			alen = len8;
			hlen = 3;
		}
		/* RFC 7606 4: the value runs past the section. */
		if (buf_get_sub(&hdr, alen, &value) == -1)
			return update_attr_overrun(p, sect);
		(void)buf_skip(sect, hlen + alen);
		p->n_attrs++;
		if (attr_decode(p, flags, type, start, hlen + alen,
		    &value) == -1)
			return -1;
	}
	return 0;
}

static void
update_detect_eor(struct bgp_update *u, size_t attrlen, unsigned int n_attrs)
{
	const struct bgp_attrs *a = &u->attrs;

	if (u->withdrawn.len != 0 || u->nlri.len != 0 ||
	    u->outcome != BGP_UPDATE_OK)
		return;
	/* RFC 4724 2: IPv4 unicast is the empty UPDATE... */
	if (attrlen == 0) {
		u->eor = true;
		u->eor_aid = BGP_AID_IPV4;
		return;
	}
	/* ...others an UPDATE with just an empty MP_UNREACH_NLRI. Families
	 * we do not decode have no End-of-RIB to report. */
	if (n_attrs == 1 && bgp_attrs_has(a, BGP_ATTR_MP_UNREACH_NLRI) &&
	    a->mp_unreach_aid < BGP_AID_MAX && a->mp_unreach_nlri.len == 0) {
		u->eor = true;
		u->eor_aid = a->mp_unreach_aid;
	}
}

/*
 * Order of checks: the framing of the three fields (RFC 7606 3.b), the
 * two IPv4 NLRI fields (3.i, 5.3), then the attributes, each of which
 * may end the decode with a reset; the strongest outcome wins (3.h).
 * On -1 nothing is left to free.
 */
int
bgp_msg_get_update(struct buf *b, const struct bgp_decode_ctx *ctx,
    struct bgp_update *u, struct bgp_err *err)
{
	static const struct bgp_decode_ctx noctx;
	struct attr_parse p;
	struct buf	 wd, attrs, nlri;
	uint16_t	 wlen, alen;

	memset(u, 0, sizeof(*u));
	u->attrs.mp_reach_aid = BGP_AID_MAX;
	u->attrs.mp_unreach_aid = BGP_AID_MAX;
	if (ctx == NULL)
		ctx = &noctx;

	/* RFC 4271 6.3, RFC 7606 3.b: lengths beyond the message. */
	if (buf_get_u16(b, &wlen) == -1 || buf_get_sub(b, wlen, &wd) == -1 ||
	    buf_get_u16(b, &alen) == -1 || buf_get_sub(b, alen, &attrs) == -1)
		return bgp_err_set(err, BGP_ERR_UPDATE,
		    BGP_ERR_UPD_MALFORMED_ATTR_LIST);
	(void)buf_get_sub(b, buf_left(b), &nlri);

	u->withdrawn.data = buf_left(&wd) > 0 ? buf_ptr(&wd) : NULL;
	u->withdrawn.len = buf_left(&wd);
	u->nlri.data = buf_left(&nlri) > 0 ? buf_ptr(&nlri) : NULL;
	u->nlri.len = buf_left(&nlri);
	/* RFC 7606 3.i, 3.j, 5.3; RFC 4271 6.3 Invalid Network Field. */
	if (nlri_validate(&u->withdrawn, BGP_AID_IPV4,
	    ctx->addpath_recv[BGP_AID_IPV4]) == -1 ||
	    nlri_validate(&u->nlri, BGP_AID_IPV4,
	    ctx->addpath_recv[BGP_AID_IPV4]) == -1)
		return bgp_err_set(err, BGP_ERR_UPDATE,
		    BGP_ERR_UPD_BAD_NETWORK);

	memset(&p, 0, sizeof(p));
	p.ctx = ctx;
	p.u = u;
	p.err = err;
	p.nlri_field = u->nlri.len > 0;
	if (update_walk_attrs(&p, &attrs) == -1)
		return -1;
	if (!ctx->as4)
		update_as4_merge(&p);
	if (attr_finish(&p) == -1) {
		bgp_update_free(u);
		return -1;
	}
	update_detect_eor(u, alen, p.n_attrs);
	return 0;
}

/* Frees the widened AS path, if any; u may be decoded into again. */
void
bgp_update_free(struct bgp_update *u)
{
	if (u == NULL)
		return;
	if (u->aspath_owned != NULL &&
	    u->attrs.aspath.data == u->aspath_owned) {
		u->attrs.aspath.data = NULL;
		u->attrs.aspath.len = 0;
	}
	free(u->aspath_owned);
	u->aspath_owned = NULL;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                             */

/* A family that bgp_aid_* can name; the packers take no other. */
static bool
aid_ok(uint8_t aid)
{
	return aid < BGP_AID_MAX;
}

/*
 * How many of pfx[0..n), up to the first of another family, fit in room
 * octets. With mp they go into an MP attribute whose value already holds
 * value octets, and whose header grows from 3 to 4 octets once the value
 * passes 255; the count is the largest that fits, header included.
 */
static size_t
pack_count(const struct bgp_prefix *pfx, size_t n, bool addpath,
    size_t room, bool mp, size_t value)
{
	size_t	 i, w, hdr;

	for (i = 0; i < n; i++) {
		if (pfx[i].aid != pfx[0].aid)
			break;		/* one family per UPDATE */
		w = bgp_prefix_wire_len(&pfx[i], addpath);
		if (mp) {
			hdr = value + w > UINT8_MAX ? 4 : 3;
			if (hdr + value + w > room)
				break;
		} else if (value + w > room)
			break;
		value += w;
	}
	return i;
}

static int
pack_fail(struct buf *b, size_t start)
{
	buf_truncate(b, start);
	return -1;
}

/*
 * IPv4 goes in the NLRI field after the attributes, with NEXT_HOP; IPv6
 * goes in MP_REACH_NLRI, written first (RFC 7606 5.1) and with no
 * NEXT_HOP attribute (RFC 4760 3). Greedy filling in order is the fewest
 * messages for a sequence that must stay in order.
 */
int
bgp_update_pack(struct buf *b, const struct bgp_attrs *a,
    const struct bgp_prefix *pfx, size_t n, const struct bgp_encode_ctx *ctx)
{
	size_t		 start = buf_len(b), off, alen_off, attrs_off, other;
	size_t		 used, count, i, nhlen, value;
	bool		 addpath, ll;
	static const uint8_t zero16[16];

	if (n == 0)
		return 0;
	if (!aid_ok(pfx[0].aid) || ctx->maxlen < BGP_UPDATE_MIN_LEN)
		return -1;
	addpath = ctx->addpath_send[pfx[0].aid];

	off = bgp_msg_put_header(b, BGP_MSG_UPDATE);
	buf_put_u16(b, 0);			/* no withdrawn routes */
	alen_off = buf_len(b);
	buf_put_u16(b, 0);
	attrs_off = buf_len(b);

	if (pfx[0].aid == BGP_AID_IPV4) {
		if (attr_put_all(b, a, ctx, ATTR_NH_ALWAYS) == -1 ||
		    buf_len(b) - attrs_off > UINT16_MAX)
			return pack_fail(b, start);
		(void)buf_set_u16(b, alen_off, buf_len(b) - attrs_off);
		used = buf_len(b) - off;
		if (used > ctx->maxlen)
			return pack_fail(b, start);
		count = pack_count(pfx, n, addpath, ctx->maxlen - used,
		    false, 0);
		for (i = 0; i < count; i++)
			if (nlri_put(b, &pfx[i], addpath) == -1)
				return pack_fail(b, start);
	} else {
		/* Measure the other attributes by writing them once. */
		if (attr_put_all(b, a, ctx, ATTR_NH_NEVER) == -1)
			return pack_fail(b, start);
		other = buf_len(b) - attrs_off;
		buf_truncate(b, attrs_off);

		ll = a->mp_nexthop_len == 32 || (a->mp_nexthop_len == 0 &&
		    memcmp(a->mp_nexthop_ll, zero16, 16) != 0);
		nhlen = ll ? 32 : 16;	/* RFC 2545 3 */
		used = (attrs_off - off) + other;
		if (used > ctx->maxlen)
			return pack_fail(b, start);
		value = 5 + nhlen;	/* AFI, SAFI, length, next hop, reserved */
		count = pack_count(pfx, n, addpath, ctx->maxlen - used,
		    true, value);
		for (i = 0; i < count; i++)
			value += bgp_prefix_wire_len(&pfx[i], addpath);

		if (attr_put_hdr(b, BGP_ATTR_FLAG_OPTIONAL,
		    BGP_ATTR_MP_REACH_NLRI, value) == -1)
			return pack_fail(b, start);
		buf_put_u16(b, bgp_aid_afi(pfx[0].aid));
		buf_put_u8(b, bgp_aid_safi(pfx[0].aid));
		buf_put_u8(b, (uint8_t)nhlen);
		buf_put(b, a->mp_nexthop, 16);
		if (ll)
			buf_put(b, a->mp_nexthop_ll, 16);
		buf_put_u8(b, 0);		/* reserved (RFC 4760 3) */
		for (i = 0; i < count; i++)
			if (nlri_put(b, &pfx[i], addpath) == -1)
				return pack_fail(b, start);
		if (attr_put_all(b, a, ctx, ATTR_NH_NEVER) == -1 ||
		    buf_len(b) - attrs_off > UINT16_MAX)
			return pack_fail(b, start);
		(void)buf_set_u16(b, alen_off, buf_len(b) - attrs_off);
	}
	if (count == 0 || bgp_msg_finish(b, off, ctx->maxlen) == -1)
		return pack_fail(b, start);
	return (int)count;
}

/* IPv4 in the withdrawn routes field; others in MP_UNREACH_NLRI. */
int
bgp_update_pack_withdraw(struct buf *b, const struct bgp_prefix *pfx,
    size_t n, const struct bgp_encode_ctx *ctx)
{
	size_t		 start = buf_len(b), off, wlen_off, count, i, value;
	bool		 addpath;

	if (n == 0)
		return 0;
	if (!aid_ok(pfx[0].aid) || ctx->maxlen < BGP_UPDATE_MIN_LEN)
		return -1;
	addpath = ctx->addpath_send[pfx[0].aid];

	off = bgp_msg_put_header(b, BGP_MSG_UPDATE);
	if (pfx[0].aid == BGP_AID_IPV4) {
		wlen_off = buf_len(b);
		buf_put_u16(b, 0);
		count = pack_count(pfx, n, addpath,
		    ctx->maxlen - BGP_UPDATE_MIN_LEN, false, 0);
		for (i = 0; i < count; i++)
			if (nlri_put(b, &pfx[i], addpath) == -1)
				return pack_fail(b, start);
		(void)buf_set_u16(b, wlen_off, buf_len(b) - wlen_off - 2);
		buf_put_u16(b, 0);		/* no attributes */
	} else {
		buf_put_u16(b, 0);		/* no withdrawn routes */
		value = 3;			/* AFI, SAFI */
		count = pack_count(pfx, n, addpath,
		    ctx->maxlen - BGP_UPDATE_MIN_LEN, true, value);
		for (i = 0; i < count; i++)
			value += bgp_prefix_wire_len(&pfx[i], addpath);
		buf_put_u16(b, (uint16_t)(value + (value > UINT8_MAX ? 4 : 3)));
		if (attr_put_hdr(b, BGP_ATTR_FLAG_OPTIONAL,
		    BGP_ATTR_MP_UNREACH_NLRI, value) == -1)
			return pack_fail(b, start);
		buf_put_u16(b, bgp_aid_afi(pfx[0].aid));
		buf_put_u8(b, bgp_aid_safi(pfx[0].aid));
		for (i = 0; i < count; i++)
			if (nlri_put(b, &pfx[i], addpath) == -1)
				return pack_fail(b, start);
	}
	if (count == 0 || bgp_msg_finish(b, off, ctx->maxlen) == -1)
		return pack_fail(b, start);
	return (int)count;
}

/* RFC 4724 2; the writer is left as it was on failure. */
int
bgp_msg_put_eor(struct buf *b, enum bgp_aid aid)
{
	size_t	 start = buf_len(b), off;

	if (!aid_ok(aid))
		return -1;
	off = bgp_msg_put_header(b, BGP_MSG_UPDATE);
	buf_put_u16(b, 0);			/* no withdrawn routes */
	if (aid == BGP_AID_IPV4)
		buf_put_u16(b, 0);		/* RFC 4724 2: nothing else */
	else {
		/* RFC 4724 2: an MP_UNREACH_NLRI with no NLRI. */
		buf_put_u16(b, 6);
		attr_put_hdr(b, BGP_ATTR_FLAG_OPTIONAL,
		    BGP_ATTR_MP_UNREACH_NLRI, 3);
		buf_put_u16(b, bgp_aid_afi(aid));
		buf_put_u8(b, bgp_aid_safi(aid));
	}
	if (bgp_msg_finish(b, off, BGP_MAX_MSG_LEN) == -1)
		return pack_fail(b, start);
	return 0;
}
