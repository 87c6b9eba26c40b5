/*
 * Health checks against real local resources on a real event_base: an
 * evhttp server, TCP listeners and closed ports, a small UDP DNS
 * responder, programs run by exec checks, files and a forked "service"
 * for process checks.  Every wait is bounded by a libevent timer, and
 * alarm() bounds each test as a whole, so a hang fails instead of
 * blocking.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "config.h"
#include "health.h"
#include "util.h"

#define HEAD		"router-id 192.0.2.10\nlocal-as 65010\n"
#define TEST_ALARM	60	/* seconds any one test may take */

struct env {
	struct event_base	*base;
	struct config		*conf;
	struct health		*h;
	char			 dir[128];
	unsigned		 changes;	/* callbacks */
	char			 last_name[64];	/* last callback's */
	bool			 last_up;
	struct timespec		 last_at;
	struct timespec		 at[16];	/* each check's last change */
	bool			 deadline_hit;
};

static void
now(struct timespec *ts)
{
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, ts), 0);
}

static double
ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

static void
changed(void *arg, const struct check_state *st)
{
	struct env	*e = arg;

	e->changes++;
	snprintf(e->last_name, sizeof(e->last_name), "%s", st->conf->name);
	e->last_up = st->up;
	now(&e->last_at);
	if (st->conf->index < nitems(e->at))
		e->at[st->conf->index] = e->last_at;
}

static struct config *
conf_of(const char *fmt, ...)
{
	struct config_errors	 errs = { NULL, 0, 0 };
	struct config		*c;
	char			*body, *text;
	size_t			 i;
	va_list			 ap;

	va_start(ap, fmt);
	assert_true(vasprintf(&body, fmt, ap) != -1);
	va_end(ap);
	assert_true(asprintf(&text, "%s%s", HEAD, body) != -1);
	c = config_parse_string("t.conf", text, &errs);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.v[i].text);
	config_errors_free(&errs);
	free(body);
	free(text);
	assert_non_null(c);
	return c;
}

static int
setup(void **state)
{
	struct env	*e;
	const char	*tmp = getenv("TEST_TMPDIR");

	alarm(TEST_ALARM);
	e = calloc(1, sizeof(*e));
	assert_non_null(e);
	snprintf(e->dir, sizeof(e->dir), "%s/health.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	assert_non_null(mkdtemp(e->dir));
	e->base = event_base_new();
	assert_non_null(e->base);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env	*e = *state;
	DIR		*d;
	struct dirent	*de;
	char		 path[512];

	health_free(e->h);
	config_free(e->conf);
	event_base_free(e->base);
	if ((d = opendir(e->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", e->dir,
			    de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(e->dir);
	free(e);
	alarm(0);
	return 0;
}

static void
start(struct env *e, struct config *c)
{
	e->conf = c;
	e->h = health_new(e->base, c, changed, e);
	assert_non_null(e->h);
}

static const struct check_state *
st_of(struct env *e, const char *name)
{
	size_t	i;

	for (i = 0; i < health_count(e->h); i++) {
		if (strcmp(health_state(e->h, i)->conf->name, name) == 0)
			return health_state(e->h, i);
	}
	fail_msg("no check %s", name);
	return NULL;
}

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct env	*e = arg;

	(void)fd;
	(void)what;
	e->deadline_hit = true;
}

typedef bool	 pred_fn(struct env *, const void *);

/* Runs the loop until pred holds or ms pass; whether it held. */
static bool
wait_for(struct env *e, pred_fn *pred, const void *arg, double ms)
{
	struct event	*t;
	struct timeval	 tv;
	bool		 ok;

	if (ms < 0)
		ms = 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms - tv.tv_sec * 1000.0) * 1000);
	e->deadline_hit = false;
	t = evtimer_new(e->base, deadline_cb, e);
	assert_non_null(t);
	evtimer_add(t, &tv);
	while (!(ok = pred(e, arg)) && !e->deadline_hit)
		event_base_loop(e->base, EVLOOP_ONCE);
	event_free(t);
	return ok;
}

struct want {
	const char	*name;
	bool		 up;
	const char	*error;		/* NULL: any */
	uint64_t	 runs;		/* at least */
};

static bool
pred_state(struct env *e, const void *arg)
{
	const struct want	*w = arg;
	const struct check_state *st = st_of(e, w->name);

	return st->up == w->up && st->runs >= w->runs && !st->running &&
	    (w->error == NULL || strcmp(st->last_error, w->error) == 0);
}

/* Waits until the check is in that state, having run at least runs times. */
static void
reach(struct env *e, double ms, const char *name, bool up, const char *error,
    uint64_t runs)
{
	struct want		 w = { name, up, error, runs };
	const struct check_state *st;

	if (wait_for(e, pred_state, &w, ms))
		return;
	st = st_of(e, name);
	fail_msg("check %s: wanted %s \"%s\", got %s \"%s\" after %llu runs",
	    name, up ? "up" : "down", error ? error : "*",
	    st->up ? "up" : "down", st->last_error,
	    (unsigned long long)st->runs);
}

static bool
pred_never(struct env *e, const void *arg)
{
	(void)e;
	(void)arg;
	return false;
}

/* Lets the loop run for ms, whatever happens. */
static void
spin(struct env *e, double ms)
{
	(void)wait_for(e, pred_never, NULL, ms);
}

/* ------------------------------------------------------------------ */
/* http                                                                 */

struct http_srv {
	struct evhttp	*http;
	uint16_t	 port;
	int		 status;
	char		 host[128];	/* Host of the last request */
	char		 uri[128];
	unsigned	 hits;
};

static void
http_srv_cb(struct evhttp_request *req, void *arg)
{
	struct http_srv	*s = arg;
	const char	*host;

	s->hits++;
	host = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Host");
	snprintf(s->host, sizeof(s->host), "%s", host ? host : "");
	snprintf(s->uri, sizeof(s->uri), "%s", evhttp_request_get_uri(req));
	evhttp_send_reply(req, s->status, "test", NULL);
}

static void
http_srv_start(struct env *e, struct http_srv *s)
{
	struct evhttp_bound_socket	*bs;
	struct sockaddr_in		 sin;
	socklen_t			 len = sizeof(sin);

	s->http = evhttp_new(e->base);
	assert_non_null(s->http);
	bs = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", 0);
	assert_non_null(bs);
	assert_int_equal(getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &len), 0);
	s->port = ntohs(sin.sin_port);
	s->status = 200;
	evhttp_set_gencb(s->http, http_srv_cb, s);
	/* Where "localhost" may also resolve; fine if there is no IPv6. */
	(void)evhttp_bind_socket_with_handle(s->http, "::1", s->port);
}

static void
test_http(void **state)
{
	struct env		*e = *state;
	struct http_srv		 s;
	const struct check_state *st;
	char			 host[64];

	memset(&s, 0, sizeof(s));
	http_srv_start(e, &s);
	start(e, conf_of("check web {\n"
	    "\thttp \"http://127.0.0.1:%u/healthz?x=1\" expect 200\n"
	    "\tinterval 200ms timeout 200ms rise 2 fall 2\n}\n", s.port));
	st = st_of(e, "web");
	assert_false(st->up);		/* every check starts down */

	reach(e, 5000, "web", true, "", 2);
	assert_true(st->successes >= 2);
	assert_int_equal(st->transitions, 1);
	assert_int_equal(e->changes, 1);
	assert_string_equal(e->last_name, "web");
	assert_true(e->last_up);
	snprintf(host, sizeof(host), "127.0.0.1:%u", s.port);
	assert_string_equal(s.host, host);
	assert_string_equal(s.uri, "/healthz?x=1");
	assert_true(st->last_duration > 0 && st->last_duration < 0.2);
	assert_true(health_up(e->h, "web"));

	s.status = 503;
	reach(e, 5000, "web", false, "status 503, expected 200", 0);
	assert_int_equal(st->failures, 2);
	assert_int_equal(e->changes, 2);
	assert_false(e->last_up);

	evhttp_free(s.http);
	reach(e, 5000, "web", false, "connect: Connection refused", 0);
	assert_int_equal(e->changes, 2);
}

/* A host name goes through the resolver, without blocking the loop. */
static void
test_http_hostname(void **state)
{
	struct env		*e = *state;
	struct http_srv		 s;
	char			 host[64];

	memset(&s, 0, sizeof(s));
	http_srv_start(e, &s);
	s.status = 204;
	start(e, conf_of("check byname {\n"
	    "\thttp \"http://localhost:%u\" expect 204\n"
	    "\tinterval 5s timeout 1s rise 1 fall 1\n}\n", s.port));
	reach(e, 5000, "byname", true, "", 1);
	snprintf(host, sizeof(host), "localhost:%u", s.port);
	assert_string_equal(s.host, host);
	assert_string_equal(s.uri, "/");
	evhttp_free(s.http);
}

/* ------------------------------------------------------------------ */
/* tcp                                                                  */

static void
accept_cb(evutil_socket_t fd, short what, void *arg)
{
	int	c;

	(void)what;
	(void)arg;
	if ((c = accept(fd, NULL, NULL)) != -1)
		close(c);
}

/* A socket on 127.0.0.1 with a free port; listening or not. */
static int
local_socket(int type, bool listening, uint16_t *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd;

	fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	assert_true(fd != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	if (listening)
		assert_int_equal(listen(fd, 16), 0);
	return fd;
}

static void
test_tcp(void **state)
{
	struct env	*e = *state;
	struct event	*ev;
	uint16_t	 open_port, closed_port;
	int		 lfd, cfd;

	lfd = local_socket(SOCK_STREAM, true, &open_port);
	cfd = local_socket(SOCK_STREAM, false, &closed_port);
	close(cfd);		/* bound, never listening: now refused */
	ev = event_new(e->base, lfd, EV_READ | EV_PERSIST, accept_cb, NULL);
	event_add(ev, NULL);
	start(e, conf_of(
	    "check open { tcp 127.0.0.1 port %u\n"
	    "\tinterval 100ms timeout 100ms rise 1 fall 1 }\n"
	    "check closed { tcp 127.0.0.1 port %u\n"
	    "\tinterval 100ms timeout 100ms rise 1 fall 1 }\n",
	    open_port, closed_port));

	reach(e, 3000, "open", true, "", 1);
	reach(e, 3000, "closed", false,
	    "connect: Connection refused", 1);
	assert_int_equal(st_of(e, "closed")->transitions, 0);

	event_free(ev);
	close(lfd);
	reach(e, 3000, "open", false, "connect: Connection refused", 0);
	assert_int_equal(e->changes, 2);
}

/* ------------------------------------------------------------------ */
/* dns                                                                  */

enum dns_mode { DNS_ANSWER, DNS_NXDOMAIN, DNS_SILENT };

struct dns_srv {
	int		 fd;
	uint16_t	 port;
	struct event	*ev;
	enum dns_mode	 mode;
	unsigned	 queries;
	uint16_t	 last_qtype;
};

/* Answers with the question copied and one record of the asked type. */
static void
dns_srv_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_srv		*s = arg;
	struct sockaddr_storage	 from;
	socklen_t		 fromlen = sizeof(from);
	uint8_t			 q[512], r[600];
	ssize_t			 n;
	size_t			 qend, len;
	static const uint8_t	 rr_tail[] = {
		0, 0, 0, 60,		/* TTL */
		0, 4, 192, 0, 2, 1,	/* RDLENGTH, RDATA */
	};

	(void)what;
	n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from,
	    &fromlen);
	if (n < 12)
		return;
	s->queries++;
	if (s->mode == DNS_SILENT)
		return;
	for (qend = 12; qend < (size_t)n && q[qend] != 0; qend += q[qend] + 1)
		;
	qend += 1 + 4;			/* root label, QTYPE, QCLASS */
	assert_true(qend <= (size_t)n);
	s->last_qtype = q[qend - 4] << 8 | q[qend - 3];
	memcpy(r, q, qend);
	r[2] = 0x81;			/* QR, RD */
	r[3] = 0x80 | (s->mode == DNS_NXDOMAIN ? 3 : 0);	/* RA, rcode */
	r[6] = 0;			/* ANCOUNT */
	r[7] = s->mode == DNS_ANSWER ? 1 : 0;
	r[8] = r[9] = r[10] = r[11] = 0;	/* no NS, no OPT back */
	len = qend;
	if (s->mode == DNS_ANSWER) {
		r[len++] = 0xc0;	/* the name: points to the question */
		r[len++] = 12;
		r[len++] = q[qend - 4];	/* TYPE as asked */
		r[len++] = q[qend - 3];
		r[len++] = 0;
		r[len++] = 1;		/* IN */
		memcpy(r + len, rr_tail, sizeof(rr_tail));
		len += sizeof(rr_tail);
	}
	sendto(fd, r, len, 0, (struct sockaddr *)&from, fromlen);
}

static void
test_dns(void **state)
{
	struct env	*e = *state;
	struct dns_srv	 s;
	uint16_t	 closed_port;
	int		 fd;

	memset(&s, 0, sizeof(s));
	s.fd = local_socket(SOCK_DGRAM, false, &s.port);
	s.ev = event_new(e->base, s.fd, EV_READ | EV_PERSIST, dns_srv_cb, &s);
	event_add(s.ev, NULL);
	fd = local_socket(SOCK_DGRAM, false, &closed_port);
	close(fd);
	start(e, conf_of(
	    "check a { dns \"health.example.\" type A server 127.0.0.1 "
	    "port %u\n\tinterval 200ms timeout 200ms rise 2 fall 2 }\n"
	    "check txt { dns \"Health.Example\" type TXT server 127.0.0.1 "
	    "port %u\n\tinterval 200ms timeout 200ms rise 1 fall 1 }\n"
	    "check nobody { dns \"health.example.\" server 127.0.0.1 "
	    "port %u\n\tinterval 200ms timeout 200ms rise 1 fall 1 }\n",
	    s.port, s.port, closed_port));

	reach(e, 5000, "a", true, "", 2);
	reach(e, 5000, "txt", true, "", 1);
	/* ICMP port unreachable comes back on the connected socket. */
	reach(e, 5000, "nobody", false,
	    "recv: Connection refused", 1);

	s.mode = DNS_NXDOMAIN;
	reach(e, 5000, "a", false, "NXDOMAIN", 0);
	reach(e, 5000, "txt", false, "NXDOMAIN", 0);

	s.mode = DNS_ANSWER;
	reach(e, 5000, "a", true, "", 0);
	s.mode = DNS_SILENT;
	reach(e, 5000, "a", false, "timeout after 200ms", 0);

	event_free(s.ev);
	close(s.fd);
}

/* ------------------------------------------------------------------ */
/* exec                                                                 */

/* Children of this process, as /proc lists them (zombies included). */
static int
count_children(void)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[300], buf[512], *p;
	int		 n = 0, fd;
	ssize_t		 len;
	long		 ppid;

	d = opendir("/proc");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY)) == -1)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* pid (comm) state ppid: comm may hold spaces and ')'. */
		if ((p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 1, " %*c %ld", &ppid) != 1)
			continue;
		if (ppid == getpid())
			n++;
	}
	closedir(d);
	return n;
}

/* 'R', 'S', 'Z'...; 0 when the process is gone. */
static char
proc_state(pid_t pid)
{
	char	 path[64], buf[512], *p;
	int	 fd;
	ssize_t	 len;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	return p[2];
}

static pid_t
read_pid_file(const char *path)
{
	FILE	*f;
	int	 pid = -1;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid;
}

static void
test_exec(void **state)
{
	struct env		*e = *state;
	const struct check_state *st;

	start(e, conf_of(
	    "check t { exec \"/bin/true\"\n"
	    "\tinterval 1s timeout 1s rise 1 fall 1 }\n"
	    "check f { exec \"/bin/false\"\n"
	    "\tinterval 1s timeout 1s rise 1 fall 1 }\n"
	    "check boom { exec \"/bin/sh\" \"-c\" \"echo boom; echo more; "
	    "exit 1\"\n\tinterval 1s timeout 1s rise 1 fall 1 }\n"
	    "check env { exec \"/usr/bin/env\"\n"
	    "\tinterval 1s timeout 1s rise 1 fall 1 }\n"
	    "check fds { exec \"/bin/ls\" \"-m\" \"/proc/self/fd\"\n"
	    "\tinterval 1s timeout 1s rise 1 fall 1 }\n"
	    "check stdin { exec \"/usr/bin/readlink\" \"/proc/self/fd/0\"\n"
	    "\tinterval 1s timeout 1s rise 1 fall 1 }\n"
	    "check missing { exec \"/nonexistent/program\"\n"
	    "\tinterval 1s timeout 1s rise 1 fall 1 }\n"));

	reach(e, 5000, "t", true, "", 1);
	reach(e, 5000, "f", false, "exit status 1", 1);
	reach(e, 5000, "boom", false, "boom", 1);
	assert_string_equal(st_of(e, "boom")->last_output, "boom");
	/* A clean environment: PATH and nothing else. */
	reach(e, 5000, "env", true, "", 1);
	st = st_of(e, "env");
	assert_string_equal(st->last_output,
	    "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	/* No descriptor of ours leaks: ls sees 0-2 and its own dir. */
	reach(e, 5000, "fds", true, "", 1);
	assert_string_equal(st_of(e, "fds")->last_output, "0, 1, 2, 3");
	reach(e, 5000, "stdin", true, "", 1);
	assert_string_equal(st_of(e, "stdin")->last_output, "/dev/null");
	reach(e, 5000, "missing", false,
	    "execve /nonexistent/program: No such file or directory", 1);
}

static void
test_exec_timeout(void **state)
{
	struct env		*e = *state;
	const struct check_state *st;
	struct timespec		 t;
	char			 gcfile[300], shfile[300];
	pid_t			 gc, sh;
	int			 i;

	snprintf(gcfile, sizeof(gcfile), "%s/gc.pid", e->dir);
	snprintf(shfile, sizeof(shfile), "%s/sh.pid", e->dir);
	/* sleep in the foreground, and a grandchild in the background
	 * that ignores SIGTERM, so only SIGKILL ends this group. */
	start(e, conf_of(
	    "check sleep { exec \"/bin/sleep\" \"1000\"\n"
	    "\tinterval 5s timeout 200ms rise 1 fall 1 }\n"
	    "check group { exec \"/bin/sh\" \"-c\" \"echo $$ > %s; "
	    "trap '' TERM; /bin/sleep 1000 & echo $! > %s; wait\"\n"
	    "\tinterval 5s timeout 200ms rise 1 fall 1 }\n", shfile, gcfile));

	/* Both run now: the children exist. */
	for (i = 0; i < 100 && (read_pid_file(gcfile) == -1 ||
	    read_pid_file(shfile) == -1 || !st_of(e, "sleep")->running); i++)
		spin(e, 20);
	gc = read_pid_file(gcfile);
	sh = read_pid_file(shfile);
	assert_true(gc > 0 && sh > 0);
	assert_int_equal(count_children(), 2);	/* sleep and sh */
	assert_true(proc_state(gc) != 0 && proc_state(gc) != 'Z');

	reach(e, 5000, "sleep", false, "timeout after 200ms", 1);
	reach(e, 5000, "group", false, "timeout after 200ms", 1);
	st = st_of(e, "group");
	assert_int_equal(st->runs, 1);
	assert_true(st->last_duration >= 0.19 && st->last_duration < 0.3);
	/* The group ignores SIGTERM: only SIGKILL, 100 ms on, ended it. */
	now(&t);
	assert_true(ms_between(&e->at[st->conf->index], &t) >= 90);

	/* Reaped: no child of ours is left, not even a zombie. */
	assert_int_equal(count_children(), 0);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(proc_state(sh), 0);
	/* The grandchild died too; init may not have reaped it yet. */
	for (i = 0; i < 100 && proc_state(gc) != 0 && proc_state(gc) != 'Z';
	    i++)
		usleep(10000);
	assert_true(proc_state(gc) == 0 || proc_state(gc) == 'Z');
}

/* health_free() kills a running exec child and reaps it before it returns. */
static void
test_exec_free(void **state)
{
	struct env	*e = *state;

	start(e, conf_of("check sleep { exec \"/bin/sleep\" \"1000\"\n"
	    "\tinterval 5s timeout 5s }\n"));
	while (!st_of(e, "sleep")->running)
		event_base_loop(e->base, EVLOOP_ONCE);
	assert_int_equal(count_children(), 1);
	health_free(e->h);
	e->h = NULL;
	assert_int_equal(count_children(), 0);
}

/* ------------------------------------------------------------------ */
/* file                                                                 */

static void
test_file(void **state)
{
	struct env	*e = *state;
	char		 path[300], err[400];
	int		 fd;

	snprintf(path, sizeof(path), "%s/maint", e->dir);
	start(e, conf_of(
	    "check present { file \"%s\"\n"
	    "\tinterval 100ms timeout 100ms rise 1 fall 1 }\n"
	    "check absent { file \"%s\" absent\n"
	    "\tinterval 100ms timeout 100ms rise 1 fall 1 }\n", path, path));

	snprintf(err, sizeof(err), "%s: No such file or directory", path);
	reach(e, 3000, "absent", true, "", 1);
	reach(e, 3000, "present", false, err, 1);

	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd != -1);
	close(fd);
	snprintf(err, sizeof(err), "%s exists", path);
	reach(e, 3000, "present", true, "", 0);
	reach(e, 3000, "absent", false, err, 0);

	unlink(path);
	reach(e, 3000, "present", false, NULL, 0);
	reach(e, 3000, "absent", true, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* process                                                              */

static pid_t
service_start(const char *pidfile)
{
	FILE	*f;
	pid_t	 pid;

	if ((pid = fork()) == 0) {
		for (;;)
			pause();
	}
	assert_true(pid > 0);
	f = fopen(pidfile, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", (int)pid);
	fclose(f);
	return pid;
}

static void
service_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

static bool
pred_down(struct env *e, const void *name)
{
	return !health_up(e->h, name);
}

static void
test_process(void **state)
{
	struct env		*e = *state;
	const struct check_state *st;
	struct timespec		 killed, t;
	char			 pidfile[300], err[64];
	double			 left;
	pid_t			 pid;

	snprintf(pidfile, sizeof(pidfile), "%s/svc.pid", e->dir);
	pid = service_start(pidfile);
	start(e, conf_of("check svc { process \"%s\"\n"
	    "\tinterval 5s timeout 1s rise 1 fall 1 }\n", pidfile));
	reach(e, 3000, "svc", true, "", 1);
	st = st_of(e, "svc");
	assert_int_equal(st->runs, 1);

	/* The next run comes 4.5 s after this one at the earliest. */
	now(&t);
	left = 4500 - ms_between(&st->last_run, &t) - 100;
	assert_true(left > 1000);
	now(&killed);
	kill(pid, SIGKILL);
	assert_true(wait_for(e, pred_down, "svc", left));
	print_message("process exit seen after %.1f ms\n",
	    ms_between(&killed, &e->last_at));
	assert_int_equal(st->runs, 2);	/* the exit counted as a run */
	snprintf(err, sizeof(err), "process %d exited", (int)pid);
	assert_string_equal(st->last_error, err);
	assert_int_equal(e->changes, 2);
	/* Still a zombie of ours: its pid is taken, yet not running. */
	assert_int_equal(waitpid(pid, NULL, 0), pid);
}

/* fall 2: one exit does not bring it down; a new pid file brings it back. */
static void
test_process_pidfile(void **state)
{
	struct env		*e = *state;
	const struct check_state *st;
	char			 pidfile[300], err[400];
	pid_t			 a, b;
	uint64_t		 runs;
	FILE			*f;

	snprintf(pidfile, sizeof(pidfile), "%s/svc.pid", e->dir);
	a = service_start(pidfile);
	start(e, conf_of("check svc { process \"%s\"\n"
	    "\tinterval 200ms timeout 200ms rise 1 fall 2 }\n", pidfile));
	reach(e, 3000, "svc", true, "", 1);
	st = st_of(e, "svc");

	runs = st->runs;
	kill(a, SIGKILL);
	/* The exit is one failure: with fall 2 the check stays up... */
	while (st->runs == runs)
		event_base_loop(e->base, EVLOOP_ONCE);
	assert_true(st->up);
	assert_int_equal(st->failures, 1);
	/* ...and a new service in the pid file before the next run
	 * keeps it up. */
	b = service_start(pidfile);
	reach(e, 3000, "svc", true, "", runs + 2);
	assert_int_equal(st->failures, 0);
	assert_int_equal(e->changes, 1);
	service_stop(a);

	/* The pid file goes: two failed runs, then down. */
	unlink(pidfile);
	snprintf(err, sizeof(err), "%s: No such file or directory", pidfile);
	reach(e, 3000, "svc", false, err, 0);
	assert_int_equal(st->failures, 2);

	/* A pid file naming nothing alive. */
	service_stop(b);
	service_stop(a = service_start(pidfile));
	snprintf(err, sizeof(err), "process %d not running", (int)a);
	reach(e, 3000, "svc", false, err, 0);

	/* Not a pid file. */
	f = fopen(pidfile, "w");
	assert_non_null(f);
	fprintf(f, "nginx\n");
	fclose(f);
	snprintf(err, sizeof(err), "%s: no pid in it", pidfile);
	reach(e, 3000, "svc", false, err, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_hostname, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_exec_free, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_process, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_process_pidfile, setup,
		    teardown),
	};

	/* A client closing early must not kill the test server. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
