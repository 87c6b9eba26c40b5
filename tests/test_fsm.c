/*
 * The FSM against RFC 4271 8.2.2: every state x event pair, its next state
 * and its actions, written out as a table to read beside the RFC.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bgp.h"
#include "fsm.h"
#include "util.h"

#define ERR	(FSM_ACT_CONNRETRY_STOP | FSM_ACT_RELEASE | FSM_ACT_DROP_TCP | \
		    FSM_ACT_COUNTER_INC | FSM_ACT_IDLEHOLD_START)
#define ERR_NOINC	(ERR & ~FSM_ACT_COUNTER_INC)
#define STOP	(FSM_ACT_CONNRETRY_STOP | FSM_ACT_RELEASE | FSM_ACT_DROP_TCP | \
		    FSM_ACT_COUNTER_RESET)
#define NOTIF	FSM_ACT_SEND_NOTIFICATION
#define DEL	FSM_ACT_DELETE_ROUTES

struct row {
	enum fsm_state	state;
	enum fsm_event	ev;
	bool		passive;
	enum fsm_state	next;
	uint32_t	actions;
	uint8_t		code, subcode;
};

#define I FSM_IDLE
#define C FSM_CONNECT
#define A FSM_ACTIVE
#define OS FSM_OPENSENT
#define OC FSM_OPENCONFIRM
#define E FSM_ESTABLISHED

static const struct row rows[] = {
	/* Idle: starts connect (or listen, passive); all else ignored. */
	{ I, FSM_EV_MANUAL_START, false, C, FSM_ACT_COUNTER_RESET |
	    FSM_ACT_CONNRETRY_START | FSM_ACT_CONNECT, 0, 0 },
	{ I, FSM_EV_AUTO_START, false, C, FSM_ACT_COUNTER_RESET |
	    FSM_ACT_CONNRETRY_START | FSM_ACT_CONNECT, 0, 0 },
	{ I, FSM_EV_IDLEHOLD_EXPIRED, false, C, FSM_ACT_CONNRETRY_START |
	    FSM_ACT_CONNECT, 0, 0 },
	{ I, FSM_EV_AUTO_START_PASSIVE, false, A, FSM_ACT_COUNTER_RESET, 0, 0 },
	{ I, FSM_EV_AUTO_START, true, A, FSM_ACT_COUNTER_RESET, 0, 0 },
	{ I, FSM_EV_IDLEHOLD_EXPIRED, true, A, 0, 0, 0 },
	{ I, FSM_EV_MANUAL_STOP, false, I, 0, 0, 0 },
	{ I, FSM_EV_AUTO_STOP, false, I, 0, 0, 0 },
	{ I, FSM_EV_CONNRETRY_EXPIRED, false, I, 0, 0, 0 },
	{ I, FSM_EV_HOLD_EXPIRED, false, I, 0, 0, 0 },
	{ I, FSM_EV_KEEPALIVE_EXPIRED, false, I, 0, 0, 0 },
	{ I, FSM_EV_CONN_OPEN, false, I, 0, 0, 0 },
	{ I, FSM_EV_CONN_FAIL, false, I, 0, 0, 0 },
	{ I, FSM_EV_RCVD_OPEN, false, I, 0, 0, 0 },
	{ I, FSM_EV_HEADER_ERR, false, I, 0, 0, 0 },
	{ I, FSM_EV_OPEN_ERR, false, I, 0, 0, 0 },
	{ I, FSM_EV_COLLISION_DUMP, false, I, 0, 0, 0 },
	{ I, FSM_EV_NOTIF_VERSION_ERR, false, I, 0, 0, 0 },
	{ I, FSM_EV_NOTIF, false, I, 0, 0, 0 },
	{ I, FSM_EV_RCVD_KEEPALIVE, false, I, 0, 0, 0 },
	{ I, FSM_EV_RCVD_UPDATE, false, I, 0, 0, 0 },
	{ I, FSM_EV_UPDATE_ERR, false, I, 0, 0, 0 },

	/* Connect */
	{ C, FSM_EV_MANUAL_START, false, C, 0, 0, 0 },
	{ C, FSM_EV_AUTO_START, false, C, 0, 0, 0 },
	{ C, FSM_EV_AUTO_START_PASSIVE, false, C, 0, 0, 0 },
	{ C, FSM_EV_IDLEHOLD_EXPIRED, false, C, 0, 0, 0 },
	{ C, FSM_EV_MANUAL_STOP, false, I, STOP, 0, 0 },
	{ C, FSM_EV_AUTO_STOP, false, I, ERR, 0, 0 },
	{ C, FSM_EV_CONNRETRY_EXPIRED, false, C, FSM_ACT_DROP_TCP |
	    FSM_ACT_CONNRETRY_START | FSM_ACT_CONNECT, 0, 0 },
	{ C, FSM_EV_HOLD_EXPIRED, false, I, ERR, 0, 0 },
	{ C, FSM_EV_KEEPALIVE_EXPIRED, false, I, ERR, 0, 0 },
	{ C, FSM_EV_CONN_OPEN, false, OS, FSM_ACT_CONNRETRY_STOP |
	    FSM_ACT_SEND_OPEN | FSM_ACT_HOLD_LARGE, 0, 0 },
	{ C, FSM_EV_CONN_FAIL, false, A, FSM_ACT_DROP_TCP |
	    FSM_ACT_COUNTER_INC | FSM_ACT_CONNRETRY_START, 0, 0 },
	{ C, FSM_EV_RCVD_OPEN, false, I, ERR, 0, 0 },
	{ C, FSM_EV_HEADER_ERR, false, I, ERR, 0, 0 },
	{ C, FSM_EV_OPEN_ERR, false, I, ERR, 0, 0 },
	{ C, FSM_EV_COLLISION_DUMP, false, I, ERR, 0, 0 },
	{ C, FSM_EV_NOTIF_VERSION_ERR, false, I, ERR_NOINC, 0, 0 },
	{ C, FSM_EV_NOTIF, false, I, ERR, 0, 0 },
	{ C, FSM_EV_RCVD_KEEPALIVE, false, I, ERR, 0, 0 },
	{ C, FSM_EV_RCVD_UPDATE, false, I, ERR, 0, 0 },
	{ C, FSM_EV_UPDATE_ERR, false, I, ERR, 0, 0 },

	/* Active */
	{ A, FSM_EV_MANUAL_START, false, A, 0, 0, 0 },
	{ A, FSM_EV_AUTO_START, false, A, 0, 0, 0 },
	{ A, FSM_EV_AUTO_START_PASSIVE, false, A, 0, 0, 0 },
	{ A, FSM_EV_IDLEHOLD_EXPIRED, false, A, 0, 0, 0 },
	{ A, FSM_EV_MANUAL_STOP, false, I, STOP, 0, 0 },
	{ A, FSM_EV_AUTO_STOP, false, I, ERR, 0, 0 },
	{ A, FSM_EV_CONNRETRY_EXPIRED, false, C, FSM_ACT_CONNRETRY_START |
	    FSM_ACT_CONNECT, 0, 0 },
	{ A, FSM_EV_CONNRETRY_EXPIRED, true, A, FSM_ACT_CONNRETRY_STOP, 0, 0 },
	{ A, FSM_EV_HOLD_EXPIRED, false, I, ERR, 0, 0 },
	{ A, FSM_EV_KEEPALIVE_EXPIRED, false, I, ERR, 0, 0 },
	{ A, FSM_EV_CONN_OPEN, false, OS, FSM_ACT_CONNRETRY_STOP |
	    FSM_ACT_SEND_OPEN | FSM_ACT_HOLD_LARGE, 0, 0 },
	{ A, FSM_EV_CONN_OPEN, true, OS, FSM_ACT_CONNRETRY_STOP |
	    FSM_ACT_SEND_OPEN | FSM_ACT_HOLD_LARGE, 0, 0 },
	{ A, FSM_EV_CONN_FAIL, false, I, ERR, 0, 0 },
	{ A, FSM_EV_RCVD_OPEN, false, I, ERR, 0, 0 },
	{ A, FSM_EV_HEADER_ERR, false, I, ERR, 0, 0 },
	{ A, FSM_EV_OPEN_ERR, false, I, ERR, 0, 0 },
	{ A, FSM_EV_COLLISION_DUMP, false, I, ERR, 0, 0 },
	{ A, FSM_EV_NOTIF_VERSION_ERR, false, I, ERR_NOINC, 0, 0 },
	{ A, FSM_EV_NOTIF, false, I, ERR, 0, 0 },
	{ A, FSM_EV_RCVD_KEEPALIVE, false, I, ERR, 0, 0 },
	{ A, FSM_EV_RCVD_UPDATE, false, I, ERR, 0, 0 },
	{ A, FSM_EV_UPDATE_ERR, false, I, ERR, 0, 0 },

	/* OpenSent */
	{ OS, FSM_EV_MANUAL_START, false, OS, 0, 0, 0 },
	{ OS, FSM_EV_AUTO_START, false, OS, 0, 0, 0 },
	{ OS, FSM_EV_AUTO_START_PASSIVE, false, OS, 0, 0, 0 },
	{ OS, FSM_EV_IDLEHOLD_EXPIRED, false, OS, 0, 0, 0 },
	{ OS, FSM_EV_MANUAL_STOP, false, I, STOP | NOTIF, 6, 2 },
	{ OS, FSM_EV_AUTO_STOP, false, I, ERR | NOTIF, 6, 0 },
	{ OS, FSM_EV_CONNRETRY_EXPIRED, false, I, ERR | NOTIF, 5, 1 },
	{ OS, FSM_EV_HOLD_EXPIRED, false, I, ERR | NOTIF, 4, 0 },
	{ OS, FSM_EV_KEEPALIVE_EXPIRED, false, I, ERR | NOTIF, 5, 1 },
	{ OS, FSM_EV_CONN_OPEN, false, I, ERR | NOTIF, 5, 1 },
	{ OS, FSM_EV_CONN_FAIL, false, A, FSM_ACT_DROP_TCP |
	    FSM_ACT_CONNRETRY_START, 0, 0 },
	{ OS, FSM_EV_CONN_FAIL, true, A, FSM_ACT_DROP_TCP |
	    FSM_ACT_CONNRETRY_STOP, 0, 0 },
	{ OS, FSM_EV_RCVD_OPEN, false, OC, FSM_ACT_CONNRETRY_STOP |
	    FSM_ACT_SEND_KEEPALIVE | FSM_ACT_HOLD_NEGOTIATED, 0, 0 },
	{ OS, FSM_EV_HEADER_ERR, false, I, ERR | NOTIF, 0, 0 },
	{ OS, FSM_EV_OPEN_ERR, false, I, ERR | NOTIF, 0, 0 },
	{ OS, FSM_EV_COLLISION_DUMP, false, I, ERR | NOTIF, 6, 7 },
	{ OS, FSM_EV_NOTIF_VERSION_ERR, false, I, ERR_NOINC, 0, 0 },
	{ OS, FSM_EV_NOTIF, false, I, ERR, 0, 0 },
	{ OS, FSM_EV_RCVD_KEEPALIVE, false, I, ERR | NOTIF, 5, 1 },
	{ OS, FSM_EV_RCVD_UPDATE, false, I, ERR | NOTIF, 5, 1 },
	{ OS, FSM_EV_UPDATE_ERR, false, I, ERR | NOTIF, 5, 1 },

	/* OpenConfirm */
	{ OC, FSM_EV_MANUAL_START, false, OC, 0, 0, 0 },
	{ OC, FSM_EV_AUTO_START, false, OC, 0, 0, 0 },
	{ OC, FSM_EV_AUTO_START_PASSIVE, false, OC, 0, 0, 0 },
	{ OC, FSM_EV_IDLEHOLD_EXPIRED, false, OC, 0, 0, 0 },
	{ OC, FSM_EV_MANUAL_STOP, false, I, STOP | NOTIF, 6, 2 },
	{ OC, FSM_EV_AUTO_STOP, false, I, ERR | NOTIF, 6, 0 },
	{ OC, FSM_EV_CONNRETRY_EXPIRED, false, I, ERR | NOTIF, 5, 2 },
	{ OC, FSM_EV_HOLD_EXPIRED, false, I, ERR | NOTIF, 4, 0 },
	{ OC, FSM_EV_KEEPALIVE_EXPIRED, false, OC, FSM_ACT_SEND_KEEPALIVE |
	    FSM_ACT_KEEPALIVE_RESTART, 0, 0 },
	{ OC, FSM_EV_CONN_OPEN, false, I, ERR | NOTIF, 5, 2 },
	{ OC, FSM_EV_CONN_FAIL, false, I, ERR, 0, 0 },
	{ OC, FSM_EV_RCVD_OPEN, false, I, ERR | NOTIF, 5, 2 },
	{ OC, FSM_EV_HEADER_ERR, false, I, ERR | NOTIF, 0, 0 },
	{ OC, FSM_EV_OPEN_ERR, false, I, ERR | NOTIF, 0, 0 },
	{ OC, FSM_EV_COLLISION_DUMP, false, I, ERR | NOTIF, 6, 7 },
	{ OC, FSM_EV_NOTIF_VERSION_ERR, false, I, ERR_NOINC, 0, 0 },
	{ OC, FSM_EV_NOTIF, false, I, ERR, 0, 0 },
	{ OC, FSM_EV_RCVD_KEEPALIVE, false, E, FSM_ACT_HOLD_RESTART |
	    FSM_ACT_ESTABLISHED, 0, 0 },
	{ OC, FSM_EV_RCVD_UPDATE, false, I, ERR | NOTIF, 5, 2 },
	{ OC, FSM_EV_UPDATE_ERR, false, I, ERR | NOTIF, 5, 2 },

	/* Established */
	{ E, FSM_EV_MANUAL_START, false, E, 0, 0, 0 },
	{ E, FSM_EV_AUTO_START, false, E, 0, 0, 0 },
	{ E, FSM_EV_AUTO_START_PASSIVE, false, E, 0, 0, 0 },
	{ E, FSM_EV_IDLEHOLD_EXPIRED, false, E, 0, 0, 0 },
	{ E, FSM_EV_MANUAL_STOP, false, I, STOP | DEL | NOTIF, 6, 2 },
	{ E, FSM_EV_AUTO_STOP, false, I, ERR | DEL | NOTIF, 6, 0 },
	{ E, FSM_EV_CONNRETRY_EXPIRED, false, I, ERR | DEL | NOTIF, 5, 3 },
	{ E, FSM_EV_HOLD_EXPIRED, false, I, ERR | DEL | NOTIF, 4, 0 },
	{ E, FSM_EV_KEEPALIVE_EXPIRED, false, E, FSM_ACT_SEND_KEEPALIVE |
	    FSM_ACT_KEEPALIVE_RESTART, 0, 0 },
	{ E, FSM_EV_CONN_OPEN, false, I, ERR | DEL | NOTIF, 5, 3 },
	{ E, FSM_EV_CONN_FAIL, false, I, ERR | DEL, 0, 0 },
	{ E, FSM_EV_RCVD_OPEN, false, I, ERR | DEL | NOTIF, 5, 3 },
	{ E, FSM_EV_HEADER_ERR, false, I, ERR | DEL | NOTIF, 0, 0 },
	{ E, FSM_EV_OPEN_ERR, false, I, ERR | DEL | NOTIF, 5, 3 },
	{ E, FSM_EV_COLLISION_DUMP, false, I, ERR | DEL | NOTIF, 6, 7 },
	{ E, FSM_EV_NOTIF_VERSION_ERR, false, I, ERR | DEL, 0, 0 },
	{ E, FSM_EV_NOTIF, false, I, ERR | DEL, 0, 0 },
	{ E, FSM_EV_RCVD_KEEPALIVE, false, E, FSM_ACT_HOLD_RESTART, 0, 0 },
	{ E, FSM_EV_RCVD_UPDATE, false, E, FSM_ACT_PROCESS_MSG |
	    FSM_ACT_HOLD_RESTART, 0, 0 },
	{ E, FSM_EV_UPDATE_ERR, false, I, ERR | DEL | NOTIF, 0, 0 },
};

static void
test_every_pair(void **state)
{
	struct fsm_result r;
	size_t i;
	bool seen[FSM_STATE_MAX][FSM_EVENT_MAX] = { { false } };
	int s, ev;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		r = fsm_step(rows[i].state, rows[i].ev, rows[i].passive);
		if (r.next != rows[i].next || r.actions != rows[i].actions ||
		    r.err_code != rows[i].code ||
		    r.err_subcode != rows[i].subcode)
			fail_msg("%s + %s%s: got %s actions %#x notif %u/%u, "
			    "want %s actions %#x notif %u/%u",
			    fsm_state_name(rows[i].state),
			    fsm_event_name(rows[i].ev),
			    rows[i].passive ? " (passive)" : "",
			    fsm_state_name(r.next), r.actions, r.err_code,
			    r.err_subcode, fsm_state_name(rows[i].next),
			    rows[i].actions, rows[i].code, rows[i].subcode);
		if (!rows[i].passive)
			seen[rows[i].state][rows[i].ev] = true;
	}
	/* The table must cover every state x event pair. */
	for (s = 0; s < FSM_STATE_MAX; s++)
		for (ev = 0; ev < FSM_EVENT_MAX; ev++)
			if (!seen[s][ev])
				fail_msg("no row for %s + %s",
				    fsm_state_name(s), fsm_event_name(ev));
}

/* A notification must never be answered with one (RFC 4271 4.5). */
static void
test_never_answer_notification(void **state)
{
	int s;

	(void)state;
	for (s = 0; s < FSM_STATE_MAX; s++) {
		assert_false(fsm_step(s, FSM_EV_NOTIF, false).actions & NOTIF);
		assert_false(fsm_step(s, FSM_EV_NOTIF_VERSION_ERR,
		    false).actions & NOTIF);
	}
}

/* A passive neighbor never initiates a connection, whatever happens. */
static void
test_passive_never_connects(void **state)
{
	struct fsm_result r;
	int s, ev;

	(void)state;
	for (s = 0; s < FSM_STATE_MAX; s++)
		for (ev = 0; ev < FSM_EVENT_MAX; ev++) {
			r = fsm_step(s, ev, true);
			assert_false(r.actions & FSM_ACT_CONNECT);
			assert_false(r.actions & FSM_ACT_CONNRETRY_START);
		}
}

/* Walks a full session up and down as a peer would drive it. */
static void
test_session_walk(void **state)
{
	static const struct {
		enum fsm_event	ev;
		enum fsm_state	want;
	} walk[] = {
		{ FSM_EV_AUTO_START, FSM_CONNECT },
		{ FSM_EV_CONN_FAIL, FSM_ACTIVE },
		{ FSM_EV_CONNRETRY_EXPIRED, FSM_CONNECT },
		{ FSM_EV_CONN_OPEN, FSM_OPENSENT },
		{ FSM_EV_RCVD_OPEN, FSM_OPENCONFIRM },
		{ FSM_EV_KEEPALIVE_EXPIRED, FSM_OPENCONFIRM },
		{ FSM_EV_RCVD_KEEPALIVE, FSM_ESTABLISHED },
		{ FSM_EV_RCVD_UPDATE, FSM_ESTABLISHED },
		{ FSM_EV_HOLD_EXPIRED, FSM_IDLE },
		{ FSM_EV_IDLEHOLD_EXPIRED, FSM_CONNECT },
	};
	enum fsm_state s = FSM_IDLE;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(walk); i++) {
		s = fsm_step(s, walk[i].ev, false).next;
		assert_int_equal(s, walk[i].want);
	}
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(fsm_state_name(FSM_OPENCONFIRM), "OpenConfirm");
	assert_string_equal(fsm_state_name(FSM_STATE_MAX), "?");
	assert_string_equal(fsm_event_name(FSM_EV_HOLD_EXPIRED),
	    "HoldTimer_Expires");
	assert_int_equal(fsm_error_subcode(FSM_ESTABLISHED), 3);
	assert_int_equal(fsm_error_subcode(FSM_ACTIVE), 0);
}

static void
test_hold_negotiation(void **state)
{
	uint16_t h = 77;

	(void)state;
	assert_int_equal(fsm_negotiate_hold(90, 9, &h), 0);
	assert_int_equal(h, 9);
	assert_int_equal(fsm_negotiate_hold(9, 180, &h), 0);
	assert_int_equal(h, 9);
	assert_int_equal(fsm_negotiate_hold(90, 0, &h), 0);
	assert_int_equal(h, 0);
	assert_int_equal(fsm_negotiate_hold(0, 90, &h), 0);
	assert_int_equal(h, 0);
	assert_int_equal(fsm_negotiate_hold(90, 3, &h), 0);
	assert_int_equal(h, 3);
	h = 77;
	assert_int_equal(fsm_negotiate_hold(90, 1, &h), -1);
	assert_int_equal(fsm_negotiate_hold(90, 2, &h), -1);
	assert_int_equal(h, 77);
}

static void
test_backoff(void **state)
{
	(void)state;
	/* rnd 0: no jitter; 1000: the full 25 % off. */
	assert_int_equal(fsm_backoff_ms(5000, 120000, 0, 0), 5000);
	assert_int_equal(fsm_backoff_ms(5000, 120000, 1, 0), 10000);
	assert_int_equal(fsm_backoff_ms(5000, 120000, 3, 0), 40000);
	assert_int_equal(fsm_backoff_ms(5000, 120000, 5, 0), 120000);
	assert_int_equal(fsm_backoff_ms(5000, 120000, 4000000000u, 0), 120000);
	assert_int_equal(fsm_backoff_ms(5000, 120000, 0, 1000), 3750);
	assert_int_equal(fsm_jitter_ms(3000, 500), 2625);
	assert_int_equal(fsm_jitter_ms(0, 1000), 0);
	/* The jitter never exceeds a quarter, whatever the random value. */
	for (uint32_t r = 0; r < 5000; r += 7) {
		uint32_t ms = fsm_jitter_ms(1000, r * 2654435761u);

		assert_in_range(ms, 750, 1000);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_pair),
		cmocka_unit_test(test_never_answer_notification),
		cmocka_unit_test(test_passive_never_connects),
		cmocka_unit_test(test_session_walk),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_hold_negotiation),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
