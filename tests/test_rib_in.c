/*
 * Unit tests for src/rib_in.[ch], the Adj-RIB-In behind "show rib".
 * UPDATEs are built with the codec's own packer (or laid out by hand as
 * on the wire where the packer cannot produce them: other attribute
 * orders, 2-octet AS sessions, RFC 7606 errors) and decoded with
 * bgp_msg_get_update, so the RIB sees exactly what a session would hand
 * it. Route counts are always checked exactly.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bgp.h"
#include "buf.h"
#include "rib_in.h"
#include "util.h"

/* AS_SEQUENCE 65001 65002 4200000000, in 4-octet form. */
static const uint8_t aspath_a[] = {
	0x02, 0x03,
	0x00, 0x00, 0xfd, 0xe9,
	0x00, 0x00, 0xfd, 0xea,
	0xfa, 0x56, 0xea, 0x00,
};

/* AS_SEQUENCE 64512 65536, then AS_SET 1 2. */
static const uint8_t aspath_b[] = {
	0x02, 0x02,
	0x00, 0x00, 0xfc, 0x00,
	0x00, 0x01, 0x00, 0x00,
	0x01, 0x02,
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x02,
};

static const struct bgp_decode_ctx	ebgp4 = { .as4 = true, .ebgp = true };
static const struct bgp_encode_ctx	enc4 = {
	.as4 = true, .maxlen = BGP_MAX_MSG_LEN,
};

/* The attributes most tests announce with; med tells sets apart. */
static void
attrs_init(struct bgp_attrs *a, uint32_t med)
{
	memset(a, 0, sizeof(*a));
	bgp_attrs_set(a, BGP_ATTR_ORIGIN);
	a->origin = BGP_ORIGIN_IGP;
	bgp_attrs_set(a, BGP_ATTR_AS_PATH);
	a->aspath.data = aspath_a;
	a->aspath.len = sizeof(aspath_a);
	bgp_attrs_set(a, BGP_ATTR_NEXT_HOP);
	a->nexthop = htonl(0xc0000201);		/* 192.0.2.1 */
	bgp_attrs_set(a, BGP_ATTR_MED);
	a->med = med;
}

static void
attrs_init6(struct bgp_attrs *a, uint32_t med, bool ll)
{
	attrs_init(a, med);
	a->mp_nexthop_len = ll ? 32 : 16;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", a->mp_nexthop), 1);
	if (ll)
		assert_int_equal(inet_pton(AF_INET6, "fe80::1",
		    a->mp_nexthop_ll), 1);
}

static struct bgp_prefix
pfx4(uint32_t addr, uint8_t len, uint32_t path_id)
{
	struct bgp_prefix	 p;

	memset(&p, 0, sizeof(p));
	p.aid = BGP_AID_IPV4;
	p.len = len;
	p.path_id = path_id;
	addr = htonl(addr);
	memcpy(p.addr, &addr, 4);
	return p;
}

static struct bgp_prefix
pfx6(const char *s, uint8_t len, uint32_t path_id)
{
	struct bgp_prefix	 p;

	memset(&p, 0, sizeof(p));
	p.aid = BGP_AID_IPV6;
	p.len = len;
	p.path_id = path_id;
	assert_int_equal(inet_pton(AF_INET6, s, p.addr), 1);
	return p;
}

/* 2001:db8:<hi>:<lo>::/64, so tests can number IPv6 routes. */
static struct bgp_prefix
pfx6n(uint32_t n, uint32_t path_id)
{
	struct bgp_prefix	 p = pfx6("2001:db8::", 64, path_id);

	p.addr[4] = n >> 24;
	p.addr[5] = (n >> 16) & 0xff;
	p.addr[6] = (n >> 8) & 0xff;
	p.addr[7] = n & 0xff;
	return p;
}

static void
result_add(struct rib_in_result *sum, const struct rib_in_result *one)
{
	sum->announced += one->announced;
	sum->withdrawn += one->withdrawn;
	sum->absent += one->absent;
}

/* Decodes one whole message and applies it; expect is the outcome the
 * decoder must reach, so a test cannot pass on a different path. */
static void
apply_msg(struct rib_in *r, const uint8_t *msg, size_t len,
    const struct bgp_decode_ctx *dctx, enum bgp_update_outcome expect,
    struct rib_in_result *sum)
{
	struct bgp_msg		 m;
	struct bgp_err		 err;
	struct rib_in_result	 one;
	struct buf		 b;

	buf_view(&b, msg, len);
	assert_int_equal(bgp_msg_decode(&b, BGP_MAX_MSG_LEN, dctx, &m, &err),
	    0);
	assert_int_equal(m.hdr.type, BGP_MSG_UPDATE);
	assert_int_equal(m.update.outcome, expect);
	assert_int_equal(rib_in_apply(r, &m.update, dctx, &one), 0);
	bgp_update_free(&m.update);
	result_add(sum, &one);
}

/* Applies an UPDATE body laid out by hand (after the 19-octet header). */
static void
apply_body(struct rib_in *r, const uint8_t *body, size_t len,
    const struct bgp_decode_ctx *dctx, enum bgp_update_outcome expect,
    struct rib_in_result *res)
{
	struct bgp_update	 u;
	struct bgp_err		 err;
	struct buf		 b;

	memset(res, 0, sizeof(*res));
	buf_view(&b, body, len);
	assert_int_equal(bgp_msg_get_update(&b, dctx, &u, &err), 0);
	assert_int_equal(u.outcome, expect);
	assert_int_equal(rib_in_apply(r, &u, dctx, res), 0);
	bgp_update_free(&u);
}

/* Announces pfx[0..n) with a, in as many UPDATEs as the packer needs. */
static struct rib_in_result
announce(struct rib_in *r, const struct bgp_attrs *a,
    const struct bgp_prefix *pfx, size_t n, const struct bgp_encode_ctx *ectx,
    const struct bgp_decode_ctx *dctx)
{
	struct rib_in_result	 sum;
	struct buf		*b;
	size_t			 i = 0;
	int			 k;

	memset(&sum, 0, sizeof(sum));
	b = buf_new(ectx->maxlen);
	while (i < n) {
		buf_reset(b);
		k = bgp_update_pack(b, a, pfx + i, n - i, ectx);
		assert_true(k >= 1);
		apply_msg(r, b->data, buf_len(b), dctx, BGP_UPDATE_OK, &sum);
		i += (size_t)k;
	}
	buf_free(b);
	return sum;
}

static struct rib_in_result
withdraw(struct rib_in *r, const struct bgp_prefix *pfx, size_t n,
    const struct bgp_encode_ctx *ectx, const struct bgp_decode_ctx *dctx)
{
	struct rib_in_result	 sum;
	struct buf		*b;
	size_t			 i = 0;
	int			 k;

	memset(&sum, 0, sizeof(sum));
	b = buf_new(ectx->maxlen);
	while (i < n) {
		buf_reset(b);
		k = bgp_update_pack_withdraw(b, pfx + i, n - i, ectx);
		assert_true(k >= 1);
		apply_msg(r, b->data, buf_len(b), dctx, BGP_UPDATE_OK, &sum);
		i += (size_t)k;
	}
	buf_free(b);
	return sum;
}

/* The MED of the route for p, which must exist. */
static uint32_t
route_med(const struct rib_in *r, const struct bgp_prefix *p)
{
	struct rib_in_route	 rt;
	struct bgp_attrs	 a;
	uint8_t			 scratch[RIB_IN_SCRATCH_MAX];

	assert_int_equal(rib_in_lookup(r, p, &rt), 1);
	assert_int_equal(rib_in_route_attrs(&rt, scratch, sizeof(scratch),
	    &a), 0);
	assert_true(bgp_attrs_has(&a, BGP_ATTR_MED));
	return a.med;
}

static uint32_t
route_set(const struct rib_in *r, const struct bgp_prefix *p)
{
	struct rib_in_route	 rt;

	assert_int_equal(rib_in_lookup(r, p, &rt), 1);
	assert_int_not_equal(rt.set_id, 0);
	return rt.set_id;
}

static void
test_insert_replace_withdraw(void **state)
{
	struct rib_in		*r = rib_in_new();
	struct bgp_attrs	 a, b;
	struct bgp_prefix	 p[3], q, other[2];
	struct rib_in_route	 rt;
	struct rib_in_result	 res;

	(void)state;
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 0);
	p[0] = pfx4(0x0a000000, 8, 0);		/* 10.0.0.0/8 */
	p[1] = pfx4(0x0a010000, 16, 0);		/* 10.1.0.0/16 */
	p[2] = pfx4(0xc0000200, 24, 0);		/* 192.0.2.0/24 */
	attrs_init(&a, 100);
	attrs_init(&b, 200);

	res = announce(r, &a, p, 3, &enc4, &ebgp4);
	assert_int_equal(res.announced, 3);
	assert_int_equal(res.withdrawn, 0);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 3);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV6), 0);
	assert_int_equal(rib_in_attr_sets(r), 1);
	assert_int_equal(route_med(r, &p[1]), 100);
	assert_int_equal(route_set(r, &p[0]), route_set(r, &p[2]));

	/* Same address, other length; same length, other address. */
	q = pfx4(0x0a010000, 17, 0);
	assert_int_equal(rib_in_lookup(r, &q, &rt), 0);
	q = pfx4(0x0a000000, 16, 0);
	assert_int_equal(rib_in_lookup(r, &q, &rt), 0);
	/* Host bits in a lookup key do not matter. */
	q = pfx4(0x0a01ffff, 16, 0);
	assert_int_equal(rib_in_lookup(r, &q, &rt), 1);
	assert_int_equal(rt.prefix.len, 16);
	assert_memory_equal(rt.prefix.addr, p[1].addr, 16);

	/* Replace one route: a second set appears, the count stays. */
	res = announce(r, &b, &p[1], 1, &enc4, &ebgp4);
	assert_int_equal(res.announced, 1);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 3);
	assert_int_equal(rib_in_attr_sets(r), 2);
	assert_int_equal(route_med(r, &p[1]), 200);
	assert_int_equal(route_med(r, &p[0]), 100);
	assert_int_not_equal(route_set(r, &p[0]), route_set(r, &p[1]));

	/* Moving the others to b frees a's set. */
	res = announce(r, &b, p, 3, &enc4, &ebgp4);
	assert_int_equal(res.announced, 3);
	assert_int_equal(rib_in_attr_sets(r), 1);
	assert_int_equal(route_med(r, &p[0]), 200);

	/* Re-announcing the same attributes changes nothing. */
	res = announce(r, &b, p, 3, &enc4, &ebgp4);
	assert_int_equal(res.announced, 3);
	assert_int_equal(rib_in_attr_sets(r), 1);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 3);

	other[0] = p[0];
	other[1] = pfx4(0xc6336400, 24, 0);	/* never announced */
	res = withdraw(r, other, 2, &enc4, &ebgp4);
	assert_int_equal(res.withdrawn, 1);
	assert_int_equal(res.absent, 1);
	assert_int_equal(res.announced, 0);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 2);
	assert_int_equal(rib_in_lookup(r, &p[0], &rt), 0);
	assert_int_equal(rib_in_lookup(r, &p[2], &rt), 1);

	res = withdraw(r, &p[1], 2, &enc4, &ebgp4);
	assert_int_equal(res.withdrawn, 2);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 0);
	assert_int_equal(rib_in_attr_sets(r), 0);
	rib_in_free(r);
}

static void
test_attr_sharing_and_release(void **state)
{
	struct rib_in		*r = rib_in_new();
	struct bgp_attrs	 a;
	struct bgp_prefix	 p[1000], odd[500];
	struct rib_in_cursor	 c = RIB_IN_CURSOR_INIT;
	struct rib_in_route	 rt;
	struct rib_in_result	 res;
	size_t			 i, j, per_set[16], n_ids = 0, empty;
	uint32_t		 ids[16], freed;

	(void)state;
	empty = rib_in_memory(r);
	for (i = 0; i < nitems(p); i++)
		p[i] = pfx4(0x14000000 + ((uint32_t)i << 8), 24, 0);
	/* Ten sets, interleaved so each UPDATE is one route. */
	for (i = 0; i < nitems(p); i++) {
		attrs_init(&a, (uint32_t)(i % 10));
		res = announce(r, &a, &p[i], 1, &enc4, &ebgp4);
		assert_int_equal(res.announced, 1);
	}
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 1000);
	assert_int_equal(rib_in_attr_sets(r), 10);

	/* Every set is shared by exactly 100 routes. */
	memset(per_set, 0, sizeof(per_set));
	while (rib_in_walk(r, &c, &rt) == 1) {
		for (j = 0; j < n_ids && ids[j] != rt.set_id; j++)
			;
		if (j == n_ids) {
			assert_true(n_ids < nitems(ids));
			ids[n_ids++] = rt.set_id;
		}
		per_set[j]++;
	}
	assert_int_equal(n_ids, 10);
	for (j = 0; j < n_ids; j++)
		assert_int_equal(per_set[j], 100);

	/* Withdrawing every route of one set releases it. */
	freed = route_set(r, &p[3]);
	for (i = 0, j = 0; i < nitems(p); i += 10)
		odd[j++] = p[i + 3];
	res = withdraw(r, odd, 100, &enc4, &ebgp4);
	assert_int_equal(res.withdrawn, 100);
	assert_int_equal(rib_in_attr_sets(r), 9);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 900);

	/* A freed set ID is reused, and its set is the new one. */
	attrs_init(&a, 77);
	res = announce(r, &a, &p[3], 1, &enc4, &ebgp4);
	assert_int_equal(rib_in_attr_sets(r), 10);
	assert_int_equal(route_set(r, &p[3]), freed);
	assert_int_equal(route_med(r, &p[3]), 77);

	res = withdraw(r, p, nitems(p), &enc4, &ebgp4);
	assert_int_equal(res.withdrawn, 901);
	assert_int_equal(res.absent, 99);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 0);
	assert_int_equal(rib_in_attr_sets(r), 0);
	c = (struct rib_in_cursor)RIB_IN_CURSOR_INIT;
	assert_int_equal(rib_in_walk(r, &c, &rt), 0);

	/* An empty RIB holds nothing, however full it was. */
	assert_int_equal(rib_in_memory(r), empty);
	rib_in_free(r);
}

/* Thousands of sets coming and going: the set index must still find
 * every live set, or equal attributes would be interned twice. */
static void
test_set_churn(void **state)
{
	enum { N = 3000 };
	struct rib_in		*r = rib_in_new();
	struct bgp_attrs	 a;
	struct bgp_prefix	*p, *q, *gone;
	struct rib_in_route	 rt;
	size_t			 i, j, mem;

	(void)state;
	p = calloc(N, sizeof(*p));
	q = calloc(N, sizeof(*q));
	gone = calloc(2 * N, sizeof(*gone));
	assert_true(p != NULL && q != NULL && gone != NULL);
	for (i = 0; i < N; i++) {
		p[i] = pfx4(0x1e000000 + ((uint32_t)i << 8), 24, 0);
		q[i] = pfx4(0x1f000000 + ((uint32_t)i << 8), 24, 0);
		attrs_init(&a, (uint32_t)i);
		(void)announce(r, &a, &p[i], 1, &enc4, &ebgp4);
	}
	assert_int_equal(rib_in_attr_sets(r), N);

	for (i = 0, j = 0; i < N; i += 3)
		gone[j++] = p[i];
	(void)withdraw(r, gone, j, &enc4, &ebgp4);
	assert_int_equal(rib_in_attr_sets(r), N - j);

	/* Equal attributes find the surviving sets; the others are new. */
	for (i = 0; i < N; i++) {
		attrs_init(&a, (uint32_t)i);
		(void)announce(r, &a, &q[i], 1, &enc4, &ebgp4);
		if (i % 3 != 0)
			assert_int_equal(route_set(r, &q[i]),
			    route_set(r, &p[i]));
	}
	assert_int_equal(rib_in_attr_sets(r), N);

	/* Leave one set in 30; each is still found, and memory went. */
	mem = rib_in_memory(r);
	for (i = 0, j = 0; i < N; i++) {
		if (i % 30 != 1)
			gone[j++] = q[i];
		if (i % 3 != 0 && i % 30 != 1)
			gone[j++] = p[i];
	}
	(void)withdraw(r, gone, j, &enc4, &ebgp4);
	assert_int_equal(rib_in_attr_sets(r), N / 30);
	assert_true(rib_in_memory(r) < mem / 4);
	for (i = 1; i < N; i += 30) {
		assert_int_equal(rib_in_lookup(r, &p[i], &rt), 1);
		attrs_init(&a, (uint32_t)i);
		(void)announce(r, &a, &p[i + 1], 1, &enc4, &ebgp4);
		assert_int_equal(route_set(r, &p[i + 1]), route_set(r, &q[i]));
		assert_int_equal(route_med(r, &p[i + 1]), i);
	}
	assert_int_equal(rib_in_attr_sets(r), N / 30);
	free(p);
	free(q);
	free(gone);
	rib_in_free(r);
}

/*
 * The same attributes sent in another order, with an extended length
 * on a short attribute, or by a 2-octet AS speaker with AS4_PATH, share
 * one set: the canonical form does not depend on the encoding.
 */
static void
test_canonical_encoding(void **state)
{
	/* ORIGIN, AS_PATH, NEXT_HOP, MED; NLRI 10.0.0.0/8. */
	static const uint8_t in_order[] = {
		0x00, 0x00,			/* withdrawn routes length */
		0x00, 0x1f,			/* attribute length: 31 */
		0x40, 0x01, 0x01, 0x00,		/* ORIGIN IGP */
		0x40, 0x02, 0x0a,		/* AS_PATH, 10 octets */
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00,
		0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,	/* NEXT_HOP */
		0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x64,	/* MED 100 */
		0x08, 0x0a,
	};
	/* MED, NEXT_HOP, AS_PATH (extended length), ORIGIN; 10.1.0.0/16. */
	static const uint8_t reordered[] = {
		0x00, 0x00,
		0x00, 0x20,			/* 32 */
		0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x64,
		0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,
		0x50, 0x02, 0x00, 0x0a,
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00,
		0x40, 0x01, 0x01, 0x00,
		0x10, 0x0a, 0x01,
	};
	/* 2-octet session: AS_PATH 65001 23456, AS4_PATH 65001 4200000000;
	 * NLRI 172.16.0.0/12. */
	static const uint8_t as2[] = {
		0x00, 0x00,
		0x00, 0x28,			/* 40 */
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x02, 0xfd, 0xe9, 0x5b, 0xa0,
		0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,
		0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x64,
		0xc0, 0x11, 0x0a,		/* AS4_PATH */
		0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00,
		0x0c, 0xac, 0x10,
	};
	static const struct bgp_decode_ctx ebgp2 = { .ebgp = true };
	struct rib_in		*r = rib_in_new();
	struct rib_in_result	 res;
	struct bgp_prefix	 p1, p2, p3;

	(void)state;
	apply_body(r, in_order, sizeof(in_order), &ebgp4, BGP_UPDATE_OK, &res);
	assert_int_equal(res.announced, 1);
	apply_body(r, reordered, sizeof(reordered), &ebgp4, BGP_UPDATE_OK,
	    &res);
	assert_int_equal(res.announced, 1);
	apply_body(r, as2, sizeof(as2), &ebgp2, BGP_UPDATE_OK, &res);
	assert_int_equal(res.announced, 1);

	p1 = pfx4(0x0a000000, 8, 0);
	p2 = pfx4(0x0a010000, 16, 0);
	p3 = pfx4(0xac100000, 12, 0);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 3);
	assert_int_equal(route_set(r, &p1), route_set(r, &p2));
	assert_int_equal(route_set(r, &p1), route_set(r, &p3));
	assert_int_equal(rib_in_attr_sets(r), 1);
	assert_int_equal(route_med(r, &p3), 100);
	rib_in_free(r);
}

/* RFC 7606 2: an UPDATE whose attributes call for treat-as-withdraw
 * removes what it announces, in the NLRI field and in MP_REACH_NLRI. */
static void
test_treat_as_withdraw(void **state)
{
	/* ORIGIN 3 (undefined, RFC 7606 7.1); NLRI 10.0.0.0/8, 10.9.0.0/16. */
	static const uint8_t bad4[] = {
		0x00, 0x00,
		0x00, 0x14,			/* 20 */
		0x40, 0x01, 0x01, 0x03,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,
		0x08, 0x0a,
		0x10, 0x0a, 0x09,
	};
	/* The same error with 2001:db8::/32 in MP_REACH_NLRI. */
	static const uint8_t bad6[] = {
		0x00, 0x00,
		0x00, 0x2a,			/* 42 */
		0x40, 0x01, 0x01, 0x03,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		0x80, 0x0e, 0x1a,		/* MP_REACH_NLRI, 26 octets */
		0x00, 0x02, 0x01,		/* AFI 2, SAFI 1 */
		0x10,				/* next hop length 16 */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00,				/* reserved */
		0x20, 0x20, 0x01, 0x0d, 0xb8,	/* 2001:db8::/32 */
	};
	struct rib_in		*r = rib_in_new();
	struct rib_in_result	 res;
	struct bgp_attrs	 a;
	struct bgp_prefix	 p4[2], p6;

	(void)state;
	p4[0] = pfx4(0x0a000000, 8, 0);
	p4[1] = pfx4(0x0a0a0000, 16, 0);	/* not in bad4 */
	p6 = pfx6("2001:db8::", 32, 0);
	attrs_init(&a, 5);
	(void)announce(r, &a, p4, 2, &enc4, &ebgp4);
	attrs_init6(&a, 5, false);
	(void)announce(r, &a, &p6, 1, &enc4, &ebgp4);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 2);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV6), 1);
	assert_int_equal(rib_in_attr_sets(r), 2);

	apply_body(r, bad4, sizeof(bad4), &ebgp4,
	    BGP_UPDATE_TREAT_AS_WITHDRAW, &res);
	assert_int_equal(res.announced, 0);
	assert_int_equal(res.withdrawn, 1);
	assert_int_equal(res.absent, 1);	/* 10.9.0.0/16 */
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 1);
	assert_int_equal(route_med(r, &p4[1]), 5);

	apply_body(r, bad6, sizeof(bad6), &ebgp4,
	    BGP_UPDATE_TREAT_AS_WITHDRAW, &res);
	assert_int_equal(res.announced, 0);
	assert_int_equal(res.withdrawn, 1);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV6), 0);
	assert_int_equal(rib_in_attr_sets(r), 1);
	rib_in_free(r);
}

static void
test_ipv6_link_local(void **state)
{
	struct rib_in		*r = rib_in_new();
	struct bgp_attrs	 a, got, a4;
	struct bgp_prefix	 p[2], q, p4;
	struct rib_in_route	 rt;
	struct rib_in_result	 res;
	uint8_t			 scratch[RIB_IN_SCRATCH_MAX];
	uint8_t			 ll[16], gl[16];

	(void)state;
	p[0] = pfx6("2001:db8:1::", 48, 0);
	p[1] = pfx6("2001:db8:2::", 48, 0);
	attrs_init6(&a, 10, true);
	res = announce(r, &a, p, 2, &enc4, &ebgp4);
	assert_int_equal(res.announced, 2);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV6), 2);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 0);
	assert_int_equal(rib_in_attr_sets(r), 1);

	assert_int_equal(rib_in_lookup(r, &p[1], &rt), 1);
	assert_int_equal(rt.prefix.aid, BGP_AID_IPV6);
	assert_int_equal(rt.prefix.len, 48);
	assert_memory_equal(rt.prefix.addr, p[1].addr, 16);
	assert_int_equal(rib_in_route_attrs(&rt, scratch, sizeof(scratch),
	    &got), 0);
	assert_true(bgp_attrs_has(&got, BGP_ATTR_MP_REACH_NLRI));
	assert_int_equal(got.mp_reach_aid, BGP_AID_IPV6);
	assert_int_equal(got.mp_nexthop_len, 32);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", gl), 1);
	assert_int_equal(inet_pton(AF_INET6, "fe80::1", ll), 1);
	assert_memory_equal(got.mp_nexthop, gl, 16);
	assert_memory_equal(got.mp_nexthop_ll, ll, 16);
	/* RFC 4760 3: NEXT_HOP means nothing for MP_REACH routes. */
	assert_false(bgp_attrs_has(&got, BGP_ATTR_NEXT_HOP));
	assert_int_equal(got.med, 10);
	assert_int_equal(got.aspath.len, sizeof(aspath_a));
	assert_memory_equal(got.aspath.data, aspath_a, sizeof(aspath_a));

	/* Only the link-local address differs: another set. */
	q = pfx6("2001:db8:3::", 48, 0);
	attrs_init6(&a, 10, false);
	(void)announce(r, &a, &q, 1, &enc4, &ebgp4);
	assert_int_equal(rib_in_attr_sets(r), 2);
	assert_int_not_equal(route_set(r, &q), route_set(r, &p[0]));
	assert_int_equal(rib_in_lookup(r, &q, &rt), 1);
	assert_int_equal(rib_in_route_attrs(&rt, scratch, sizeof(scratch),
	    &got), 0);
	assert_int_equal(got.mp_nexthop_len, 16);
	assert_memory_equal(got.mp_nexthop, gl, 16);

	/* The same path attributes over IPv4 are a set of their own. */
	p4 = pfx4(0x0a000000, 8, 0);
	attrs_init(&a4, 10);
	(void)announce(r, &a4, &p4, 1, &enc4, &ebgp4);
	assert_int_equal(rib_in_attr_sets(r), 3);
	assert_int_equal(rib_in_lookup(r, &p4, &rt), 1);
	assert_int_equal(rib_in_route_attrs(&rt, scratch, sizeof(scratch),
	    &got), 0);
	assert_false(bgp_attrs_has(&got, BGP_ATTR_MP_REACH_NLRI));
	assert_true(bgp_attrs_has(&got, BGP_ATTR_NEXT_HOP));
	assert_int_equal(got.nexthop, htonl(0xc0000201));

	res = withdraw(r, p, 2, &enc4, &ebgp4);
	assert_int_equal(res.withdrawn, 2);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV6), 1);
	assert_int_equal(rib_in_attr_sets(r), 2);
	rib_in_free(r);
}

/* IPv4 in MP_REACH_NLRI: the 4-octet next hop goes with the set. */
static void
test_ipv4_mp_reach(void **state)
{
	static const uint8_t body[] = {
		0x00, 0x00,
		0x00, 0x1d,			/* 29 */
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		0x80, 0x0e, 0x0d,		/* MP_REACH_NLRI, 13 octets */
		0x00, 0x01, 0x01,		/* AFI 1, SAFI 1 */
		0x04, 0xc6, 0x33, 0x64, 0x01,	/* next hop 198.51.100.1 */
		0x00,
		0x18, 0xcb, 0x00, 0x71,		/* 203.0.113.0/24 */
	};
	static const uint8_t nh[4] = { 198, 51, 100, 1 };
	struct rib_in		*r = rib_in_new();
	struct rib_in_result	 res;
	struct rib_in_route	 rt;
	struct bgp_attrs	 got;
	struct bgp_prefix	 p = pfx4(0xcb007100, 24, 0);
	uint8_t			 scratch[RIB_IN_SCRATCH_MAX];

	(void)state;
	apply_body(r, body, sizeof(body), &ebgp4, BGP_UPDATE_OK, &res);
	assert_int_equal(res.announced, 1);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 1);
	assert_int_equal(rib_in_lookup(r, &p, &rt), 1);
	assert_int_equal(rib_in_route_attrs(&rt, scratch, sizeof(scratch),
	    &got), 0);
	assert_true(bgp_attrs_has(&got, BGP_ATTR_MP_REACH_NLRI));
	assert_int_equal(got.mp_reach_aid, BGP_AID_IPV4);
	assert_int_equal(got.mp_nexthop_len, 4);
	assert_memory_equal(got.mp_nexthop, nh, 4);
	assert_false(bgp_attrs_has(&got, BGP_ATTR_NEXT_HOP));
	rib_in_free(r);
}

/* One UPDATE that withdraws and re-announces: withdrawals go first. */
static void
test_withdraw_then_announce(void **state)
{
	static const uint8_t body[] = {
		0x00, 0x02, 0x08, 0x0a,		/* withdraw 10.0.0.0/8 */
		0x00, 0x14,			/* 20 */
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9,
		0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01,
		0x08, 0x0a,			/* 10.0.0.0/8 */
		0x10, 0x0a, 0x02,		/* 10.2.0.0/16 */
	};
	struct rib_in		*r = rib_in_new();
	struct rib_in_result	 res;
	struct bgp_attrs	 a;
	struct bgp_prefix	 p = pfx4(0x0a000000, 8, 0);

	(void)state;
	attrs_init(&a, 1);
	(void)announce(r, &a, &p, 1, &enc4, &ebgp4);
	apply_body(r, body, sizeof(body), &ebgp4, BGP_UPDATE_OK, &res);
	assert_int_equal(res.withdrawn, 1);
	assert_int_equal(res.announced, 2);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 2);
	/* The MED-1 set went away with its only route. */
	assert_int_equal(rib_in_attr_sets(r), 1);
	rib_in_free(r);
}

/*
 * An extended message from a 2-octet AS speaker whose AS path, widened to
 * 4 octets, no longer fits an attribute length: the RIB cannot show such
 * a route, so it must not keep one (and must drop the route it had).
 */
static void
test_attrs_too_large(void **state)
{
	enum { SEGS = 126, PER_SEG = 255 };
	static const struct bgp_decode_ctx ebgp2 = { .ebgp = true };
	struct rib_in		*r = rib_in_new();
	struct rib_in_result	 res;
	struct bgp_update	 u;
	struct bgp_err		 err;
	struct bgp_attrs	 a;
	struct bgp_prefix	 p = pfx4(0x0a000000, 8, 0);
	struct buf		*b = buf_new(BGP_MAX_EXT_MSG_LEN);
	struct buf		 v;
	size_t			 i, j, alen_off, plen;

	(void)state;
	attrs_init(&a, 1);
	(void)announce(r, &a, &p, 1, &enc4, &ebgp4);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 1);

	plen = SEGS * (2 + 2 * PER_SEG);
	buf_put_u16(b, 0);			/* no withdrawn routes */
	alen_off = buf_len(b);
	buf_put_u16(b, 0);
	buf_put_u8(b, 0x40);			/* ORIGIN IGP */
	buf_put_u8(b, BGP_ATTR_ORIGIN);
	buf_put_u8(b, 1);
	buf_put_u8(b, 0);
	buf_put_u8(b, 0x50);			/* AS_PATH, ext. length */
	buf_put_u8(b, BGP_ATTR_AS_PATH);
	buf_put_u16(b, (uint16_t)plen);
	for (i = 0; i < SEGS; i++) {
		buf_put_u8(b, 2);
		buf_put_u8(b, PER_SEG);
		for (j = 0; j < PER_SEG; j++)
			buf_put_u16(b, (uint16_t)(64512 + j));
	}
	buf_put_u8(b, 0x40);			/* NEXT_HOP 192.0.2.1 */
	buf_put_u8(b, BGP_ATTR_NEXT_HOP);
	buf_put_u8(b, 4);
	buf_put_u32(b, 0xc0000201);
	assert_int_equal(buf_set_u16(b, alen_off, (uint16_t)(buf_len(b) - 4)),
	    0);
	buf_put_u8(b, 8);			/* 10.0.0.0/8 */
	buf_put_u8(b, 10);
	assert_false(buf_error(b));
	/* It fits an extended message as sent, and not once widened. */
	assert_true(buf_len(b) + BGP_HEADER_LEN <= BGP_MAX_EXT_MSG_LEN);
	assert_true(2 * plen > 65535);

	buf_view(&v, b->data, buf_len(b));
	assert_int_equal(bgp_msg_get_update(&v, &ebgp2, &u, &err), 0);
	assert_int_equal(u.outcome, BGP_UPDATE_OK);
	assert_int_equal(u.attrs.aspath.len, SEGS * (2 + 4 * PER_SEG));
	errno = 0;
	assert_int_equal(rib_in_apply(r, &u, &ebgp2, &res), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_int_equal(res.announced, 0);
	assert_int_equal(res.withdrawn, 1);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 0);
	assert_int_equal(rib_in_attr_sets(r), 0);
	bgp_update_free(&u);
	buf_free(b);
	rib_in_free(r);
}

static void
test_end_of_rib(void **state)
{
	struct rib_in		*r = rib_in_new();
	struct rib_in_result	 sum;
	struct bgp_attrs	 a;
	struct bgp_prefix	 p = pfx4(0x0a000000, 8, 0);
	struct buf		*b = buf_new(BGP_MAX_MSG_LEN);
	size_t			 mem;
	int			 aid;

	(void)state;
	attrs_init(&a, 1);
	(void)announce(r, &a, &p, 1, &enc4, &ebgp4);
	mem = rib_in_memory(r);
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		memset(&sum, 0, sizeof(sum));
		buf_reset(b);
		assert_int_equal(bgp_msg_put_eor(b, aid), 0);
		apply_msg(r, b->data, buf_len(b), &ebgp4, BGP_UPDATE_OK, &sum);
		assert_int_equal(sum.announced + sum.withdrawn + sum.absent, 0);
	}
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 1);
	assert_int_equal(rib_in_memory(r), mem);
	buf_free(b);
	rib_in_free(r);
}

/* RFC 7911: the path ID is part of the key. */
static void
test_add_path(void **state)
{
	static const struct bgp_decode_ctx dap = {
		.as4 = true, .ebgp = true,
		.addpath_recv = { true, true },
	};
	static const struct bgp_encode_ctx eap = {
		.as4 = true, .maxlen = BGP_MAX_MSG_LEN,
		.addpath_send = { true, true },
	};
	struct rib_in		*r = rib_in_new();
	struct rib_in_result	 res;
	struct rib_in_route	 rt;
	struct bgp_attrs	 a;
	struct bgp_prefix	 p[3], v6[2];
	uint32_t		 i;

	(void)state;
	for (i = 0; i < 3; i++) {
		p[i] = pfx4(0x0a000000, 8, i);
		attrs_init(&a, 100 + i);
		res = announce(r, &a, &p[i], 1, &eap, &dap);
		assert_int_equal(res.announced, 1);
	}
	v6[0] = pfx6("2001:db8::", 32, 7);
	v6[1] = pfx6("2001:db8::", 32, 0xffffffff);
	attrs_init6(&a, 100, true);
	(void)announce(r, &a, v6, 2, &eap, &dap);

	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 3);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV6), 2);
	assert_int_equal(rib_in_attr_sets(r), 4);
	for (i = 0; i < 3; i++) {
		assert_int_equal(route_med(r, &p[i]), 100 + i);
		assert_int_equal(rib_in_lookup(r, &p[i], &rt), 1);
		assert_int_equal(rt.prefix.path_id, i);
	}
	assert_int_equal(rib_in_lookup(r, &v6[1], &rt), 1);
	assert_int_equal(rt.prefix.path_id, 0xffffffff);
	v6[0].path_id = 8;
	assert_int_equal(rib_in_lookup(r, &v6[0], &rt), 0);

	res = withdraw(r, &p[1], 1, &eap, &dap);
	assert_int_equal(res.withdrawn, 1);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 2);
	assert_int_equal(rib_in_lookup(r, &p[1], &rt), 0);
	assert_int_equal(rib_in_lookup(r, &p[0], &rt), 1);
	assert_int_equal(rib_in_lookup(r, &p[2], &rt), 1);
	assert_int_equal(rib_in_attr_sets(r), 3);

	/* Path 0 takes path 2's attributes: MED 100's set goes. */
	attrs_init(&a, 102);
	(void)announce(r, &a, &p[0], 1, &eap, &dap);
	assert_int_equal(rib_in_attr_sets(r), 2);
	assert_int_equal(route_set(r, &p[0]), route_set(r, &p[2]));
	rib_in_free(r);
}

/* Many doublings in both families, with exact counts all the way. */
static void
test_growth(void **state)
{
	enum { N4 = 100000, N6 = 20000, BATCH = 2500 };
	struct rib_in		*r = rib_in_new();
	struct rib_in_result	 res;
	struct rib_in_route	 rt;
	struct bgp_attrs	 a;
	struct bgp_prefix	*p, q;
	size_t			 i, j, mem, last_mem = 0;

	(void)state;
	p = calloc(N4, sizeof(*p));
	assert_non_null(p);
	for (i = 0; i < N4; i++)
		p[i] = pfx4(0x01000000 + ((uint32_t)i << 8), 24, 0);
	for (i = 0; i < N4; i += BATCH) {
		attrs_init(&a, (uint32_t)(i / BATCH));
		res = announce(r, &a, p + i, BATCH, &enc4, &ebgp4);
		assert_int_equal(res.announced, BATCH);
		assert_int_equal(rib_in_count(r, BGP_AID_IPV4), i + BATCH);
		mem = rib_in_memory(r);
		assert_true(mem >= last_mem);
		last_mem = mem;
	}
	assert_int_equal(rib_in_attr_sets(r), N4 / BATCH);
	for (i = 0; i < N4; i += 997) {
		assert_int_equal(rib_in_lookup(r, &p[i], &rt), 1);
		assert_int_equal(route_med(r, &p[i]), i / BATCH);
	}

	/* Every other route goes; the table shrinks under them. */
	for (i = 0, j = 0; i < N4; i += 2)
		p[j++] = p[i];
	res = withdraw(r, p, j, &enc4, &ebgp4);
	assert_int_equal(res.withdrawn, N4 / 2);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), N4 / 2);
	for (i = 0; i < N4; i++) {
		q = pfx4(0x01000000 + ((uint32_t)i << 8), 24, 0);
		assert_int_equal(rib_in_lookup(r, &q, &rt), i % 2);
	}

	/* Down to one route in 16: the table shrinks and stays correct. */
	mem = rib_in_memory(r);
	for (i = 0, j = 0; i < N4; i++)
		if (i % 2 == 1 && i % 16 != 1)
			p[j++] = pfx4(0x01000000 + ((uint32_t)i << 8), 24, 0);
	res = withdraw(r, p, j, &enc4, &ebgp4);
	assert_int_equal(res.withdrawn, j);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), N4 / 16);
	assert_true(rib_in_memory(r) < mem / 2);
	for (i = 0; i < N4; i++) {
		q = pfx4(0x01000000 + ((uint32_t)i << 8), 24, 0);
		assert_int_equal(rib_in_lookup(r, &q, &rt), i % 16 == 1);
	}

	for (i = 0; i < N6; i++)
		p[i] = pfx6n((uint32_t)i, 0);
	attrs_init6(&a, 1, true);
	res = announce(r, &a, p, N6, &enc4, &ebgp4);
	assert_int_equal(res.announced, N6);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV6), N6);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), N4 / 16);
	for (i = 0; i < N6; i += 101)
		assert_int_equal(rib_in_lookup(r, &p[i], &rt), 1);
	res = withdraw(r, p, N6, &enc4, &ebgp4);
	assert_int_equal(res.withdrawn, N6);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV6), 0);
	free(p);
	rib_in_free(r);
}

/* Index of a route added by fill_walk(), or -1. */
static long
walk_index(const struct bgp_prefix *p)
{
	uint32_t	 v;

	if (p->aid == BGP_AID_IPV4) {
		v = (uint32_t)p->addr[1] << 8 | p->addr[2];
		if (p->addr[0] == 10 && p->path_id == 0 && v < 3000)
			return v;
		if (p->addr[0] == 11 && p->path_id == v + 1 && v < 1000)
			return 3000 + v;
		return -1;
	}
	v = (uint32_t)p->addr[6] << 8 | p->addr[7];
	if (p->path_id == 0 && v < 1000)
		return 4000 + v;
	if (p->path_id == v + 1 && v < 500)
		return 5000 + v;
	return -1;
}

#define WALK_ROUTES	5500

static void
fill_walk(struct rib_in *r)
{
	static const struct bgp_decode_ctx dap = {
		.as4 = true, .ebgp = true,
		.addpath_recv = { true, true },
	};
	static const struct bgp_encode_ctx eap = {
		.as4 = true, .maxlen = BGP_MAX_MSG_LEN,
		.addpath_send = { true, true },
	};
	struct bgp_prefix	*p;
	struct bgp_attrs	 a;
	uint32_t		 i;

	p = calloc(3000, sizeof(*p));
	assert_non_null(p);
	attrs_init(&a, 1);
	for (i = 0; i < 3000; i++)
		p[i] = pfx4(0x0a000000 | i << 8, 24, 0);
	(void)announce(r, &a, p, 3000, &eap, &dap);
	for (i = 0; i < 1000; i++)
		p[i] = pfx4(0x0b000000 | i << 8, 24, i + 1);
	(void)announce(r, &a, p, 1000, &eap, &dap);
	attrs_init6(&a, 1, false);
	for (i = 0; i < 1000; i++)
		p[i] = pfx6n(i, 0);
	(void)announce(r, &a, p, 1000, &eap, &dap);
	for (i = 0; i < 500; i++)
		p[i] = pfx6n(i, i + 1);
	(void)announce(r, &a, p, 500, &eap, &dap);
	free(p);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4) +
	    rib_in_count(r, BGP_AID_IPV6), WALK_ROUTES);
}

static void
test_walk_every_route_once(void **state)
{
	struct rib_in		*r = rib_in_new();
	struct rib_in_cursor	 c = RIB_IN_CURSOR_INIT, saved;
	struct rib_in_route	 rt, again;
	uint8_t			*seen;
	size_t			 n = 0;
	long			 k;

	(void)state;
	fill_walk(r);
	seen = calloc(WALK_ROUTES, 1);
	assert_non_null(seen);
	for (;;) {
		/* A copy of the cursor resumes exactly where it was. */
		saved = c;
		if (rib_in_walk(r, &c, &rt) == 0)
			break;
		assert_int_equal(rib_in_walk(r, &saved, &again), 1);
		assert_memory_equal(&again.prefix, &rt.prefix,
		    sizeof(rt.prefix));
		assert_non_null(rt.set);
		assert_true(rt.set_len > 0);
		k = walk_index(&rt.prefix);
		assert_true(k >= 0);
		assert_int_equal(seen[k], 0);
		seen[k] = 1;
		n++;
	}
	assert_int_equal(n, WALK_ROUTES);
	/* The end stays the end. */
	assert_int_equal(rib_in_walk(r, &c, &rt), 0);
	free(seen);
	rib_in_free(r);
}

/* Changing the table under a cursor may skip or repeat, never break. */
static void
test_walk_survives_changes(void **state)
{
	struct rib_in		*r = rib_in_new();
	struct rib_in_cursor	 c = RIB_IN_CURSOR_INIT;
	struct rib_in_route	 rt, found;
	struct bgp_prefix	*p;
	struct bgp_attrs	 a;
	size_t			 n = 0, i;

	(void)state;
	fill_walk(r);
	while (n < 2000 && rib_in_walk(r, &c, &rt) == 1)
		n++;
	assert_int_equal(n, 2000);

	/* Withdraw most IPv4 routes (the table halves several times)... */
	p = calloc(3000, sizeof(*p));
	assert_non_null(p);
	for (i = 0; i < 2900; i++)
		p[i] = pfx4(0x0a000000 | (uint32_t)i << 8, 24, 0);
	(void)withdraw(r, p, 2900, &enc4, &ebgp4);
	/* ...and grow IPv6 past a doubling. */
	attrs_init6(&a, 2, true);
	for (i = 0; i < 3000; i++)
		p[i] = pfx6n((uint32_t)(100000 + i), 0);
	(void)announce(r, &a, p, 3000, &enc4, &ebgp4);
	free(p);

	/* Whatever the walk still returns exists, and the walk ends. */
	n = 0;
	while (rib_in_walk(r, &c, &rt) == 1) {
		assert_int_equal(rib_in_lookup(r, &rt.prefix, &found), 1);
		assert_int_equal(found.set_id, rt.set_id);
		assert_true(++n <= rib_in_count(r, BGP_AID_IPV4) +
		    rib_in_count(r, BGP_AID_IPV6));
	}
	assert_true(n > 0);

	/* A cursor from before a clear simply finds nothing. */
	c.table = 0;
	c.slot = 5;
	rib_in_clear(r);
	assert_int_equal(rib_in_walk(r, &c, &rt), 0);
	/* Nor does a cursor past every table. */
	c.table = 99;
	c.slot = 0;
	fill_walk(r);
	assert_int_equal(rib_in_walk(r, &c, &rt), 0);
	rib_in_free(r);
}

/* What was announced comes back from the interned bytes. */
static void
test_decode_back(void **state)
{
	static const struct bgp_decode_ctx ibgp4 = { .as4 = true };
	static const uint8_t comms[] = {
		0xfd, 0xe8, 0x00, 0x01,			/* 65000:1 */
		0xff, 0xff, 0xff, 0x01,			/* NO_EXPORT */
	};
	static const uint8_t large[] = {
		0xfa, 0x56, 0xea, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
	};
	static const uint8_t ext[] = {
		0x00, 0x02, 0xfd, 0xe8, 0x00, 0x00, 0x00, 0x64,	/* rt */
	};
	struct rib_in		*r = rib_in_new();
	struct rib_in_route	 rt;
	struct bgp_attrs	 a, got;
	struct bgp_prefix	 p = pfx4(0xc6336400, 24, 0);
	uint8_t			 scratch[RIB_IN_SCRATCH_MAX];
	uint8_t			 small[8];
	unsigned int		 t;

	(void)state;
	memset(&a, 0, sizeof(a));
	bgp_attrs_set(&a, BGP_ATTR_ORIGIN);
	a.origin = BGP_ORIGIN_EGP;
	bgp_attrs_set(&a, BGP_ATTR_AS_PATH);
	a.aspath.data = aspath_b;
	a.aspath.len = sizeof(aspath_b);
	bgp_attrs_set(&a, BGP_ATTR_NEXT_HOP);
	a.nexthop = htonl(0xc6336401);
	bgp_attrs_set(&a, BGP_ATTR_MED);
	a.med = 50;
	bgp_attrs_set(&a, BGP_ATTR_LOCAL_PREF);
	a.local_pref = 200;
	bgp_attrs_set(&a, BGP_ATTR_ATOMIC_AGGREGATE);
	bgp_attrs_set(&a, BGP_ATTR_AGGREGATOR);
	a.aggregator_as = 4200000000u;
	a.aggregator_addr = htonl(0xc0000202);
	bgp_attrs_set(&a, BGP_ATTR_COMMUNITIES);
	a.communities.data = comms;
	a.communities.len = sizeof(comms);
	bgp_attrs_set(&a, BGP_ATTR_EXT_COMMUNITIES);
	a.ext_communities.data = ext;
	a.ext_communities.len = sizeof(ext);
	bgp_attrs_set(&a, BGP_ATTR_LARGE_COMMUNITIES);
	a.large_communities.data = large;
	a.large_communities.len = sizeof(large);

	(void)announce(r, &a, &p, 1, &enc4, &ibgp4);
	assert_int_equal(rib_in_lookup(r, &p, &rt), 1);
	assert_int_equal(rib_in_route_attrs(&rt, scratch, sizeof(scratch),
	    &got), 0);
	for (t = 0; t < 4; t++)
		assert_int_equal(got.present[t], a.present[t]);
	assert_int_equal(got.origin, BGP_ORIGIN_EGP);
	assert_int_equal(got.aspath.len, sizeof(aspath_b));
	assert_memory_equal(got.aspath.data, aspath_b, sizeof(aspath_b));
	assert_int_equal(bgp_aspath_length(&got), 3);
	assert_int_equal(got.nexthop, htonl(0xc6336401));
	assert_int_equal(got.med, 50);
	assert_int_equal(got.local_pref, 200);
	assert_int_equal(got.aggregator_as, 4200000000u);
	assert_int_equal(got.aggregator_addr, htonl(0xc0000202));
	assert_int_equal(got.communities.len, sizeof(comms));
	assert_memory_equal(got.communities.data, comms, sizeof(comms));
	assert_int_equal(got.ext_communities.len, sizeof(ext));
	assert_memory_equal(got.ext_communities.data, ext, sizeof(ext));
	assert_int_equal(got.large_communities.len, sizeof(large));
	assert_memory_equal(got.large_communities.data, large, sizeof(large));
	/* The views point into the scratch, not into the RIB. */
	assert_true(got.aspath.data >= scratch &&
	    got.aspath.data < scratch + sizeof(scratch));

	/* Too little scratch is refused, not overrun. */
	errno = 0;
	assert_int_equal(rib_in_route_attrs(&rt, small, sizeof(small), &got),
	    -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(rib_in_route_attrs(&rt, scratch, 4 + rt.set_len,
	    &got), 0);
	rt.set_len = 0;
	assert_int_equal(rib_in_route_attrs(&rt, scratch, sizeof(scratch),
	    &got), -1);
	assert_int_equal(errno, EINVAL);
	rib_in_free(r);
}

static void
test_clear(void **state)
{
	struct rib_in		*r = rib_in_new();
	struct rib_in_cursor	 c = RIB_IN_CURSOR_INIT;
	struct rib_in_route	 rt;
	struct bgp_attrs	 a;
	struct bgp_prefix	 p = pfx4(0x0a000000, 8, 0);
	size_t			 empty;

	(void)state;
	empty = rib_in_memory(r);
	fill_walk(r);
	assert_true(rib_in_memory(r) > empty);
	rib_in_clear(r);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 0);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV6), 0);
	assert_int_equal(rib_in_attr_sets(r), 0);
	assert_int_equal(rib_in_memory(r), empty);
	assert_int_equal(rib_in_walk(r, &c, &rt), 0);
	assert_int_equal(rib_in_lookup(r, &p, &rt), 0);

	/* Still usable afterwards. */
	attrs_init(&a, 3);
	(void)announce(r, &a, &p, 1, &enc4, &ebgp4);
	assert_int_equal(rib_in_count(r, BGP_AID_IPV4), 1);
	assert_int_equal(route_med(r, &p), 3);
	rib_in_clear(r);
	rib_in_clear(r);
	rib_in_free(r);
	rib_in_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_replace_withdraw),
		cmocka_unit_test(test_attr_sharing_and_release),
		cmocka_unit_test(test_set_churn),
		cmocka_unit_test(test_canonical_encoding),
		cmocka_unit_test(test_treat_as_withdraw),
		cmocka_unit_test(test_ipv6_link_local),
		cmocka_unit_test(test_ipv4_mp_reach),
		cmocka_unit_test(test_withdraw_then_announce),
		cmocka_unit_test(test_attrs_too_large),
		cmocka_unit_test(test_end_of_rib),
		cmocka_unit_test(test_add_path),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_walk_every_route_once),
		cmocka_unit_test(test_walk_survives_changes),
		cmocka_unit_test(test_decode_back),
		cmocka_unit_test(test_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
