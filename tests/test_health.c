/*
 * The health engine's logic without real probes: the rise/fall step
 * driven by fixed result sequences, jitter bounds, the DNS wire format
 * against byte arrays, lookups, the watchdog's notion of progress, and
 * what a reload keeps.  The engine tests use file checks on "/", which
 * answer at once; every wait is bounded.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include <event2/event.h>

#include "buf.h"
#include "config.h"
#include "health.h"
#include "health_int.h"

#define HEAD		"router-id 192.0.2.10\nlocal-as 65010\n"

/* ------------------------------------------------------------------ */
/* Rise and fall                                                        */

static const struct {
	unsigned	 rise, fall;
	const char	*results;	/* + success, - failure */
	const char	*up;		/* up after each result */
} step_table[] = {
	{ 2, 2, "++--",		"0110" },
	{ 1, 1, "+-+-",		"1010" },
	{ 3, 1, "++-+++-",	"0000010" },
	{ 1, 3, "+--+---",	"1111110" },
	{ 1, 1, "---",		"000" },	/* failing while down */
	{ 2, 2, "+-+-+-",	"000000" },	/* flapping never rises */
	{ 2, 2, "++-+--+-++",	"0111100001" },
	{ 100, 100, "+",	"0" },
};

static void
test_step(void **state)
{
	struct check_state	 st;
	size_t			 i, j;
	unsigned		 succ, fail;
	bool			 ok, up, changed;

	(void)state;
	for (i = 0; i < nitems(step_table); i++) {
		memset(&st, 0, sizeof(st));
		succ = fail = 0;
		up = false;
		for (j = 0; step_table[i].results[j] != '\0'; j++) {
			ok = step_table[i].results[j] == '+';
			changed = health_step(&st, step_table[i].rise,
			    step_table[i].fall, ok);
			succ = ok ? succ + 1 : 0;
			fail = ok ? 0 : fail + 1;
			if (st.up != (step_table[i].up[j] == '1'))
				fail_msg("case %zu step %zu: up %d", i, j,
				    st.up);
			assert_int_equal(changed, st.up != up);
			assert_int_equal(st.successes, succ);
			assert_int_equal(st.failures, fail);
			up = st.up;
		}
	}

	/* The counters stop at the top instead of wrapping to 0. */
	memset(&st, 0, sizeof(st));
	st.up = true;
	st.successes = UINT_MAX;
	assert_false(health_step(&st, 1, 1, true));
	assert_int_equal(st.successes, UINT_MAX);
}

/* ------------------------------------------------------------------ */
/* Jitter                                                               */

static void
test_jitter(void **state)
{
	static const uint64_t	 ivals[] = { 100, 999, 1000, 1234, 60000,
				    86400000 };
	uint32_t		 rnds[] = { 0, 1, 2, UINT32_MAX, 0, 0 };
	uint64_t		 ms, v, lo, hi;
	size_t			 i, j;
	int			 k;

	(void)state;
	for (i = 0; i < nitems(ivals); i++) {
		ms = ivals[i];
		lo = ms - ms / 10;
		hi = lo + ms / 5;
		/* Within +-10 % (to the millisecond)... */
		assert_true(lo * 10 >= ms * 9 && hi * 10 <= ms * 11 + 10);
		rnds[4] = ms / 5;
		rnds[5] = ms / 5 + 1;
		for (j = 0; j < nitems(rnds); j++) {
			v = health_jitter(ms, rnds[j]);
			assert_true(v >= lo && v <= hi);
		}
		for (k = 0; k < 10000; k++) {
			v = health_jitter(ms, arc4random());
			assert_true(v >= lo && v <= hi);
		}
		/* ...and both ends are reachable. */
		assert_int_equal(health_jitter(ms, 0), lo);
		assert_int_equal(health_jitter(ms, ms / 5), hi);

		/* The first run: soon, however long the interval. */
		hi = ms < HEALTH_FIRST_RUN_MAX_MS ? ms :
		    HEALTH_FIRST_RUN_MAX_MS;
		assert_int_equal(health_first_delay(ms, 0), 0);
		assert_int_equal(health_first_delay(ms, hi), hi);
		for (k = 0; k < 10000; k++)
			assert_true(health_first_delay(ms, arc4random()) <= hi);
	}
}

/* ------------------------------------------------------------------ */
/* DNS wire format                                                      */

static const uint8_t query_a[] = {
	0x12, 0x34,		/* ID */
	0x01, 0x00,		/* RD */
	0x00, 0x01,		/* QDCOUNT */
	0x00, 0x00,		/* ANCOUNT */
	0x00, 0x00,		/* NSCOUNT */
	0x00, 0x01,		/* ARCOUNT */
	6, 'h', 'e', 'a', 'l', 't', 'h',
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	0x00, 0x01,		/* QTYPE A */
	0x00, 0x01,		/* QCLASS IN */
	0,			/* OPT: root */
	0x00, 41,		/* TYPE OPT */
	0x04, 0xd0,		/* UDP payload 1232 */
	0x00, 0x00, 0x00, 0x00,	/* extended RCODE, version, flags */
	0x00, 0x00,		/* RDLENGTH */
};

/* A response: header, the question of query_a, then the answer. */
static size_t
response(uint8_t *out, uint16_t id, uint16_t flags, uint16_t qd,
    uint16_t an, const uint8_t *ans, size_t anslen)
{
	struct buf	b;

	buf_init(&b, out, 512);
	buf_put_u16(&b, id);
	buf_put_u16(&b, flags);
	buf_put_u16(&b, qd);
	buf_put_u16(&b, an);
	buf_put_u16(&b, 0);
	buf_put_u16(&b, 0);
	if (qd > 0)
		buf_put(&b, query_a + 12, 16 + 4);
	buf_put(&b, ans, anslen);
	assert_false(buf_error(&b));
	return buf_len(&b);
}

static const uint8_t answer_a[] = {
	0xc0, 12,		/* a pointer to the question's name */
	0x00, 0x01, 0x00, 0x01,	/* A, IN */
	0x00, 0x00, 0x0e, 0x10,	/* TTL */
	0x00, 0x04, 192, 0, 2, 1,
};

static int
verdict(const uint8_t *resp, size_t len, char *err)
{
	err[0] = '\0';
	return health_dns_verdict(query_a, sizeof(query_a), resp, len, err,
	    HEALTH_ERROR_MAX);
}

static void
test_dns_query(void **state)
{
	uint8_t		 mem[HEALTH_DNS_QUERY_MAX], label[70];
	struct buf	 b;

	(void)state;
	buf_init(&b, mem, sizeof(mem));
	assert_int_equal(health_dns_query(&b, 0x1234, "health.example.", 1),
	    0);
	assert_int_equal(buf_len(&b), sizeof(query_a));
	assert_memory_equal(mem, query_a, sizeof(query_a));

	/* Without the final dot: the same absolute name. */
	buf_init(&b, mem, sizeof(mem));
	assert_int_equal(health_dns_query(&b, 0x1234, "health.example", 1),
	    0);
	assert_memory_equal(mem, query_a, sizeof(query_a));

	/* The root, type SOA. */
	buf_init(&b, mem, sizeof(mem));
	assert_int_equal(health_dns_query(&b, 1, ".", 6), 0);
	assert_int_equal(buf_len(&b), 12 + 1 + 4 + 11);
	assert_int_equal(mem[12], 0);
	assert_int_equal(mem[13] << 8 | mem[14], 6);

	/* Empty and overlong labels; a buffer too small. */
	buf_init(&b, mem, sizeof(mem));
	assert_int_equal(health_dns_query(&b, 1, "a..b", 1), -1);
	memset(label, 'x', 64);
	label[64] = '\0';
	buf_init(&b, mem, sizeof(mem));
	assert_int_equal(health_dns_query(&b, 1, (char *)label, 1), -1);
	label[63] = '\0';
	buf_init(&b, mem, sizeof(mem));
	assert_int_equal(health_dns_query(&b, 1, (char *)label, 1), 0);
	buf_init(&b, mem, 20);
	assert_int_equal(health_dns_query(&b, 1, "health.example.", 1), -1);
}

static void
test_dns_verdict(void **state)
{
	uint8_t		 r[512], r2[512];
	char		 err[HEALTH_ERROR_MAX];
	size_t		 n, i;
	static const uint8_t bad_name[] = { 0x50, 'x' };
	static const uint8_t short_rdata[] = {
		0xc0, 12, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0x00, 0x04, 1, 2,
	};

	(void)state;
	n = response(r, 0x1234, 0x8180, 1, 1, answer_a, sizeof(answer_a));
	assert_int_equal(verdict(r, n, err), 1);
	assert_string_equal(err, "");

	/* RFC 4343: the question may come back in another case. */
	memcpy(r2, r, n);
	r2[13] = 'H';
	r2[20] = 'E';
	assert_int_equal(verdict(r2, n, err), 1);

	/* Errors by name, with or without the question. */
	n = response(r, 0x1234, 0x8183, 1, 0, NULL, 0);
	assert_int_equal(verdict(r, n, err), 0);
	assert_string_equal(err, "NXDOMAIN");
	n = response(r, 0x1234, 0x8182, 0, 0, NULL, 0);
	assert_int_equal(verdict(r, n, err), 0);
	assert_string_equal(err, "SERVFAIL");
	n = response(r, 0x1234, 0x8185, 1, 0, NULL, 0);
	assert_int_equal(verdict(r, n, err), 0);
	assert_string_equal(err, "REFUSED");
	n = response(r, 0x1234, 0x8189, 1, 0, NULL, 0);
	assert_int_equal(verdict(r, n, err), 0);
	assert_string_equal(err, "rcode 9");

	/* NOERROR without data. */
	n = response(r, 0x1234, 0x8180, 1, 0, NULL, 0);
	assert_int_equal(verdict(r, n, err), 0);
	assert_string_equal(err, "no answer records");
	/* Truncated: the data exists, only too big for UDP. */
	n = response(r, 0x1234, 0x8380, 1, 0, NULL, 0);
	assert_int_equal(verdict(r, n, err), 1);

	/* Malformed answers. */
	n = response(r, 0x1234, 0x8180, 1, 1, short_rdata,
	    sizeof(short_rdata));
	assert_int_equal(verdict(r, n, err), 0);
	assert_string_equal(err, "malformed answer");
	n = response(r, 0x1234, 0x8180, 1, 1, bad_name, sizeof(bad_name));
	assert_int_equal(verdict(r, n, err), 0);
	assert_string_equal(err, "malformed answer");
	n = response(r, 0x1234, 0x8180, 1, 2, answer_a, sizeof(answer_a));
	assert_int_equal(verdict(r, n, err), 0);

	/* Not an answer to this query: ignored. */
	n = response(r, 0x1235, 0x8180, 1, 1, answer_a, sizeof(answer_a));
	assert_int_equal(verdict(r, n, err), -1);
	n = response(r, 0x1234, 0x0180, 1, 1, answer_a, sizeof(answer_a));
	assert_int_equal(verdict(r, n, err), -1);	/* QR clear */
	n = response(r, 0x1234, 0x8980, 1, 1, answer_a, sizeof(answer_a));
	assert_int_equal(verdict(r, n, err), -1);	/* opcode 1 */
	n = response(r, 0x1234, 0x8180, 1, 1, answer_a, sizeof(answer_a));
	r[14] = 'x';					/* another name */
	assert_int_equal(verdict(r, n, err), -1);
	n = response(r, 0x1234, 0x8180, 1, 1, answer_a, sizeof(answer_a));
	r[12 + 16 + 1] = 28;				/* QTYPE AAAA */
	assert_int_equal(verdict(r, n, err), -1);
	n = response(r, 0x1234, 0x8180, 0, 1, answer_a, sizeof(answer_a));
	assert_int_equal(verdict(r, n, err), -1);	/* no question */

	/* Every prefix of a good answer is judged without reading past it. */
	n = response(r, 0x1234, 0x8180, 1, 1, answer_a, sizeof(answer_a));
	for (i = 0; i < n; i++) {
		uint8_t	*p = malloc(i ? i : 1);

		memcpy(p, r, i);
		assert_true(verdict(p, i, err) <= 0);
		free(p);
	}
}

/* ------------------------------------------------------------------ */
/* The engine                                                           */

struct env {
	struct event_base	*base;
	struct health		*h;
	unsigned		 changes;
	char			 last_name[64];
	bool			 last_up;
	bool			 deadline_hit;
};

static void
changed(void *arg, const struct check_state *st)
{
	struct env	*e = arg;

	e->changes++;
	snprintf(e->last_name, sizeof(e->last_name), "%s", st->conf->name);
	e->last_up = st->up;
}

static struct config *
conf_of(const char *body)
{
	struct config_errors	 errs = { NULL, 0, 0 };
	struct config		*c;
	char			*text;
	size_t			 i;

	assert_true(asprintf(&text, "%s%s", HEAD, body) != -1);
	c = config_parse_string("t.conf", text, &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.v[i].text);
	config_errors_free(&errs);
	free(text);
	assert_non_null(c);
	return c;
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct env	*e = arg;

	(void)fd;
	(void)what;
	e->deadline_hit = true;
}

static bool
all_up(struct env *e)
{
	size_t	i;

	for (i = 0; i < health_count(e->h); i++) {
		if (!health_state(e->h, i)->up)
			return false;
	}
	return true;
}

/* Runs the loop until every check is up, for at most 3 s. */
static bool
wait_all_up(struct env *e)
{
	struct event	*t;
	struct timeval	 tv = { 3, 0 };

	e->deadline_hit = false;
	t = evtimer_new(e->base, deadline_cb, e);
	evtimer_add(t, &tv);
	while (!all_up(e) && !e->deadline_hit)
		event_base_loop(e->base, EVLOOP_ONCE);
	event_free(t);
	return all_up(e);
}

#define FAST	"interval 100ms timeout 100ms rise 1 fall 1"

static void
test_lookup(void **state)
{
	struct env		 e;
	struct config		*c, *empty;
	struct check_conf	 other;
	const struct check_state *st;
	struct timespec		 now;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.base = event_base_new();
	c = conf_of("check root { file \"/\" " FAST " }\n"
	    "check maint { file \"/nonexistent/anycastd\" absent " FAST " }\n");
	e.h = health_new(e.base, c, changed, &e);
	assert_int_equal(health_count(e.h), 2);
	st = health_state(e.h, 1);
	assert_string_equal(st->conf->name, "maint");
	assert_ptr_equal(st->conf, config_find_check(c, "maint"));
	assert_false(st->up);			/* checks start down */
	assert_false(st->running);
	assert_int_equal(st->runs, 0);
	assert_null(health_state(e.h, 2));
	assert_ptr_equal(health_find(e.h, config_find_check(c, "maint")), st);
	memset(&other, 0, sizeof(other));
	other.name = "nope";
	assert_null(health_find(e.h, &other));
	assert_false(health_up(e.h, "nope"));
	assert_false(health_up(e.h, "root"));

	assert_true(wait_all_up(&e));
	assert_true(health_up(e.h, "root"));
	assert_int_equal(e.changes, 2);
	assert_int_equal(health_state(e.h, 0)->transitions, 1);
	assert_string_equal(health_state(e.h, 0)->last_error, "");
	health_free(e.h);
	config_free(c);

	/* No checks at all. */
	empty = conf_of("");
	e.h = health_new(e.base, empty, changed, &e);
	assert_int_equal(health_count(e.h), 0);
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &now), 0);
	assert_true(health_progressing(e.h, &now));
	health_free(e.h);
	config_free(empty);
	health_free(NULL);
	event_base_free(e.base);
}

static void
test_progressing(void **state)
{
	struct env		 e;
	struct config		*c;
	const struct check_state *st;
	struct timespec		 t0, t;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.base = event_base_new();
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
	c = conf_of("check root { file \"/\" interval 1s timeout 500ms }\n");
	e.h = health_new(e.base, c, changed, &e);

	/* No run yet: counted from the start, 3 x 1s + 500ms. */
	assert_true(health_progressing(e.h, &t0));
	t = t0;
	t.tv_sec += 3;
	assert_true(health_progressing(e.h, &t));
	t.tv_sec += 1;
	assert_false(health_progressing(e.h, &t));

	/* After a run: counted from its end. */
	st = health_state(e.h, 0);
	while (st->runs == 0)
		event_base_loop(e.base, EVLOOP_ONCE);
	t = st->last_run;
	t.tv_sec += 3;
	t.tv_nsec += 400 * 1000 * 1000;
	if (t.tv_nsec >= 1000 * 1000 * 1000) {
		t.tv_sec++;
		t.tv_nsec -= 1000 * 1000 * 1000;
	}
	assert_true(health_progressing(e.h, &t));
	t.tv_sec += 1;
	assert_false(health_progressing(e.h, &t));

	health_free(e.h);
	config_free(c);
	event_base_free(e.base);
}

static void
test_reload(void **state)
{
	struct env		 e;
	struct config		*a, *b;
	const struct check_state *st;
	struct check_conf	 gone;
	struct event		*t;
	struct timeval		 tv = { 3, 0 };
	uint64_t		 runs;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.base = event_base_new();
	a = conf_of("check keep { file \"/\" " FAST " }\n"
	    "check change { file \"/\" " FAST " }\n"
	    "check gone { file \"/\" " FAST " }\n"
	    "check slow { exec \"/bin/sleep\" \"0.3\" "
	    "interval 5s timeout 2s rise 1 fall 1 }\n");
	e.h = health_new(e.base, a, changed, &e);
	/* Everything up except slow, which is in its first run. */
	e.deadline_hit = false;
	t = evtimer_new(e.base, deadline_cb, &e);
	evtimer_add(t, &tv);
	while (!(health_up(e.h, "keep") && health_up(e.h, "change") &&
	    health_up(e.h, "gone") && health_state(e.h, 3)->running) &&
	    !e.deadline_hit)
		event_base_loop(e.base, EVLOOP_ONCE);
	event_free(t);
	assert_false(e.deadline_hit);
	assert_int_equal(e.changes, 3);
	runs = health_state(e.h, 0)->runs;

	b = conf_of("check new { file \"/\" " FAST " }\n"
	    "check slow { exec \"/bin/sleep\" \"0.3\" "
	    "interval 5s timeout 2s rise 1 fall 1 }\n"
	    "check change { file \"/\" interval 200ms timeout 100ms "
	    "rise 1 fall 1 }\n"
	    "check keep { file \"/\" " FAST " }\n");
	health_reload(e.h, b);
	/* Nothing may point into the old configuration now. */
	config_free(a);

	assert_int_equal(health_count(e.h), 4);
	/* In the new order; a new check starts down. */
	st = health_state(e.h, 0);
	assert_string_equal(st->conf->name, "new");
	assert_false(st->up);
	assert_int_equal(st->runs, 0);
	/* The kept run goes on. */
	st = health_state(e.h, 1);
	assert_ptr_equal(st->conf, config_find_check(b, "slow"));
	assert_true(st->running);
	/* A changed check starts over, and its going down is reported. */
	st = health_state(e.h, 2);
	assert_string_equal(st->conf->name, "change");
	assert_ptr_equal(st->conf, config_find_check(b, "change"));
	assert_false(st->up);
	assert_int_equal(st->runs, 0);
	assert_int_equal(st->transitions, 0);
	assert_int_equal(e.changes, 4);
	assert_string_equal(e.last_name, "change");
	assert_false(e.last_up);
	/* An equal one keeps its state. */
	st = health_state(e.h, 3);
	assert_ptr_equal(st->conf, config_find_check(b, "keep"));
	assert_true(st->up);
	assert_true(st->runs >= runs);
	assert_int_equal(st->transitions, 1);
	/* A removed one is gone, without a callback. */
	memset(&gone, 0, sizeof(gone));
	gone.name = "gone";
	assert_null(health_find(e.h, &gone));
	assert_false(health_up(e.h, "gone"));

	assert_true(wait_all_up(&e));
	assert_int_equal(health_state(e.h, 1)->runs, 1);
	assert_int_equal(e.changes, 7);

	health_free(e.h);
	config_free(b);
	event_base_free(e.base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_dns_query),
		cmocka_unit_test(test_dns_verdict),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_progressing),
		cmocka_unit_test(test_reload),
	};

	alarm(60);	/* a hang fails */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
