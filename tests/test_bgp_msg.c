/*
 * Unit tests for bgp_msg.c: the header, OPEN and capabilities (RFC 4271,
 * RFC 5492, RFC 9072), NOTIFICATION with shutdown communications (RFC
 * 9003), KEEPALIVE, ROUTE-REFRESH (RFC 2918, RFC 7313), the names and
 * the address family helpers. Encoders are checked against octets laid
 * out as the RFCs draw them; decoders against every error RFC 4271 6.1
 * and 6.2 define, against every truncation of valid messages and against
 * real messages from the shared data directory ($ANYCASTD_DATA, default
 * ../shared/data).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../src/bgp.h"
#include "../src/buf.h"
#include "../src/util.h"

#define MARKER	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

/* The fixed OPEN fields most tests use: AS 65010, hold 90, 192.0.2.10. */
#define OPEN_FIXED \
	0x04,				/* Version */ \
	0xfd, 0xf2,			/* My Autonomous System 65010 */ \
	0x00, 0x5a,			/* Hold Time 90 */ \
	0xc0, 0x00, 0x02, 0x0a		/* BGP Identifier 192.0.2.10 */

static void
open_init(struct bgp_open *o)
{
	memset(o, 0, sizeof(*o));
	o->version = BGP_VERSION;
	o->my_as = 65010;
	o->holdtime = 90;
	o->bgp_id = 0xc000020a;
}

/* Encodes with a fresh writer and compares with the expected octets. */
static void
expect_open(const struct bgp_open *o, const uint8_t *want, size_t wantlen)
{
	struct buf	*w;

	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_open(w, o), 0);
	assert_false(buf_error(w));
	assert_int_equal(buf_len(w), wantlen);
	assert_memory_equal(w->data, want, wantlen);
	buf_free(w);
}

static int
decode(const uint8_t *msg, size_t len, size_t maxlen, struct bgp_msg *m,
    struct bgp_err *err)
{
	struct buf	 b;

	memset(err, 0, sizeof(*err));
	buf_view(&b, msg, len);
	return bgp_msg_decode(&b, maxlen, NULL, m, err);
}

static void
expect_err(const struct bgp_err *err, uint8_t code, uint8_t subcode,
    const uint8_t *data, size_t datalen)
{
	assert_int_equal(err->code, code);
	assert_int_equal(err->subcode, subcode);
	assert_int_equal(err->datalen, datalen);
	if (datalen > 0)
		assert_memory_equal(err->data, data, datalen);
}

/* ------------------------------------------------------------------ */
/* KEEPALIVE, NOTIFICATION                                              */

static void
test_keepalive(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x13,		/* Length 19 */
		0x04,			/* Type KEEPALIVE */
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	struct buf		*w;

	(void)state;
	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_keepalive(w), 0);
	assert_int_equal(buf_len(w), sizeof(want));
	assert_memory_equal(w->data, want, sizeof(want));
	buf_free(w);

	assert_int_equal(decode(want, sizeof(want), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_int_equal(m.hdr.type, BGP_MSG_KEEPALIVE);
	assert_int_equal(m.hdr.len, 19);
}

static void
test_notification_data(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x17,		/* Length 23 */
		0x03,			/* Type NOTIFICATION */
		0x02,			/* Error code: OPEN Message Error */
		0x01,			/* Subcode: Unsupported Version */
		0x00, 0x04,		/* Data: version 4 */
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	struct buf		*w;
	const uint8_t		 data[] = { 0x00, 0x04 };

	(void)state;
	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_notification(w, 2, 1, data,
	    sizeof(data), BGP_MAX_MSG_LEN), 0);
	assert_int_equal(buf_len(w), sizeof(want));
	assert_memory_equal(w->data, want, sizeof(want));
	buf_free(w);

	assert_int_equal(decode(want, sizeof(want), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_int_equal(m.notification.code, 2);
	assert_int_equal(m.notification.subcode, 1);
	assert_int_equal(m.notification.datalen, 2);
	/* The data is a view into the message, not a copy. */
	assert_ptr_equal(m.notification.data, want + 21);
	assert_false(m.notification.has_shutdown_comm);
}

static void
test_notification_no_data(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x15,		/* Length 21 */
		0x03,			/* Type NOTIFICATION */
		0x04,			/* Error code: Hold Timer Expired */
		0x00,			/* Subcode 0 */
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	struct buf		*w;

	(void)state;
	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_notification(w, 4, 0, NULL, 0,
	    BGP_MAX_MSG_LEN), 0);
	assert_int_equal(buf_len(w), sizeof(want));
	assert_memory_equal(w->data, want, sizeof(want));
	buf_free(w);

	assert_int_equal(decode(want, sizeof(want), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_int_equal(m.notification.code, 4);
	assert_int_equal(m.notification.datalen, 0);
	assert_null(m.notification.data);
}

/* Data beyond maxlen is cut so that the message is exactly maxlen. */
static void
test_notification_truncated_to_maxlen(void **state)
{
	uint8_t		 data[5000];
	struct buf	*w;

	(void)state;
	memset(data, 0xab, sizeof(data));
	w = buf_new(BGP_MAX_EXT_MSG_LEN);
	assert_int_equal(bgp_msg_put_notification(w, 3, 1, data, sizeof(data),
	    BGP_MAX_MSG_LEN), 0);
	assert_int_equal(buf_len(w), BGP_MAX_MSG_LEN);
	assert_int_equal(w->data[16], 0x10);	/* Length 4096 */
	assert_int_equal(w->data[17], 0x00);
	assert_int_equal(w->data[19], 3);
	assert_int_equal(w->data[20], 1);
	assert_int_equal(w->data[BGP_MAX_MSG_LEN - 1], 0xab);

	buf_reset(w);
	assert_int_equal(bgp_msg_put_notification(w, 3, 1, data, sizeof(data),
	    20), -1);
	buf_free(w);
}

static void
test_cease_shutdown_comm(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x21,		/* Length 33 */
		0x03,			/* Type NOTIFICATION */
		0x06,			/* Error code: Cease */
		0x02,			/* Subcode: Administrative Shutdown */
		0x0b,			/* Shutdown Communication length 11 */
		'm', 'a', 'i', 'n', 't', 'e', 'n', 'a', 'n', 'c', 'e',
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	struct buf		*w;

	(void)state;
	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_cease(w, BGP_ERR_CEASE_ADMIN_SHUTDOWN,
	    "maintenance"), 0);
	assert_int_equal(buf_len(w), sizeof(want));
	assert_memory_equal(w->data, want, sizeof(want));
	buf_free(w);

	assert_int_equal(decode(want, sizeof(want), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_int_equal(m.notification.code, BGP_ERR_CEASE);
	assert_int_equal(m.notification.subcode, BGP_ERR_CEASE_ADMIN_SHUTDOWN);
	assert_true(m.notification.has_shutdown_comm);
	assert_string_equal(m.notification.shutdown_comm, "maintenance");
	assert_int_equal(m.notification.datalen, 12);
}

static void
test_cease_reset_utf8(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x1c,		/* Length 28 */
		0x03,			/* Type NOTIFICATION */
		0x06,			/* Error code: Cease */
		0x04,			/* Subcode: Administrative Reset */
		0x06,			/* Shutdown Communication length 6 */
		'g', 'r', 0xc3, 0xbc, 0xc3, 0x9f,	/* "grüß" */
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	struct buf		*w;

	(void)state;
	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_cease(w, BGP_ERR_CEASE_ADMIN_RESET,
	    "gr\xc3\xbc\xc3\x9f"), 0);
	assert_int_equal(buf_len(w), sizeof(want));
	assert_memory_equal(w->data, want, sizeof(want));
	buf_free(w);

	assert_int_equal(decode(want, sizeof(want), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_true(m.notification.has_shutdown_comm);
	assert_string_equal(m.notification.shutdown_comm, "gr\xc3\xbc\xc3\x9f");
}

/* Other Cease subcodes carry no communication (RFC 9003 2), and NULL
 * sends none. */
static void
test_cease_without_comm(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x15,		/* Length 21 */
		0x03,			/* Type NOTIFICATION */
		0x06,			/* Error code: Cease */
		0x03,			/* Subcode: Peer De-configured */
	};
	static const uint8_t want_null[] = {
		MARKER,
		0x00, 0x15,		/* Length 21 */
		0x03,			/* Type NOTIFICATION */
		0x06,			/* Error code: Cease */
		0x02,			/* Subcode: Administrative Shutdown */
	};
	struct buf	*w;

	(void)state;
	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_cease(w, BGP_ERR_CEASE_PEER_DECONFIGURED,
	    "ignored"), 0);
	assert_int_equal(buf_len(w), sizeof(want));
	assert_memory_equal(w->data, want, sizeof(want));
	buf_reset(w);
	assert_int_equal(bgp_msg_put_cease(w, BGP_ERR_CEASE_ADMIN_SHUTDOWN,
	    NULL), 0);
	assert_int_equal(buf_len(w), sizeof(want_null));
	assert_memory_equal(w->data, want_null, sizeof(want_null));
	buf_free(w);
}

/*
 * Writes a Cease/2 with comm and checks the communication octets: n is
 * the length it must have been cut to.
 */
static void
expect_cease_cut(const char *comm, size_t n)
{
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	struct buf		*w;

	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_cease(w, BGP_ERR_CEASE_ADMIN_SHUTDOWN,
	    comm), 0);
	assert_int_equal(buf_len(w), 22 + n);
	assert_int_equal(w->data[16], (22 + n) >> 8);	/* Length */
	assert_int_equal(w->data[17], (22 + n) & 0xff);
	assert_int_equal(w->data[19], 6);		/* Cease */
	assert_int_equal(w->data[20], 2);		/* Admin Shutdown */
	assert_int_equal(w->data[21], n);		/* comm length */
	assert_memory_equal(w->data + 22, comm, n);

	/* What was cut must still be valid UTF-8 for the receiver. */
	assert_int_equal(decode(w->data, buf_len(w), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_true(m.notification.has_shutdown_comm);
	assert_int_equal(strlen(m.notification.shutdown_comm), n);
	buf_free(w);
}

static void
test_cease_truncate_utf8(void **state)
{
	char	 s[600];

	(void)state;
	/* 255 octets ending in a 2-octet sequence: fits exactly. */
	memset(s, 'a', 253);
	memcpy(s + 253, "\xc3\xa9", 3);
	expect_cease_cut(s, 255);

	/* 254 + 2 octets: the 'é' would be split, so it goes whole. */
	memset(s, 'a', 254);
	memcpy(s + 254, "\xc3\xa9", 3);
	expect_cease_cut(s, 254);

	/* A 4-octet sequence starting at 253: cut before it. */
	memset(s, 'a', 253);
	memcpy(s + 253, "\xf0\x9f\x98\x80zz", 7);
	expect_cease_cut(s, 253);

	/* 3-octet sequences all the way: 85 * 3 = 255 fits exactly. */
	for (size_t i = 0; i < 100; i++)
		memcpy(s + 3 * i, "\xe2\x82\xac", 3);	/* '€' */
	s[300] = '\0';
	expect_cease_cut(s, 255);

	/* Plain ASCII is cut at 255. */
	memset(s, 'x', 599);
	s[599] = '\0';
	expect_cease_cut(s, 255);

	/* The empty string is a zero-length communication (RFC 9003 2). */
	{
		static const uint8_t want[] = {
			MARKER,
			0x00, 0x16,	/* Length 22 */
			0x03,		/* Type NOTIFICATION */
			0x06, 0x02,	/* Cease, Administrative Shutdown */
			0x00,		/* Shutdown Communication length 0 */
		};
		struct buf *w = buf_new(BGP_MAX_MSG_LEN);

		assert_int_equal(bgp_msg_put_cease(w, 2, ""), 0);
		assert_int_equal(buf_len(w), sizeof(want));
		assert_memory_equal(w->data, want, sizeof(want));
		buf_free(w);
	}
}

/* A broken communication never fails the decode (RFC 9003 4). */
static void
test_notification_bad_comm(void **state)
{
	static const struct {
		const char	*name;
		uint8_t		 subcode;
		uint8_t		 data[8];
		size_t		 datalen;
	} cases[] = {
		{ "length overruns data", 2, { 0x05, 'a', 'b' }, 3 },
		{ "invalid utf-8 (lone continuation)", 2,
		    { 0x02, 'a', 0x80 }, 3 },
		{ "invalid utf-8 (overlong '/')", 4, { 0x02, 0xc0, 0xaf }, 3 },
		{ "invalid utf-8 (surrogate)", 4,
		    { 0x03, 0xed, 0xa0, 0x80 }, 4 },
		{ "invalid utf-8 (> U+10FFFF)", 2,
		    { 0x04, 0xf4, 0x90, 0x80, 0x80 }, 5 },
		{ "invalid utf-8 (truncated sequence)", 2,
		    { 0x02, 'a', 0xe2 }, 3 },
		{ "embedded NUL", 2, { 0x03, 'a', 0x00, 'b' }, 4 },
		{ "zero length", 2, { 0x00 }, 1 },
		{ "no data", 2, { 0 }, 0 },
		{ "not a shutdown subcode", 3, { 0x02, 'o', 'k' }, 3 },
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	uint8_t			 msg[64];
	size_t			 i, len;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		memset(msg, 0xff, 16);
		len = 21 + cases[i].datalen;
		msg[16] = 0;
		msg[17] = len;
		msg[18] = BGP_MSG_NOTIFICATION;
		msg[19] = BGP_ERR_CEASE;
		msg[20] = cases[i].subcode;
		memcpy(msg + 21, cases[i].data, cases[i].datalen);
		if (decode(msg, len, BGP_MAX_MSG_LEN, &m, &err) != 0)
			fail_msg("%s: decode failed", cases[i].name);
		if (m.notification.has_shutdown_comm)
			fail_msg("%s: accepted", cases[i].name);
		assert_int_equal(m.notification.datalen, cases[i].datalen);
	}

	/* Extra octets after a good communication are left in data. */
	{
		static const uint8_t msg2[] = {
			MARKER, 0x00, 0x19, 0x03,
			0x06, 0x04,		/* Cease, Admin Reset */
			0x02, 'o', 'k',		/* comm "ok" */
			0xde,			/* trailing */
		};
		assert_int_equal(decode(msg2, sizeof(msg2), BGP_MAX_MSG_LEN,
		    &m, &err), 0);
		assert_true(m.notification.has_shutdown_comm);
		assert_string_equal(m.notification.shutdown_comm, "ok");
		assert_int_equal(m.notification.datalen, 4);
	}
}

/* ------------------------------------------------------------------ */
/* OPEN encoding                                                        */

static void
test_open_no_caps(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x1d,		/* Length 29 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x00,			/* Opt Parm Len 0 */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_mp_ipv4(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x25,		/* Length 37 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x08,			/* Opt Parm Len 8 */
		0x02, 0x06,		/* Parm Type 2 (Capabilities), len 6 */
		0x01, 0x04,		/* Multiprotocol, len 4 */
		0x00, 0x01,		/* AFI 1 (IPv4) */
		0x00,			/* Reserved */
		0x01,			/* SAFI 1 (unicast) */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	o.caps.mp[BGP_AID_IPV4] = true;
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_mp_ipv6(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x25,		/* Length 37 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x08,			/* Opt Parm Len 8 */
		0x02, 0x06,		/* Parm Type 2 (Capabilities), len 6 */
		0x01, 0x04,		/* Multiprotocol, len 4 */
		0x00, 0x02,		/* AFI 2 (IPv6) */
		0x00,			/* Reserved */
		0x01,			/* SAFI 1 (unicast) */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	o.caps.mp[BGP_AID_IPV6] = true;
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_route_refresh(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x21,		/* Length 33 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x04,			/* Opt Parm Len 4 */
		0x02, 0x02,		/* Parm Type 2 (Capabilities), len 2 */
		0x02, 0x00,		/* Route Refresh, len 0 */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	o.caps.route_refresh = true;
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_enhanced_rr(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x21,		/* Length 33 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x04,			/* Opt Parm Len 4 */
		0x02, 0x02,		/* Parm Type 2 (Capabilities), len 2 */
		0x46, 0x00,		/* Enhanced Route Refresh (70), len 0 */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	o.caps.enhanced_route_refresh = true;
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_ext_message(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x21,		/* Length 33 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x04,			/* Opt Parm Len 4 */
		0x02, 0x02,		/* Parm Type 2 (Capabilities), len 2 */
		0x06, 0x00,		/* Extended Message (6), len 0 */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	o.caps.ext_message = true;
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_as4(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x25,		/* Length 37 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x08,			/* Opt Parm Len 8 */
		0x02, 0x06,		/* Parm Type 2 (Capabilities), len 6 */
		0x41, 0x04,		/* 4-octet AS (65), len 4 */
		0x00, 0x00, 0xfd, 0xf2,	/* AS 65010 */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	o.caps.as4 = true;
	o.caps.as4_asn = 65010;
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_role(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x22,		/* Length 34 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x05,			/* Opt Parm Len 5 */
		0x02, 0x03,		/* Parm Type 2 (Capabilities), len 3 */
		0x09, 0x01,		/* BGP Role (9), len 1 */
		0x03,			/* Customer */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	o.caps.role_present = true;
	o.caps.role = BGP_ROLE_CUSTOMER;
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_graceful_restart(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x27,		/* Length 39 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x0a,			/* Opt Parm Len 10 */
		0x02, 0x08,		/* Parm Type 2 (Capabilities), len 8 */
		0x40, 0x06,		/* Graceful Restart (64), len 6 */
		0x80, 0x78,		/* R bit, Restart Time 120 */
		0x00, 0x01,		/* AFI 1 (IPv4) */
		0x01,			/* SAFI 1 */
		0x80,			/* F bit */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	o.caps.gr = true;
	o.caps.gr_flags = 0x8;
	o.caps.gr_time = 120;
	o.caps.gr_naf = 1;
	o.caps.gr_af[0].afi = 1;
	o.caps.gr_af[0].safi = 1;
	o.caps.gr_af[0].flags = 0x80;
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_add_path(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x29,		/* Length 41 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x0c,			/* Opt Parm Len 12 */
		0x02, 0x0a,		/* Parm Type 2 (Capabilities), len 10 */
		0x45, 0x08,		/* ADD-PATH (69), len 8 */
		0x00, 0x01, 0x01,	/* AFI 1, SAFI 1 */
		0x01,			/* Receive */
		0x00, 0x02, 0x01,	/* AFI 2, SAFI 1 */
		0x03,			/* Send/Receive */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	o.caps.addpath_n = 2;
	o.caps.addpath[0].afi = 1;
	o.caps.addpath[0].safi = 1;
	o.caps.addpath[0].mode = BGP_ADDPATH_RECV;
	o.caps.addpath[1].afi = 2;
	o.caps.addpath[1].safi = 1;
	o.caps.addpath[1].mode = BGP_ADDPATH_RECV | BGP_ADDPATH_SEND;
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_fqdn(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x2b,		/* Length 43 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x0e,			/* Opt Parm Len 14 */
		0x02, 0x0c,		/* Parm Type 2 (Capabilities), len 12 */
		0x49, 0x0a,		/* FQDN (73), len 10 */
		0x04, 'e', 'd', 'g', 'e',	/* hostname "edge" */
		0x04, 't', 'e', 's', 't',	/* domain name "test" */
	};
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	o.caps.fqdn = true;
	strlcpy(o.caps.hostname, "edge", sizeof(o.caps.hostname));
	strlcpy(o.caps.domainname, "test", sizeof(o.caps.domainname));
	expect_open(&o, want, sizeof(want));
}

static void
test_open_cap_unknown(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x27,		/* Length 39 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x0a,			/* Opt Parm Len 10 */
		0x02, 0x08,		/* Parm Type 2 (Capabilities), len 8 */
		0x05, 0x06,		/* Extended Next Hop (5), len 6 */
		0x00, 0x01,		/* NLRI AFI 1 */
		0x00, 0x01,		/* NLRI SAFI 1 */
		0x00, 0x02,		/* Next hop AFI 2 */
	};
	static const uint8_t tlv[] = { 0x05, 0x06, 0, 1, 0, 1, 0, 2 };
	struct bgp_open	 o;

	(void)state;
	open_init(&o);
	memcpy(o.caps.unknown, tlv, sizeof(tlv));
	o.caps.unknown_len = sizeof(tlv);
	expect_open(&o, want, sizeof(want));
}

/* Every capability, in the fixed order bgp_msg_put_open promises. */
static const uint8_t open_all[] = {
	MARKER,
	0x00, 0x60,		/* Length 96 */
	0x01,			/* Type OPEN */
	OPEN_FIXED,
	0x43,			/* Opt Parm Len 67 */
	0x02, 0x41,		/* Parm Type 2 (Capabilities), len 65 */
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01,	/* MP IPv4 unicast */
	0x01, 0x04, 0x00, 0x02, 0x00, 0x01,	/* MP IPv6 unicast */
	0x02, 0x00,				/* Route Refresh */
	0x46, 0x00,				/* Enhanced Route Refresh */
	0x06, 0x00,				/* Extended Message */
	0x41, 0x04, 0x00, 0x00, 0xfd, 0xf2,	/* 4-octet AS 65010 */
	0x09, 0x01, 0x04,			/* Role: Peer */
	0x40, 0x06, 0x40, 0xb4,			/* GR: N bit, time 180 */
	    0x00, 0x02, 0x01, 0x00,		/*   IPv6 unicast, no F */
	0x45, 0x08,				/* ADD-PATH */
	    0x00, 0x01, 0x01, 0x02,		/*   IPv4 unicast, Send */
	    0x00, 0x02, 0x01, 0x01,		/*   IPv6 unicast, Receive */
	0x49, 0x0a, 0x04, 'e', 'd', 'g', 'e',	/* FQDN "edge" */
	    0x04, 't', 'e', 's', 't',		/*   "test" */
	0x05, 0x06, 0x00, 0x01, 0x00, 0x01,	/* Extended Next Hop, opaque */
	    0x00, 0x02,
};

static void
open_all_init(struct bgp_open *o)
{
	static const uint8_t tlv[] = { 0x05, 0x06, 0, 1, 0, 1, 0, 2 };

	open_init(o);
	o->caps.mp[BGP_AID_IPV4] = true;
	o->caps.mp[BGP_AID_IPV6] = true;
	o->caps.route_refresh = true;
	o->caps.enhanced_route_refresh = true;
	o->caps.ext_message = true;
	o->caps.as4 = true;
	o->caps.as4_asn = 65010;
	o->caps.role_present = true;
	o->caps.role = BGP_ROLE_PEER;
	o->caps.gr = true;
	o->caps.gr_flags = 0x4;
	o->caps.gr_time = 180;
	o->caps.gr_naf = 1;
	o->caps.gr_af[0].afi = 2;
	o->caps.gr_af[0].safi = 1;
	o->caps.gr_af[0].flags = 0;
	o->caps.addpath_n = 2;
	o->caps.addpath[0].afi = 1;
	o->caps.addpath[0].safi = 1;
	o->caps.addpath[0].mode = BGP_ADDPATH_SEND;
	o->caps.addpath[1].afi = 2;
	o->caps.addpath[1].safi = 1;
	o->caps.addpath[1].mode = BGP_ADDPATH_RECV;
	o->caps.fqdn = true;
	strlcpy(o->caps.hostname, "edge", sizeof(o->caps.hostname));
	strlcpy(o->caps.domainname, "test", sizeof(o->caps.domainname));
	memcpy(o->caps.unknown, tlv, sizeof(tlv));
	o->caps.unknown_len = sizeof(tlv);
}

static void
assert_open_equal(const struct bgp_open *x, const struct bgp_open *y)
{
	assert_int_equal(x->version, y->version);
	assert_int_equal(x->my_as, y->my_as);
	assert_int_equal(x->holdtime, y->holdtime);
	assert_int_equal(x->bgp_id, y->bgp_id);
	/* Every field is set through a zeroed struct, so the caps compare
	 * as memory, padding and unused array slots included. */
	assert_memory_equal(&x->caps, &y->caps, sizeof(x->caps));
}

static void
test_open_all_caps(void **state)
{
	static struct bgp_msg	 m;
	struct bgp_open		 o;
	struct bgp_err		 err;

	(void)state;
	open_all_init(&o);
	expect_open(&o, open_all, sizeof(open_all));

	/* Round trip: the decode gives back exactly what was encoded. */
	assert_int_equal(decode(open_all, sizeof(open_all), BGP_MAX_MSG_LEN,
	    &m, &err), 0);
	assert_int_equal(m.hdr.type, BGP_MSG_OPEN);
	assert_open_equal(&m.open, &o);
	assert_int_equal(bgp_open_peer_as(&m.open), 65010);
}

static void
test_open_as4_peer(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x2b,		/* Length 43 */
		0x01,			/* Type OPEN */
		0x04,			/* Version */
		0x5b, 0xa0,		/* My AS 23456 (AS_TRANS) */
		0x00, 0x09,		/* Hold Time 9 */
		0xc6, 0x33, 0x64, 0x01,	/* BGP Identifier 198.51.100.1 */
		0x0e,			/* Opt Parm Len 14 */
		0x02, 0x0c,		/* Parm Type 2 (Capabilities), len 12 */
		0x01, 0x04, 0x00, 0x01, 0x00, 0x01,	/* MP IPv4 unicast */
		0x41, 0x04,		/* 4-octet AS (65), len 4 */
		0xfa, 0x56, 0xea, 0x01,	/* AS 4200000001 */
	};
	static struct bgp_msg	 m;
	struct bgp_open		 o;
	struct bgp_err		 err;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.my_as = BGP_AS_TRANS;
	o.holdtime = 9;
	o.bgp_id = 0xc6336401;
	o.caps.mp[BGP_AID_IPV4] = true;
	o.caps.as4 = true;
	o.caps.as4_asn = 4200000001u;
	expect_open(&o, want, sizeof(want));

	assert_int_equal(decode(want, sizeof(want), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_int_equal(m.open.my_as, BGP_AS_TRANS);
	assert_true(m.open.caps.as4);
	assert_int_equal(bgp_open_peer_as(&m.open), 4200000001u);
	assert_open_equal(&m.open, &o);

	/* Without the capability the peer AS is the 2-octet field. */
	m.open.caps.as4 = false;
	assert_int_equal(bgp_open_peer_as(&m.open), BGP_AS_TRANS);
}

/* ------------------------------------------------------------------ */
/* RFC 9072 extended optional parameters                                */

/* Fills caps.unknown with TLVs of code 200 + i totalling n octets. */
static void
caps_fill_unknown(struct bgp_caps *c, size_t n)
{
	size_t	 len, i = 0;

	c->unknown_len = 0;
	while (n > 0) {
		len = n - 2 > 255 ? 255 : n - 2;
		if (n - 2 - len == 1)	/* leave room for a whole TLV */
			len--;
		c->unknown[c->unknown_len] = 200 + i;
		c->unknown[c->unknown_len + 1] = len;
		memset(c->unknown + c->unknown_len + 2, (int)i, len);
		c->unknown_len += 2 + len;
		n -= 2 + len;
		i++;
	}
}

/* 253 octets of capabilities still fit the RFC 4271 encoding. */
static void
test_open_ext_params_boundary(void **state)
{
	static struct bgp_msg	 m;
	struct bgp_open		 o;
	struct bgp_err		 err;
	struct buf		*w;

	(void)state;
	open_init(&o);
	caps_fill_unknown(&o.caps, 253);
	assert_int_equal(o.caps.unknown_len, 253);

	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_open(w, &o), 0);
	assert_int_equal(buf_len(w), 29 + 2 + 253);
	assert_int_equal(w->data[16], 0x01);	/* Length 284 */
	assert_int_equal(w->data[17], 0x1c);
	assert_int_equal(w->data[28], 0xff);	/* Opt Parm Len 255 */
	assert_int_equal(w->data[29], 0x02);	/* Capabilities */
	assert_int_equal(w->data[30], 0xfd);	/* len 253 */
	assert_memory_equal(w->data + 31, o.caps.unknown, 253);

	assert_int_equal(decode(w->data, buf_len(w), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_open_equal(&m.open, &o);
	buf_free(w);
}

/* 254 octets would make the field 256 long: extended format. */
static void
test_open_ext_params_encode(void **state)
{
	static const uint8_t head[] = {
		MARKER,
		0x01, 0x21,		/* Length 289 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0xff,			/* Non-Ext OP Len 255 */
		0xff,			/* Non-Ext OP Type 255 */
		0x01, 0x01,		/* Extended Opt. Parm. Length 257 */
		0x02,			/* Parm Type 2 (Capabilities) */
		0x00, 0xfe,		/* Parm Length 254 (2 octets) */
	};
	static struct bgp_msg	 m;
	struct bgp_open		 o;
	struct bgp_err		 err;
	struct buf		*w;

	(void)state;
	open_init(&o);
	caps_fill_unknown(&o.caps, 254);
	assert_int_equal(o.caps.unknown_len, 254);

	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_open(w, &o), 0);
	assert_int_equal(buf_len(w), sizeof(head) + 254);
	assert_memory_equal(w->data, head, sizeof(head));
	assert_memory_equal(w->data + sizeof(head), o.caps.unknown, 254);

	assert_int_equal(decode(w->data, buf_len(w), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_open_equal(&m.open, &o);

	/* Known capabilities ahead of many unknown ones, 1000 octets. */
	open_all_init(&o);
	caps_fill_unknown(&o.caps, 1000);
	buf_reset(w);
	assert_int_equal(bgp_msg_put_open(w, &o), 0);
	assert_int_equal(buf_len(w), 29 + 6 + 57 + 1000);
	assert_int_equal(w->data[28], 0xff);
	assert_int_equal(w->data[29], 0xff);
	assert_int_equal(w->data[30], (57 + 1000 + 3) >> 8);
	assert_int_equal(w->data[31], (57 + 1000 + 3) & 0xff);
	assert_int_equal(w->data[32], 0x02);
	assert_int_equal(w->data[33], (57 + 1000) >> 8);
	assert_int_equal(w->data[34], (57 + 1000) & 0xff);
	assert_int_equal(decode(w->data, buf_len(w), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_open_equal(&m.open, &o);
	buf_free(w);
}

static void
test_open_ext_params_decode(void **state)
{
	static const uint8_t one[] = {
		MARKER,
		0x00, 0x2f,		/* Length 47 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0xff,			/* Non-Ext OP Len 255 */
		0xff,			/* Non-Ext OP Type 255 */
		0x00, 0x0f,		/* Extended Opt. Parm. Length 15 */
		0x02, 0x00, 0x0c,	/* Capabilities, length 12 */
		0x01, 0x04, 0x00, 0x02, 0x00, 0x01,	/* MP IPv6 unicast */
		0x41, 0x04, 0xfa, 0x56, 0xea, 0x01,	/* AS 4200000001 */
	};
	/* Two parameters, and a Non-Ext OP Len that is not 255: RFC 9072 2
	 * says to ignore it once the type octet says extended. */
	static const uint8_t two[] = {
		MARKER,
		0x00, 0x32,		/* Length 50 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x12,			/* Non-Ext OP Len 18 (ignored) */
		0xff,			/* Non-Ext OP Type 255 */
		0x00, 0x12,		/* Extended Opt. Parm. Length 18 */
		0x02, 0x00, 0x06,	/* Capabilities, length 6 */
		0x01, 0x04, 0x00, 0x01, 0x00, 0x01,	/* MP IPv4 unicast */
		0x02, 0x00, 0x06,	/* Capabilities, length 6 */
		0x41, 0x04, 0x00, 0x00, 0xfd, 0xf2,	/* AS 65010 */
	};
	/* Extended, but no parameters at all. */
	static const uint8_t empty[] = {
		MARKER,
		0x00, 0x20,		/* Length 32 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0xff,			/* Non-Ext OP Len 255 */
		0xff,			/* Non-Ext OP Type 255 */
		0x00, 0x00,		/* Extended Opt. Parm. Length 0 */
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;

	(void)state;
	assert_int_equal(decode(one, sizeof(one), BGP_MAX_MSG_LEN, &m, &err),
	    0);
	assert_true(m.open.caps.mp[BGP_AID_IPV6]);
	assert_false(m.open.caps.mp[BGP_AID_IPV4]);
	assert_true(m.open.caps.as4);
	assert_int_equal(bgp_open_peer_as(&m.open), 4200000001u);

	assert_int_equal(decode(two, sizeof(two), BGP_MAX_MSG_LEN, &m, &err),
	    0);
	assert_true(m.open.caps.mp[BGP_AID_IPV4]);
	assert_int_equal(m.open.caps.as4_asn, 65010);
	assert_int_equal(m.open.caps.unknown_len, 0);

	assert_int_equal(decode(empty, sizeof(empty), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_false(m.open.caps.mp[BGP_AID_IPV4]);
}

/* ------------------------------------------------------------------ */
/* OPEN decoding                                                        */

static void
test_open_decode_details(void **state)
{
	/* Capabilities split over several parameters, repeats, an MP for
	 * another family, and a malformed FQDN: all accepted. */
	static const uint8_t msg[] = {
		MARKER,
		0x00, 0x4c,		/* Length 76 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x2f,			/* Opt Parm Len 47 */
		0x02, 0x06,		/* Capabilities, len 6 */
		0x01, 0x04, 0x00, 0x01, 0x00, 0x01,	/* MP IPv4 unicast */
		0x02, 0x0f,		/* Capabilities, len 15 */
		0x01, 0x04, 0x00, 0x01, 0x00, 0x01,	/* again */
		0x01, 0x04, 0x00, 0x01, 0x00, 0x80,	/* IPv4 VPN: opaque */
		0x09, 0x01, 0x03,	/* Role customer */
		0x02, 0x00,		/* Capabilities, len 0 */
		0x02, 0x12,		/* Capabilities, len 18 */
		0x09, 0x01, 0x03,	/* Role customer again: agrees */
		0x49, 0x03, 0x05, 'a', 'b',	/* FQDN overrun: opaque */
		0x45, 0x08,		/* ADD-PATH */
		0x00, 0x01, 0x01, 0x01,	/*   IPv4 Receive */
		0x00, 0x01, 0x01, 0x03,	/*   IPv4 again: Send/Receive */
	};
	static const uint8_t unknown[] = {
		0x01, 0x04, 0x00, 0x01, 0x00, 0x80,
		0x49, 0x03, 0x05, 'a', 'b',
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;

	(void)state;
	assert_int_equal(decode(msg, sizeof(msg), BGP_MAX_MSG_LEN, &m, &err),
	    0);
	assert_true(m.open.caps.mp[BGP_AID_IPV4]);
	assert_false(m.open.caps.mp[BGP_AID_IPV6]);
	assert_true(m.open.caps.role_present);
	assert_int_equal(m.open.caps.role, BGP_ROLE_CUSTOMER);
	assert_false(m.open.caps.fqdn);
	assert_int_equal(m.open.caps.addpath_n, 1);
	assert_int_equal(m.open.caps.addpath[0].mode, 3);
	assert_int_equal(m.open.caps.unknown_len, sizeof(unknown));
	assert_memory_equal(m.open.caps.unknown, unknown, sizeof(unknown));
	assert_false(m.open.caps.as4);
	assert_int_equal(bgp_open_peer_as(&m.open), 65010);
}

/* The last Graceful Restart capability wins (RFC 4724 3). */
static void
test_open_decode_gr_last(void **state)
{
	static const uint8_t msg[] = {
		MARKER,
		0x00, 0x33,		/* Length 51 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x16,			/* Opt Parm Len 22 */
		0x02, 0x14,		/* Capabilities, len 20 */
		0x40, 0x0a,		/* GR, len 10 */
		0x80, 0x78,		/*   R, 120 s */
		0x00, 0x01, 0x01, 0x80,	/*   IPv4, F */
		0x00, 0x02, 0x01, 0x80,	/*   IPv6, F */
		0x40, 0x06,		/* GR, len 6 */
		0x4f, 0xff,		/*   N, 4095 s */
		0x00, 0x02, 0x01, 0x00,	/*   IPv6 */
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;

	(void)state;
	assert_int_equal(decode(msg, sizeof(msg), BGP_MAX_MSG_LEN, &m, &err),
	    0);
	assert_true(m.open.caps.gr);
	assert_int_equal(m.open.caps.gr_flags, 0x4);
	assert_int_equal(m.open.caps.gr_time, 4095);
	assert_int_equal(m.open.caps.gr_naf, 1);
	assert_int_equal(m.open.caps.gr_af[0].afi, 2);
	assert_int_equal(m.open.caps.gr_af[0].flags, 0);
}

/* Unknown capabilities beyond the store are dropped whole and flagged. */
static void
test_open_decode_unknown_overflow(void **state)
{
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	uint8_t			 msg[BGP_MAX_MSG_LEN];
	size_t			 len, caplen, i;

	(void)state;
	/* Five 256-octet TLVs: four fill the 1024 octets, the fifth is
	 * dropped. */
	caplen = 5 * 256;
	len = 29 + 6 + caplen;
	memset(msg, 0xff, 16);
	msg[16] = len >> 8;
	msg[17] = len & 0xff;
	msg[18] = BGP_MSG_OPEN;
	memcpy(msg + 19, (const uint8_t[]){ OPEN_FIXED }, 9);
	msg[28] = 0xff;
	msg[29] = 0xff;
	msg[30] = (caplen + 3) >> 8;
	msg[31] = (caplen + 3) & 0xff;
	msg[32] = 0x02;
	msg[33] = caplen >> 8;
	msg[34] = caplen & 0xff;
	for (i = 0; i < 5; i++) {
		msg[35 + i * 256] = 200 + i;
		msg[36 + i * 256] = 254;
		memset(msg + 37 + i * 256, (int)i, 254);
	}
	assert_int_equal(decode(msg, len, BGP_MAX_MSG_LEN, &m, &err), 0);
	assert_int_equal(m.open.caps.unknown_len, 4 * 256);
	assert_true(m.open.caps.unknown_truncated);
	assert_memory_equal(m.open.caps.unknown, msg + 35, 4 * 256);

	/* Four alone fit exactly: nothing is flagged. */
	len = 29 + 6 + 4 * 256;
	msg[16] = len >> 8;
	msg[17] = len & 0xff;
	msg[30] = (4 * 256 + 3) >> 8;
	msg[31] = (4 * 256 + 3) & 0xff;
	msg[33] = (4 * 256) >> 8;
	msg[34] = (4 * 256) & 0xff;
	assert_int_equal(decode(msg, len, BGP_MAX_MSG_LEN, &m, &err), 0);
	assert_int_equal(m.open.caps.unknown_len, 4 * 256);
	assert_false(m.open.caps.unknown_truncated);
}

/* A TLV one octet too big for the space left is dropped; a smaller one
 * after it is still kept. */
static void
test_open_decode_unknown_edge(void **state)
{
	/* Value lengths: 767 + 2 = 769 octets stored, 255 left. */
	static const uint8_t vlen[] = { 254, 254, 253, 0, 254, 0 };
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	uint8_t			 msg[BGP_MAX_MSG_LEN];
	size_t			 len, caplen = 0, off, i;

	(void)state;
	for (i = 0; i < nitems(vlen); i++)
		caplen += 2 + vlen[i];
	len = 29 + 6 + caplen;
	memset(msg, 0xff, 16);
	msg[16] = len >> 8;			/* Length */
	msg[17] = len & 0xff;
	msg[18] = BGP_MSG_OPEN;			/* Type */
	memcpy(msg + 19, (const uint8_t[]){ OPEN_FIXED }, 9);
	msg[28] = 0xff;				/* Non-Ext OP Len */
	msg[29] = 0xff;				/* Non-Ext OP Type */
	msg[30] = (caplen + 3) >> 8;		/* Extended Opt. Parm. Length */
	msg[31] = (caplen + 3) & 0xff;
	msg[32] = 0x02;				/* Capabilities */
	msg[33] = caplen >> 8;			/* Parm Length */
	msg[34] = caplen & 0xff;
	for (off = 35, i = 0; i < nitems(vlen); i++) {
		msg[off] = 200 + i;		/* Capability Code */
		msg[off + 1] = vlen[i];		/* Capability Length */
		memset(msg + off + 2, (int)i, vlen[i]);
		off += 2 + vlen[i];
	}
	assert_int_equal(off, len);
	assert_int_equal(decode(msg, len, BGP_MAX_MSG_LEN, &m, &err), 0);
	assert_true(m.open.caps.unknown_truncated);
	assert_int_equal(m.open.caps.unknown_len, 769 + 2);
	assert_memory_equal(m.open.caps.unknown, msg + 35, 769);
	assert_int_equal(m.open.caps.unknown[769], 205);
	assert_int_equal(m.open.caps.unknown[770], 0);
}

/* A name with a NUL in it cannot be handed on as a string: opaque. */
static void
test_open_decode_fqdn_nul(void **state)
{
	static const uint8_t msg[] = {
		MARKER,
		0x00, 0x28,		/* Length 40 */
		0x01,			/* Type OPEN */
		OPEN_FIXED,
		0x0b,			/* Opt Parm Len 11 */
		0x02, 0x09,		/* Capabilities, len 9 */
		0x49, 0x07,		/* FQDN, len 7 */
		0x03, 'a', 0x00, 'b',	/*   hostname "a\0b" */
		0x02, 'c', 'd',		/*   domain "cd" */
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;

	(void)state;
	assert_int_equal(decode(msg, sizeof(msg), BGP_MAX_MSG_LEN, &m, &err),
	    0);
	assert_false(m.open.caps.fqdn);
	assert_string_equal(m.open.caps.hostname, "");
	assert_int_equal(m.open.caps.unknown_len, 9);
	assert_memory_equal(m.open.caps.unknown, msg + 31, 9);
}

/* The FRR fuzzing seed: an OPEN from AS 10, 10.1.1.1. */
static void
test_open_frr_seed(void **state)
{
	static const uint8_t unknown[] = { 0x80, 0x00 };	/* old RR */
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	const char		*dir;
	char			 path[1024];
	uint8_t			 msg[BGP_MAX_MSG_LEN];
	size_t			 len;
	FILE			*f;

	(void)state;
	if ((dir = getenv("ANYCASTD_DATA")) == NULL || *dir == '\0')
		dir = "../shared/data";
	snprintf(path, sizeof(path), "%s/fuzz/corpi-frr-bgpd-seed/bgp-open.bin",
	    dir);
	if ((f = fopen(path, "rb")) == NULL) {
		print_message("skipping: %s not found (set ANYCASTD_DATA)\n",
		    path);
		skip();
	}
	len = fread(msg, 1, sizeof(msg), f);
	fclose(f);
	assert_int_equal(len, 77);

	assert_int_equal(decode(msg, len, BGP_MAX_MSG_LEN, &m, &err), 0);
	assert_int_equal(m.hdr.type, BGP_MSG_OPEN);
	assert_int_equal(m.hdr.len, 77);
	assert_int_equal(m.open.version, 4);
	assert_int_equal(m.open.my_as, 10);
	assert_int_equal(m.open.holdtime, 9);
	assert_int_equal(m.open.bgp_id, 0x0a010101);
	assert_int_equal(bgp_open_peer_as(&m.open), 10);
	assert_true(m.open.caps.mp[BGP_AID_IPV4]);
	assert_false(m.open.caps.mp[BGP_AID_IPV6]);
	assert_true(m.open.caps.route_refresh);
	assert_false(m.open.caps.enhanced_route_refresh);
	assert_false(m.open.caps.ext_message);
	assert_true(m.open.caps.as4);
	assert_int_equal(m.open.caps.as4_asn, 10);
	assert_int_equal(m.open.caps.addpath_n, 1);
	assert_int_equal(m.open.caps.addpath[0].afi, 1);
	assert_int_equal(m.open.caps.addpath[0].safi, 1);
	assert_int_equal(m.open.caps.addpath[0].mode, BGP_ADDPATH_RECV);
	assert_true(m.open.caps.fqdn);
	assert_string_equal(m.open.caps.hostname, "top0");
	assert_string_equal(m.open.caps.domainname, "");
	assert_true(m.open.caps.gr);
	assert_int_equal(m.open.caps.gr_flags, 0);
	assert_int_equal(m.open.caps.gr_time, 120);
	assert_int_equal(m.open.caps.gr_naf, 0);
	assert_false(m.open.caps.role_present);
	assert_int_equal(m.open.caps.unknown_len, sizeof(unknown));
	assert_memory_equal(m.open.caps.unknown, unknown, sizeof(unknown));
}

/*
 * Builds an OPEN: the header length covers the fixed fields and params
 * unless hdrlen is non-zero. Returns the number of octets written.
 */
static size_t
open_build(uint8_t *out, uint8_t version, uint16_t as, uint16_t hold,
    uint32_t id, uint8_t optlen, const uint8_t *params, size_t plen)
{
	size_t	 len = 29 + plen;

	memset(out, 0xff, 16);
	out[16] = len >> 8;
	out[17] = len & 0xff;
	out[18] = BGP_MSG_OPEN;
	out[19] = version;
	out[20] = as >> 8;
	out[21] = as & 0xff;
	out[22] = hold >> 8;
	out[23] = hold & 0xff;
	out[24] = id >> 24;
	out[25] = (id >> 16) & 0xff;
	out[26] = (id >> 8) & 0xff;
	out[27] = id & 0xff;
	out[28] = optlen;
	memcpy(out + 29, params, plen);
	return len;
}

struct open_case {
	const char	*name;
	uint8_t		 version;
	uint16_t	 as;
	uint16_t	 hold;
	uint32_t	 id;
	uint8_t		 optlen;
	uint8_t		 params[32];	/* Optional Parameters as sent */
	size_t		 plen;
	int		 ok;
	uint8_t		 code;
	uint8_t		 subcode;
	uint8_t		 data[2];
	size_t		 datalen;
};

/* Every OPEN error RFC 4271 6.2 and its updates define. */
static const struct open_case open_cases[] = {
	{ "version 3", 3, 65010, 90, 1, 0, { 0 }, 0,
	    -1, 2, 1, { 0x00, 0x04 }, 2 },
	{ "version 5", 5, 65010, 90, 1, 0, { 0 }, 0,
	    -1, 2, 1, { 0x00, 0x04 }, 2 },
	{ "my AS 0 (RFC 7607)", 4, 0, 90, 1, 0, { 0 }, 0,
	    -1, 2, 2, { 0 }, 0 },
	{ "hold time 1", 4, 65010, 1, 1, 0, { 0 }, 0,
	    -1, 2, 6, { 0 }, 0 },
	{ "hold time 2", 4, 65010, 2, 1, 0, { 0 }, 0,
	    -1, 2, 6, { 0 }, 0 },
	{ "hold time 0", 4, 65010, 0, 1, 0, { 0 }, 0, 0, 0, 0, { 0 }, 0 },
	{ "hold time 3", 4, 65010, 3, 1, 0, { 0 }, 0, 0, 0, 0, { 0 }, 0 },
	{ "BGP ID 0", 4, 65010, 90, 0, 0, { 0 }, 0,
	    -1, 2, 3, { 0 }, 0 },
	{ "BGP ID 224.0.0.1 (RFC 6286)", 4, 65010, 90, 0xe0000001, 0,
	    { 0 }, 0, 0, 0, 0, { 0 }, 0 },
	{ "BGP ID 255.255.255.255", 4, 65010, 90, 0xffffffff, 0,
	    { 0 }, 0, 0, 0, 0, { 0 }, 0 },
	{ "opt parm len overruns message", 4, 65010, 90, 1, 5,
	    { 0x02, 0x02, 0x02, 0x00 }, 4, -1, 2, 0, { 0 }, 0 },
	{ "octets after optional parameters", 4, 65010, 90, 1, 4,
	    { 0x02, 0x02, 0x02, 0x00, 0x00 }, 5, -1, 2, 0, { 0 }, 0 },
	{ "octets after opt parm len 0", 4, 65010, 90, 1, 0,
	    { 0x02, 0x00 }, 2, -1, 2, 0, { 0 }, 0 },
	{ "parameter length overruns field", 4, 65010, 90, 1, 4,
	    { 0x02, 0x03, 0x02, 0x00 }, 4, -1, 2, 0, { 0 }, 0 },
	{ "parameter header cut", 4, 65010, 90, 1, 1,
	    { 0x02 }, 1, -1, 2, 0, { 0 }, 0 },
	{ "parameter type 1 (authentication)", 4, 65010, 90, 1, 4,
	    { 0x01, 0x02, 0x00, 0x00 }, 4, -1, 2, 4, { 0 }, 0 },
	{ "parameter type 3", 4, 65010, 90, 1, 2,
	    { 0x03, 0x00 }, 2, -1, 2, 4, { 0 }, 0 },
	{ "capability overruns parameter", 4, 65010, 90, 1, 6,
	    { 0x02, 0x04, 0x41, 0x04, 0x00, 0x00 }, 6, -1, 2, 0, { 0 }, 0 },
	{ "capability header cut", 4, 65010, 90, 1, 3,
	    { 0x02, 0x01, 0x41 }, 3, -1, 2, 0, { 0 }, 0 },
	{ "MP length 3", 4, 65010, 90, 1, 7,
	    { 0x02, 0x05, 0x01, 0x03, 0x00, 0x01, 0x00 }, 7,
	    -1, 2, 0, { 0 }, 0 },
	{ "MP length 5", 4, 65010, 90, 1, 9,
	    { 0x02, 0x07, 0x01, 0x05, 0x00, 0x01, 0x00, 0x01, 0x00 }, 9,
	    -1, 2, 0, { 0 }, 0 },
	{ "route refresh length 1", 4, 65010, 90, 1, 5,
	    { 0x02, 0x03, 0x02, 0x01, 0x00 }, 5, -1, 2, 0, { 0 }, 0 },
	{ "extended message length 1", 4, 65010, 90, 1, 5,
	    { 0x02, 0x03, 0x06, 0x01, 0x00 }, 5, -1, 2, 0, { 0 }, 0 },
	{ "enhanced route refresh length 1", 4, 65010, 90, 1, 5,
	    { 0x02, 0x03, 0x46, 0x01, 0x00 }, 5, -1, 2, 0, { 0 }, 0 },
	{ "AS4 length 3", 4, 65010, 90, 1, 7,
	    { 0x02, 0x05, 0x41, 0x03, 0x00, 0x00, 0x01 }, 7,
	    -1, 2, 0, { 0 }, 0 },
	{ "AS4 AS 0 (RFC 7607)", 4, 23456, 90, 1, 8,
	    { 0x02, 0x06, 0x41, 0x04, 0x00, 0x00, 0x00, 0x00 }, 8,
	    -1, 2, 2, { 0 }, 0 },
	{ "role length 2", 4, 65010, 90, 1, 6,
	    { 0x02, 0x04, 0x09, 0x02, 0x00, 0x00 }, 6, -1, 2, 0, { 0 }, 0 },
	{ "role length 0", 4, 65010, 90, 1, 4,
	    { 0x02, 0x02, 0x09, 0x00 }, 4, -1, 2, 0, { 0 }, 0 },
	{ "roles disagree (RFC 9234)", 4, 65010, 90, 1, 8,
	    { 0x02, 0x06, 0x09, 0x01, 0x00, 0x09, 0x01, 0x03 }, 8,
	    -1, 2, 11, { 0 }, 0 },
	{ "GR length 0", 4, 65010, 90, 1, 4,
	    { 0x02, 0x02, 0x40, 0x00 }, 4, -1, 2, 0, { 0 }, 0 },
	{ "GR length 4", 4, 65010, 90, 1, 8,
	    { 0x02, 0x06, 0x40, 0x04, 0x00, 0x78, 0x00, 0x01 }, 8,
	    -1, 2, 0, { 0 }, 0 },
	{ "ADD-PATH length 3", 4, 65010, 90, 1, 7,
	    { 0x02, 0x05, 0x45, 0x03, 0x00, 0x01, 0x01 }, 7,
	    -1, 2, 0, { 0 }, 0 },
	{ "unknown capability, any length", 4, 65010, 90, 1, 5,
	    { 0x02, 0x03, 0xee, 0x01, 0x00 }, 5, 0, 0, 0, { 0 }, 0 },
	{ "ext: length field cut", 4, 65010, 90, 1, 2,
	    { 0xff, 0x00 }, 2, -1, 2, 0, { 0 }, 0 },
	{ "ext: length overruns message", 4, 65010, 90, 1, 255,
	    { 0xff, 0x00, 0x05, 0x02, 0x00, 0x02, 0x02 }, 7,
	    -1, 2, 0, { 0 }, 0 },
	{ "ext: octets after parameters", 4, 65010, 90, 1, 255,
	    { 0xff, 0x00, 0x03, 0x02, 0x00, 0x00, 0x00 }, 7,
	    -1, 2, 0, { 0 }, 0 },
	{ "ext: parameter length overruns field", 4, 65010, 90, 1, 255,
	    { 0xff, 0x00, 0x05, 0x02, 0x00, 0x03, 0x02, 0x00 }, 8,
	    -1, 2, 0, { 0 }, 0 },
	{ "ext: parameter header cut", 4, 65010, 90, 1, 255,
	    { 0xff, 0x00, 0x02, 0x02, 0x00 }, 5, -1, 2, 0, { 0 }, 0 },
	{ "ext: parameter type 1", 4, 65010, 90, 1, 255,
	    { 0xff, 0x00, 0x03, 0x01, 0x00, 0x00 }, 6, -1, 2, 4, { 0 }, 0 },
	{ "ext: capability overruns parameter", 4, 65010, 90, 1, 255,
	    { 0xff, 0x00, 0x05, 0x02, 0x00, 0x02, 0x02, 0x01 }, 8,
	    -1, 2, 0, { 0 }, 0 },
};

static void
test_open_errors(void **state)
{
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	const struct open_case	*c;
	uint8_t			 msg[128];
	size_t			 i, len;
	int			 rc;

	(void)state;
	for (i = 0; i < nitems(open_cases); i++) {
		c = &open_cases[i];
		len = open_build(msg, c->version, c->as, c->hold, c->id,
		    c->optlen, c->params, c->plen);
		rc = decode(msg, len, BGP_MAX_MSG_LEN, &m, &err);
		if (rc != c->ok)
			fail_msg("%s: returned %d, want %d (%u/%u)", c->name,
			    rc, c->ok, err.code, err.subcode);
		if (rc == 0)
			continue;
		if (err.code != c->code || err.subcode != c->subcode ||
		    err.datalen != c->datalen)
			fail_msg("%s: %u/%u datalen %zu, want %u/%u %zu",
			    c->name, err.code, err.subcode, err.datalen,
			    c->code, c->subcode, c->datalen);
		if (c->datalen > 0 &&
		    memcmp(err.data, c->data, c->datalen) != 0)
			fail_msg("%s: wrong data", c->name);
	}
}

/* ------------------------------------------------------------------ */
/* Header                                                               */

struct hdr_case {
	const char	*name;
	uint8_t		 marker_octet;	/* the last marker octet */
	uint16_t	 len;
	uint8_t		 type;
	size_t		 maxlen;
	int		 ok;
	uint8_t		 subcode;
	uint8_t		 data[2];
	size_t		 datalen;
};

/* Every header error of RFC 4271 6.1 and the limits of RFC 8654 4. */
static const struct hdr_case hdr_cases[] = {
	{ "marker not all ones", 0xfe, 19, 4, 4096, -1, 1, { 0 }, 0 },
	{ "length 0", 0xff, 0, 4, 4096, -1, 2, { 0x00, 0x00 }, 2 },
	{ "length 18", 0xff, 18, 4, 4096, -1, 2, { 0x00, 0x12 }, 2 },
	{ "length 4097", 0xff, 4097, 2, 4096, -1, 2, { 0x10, 0x01 }, 2 },
	{ "length 65535", 0xff, 65535, 2, 4096, -1, 2, { 0xff, 0xff }, 2 },
	{ "UPDATE 4097 extended", 0xff, 4097, 2, 65535, 0, 0, { 0 }, 0 },
	{ "UPDATE 65535 extended", 0xff, 65535, 2, 65535, 0, 0, { 0 }, 0 },
	{ "OPEN 28", 0xff, 28, 1, 4096, -1, 2, { 0x00, 0x1c }, 2 },
	{ "OPEN 29", 0xff, 29, 1, 4096, 0, 0, { 0 }, 0 },
	{ "OPEN 4096", 0xff, 4096, 1, 4096, 0, 0, { 0 }, 0 },
	{ "OPEN 4097 extended", 0xff, 4097, 1, 65535, -1, 2,
	    { 0x10, 0x01 }, 2 },
	{ "UPDATE 22", 0xff, 22, 2, 4096, -1, 2, { 0x00, 0x16 }, 2 },
	{ "UPDATE 23", 0xff, 23, 2, 4096, 0, 0, { 0 }, 0 },
	{ "NOTIFICATION 20", 0xff, 20, 3, 4096, -1, 2, { 0x00, 0x14 }, 2 },
	{ "NOTIFICATION 21", 0xff, 21, 3, 4096, 0, 0, { 0 }, 0 },
	{ "NOTIFICATION 5000 extended", 0xff, 5000, 3, 65535, 0, 0,
	    { 0 }, 0 },
	{ "KEEPALIVE 20", 0xff, 20, 4, 4096, -1, 2, { 0x00, 0x14 }, 2 },
	{ "KEEPALIVE 4097 extended", 0xff, 4097, 4, 65535, -1, 2,
	    { 0x10, 0x01 }, 2 },
	{ "ROUTE-REFRESH 22", 0xff, 22, 5, 4096, -1, 2, { 0x00, 0x16 }, 2 },
	{ "ROUTE-REFRESH 23", 0xff, 23, 5, 4096, 0, 0, { 0 }, 0 },
	{ "ROUTE-REFRESH 24", 0xff, 24, 5, 4096, 0, 0, { 0 }, 0 },
	{ "type 0", 0xff, 19, 0, 4096, -1, 3, { 0x00 }, 1 },
	{ "type 6", 0xff, 19, 6, 4096, -1, 3, { 0x06 }, 1 },
	{ "type 255", 0xff, 19, 255, 4096, -1, 3, { 0xff }, 1 },
	{ "type 6 length 18: length first", 0xff, 18, 6, 4096, -1, 2,
	    { 0x00, 0x12 }, 2 },
	{ "bad marker and length: marker first", 0x00, 0, 4, 4096, -1, 1,
	    { 0 }, 0 },
};

static void
test_header_errors(void **state)
{
	const struct hdr_case	*c;
	struct bgp_hdr		 hdr;
	struct bgp_err		 err;
	struct buf		 b;
	uint8_t			 msg[BGP_HEADER_LEN];
	size_t			 i;
	int			 rc;

	(void)state;
	for (i = 0; i < nitems(hdr_cases); i++) {
		c = &hdr_cases[i];
		memset(msg, 0xff, 16);
		msg[15] = c->marker_octet;
		msg[16] = c->len >> 8;
		msg[17] = c->len & 0xff;
		msg[18] = c->type;
		buf_view(&b, msg, sizeof(msg));
		memset(&err, 0, sizeof(err));
		rc = bgp_msg_get_header(&b, c->maxlen, &hdr, &err);
		if (rc != c->ok)
			fail_msg("%s: returned %d (%u/%u)", c->name, rc,
			    err.code, err.subcode);
		if (rc == 0) {
			/* Only a valid header is consumed. */
			assert_int_equal(buf_left(&b), 0);
			assert_int_equal(hdr.len, c->len);
			assert_int_equal(hdr.type, c->type);
			continue;
		}
		assert_int_equal(buf_left(&b), sizeof(msg));
		if (err.code != 1 || err.subcode != c->subcode ||
		    err.datalen != c->datalen ||
		    (c->datalen > 0 &&
		    memcmp(err.data, c->data, c->datalen) != 0))
			fail_msg("%s: %u/%u datalen %zu", c->name, err.code,
			    err.subcode, err.datalen);
	}
}

static void
test_header_encode(void **state)
{
	static const uint8_t want[] = {
		MARKER,
		0x00, 0x17,		/* Length 23 */
		0x02,			/* Type UPDATE */
		0x00, 0x00,		/* Withdrawn Routes Length */
		0x00, 0x00,		/* Total Path Attribute Length */
	};
	struct buf	*w;
	size_t		 off;

	(void)state;
	w = buf_new(BGP_MAX_MSG_LEN);
	buf_put_u8(w, 0xaa);		/* a message already queued */
	off = bgp_msg_put_header(w, BGP_MSG_UPDATE);
	assert_int_equal(off, 1);
	buf_put_u16(w, 0);
	buf_put_u16(w, 0);
	assert_int_equal(bgp_msg_finish(w, off, BGP_MAX_MSG_LEN), 0);
	assert_int_equal(buf_len(w), 1 + sizeof(want));
	assert_memory_equal(w->data + 1, want, sizeof(want));

	/* Longer than maxlen: refused. */
	assert_int_equal(bgp_msg_finish(w, off, 22), -1);
	/* An offset past the end: refused. */
	assert_int_equal(bgp_msg_finish(w, buf_len(w) + 1, 4096), -1);
	buf_free(w);

	/* A writer that overflowed: refused. */
	w = buf_new(20);
	off = bgp_msg_put_header(w, BGP_MSG_UPDATE);
	buf_put_u16(w, 0);
	assert_true(buf_error(w));
	assert_int_equal(bgp_msg_finish(w, off, BGP_MAX_MSG_LEN), -1);
	buf_free(w);
}

/* A header promising more than the buffer holds: 1/2, nothing consumed. */
static void
test_decode_short_body(void **state)
{
	static const uint8_t msg[] = {
		MARKER,
		0x00, 0x17,		/* Length 23 */
		0x05,			/* Type ROUTE-REFRESH */
		0x00, 0x01, 0x00,	/* AFI, subtype: one octet missing */
	};
	static const uint8_t two[] = {
		MARKER, 0x00, 0x13, 0x04,	/* KEEPALIVE */
		MARKER, 0x00, 0x13, 0x04,	/* KEEPALIVE */
	};
	static const uint8_t lenfield[] = { 0x00, 0x17 };
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	struct buf		 b;

	(void)state;
	buf_view(&b, msg, sizeof(msg));
	assert_int_equal(bgp_msg_decode(&b, BGP_MAX_MSG_LEN, NULL, &m, &err),
	    -1);
	expect_err(&err, 1, 2, lenfield, 2);
	assert_int_equal(buf_left(&b), sizeof(msg));

	/* Back to back: each decode consumes exactly one message. */
	buf_view(&b, two, sizeof(two));
	assert_int_equal(bgp_msg_decode(&b, BGP_MAX_MSG_LEN, NULL, &m, &err),
	    0);
	assert_int_equal(buf_left(&b), 19);
	assert_int_equal(bgp_msg_decode(&b, BGP_MAX_MSG_LEN, NULL, &m, &err),
	    0);
	assert_int_equal(buf_left(&b), 0);
}

/* ------------------------------------------------------------------ */
/* ROUTE-REFRESH                                                        */

static void
test_route_refresh_encode(void **state)
{
	static const uint8_t want[3][23] = {
		{
			MARKER,
			0x00, 0x17,	/* Length 23 */
			0x05,		/* Type ROUTE-REFRESH */
			0x00, 0x01,	/* AFI 1 (IPv4) */
			0x00,		/* Subtype 0: normal request */
			0x01,		/* SAFI 1 */
		}, {
			MARKER,
			0x00, 0x17,	/* Length 23 */
			0x05,		/* Type ROUTE-REFRESH */
			0x00, 0x02,	/* AFI 2 (IPv6) */
			0x01,		/* Subtype 1: BoRR */
			0x01,		/* SAFI 1 */
		}, {
			MARKER,
			0x00, 0x17,	/* Length 23 */
			0x05,		/* Type ROUTE-REFRESH */
			0x00, 0x01,	/* AFI 1 (IPv4) */
			0x02,		/* Subtype 2: EoRR */
			0x01,		/* SAFI 1 */
		},
	};
	static const struct {
		enum bgp_aid		aid;
		enum bgp_rr_subtype	subtype;
	} args[3] = {
		{ BGP_AID_IPV4, BGP_RR_NORMAL },
		{ BGP_AID_IPV6, BGP_RR_BORR },
		{ BGP_AID_IPV4, BGP_RR_EORR },
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	struct buf		*w;
	size_t			 i;

	(void)state;
	w = buf_new(BGP_MAX_MSG_LEN);
	for (i = 0; i < 3; i++) {
		buf_reset(w);
		assert_int_equal(bgp_msg_put_route_refresh(w, args[i].aid,
		    args[i].subtype), 0);
		assert_int_equal(buf_len(w), 23);
		assert_memory_equal(w->data, want[i], 23);

		assert_int_equal(decode(want[i], 23, BGP_MAX_MSG_LEN, &m,
		    &err), 0);
		assert_int_equal(m.hdr.type, BGP_MSG_ROUTE_REFRESH);
		assert_int_equal(m.route_refresh.afi,
		    bgp_aid_afi(args[i].aid));
		assert_int_equal(m.route_refresh.safi, 1);
		assert_int_equal(m.route_refresh.subtype, args[i].subtype);
	}
	buf_reset(w);
	assert_int_equal(bgp_msg_put_route_refresh(w, BGP_AID_MAX,
	    BGP_RR_NORMAL), -1);
	assert_int_equal(bgp_msg_put_route_refresh(w, BGP_AID_IPV4, 3), -1);
	buf_free(w);
}

static void
test_route_refresh_errors(void **state)
{
	static const uint8_t borr24[] = {
		MARKER,
		0x00, 0x18,		/* Length 24 */
		0x05,			/* Type ROUTE-REFRESH */
		0x00, 0x01,		/* AFI 1 */
		0x01,			/* Subtype 1: BoRR */
		0x01,			/* SAFI 1 */
		0x00,			/* extra octet */
	};
	static const uint8_t eorr27[] = {
		MARKER,
		0x00, 0x1b,		/* Length 27 */
		0x05,			/* Type ROUTE-REFRESH */
		0x00, 0x02,		/* AFI 2 */
		0x02,			/* Subtype 2: EoRR */
		0x01,			/* SAFI 1 */
		0x01, 0x02, 0x03, 0x04,	/* extra octets */
	};
	static const uint8_t normal24[] = {
		MARKER,
		0x00, 0x18,		/* Length 24 */
		0x05,			/* Type ROUTE-REFRESH */
		0x00, 0x01,		/* AFI 1 */
		0x00,			/* Subtype 0 */
		0x01,			/* SAFI 1 */
		0x00,			/* extra octet (an ORF would be) */
	};
	static const uint8_t unknown24[] = {
		MARKER,
		0x00, 0x18,		/* Length 24 */
		0x05,			/* Type ROUTE-REFRESH */
		0x00, 0x01,		/* AFI 1 */
		0x03,			/* Subtype 3: unknown */
		0x01,			/* SAFI 1 */
		0x00,			/* extra octet */
	};
	static const uint8_t odd_family[] = {
		MARKER,
		0x00, 0x17,		/* Length 23 */
		0x05,			/* Type ROUTE-REFRESH */
		0x00, 0x19,		/* AFI 25 (L2VPN) */
		0x00,			/* Subtype 0 */
		0x46,			/* SAFI 70 (EVPN) */
	};
	static const uint8_t len24[] = { 0x00, 0x18 };
	static struct bgp_msg	 m;
	struct bgp_err		 err;

	(void)state;
	/* RFC 7313 5: 7/1 with the whole message as data. */
	assert_int_equal(decode(borr24, sizeof(borr24), BGP_MAX_MSG_LEN, &m,
	    &err), -1);
	expect_err(&err, 7, 1, borr24, sizeof(borr24));
	assert_ptr_equal(err.data, borr24);
	assert_int_equal(decode(eorr27, sizeof(eorr27), BGP_MAX_MSG_LEN, &m,
	    &err), -1);
	expect_err(&err, 7, 1, eorr27, sizeof(eorr27));

	assert_int_equal(decode(normal24, sizeof(normal24), BGP_MAX_MSG_LEN,
	    &m, &err), -1);
	expect_err(&err, 1, 2, len24, 2);

	/* Unknown subtypes and families are for the caller to ignore. */
	assert_int_equal(decode(unknown24, sizeof(unknown24), BGP_MAX_MSG_LEN,
	    &m, &err), 0);
	assert_int_equal(m.route_refresh.subtype, 3);
	assert_int_equal(decode(odd_family, sizeof(odd_family),
	    BGP_MAX_MSG_LEN, &m, &err), 0);
	assert_int_equal(m.route_refresh.afi, 25);
	assert_int_equal(m.route_refresh.safi, 70);
}

/* ------------------------------------------------------------------ */
/* Truncation and round trips                                           */

/*
 * Every proper prefix of a valid message must fail, through the whole-
 * message decoder (1/2: shorter than the header says, or no header) and
 * through the body decoders, which see a short body as it is.
 */
static void
expect_prefixes_fail(const uint8_t *msg, size_t len)
{
	static struct bgp_msg		 m;
	static struct bgp_open		 o;
	static struct bgp_notification	 n;
	struct bgp_route_refresh	 rr;
	struct bgp_err			 err;
	struct buf			 b;
	uint8_t				*copy;
	size_t				 i;
	int				 rc;

	for (i = 0; i < len; i++) {
		/* An exact-size heap copy, so ASan sees any overread. */
		copy = malloc(i > 0 ? i : 1);
		assert_non_null(copy);
		memcpy(copy, msg, i);
		assert_int_equal(decode(copy, i, BGP_MAX_MSG_LEN, &m, &err),
		    -1);
		assert_int_equal(err.code, 1);
		assert_int_equal(err.subcode, 2);

		if (i < BGP_HEADER_LEN) {
			free(copy);
			continue;
		}
		buf_view(&b, copy, i);
		assert_int_equal(buf_skip(&b, BGP_HEADER_LEN), 0);
		switch (msg[18]) {
		case BGP_MSG_OPEN:
			assert_int_equal(bgp_msg_get_open(&b, &o, &err), -1);
			break;
		case BGP_MSG_NOTIFICATION:
			/* Only the two codes are required; a cut shutdown
			 * communication is no communication. */
			rc = bgp_msg_get_notification(&b, &n, &err);
			if (i < BGP_NOTIFICATION_MIN_LEN)
				assert_int_equal(rc, -1);
			else {
				assert_int_equal(rc, 0);
				assert_int_equal(n.datalen,
				    i - BGP_NOTIFICATION_MIN_LEN);
				assert_false(n.has_shutdown_comm);
			}
			break;
		case BGP_MSG_ROUTE_REFRESH:
			assert_int_equal(bgp_msg_get_route_refresh(&b, copy, i,
			    &rr, &err), -1);
			break;
		default:
			break;		/* a KEEPALIVE has no body */
		}
		free(copy);
	}
}

static void
test_truncated(void **state)
{
	struct bgp_open	 o;
	struct buf	*w;

	(void)state;
	expect_prefixes_fail(open_all, sizeof(open_all));

	w = buf_new(BGP_MAX_MSG_LEN);
	open_all_init(&o);
	caps_fill_unknown(&o.caps, 600);
	assert_int_equal(bgp_msg_put_open(w, &o), 0);
	expect_prefixes_fail(w->data, buf_len(w));

	buf_reset(w);
	assert_int_equal(bgp_msg_put_cease(w, 2, "going away"), 0);
	expect_prefixes_fail(w->data, buf_len(w));

	buf_reset(w);
	assert_int_equal(bgp_msg_put_route_refresh(w, BGP_AID_IPV6,
	    BGP_RR_BORR), 0);
	expect_prefixes_fail(w->data, buf_len(w));

	buf_reset(w);
	assert_int_equal(bgp_msg_put_keepalive(w), 0);
	expect_prefixes_fail(w->data, buf_len(w));
	buf_free(w);
}

static void
test_round_trip(void **state)
{
	static struct bgp_msg	 m;
	struct bgp_open		 o;
	struct bgp_err		 err;
	struct buf		*w;
	size_t			 i;
	const uint8_t		 data[] = { 1, 2, 3, 4, 5 };

	(void)state;
	w = buf_new(BGP_MAX_MSG_LEN);

	/* Each capability alone, then none. */
	for (i = 0; i < 11; i++) {
		open_all_init(&o);
		if (i != 0)
			o.caps.mp[BGP_AID_IPV4] = false;
		if (i != 1)
			o.caps.mp[BGP_AID_IPV6] = false;
		o.caps.route_refresh = i == 2;
		o.caps.enhanced_route_refresh = i == 3;
		o.caps.ext_message = i == 4;
		if (i != 5) {
			o.caps.as4 = false;
			o.caps.as4_asn = 0;
		}
		if (i != 6) {
			o.caps.role_present = false;
			o.caps.role = 0;
		}
		if (i != 7) {
			o.caps.gr = false;
			o.caps.gr_flags = o.caps.gr_time = o.caps.gr_naf = 0;
			memset(o.caps.gr_af, 0, sizeof(o.caps.gr_af));
		}
		if (i != 8) {
			o.caps.addpath_n = 0;
			memset(o.caps.addpath, 0, sizeof(o.caps.addpath));
		}
		if (i != 9) {
			o.caps.fqdn = false;
			memset(o.caps.hostname, 0, sizeof(o.caps.hostname));
			memset(o.caps.domainname, 0,
			    sizeof(o.caps.domainname));
		}
		if (i != 10) {
			memset(o.caps.unknown, 0, sizeof(o.caps.unknown));
			o.caps.unknown_len = 0;
		}
		buf_reset(w);
		assert_int_equal(bgp_msg_put_open(w, &o), 0);
		assert_int_equal(decode(w->data, buf_len(w), BGP_MAX_MSG_LEN,
		    &m, &err), 0);
		assert_open_equal(&m.open, &o);
	}

	/* The longest FQDN that fits, then one octet more. */
	open_init(&o);
	o.caps.fqdn = true;
	memset(o.caps.hostname, 'h', 200);
	memset(o.caps.domainname, 'd', 53);
	buf_reset(w);
	assert_int_equal(bgp_msg_put_open(w, &o), 0);
	assert_int_equal(decode(w->data, buf_len(w), BGP_MAX_MSG_LEN, &m,
	    &err), 0);
	assert_open_equal(&m.open, &o);
	o.caps.domainname[53] = 'd';
	buf_reset(w);
	assert_int_equal(bgp_msg_put_open(w, &o), -1);

	/* A writer too small for the whole OPEN: the encoder fails. */
	open_init(&o);
	caps_fill_unknown(&o.caps, sizeof(o.caps.unknown));
	o.caps.fqdn = true;
	memset(o.caps.hostname, 'h', 200);
	o.caps.gr = true;
	o.caps.gr_naf = BGP_CAPS_MAX_GR_AF;
	buf_free(w);
	w = buf_new(BGP_MAX_MSG_LEN);
	assert_int_equal(bgp_msg_put_open(w, &o), 0);
	buf_free(w);
	w = buf_new(1000);
	assert_int_equal(bgp_msg_put_open(w, &o), -1);
	buf_free(w);

	/* NOTIFICATION with data, extended length. */
	w = buf_new(BGP_MAX_EXT_MSG_LEN);
	assert_int_equal(bgp_msg_put_notification(w, 3, 11, data,
	    sizeof(data), BGP_MAX_EXT_MSG_LEN), 0);
	assert_int_equal(decode(w->data, buf_len(w), BGP_MAX_EXT_MSG_LEN, &m,
	    &err), 0);
	assert_int_equal(m.notification.code, 3);
	assert_int_equal(m.notification.subcode, 11);
	assert_int_equal(m.notification.datalen, sizeof(data));
	assert_memory_equal(m.notification.data, data, sizeof(data));
	buf_free(w);
}

/* gobgp's fuzz-found broken headers: 1/1 or 1/2, or a clean parse. */
static void
test_gobgp_bad_len(void **state)
{
	static const char *const files[] = {
		"000852858287eb2ece5cd12aabef453f87b77adb",
		"0b229debaa2fc1e8b997c9894ad3184cce8c7bb4",
		"147a924d9a4a4d9960f8bb49e3ec782ee93f82a7",
		"1d1fb484828b4f23af3ff0ab71b67682d5876fd6",
		"27f19d6959e9cbecfcd09b28c3aec493a4b6f18d",
		"3765bb2392d48ca8edaf0b5e39209eb2d1b87c53",
		"3dce7e046d709b142092e15b78e9ad20ee5144fa",
		"4d4dc736bc89bf41363774d282b8a7641c3e7a98",
		"66e6aab4f34c9c5783c18f90b2d987e5dad241e0",
		"a8ecedce17e2e28a466cf9fb3bfaf2d8554fef42",
		"b7ed0646a97127bf424da480a53a84a0cb9c9565",
	};
	static struct bgp_msg	 m;
	struct bgp_err		 err;
	struct bgp_hdr		 hdr;
	struct buf		 b;
	const char		*dir;
	char			 path[1024];
	uint8_t			 msg[BGP_MAX_MSG_LEN];
	size_t			 i, len, seen = 0;
	FILE			*f;

	(void)state;
	if ((dir = getenv("ANYCASTD_DATA")) == NULL || *dir == '\0')
		dir = "../shared/data";
	for (i = 0; i < nitems(files); i++) {
		snprintf(path, sizeof(path), "%s/vectors/gobgp-bad-len/%s",
		    dir, files[i]);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		len = fread(msg, 1, sizeof(msg), f);
		fclose(f);
		seen++;
		/* The header alone decides, so the UPDATE decoder is not
		 * reached: none of these has a valid header. */
		buf_view(&b, msg, len);
		if (bgp_msg_get_header(&b, BGP_MAX_MSG_LEN, &hdr, &err) == 0)
			fail_msg("%s: header accepted", files[i]);
		if (err.code != 1 || (err.subcode != 1 && err.subcode != 2))
			fail_msg("%s: %u/%u", files[i], err.code,
			    err.subcode);
		assert_int_equal(decode(msg, len, BGP_MAX_MSG_LEN, &m, &err),
		    -1);
	}
	if (seen == 0) {
		print_message("skipping: %s/vectors/gobgp-bad-len not found\n",
		    dir);
		skip();
	}
}

/* ------------------------------------------------------------------ */
/* Names and families                                                   */

static void
test_names(void **state)
{
	static const struct {
		uint8_t		 code, subcode;
		const char	*name;
	} subs[] = {
		{ 1, 1, "Connection Not Synchronized" },
		{ 1, 2, "Bad Message Length" },
		{ 1, 3, "Bad Message Type" },
		{ 2, 0, "Unspecific" },
		{ 2, 1, "Unsupported Version Number" },
		{ 2, 2, "Bad Peer AS" },
		{ 2, 3, "Bad BGP Identifier" },
		{ 2, 4, "Unsupported Optional Parameter" },
		{ 2, 6, "Unacceptable Hold Time" },
		{ 2, 7, "Unsupported Capability" },
		{ 2, 11, "Role Mismatch" },
		{ 3, 1, "Malformed Attribute List" },
		{ 3, 2, "Unrecognized Well-known Attribute" },
		{ 3, 3, "Missing Well-known Attribute" },
		{ 3, 4, "Attribute Flags Error" },
		{ 3, 5, "Attribute Length Error" },
		{ 3, 6, "Invalid ORIGIN Attribute" },
		{ 3, 8, "Invalid NEXT_HOP Attribute" },
		{ 3, 9, "Optional Attribute Error" },
		{ 3, 10, "Invalid Network Field" },
		{ 3, 11, "Malformed AS_PATH" },
		{ 4, 0, "Unspecific" },
		{ 5, 0, "Unspecified Error" },
		{ 5, 1, "Receive Unexpected Message in OpenSent State" },
		{ 5, 2, "Receive Unexpected Message in OpenConfirm State" },
		{ 5, 3, "Receive Unexpected Message in Established State" },
		{ 6, 1, "Maximum Number of Prefixes Reached" },
		{ 6, 2, "Administrative Shutdown" },
		{ 6, 3, "Peer De-configured" },
		{ 6, 4, "Administrative Reset" },
		{ 6, 5, "Connection Rejected" },
		{ 6, 6, "Other Configuration Change" },
		{ 6, 7, "Connection Collision Resolution" },
		{ 6, 8, "Out of Resources" },
		{ 6, 9, "Hard Reset" },
		{ 6, 10, "BFD Down" },
		{ 7, 1, "Invalid Message Length" },
		{ 1, 4, "Unknown Subcode" },
		{ 2, 12, "Unknown Subcode" },
		{ 4, 1, "Unknown Subcode" },
		{ 6, 11, "Unknown Subcode" },
		{ 9, 1, "Unknown Subcode" },
		{ 255, 255, "Unknown Subcode" },
	};
	size_t	 i;

	(void)state;
	assert_string_equal(bgp_err_code_name(1), "Message Header Error");
	assert_string_equal(bgp_err_code_name(2), "OPEN Message Error");
	assert_string_equal(bgp_err_code_name(3), "UPDATE Message Error");
	assert_string_equal(bgp_err_code_name(4), "Hold Timer Expired");
	assert_string_equal(bgp_err_code_name(5), "Finite State Machine Error");
	assert_string_equal(bgp_err_code_name(6), "Cease");
	assert_string_equal(bgp_err_code_name(7),
	    "ROUTE-REFRESH Message Error");
	assert_string_equal(bgp_err_code_name(0), "Unknown Error Code");
	assert_string_equal(bgp_err_code_name(8), "Unknown Error Code");
	assert_string_equal(bgp_err_code_name(255), "Unknown Error Code");
	for (i = 0; i < nitems(subs); i++)
		if (strcmp(bgp_err_subcode_name(subs[i].code, subs[i].subcode),
		    subs[i].name) != 0)
			fail_msg("%u/%u: \"%s\"", subs[i].code,
			    subs[i].subcode, bgp_err_subcode_name(subs[i].code,
			    subs[i].subcode));

	assert_string_equal(bgp_msg_type_name(1), "OPEN");
	assert_string_equal(bgp_msg_type_name(2), "UPDATE");
	assert_string_equal(bgp_msg_type_name(3), "NOTIFICATION");
	assert_string_equal(bgp_msg_type_name(4), "KEEPALIVE");
	assert_string_equal(bgp_msg_type_name(5), "ROUTE-REFRESH");
	assert_string_equal(bgp_msg_type_name(0), "unknown");
	assert_string_equal(bgp_msg_type_name(6), "unknown");
}

static void
test_err_set(void **state)
{
	struct bgp_err	 err;
	const uint8_t	 big[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

	(void)state;
	memset(&err, 0xee, sizeof(err));
	assert_int_equal(bgp_err_set(&err, 6, 2), -1);
	expect_err(&err, 6, 2, NULL, 0);
	assert_null(err.data);

	/* Copies are clamped to the scratch space. */
	assert_int_equal(bgp_err_set_data(&err, 3, 1, big, sizeof(big)), -1);
	expect_err(&err, 3, 1, big, sizeof(err.scratch));
	assert_ptr_equal(err.data, err.scratch);

	/* Views are borrowed whole. */
	assert_int_equal(bgp_err_set_view(&err, 3, 5, big, sizeof(big)), -1);
	expect_err(&err, 3, 5, big, sizeof(big));
	assert_ptr_equal(err.data, big);
}

static void
test_aid(void **state)
{
	enum bgp_aid	 aid;

	(void)state;
	assert_int_equal(bgp_aid_from_afi(1, 1, &aid), 0);
	assert_int_equal(aid, BGP_AID_IPV4);
	assert_int_equal(bgp_aid_from_afi(2, 1, &aid), 0);
	assert_int_equal(aid, BGP_AID_IPV6);
	assert_int_equal(bgp_aid_from_afi(1, 2, &aid), -1);
	assert_int_equal(bgp_aid_from_afi(2, 128, &aid), -1);
	assert_int_equal(bgp_aid_from_afi(25, 70, &aid), -1);
	assert_int_equal(bgp_aid_from_afi(0, 0, &aid), -1);

	assert_int_equal(bgp_aid_afi(BGP_AID_IPV4), 1);
	assert_int_equal(bgp_aid_afi(BGP_AID_IPV6), 2);
	assert_int_equal(bgp_aid_safi(BGP_AID_IPV4), 1);
	assert_int_equal(bgp_aid_safi(BGP_AID_IPV6), 1);
	assert_int_equal(bgp_aid_afi(BGP_AID_MAX), 0);
	assert_int_equal(bgp_aid_safi(BGP_AID_MAX), 0);
	assert_string_equal(bgp_aid_name(BGP_AID_IPV4), "ipv4 unicast");
	assert_string_equal(bgp_aid_name(BGP_AID_IPV6), "ipv6 unicast");
	assert_string_equal(bgp_aid_name(BGP_AID_MAX), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_notification_data),
		cmocka_unit_test(test_notification_no_data),
		cmocka_unit_test(test_notification_truncated_to_maxlen),
		cmocka_unit_test(test_cease_shutdown_comm),
		cmocka_unit_test(test_cease_reset_utf8),
		cmocka_unit_test(test_cease_without_comm),
		cmocka_unit_test(test_cease_truncate_utf8),
		cmocka_unit_test(test_notification_bad_comm),
		cmocka_unit_test(test_open_no_caps),
		cmocka_unit_test(test_open_cap_mp_ipv4),
		cmocka_unit_test(test_open_cap_mp_ipv6),
		cmocka_unit_test(test_open_cap_route_refresh),
		cmocka_unit_test(test_open_cap_enhanced_rr),
		cmocka_unit_test(test_open_cap_ext_message),
		cmocka_unit_test(test_open_cap_as4),
		cmocka_unit_test(test_open_cap_role),
		cmocka_unit_test(test_open_cap_graceful_restart),
		cmocka_unit_test(test_open_cap_add_path),
		cmocka_unit_test(test_open_cap_fqdn),
		cmocka_unit_test(test_open_cap_unknown),
		cmocka_unit_test(test_open_all_caps),
		cmocka_unit_test(test_open_as4_peer),
		cmocka_unit_test(test_open_ext_params_boundary),
		cmocka_unit_test(test_open_ext_params_encode),
		cmocka_unit_test(test_open_ext_params_decode),
		cmocka_unit_test(test_open_decode_details),
		cmocka_unit_test(test_open_decode_gr_last),
		cmocka_unit_test(test_open_decode_unknown_overflow),
		cmocka_unit_test(test_open_decode_unknown_edge),
		cmocka_unit_test(test_open_decode_fqdn_nul),
		cmocka_unit_test(test_open_frr_seed),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_header_encode),
		cmocka_unit_test(test_decode_short_body),
		cmocka_unit_test(test_route_refresh_encode),
		cmocka_unit_test(test_route_refresh_errors),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_gobgp_bad_len),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_err_set),
		cmocka_unit_test(test_aid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
