/*
 * libFuzzer harness for the BGP message codec (bgp_msg.c, bgp_attr.c,
 * bgp_update.c): the decoders, and the encoders fed with what they decoded.
 *
 * Input format:
 *
 *	byte 0	decode context, unless it is 0xff (see below):
 *		bit 0	as4		4-octet AS numbers negotiated
 *		bit 1	ebgp		RFC 7606 eBGP rules
 *		bit 2	addpath ipv4	RFC 7911 path IDs in IPv4 NLRI
 *		bit 3	addpath ipv6	RFC 7911 path IDs in IPv6 NLRI
 *		bit 4	extended	maxlen 65535 (RFC 8654), else 4096
 *		bits 5-7 unused
 *	byte 1-	a stream of BGP messages, header included, back to back
 *
 * An input whose first byte is 0xff is taken as a raw stream from its
 * first byte (that 0xff is the first marker octet) with the default
 * context: as4, eBGP, no ADD-PATH, maxlen 4096. That way captured streams
 * and other projects' corpora work as seeds unchanged, and inserting one
 * byte in front reaches every other context.
 *
 * tests/fuzz/corpus/ holds seeds in this format, each a valid stream
 * (OPEN with every decoded capability, IPv4/IPv6/ADD-PATH/extended-length
 * UPDATEs, End-of-RIB, NOTIFICATION, ROUTE-REFRESH); a reproducer of a
 * bug found here goes there too, as crash-<what>. bgp.dict holds the
 * protocol's tokens.
 *
 * Messages are decoded with bgp_msg_decode() until the stream ends or one
 * fails. Besides the sanitizers, the harness checks what bgp.h promises
 * and abort()s when a promise is broken:
 *
 *	- a successful decode consumes exactly hdr.len octets, 19 <= hdr.len
 *	  <= maxlen, and a failed one returns a NOTIFICATION code 1..7 whose
 *	  data lies in the input or in err.scratch;
 *	- bgp_nlri_next() never fails on an NLRI view of a decoded UPDATE
 *	  (withdrawn, NLRI, MP_REACH, MP_UNREACH), and hands back prefixes of
 *	  the view's family with valid lengths and host bits clear;
 *	- the AS path iterator ends within aspath.len / 4 ASNs, and
 *	  bgp_aspath_length() is no more than the number of ASNs;
 *	- OPEN, NOTIFICATION (and a shutdown communication through
 *	  bgp_msg_put_cease), KEEPALIVE and ROUTE-REFRESH re-encode and
 *	  decode again to the same values; the name functions never return
 *	  NULL for any code a peer can send;
 *	- bgp_attrs_put() of an OK UPDATE's attributes succeeds given room
 *	  (always, for a 4096-octet message), and those attributes decode
 *	  again to the same values;
 *	- the prefixes of an UPDATE, packed again with bgp_update_pack() (an
 *	  OK UPDATE's announcements, with its attributes) or
 *	  bgp_update_pack_withdraw() (any UPDATE's withdrawals), fill each
 *	  message as far as it goes and decode again to the same prefixes;
 *	  an End-of-RIB is written again with bgp_msg_put_eor().
 *
 * Each check only re-encodes what the decoder accepted, in the same
 * context, so every failure is a disagreement between an encoder and the
 * decoder or a broken promise, never a matter of policy.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/bgp.h"
#include "../../src/buf.h"

#define CTX_AS4			0x01
#define CTX_EBGP		0x02
#define CTX_ADDPATH_V4		0x04
#define CTX_ADDPATH_V6		0x08
#define CTX_EXTENDED		0x10
#define CTX_RAW			0xff

/* Big enough for any attribute set of a 65535-octet UPDATE, widened. */
#define ATTRS_WRITER_MAX	(1024 * 1024)
/* No UPDATE holds more prefixes: each takes at least one octet. */
#define PACK_MAX_PREFIXES	BGP_MAX_EXT_MSG_LEN

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t	*input_start;
static size_t		 input_len;

static struct bgp_prefix	 pack_in[PACK_MAX_PREFIXES];
static struct bgp_prefix	 pack_out[PACK_MAX_PREFIXES];

static bool
in_input(const uint8_t *p, size_t n)
{
	uintptr_t	 a = (uintptr_t)p, start = (uintptr_t)input_start;

	return a >= start && n <= input_len && a - start <= input_len - n;
}

/* The name tables take any code a peer sends; they never return NULL. */
static void
check_names(uint8_t code, uint8_t subcode)
{
	if (bgp_err_code_name(code) == NULL ||
	    bgp_err_subcode_name(code, subcode) == NULL)
		abort();
}

static void
check_err(const struct bgp_err *err)
{
	if (err->code < BGP_ERR_HEADER || err->code > BGP_ERR_ROUTE_REFRESH)
		abort();
	check_names(err->code, err->subcode);
	if (err->datalen == 0)
		return;
	if (err->data == NULL)
		abort();
	if (err->data == err->scratch) {
		if (err->datalen > sizeof(err->scratch))
			abort();
	} else if (!in_input(err->data, err->datalen))
		abort();
}

static void
check_prefix(const struct bgp_prefix *p, enum bgp_aid aid, bool addpath)
{
	size_t	 i;
	uint8_t	 mask;

	if (p->aid != aid || p->len > (aid == BGP_AID_IPV4 ? 32 : 128))
		abort();
	if (!addpath && p->path_id != 0)
		abort();
	/* Host bits, and the octets an IPv4 address does not use, are 0. */
	for (i = 0; i < sizeof(p->addr); i++) {
		if (i * 8 >= p->len)
			mask = 0xff;
		else if (i * 8 + 8 <= p->len)
			mask = 0;
		else
			mask = 0xff >> (p->len - i * 8);
		if (p->addr[i] & mask)
			abort();
	}
}

static bool
prefix_equal(const struct bgp_prefix *x, const struct bgp_prefix *y)
{
	return x->aid == y->aid && x->len == y->len &&
	    x->path_id == y->path_id &&
	    memcmp(x->addr, y->addr, sizeof(x->addr)) == 0;
}

/*
 * Walks an NLRI view the decoder validated, copying up to outmax prefixes
 * to out; returns how many there were.
 */
static size_t
walk_nlri(const struct bgp_bytes *v, enum bgp_aid aid, bool addpath,
    struct bgp_prefix *out, size_t outmax)
{
	struct buf		 b;
	struct bgp_prefix	 p;
	size_t			 n = 0;
	int			 r;

	buf_view(&b, v->data, v->len);
	while ((r = bgp_nlri_next(&b, aid, addpath, &p)) == 1) {
		check_prefix(&p, aid, addpath);
		if (n < outmax)
			out[n] = p;
		n++;
	}
	if (r != 0 || buf_left(&b) != 0)
		abort();
	return n;
}

static void
walk_aspath(const struct bgp_attrs *a)
{
	struct bgp_aspath_iter	 it;
	uint32_t		 asn;
	uint8_t			 seg;
	size_t			 n = 0;

	bgp_aspath_iter_init(&it, a);
	while (bgp_aspath_next(&it, &asn, &seg) == 1) {
		if (seg < BGP_ASPATH_SET || seg > BGP_ASPATH_CONFED_SET)
			abort();
		if (++n > a->aspath.len / 4)
			abort();
	}
	if (bgp_aspath_length(a) > n)
		abort();
}

static bool
caps_equal(const struct bgp_caps *x, const struct bgp_caps *y)
{
	size_t	 i;

	for (i = 0; i < BGP_AID_MAX; i++)
		if (x->mp[i] != y->mp[i])
			return false;
	if (x->route_refresh != y->route_refresh ||
	    x->enhanced_route_refresh != y->enhanced_route_refresh ||
	    x->ext_message != y->ext_message || x->as4 != y->as4 ||
	    (x->as4 && x->as4_asn != y->as4_asn) ||
	    x->role_present != y->role_present ||
	    (x->role_present && x->role != y->role) || x->fqdn != y->fqdn)
		return false;
	if (x->fqdn && (strncmp(x->hostname, y->hostname,
	    sizeof(x->hostname)) != 0 || strncmp(x->domainname, y->domainname,
	    sizeof(x->domainname)) != 0))
		return false;
	if (x->gr != y->gr)
		return false;
	if (x->gr) {
		if (x->gr_flags != y->gr_flags || x->gr_time != y->gr_time ||
		    x->gr_naf != y->gr_naf || x->gr_naf > BGP_CAPS_MAX_GR_AF)
			return false;
		for (i = 0; i < x->gr_naf; i++)
			if (x->gr_af[i].afi != y->gr_af[i].afi ||
			    x->gr_af[i].safi != y->gr_af[i].safi ||
			    x->gr_af[i].flags != y->gr_af[i].flags)
				return false;
	}
	if (x->addpath_n != y->addpath_n ||
	    x->addpath_n > BGP_CAPS_MAX_ADDPATH)
		return false;
	for (i = 0; i < x->addpath_n; i++)
		if (x->addpath[i].afi != y->addpath[i].afi ||
		    x->addpath[i].safi != y->addpath[i].safi ||
		    x->addpath[i].mode != y->addpath[i].mode)
			return false;
	/* A truncated set re-encodes as what was kept, so only that counts. */
	if (x->unknown_len != y->unknown_len ||
	    x->unknown_len > sizeof(x->unknown) ||
	    memcmp(x->unknown, y->unknown, x->unknown_len) != 0)
		return false;
	return true;
}

static void
check_open(const struct bgp_open *o)
{
	static struct bgp_msg	 m2;
	struct buf		*w, r;
	struct bgp_decode_ctx	 ctx = { 0 };
	struct bgp_err		 err;

	if (o->version != BGP_VERSION)
		abort();
	if (o->caps.fqdn && (memchr(o->caps.hostname, '\0',
	    sizeof(o->caps.hostname)) == NULL || memchr(o->caps.domainname,
	    '\0', sizeof(o->caps.domainname)) == NULL))
		abort();

	w = buf_new(BGP_MAX_MSG_LEN);
	/*
	 * Re-encoding never grows the capabilities (repeats collapse,
	 * every TLV keeps its length), but a peer may have split them over
	 * many optional parameters: only a message that was written must
	 * read back.
	 */
	if (bgp_msg_put_open(w, o) == 0 && !buf_error(w)) {
		buf_view(&r, w->data, w->len);
		if (bgp_msg_decode(&r, BGP_MAX_MSG_LEN, &ctx, &m2, &err) == -1)
			abort();
		if (m2.hdr.type != BGP_MSG_OPEN || buf_left(&r) != 0)
			abort();
		if (m2.open.my_as != o->my_as ||
		    m2.open.holdtime != o->holdtime ||
		    m2.open.bgp_id != o->bgp_id ||
		    !caps_equal(&o->caps, &m2.open.caps))
			abort();
		if (bgp_open_peer_as(o) != bgp_open_peer_as(&m2.open))
			abort();
	}
	buf_free(w);
}

static void
check_notification(const struct bgp_notification *n, size_t maxlen)
{
	static struct bgp_msg	 m2;
	struct buf		*w, r;
	struct bgp_decode_ctx	 ctx = { 0 };
	struct bgp_err		 err;

	if (n->datalen > 0 && !in_input(n->data, n->datalen))
		abort();
	check_names(n->code, n->subcode);
	if (n->has_shutdown_comm &&
	    strnlen(n->shutdown_comm, sizeof(n->shutdown_comm)) >
	    BGP_SHUTDOWN_COMM_MAX)
		abort();

	w = buf_new(maxlen);
	if (bgp_msg_put_notification(w, n->code, n->subcode, n->data,
	    n->datalen, maxlen) == -1 || buf_error(w))
		abort();
	buf_view(&r, w->data, w->len);
	if (bgp_msg_decode(&r, maxlen, &ctx, &m2, &err) == -1)
		abort();
	if (m2.hdr.type != BGP_MSG_NOTIFICATION || buf_left(&r) != 0 ||
	    m2.notification.code != n->code ||
	    m2.notification.subcode != n->subcode ||
	    m2.notification.datalen != n->datalen ||
	    (n->datalen > 0 && memcmp(m2.notification.data, n->data,
	    n->datalen) != 0) ||
	    m2.notification.has_shutdown_comm != n->has_shutdown_comm ||
	    (n->has_shutdown_comm && strcmp(m2.notification.shutdown_comm,
	    n->shutdown_comm) != 0))
		abort();

	/* A well-formed shutdown communication goes out the same way. */
	if (n->has_shutdown_comm) {
		buf_reset(w);
		if (bgp_msg_put_cease(w, n->subcode, n->shutdown_comm) == -1 ||
		    buf_error(w))
			abort();
		buf_view(&r, w->data, w->len);
		if (bgp_msg_decode(&r, BGP_MAX_MSG_LEN, &ctx, &m2, &err) == -1)
			abort();
		if (m2.hdr.type != BGP_MSG_NOTIFICATION ||
		    m2.notification.code != BGP_ERR_CEASE ||
		    m2.notification.subcode != n->subcode ||
		    !m2.notification.has_shutdown_comm ||
		    strcmp(m2.notification.shutdown_comm,
		    n->shutdown_comm) != 0)
			abort();
	}
	buf_free(w);
}

static void
check_keepalive(void)
{
	static struct bgp_msg	 m2;
	struct bgp_decode_ctx	 ctx = { 0 };
	struct buf		*w, r;
	struct bgp_err		 err;

	w = buf_new(BGP_MAX_MSG_LEN);
	if (bgp_msg_put_keepalive(w) == -1 || buf_error(w) ||
	    w->len != BGP_KEEPALIVE_LEN)
		abort();
	buf_view(&r, w->data, w->len);
	if (bgp_msg_decode(&r, BGP_MAX_MSG_LEN, &ctx, &m2, &err) == -1 ||
	    m2.hdr.type != BGP_MSG_KEEPALIVE)
		abort();
	buf_free(w);
}

static void
check_route_refresh(const struct bgp_route_refresh *rr)
{
	static struct bgp_msg	 m2;
	struct buf		*w, r;
	struct bgp_decode_ctx	 ctx = { 0 };
	struct bgp_err		 err;
	enum bgp_aid		 aid;

	/* Unknown families and subtypes are the caller's to ignore. */
	if (bgp_aid_from_afi(rr->afi, rr->safi, &aid) == -1 ||
	    rr->subtype > BGP_RR_EORR)
		return;
	w = buf_new(BGP_MAX_MSG_LEN);
	if (bgp_msg_put_route_refresh(w, aid, rr->subtype) == -1 ||
	    buf_error(w))
		abort();
	buf_view(&r, w->data, w->len);
	if (bgp_msg_decode(&r, BGP_MAX_MSG_LEN, &ctx, &m2, &err) == -1)
		abort();
	if (m2.hdr.type != BGP_MSG_ROUTE_REFRESH || buf_left(&r) != 0 ||
	    m2.route_refresh.afi != rr->afi ||
	    m2.route_refresh.safi != rr->safi ||
	    m2.route_refresh.subtype != rr->subtype)
		abort();
	buf_free(w);
}

static bool
bytes_equal(const struct bgp_bytes *x, const struct bgp_bytes *y)
{
	return x->len == y->len &&
	    (x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
}

/* The attributes bgp_attrs_put() writes and a decoder reads back as is. */
static const uint8_t	attrs_compared[] = {
	BGP_ATTR_ORIGIN, BGP_ATTR_AS_PATH, BGP_ATTR_NEXT_HOP, BGP_ATTR_MED,
	BGP_ATTR_LOCAL_PREF, BGP_ATTR_ATOMIC_AGGREGATE, BGP_ATTR_AGGREGATOR,
	BGP_ATTR_COMMUNITIES, BGP_ATTR_ORIGINATOR_ID, BGP_ATTR_CLUSTER_LIST,
	BGP_ATTR_EXT_COMMUNITIES, BGP_ATTR_LARGE_COMMUNITIES, BGP_ATTR_OTC,
};

static bool
attrs_equal(const struct bgp_attrs *x, const struct bgp_attrs *y)
{
	size_t	 i, j;

	for (i = 0; i < sizeof(attrs_compared); i++)
		if (bgp_attrs_has(x, attrs_compared[i]) !=
		    bgp_attrs_has(y, attrs_compared[i]))
			return false;
	if (bgp_attrs_has(x, BGP_ATTR_ORIGIN) && x->origin != y->origin)
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_AS_PATH) &&
	    !bytes_equal(&x->aspath, &y->aspath))
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_NEXT_HOP) && x->nexthop != y->nexthop)
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_MED) && x->med != y->med)
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_LOCAL_PREF) &&
	    x->local_pref != y->local_pref)
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_AGGREGATOR) &&
	    (x->aggregator_as != y->aggregator_as ||
	    x->aggregator_addr != y->aggregator_addr))
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_COMMUNITIES) &&
	    !bytes_equal(&x->communities, &y->communities))
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_ORIGINATOR_ID) &&
	    x->originator_id != y->originator_id)
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_CLUSTER_LIST) &&
	    !bytes_equal(&x->cluster_list, &y->cluster_list))
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_EXT_COMMUNITIES) &&
	    !bytes_equal(&x->ext_communities, &y->ext_communities))
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_LARGE_COMMUNITIES) &&
	    !bytes_equal(&x->large_communities, &y->large_communities))
		return false;
	if (bgp_attrs_has(x, BGP_ATTR_OTC) && x->otc != y->otc)
		return false;
	if (x->n_unknown != y->n_unknown ||
	    x->n_unknown > BGP_ATTRS_UNKNOWN_MAX)
		return false;
	/*
	 * The encoder writes attributes in type-code order and picks the
	 * extended-length bit anew; neither is part of the value.
	 */
	for (i = 0; i < x->n_unknown; i++) {
		for (j = 0; j < y->n_unknown; j++)
			if (x->unknown[i].type == y->unknown[j].type)
				break;
		if (j == y->n_unknown ||
		    ((x->unknown[i].flags ^ y->unknown[j].flags) &
		    ~BGP_ATTR_FLAG_EXTLEN) != 0 ||
		    !bytes_equal(&x->unknown[i].value, &y->unknown[j].value))
			return false;
	}
	return true;
}

/*
 * Re-encodes the attributes of an OK UPDATE, wraps them in an UPDATE with
 * no routes and decodes that again: what we write we must read.
 */
static void
check_attrs(const struct bgp_update *u, const struct bgp_decode_ctx *dctx,
    size_t maxlen)
{
	static struct bgp_msg	 m2;
	struct bgp_encode_ctx	 ectx;
	struct buf		*w, r;
	struct bgp_err		 err;
	size_t			 off, attrlen;

	memset(&ectx, 0, sizeof(ectx));
	ectx.as4 = dctx->as4;
	ectx.maxlen = BGP_MAX_EXT_MSG_LEN;

	w = buf_new(ATTRS_WRITER_MAX);
	off = bgp_msg_put_header(w, BGP_MSG_UPDATE);
	buf_put_u16(w, 0);		/* withdrawn routes length */
	buf_put_u16(w, 0);		/* total path attribute length */
	if (bgp_attrs_put(w, &u->attrs, &ectx) == -1 || buf_error(w)) {
		/*
		 * A 2-octet session turns a long path into AS_TRANS plus a
		 * 4-octet AS4_PATH, which may outgrow the 16-bit attribute
		 * length when the message was an extended one.
		 */
		if (maxlen == BGP_MAX_MSG_LEN)
			abort();
		goto done;
	}
	attrlen = w->len - off - BGP_HEADER_LEN - 4;
	if (w->len > BGP_MAX_EXT_MSG_LEN)
		goto done;
	if (buf_set_u16(w, off + BGP_HEADER_LEN + 2, attrlen) == -1 ||
	    bgp_msg_finish(w, off, BGP_MAX_EXT_MSG_LEN) == -1)
		abort();
	buf_view(&r, w->data, w->len);
	if (bgp_msg_decode(&r, BGP_MAX_EXT_MSG_LEN, dctx, &m2, &err) == -1)
		abort();
	if (m2.hdr.type != BGP_MSG_UPDATE || buf_left(&r) != 0 ||
	    m2.update.outcome != BGP_UPDATE_OK ||
	    !attrs_equal(&u->attrs, &m2.update.attrs))
		abort();
	bgp_update_free(&m2.update);
done:
	buf_free(w);
}

/*
 * Packs n prefixes of one family from pack_in, as the sending side would:
 * announced with the attributes a, or withdrawn when a is NULL. Every
 * message must decode again, OK, to exactly the prefixes packed, and must
 * hold as many as fit (bgp.h: the fewest messages possible).
 */
static void
check_pack(const struct bgp_attrs *a, enum bgp_aid aid, size_t n,
    const struct bgp_decode_ctx *dctx, size_t maxlen)
{
	static struct bgp_msg	 m2;
	const struct bgp_attrs	*a2;
	const struct bgp_update	*u2;
	struct bgp_encode_ctx	 ectx;
	struct buf		*w, r;
	struct bgp_err		 err;
	size_t			 done = 0, got, i, slack;
	bool			 addpath = dctx->addpath_recv[aid];
	int			 k;

	memset(&ectx, 0, sizeof(ectx));
	ectx.as4 = dctx->as4;
	ectx.addpath_send[aid] = addpath;
	ectx.maxlen = maxlen;
	/* An MP attribute may need its extended-length octet for one more. */
	slack = aid == BGP_AID_IPV4 ? 0 : 1;

	w = buf_new(maxlen);
	while (done < n) {
		buf_reset(w);
		if (a != NULL)
			k = bgp_update_pack(w, a, pack_in + done, n - done,
			    &ectx);
		else
			k = bgp_update_pack_withdraw(w, pack_in + done,
			    n - done, &ectx);
		/*
		 * Attributes may leave no room for even one prefix; a
		 * withdrawal always has room.
		 */
		if (k == -1 && a != NULL)
			break;
		if (k < 1 || (size_t)k > n - done || buf_error(w) ||
		    w->len > maxlen)
			abort();
		if ((size_t)k < n - done && w->len + slack +
		    bgp_prefix_wire_len(&pack_in[done + k], addpath) <= maxlen)
			abort();

		buf_view(&r, w->data, w->len);
		if (bgp_msg_decode(&r, maxlen, dctx, &m2, &err) == -1)
			abort();
		u2 = &m2.update;
		a2 = &u2->attrs;
		if (m2.hdr.type != BGP_MSG_UPDATE || buf_left(&r) != 0 ||
		    u2->outcome != BGP_UPDATE_OK || u2->eor)
			abort();
		if (a == NULL && aid == BGP_AID_IPV4) {
			if (u2->nlri.len != 0 ||
			    bgp_attrs_has(a2, BGP_ATTR_MP_REACH_NLRI) ||
			    bgp_attrs_has(a2, BGP_ATTR_MP_UNREACH_NLRI))
				abort();
			got = walk_nlri(&u2->withdrawn, aid, addpath,
			    pack_out, PACK_MAX_PREFIXES);
		} else if (a == NULL) {
			if (u2->withdrawn.len != 0 || u2->nlri.len != 0 ||
			    bgp_attrs_has(a2, BGP_ATTR_MP_REACH_NLRI) ||
			    !bgp_attrs_has(a2, BGP_ATTR_MP_UNREACH_NLRI) ||
			    a2->mp_unreach_aid != aid)
				abort();
			got = walk_nlri(&a2->mp_unreach_nlri, aid, addpath,
			    pack_out, PACK_MAX_PREFIXES);
		} else if (aid == BGP_AID_IPV4) {
			if (u2->withdrawn.len != 0 ||
			    bgp_attrs_has(a2, BGP_ATTR_MP_REACH_NLRI) ||
			    bgp_attrs_has(a2, BGP_ATTR_MP_UNREACH_NLRI) ||
			    a2->nexthop != a->nexthop)
				abort();
			got = walk_nlri(&u2->nlri, aid, addpath, pack_out,
			    PACK_MAX_PREFIXES);
		} else {
			if (u2->withdrawn.len != 0 || u2->nlri.len != 0 ||
			    !bgp_attrs_has(a2, BGP_ATTR_MP_REACH_NLRI) ||
			    bgp_attrs_has(a2, BGP_ATTR_MP_UNREACH_NLRI) ||
			    a2->mp_reach_aid != aid ||
			    a2->mp_nexthop_len != a->mp_nexthop_len ||
			    memcmp(a2->mp_nexthop, a->mp_nexthop, 16) != 0 ||
			    (a->mp_nexthop_len == 32 && memcmp(a2->mp_nexthop_ll,
			    a->mp_nexthop_ll, 16) != 0))
				abort();
			got = walk_nlri(&a2->mp_reach_nlri, aid, addpath,
			    pack_out, PACK_MAX_PREFIXES);
		}
		if (got != (size_t)k)
			abort();
		for (i = 0; i < got; i++)
			if (!prefix_equal(&pack_out[i], &pack_in[done + i]))
				abort();
		bgp_update_free(&m2.update);
		done += k;
	}
	buf_free(w);
}

static void
check_eor(enum bgp_aid aid)
{
	static struct bgp_msg	 m2;
	struct bgp_decode_ctx	 ctx = { 0 };
	struct buf		*w, r;
	struct bgp_err		 err;

	w = buf_new(BGP_MAX_MSG_LEN);
	if (bgp_msg_put_eor(w, aid) == -1 || buf_error(w))
		abort();
	buf_view(&r, w->data, w->len);
	if (bgp_msg_decode(&r, BGP_MAX_MSG_LEN, &ctx, &m2, &err) == -1)
		abort();
	if (m2.hdr.type != BGP_MSG_UPDATE || buf_left(&r) != 0 ||
	    !m2.update.eor || m2.update.eor_aid != aid)
		abort();
	bgp_update_free(&m2.update);
	buf_free(w);
}

/* Checks one NLRI view of an UPDATE; appends its prefixes to pack_in. */
static size_t
check_view(const struct bgp_bytes *v, enum bgp_aid aid, bool addpath,
    size_t have)
{
	if (v->len > 0 && !in_input(v->data, v->len))
		abort();
	return have + walk_nlri(v, aid, addpath, pack_in + have,
	    PACK_MAX_PREFIXES - have);
}

static void
check_update(const struct bgp_update *u, const struct bgp_decode_ctx *ctx,
    size_t maxlen)
{
	const struct bgp_attrs	*a = &u->attrs;
	bool			 reach, unreach;
	size_t			 n;

	if (u->outcome != BGP_UPDATE_OK &&
	    u->outcome != BGP_UPDATE_TREAT_AS_WITHDRAW)
		abort();
	if (u->eor && (u->eor_aid >= BGP_AID_MAX ||
	    bgp_aid_name(u->eor_aid) == NULL))
		abort();
	if (a->aspath.len > 0 && a->aspath.data == NULL)
		abort();
	walk_aspath(a);

	/* A family we do not support is framed and ignored: no NLRI. */
	reach = bgp_attrs_has(a, BGP_ATTR_MP_REACH_NLRI);
	if (reach && (a->mp_reach_aid > BGP_AID_MAX ||
	    (a->mp_reach_aid == BGP_AID_MAX && a->mp_reach_nlri.len != 0)))
		abort();
	reach = reach && a->mp_reach_aid < BGP_AID_MAX;
	if (reach && a->mp_nexthop_len != 4 && a->mp_nexthop_len != 16 &&
	    a->mp_nexthop_len != 32)
		abort();
	unreach = bgp_attrs_has(a, BGP_ATTR_MP_UNREACH_NLRI);
	if (unreach && (a->mp_unreach_aid > BGP_AID_MAX ||
	    (a->mp_unreach_aid == BGP_AID_MAX &&
	    a->mp_unreach_nlri.len != 0)))
		abort();
	unreach = unreach && a->mp_unreach_aid < BGP_AID_MAX;

	/*
	 * Each view is walked (bgp_nlri_next must not fail on any), and
	 * the prefixes are packed again: withdrawals stay withdrawals
	 * whatever the outcome, announcements only from an OK UPDATE.
	 */
	n = check_view(&u->withdrawn, BGP_AID_IPV4,
	    ctx->addpath_recv[BGP_AID_IPV4], 0);
	if (unreach && a->mp_unreach_aid == BGP_AID_IPV4)
		n = check_view(&a->mp_unreach_nlri, BGP_AID_IPV4,
		    ctx->addpath_recv[BGP_AID_IPV4], n);
	if (n > 0)
		check_pack(NULL, BGP_AID_IPV4, n, ctx, maxlen);
	if (unreach && a->mp_unreach_aid == BGP_AID_IPV6) {
		n = check_view(&a->mp_unreach_nlri, BGP_AID_IPV6,
		    ctx->addpath_recv[BGP_AID_IPV6], 0);
		if (n > 0)
			check_pack(NULL, BGP_AID_IPV6, n, ctx, maxlen);
	}
	if (reach && a->mp_reach_aid == BGP_AID_IPV4)
		(void)check_view(&a->mp_reach_nlri, BGP_AID_IPV4,
		    ctx->addpath_recv[BGP_AID_IPV4], 0);

	n = check_view(&u->nlri, BGP_AID_IPV4,
	    ctx->addpath_recv[BGP_AID_IPV4], 0);
	if (u->outcome == BGP_UPDATE_OK && n > 0)
		check_pack(a, BGP_AID_IPV4, n, ctx, maxlen);
	if (reach && a->mp_reach_aid == BGP_AID_IPV6) {
		n = check_view(&a->mp_reach_nlri, BGP_AID_IPV6,
		    ctx->addpath_recv[BGP_AID_IPV6], 0);
		if (u->outcome == BGP_UPDATE_OK && n > 0)
			check_pack(a, BGP_AID_IPV6, n, ctx, maxlen);
	}

	if (u->eor)
		check_eor(u->eor_aid);
	if (u->outcome == BGP_UPDATE_OK)
		check_attrs(u, ctx, maxlen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bgp_msg	 m;
	struct bgp_decode_ctx	 ctx;
	struct bgp_err		 err;
	struct buf		 b;
	size_t			 maxlen, before;
	uint8_t			 flags;

	if (size == 0)
		return 0;
	input_start = data;
	input_len = size;

	memset(&ctx, 0, sizeof(ctx));
	if (data[0] == CTX_RAW) {
		ctx.as4 = true;
		ctx.ebgp = true;
		maxlen = BGP_MAX_MSG_LEN;
		buf_view(&b, data, size);
	} else {
		flags = data[0];
		ctx.as4 = (flags & CTX_AS4) != 0;
		ctx.ebgp = (flags & CTX_EBGP) != 0;
		ctx.addpath_recv[BGP_AID_IPV4] = (flags & CTX_ADDPATH_V4) != 0;
		ctx.addpath_recv[BGP_AID_IPV6] = (flags & CTX_ADDPATH_V6) != 0;
		maxlen = (flags & CTX_EXTENDED) ? BGP_MAX_EXT_MSG_LEN :
		    BGP_MAX_MSG_LEN;
		buf_view(&b, data + 1, size - 1);
	}

	while (buf_left(&b) > 0) {
		before = b.rpos;
		memset(&err, 0, sizeof(err));
		if (bgp_msg_decode(&b, maxlen, &ctx, &m, &err) == -1) {
			check_err(&err);
			break;
		}
		if (b.rpos - before != m.hdr.len ||
		    m.hdr.len < BGP_HEADER_LEN || m.hdr.len > maxlen ||
		    bgp_msg_type_name(m.hdr.type) == NULL)
			abort();
		switch (m.hdr.type) {
		case BGP_MSG_OPEN:
			if (m.hdr.len > BGP_MAX_MSG_LEN)
				abort();
			check_open(&m.open);
			break;
		case BGP_MSG_UPDATE:
			check_update(&m.update, &ctx, maxlen);
			bgp_update_free(&m.update);
			break;
		case BGP_MSG_NOTIFICATION:
			check_notification(&m.notification, maxlen);
			break;
		case BGP_MSG_KEEPALIVE:
			if (m.hdr.len != BGP_KEEPALIVE_LEN)
				abort();
			check_keepalive();
			break;
		case BGP_MSG_ROUTE_REFRESH:
			check_route_refresh(&m.route_refresh);
			break;
		default:
			abort();
		}
	}
	return 0;
}
