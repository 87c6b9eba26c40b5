/*
 * The announce/withdraw decision for one prefix, with drains and
 * graceful-shutdown timing driven by a fake clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "announce.h"
#include "config.h"

#define A	ANNOUNCE_ANNOUNCED
#define W	ANNOUNCE_WITHDRAWN
#define G	ANNOUNCE_GSHUT

static void
test_withdraw_mode(void **state)
{
	struct prefix_conf pc;
	uint64_t until = 7;

	(void)state;
	memset(&pc, 0, sizeof(pc));
	pc.on_down = PREFIX_ON_DOWN_WITHDRAW;
	/* Announced exactly while up and not drained. */
	assert_int_equal(announce_decide(&pc, W, true, false, 0, &until), A);
	assert_int_equal(announce_decide(&pc, A, true, false, 0, &until), A);
	assert_int_equal(announce_decide(&pc, A, false, false, 0, &until), W);
	assert_int_equal(announce_decide(&pc, A, true, true, 0, &until), W);
	assert_int_equal(announce_decide(&pc, W, true, true, 0, &until), W);
	assert_int_equal(announce_decide(&pc, W, false, false, 0, &until), W);
	assert_int_equal(until, 7);	/* no deadline in this mode */
}

static void
test_graceful_shutdown_timing(void **state)
{
	struct prefix_conf pc;
	enum announce_state s = W;
	uint64_t until = 0, t = 1000;

	(void)state;
	memset(&pc, 0, sizeof(pc));
	pc.on_down = PREFIX_ON_DOWN_GSHUT;
	pc.gshut_ms = 30000;

	s = announce_decide(&pc, s, true, false, t, &until);
	assert_int_equal(s, A);
	/* Down at t=1000: shut until 31000, then withdraw. */
	s = announce_decide(&pc, s, false, false, t, &until);
	assert_int_equal(s, G);
	assert_int_equal(until, 31000);
	s = announce_decide(&pc, s, false, false, 30999, &until);
	assert_int_equal(s, G);
	assert_int_equal(until, 31000);	/* the deadline does not move */
	s = announce_decide(&pc, s, false, false, 31000, &until);
	assert_int_equal(s, W);
	/* Staying down keeps it withdrawn; it never re-shuts. */
	s = announce_decide(&pc, s, false, false, 90000, &until);
	assert_int_equal(s, W);

	/* Back up while shutting: normal again at once. */
	s = announce_decide(&pc, A, false, false, 100000, &until);
	assert_int_equal(s, G);
	s = announce_decide(&pc, s, true, false, 110000, &until);
	assert_int_equal(s, A);
	/* A second failure starts a new, full period. */
	s = announce_decide(&pc, s, false, false, 120000, &until);
	assert_int_equal(s, G);
	assert_int_equal(until, 150000);
}

static void
test_drain_uses_on_down(void **state)
{
	struct prefix_conf pc;
	uint64_t until = 0;

	(void)state;
	memset(&pc, 0, sizeof(pc));
	pc.on_down = PREFIX_ON_DOWN_GSHUT;
	pc.gshut_ms = 5000;
	/* Drain a healthy prefix: graceful shutdown, then withdraw. */
	assert_int_equal(announce_decide(&pc, A, true, true, 0, &until), G);
	assert_int_equal(until, 5000);
	assert_int_equal(announce_decide(&pc, G, true, true, 4999, &until), G);
	assert_int_equal(announce_decide(&pc, G, true, true, 5000, &until), W);
	/* Undrain: back at once if healthy, not if down. */
	assert_int_equal(announce_decide(&pc, W, true, false, 6000, &until), A);
	assert_int_equal(announce_decide(&pc, W, false, false, 6000, &until),
	    W);
	/* A zero period degenerates to a plain withdrawal. */
	pc.gshut_ms = 0;
	assert_int_equal(announce_decide(&pc, A, false, false, 0, &until), W);
}

static void
test_state_names(void **state)
{
	(void)state;
	assert_string_equal(announce_state_name(A), "announced");
	assert_string_equal(announce_state_name(W), "withdrawn");
	assert_string_equal(announce_state_name(G), "graceful-shutdown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_withdraw_mode),
		cmocka_unit_test(test_graceful_shutdown_timing),
		cmocka_unit_test(test_drain_uses_on_down),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
