/*
 * UPDATE framing and packing (bgp_update.c): the withdrawn routes, path
 * attribute and NLRI fields, MP_REACH/MP_UNREACH for both families,
 * End-of-RIB, ADD-PATH, the AS path rebuilt from AS_PATH and AS4_PATH on
 * 2-octet sessions, and the packer's exact bytes and message counts.
 * Every message is laid out field by field as RFC 4271 4.3 draws it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../src/bgp.h"
#include "../src/buf.h"
#include "../src/util.h"

#define MARKER	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,		\
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

static const struct bgp_decode_ctx ebgp4 = { .as4 = true, .ebgp = true };
static const struct bgp_decode_ctx ebgp2 = { .as4 = false, .ebgp = true };
static const struct bgp_encode_ctx enc4 = { .as4 = true, .maxlen = 4096 };
static const struct bgp_encode_ctx enc2 = { .as4 = false, .maxlen = 4096 };

/* Decodes an UPDATE body (after the header) from a copy of exactly len
 * octets, so that the sanitizers see any read past the end. The copy is
 * kept until the next call, as the update's views point into it. */
static uint8_t	*copy;

static int
decode_body(const struct bgp_decode_ctx *ctx, const uint8_t *data,
    size_t len, struct bgp_update *u, struct bgp_err *err)
{
	struct buf	 b;

	free(copy);
	copy = malloc(len > 0 ? len : 1);
	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, data, len);
	buf_view(&b, copy, len);
	memset(err, 0, sizeof(*err));
	return bgp_msg_get_update(&b, ctx, u, err);
}

#define DECODE(ctx, a, u, err)	decode_body(ctx, a, sizeof(a), u, err)

/* A whole message, header included, through bgp_msg_decode(). */
static int
decode_msg(const struct bgp_decode_ctx *ctx, const uint8_t *data,
    size_t len, size_t maxlen, struct bgp_msg *m, struct bgp_err *err)
{
	struct buf	 b;

	buf_view(&b, data, len);
	memset(err, 0, sizeof(*err));
	return bgp_msg_decode(&b, maxlen, ctx, m, err);
}

static struct bgp_prefix
pfx4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t len)
{
	struct bgp_prefix p;

	memset(&p, 0, sizeof(p));
	p.aid = BGP_AID_IPV4;
	p.len = len;
	p.addr[0] = a;
	p.addr[1] = b;
	p.addr[2] = c;
	p.addr[3] = d;
	return p;
}

static void
assert_prefix(const struct bgp_prefix *p, uint8_t aid, const char *addr,
    uint8_t len)
{
	uint8_t	 want[16];

	memset(want, 0, sizeof(want));
	memcpy(want, addr, aid == BGP_AID_IPV4 ? 4 : 16);
	assert_int_equal(p->aid, aid);
	assert_int_equal(p->len, len);
	assert_memory_equal(p->addr, want, 16);
}

/* ------------------------------------------------------------------ */
/* Framing                                                              */

static void
test_framing_errors(void **state)
{
	/* Withdrawn Routes Length 5 with 4 octets after it. */
	static const uint8_t wd_over[] = { 0x00, 0x05, 0x18, 10, 0, 0 };
	/* Total Path Attribute Length 8 with 4 octets after it. */
	static const uint8_t attr_over[] = {
		0x00, 0x00, 0x00, 0x08, 0x40, 0x01, 0x01, 0x00,
	};
	/* No room for the attribute length at all. */
	static const uint8_t short3[] = { 0x00, 0x00, 0x00 };
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	/* RFC 7606 3.b: Malformed Attribute List, no data. */
	assert_int_equal(DECODE(&ebgp4, wd_over, &u, &err), -1);
	assert_int_equal(err.code, BGP_ERR_UPDATE);
	assert_int_equal(err.subcode, BGP_ERR_UPD_MALFORMED_ATTR_LIST);
	assert_int_equal(err.datalen, 0);
	assert_int_equal(DECODE(&ebgp4, attr_over, &u, &err), -1);
	assert_int_equal(err.subcode, BGP_ERR_UPD_MALFORMED_ATTR_LIST);
	assert_int_equal(DECODE(&ebgp4, short3, &u, &err), -1);
	assert_int_equal(err.subcode, BGP_ERR_UPD_MALFORMED_ATTR_LIST);
	assert_int_equal(decode_body(&ebgp4, short3, 0, &u, &err), -1);
}

static void
test_bad_network_fields(void **state)
{
	/* Withdrawn 10.0.0.0/33. */
	static const uint8_t wd33[] = {
		0x00, 0x05, 0x21, 10, 0, 0, 0, 0x00, 0x00,
	};
	/* Withdrawn /24 with 2 of its 3 octets. */
	static const uint8_t wd_over[] = {
		0x00, 0x03, 0x18, 10, 0, 0x00, 0x00,
	};
	/* NLRI /40 after a valid attribute set. */
	static const uint8_t nlri40[] = {
		0x00, 0x00, 0x00, 0x14,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		0x40, 0x03, 0x04, 192, 0, 2, 1,
		0x28, 1, 2, 3, 4, 5,
	};
	/* NLRI /16 with one octet. */
	static const uint8_t nlri_over[] = {
		0x00, 0x00, 0x00, 0x14,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		0x40, 0x03, 0x04, 192, 0, 2, 1,
		0x18, 10, 0, 0, 0x10, 10,
	};
	const uint8_t	*v[] = { wd33, wd_over, nlri40, nlri_over };
	size_t		 n[] = {
		sizeof(wd33), sizeof(wd_over), sizeof(nlri40), sizeof(nlri_over)
	};
	struct bgp_update u;
	struct bgp_err	 err;
	size_t		 i;

	(void)state;
	/* RFC 7606 3.i, 5.3; RFC 4271 6.3: Invalid Network Field. */
	for (i = 0; i < nitems(v); i++) {
		assert_int_equal(decode_body(&ebgp4, v[i], n[i], &u, &err), -1);
		assert_int_equal(err.code, BGP_ERR_UPDATE);
		assert_int_equal(err.subcode, BGP_ERR_UPD_BAD_NETWORK);
	}
}

static void
test_ipv4_fields(void **state)
{
	static const uint8_t body[] = {
		0x00, 0x06,			/* withdrawn routes length */
		0x00,				/* 0.0.0.0/0 */
		0x20, 192, 0, 2, 255,		/* 192.0.2.255/32 */
		0x00, 0x14,			/* total path attribute length */
		0x40, 0x01, 0x01, 0x00,		/* ORIGIN IGP */
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		0x40, 0x03, 0x04, 192, 0, 2, 1,	/* NEXT_HOP */
		0x0d, 0x0b, 0x0d,		/* 11.13.0.0/13, host bits */
		0x18, 198, 51, 100,		/* 198.51.100.0/24 */
	};
	struct bgp_update u;
	struct bgp_err	 err;
	struct bgp_prefix p;
	struct buf	 b;

	(void)state;
	assert_int_equal(DECODE(&ebgp4, body, &u, &err), 0);
	assert_int_equal(u.outcome, BGP_UPDATE_OK);
	assert_false(u.eor);

	buf_view(&b, u.withdrawn.data, u.withdrawn.len);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, false, &p), 1);
	assert_prefix(&p, BGP_AID_IPV4, "\0\0\0\0", 0);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, false, &p), 1);
	assert_prefix(&p, BGP_AID_IPV4, "\xc0\x00\x02\xff", 32);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, false, &p), 0);

	buf_view(&b, u.nlri.data, u.nlri.len);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, false, &p), 1);
	/* RFC 4271 4.3: trailing bits are cleared. */
	assert_prefix(&p, BGP_AID_IPV4, "\x0b\x08\x00\x00", 13);
	assert_int_equal(p.path_id, 0);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, false, &p), 1);
	assert_prefix(&p, BGP_AID_IPV4, "\xc6\x33\x64\x00", 24);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, false, &p), 0);
	bgp_update_free(&u);
}

static void
test_nlri_next_errors(void **state)
{
	static const uint8_t len33[] = { 0x21, 1, 2, 3, 4, 5 };
	static const uint8_t len129[] = { 0x81 };
	static const uint8_t over[] = { 0x18, 10, 0 };
	static const uint8_t pathid_short[] = { 0x00, 0x00, 0x01 };
	struct bgp_prefix p;
	struct buf	 b;

	(void)state;
	buf_view(&b, len33, sizeof(len33));
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, false, &p), -1);
	assert_int_equal(buf_left(&b), sizeof(len33));	/* left in place */
	buf_view(&b, len33, sizeof(len33));
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV6, false, &p), 1);
	buf_view(&b, len129, sizeof(len129));
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV6, false, &p), -1);
	buf_view(&b, over, sizeof(over));
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, false, &p), -1);
	assert_int_equal(buf_left(&b), sizeof(over));
	buf_view(&b, pathid_short, sizeof(pathid_short));
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, true, &p), -1);
	buf_view(&b, over, sizeof(over));
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_MAX, false, &p), -1);
	buf_view(&b, NULL, 0);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, false, &p), 0);
}

static void
test_prefix_wire_len(void **state)
{
	struct bgp_prefix p;

	(void)state;
	p = pfx4(0, 0, 0, 0, 0);
	assert_int_equal(bgp_prefix_wire_len(&p, false), 1);
	assert_int_equal(bgp_prefix_wire_len(&p, true), 5);
	p.len = 1;
	assert_int_equal(bgp_prefix_wire_len(&p, false), 2);
	p.len = 24;
	assert_int_equal(bgp_prefix_wire_len(&p, false), 4);
	p.len = 25;
	assert_int_equal(bgp_prefix_wire_len(&p, false), 5);
	p.aid = BGP_AID_IPV6;
	p.len = 128;
	assert_int_equal(bgp_prefix_wire_len(&p, true), 21);
}

/* ------------------------------------------------------------------ */
/* MP_REACH_NLRI / MP_UNREACH_NLRI                                      */

static void
test_mp_ipv6(void **state)
{
	static const uint8_t body[] = {
		0x00, 0x00,			/* no withdrawn routes */
		0x00, 0x52,			/* total path attribute length 82 */
		0x80, 0x0e, 0x35,		/* MP_REACH_NLRI, 53 */
		0x00, 0x02, 0x01,		/* AFI 2, SAFI 1 */
		0x20,				/* next hop length 32 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x10,	/* 2001:db8::10 */
		0xfe, 0x80, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x01,	/* fe80::1 */
		0x00,				/* reserved */
		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,	/* /48 */
		0x40, 0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 3,	/* /64 */
		0x80, 0x0f, 0x0a,		/* MP_UNREACH_NLRI, 10 */
		0x00, 0x02, 0x01,		/* AFI 2, SAFI 1 */
		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x09,	/* /48 */
		0x40, 0x01, 0x01, 0x00,		/* ORIGIN IGP */
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
	};
	struct bgp_update u;
	struct bgp_err	 err;
	struct bgp_prefix p;
	struct buf	 b;

	(void)state;
	assert_int_equal(DECODE(&ebgp4, body, &u, &err), 0);
	assert_int_equal(u.outcome, BGP_UPDATE_OK);
	assert_int_equal(u.attrs.mp_reach_aid, BGP_AID_IPV6);
	assert_int_equal(u.attrs.mp_nexthop_len, 32);
	assert_memory_equal(u.attrs.mp_nexthop,
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x10", 16);
	assert_memory_equal(u.attrs.mp_nexthop_ll,
	    "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	buf_view(&b, u.attrs.mp_reach_nlri.data, u.attrs.mp_reach_nlri.len);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV6, false, &p), 1);
	assert_prefix(&p, BGP_AID_IPV6,
	    "\x20\x01\x0d\xb8\x00\x01\0\0\0\0\0\0\0\0\0\0", 48);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV6, false, &p), 1);
	assert_prefix(&p, BGP_AID_IPV6,
	    "\x20\x01\x0d\xb8\0\x02\0\x03\0\0\0\0\0\0\0\0", 64);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV6, false, &p), 0);

	assert_int_equal(u.attrs.mp_unreach_aid, BGP_AID_IPV6);
	buf_view(&b, u.attrs.mp_unreach_nlri.data,
	    u.attrs.mp_unreach_nlri.len);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV6, false, &p), 1);
	assert_prefix(&p, BGP_AID_IPV6,
	    "\x20\x01\x0d\xb8\x00\x09\0\0\0\0\0\0\0\0\0\0", 48);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV6, false, &p), 0);
	bgp_update_free(&u);
}

/* IPv4 unicast in MP_REACH_NLRI: a 4-octet next hop (RFC 4760 3). */
static void
test_mp_ipv4(void **state)
{
	static const uint8_t body[] = {
		0x00, 0x00, 0x00, 0x1d,
		0x80, 0x0e, 0x0d,		/* MP_REACH_NLRI, 13 */
		0x00, 0x01, 0x01, 0x04, 192, 0, 2, 7, 0x00,
		0x18, 10, 1, 2,			/* 10.1.2.0/24 */
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_int_equal(DECODE(&ebgp4, body, &u, &err), 0);
	assert_int_equal(u.outcome, BGP_UPDATE_OK);
	assert_int_equal(u.attrs.mp_reach_aid, BGP_AID_IPV4);
	assert_int_equal(u.attrs.mp_nexthop_len, 4);
	assert_memory_equal(u.attrs.mp_nexthop, "\xc0\x00\x02\x07", 4);
	assert_int_equal(u.attrs.mp_reach_nlri.len, 4);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* End-of-RIB (RFC 4724 2)                                              */

static void
test_eor_decode(void **state)
{
	static const uint8_t v4[] = { 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t v6[] = {
		0x00, 0x00, 0x00, 0x06, 0x80, 0x0f, 0x03, 0x00, 0x02, 0x01,
	};
	static const uint8_t v4mp[] = {
		0x00, 0x00, 0x00, 0x06, 0x80, 0x0f, 0x03, 0x00, 0x01, 0x01,
	};
	/* Not End-of-RIB: a family we do not decode (EVPN)... */
	static const uint8_t evpn[] = {
		0x00, 0x00, 0x00, 0x06, 0x80, 0x0f, 0x03, 0x00, 0x19, 0x46,
	};
	/* ...a withdrawal in it... */
	static const uint8_t v6wd[] = {
		0x00, 0x00, 0x00, 0x08, 0x80, 0x0f, 0x05, 0x00, 0x02, 0x01,
		0x08, 0x20,
	};
	/* ...another attribute beside it... */
	static const uint8_t v6attr[] = {
		0x00, 0x00, 0x00, 0x0a, 0x80, 0x0f, 0x03, 0x00, 0x02, 0x01,
		0x40, 0x01, 0x01, 0x00,
	};
	/* ...or IPv4 withdrawn routes. */
	static const uint8_t v4wd[] = {
		0x00, 0x02, 0x08, 10, 0x00, 0x00,
	};
	struct bgp_update u;
	struct bgp_err	 err;

	(void)state;
	assert_int_equal(DECODE(&ebgp4, v4, &u, &err), 0);
	assert_true(u.eor);
	assert_int_equal(u.eor_aid, BGP_AID_IPV4);
	assert_int_equal(DECODE(&ebgp4, v6, &u, &err), 0);
	assert_true(u.eor);
	assert_int_equal(u.eor_aid, BGP_AID_IPV6);
	assert_int_equal(DECODE(&ebgp4, v4mp, &u, &err), 0);
	assert_true(u.eor);
	assert_int_equal(u.eor_aid, BGP_AID_IPV4);
	assert_int_equal(DECODE(&ebgp4, evpn, &u, &err), 0);
	assert_false(u.eor);
	assert_int_equal(DECODE(&ebgp4, v6wd, &u, &err), 0);
	assert_false(u.eor);
	assert_int_equal(DECODE(&ebgp4, v6attr, &u, &err), 0);
	assert_false(u.eor);
	assert_int_equal(DECODE(&ebgp4, v4wd, &u, &err), 0);
	assert_false(u.eor);
}

static void
test_eor_put(void **state)
{
	static const uint8_t want4[] = {
		MARKER, 0x00, 0x17, 0x02,	/* length 23, UPDATE */
		0x00, 0x00,			/* no withdrawn routes */
		0x00, 0x00,			/* no attributes */
	};
	static const uint8_t want6[] = {
		MARKER, 0x00, 0x1d, 0x02,	/* length 29, UPDATE */
		0x00, 0x00,			/* no withdrawn routes */
		0x00, 0x06,			/* total path attribute length */
		0x80, 0x0f, 0x03,		/* MP_UNREACH_NLRI, 3 */
		0x00, 0x02, 0x01,		/* AFI 2, SAFI 1, no NLRI */
	};
	uint8_t		 out[64];
	struct buf	 w;
	struct bgp_msg	 m;
	struct bgp_err	 err;

	(void)state;
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_msg_put_eor(&w, BGP_AID_IPV4), 0);
	assert_int_equal(buf_len(&w), sizeof(want4));
	assert_memory_equal(out, want4, sizeof(want4));
	assert_int_equal(decode_msg(&ebgp4, out, buf_len(&w), 4096, &m, &err),
	    0);
	assert_true(m.update.eor);
	assert_int_equal(m.update.eor_aid, BGP_AID_IPV4);

	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_msg_put_eor(&w, BGP_AID_IPV6), 0);
	assert_int_equal(buf_len(&w), sizeof(want6));
	assert_memory_equal(out, want6, sizeof(want6));
	assert_int_equal(decode_msg(&ebgp4, out, buf_len(&w), 4096, &m, &err),
	    0);
	assert_true(m.update.eor);
	assert_int_equal(m.update.eor_aid, BGP_AID_IPV6);

	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_msg_put_eor(&w, BGP_AID_MAX), -1);
	assert_int_equal(buf_len(&w), 0);
	buf_init(&w, out, 20);			/* writer too small */
	assert_int_equal(bgp_msg_put_eor(&w, BGP_AID_IPV4), -1);
	assert_int_equal(buf_len(&w), 0);
}

/* ------------------------------------------------------------------ */
/* ADD-PATH (RFC 7911 3)                                                */

static void
test_addpath_decode(void **state)
{
	static const uint8_t body[] = {
		0x00, 0x08,			/* withdrawn routes length */
		0x00, 0x00, 0x00, 0x07,		/* path ID 7 */
		0x18, 10, 0, 1,			/* 10.0.1.0/24 */
		0x00, 0x35,			/* total path attribute length */
		0x80, 0x0e, 0x1e,		/* MP_REACH_NLRI, 30 */
		0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x10,
		0x00,
		0x00, 0x00, 0x00, 0x81,		/* path ID 129 */
		0x20, 0x20, 0x01, 0x0d, 0xb8,	/* 2001:db8::/32 */
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		0x40, 0x03, 0x04, 192, 0, 2, 1,
		0x00, 0x00, 0x00, 0x64,		/* path ID 100 */
		0x18, 10, 0, 2,			/* 10.0.2.0/24 */
	};
	struct bgp_decode_ctx ctx = { .as4 = true, .ebgp = true };
	struct bgp_update u;
	struct bgp_err	 err;
	struct bgp_prefix p;
	struct buf	 b;

	(void)state;
	/* Without ADD-PATH, path ID 100 reads as a /100: 3/10. */
	assert_int_equal(DECODE(&ctx, body, &u, &err), -1);
	assert_int_equal(err.subcode, BGP_ERR_UPD_BAD_NETWORK);

	ctx.addpath_recv[BGP_AID_IPV4] = true;
	/* Only IPv4 negotiated: path ID 129 reads as a /129 in the
	 * MP_REACH_NLRI, which is malformed (RFC 4760 7). */
	assert_int_equal(DECODE(&ctx, body, &u, &err), -1);
	assert_int_equal(err.subcode, BGP_ERR_UPD_OPTIONAL_ATTR);

	ctx.addpath_recv[BGP_AID_IPV6] = true;
	assert_int_equal(DECODE(&ctx, body, &u, &err), 0);
	assert_int_equal(u.outcome, BGP_UPDATE_OK);
	buf_view(&b, u.withdrawn.data, u.withdrawn.len);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, true, &p), 1);
	assert_int_equal(p.path_id, 7);
	assert_prefix(&p, BGP_AID_IPV4, "\x0a\x00\x01\x00", 24);
	buf_view(&b, u.nlri.data, u.nlri.len);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV4, true, &p), 1);
	assert_int_equal(p.path_id, 100);
	assert_prefix(&p, BGP_AID_IPV4, "\x0a\x00\x02\x00", 24);
	buf_view(&b, u.attrs.mp_reach_nlri.data, u.attrs.mp_reach_nlri.len);
	assert_int_equal(bgp_nlri_next(&b, BGP_AID_IPV6, true, &p), 1);
	assert_int_equal(p.path_id, 129);
	assert_int_equal(p.len, 32);
	bgp_update_free(&u);
}

static void
test_addpath_pack(void **state)
{
	struct bgp_encode_ctx ctx = { .as4 = true, .maxlen = 4096 };
	struct bgp_prefix p[2];
	uint8_t		 out[128];
	struct buf	 w;
	static const uint8_t want[] = {
		MARKER, 0x00, 0x27, 0x02,	/* length 39, UPDATE */
		0x00, 0x10,			/* withdrawn routes length 16 */
		0x00, 0x00, 0x00, 0x01,		/* path ID 1 */
		0x18, 10, 0, 1,			/* 10.0.1.0/24 */
		0x00, 0x00, 0x00, 0x02,		/* path ID 2 */
		0x18, 10, 0, 1,			/* 10.0.1.0/24 */
		0x00, 0x00,			/* no attributes */
	};

	(void)state;
	ctx.addpath_send[BGP_AID_IPV4] = true;
	p[0] = pfx4(10, 0, 1, 0, 24);
	p[0].path_id = 1;
	p[1] = p[0];
	p[1].path_id = 2;
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_pack_withdraw(&w, p, 2, &ctx), 2);
	assert_int_equal(buf_len(&w), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

/* ------------------------------------------------------------------ */
/* RFC 6793 4.2.3: the AS path of a 2-octet session                     */

/*
 * Decodes ORIGIN, the 2-octet AS_PATH as2, NEXT_HOP, then the optional
 * extra attributes, with one NLRI, on a 2-octet session; checks the
 * rebuilt 4-octet path against want.
 */
static void
as4_case(const uint8_t *as2, size_t as2len, const uint8_t *extra,
    size_t extralen, const uint8_t *want, size_t wantlen,
    struct bgp_update *u)
{
	static uint8_t	 body[2048];
	struct bgp_err	 err;
	size_t		 n = 4, alen;

	body[n++] = 0x40;			/* ORIGIN IGP */
	body[n++] = 0x01;
	body[n++] = 0x01;
	body[n++] = 0x00;
	if (as2len > 255) {
		body[n++] = 0x50;		/* AS_PATH, extended */
		body[n++] = 0x02;
		body[n++] = as2len >> 8;
		body[n++] = as2len & 0xff;
	} else {
		body[n++] = 0x40;		/* AS_PATH */
		body[n++] = 0x02;
		body[n++] = (uint8_t)as2len;
	}
	memcpy(body + n, as2, as2len);
	n += as2len;
	body[n++] = 0x40;			/* NEXT_HOP 192.0.2.1 */
	body[n++] = 0x03;
	body[n++] = 0x04;
	body[n++] = 192;
	body[n++] = 0;
	body[n++] = 2;
	body[n++] = 1;
	if (extralen > 0)
		memcpy(body + n, extra, extralen);
	n += extralen;
	alen = n - 4;
	body[0] = 0;
	body[1] = 0;
	body[2] = alen >> 8;
	body[3] = alen & 0xff;
	body[n++] = 0x18;			/* 10.0.0.0/24 */
	body[n++] = 10;
	body[n++] = 0;
	body[n++] = 0;
	assert_int_equal(decode_body(&ebgp2, body, n, u, &err), 0);
	assert_int_equal(u->outcome, BGP_UPDATE_OK);
	assert_int_equal(u->attrs.aspath.len, wantlen);
	assert_memory_equal(u->attrs.aspath.data, want, wantlen);
	assert_false(bgp_attrs_has(&u->attrs, BGP_ATTR_AS4_PATH));
}

static void
test_as4_widen(void **state)
{
	static const uint8_t as2[] = {
		0x02, 0x02, 0xfd, 0xe9, 0xfd, 0xea,	/* SEQ 65001 65002 */
		0x01, 0x01, 0x00, 0x07,			/* SET 7 */
	};
	static const uint8_t want[] = {
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0xfd, 0xea,
		0x01, 0x01, 0x00, 0x00, 0x00, 0x07,
	};
	struct bgp_update u;

	(void)state;
	as4_case(as2, sizeof(as2), NULL, 0, want, sizeof(want), &u);
	assert_non_null(u.aspath_owned);
	assert_int_equal(bgp_aspath_length(&u.attrs), 3);
	bgp_update_free(&u);
}

/* The leading part of AS_PATH, then AS4_PATH, one sequence. */
static void
test_as4_merge(void **state)
{
	static const uint8_t as2[] = {
		0x02, 0x04,				/* SEQ of 4 */
		0xfd, 0xe9, 0x5b, 0xa0, 0x5b, 0xa0, 0xfd, 0xeb,
	};	/* 65001 AS_TRANS AS_TRANS 65003 */
	static const uint8_t as4path[] = {
		0xc0, 0x11, 0x0e,			/* AS4_PATH, 14 */
		0x02, 0x03,				/* SEQ of 3 */
		0x00, 0x03, 0x0d, 0x40,			/* 200000 */
		0x00, 0x03, 0x0d, 0x41,			/* 200001 */
		0x00, 0x00, 0xfd, 0xeb,			/* 65003 */
	};
	static const uint8_t want[] = {
		0x02, 0x04,
		0x00, 0x00, 0xfd, 0xe9, 0x00, 0x03, 0x0d, 0x40,
		0x00, 0x03, 0x0d, 0x41, 0x00, 0x00, 0xfd, 0xeb,
	};
	struct bgp_update u;

	(void)state;
	as4_case(as2, sizeof(as2), as4path, sizeof(as4path), want,
	    sizeof(want), &u);
	bgp_update_free(&u);
}

/* More ASNs in AS4_PATH than in AS_PATH: AS4_PATH is ignored. */
static void
test_as4_longer_ignored(void **state)
{
	static const uint8_t as2[] = { 0x02, 0x01, 0x5b, 0xa0 };
	static const uint8_t as4path[] = {
		0xc0, 0x11, 0x0a, 0x02, 0x02,
		0x00, 0x03, 0x0d, 0x40, 0x00, 0x03, 0x0d, 0x41,
	};
	static const uint8_t want[] = { 0x02, 0x01, 0x00, 0x00, 0x5b, 0xa0 };
	struct bgp_update u;

	(void)state;
	as4_case(as2, sizeof(as2), as4path, sizeof(as4path), want,
	    sizeof(want), &u);
	bgp_update_free(&u);
}

static void
test_as4_aggregator(void **state)
{
	static const uint8_t as2[] = { 0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0 };
	/* AGGREGATOR 65005 (not AS_TRANS): AS4_* are ignored. */
	static const uint8_t real[] = {
		0xc0, 0x07, 0x06, 0xfd, 0xed, 192, 0, 2, 5,
		0xc0, 0x11, 0x06, 0x02, 0x01, 0x00, 0x03, 0x0d, 0x40,
		0xc0, 0x12, 0x08, 0x00, 0x03, 0x0d, 0x40, 192, 0, 2, 6,
	};
	/* AGGREGATOR AS_TRANS: AS4_AGGREGATOR is the aggregator. */
	static const uint8_t trans[] = {
		0xc0, 0x07, 0x06, 0x5b, 0xa0, 192, 0, 2, 5,
		0xc0, 0x11, 0x06, 0x02, 0x01, 0x00, 0x03, 0x0d, 0x40,
		0xc0, 0x12, 0x08, 0x00, 0x03, 0x0d, 0x40, 192, 0, 2, 6,
	};
	/* AS4_AGGREGATOR alone has nothing to replace; AS4_PATH counts. */
	static const uint8_t alone[] = {
		0xc0, 0x11, 0x06, 0x02, 0x01, 0x00, 0x03, 0x0d, 0x40,
		0xc0, 0x12, 0x08, 0x00, 0x03, 0x0d, 0x40, 192, 0, 2, 6,
	};
	static const uint8_t want_as2[] = {
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0x5b, 0xa0,
	};
	static const uint8_t want_merged[] = {
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x03, 0x0d, 0x40,
	};
	struct bgp_update u;

	(void)state;
	as4_case(as2, sizeof(as2), real, sizeof(real), want_as2,
	    sizeof(want_as2), &u);
	assert_int_equal(u.attrs.aggregator_as, 65005);
	assert_memory_equal(&u.attrs.aggregator_addr, "\xc0\x00\x02\x05", 4);
	assert_false(bgp_attrs_has(&u.attrs, BGP_ATTR_AS4_AGGREGATOR));
	bgp_update_free(&u);

	as4_case(as2, sizeof(as2), trans, sizeof(trans), want_merged,
	    sizeof(want_merged), &u);
	assert_int_equal(u.attrs.aggregator_as, 200000);
	assert_memory_equal(&u.attrs.aggregator_addr, "\xc0\x00\x02\x06", 4);
	bgp_update_free(&u);

	as4_case(as2, sizeof(as2), alone, sizeof(alone), want_merged,
	    sizeof(want_merged), &u);
	assert_false(bgp_attrs_has(&u.attrs, BGP_ATTR_AGGREGATOR));
	bgp_update_free(&u);
}

/* An AS_SET counts as one when taking the leading part. */
static void
test_as4_set(void **state)
{
	static const uint8_t as2[] = {
		0x02, 0x01, 0xfd, 0xe9,			/* SEQ 65001 */
		0x01, 0x02, 0xfd, 0xf2, 0xfd, 0xf3,	/* SET 65010 65011 */
		0x02, 0x01, 0x5b, 0xa0,			/* SEQ AS_TRANS */
	};
	static const uint8_t as4path[] = {
		0xc0, 0x11, 0x06, 0x02, 0x01, 0x00, 0x03, 0x0d, 0x40,
	};
	static const uint8_t want[] = {
		0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		0x01, 0x02, 0x00, 0x00, 0xfd, 0xf2, 0x00, 0x00, 0xfd, 0xf3,
		0x02, 0x01, 0x00, 0x03, 0x0d, 0x40,
	};
	struct bgp_update u;

	(void)state;
	as4_case(as2, sizeof(as2), as4path, sizeof(as4path), want,
	    sizeof(want), &u);
	bgp_update_free(&u);
}

/* Confederation segments: a leading one in AS_PATH is kept, those in
 * AS4_PATH are dropped (RFC 6793 4.2.3, 6). */
static void
test_as4_confed(void **state)
{
	static const uint8_t as2_lead[] = {
		0x03, 0x01, 0xfc, 0x00,			/* CONFED_SEQ 64512 */
		0x02, 0x02, 0x5b, 0xa0, 0xfd, 0xea,	/* SEQ AS_TRANS 65002 */
	};
	static const uint8_t as4path[] = {
		0xc0, 0x11, 0x0a, 0x02, 0x02,
		0x00, 0x03, 0x0d, 0x40, 0x00, 0x00, 0xfd, 0xea,
	};
	static const uint8_t want_lead[] = {
		0x03, 0x01, 0x00, 0x00, 0xfc, 0x00,
		0x02, 0x02, 0x00, 0x03, 0x0d, 0x40, 0x00, 0x00, 0xfd, 0xea,
	};
	static const uint8_t as2[] = { 0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0 };
	static const uint8_t as4confed[] = {
		0xc0, 0x11, 0x0c,
		0x03, 0x01, 0x00, 0x00, 0xfc, 0x00,	/* CONFED_SEQ 64512 */
		0x02, 0x01, 0x00, 0x03, 0x0d, 0x40,	/* SEQ 200000 */
	};
	static const uint8_t want[] = {
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x03, 0x0d, 0x40,
	};
	struct bgp_update u;

	(void)state;
	as4_case(as2_lead, sizeof(as2_lead), as4path, sizeof(as4path),
	    want_lead, sizeof(want_lead), &u);
	assert_int_equal(bgp_aspath_length(&u.attrs), 2);
	bgp_update_free(&u);
	as4_case(as2, sizeof(as2), as4confed, sizeof(as4confed), want,
	    sizeof(want), &u);
	bgp_update_free(&u);
}

/* A joined sequence may not pass 255 ASNs: then two segments. */
static void
test_as4_segment_limit(void **state)
{
	uint8_t		 as2[2 + 255 * 2 + 4], want[2 + 254 * 4 + 2 + 8];
	static const uint8_t as4path[] = {
		0xc0, 0x11, 0x0a, 0x02, 0x02,
		0x00, 0x03, 0x0d, 0x40, 0x00, 0x03, 0x0d, 0x41,
	};
	size_t		 n = 0, m = 0, i;
	struct bgp_update u;

	(void)state;
	/* AS_PATH: SEQ of 255 x 65001, SEQ AS_TRANS: 256 ASNs; AS4_PATH
	 * has 2, so 254 lead; 254 + 2 > 255 keeps them apart. */
	as2[n++] = 0x02;
	as2[n++] = 255;
	for (i = 0; i < 255; i++) {
		as2[n++] = 0xfd;
		as2[n++] = 0xe9;
	}
	as2[n++] = 0x02;
	as2[n++] = 0x01;
	as2[n++] = 0x5b;
	as2[n++] = 0xa0;
	want[m++] = 0x02;
	want[m++] = 254;
	for (i = 0; i < 254; i++) {
		want[m++] = 0x00;
		want[m++] = 0x00;
		want[m++] = 0xfd;
		want[m++] = 0xe9;
	}
	memcpy(want + m, as4path + 3, 10);
	m += 10;
	as4_case(as2, n, as4path, sizeof(as4path), want, m, &u);
	assert_int_equal(bgp_aspath_length(&u.attrs), 256);
	bgp_update_free(&u);
}

/* ------------------------------------------------------------------ */
/* Packing: exact bytes                                                 */

static const uint8_t small_path[] = { 0x02, 0x01, 0x00, 0x00, 0xfd, 0xf2 };

static void
small_attrs(struct bgp_attrs *a)
{
	static const uint8_t comm[] = { 0xfd, 0xe8, 0x00, 0x64 };

	memset(a, 0, sizeof(*a));
	bgp_attrs_set(a, BGP_ATTR_ORIGIN);
	bgp_attrs_set(a, BGP_ATTR_AS_PATH);
	bgp_attrs_set(a, BGP_ATTR_COMMUNITIES);
	a->origin = BGP_ORIGIN_IGP;
	a->aspath.data = small_path;
	a->aspath.len = sizeof(small_path);
	memcpy(&a->nexthop, "\xc0\x00\x02\x0a", 4);	/* 192.0.2.10 */
	a->communities.data = comm;
	a->communities.len = sizeof(comm);
	memcpy(a->mp_nexthop, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x10",
	    16);
}

static void
test_pack_ipv4(void **state)
{
	struct bgp_attrs a;
	struct bgp_prefix p[2];
	uint8_t		 out[256];
	struct buf	 w;
	static const uint8_t want[] = {
		MARKER, 0x00, 0x3b, 0x02,	/* length 59, UPDATE */
		0x00, 0x00,			/* no withdrawn routes */
		0x00, 0x1b,			/* total path attribute length */
		0x40, 0x01, 0x01, 0x00,		/* ORIGIN IGP */
		0x40, 0x02, 0x06,		/* AS_PATH, 6 */
		0x02, 0x01, 0x00, 0x00, 0xfd, 0xf2,	/* SEQ 65010 */
		0x40, 0x03, 0x04, 192, 0, 2, 10,	/* NEXT_HOP */
		0xc0, 0x08, 0x04, 0xfd, 0xe8, 0x00, 0x64, /* 65000:100 */
		0x18, 203, 0, 113,		/* 203.0.113.0/24 */
		0x19, 198, 51, 100, 0,		/* 198.51.100.0/25 */
	};
	static const uint8_t want_wd[] = {
		MARKER, 0x00, 0x20, 0x02,	/* length 32, UPDATE */
		0x00, 0x09,			/* withdrawn routes length */
		0x18, 203, 0, 113,
		0x19, 198, 51, 100, 0,
		0x00, 0x00,			/* no attributes */
	};

	(void)state;
	small_attrs(&a);
	p[0] = pfx4(203, 0, 113, 0, 24);
	p[1] = pfx4(198, 51, 100, 0x7f, 25);	/* host bits cleared */
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_pack(&w, &a, p, 2, &enc4), 2);
	assert_int_equal(buf_len(&w), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));

	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_pack_withdraw(&w, p, 2, &enc4), 2);
	assert_int_equal(buf_len(&w), sizeof(want_wd));
	assert_memory_equal(out, want_wd, sizeof(want_wd));
}

static void
test_pack_ipv6(void **state)
{
	struct bgp_attrs a;
	struct bgp_prefix p;
	uint8_t		 out[256];
	struct buf	 w;
	static const uint8_t want[] = {
		MARKER, 0x00, 0x4a, 0x02,	/* length 74, UPDATE */
		0x00, 0x00,			/* no withdrawn routes */
		0x00, 0x33,			/* total path attribute length */
		0x80, 0x0e, 0x1c,		/* MP_REACH_NLRI, 28, first */
		0x00, 0x02, 0x01,		/* AFI 2, SAFI 1 */
		0x10,				/* next hop length 16 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x10,	/* 2001:db8::10 */
		0x00,				/* reserved */
		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,	/* /48 */
		0x40, 0x01, 0x01, 0x00,		/* ORIGIN IGP */
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xf2,
		0xc0, 0x08, 0x04, 0xfd, 0xe8, 0x00, 0x64,	/* no NEXT_HOP */
	};
	static const uint8_t want_ll[] = {
		MARKER, 0x00, 0x5a, 0x02,	/* length 90, UPDATE */
		0x00, 0x00,
		0x00, 0x43,			/* total path attribute length */
		0x80, 0x0e, 0x2c,		/* MP_REACH_NLRI, 44 */
		0x00, 0x02, 0x01,
		0x20,				/* next hop length 32 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x10,	/* global */
		0xfe, 0x80, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x01,	/* link-local */
		0x00,
		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xf2,
		0xc0, 0x08, 0x04, 0xfd, 0xe8, 0x00, 0x64,
	};
	static const uint8_t want_wd[] = {
		MARKER, 0x00, 0x24, 0x02,	/* length 36, UPDATE */
		0x00, 0x00,			/* no withdrawn routes */
		0x00, 0x0d,			/* total path attribute length */
		0x80, 0x0f, 0x0a,		/* MP_UNREACH_NLRI, 10 */
		0x00, 0x02, 0x01,		/* AFI 2, SAFI 1 */
		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
	};

	(void)state;
	small_attrs(&a);
	memset(&p, 0, sizeof(p));
	p.aid = BGP_AID_IPV6;
	p.len = 48;
	memcpy(p.addr, "\x20\x01\x0d\xb8\x00\x01", 6);

	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_pack(&w, &a, &p, 1, &enc4), 1);
	assert_int_equal(buf_len(&w), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));

	memcpy(a.mp_nexthop_ll, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	a.mp_nexthop_len = 32;
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_pack(&w, &a, &p, 1, &enc4), 1);
	assert_int_equal(buf_len(&w), sizeof(want_ll));
	assert_memory_equal(out, want_ll, sizeof(want_ll));

	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_pack_withdraw(&w, &p, 1, &enc4), 1);
	assert_int_equal(buf_len(&w), sizeof(want_wd));
	assert_memory_equal(out, want_wd, sizeof(want_wd));
}

/* ------------------------------------------------------------------ */
/* Packing: counts and round trips                                      */

/* Attributes of 20 octets: ORIGIN (4), AS_PATH 65010 (9), NEXT_HOP (7);
 * for IPv6, MP_REACH replaces NEXT_HOP. */
static void
min_attrs(struct bgp_attrs *a)
{
	small_attrs(a);
	a->present[BGP_ATTR_COMMUNITIES >> 6] &=
	    ~((uint64_t)1 << BGP_ATTR_COMMUNITIES);
}

static struct bgp_prefix *
make_prefixes(enum bgp_aid aid, size_t n, uint8_t len)
{
	struct bgp_prefix *p;
	size_t		 i;

	p = calloc(n, sizeof(*p));
	assert_non_null(p);
	for (i = 0; i < n; i++) {
		p[i].aid = aid;
		p[i].len = len;
		if (aid == BGP_AID_IPV4) {
			p[i].addr[0] = 10 + (uint8_t)(i >> 16);
			p[i].addr[1] = (i >> 8) & 0xff;
			p[i].addr[2] = i & 0xff;
		} else {
			p[i].addr[0] = 0x20;
			p[i].addr[1] = 0x01;
			p[i].addr[2] = 0x0d;
			p[i].addr[3] = 0xb8;
			p[i].addr[4] = (i >> 8) & 0xff;
			p[i].addr[5] = i & 0xff;
		}
	}
	return p;
}

/*
 * Packs all of pfx into messages of at most ctx->maxlen, checks each
 * message's count against want[], decodes each one and compares the
 * prefixes, in order, with what went in.
 */
static void
pack_all(const struct bgp_attrs *a, const struct bgp_prefix *pfx, size_t n,
    const struct bgp_encode_ctx *ectx, const struct bgp_decode_ctx *dctx,
    const size_t *want, size_t nwant, bool withdraw)
{
	struct buf	*w = buf_new(BGP_MAX_EXT_MSG_LEN);
	struct bgp_msg	 m;
	struct bgp_err	 err;
	struct bgp_prefix p;
	struct buf	 nb;
	const struct bgp_bytes *v;
	size_t		 done = 0, msgs = 0, k = 0;
	int		 rc, nr;
	bool		 addpath = ectx->addpath_send[pfx[0].aid];

	while (done < n) {
		buf_reset(w);
		if (withdraw)
			rc = bgp_update_pack_withdraw(w, pfx + done, n - done,
			    ectx);
		else
			rc = bgp_update_pack(w, a, pfx + done, n - done, ectx);
		assert_true(rc >= 1);
		assert_true(msgs < nwant);
		assert_int_equal((size_t)rc, want[msgs]);
		assert_true(buf_len(w) <= ectx->maxlen);
		msgs++;

		assert_int_equal(decode_msg(dctx, w->data, buf_len(w),
		    ectx->maxlen, &m, &err), 0);
		assert_int_equal(m.update.outcome, BGP_UPDATE_OK);
		if (pfx[0].aid == BGP_AID_IPV4)
			v = withdraw ? &m.update.withdrawn : &m.update.nlri;
		else
			v = withdraw ? &m.update.attrs.mp_unreach_nlri :
			    &m.update.attrs.mp_reach_nlri;
		buf_view(&nb, v->data, v->len);
		for (k = 0; (nr = bgp_nlri_next(&nb, pfx[0].aid, addpath,
		    &p)) == 1; k++) {
			assert_int_equal(p.len, pfx[done + k].len);
			assert_int_equal(p.path_id, pfx[done + k].path_id);
			assert_memory_equal(p.addr, pfx[done + k].addr, 16);
		}
		assert_int_equal(nr, 0);
		assert_int_equal(k, (size_t)rc);
		bgp_update_free(&m.update);
		done += (size_t)rc;
	}
	assert_int_equal(msgs, nwant);
	buf_free(w);
}

static void
test_pack_counts_ipv4(void **state)
{
	struct bgp_attrs a;
	struct bgp_prefix *p = make_prefixes(BGP_AID_IPV4, 100000, 24);
	struct bgp_encode_ctx ext = { .as4 = true, .maxlen = 65535 };
	struct bgp_encode_ctx ap = { .as4 = true, .maxlen = 4096 };
	struct bgp_decode_ctx apd = { .as4 = true, .ebgp = true };
	/*
	 * 19 header + 2 + 2 + 20 attributes = 43 octets; a /24 takes 4:
	 * (4096 - 43) / 4 = 1013 per message.
	 */
	static const size_t one[] = { 1000 };
	static const size_t two[] = { 1013, 1 };
	static const size_t five[] = { 1013, 1013, 1013, 1013, 948 };
	/* Extended messages (RFC 8654): (65535 - 43) / 4 = 16373. */
	static const size_t ext7[] = {
		16373, 16373, 16373, 16373, 16373, 16373, 1762,
	};
	/* ADD-PATH: 8 octets a prefix, (4096 - 43) / 8 = 506. */
	static const size_t ap2[] = { 506, 494 };
	/* Withdrawals: (4096 - 23) / 4 = 1018. */
	static const size_t wd2[] = { 1018, 982 };

	(void)state;
	min_attrs(&a);
	pack_all(&a, p, 1000, &enc4, &ebgp4, one, nitems(one), false);
	pack_all(&a, p, 1014, &enc4, &ebgp4, two, nitems(two), false);
	pack_all(&a, p, 5000, &enc4, &ebgp4, five, nitems(five), false);
	pack_all(&a, p, 100000, &ext, &ebgp4, ext7, nitems(ext7), false);
	ap.addpath_send[BGP_AID_IPV4] = true;
	apd.addpath_recv[BGP_AID_IPV4] = true;
	pack_all(&a, p, 1000, &ap, &apd, ap2, nitems(ap2), false);
	pack_all(&a, p, 2000, &enc4, &ebgp4, wd2, nitems(wd2), true);
	free(p);
}

static void
test_pack_counts_ipv6(void **state)
{
	struct bgp_attrs a;
	struct bgp_prefix *p = make_prefixes(BGP_AID_IPV6, 2000, 48);
	/*
	 * 19 + 2 + 2 + ORIGIN 4 + AS_PATH 9 = 36, MP_REACH header 4
	 * (extended) + AFI/SAFI/length 4 + next hop 16 + reserved 1 = 61;
	 * a /48 takes 7: (4096 - 61) / 7 = 576.
	 */
	static const size_t two[] = { 576, 424 };
	/* Withdrawals: 23 + MP_UNREACH 4 + 3 = 30; (4096 - 30) / 7 = 580. */
	static const size_t wd[] = { 580, 580, 580, 260 };
	/* 32 /48s: MP_REACH value 21 + 224 = 245 keeps a 3-octet header. */
	static const size_t small[] = { 32 };

	(void)state;
	min_attrs(&a);
	pack_all(&a, p, 1000, &enc4, &ebgp4, two, nitems(two), false);
	pack_all(&a, p, 2000, &enc4, &ebgp4, wd, nitems(wd), true);
	pack_all(&a, p, 32, &enc4, &ebgp4, small, nitems(small), false);
	free(p);
}

/* One message more than this would be wasteful: each message is full,
 * so the next prefix would not have fitted. */
static void
test_pack_full(void **state)
{
	struct bgp_attrs a;
	struct bgp_prefix *p = make_prefixes(BGP_AID_IPV4, 3000, 24);
	struct buf	*w = buf_new(BGP_MAX_MSG_LEN);
	int		 rc;

	(void)state;
	min_attrs(&a);
	p[1013].len = 25;		/* one 5-octet prefix at the edge */
	rc = bgp_update_pack(w, &a, p, 3000, &enc4);
	assert_int_equal(rc, 1013);
	/* 43 + 1013 * 4 = 4095: the 5-octet prefix does not fit. */
	assert_int_equal(buf_len(w), 4095);
	buf_free(w);
	free(p);
}

static void
test_pack_errors(void **state)
{
	struct bgp_attrs a;
	struct bgp_prefix p[2];
	uint8_t		 out[128], big[5000];
	struct buf	 w, *wb;
	struct bgp_encode_ctx tiny = { .as4 = true, .maxlen = 50 };

	(void)state;
	small_attrs(&a);
	p[0] = pfx4(10, 0, 0, 0, 24);
	p[1] = p[0];
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_pack(&w, &a, p, 0, &enc4), 0);
	assert_int_equal(buf_len(&w), 0);

	/* A length the family lacks. */
	p[1].len = 33;
	assert_int_equal(bgp_update_pack(&w, &a, p, 2, &enc4), -1);
	assert_int_equal(buf_len(&w), 0);
	assert_int_equal(bgp_update_pack_withdraw(&w, p, 2, &enc4), -1);
	assert_int_equal(buf_len(&w), 0);

	/* One family per UPDATE: stops where the family changes. */
	p[1] = p[0];
	p[1].aid = BGP_AID_IPV6;
	assert_int_equal(bgp_update_pack(&w, &a, p, 2, &enc4), 1);
	buf_reset(&w);

	/* Attributes that leave no room for a prefix. */
	assert_int_equal(bgp_update_pack(&w, &a, p, 1, &tiny), -1);
	assert_int_equal(buf_len(&w), 0);

	/* A writer that cannot hold the message. */
	buf_init(&w, out, 40);
	assert_int_equal(bgp_update_pack(&w, &a, p, 1, &enc4), -1);
	assert_int_equal(buf_len(&w), 0);

	/* Attributes larger than a message. */
	memset(big, 1, sizeof(big));
	a.communities.data = big;
	a.communities.len = 4400;
	wb = buf_new(BGP_MAX_EXT_MSG_LEN);
	assert_int_equal(bgp_update_pack(wb, &a, p, 1, &enc4), -1);
	p[0].aid = BGP_AID_IPV6;
	assert_int_equal(bgp_update_pack(wb, &a, p, 1, &enc4), -1);
	p[0].aid = BGP_AID_MAX;
	assert_int_equal(bgp_update_pack(wb, &a, p, 1, &enc4), -1);
	assert_int_equal(bgp_update_pack_withdraw(wb, p, 1, &enc4), -1);
	assert_int_equal(buf_len(wb), 0);
	buf_free(wb);
}

/* Packed for a 2-octet session and decoded by one: the 4-octet path
 * survives through AS_TRANS and AS4_PATH. */
static void
test_pack_as2_roundtrip(void **state)
{
	struct bgp_attrs a;
	struct bgp_prefix p = pfx4(192, 0, 2, 0, 24);
	static const uint8_t path[] = {
		0x02, 0x02, 0xfa, 0x56, 0xea, 0x00, 0x00, 0x00, 0xfd, 0xe9,
	};
	uint8_t		 out[256];
	struct buf	 w;
	struct bgp_msg	 m;
	struct bgp_err	 err;

	(void)state;
	min_attrs(&a);
	a.aspath.data = path;
	a.aspath.len = sizeof(path);
	buf_init(&w, out, sizeof(out));
	assert_int_equal(bgp_update_pack(&w, &a, &p, 1, &enc2), 1);
	assert_int_equal(decode_msg(&ebgp2, out, buf_len(&w), 4096, &m, &err),
	    0);
	assert_int_equal(m.update.outcome, BGP_UPDATE_OK);
	assert_int_equal(m.update.attrs.aspath.len, sizeof(path));
	assert_memory_equal(m.update.attrs.aspath.data, path, sizeof(path));
	bgp_update_free(&m.update);
}

/* ------------------------------------------------------------------ */
/* Robustness                                                           */

static const uint8_t rich_body[] = {
	0x00, 0x04, 0x18, 10, 9, 9,		/* withdrawn 10.9.9.0/24 */
	0x00, 0x65,				/* total path attribute length */
	0x80, 0x0e, 0x1c, 0x00, 0x02, 0x01, 0x10,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x00, 0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
	0x80, 0x0f, 0x06, 0x00, 0x02, 0x01, 0x10, 0x20, 0x01,
	0x40, 0x01, 0x01, 0x00,
	0x40, 0x02, 0x0c, 0x02, 0x03, 0xfd, 0xe9, 0x5b, 0xa0, 0x00, 0x07,
	0x01, 0x01, 0x00, 0x08,
	0x40, 0x03, 0x04, 192, 0, 2, 1,
	0xc0, 0x07, 0x06, 0x5b, 0xa0, 192, 0, 2, 5,
	0xc0, 0x11, 0x10, 0x02, 0x02, 0x00, 0x03, 0x0d, 0x40,
	0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00, 0x00, 0x00, 0x08,
	0xc0, 0x08, 0x04, 0xfd, 0xe9, 0x00, 0x01,
	0x18, 10, 1, 1,				/* 10.1.1.0/24 */
};

static void
walk_all(const struct bgp_update *u, const struct bgp_decode_ctx *ctx)
{
	const struct bgp_bytes *v[4] = {
		&u->withdrawn, &u->nlri, &u->attrs.mp_reach_nlri,
		&u->attrs.mp_unreach_nlri,
	};
	uint8_t		 aid[4] = {
		BGP_AID_IPV4, BGP_AID_IPV4, u->attrs.mp_reach_aid,
		u->attrs.mp_unreach_aid,
	};
	struct bgp_aspath_iter it;
	struct bgp_prefix p;
	struct buf	 b;
	uint32_t	 asn;
	size_t		 i;
	int		 rc;

	/* Every view left by a successful decode walks to its end. */
	for (i = 0; i < nitems(v); i++) {
		buf_view(&b, v[i]->data, v[i]->len);
		while ((rc = bgp_nlri_next(&b, aid[i],
		    aid[i] < BGP_AID_MAX && ctx->addpath_recv[aid[i]], &p)) == 1)
			;
		assert_int_equal(rc, 0);
	}
	bgp_aspath_iter_init(&it, &u->attrs);
	while (bgp_aspath_next(&it, &asn, NULL) == 1)
		;
	(void)bgp_aspath_length(&u->attrs);
}

static void
test_rich_body(void **state)
{
	struct bgp_update u;
	struct bgp_err	 err;
	static const uint8_t want[] = {
		0x02, 0x03, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x03, 0x0d, 0x40,
		0x00, 0x00, 0x00, 0x07,
		0x01, 0x01, 0x00, 0x00, 0x00, 0x08,
	};

	(void)state;
	assert_int_equal(DECODE(&ebgp2, rich_body, &u, &err), 0);
	assert_int_equal(u.outcome, BGP_UPDATE_OK);
	assert_int_equal(u.attrs.aspath.len, sizeof(want));
	assert_memory_equal(u.attrs.aspath.data, want, sizeof(want));
	assert_int_equal(u.attrs.mp_reach_aid, BGP_AID_IPV6);
	assert_int_equal(u.attrs.mp_unreach_aid, BGP_AID_IPV6);
	walk_all(&u, &ebgp2);
	bgp_update_free(&u);
}

/* Every truncation and every single-octet change of a rich UPDATE, on
 * every kind of session: a result, never a crash or a bad read. */
static void
test_truncation_and_mutation(void **state)
{
	struct bgp_decode_ctx ctx;
	struct bgp_update u;
	struct bgp_err	 err;
	uint8_t		 m[sizeof(rich_body)];
	static const uint8_t vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
	size_t		 len, i, k;
	unsigned int	 c;
	int		 rc;

	(void)state;
	for (c = 0; c < 8; c++) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.as4 = c & 1;
		ctx.ebgp = c & 2;
		ctx.addpath_recv[BGP_AID_IPV4] = c & 4;
		ctx.addpath_recv[BGP_AID_IPV6] = c & 4;
		for (len = 0; len <= sizeof(rich_body); len++) {
			rc = decode_body(&ctx, rich_body, len, &u, &err);
			if (rc == 0) {
				walk_all(&u, &ctx);
				bgp_update_free(&u);
			} else
				assert_int_equal(err.code, BGP_ERR_UPDATE);
		}
		for (i = 0; i < sizeof(rich_body); i++) {
			for (k = 0; k < nitems(vals); k++) {
				memcpy(m, rich_body, sizeof(m));
				m[i] = vals[k];
				rc = decode_body(&ctx, m, sizeof(m), &u, &err);
				if (rc == 0) {
					walk_all(&u, &ctx);
					bgp_update_free(&u);
				} else
					assert_int_equal(err.code,
					    BGP_ERR_UPDATE);
			}
		}
	}
}

/* A million /24s packed and decoded back: every prefix is found once,
 * in order (the speed of this is bench_codec's business). */
static void
test_million(void **state)
{
	struct bgp_attrs a;
	struct bgp_prefix *p = make_prefixes(BGP_AID_IPV4, 1000000, 24);
	struct buf	*w = buf_new(SIZE_MAX);
	struct buf	 r, nb;
	struct bgp_msg	 m;
	struct bgp_err	 err;
	struct bgp_prefix q;
	size_t		 done = 0, seen = 0, msgs = 0;
	int		 rc;

	(void)state;
	min_attrs(&a);
	while (done < 1000000) {
		rc = bgp_update_pack(w, &a, p + done, 1000000 - done, &enc4);
		assert_true(rc > 0);
		done += (size_t)rc;
		msgs++;
	}
	/* 1013 a message: 987 full ones and one of 169. */
	assert_int_equal(msgs, 988);
	buf_view(&r, w->data, buf_len(w));
	while (buf_left(&r) > 0) {
		assert_int_equal(bgp_msg_decode(&r, 4096, &ebgp4, &m, &err), 0);
		buf_view(&nb, m.update.nlri.data, m.update.nlri.len);
		while (bgp_nlri_next(&nb, BGP_AID_IPV4, false, &q) == 1) {
			assert_memory_equal(q.addr, p[seen].addr, 4);
			seen++;
		}
		bgp_update_free(&m.update);
	}
	assert_int_equal(seen, 1000000);
	buf_free(w);
	free(p);
}

static int
teardown(void **state)
{
	(void)state;
	free(copy);
	copy = NULL;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing_errors),
		cmocka_unit_test(test_bad_network_fields),
		cmocka_unit_test(test_ipv4_fields),
		cmocka_unit_test(test_nlri_next_errors),
		cmocka_unit_test(test_prefix_wire_len),
		cmocka_unit_test(test_mp_ipv6),
		cmocka_unit_test(test_mp_ipv4),
		cmocka_unit_test(test_eor_decode),
		cmocka_unit_test(test_eor_put),
		cmocka_unit_test(test_addpath_decode),
		cmocka_unit_test(test_addpath_pack),
		cmocka_unit_test(test_as4_widen),
		cmocka_unit_test(test_as4_merge),
		cmocka_unit_test(test_as4_longer_ignored),
		cmocka_unit_test(test_as4_aggregator),
		cmocka_unit_test(test_as4_set),
		cmocka_unit_test(test_as4_confed),
		cmocka_unit_test(test_as4_segment_limit),
		cmocka_unit_test(test_pack_ipv4),
		cmocka_unit_test(test_pack_ipv6),
		cmocka_unit_test(test_pack_counts_ipv4),
		cmocka_unit_test(test_pack_counts_ipv6),
		cmocka_unit_test(test_pack_full),
		cmocka_unit_test(test_pack_errors),
		cmocka_unit_test(test_pack_as2_roundtrip),
		cmocka_unit_test(test_rich_body),
		cmocka_unit_test(test_truncation_and_mutation),
		cmocka_unit_test(test_million),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
