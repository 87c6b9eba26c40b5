/*
 * sd_notify: NOTIFY_SOCKET addresses, WATCHDOG_USEC/WATCHDOG_PID, the
 * watchdog decision on a fake clock, message formatting, the daemon's
 * STATUS= summary, and the datagrams themselves on a socket we bind.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>

#include "anycastd.h"
#include "announce.h"
#include "notify.h"

#define MS	1000ULL		/* µs */

/* ------------------------------------------------------------------ */
/* NOTIFY_SOCKET                                                        */

static void
test_addr_path(void **state)
{
	struct sockaddr_un sun;
	socklen_t len = 0;

	(void)state;
	assert_int_equal(notify_addr("/run/systemd/notify", &sun, &len), 0);
	assert_int_equal(sun.sun_family, AF_UNIX);
	assert_string_equal(sun.sun_path, "/run/systemd/notify");
	/* The terminating NUL counts for a path. */
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) +
	    strlen("/run/systemd/notify") + 1);
}

static void
test_addr_abstract(void **state)
{
	struct sockaddr_un sun;
	socklen_t len = 0;

	(void)state;
	assert_int_equal(notify_addr("@/org/freedesktop/systemd1/notify/42",
	    &sun, &len), 0);
	/* A leading NUL, the name after it, and no NUL counted at the end. */
	assert_int_equal(sun.sun_path[0], '\0');
	assert_memory_equal(sun.sun_path + 1,
	    "/org/freedesktop/systemd1/notify/42", 35);
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 36);
}

static void
test_addr_refused(void **state)
{
	struct sockaddr_un sun;
	socklen_t len;
	char long_path[sizeof(sun.sun_path) + 2];

	(void)state;
	assert_int_equal(notify_addr(NULL, &sun, &len), -1);
	assert_int_equal(notify_addr("", &sun, &len), -1);
	assert_int_equal(notify_addr("run/notify", &sun, &len), -1);
	assert_int_equal(notify_addr("@", &sun, &len), -1);
	assert_int_equal(notify_addr("/", &sun, &len), -1);

	/* A path needs room for its NUL; an abstract name does not. */
	memset(long_path, 'x', sizeof(long_path));
	long_path[0] = '/';
	long_path[sizeof(sun.sun_path) - 1] = '\0';	/* 107 bytes */
	assert_int_equal(notify_addr(long_path, &sun, &len), 0);
	long_path[sizeof(sun.sun_path) - 1] = 'x';
	long_path[sizeof(sun.sun_path)] = '\0';		/* 108 bytes */
	assert_int_equal(notify_addr(long_path, &sun, &len), -1);
	long_path[0] = '@';
	assert_int_equal(notify_addr(long_path, &sun, &len), 0);
	long_path[sizeof(sun.sun_path)] = 'x';
	long_path[sizeof(sun.sun_path) + 1] = '\0';	/* 109 bytes */
	assert_int_equal(notify_addr(long_path, &sun, &len), -1);
}

/* ------------------------------------------------------------------ */
/* WATCHDOG_USEC and WATCHDOG_PID                                       */

static void
test_watchdog_parse(void **state)
{
	(void)state;
	assert_int_equal(notify_watchdog_parse("400000", NULL, 7), 400000);
	assert_int_equal(notify_watchdog_parse("400000", "7", 7), 400000);
	/* Meant for another process, e.g. a parent that did not unset it. */
	assert_int_equal(notify_watchdog_parse("400000", "8", 7), 0);
	assert_int_equal(notify_watchdog_parse("400000", "7x", 7), 0);
	assert_int_equal(notify_watchdog_parse("400000", "", 7), 0);
	assert_int_equal(notify_watchdog_parse(NULL, "7", 7), 0);
	assert_int_equal(notify_watchdog_parse("0", NULL, 7), 0);
	assert_int_equal(notify_watchdog_parse("", NULL, 7), 0);
	assert_int_equal(notify_watchdog_parse("-5", NULL, 7), 0);
	assert_int_equal(notify_watchdog_parse(" 5", NULL, 7), 0);
	assert_int_equal(notify_watchdog_parse("5s", NULL, 7), 0);
	assert_int_equal(notify_watchdog_parse("99999999999999999999", NULL,
	    7), 0);
	assert_true(notify_watchdog_parse("18446744073709551615", NULL, 7) ==
	    UINT64_MAX);
}

/* ------------------------------------------------------------------ */
/* The watchdog decision                                                */

static void
test_tick_progressing(void **state)
{
	struct notify_watchdog wd = { .usec = 400 * MS };
	uint64_t next = 0;

	(void)state;
	assert_true(notify_watchdog_tick(&wd, true, 1000 * MS, &next));
	assert_int_equal(next, 200 * MS);	/* half of WATCHDOG_USEC */
	assert_int_equal(wd.last_ping, 1000 * MS);
	assert_false(wd.withheld);
}

static void
test_tick_stalled(void **state)
{
	struct notify_watchdog wd = { .usec = 400 * MS };
	uint64_t next = 0;

	(void)state;
	assert_true(notify_watchdog_tick(&wd, true, 1000 * MS, &next));
	assert_false(notify_watchdog_tick(&wd, false, 1200 * MS, &next));
	assert_true(wd.withheld);
	assert_int_equal(wd.last_ping, 1000 * MS);	/* no ping */
	/* Asked again soon: a recovered engine must ping in time. */
	assert_int_equal(next, 50 * MS);
	assert_false(notify_watchdog_tick(&wd, false, 1250 * MS, &next));
	assert_true(notify_watchdog_tick(&wd, true, 1300 * MS, &next));
	assert_false(wd.withheld);
	assert_int_equal(wd.last_ping, 1300 * MS);
	assert_int_equal(next, 200 * MS);
}

static void
test_tick_tiny_interval(void **state)
{
	struct notify_watchdog wd = { .usec = 1 };
	uint64_t next = 0;

	(void)state;
	/* Never a busy loop, whatever the manager asks. */
	notify_watchdog_tick(&wd, true, 0, &next);
	assert_true(next >= 1000);
	notify_watchdog_tick(&wd, false, 0, &next);
	assert_true(next >= 1000);
}

/*
 * The rule against systemd's: drive ticks on a fake clock while progress
 * follows a schedule, and measure the longest silence between pings.
 * systemd kills the service when a silence exceeds WATCHDOG_USEC.
 */
struct stall {
	uint64_t	from, to;	/* progress false in [from, to) */
};

static uint64_t
longest_silence(uint64_t usec, const struct stall *stalls, size_t n,
    uint64_t until)
{
	struct notify_watchdog wd = { .usec = usec };
	uint64_t now = 0, next, last = 0, longest = 0;
	bool progressing;
	size_t i;

	while (now < until) {
		progressing = true;
		for (i = 0; i < n; i++)
			if (now >= stalls[i].from && now < stalls[i].to)
				progressing = false;
		if (notify_watchdog_tick(&wd, progressing, now, &next)) {
			if (now - last > longest)
				longest = now - last;
			last = now;
		}
		now += next;
	}
	if (until - last > longest)
		longest = until - last;
	return longest;
}

static void
test_watchdog_against_systemd(void **state)
{
	const uint64_t usec = 400 * MS;
	/* A blip shorter than half the interval, just after a ping. */
	const struct stall blip[] = { { 810 * MS, 1010 * MS } };
	/* One that starts just before a tick and outlasts it: pinging
	 * only every usec / 2 would be silent until 1000 ms, the deadline. */
	const struct stall straddle[] = { { 790 * MS, 950 * MS } };
	/* A real stall: the engine stops for good at 2 s. */
	const struct stall stuck[] = { { 2000 * MS, UINT64_MAX } };

	(void)state;
	/* Healthy: a ping every usec / 2, never near the deadline. */
	assert_int_equal(longest_silence(usec, NULL, 0, 10000 * MS),
	    200 * MS);
	/* Short stalls cost a ping or two but never the deadline: the
	 * quick re-asking pings as soon as progress is back. */
	assert_true(longest_silence(usec, blip, 1, 10000 * MS) < usec);
	assert_true(longest_silence(usec, straddle, 1, 10000 * MS) < usec);
	/* Stuck: silence from the last ping on, so systemd fires. */
	assert_true(longest_silence(usec, stuck, 1, 10000 * MS) >
	    7000 * MS);
}

/* ------------------------------------------------------------------ */
/* Formatting                                                           */

static void
test_fmt_status(void **state)
{
	char buf[NOTIFY_MSG_MAX];

	(void)state;
	assert_int_equal(notify_fmt_status(buf, sizeof(buf), NULL,
	    "2/2 neighbors Established"), 32);
	assert_string_equal(buf, "STATUS=2/2 neighbors Established");
	notify_fmt_status(buf, sizeof(buf), "READY=1\n", "up");
	assert_string_equal(buf, "READY=1\nSTATUS=up");
	/* One line: cut at the newline, other control bytes blanked, so a
	 * status can never smuggle in a second assignment. */
	notify_fmt_status(buf, sizeof(buf), NULL, "a\tb\rc\nWATCHDOG=1");
	assert_string_equal(buf, "STATUS=a b c");
	notify_fmt_status(buf, sizeof(buf), NULL, "");
	assert_string_equal(buf, "STATUS=");
}

static void
test_fmt_status_short_buffer(void **state)
{
	char buf[12];

	(void)state;
	assert_int_equal(notify_fmt_status(buf, sizeof(buf), NULL, "abcd"),
	    11);
	assert_string_equal(buf, "STATUS=abcd");
	assert_int_equal(notify_fmt_status(buf, sizeof(buf), NULL, "abcde"),
	    -1);
	assert_string_equal(buf, "STATUS=abcd");	/* cut, terminated */
	assert_int_equal(notify_fmt_status(buf, 5, NULL, "a"), -1);
}

static void
test_fmt_reloading(void **state)
{
	char buf[NOTIFY_MSG_MAX];

	(void)state;
	assert_int_equal(notify_fmt_reloading(buf, sizeof(buf), 123456789),
	    36);
	assert_string_equal(buf, "RELOADING=1\nMONOTONIC_USEC=123456789");
	notify_fmt_reloading(buf, sizeof(buf), UINT64_MAX);
	assert_string_equal(buf,
	    "RELOADING=1\nMONOTONIC_USEC=18446744073709551615");
	assert_int_equal(notify_fmt_reloading(buf, 20, 1), -1);
}

/* ------------------------------------------------------------------ */
/* The daemon's summary                                                 */

static void
test_daemon_status(void **state)
{
	struct daemon d;
	struct peer p[3];
	struct prefix_state ps[4];
	char buf[NOTIFY_MSG_MAX];

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(p, 0, sizeof(p));
	memset(ps, 0, sizeof(ps));
	TAILQ_INIT(&d.peers);
	p[0].state = FSM_ESTABLISHED;
	p[1].state = FSM_ACTIVE;
	p[2].state = FSM_ESTABLISHED;
	p[2].removed = true;		/* on its way out: not counted */
	TAILQ_INSERT_TAIL(&d.peers, &p[0], entry);
	TAILQ_INSERT_TAIL(&d.peers, &p[1], entry);
	TAILQ_INSERT_TAIL(&d.peers, &p[2], entry);
	ps[0].state = ANNOUNCE_ANNOUNCED;
	ps[1].state = ANNOUNCE_WITHDRAWN;
	ps[2].state = ANNOUNCE_WITHDRAWN;
	ps[3].state = ANNOUNCE_WITHDRAWN;
	d.prefixes = ps;
	d.nprefixes = 4;

	notify_daemon_status(&d, buf, sizeof(buf));
	assert_string_equal(buf, "1/2 neighbors Established, "
	    "1/4 prefixes announced, 0/0 checks up");

	ps[1].state = ANNOUNCE_GSHUT;	/* still on the wire */
	d.stopping = true;
	notify_daemon_status(&d, buf, sizeof(buf));
	assert_string_equal(buf, "stopping: 1/2 neighbors Established, "
	    "2/4 prefixes announced (1 in graceful shutdown), 0/0 checks up");

	/* Without health engine the daemon is not held back. */
	assert_true(notify_daemon_progressing(&d));
}

/* ------------------------------------------------------------------ */
/* On a socket                                                          */

static char	 dir[] = "/tmp/anycastd-notify-XXXXXX";
static char	 sockpath[128];
static int	 rfd = -1;
static bool	 progress_ok = true;
static int	 progress_calls;

static bool
progress(void *arg)
{
	(void)arg;
	progress_calls++;
	return progress_ok;
}

static void
status(void *arg, char *buf, size_t len)
{
	(void)arg;
	snprintf(buf, len, "all fine");
}

static int
sock_setup(void **state)
{
	struct sockaddr_un sun;

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sockpath, sizeof(sockpath), "%s/notify", dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, sockpath, sizeof(sun.sun_path));
	if ((rfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0)) == -1 ||
	    bind(rfd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		return -1;
	return 0;
}

static int
sock_teardown(void **state)
{
	(void)state;
	notify_close();
	close(rfd);
	unlink(sockpath);
	return rmdir(dir);
}

/* The next datagram, or "" when none is queued. */
static const char *
next_msg(void)
{
	static char buf[NOTIFY_MSG_MAX + 1];
	ssize_t n;

	n = recv(rfd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
drain(void)
{
	while (next_msg()[0] != '\0')
		;
}

static void
test_unset_is_noop(void **state)
{
	struct event_base *base;

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	setenv("WATCHDOG_USEC", "400000", 1);
	assert_non_null(base = event_base_new());
	assert_int_equal(notify_init(base, progress, status, NULL), 0);
	assert_false(notify_enabled());
	assert_int_equal(notify_watchdog_usec(), 0);
	notify_ready("x");
	notify_reloading();
	notify_ready_after_reload(NULL);
	notify_status("%s", "x");
	notify_stopping();
	assert_string_equal(next_msg(), "");
	notify_close();
	event_base_free(base);
}

static void
test_messages(void **state)
{
	struct event_base *base;
	const char *m;

	(void)state;
	drain();
	setenv("NOTIFY_SOCKET", sockpath, 1);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_non_null(base = event_base_new());
	assert_int_equal(notify_init(base, progress, status, NULL), 0);
	assert_true(notify_enabled());
	assert_int_equal(notify_watchdog_usec(), 0);
	/* Exec checks must not see it. */
	assert_null(getenv("NOTIFY_SOCKET"));

	notify_ready(NULL);
	assert_string_equal(next_msg(), "READY=1\nSTATUS=all fine");
	notify_ready("starting");
	assert_string_equal(next_msg(), "READY=1\nSTATUS=starting");
	notify_reloading();
	m = next_msg();
	assert_true(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0);
	assert_true(strtoull(m + 27, NULL, 10) > 0);
	notify_ready_after_reload(NULL);
	assert_string_equal(next_msg(), "READY=1\nSTATUS=all fine");
	notify_ready_after_reload("f.conf:3:1: unknown keyword 'x'");
	assert_string_equal(next_msg(), "READY=1\nSTATUS=reload failed, "
	    "running the previous configuration: f.conf:3:1: unknown "
	    "keyword 'x'");
	notify_status("%d/%d up", 1, 2);
	assert_string_equal(next_msg(), "STATUS=1/2 up");
	notify_stopping();
	assert_string_equal(next_msg(),
	    "STOPPING=1\nSTATUS=stopping: closing sessions");
	assert_string_equal(next_msg(), "");
	notify_close();
	notify_close();			/* twice is fine */
	assert_false(notify_enabled());
	event_base_free(base);
}

static void
stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopexit(arg, NULL);
}

/* Runs the loop for ms and returns how many WATCHDOG=1 arrived. */
static int
run_and_count(struct event_base *base, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct event *ev;
	const char *m;
	int n = 0;

	assert_non_null(ev = evtimer_new(base, stop_cb, base));
	evtimer_add(ev, &tv);
	event_base_dispatch(base);
	event_free(ev);
	while ((m = next_msg())[0] != '\0')
		if (strcmp(m, "WATCHDOG=1") == 0)
			n++;
	return n;
}

static void
test_watchdog_timer(void **state)
{
	struct event_base *base;
	char pid[32];

	(void)state;
	drain();
	setenv("NOTIFY_SOCKET", sockpath, 1);
	setenv("WATCHDOG_USEC", "100000", 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_non_null(base = event_base_new());
	progress_ok = true;
	progress_calls = 0;
	assert_int_equal(notify_init(base, progress, NULL, NULL), 0);
	assert_int_equal(notify_watchdog_usec(), 100000);
	assert_null(getenv("WATCHDOG_USEC"));
	assert_null(getenv("WATCHDOG_PID"));
	/* At once, then every 50 ms: about 5 in 220 ms. */
	assert_true(run_and_count(base, 220) >= 3);

	/* Stalled: asked again and again, and nothing sent. */
	progress_ok = false;
	progress_calls = 0;
	assert_int_equal(run_and_count(base, 200), 0);
	assert_true(progress_calls >= 3);

	progress_ok = true;
	assert_true(run_and_count(base, 120) >= 1);
	notify_close();
	event_base_free(base);
}

static void
test_watchdog_other_pid(void **state)
{
	struct event_base *base;

	(void)state;
	drain();
	setenv("NOTIFY_SOCKET", sockpath, 1);
	setenv("WATCHDOG_USEC", "100000", 1);
	setenv("WATCHDOG_PID", "1", 1);		/* not us */
	assert_non_null(base = event_base_new());
	progress_ok = true;
	assert_int_equal(notify_init(base, progress, NULL, NULL), 0);
	assert_true(notify_enabled());
	assert_int_equal(notify_watchdog_usec(), 0);
	assert_int_equal(run_and_count(base, 120), 0);
	notify_close();
	event_base_free(base);
}

static void
test_abstract_socket(void **state)
{
	struct event_base *base;
	struct sockaddr_un sun;
	socklen_t len;
	char name[64], buf[64];
	int fd;
	ssize_t n;

	(void)state;
	snprintf(name, sizeof(name), "@anycastd-test-notify-%d",
	    (int)getpid());
	assert_int_equal(notify_addr(name, &sun, &len), 0);
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0)) !=
	    -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	setenv("NOTIFY_SOCKET", name, 1);
	unsetenv("WATCHDOG_USEC");
	assert_non_null(base = event_base_new());
	assert_int_equal(notify_init(base, NULL, NULL, NULL), 0);
	notify_stopping();
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_true(strncmp(buf, "STOPPING=1\n", 11) == 0);
	notify_close();
	event_base_free(base);
	close(fd);
}

static void
test_bad_socket_value(void **state)
{
	struct event_base *base;

	(void)state;
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_non_null(base = event_base_new());
	assert_int_equal(notify_init(base, NULL, NULL, NULL), -1);
	assert_false(notify_enabled());
	notify_ready(NULL);		/* still harmless */
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_path),
		cmocka_unit_test(test_addr_abstract),
		cmocka_unit_test(test_addr_refused),
		cmocka_unit_test(test_watchdog_parse),
		cmocka_unit_test(test_tick_progressing),
		cmocka_unit_test(test_tick_stalled),
		cmocka_unit_test(test_tick_tiny_interval),
		cmocka_unit_test(test_watchdog_against_systemd),
		cmocka_unit_test(test_fmt_status),
		cmocka_unit_test(test_fmt_status_short_buffer),
		cmocka_unit_test(test_fmt_reloading),
		cmocka_unit_test(test_daemon_status),
	};
	const struct CMUnitTest sock_tests[] = {
		cmocka_unit_test(test_unset_is_noop),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_watchdog_timer),
		cmocka_unit_test(test_watchdog_other_pid),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_bad_socket_value),
	};
	int rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rc += cmocka_run_group_tests_name("notify_socket", sock_tests,
	    sock_setup, sock_teardown);
	return rc;
}
