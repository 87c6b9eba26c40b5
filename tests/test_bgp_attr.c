/*
 * Path attributes (bgp_attr.c): each attribute decoded and encoded byte
 * for byte, and every RFC 7606 rule with the outcome it must give:
 * attribute discard, treat-as-withdraw or session reset with the right
 * NOTIFICATION data. Attributes are fed through bgp_msg_get_update() in
 * an UPDATE body built around them, the only way the codec sees them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "../src/bgp.h"
#include "../src/buf.h"

static const struct bgp_decode_ctx ebgp4 = { .as4 = true, .ebgp = true };
static const struct bgp_decode_ctx ibgp4 = { .as4 = true, .ebgp = false };
static const struct bgp_decode_ctx ebgp2 = { .as4 = false, .ebgp = true };
static const struct bgp_encode_ctx enc4 = { .as4 = true, .maxlen = 4096 };
static const struct bgp_encode_ctx enc2 = { .as4 = false, .maxlen = 4096 };

/* The attributes every announcement needs (RFC 4271 5), 20 octets. */
#define ATTR_ORIGIN_IGP	0x40, 0x01, 0x01, 0x00	/* WK-T, ORIGIN, 1, IGP */
#define ATTR_ASPATH_65001 \
	0x40, 0x02, 0x06,	/* WK-T, AS_PATH, 6 */			\
	0x02, 0x01,		/* AS_SEQUENCE of 1 */			\
	0x00, 0x00, 0xfd, 0xe9	/* 65001 */
#define ATTR_NEXTHOP	0x40, 0x03, 0x04, 192, 0, 2, 1	/* 192.0.2.1 */
#define ATTR_LOCALPREF	0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64	/* 100 */
#define BASE		ATTR_ORIGIN_IGP, ATTR_ASPATH_65001, ATTR_NEXTHOP

/* 10.0.0.0/24 in the NLRI field. */
static const uint8_t nlri10[] = { 24, 10, 0, 0 };

/* The message body must outlive the views the decoder leaves. */
static uint8_t	 body[70000];
static size_t	 bodylen;

/* An UPDATE body: no withdrawn routes, the attributes, the NLRI. */
static int
decode(const struct bgp_decode_ctx *ctx, const uint8_t *attrs, size_t alen,
    bool with_nlri, struct bgp_update *u, struct bgp_err *err)
{
	struct buf	 b;
	size_t		 nlen = with_nlri ? sizeof(nlri10) : 0;

	assert_true(4 + alen + nlen <= sizeof(body));
	body[0] = 0;			/* withdrawn routes length */
	body[1] = 0;
	body[2] = alen >> 8;		/* total path attribute length */
	body[3] = alen & 0xff;
	memcpy(body + 4, attrs, alen);
	memcpy(body + 4 + alen, nlri10, nlen);
	bodylen = 4 + alen + nlen;
	buf_view(&b, body, bodylen);
	memset(err, 0, sizeof(*err));
	return bgp_msg_get_update(&b, ctx, u, err);
}

#define DECODE(ctx, a, nlri, u, err)	decode(ctx, a, sizeof(a), nlri, u, err)

static bool
discarded(const struct bgp_update *u, uint8_t type)
{
	return (u->discarded[type >> 6] >> (type & 63)) & 1;
}

static void
assert_ok(int rc, const struct bgp_update *u)
{
	assert_int_equal(rc, 0);
	assert_int_equal(u->err_subcode, 0);
	assert_int_equal(u->outcome, BGP_UPDATE_OK);
}

static void
assert_withdraw(int rc, const struct bgp_update *u, uint8_t subcode,
    uint8_t type)
{
	assert_int_equal(rc, 0);
	assert_int_equal(u->outcome, BGP_UPDATE_TREAT_AS_WITHDRAW);
	assert_int_equal(u->err_subcode, subcode);
	assert_int_equal(u->err_attr, type);
}

/* Attribute discard: the UPDATE stands, without the attribute. */
static void
assert_discard(int rc, const struct bgp_update *u, uint8_t subcode,
    uint8_t type)
{
	assert_int_equal(rc, 0);
	assert_int_equal(u->outcome, BGP_UPDATE_OK);
	assert_true(discarded(u, type));
	assert_false(bgp_attrs_has(&u->attrs, type));
	assert_int_equal(u->err_subcode, subcode);
	assert_int_equal(u->err_attr, type);
}

/* Session reset: 3/subcode, data = the erroneous attribute. */
static void
assert_reset(int rc, const struct bgp_err *err, uint8_t subcode,
    const uint8_t *data, size_t datalen)
{
	assert_int_equal(rc, -1);
	assert_int_equal(err->code, BGP_ERR_UPDATE);
	assert_int_equal(err->subcode, subcode);
	assert_int_equal(err->datalen, datalen);
	if (datalen > 0)
		assert_memory_equal(err->data, data, datalen);
}

/* ------------------------------------------------------------------ */
/* A well-formed attribute set                                          */

static void
test_base_set(void **state)
{
	static const uint8_t a[] = { BASE };
	struct bgp_update u;
	struct bgp_err	 err;
	uint8_t		 nh[4] = { 192, 0, 2, 1 };

	(void)state;
	assert_ok(DECODE(&ebgp4, a, true, &u, &err), &u);
	assert_true(bgp_attrs_has(&u.attrs, BGP_ATTR_ORIGIN));
	assert_true(bgp_attrs_has(&u.attrs, BGP_ATTR_AS_PATH));
	assert_true(bgp_attrs_has(&u.attrs, BGP_ATTR_NEXT_HOP));
	assert_false(bgp_attrs_has(&u.attrs, BGP_ATTR_MED));
	assert_int_equal(u.attrs.origin, BGP_ORIGIN_IGP);
	assert_memory_equal(&u.attrs.nexthop, nh, 4);
	assert_int_equal(bgp_aspath_length(&u.attrs), 1);
	assert_null(u.aspath_owned);		/* a view on as4 sessions */
	bgp_update_free(&u);
}

/* Every attribute we know, as an iBGP 4-octet peer would send it, in
 * type order: decoded field by field, then encoded back to the same
 * octets. */
static const uint8_t full_set[] = {
	0x40, 0x01, 0x01, 0x02,			/* ORIGIN INCOMPLETE */
	0x40, 0x02, 0x10,			/* AS_PATH, 16 */
	0x02, 0x02,				/* AS_SEQUENCE of 2 */
	0x00, 0x00, 0xfd, 0xe9,			/* 65001 */
	0xfa, 0x56, 0xea, 0x00,			/* 4200000000 */
	0x01, 0x01,				/* AS_SET of 1 */
	0x00, 0x00, 0xfd, 0xea,			/* 65002 */
	0x40, 0x03, 0x04, 198, 51, 100, 7,	/* NEXT_HOP */
	0x80, 0x04, 0x04, 0x00, 0x00, 0x01, 0x00,	/* MED 256 */
	0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0xc8,	/* LOCAL_PREF 200 */
	0x40, 0x06, 0x00,			/* ATOMIC_AGGREGATE */
	0xc0, 0x07, 0x08,			/* AGGREGATOR, 8 */
	0x00, 0x01, 0x00, 0x00,			/* AS 65536 */
	192, 0, 2, 9,				/* 192.0.2.9 */
	0xc0, 0x08, 0x08,			/* COMMUNITIES, 8 */
	0xfd, 0xe9, 0x00, 0x64,			/* 65001:100 */
	0xff, 0xff, 0xff, 0x01,			/* NO_EXPORT */
	0x80, 0x09, 0x04, 10, 0, 0, 1,		/* ORIGINATOR_ID 10.0.0.1 */
	0x80, 0x0a, 0x08,			/* CLUSTER_LIST, 8 */
	10, 0, 0, 2, 10, 0, 0, 3,
	0xc0, 0x10, 0x08,			/* EXTENDED COMMUNITIES, 8 */
	0x00, 0x02, 0xfd, 0xe9, 0x00, 0x00, 0x00, 0x01,	/* RT 65001:1 */
	0xc0, 0x20, 0x0c,			/* LARGE_COMMUNITY, 12 */
	0x00, 0x00, 0xfd, 0xea,			/* 65002 */
	0x00, 0x00, 0x00, 0x01,			/* :1 */
	0x00, 0x00, 0x00, 0x02,			/* :2 */
	0xc0, 0x23, 0x04, 0x00, 0x00, 0xfd, 0xeb,	/* OTC 65003 */
};

static void
test_full_set_decode(void **state)
{
	struct bgp_update u;
	struct bgp_err	 err;
	struct bgp_aspath_iter it;
	uint32_t	 asn;
	uint8_t		 seg;
	uint8_t		 aggr[4] = { 192, 0, 2, 9 }, orig[4] = { 10, 0, 0, 1 };

	(void)state;
	assert_ok(DECODE(&ibgp4, full_set, true, &u, &err), &u);
	assert_int_equal(u.attrs.origin, BGP_ORIGIN_INCOMPLETE);
	assert_int_equal(u.attrs.med, 256);
	assert_int_equal(u.attrs.local_pref, 200);
	assert_true(bgp_attrs_has(&u.attrs, BGP_ATTR_ATOMIC_AGGREGATE));
	assert_int_equal(u.attrs.aggregator_as, 65536);
	assert_memory_equal(&u.attrs.aggregator_addr, aggr, 4);
	assert_int_equal(u.attrs.communities.len, 8);
	assert_memory_equal(&u.attrs.originator_id, orig, 4);
	assert_int_equal(u.attrs.cluster_list.len, 8);
	assert_int_equal(u.attrs.ext_communities.len, 8);
	assert_int_equal(u.attrs.large_communities.len, 12);
	assert_int_equal(u.attrs.otc, 65003);

	/* RFC 4271 9.1.2.2: two in the sequence, one for the set. */
	assert_int_equal(bgp_aspath_length(&u.attrs), 3);
	bgp_aspath_iter_init(&it, &u.attrs);
	assert_int_equal(bgp_aspath_next(&it, &asn, &seg), 1);
	assert_int_equal(asn, 65001);
	assert_int_equal(seg, BGP_ASPATH_SEQUENCE);
	assert_int_equal(bgp_aspath_next(&it, &asn, &seg), 1);
	assert_int_equal(asn, 4200000000u);
	assert_int_equal(bgp_aspath_next(&it, &asn, &seg), 1);
	assert_int_equal(asn, 65002);
	assert_int_equal(seg, BGP_ASPATH_SET);
	assert_int_equal(bgp_aspath_next(&it, &asn, &seg), 0);
	bgp_update_free(&u);
}

static void
test_full_set_roundtrip(void **state)
{
	struct bgp_update u;
	struct bgp_err	 err;
	uint8_t		 out[512];
	struct buf	 w;

	(void)state;
	assert_ok(DECODE(&ibgp4, full_set, true, &u, &err), &u);
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_attrs_put(&w, &u.attrs, &enc4), 0);
	assert_int_equal(buf_len(&w), sizeof(full_set));
	assert_memory_equal(out, full_set, sizeof(full_set));
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 7.1 ORIGIN                                                  */

static void
test_origin_bad_length(void **state)
{
	static const uint8_t a[] = {
		0x40, 0x01, 0x02, 0x00, 0x00,	/* ORIGIN, length 2 */
		ATTR_ASPATH_65001, ATTR_NEXTHOP,
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_withdraw(DECODE(&ebgp4, a, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_LEN, BGP_ATTR_ORIGIN);
	assert_false(bgp_attrs_has(&u.attrs, BGP_ATTR_ORIGIN));
	bgp_update_free(&u);
}

static void
test_origin_bad_value(void **state)
{
	static const uint8_t a[] = {
		0x40, 0x01, 0x01, 0x03,		/* ORIGIN 3: undefined */
		ATTR_ASPATH_65001, ATTR_NEXTHOP,
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_withdraw(DECODE(&ebgp4, a, true, &u, &err), &u,
	    BGP_ERR_UPD_BAD_ORIGIN, BGP_ATTR_ORIGIN);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 7.2 AS_PATH                                                 */

static void
aspath_case(const struct bgp_decode_ctx *ctx, const uint8_t *path,
    size_t pathlen, bool ok)
{
	uint8_t		 a[300];
	size_t		 n = 0;
	struct bgp_update u;
	struct bgp_err	 err;
	int		 rc;

	a[n++] = 0x40;				/* ORIGIN IGP */
	a[n++] = 0x01;
	a[n++] = 0x01;
	a[n++] = 0x00;
	a[n++] = 0x40;				/* AS_PATH */
	a[n++] = 0x02;
	a[n++] = (uint8_t)pathlen;
	memcpy(a + n, path, pathlen);
	n += pathlen;
	a[n++] = 0x40;				/* NEXT_HOP 192.0.2.1 */
	a[n++] = 0x03;
	a[n++] = 0x04;
	a[n++] = 192;
	a[n++] = 0;
	a[n++] = 2;
	a[n++] = 1;
	rc = decode(ctx, a, n, true, &u, &err);
	if (ok)
		assert_ok(rc, &u);
	else
		assert_withdraw(rc, &u, BGP_ERR_UPD_MALFORMED_ASPATH,
		    BGP_ATTR_AS_PATH);
	bgp_update_free(&u);
}

static void
test_aspath_rules(void **state)
{
	/* Valid: empty (RFC 7606 4 lets AS_PATH be zero length). */
	static const uint8_t empty[] = { 0 };
	/* Valid: a confederation sequence then a sequence. */
	static const uint8_t confed[] = {
		0x03, 0x01, 0x00, 0x00, 0xfd, 0xe8,	/* CONFED_SEQ 65000 */
		0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,	/* SEQ 65001 */
	};
	/* Zero-length segment. */
	static const uint8_t zero_seg[] = { 0x02, 0x00 };
	/* Unrecognised segment type 5. */
	static const uint8_t bad_type[] = {
		0x05, 0x01, 0x00, 0x00, 0xfd, 0xe9,
	};
	/* Segment of 2 ASNs with room for 1: overrun. */
	static const uint8_t overrun[] = {
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9,
	};
	/* A good segment, then a single octet: underrun. */
	static const uint8_t underrun[] = {
		0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9, 0x02,
	};
	/* AS 0 (RFC 7607 2). */
	static const uint8_t as0[] = {
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0x00, 0x00,
	};
	/* 2-octet encoding read by a 4-octet session: overrun. */
	static const uint8_t as2_on_as4[] = { 0x02, 0x02, 0xfd, 0xe9, 0xfd, 0xea };

	(void)state;
	aspath_case(&ebgp4, empty, 0, true);
	aspath_case(&ebgp4, confed, sizeof(confed), true);
	aspath_case(&ebgp4, zero_seg, sizeof(zero_seg), false);
	aspath_case(&ebgp4, bad_type, sizeof(bad_type), false);
	aspath_case(&ebgp4, overrun, sizeof(overrun), false);
	aspath_case(&ebgp4, underrun, sizeof(underrun), false);
	aspath_case(&ebgp4, as0, sizeof(as0), false);
	aspath_case(&ebgp4, as2_on_as4, sizeof(as2_on_as4), false);
	aspath_case(&ebgp2, as2_on_as4, sizeof(as2_on_as4), true);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 7.3 NEXT_HOP                                                */

static void
test_nexthop_bad_length(void **state)
{
	static const uint8_t a[] = {
		ATTR_ORIGIN_IGP, ATTR_ASPATH_65001,
		0x40, 0x03, 0x05, 192, 0, 2, 1, 0,	/* NEXT_HOP, 5 */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_withdraw(DECODE(&ebgp4, a, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_LEN, BGP_ATTR_NEXT_HOP);
	bgp_update_free(&u);
}

static void
test_nexthop_not_host(void **state)
{
	static const uint8_t mcast[] = {
		ATTR_ORIGIN_IGP, ATTR_ASPATH_65001,
		0x40, 0x03, 0x04, 224, 0, 0, 5,		/* multicast */
	};
	static const uint8_t zero[] = {
		ATTR_ORIGIN_IGP, ATTR_ASPATH_65001,
		0x40, 0x03, 0x04, 0, 0, 0, 0,		/* 0.0.0.0 */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_withdraw(DECODE(&ebgp4, mcast, true, &u, &err), &u,
	    BGP_ERR_UPD_BAD_NEXTHOP, BGP_ATTR_NEXT_HOP);
	bgp_update_free(&u);
	assert_withdraw(DECODE(&ebgp4, zero, true, &u, &err), &u,
	    BGP_ERR_UPD_BAD_NEXTHOP, BGP_ATTR_NEXT_HOP);
	bgp_update_free(&u);
}

/* RFC 4760 3: without an NLRI field NEXT_HOP is ignored, so a broken
 * one next to MP_REACH_NLRI is dropped and the IPv6 route stands. */
static void
test_nexthop_ignored_with_mp(void **state)
{
	static const uint8_t a[] = {
		0x80, 0x0e, 0x1a,		/* MP_REACH_NLRI, 26 */
		0x00, 0x02, 0x01,		/* IPv6 unicast */
		0x10,				/* next hop length 16 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 1,		/* 2001:db8::1 */
		0x00,				/* reserved */
		0x20, 0x20, 0x01, 0x0d, 0xb8,	/* 2001:db8::/32 */
		ATTR_ORIGIN_IGP, ATTR_ASPATH_65001,
		0x40, 0x03, 0x03, 1, 2, 3,	/* NEXT_HOP, 3 */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_discard(DECODE(&ebgp4, a, false, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_LEN, BGP_ATTR_NEXT_HOP);
	assert_int_equal(u.attrs.mp_reach_aid, BGP_AID_IPV6);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 7.4 MULTI_EXIT_DISC, 7.5 LOCAL_PREF                         */

static void
test_med(void **state)
{
	static const uint8_t good[] = {
		BASE, 0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x0a,	/* MED 10 */
	};
	static const uint8_t bad[] = {
		BASE, 0x80, 0x04, 0x03, 0x00, 0x00, 0x0a,	/* MED, 3 */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_ok(DECODE(&ebgp4, good, true, &u, &err), &u);
	assert_true(bgp_attrs_has(&u.attrs, BGP_ATTR_MED));
	assert_int_equal(u.attrs.med, 10);
	bgp_update_free(&u);
	assert_withdraw(DECODE(&ebgp4, bad, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_LEN, BGP_ATTR_MED);
	bgp_update_free(&u);
}

static void
test_local_pref(void **state)
{
	static const uint8_t good[] = { BASE, ATTR_LOCALPREF };
	static const uint8_t bad[] = {
		BASE, 0x40, 0x05, 0x03, 0x00, 0x00, 0x64,	/* length 3 */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	/* iBGP: kept. */
	assert_ok(DECODE(&ibgp4, good, true, &u, &err), &u);
	assert_int_equal(u.attrs.local_pref, 100);
	bgp_update_free(&u);
	/* eBGP: discarded, even when well formed (7.5). */
	assert_discard(DECODE(&ebgp4, good, true, &u, &err), &u,
	    BGP_ERR_UPD_MALFORMED_ATTR_LIST, BGP_ATTR_LOCAL_PREF);
	bgp_update_free(&u);
	assert_discard(DECODE(&ebgp4, bad, true, &u, &err), &u,
	    BGP_ERR_UPD_MALFORMED_ATTR_LIST, BGP_ATTR_LOCAL_PREF);
	bgp_update_free(&u);
	/* iBGP, malformed: treat-as-withdraw. */
	assert_withdraw(DECODE(&ibgp4, bad, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_LEN, BGP_ATTR_LOCAL_PREF);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 7.6 ATOMIC_AGGREGATE, 7.7 AGGREGATOR                        */

static void
test_atomic_aggregate(void **state)
{
	static const uint8_t bad[] = {
		BASE, 0x40, 0x06, 0x01, 0x00,	/* ATOMIC_AGGREGATE, 1 */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_discard(DECODE(&ebgp4, bad, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_LEN, BGP_ATTR_ATOMIC_AGGREGATE);
	bgp_update_free(&u);
}

#define ATTR_AGGR6	0xc0, 0x07, 0x06,	/* AGGREGATOR, 6 */		\
			0xfd, 0xe9, 192, 0, 2, 9	/* 65001, 192.0.2.9 */
#define ATTR_AGGR8	0xc0, 0x07, 0x08,	/* AGGREGATOR, 8 */		\
			0x00, 0x00, 0xfd, 0xe9, 192, 0, 2, 9
/* BASE for 2-octet sessions. */
#define BASE2		ATTR_ORIGIN_IGP,					\
			0x40, 0x02, 0x04, 0x02, 0x01, 0xfd, 0xe9,		\
			ATTR_NEXTHOP

static void
test_aggregator(void **state)
{
	static const uint8_t six2[] = { BASE2, ATTR_AGGR6 };
	static const uint8_t eight4[] = { BASE, ATTR_AGGR8 };
	static const uint8_t six4[] = { BASE, ATTR_AGGR6 };
	static const uint8_t eight2[] = { BASE2, ATTR_AGGR8 };
	static const uint8_t as0[] = {
		BASE, 0xc0, 0x07, 0x08,
		0x00, 0x00, 0x00, 0x00, 192, 0, 2, 9,	/* AS 0 */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	/* 6 octets on a 2-octet session, 8 on a 4-octet one. */
	assert_ok(DECODE(&ebgp2, six2, true, &u, &err), &u);
	assert_int_equal(u.attrs.aggregator_as, 65001);
	assert_memory_equal(&u.attrs.aggregator_addr, "\xc0\x00\x02\x09", 4);
	bgp_update_free(&u);
	assert_ok(DECODE(&ebgp4, eight4, true, &u, &err), &u);
	assert_int_equal(u.attrs.aggregator_as, 65001);
	bgp_update_free(&u);
	/* Crossed: attribute discard (7.7). */
	assert_discard(DECODE(&ebgp4, six4, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_LEN, BGP_ATTR_AGGREGATOR);
	bgp_update_free(&u);
	assert_discard(DECODE(&ebgp2, eight2, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_LEN, BGP_ATTR_AGGREGATOR);
	bgp_update_free(&u);
	/* RFC 7607 2. */
	assert_discard(DECODE(&ebgp4, as0, true, &u, &err), &u,
	    BGP_ERR_UPD_OPTIONAL_ATTR, BGP_ATTR_AGGREGATOR);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 7.8 COMMUNITIES, 7.14 EXTENDED COMMUNITIES, RFC 8092 6      */

static void
list_case(uint8_t flags, uint8_t type, size_t len, bool ok)
{
	uint8_t		 a[64] = { BASE };
	size_t		 n = 20;
	struct bgp_update u;
	struct bgp_err	 err;
	int		 rc;

	a[n++] = flags;
	a[n++] = type;
	a[n++] = (uint8_t)len;
	memset(a + n, 0x11, len);
	n += len;
	rc = decode(&ibgp4, a, n, true, &u, &err);
	if (ok) {
		assert_int_equal(rc, 0);
		assert_int_equal(u.outcome, BGP_UPDATE_OK);
		assert_true(bgp_attrs_has(&u.attrs, type));
	} else {
		/* Without LOCAL_PREF the iBGP UPDATE is already withdrawn;
		 * the list error came first. */
		assert_withdraw(rc, &u, BGP_ERR_UPD_ATTR_LEN, type);
		assert_false(bgp_attrs_has(&u.attrs, type));
	}
	bgp_update_free(&u);
}

static void
test_list_lengths(void **state)
{
	(void)state;
	/* 7.8: a non-zero multiple of 4. */
	list_case(0xc0, BGP_ATTR_COMMUNITIES, 0, false);
	list_case(0xc0, BGP_ATTR_COMMUNITIES, 6, false);
	/* 7.10 (iBGP): a non-zero multiple of 4. */
	list_case(0x80, BGP_ATTR_CLUSTER_LIST, 0, false);
	list_case(0x80, BGP_ATTR_CLUSTER_LIST, 5, false);
	/* 7.14: a non-zero multiple of 8. */
	list_case(0xc0, BGP_ATTR_EXT_COMMUNITIES, 0, false);
	list_case(0xc0, BGP_ATTR_EXT_COMMUNITIES, 12, false);
	/* RFC 8092 6: a non-zero multiple of 12. */
	list_case(0xc0, BGP_ATTR_LARGE_COMMUNITIES, 0, false);
	list_case(0xc0, BGP_ATTR_LARGE_COMMUNITIES, 16, false);
	/* RFC 9234 5: exactly 4. */
	list_case(0xc0, BGP_ATTR_OTC, 3, false);
	list_case(0xc0, BGP_ATTR_OTC, 8, false);
	/* 7.9 (iBGP): exactly 4. */
	list_case(0x80, BGP_ATTR_ORIGINATOR_ID, 5, false);
}

static void
test_communities_ok(void **state)
{
	static const uint8_t a[] = {
		BASE,
		0xc0, 0x08, 0x04, 0xff, 0xff, 0x00, 0x00,	/* GSHUT */
		/* 7.14: unknown type and sub-type are not errors. */
		0xc0, 0x10, 0x08, 0xee, 0xee, 1, 2, 3, 4, 5, 6,
		/* RFC 8092 6: duplicates alone are not an error. */
		0xc0, 0x20, 0x18,
		0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
		0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_ok(DECODE(&ebgp4, a, true, &u, &err), &u);
	assert_int_equal(u.attrs.communities.len, 4);
	assert_memory_equal(u.attrs.communities.data,
	    "\xff\xff\x00\x00", 4);
	assert_int_equal(u.attrs.ext_communities.len, 8);
	assert_int_equal(u.attrs.large_communities.len, 24);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 7.9 ORIGINATOR_ID, 7.10 CLUSTER_LIST from eBGP              */

static void
test_reflection_from_ebgp(void **state)
{
	static const uint8_t orig[] = {
		BASE, 0x80, 0x09, 0x04, 10, 0, 0, 1,
	};
	static const uint8_t clist[] = {
		BASE, 0x80, 0x0a, 0x03, 10, 0, 0,	/* even malformed */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_discard(DECODE(&ebgp4, orig, true, &u, &err), &u,
	    BGP_ERR_UPD_OPTIONAL_ATTR, BGP_ATTR_ORIGINATOR_ID);
	bgp_update_free(&u);
	assert_discard(DECODE(&ebgp4, clist, true, &u, &err), &u,
	    BGP_ERR_UPD_OPTIONAL_ATTR, BGP_ATTR_CLUSTER_LIST);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 7.11 MP_REACH_NLRI, 7.12 MP_UNREACH_NLRI, 5.3               */

static void
mp_reset_case(const uint8_t *mp, size_t mplen)
{
	uint8_t		 a[128] = { ATTR_ORIGIN_IGP, ATTR_ASPATH_65001 };
	size_t		 n = 13;
	struct bgp_update u;
	struct bgp_err	 err;
	int		 rc;

	memcpy(a + n, mp, mplen);
	n += mplen;
	rc = decode(&ebgp4, a, n, false, &u, &err);
	/* RFC 4760 7: Optional Attribute Error, with the attribute. */
	assert_reset(rc, &err, BGP_ERR_UPD_OPTIONAL_ATTR, body + 4 + 13,
	    mplen);
	assert_null(u.aspath_owned);
}

static void
test_mp_reach_errors(void **state)
{
	/* 7.11: IPv6 next hop length 4. */
	static const uint8_t nh4[] = {
		0x80, 0x0e, 0x0d, 0x00, 0x02, 0x01, 0x04, 192, 0, 2, 1, 0x00,
		0x20, 0x20, 0x01, 0x0d,
	};
	/* 7.11: IPv4 unicast next hop length 16. */
	static const uint8_t nh16[] = {
		0x80, 0x0e, 0x17, 0x00, 0x01, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00, 0x08, 10,
	};
	/* 7.11: next hop longer than the attribute. */
	static const uint8_t nh_overrun[] = {
		0x80, 0x0e, 0x06, 0x00, 0x02, 0x01, 0x10, 0x20, 0x01,
	};
	/* 5.3: shorter than 5 octets. */
	static const uint8_t short4[] = {
		0x80, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00,
	};
	/* 5.3: an IPv6 prefix of 129 bits. */
	static const uint8_t len129[] = {
		0x80, 0x0e, 0x16, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00, 0x81,
	};
	/* 5.3: the last prefix overruns the attribute. */
	static const uint8_t nlri_overrun[] = {
		0x80, 0x0e, 0x18, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00, 0x30, 0x20, 0x01,
	};
	/* 5.3: flags other than RFC 4760's (transitive set). */
	static const uint8_t flags[] = {
		0xc0, 0x0e, 0x15, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00,
	};
	/* 5.3: MP_UNREACH_NLRI shorter than 3 octets. */
	static const uint8_t unreach2[] = { 0x80, 0x0f, 0x02, 0x00, 0x02 };
	/* 5.3: an IPv4 withdrawal of 33 bits in MP_UNREACH_NLRI. */
	static const uint8_t unreach33[] = {
		0x80, 0x0f, 0x08, 0x00, 0x01, 0x01, 0x21, 10, 0, 0, 0,
	};

	(void)state;
	mp_reset_case(nh4, sizeof(nh4));
	mp_reset_case(nh16, sizeof(nh16));
	mp_reset_case(nh_overrun, sizeof(nh_overrun));
	mp_reset_case(short4, sizeof(short4));
	mp_reset_case(len129, sizeof(len129));
	mp_reset_case(nlri_overrun, sizeof(nlri_overrun));
	mp_reset_case(flags, sizeof(flags));
	mp_reset_case(unreach2, sizeof(unreach2));
	mp_reset_case(unreach33, sizeof(unreach33));
}

/* A family we never negotiate (EVPN, AFI 25 SAFI 70) is ignored. */
static void
test_mp_unsupported_family(void **state)
{
	static const uint8_t a[] = {
		0x90, 0x0e, 0x00, 0x12,		/* MP_REACH_NLRI, ext, 18 */
		0x00, 0x19, 0x46,		/* L2VPN EVPN */
		0x04, 10, 0, 0, 1,		/* next hop 10.0.0.1 */
		0x00,				/* reserved */
		0x03, 0x07, 1, 2, 3, 4, 5, 6, 7,	/* route type 3 */
		ATTR_ORIGIN_IGP, ATTR_ASPATH_65001,
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_ok(DECODE(&ebgp4, a, false, &u, &err), &u);
	assert_true(bgp_attrs_has(&u.attrs, BGP_ATTR_MP_REACH_NLRI));
	assert_int_equal(u.attrs.mp_reach_aid, BGP_AID_MAX);
	assert_int_equal(u.attrs.mp_reach_nlri.len, 0);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 3.c flags, 3.d missing attributes                           */

static void
test_flags_conflict(void **state)
{
	static const uint8_t origin_opt[] = {
		0xc0, 0x01, 0x01, 0x00,		/* ORIGIN marked optional */
		ATTR_ASPATH_65001, ATTR_NEXTHOP,
	};
	static const uint8_t aspath_nontrans[] = {
		ATTR_ORIGIN_IGP,
		0x00, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		ATTR_NEXTHOP,
	};
	static const uint8_t med_trans[] = {
		BASE, 0xc0, 0x04, 0x04, 0, 0, 0, 1,	/* MED transitive */
	};
	static const uint8_t comm_wk[] = {
		BASE, 0x40, 0x08, 0x04, 0, 1, 0, 1,	/* COMMUNITIES WK */
	};
	/* 3.f (via 7.7): AGGREGATOR keeps its own outcome, discard. */
	static const uint8_t aggr_nontrans[] = {
		BASE, 0x80, 0x07, 0x08, 0, 0, 0xfd, 0xe9, 192, 0, 2, 9,
	};
	/* Partial and Extended Length are not conflicts (3.c). */
	static const uint8_t partial_ext[] = {
		ATTR_ORIGIN_IGP, ATTR_ASPATH_65001,
		0x50, 0x03, 0x00, 0x04, 192, 0, 2, 1,	/* NEXT_HOP, ext */
		0xe0, 0x08, 0x04, 0, 1, 0, 1,		/* COMMUNITIES, P */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_withdraw(DECODE(&ebgp4, origin_opt, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_FLAGS, BGP_ATTR_ORIGIN);
	bgp_update_free(&u);
	assert_withdraw(DECODE(&ebgp4, aspath_nontrans, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_FLAGS, BGP_ATTR_AS_PATH);
	bgp_update_free(&u);
	assert_withdraw(DECODE(&ebgp4, med_trans, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_FLAGS, BGP_ATTR_MED);
	bgp_update_free(&u);
	assert_withdraw(DECODE(&ebgp4, comm_wk, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_FLAGS, BGP_ATTR_COMMUNITIES);
	bgp_update_free(&u);
	assert_discard(DECODE(&ebgp4, aggr_nontrans, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_FLAGS, BGP_ATTR_AGGREGATOR);
	bgp_update_free(&u);
	assert_ok(DECODE(&ebgp4, partial_ext, true, &u, &err), &u);
	assert_int_equal(u.attrs.communities.len, 4);
	bgp_update_free(&u);
}

static void
test_missing_mandatory(void **state)
{
	static const uint8_t no_origin[] = { ATTR_ASPATH_65001, ATTR_NEXTHOP };
	static const uint8_t no_aspath[] = { ATTR_ORIGIN_IGP, ATTR_NEXTHOP };
	static const uint8_t no_nexthop[] = {
		ATTR_ORIGIN_IGP, ATTR_ASPATH_65001,
	};
	static const uint8_t base[] = { BASE };
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_withdraw(DECODE(&ebgp4, no_origin, true, &u, &err), &u,
	    BGP_ERR_UPD_MISSING_WELLKNOWN, BGP_ATTR_ORIGIN);
	bgp_update_free(&u);
	assert_withdraw(DECODE(&ebgp4, no_aspath, true, &u, &err), &u,
	    BGP_ERR_UPD_MISSING_WELLKNOWN, BGP_ATTR_AS_PATH);
	bgp_update_free(&u);
	assert_withdraw(DECODE(&ebgp4, no_nexthop, true, &u, &err), &u,
	    BGP_ERR_UPD_MISSING_WELLKNOWN, BGP_ATTR_NEXT_HOP);
	bgp_update_free(&u);
	/* LOCAL_PREF is mandatory only from internal peers. */
	assert_withdraw(DECODE(&ibgp4, base, true, &u, &err), &u,
	    BGP_ERR_UPD_MISSING_WELLKNOWN, BGP_ATTR_LOCAL_PREF);
	bgp_update_free(&u);
	/* Nothing is mandatory without NLRI: a withdrawal needs none. */
	assert_ok(DECODE(&ebgp4, no_origin, false, &u, &err), &u);
	bgp_update_free(&u);
}

/* MP_REACH_NLRI alone needs ORIGIN and AS_PATH but no NEXT_HOP. */
static void
test_missing_with_mp(void **state)
{
	static const uint8_t a[] = {
		0x80, 0x0e, 0x15, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00,				/* no NLRI at all */
		ATTR_ORIGIN_IGP,
	};
	static const uint8_t b[] = {
		0x80, 0x0e, 0x15, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00,
		ATTR_ORIGIN_IGP, ATTR_ASPATH_65001,
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_withdraw(DECODE(&ebgp4, a, false, &u, &err), &u,
	    BGP_ERR_UPD_MISSING_WELLKNOWN, BGP_ATTR_AS_PATH);
	bgp_update_free(&u);
	assert_ok(DECODE(&ebgp4, b, false, &u, &err), &u);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 3.g duplicates, 3.h strongest action, RFC 4271 unknowns     */

static void
test_duplicates(void **state)
{
	static const uint8_t a[] = {
		BASE,
		0x40, 0x01, 0x01, 0x01,		/* ORIGIN again: EGP */
		0xc0, 0x63, 0x01, 0xaa,		/* unknown 99 */
		0xc0, 0x63, 0x01, 0xbb,		/* unknown 99 again */
	};
	/* A malformed first occurrence stands; the repeat is dropped. */
	static const uint8_t bad_first[] = {
		0x40, 0x01, 0x01, 0x07,		/* ORIGIN 7 */
		ATTR_ASPATH_65001, ATTR_NEXTHOP,
		0x40, 0x01, 0x01, 0x00,		/* ORIGIN IGP */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_int_equal(DECODE(&ebgp4, a, true, &u, &err), 0);
	assert_int_equal(u.outcome, BGP_UPDATE_OK);
	assert_int_equal(u.attrs.origin, BGP_ORIGIN_IGP);
	assert_true(discarded(&u, BGP_ATTR_ORIGIN));
	assert_true(discarded(&u, 99));
	assert_int_equal(u.err_subcode, BGP_ERR_UPD_MALFORMED_ATTR_LIST);
	assert_int_equal(u.err_attr, BGP_ATTR_ORIGIN);
	assert_int_equal(u.attrs.n_unknown, 1);
	assert_int_equal(u.attrs.unknown[0].value.data[0], 0xaa);
	bgp_update_free(&u);

	assert_withdraw(DECODE(&ebgp4, bad_first, true, &u, &err), &u,
	    BGP_ERR_UPD_BAD_ORIGIN, BGP_ATTR_ORIGIN);
	bgp_update_free(&u);
}

static void
test_duplicate_mp(void **state)
{
	static const uint8_t reach[] = {
		ATTR_ORIGIN_IGP, ATTR_ASPATH_65001,
		0x80, 0x0e, 0x15, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00,
		0x80, 0x0e, 0x15, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00,
	};
	static const uint8_t unreach[] = {
		0x80, 0x0f, 0x03, 0x00, 0x02, 0x01,
		0x80, 0x0f, 0x03, 0x00, 0x02, 0x01,
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_reset(DECODE(&ebgp4, reach, false, &u, &err), &err,
	    BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL, 0);
	assert_reset(DECODE(&ebgp4, unreach, false, &u, &err), &err,
	    BGP_ERR_UPD_MALFORMED_ATTR_LIST, NULL, 0);
}

static void
test_unknown_wellknown(void **state)
{
	static const uint8_t a[] = {
		BASE,
		0x40, 0x63, 0x02, 0x12, 0x34,	/* type 99, well-known */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	/* RFC 4271 6.3: 3/2 with the attribute as data. */
	assert_reset(DECODE(&ebgp4, a, true, &u, &err), &err,
	    BGP_ERR_UPD_UNKNOWN_WELLKNOWN, a + 20, 5);
}

static void
test_unknown_optional_kept(void **state)
{
	static const uint8_t a[] = {
		BASE,
		0xe0, 0x80, 0x02, 0xde, 0xad,	/* 128, opt trans partial */
		0x80, 0x42, 0x00,		/* 66, opt non-trans, empty */
	};
	struct bgp_update u;
	struct bgp_err	 err;
	uint8_t		 out[64];
	struct buf	 w;
	static const uint8_t want[] = {
		BASE,
		0x80, 0x42, 0x00,		/* type order: 66 first */
		0xe0, 0x80, 0x02, 0xde, 0xad,
	};

	(void)state;
	assert_ok(DECODE(&ebgp4, a, true, &u, &err), &u);
	assert_int_equal(u.attrs.n_unknown, 2);
	assert_false(u.attrs.unknown_truncated);
	assert_int_equal(u.attrs.unknown[0].flags, 0xe0);
	assert_int_equal(u.attrs.unknown[0].type, 128);
	assert_int_equal(u.attrs.unknown[0].value.len, 2);
	assert_memory_equal(u.attrs.unknown[0].value.data, "\xde\xad", 2);
	assert_int_equal(u.attrs.unknown[1].type, 66);
	assert_int_equal(u.attrs.unknown[1].value.len, 0);
	assert_true(bgp_attrs_has(&u.attrs, 128));

	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_attrs_put(&w, &u.attrs, &enc4), 0);
	assert_int_equal(buf_len(&w), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	bgp_update_free(&u);
}

/*
 * RFC 7606 7.13 (Traffic Engineering, 24), 7.15 (IPv6 Address Specific
 * Extended Community, 25) and 7.16 (ATTR_SET, 128) define errors for
 * attributes this speaker does not recognise: they are kept untouched,
 * as RFC 4271 5 keeps any unrecognised optional attribute, even with a
 * length those sections would call malformed.
 */
static void
test_unrecognised_7606_attrs(void **state)
{
	static const uint8_t a[] = {
		BASE,
		0xc0, 0x18, 0x01, 0x00,		/* TE, 1 octet */
		0xc0, 0x19, 0x07, 1, 2, 3, 4, 5, 6, 7,	/* not 20n */
		0xc0, 0x80, 0x02, 0x00, 0x00,	/* ATTR_SET, 2 */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_ok(DECODE(&ebgp4, a, true, &u, &err), &u);
	assert_int_equal(u.attrs.n_unknown, 3);
	assert_int_equal(u.attrs.unknown[0].type, 24);
	assert_int_equal(u.attrs.unknown[1].type, 25);
	assert_int_equal(u.attrs.unknown[1].value.len, 7);
	assert_int_equal(u.attrs.unknown[2].type, 128);
	bgp_update_free(&u);
}

static void
test_unknown_truncated(void **state)
{
	uint8_t		 a[20 + 3 * (BGP_ATTRS_UNKNOWN_MAX + 2)] = { BASE };
	size_t		 n = 20, i;
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	for (i = 0; i < BGP_ATTRS_UNKNOWN_MAX + 2; i++) {
		a[n++] = 0xc0;
		a[n++] = (uint8_t)(100 + i);
		a[n++] = 0;
	}
	assert_ok(decode(&ebgp4, a, n, true, &u, &err), &u);
	assert_int_equal(u.attrs.n_unknown, BGP_ATTRS_UNKNOWN_MAX);
	assert_true(u.attrs.unknown_truncated);
	assert_true(bgp_attrs_has(&u.attrs, 100 + BGP_ATTRS_UNKNOWN_MAX + 1));
	bgp_update_free(&u);
}

static void
test_strongest_action(void **state)
{
	/* A discard, then a withdraw: withdraw (3.h), first error kept. */
	static const uint8_t dw[] = {
		BASE,
		0x40, 0x06, 0x01, 0x00,		/* ATOMIC_AGGREGATE, 1 */
		0xc0, 0x08, 0x03, 0, 0, 0,	/* COMMUNITIES, 3 */
	};
	/* A withdraw, then an unknown well-known: reset. */
	static const uint8_t wr[] = {
		BASE,
		0xc0, 0x08, 0x03, 0, 0, 0,
		0x40, 0x70, 0x00,		/* type 112, well-known */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_withdraw(DECODE(&ebgp4, dw, true, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_LEN, BGP_ATTR_ATOMIC_AGGREGATE);
	assert_true(discarded(&u, BGP_ATTR_ATOMIC_AGGREGATE));
	bgp_update_free(&u);
	assert_reset(DECODE(&ebgp4, wr, true, &u, &err), &err,
	    BGP_ERR_UPD_UNKNOWN_WELLKNOWN, wr + 26, 3);
}

/* ------------------------------------------------------------------ */
/* RFC 7606 4 attribute framing, 5.2 no reachable NLRI                  */

static void
test_attr_overrun(void **state)
{
	/* The last attribute claims 8 octets, 4 remain. */
	static const uint8_t over[] = {
		BASE, 0xc0, 0x08, 0x08, 0, 1, 0, 1,
	};
	/* Two octets left: not even a header. */
	static const uint8_t tail2[] = { BASE, 0x40, 0x05 };
	/* Extended length flag with three octets left. */
	static const uint8_t tail3[] = { BASE, 0x50, 0x05, 0x00 };
	struct bgp_update u;
	struct bgp_err	 err;
	struct buf	 nb;
	struct bgp_prefix p;

	(void)state;
	assert_withdraw(DECODE(&ebgp4, over, true, &u, &err), &u,
	    BGP_ERR_UPD_MALFORMED_ATTR_LIST, BGP_ATTR_COMMUNITIES);
	/* The total attribute length still locates the NLRI. */
	assert_int_equal(u.nlri.len, 4);
	buf_view(&nb, u.nlri.data, u.nlri.len);
	assert_int_equal(bgp_nlri_next(&nb, BGP_AID_IPV4, false, &p), 1);
	assert_int_equal(p.len, 24);
	bgp_update_free(&u);
	assert_withdraw(DECODE(&ebgp4, tail2, true, &u, &err), &u,
	    BGP_ERR_UPD_MALFORMED_ATTR_LIST, BGP_ATTR_LOCAL_PREF);
	bgp_update_free(&u);
	assert_withdraw(DECODE(&ebgp4, tail3, true, &u, &err), &u,
	    BGP_ERR_UPD_MALFORMED_ATTR_LIST, BGP_ATTR_LOCAL_PREF);
	bgp_update_free(&u);
	/* 5.2: with no NLRI the same errors reset the session. */
	assert_reset(DECODE(&ebgp4, over, false, &u, &err), &err,
	    BGP_ERR_UPD_MALFORMED_ATTR_LIST, over + 20, 7);
}

/* An MP attribute that overruns cannot be parsed: reset (3.j). */
static void
test_mp_overrun(void **state)
{
	static const uint8_t a[] = {
		BASE,
		0x80, 0x0f, 0x09, 0x00, 0x02, 0x01, 0x20, 0x20,
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_reset(DECODE(&ebgp4, a, true, &u, &err), &err,
	    BGP_ERR_UPD_OPTIONAL_ATTR, a + 20, 8);
}

static void
test_no_reachable_nlri(void **state)
{
	/* Only withdrawals, plus a malformed ORIGIN: reset with it. */
	static const uint8_t bad_origin[] = { 0x40, 0x01, 0x01, 0x09 };
	/* A discard alone stays a discard. */
	static const uint8_t bad_atomic[] = { 0x40, 0x06, 0x01, 0x00 };
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_reset(DECODE(&ebgp4, bad_origin, false, &u, &err), &err,
	    BGP_ERR_UPD_BAD_ORIGIN, body + 4, 4);
	assert_discard(DECODE(&ebgp4, bad_atomic, false, &u, &err), &u,
	    BGP_ERR_UPD_ATTR_LEN, BGP_ATTR_ATOMIC_AGGREGATE);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* RFC 6793: AS4_* on a 4-octet session, malformed AS4_*               */

static void
test_as4_attrs_on_as4_session(void **state)
{
	static const uint8_t a[] = {
		BASE,
		0xc0, 0x11, 0x06, 0x02, 0x01, 0x00, 0x01, 0x00, 0x00,
		0xc0, 0x12, 0x08, 0x00, 0x01, 0x00, 0x00, 192, 0, 2, 9,
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	/* RFC 6793 4.1: discarded, processing goes on. */
	assert_int_equal(DECODE(&ebgp4, a, true, &u, &err), 0);
	assert_int_equal(u.outcome, BGP_UPDATE_OK);
	assert_true(discarded(&u, BGP_ATTR_AS4_PATH));
	assert_true(discarded(&u, BGP_ATTR_AS4_AGGREGATOR));
	assert_int_equal(bgp_aspath_length(&u.attrs), 1);
	bgp_update_free(&u);
}

static void
test_as4_malformed(void **state)
{
	static const uint8_t a[] = {
		ATTR_ORIGIN_IGP,
		0x40, 0x02, 0x04, 0x02, 0x01, 0xfd, 0xe9,	/* 2-octet */
		ATTR_NEXTHOP,
		0xc0, 0x11, 0x03, 0x02, 0x01, 0x00,	/* AS4_PATH overrun */
		0xc0, 0x12, 0x06, 0, 1, 0, 0, 0, 0,	/* AS4_AGGR, 6 */
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	/* RFC 6793 6: attribute discard. */
	assert_int_equal(DECODE(&ebgp2, a, true, &u, &err), 0);
	assert_int_equal(u.outcome, BGP_UPDATE_OK);
	assert_true(discarded(&u, BGP_ATTR_AS4_PATH));
	assert_true(discarded(&u, BGP_ATTR_AS4_AGGREGATOR));
	assert_int_equal(u.err_subcode, BGP_ERR_UPD_OPTIONAL_ATTR);
	assert_int_equal(u.err_attr, BGP_ATTR_AS4_PATH);
	assert_int_equal(bgp_aspath_length(&u.attrs), 1);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                             */

static void
put_check(const struct bgp_attrs *a, const struct bgp_encode_ctx *ctx,
    const uint8_t *want, size_t wantlen)
{
	uint8_t		 out[2048];
	struct buf	 w;

	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_attrs_put(&w, a, ctx), 0);
	assert_int_equal(buf_len(&w), wantlen);
	assert_memory_equal(out, want, wantlen);
}

static void
test_put_each(void **state)
{
	struct bgp_attrs a;
	static const uint8_t path[] = {
		0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
	};
	static const uint8_t want[] = {
		0x40, 0x01, 0x01, 0x01,			/* ORIGIN EGP */
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		0x40, 0x03, 0x04, 203, 0, 113, 1,	/* NEXT_HOP */
		0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x05,	/* MED 5 */
		0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x96,	/* LP 150 */
		0x40, 0x06, 0x00,			/* ATOMIC_AGGREGATE */
		0xc0, 0x07, 0x08, 0x00, 0x00, 0xfd, 0xe9, 203, 0, 113, 2,
		0x80, 0x09, 0x04, 10, 9, 8, 7,		/* ORIGINATOR_ID */
		0xc0, 0x23, 0x04, 0x00, 0x00, 0xfd, 0xe9,	/* OTC */
	};

	(void)state;
	memset(&a, 0, sizeof(a));
	a.origin = BGP_ORIGIN_EGP;
	a.aspath.data = path;
	a.aspath.len = sizeof(path);
	memcpy(&a.nexthop, "\xcb\x00\x71\x01", 4);
	a.med = 5;
	a.local_pref = 150;
	a.aggregator_as = 65001;
	memcpy(&a.aggregator_addr, "\xcb\x00\x71\x02", 4);
	memcpy(&a.originator_id, "\x0a\x09\x08\x07", 4);
	a.otc = 65001;
	bgp_attrs_set(&a, BGP_ATTR_OTC);	/* set out of order on purpose */
	bgp_attrs_set(&a, BGP_ATTR_ORIGINATOR_ID);
	bgp_attrs_set(&a, BGP_ATTR_AGGREGATOR);
	bgp_attrs_set(&a, BGP_ATTR_ATOMIC_AGGREGATE);
	bgp_attrs_set(&a, BGP_ATTR_LOCAL_PREF);
	bgp_attrs_set(&a, BGP_ATTR_MED);
	bgp_attrs_set(&a, BGP_ATTR_NEXT_HOP);
	bgp_attrs_set(&a, BGP_ATTR_AS_PATH);
	bgp_attrs_set(&a, BGP_ATTR_ORIGIN);
	put_check(&a, &enc4, want, sizeof(want));
}

/* Extended length exactly when the value passes 255 octets. */
static void
test_put_extended_length(void **state)
{
	static uint8_t	 comm[256];
	static uint8_t	 out[600];
	struct bgp_attrs a;
	struct buf	 w;

	(void)state;
	memset(comm, 0x22, sizeof(comm));
	memset(&a, 0, sizeof(a));
	bgp_attrs_set(&a, BGP_ATTR_COMMUNITIES);
	a.communities.data = comm;

	a.communities.len = 252;		/* 63 communities */
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_attrs_put(&w, &a, &enc4), 0);
	assert_int_equal(buf_len(&w), 3 + 252);
	assert_memory_equal(out, "\xc0\x08\xfc", 3);

	a.communities.len = 256;		/* 64 communities */
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_attrs_put(&w, &a, &enc4), 0);
	assert_int_equal(buf_len(&w), 4 + 256);
	assert_memory_equal(out, "\xd0\x08\x01\x00", 4);
}

static void
test_put_refuses_malformed(void **state)
{
	struct bgp_attrs a;
	uint8_t		 out[64];
	struct buf	 w;
	static const uint8_t path0[] = { 0x02, 0x01, 0, 0, 0, 0 };

	(void)state;
	memset(&a, 0, sizeof(a));
	bgp_attrs_set(&a, BGP_ATTR_COMMUNITIES);
	a.communities.data = (const uint8_t *)"\x01\x02\x03\x04\x05\x06";
	a.communities.len = 6;
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_attrs_put(&w, &a, &enc4), -1);

	memset(&a, 0, sizeof(a));
	bgp_attrs_set(&a, BGP_ATTR_AS_PATH);	/* AS 0: RFC 7607 */
	a.aspath.data = path0;
	a.aspath.len = sizeof(path0);
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_attrs_put(&w, &a, &enc4), -1);

	memset(&a, 0, sizeof(a));
	bgp_attrs_set(&a, BGP_ATTR_AGGREGATOR);	/* AS 0: RFC 7607 */
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_attrs_put(&w, &a, &enc4), -1);

	/* A writer too small. */
	memset(&a, 0, sizeof(a));
	bgp_attrs_set(&a, BGP_ATTR_MED);
	buf_init(&w, out, 5);
	assert_int_equal(bgp_attrs_put(&w, &a, &enc4), -1);
}

/* RFC 6793 4.2.2: a 2-octet session gets AS_TRANS, then AS4_PATH
 * without the confederation segment, and AS4_AGGREGATOR. */
static void
test_put_as2_session(void **state)
{
	struct bgp_attrs a;
	static const uint8_t path[] = {
		0x03, 0x01, 0x00, 0x00, 0xfd, 0xe8,	/* CONFED_SEQ 65000 */
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9,	/* SEQ 65001 */
		0x00, 0x03, 0x0d, 0x40,			/* 200000 */
	};
	static const uint8_t want[] = {
		0x40, 0x02, 0x0a,		/* AS_PATH, 10 */
		0x03, 0x01, 0xfd, 0xe8,		/* CONFED_SEQ 65000 */
		0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0,	/* 65001 AS_TRANS */
		0xc0, 0x07, 0x06,		/* AGGREGATOR, 6 */
		0x5b, 0xa0, 192, 0, 2, 9,	/* AS_TRANS */
		0xc0, 0x11, 0x0a,		/* AS4_PATH, 10 */
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x03, 0x0d, 0x40,
		0xc0, 0x12, 0x08,		/* AS4_AGGREGATOR */
		0x00, 0x03, 0x0d, 0x40, 192, 0, 2, 9,
	};
	static const uint8_t small[] = {
		0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
	};
	static const uint8_t want_small[] = {
		0x40, 0x02, 0x04, 0x02, 0x01, 0xfd, 0xe9,	/* no AS4_PATH */
	};

	(void)state;
	memset(&a, 0, sizeof(a));
	bgp_attrs_set(&a, BGP_ATTR_AS_PATH);
	bgp_attrs_set(&a, BGP_ATTR_AGGREGATOR);
	a.aspath.data = path;
	a.aspath.len = sizeof(path);
	a.aggregator_as = 200000;
	memcpy(&a.aggregator_addr, "\xc0\x00\x02\x09", 4);
	put_check(&a, &enc2, want, sizeof(want));

	memset(&a, 0, sizeof(a));
	bgp_attrs_set(&a, BGP_ATTR_AS_PATH);
	a.aspath.data = small;
	a.aspath.len = sizeof(small);
	put_check(&a, &enc2, want_small, sizeof(want_small));
}

/* What the 2-octet encoder writes, the 2-octet decoder reads back. */
static void
test_as2_roundtrip(void **state)
{
	struct bgp_attrs a;
	static const uint8_t path[] = {
		0x02, 0x03, 0x00, 0x00, 0xfd, 0xe9,	/* 65001 */
		0x00, 0x03, 0x0d, 0x40,			/* 200000 */
		0x00, 0x00, 0x00, 0x07,			/* 7 */
	};
	uint8_t		 attrs[128];
	struct buf	 w;
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	memset(&a, 0, sizeof(a));
	bgp_attrs_set(&a, BGP_ATTR_ORIGIN);
	bgp_attrs_set(&a, BGP_ATTR_AS_PATH);
	bgp_attrs_set(&a, BGP_ATTR_NEXT_HOP);
	bgp_attrs_set(&a, BGP_ATTR_AGGREGATOR);
	a.aspath.data = path;
	a.aspath.len = sizeof(path);
	memcpy(&a.nexthop, "\xc0\x00\x02\x01", 4);
	a.aggregator_as = 4200000000u;
	memcpy(&a.aggregator_addr, "\xc0\x00\x02\x09", 4);
	buf_init(&w, attrs, sizeof(attrs));
	assert_int_equal(bgp_attrs_put(&w, &a, &enc2), 0);

	assert_ok(decode(&ebgp2, attrs, buf_len(&w), true, &u, &err), &u);
	assert_non_null(u.aspath_owned);
	assert_int_equal(u.attrs.aspath.len, sizeof(path));
	assert_memory_equal(u.attrs.aspath.data, path, sizeof(path));
	assert_int_equal(u.attrs.aggregator_as, 4200000000u);
	assert_false(bgp_attrs_has(&u.attrs, BGP_ATTR_AS4_PATH));
	assert_false(bgp_attrs_has(&u.attrs, BGP_ATTR_AS4_AGGREGATOR));
	bgp_update_free(&u);
	assert_null(u.aspath_owned);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_set),
		cmocka_unit_test(test_full_set_decode),
		cmocka_unit_test(test_full_set_roundtrip),
		cmocka_unit_test(test_origin_bad_length),
		cmocka_unit_test(test_origin_bad_value),
		cmocka_unit_test(test_aspath_rules),
		cmocka_unit_test(test_nexthop_bad_length),
		cmocka_unit_test(test_nexthop_not_host),
		cmocka_unit_test(test_nexthop_ignored_with_mp),
		cmocka_unit_test(test_med),
		cmocka_unit_test(test_local_pref),
		cmocka_unit_test(test_atomic_aggregate),
		cmocka_unit_test(test_aggregator),
		cmocka_unit_test(test_list_lengths),
		cmocka_unit_test(test_communities_ok),
		cmocka_unit_test(test_reflection_from_ebgp),
		cmocka_unit_test(test_mp_reach_errors),
		cmocka_unit_test(test_mp_unsupported_family),
		cmocka_unit_test(test_flags_conflict),
		cmocka_unit_test(test_missing_mandatory),
		cmocka_unit_test(test_missing_with_mp),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_duplicate_mp),
		cmocka_unit_test(test_unknown_wellknown),
		cmocka_unit_test(test_unknown_optional_kept),
		cmocka_unit_test(test_unrecognised_7606_attrs),
		cmocka_unit_test(test_unknown_truncated),
		cmocka_unit_test(test_strongest_action),
		cmocka_unit_test(test_attr_overrun),
		cmocka_unit_test(test_mp_overrun),
		cmocka_unit_test(test_no_reachable_nlri),
		cmocka_unit_test(test_as4_attrs_on_as4_session),
		cmocka_unit_test(test_as4_malformed),
		cmocka_unit_test(test_put_each),
		cmocka_unit_test(test_put_extended_length),
		cmocka_unit_test(test_put_refuses_malformed),
		cmocka_unit_test(test_put_as2_session),
		cmocka_unit_test(test_as2_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
