/*
 * The health-check engine: one struct health_check per configured check,
 * its run and timeout timers, rise/fall counting, and the callback that
 * tells the daemon when a verdict changes.  How a check probes is its
 * type's business (health_<type>.c, through struct health_ops); when it
 * runs and what a result means is decided only here.
 *
 * The engine never blocks: every probe is an event on the daemon's base.
 * It does not know about prefixes or BGP; its owner maps verdicts to
 * announcements.
 */
#include <sys/types.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "config.h"
#include "health.h"
#include "health_int.h"
#include "log.h"
#include "util.h"

static const struct health_ops *const health_types[] = {
	[CHECK_NONE] = NULL,
	[CHECK_HTTP] = &health_http_ops,
	[CHECK_DNS] = &health_dns_ops,
	[CHECK_TCP] = &health_tcp_ops,
	[CHECK_EXEC] = &health_exec_ops,
	[CHECK_FILE] = &health_file_ops,
	[CHECK_PROCESS] = &health_process_ops,
};
static_assert(nitems(health_types) == CHECK_TYPE_MAX,
    "health_types out of sync with enum check_type");

static void	 run_cb(evutil_socket_t, short, void *);
static void	 timeout_cb(evutil_socket_t, short, void *);

/* ------------------------------------------------------------------ */
/* Pure parts                                                           */

bool
health_step(struct check_state *st, unsigned rise, unsigned fall, bool ok)
{
	if (ok) {
		st->failures = 0;
		if (st->successes < UINT_MAX)
			st->successes++;
		if (!st->up && st->successes >= rise) {
			st->up = true;
			return true;
		}
	} else {
		st->successes = 0;
		if (st->failures < UINT_MAX)
			st->failures++;
		if (st->up && st->failures >= fall) {
			st->up = false;
			return true;
		}
	}
	return false;
}

uint64_t
health_jitter(uint64_t ms, uint32_t rnd)
{
	uint64_t	spread = ms / 5;	/* 20 %, centred on ms */

	return ms - ms / 10 + rnd % (spread + 1);
}

uint64_t
health_first_delay(uint64_t interval_ms, uint32_t rnd)
{
	uint64_t	max = interval_ms < HEALTH_FIRST_RUN_MAX_MS ?
		    interval_ms : HEALTH_FIRST_RUN_MAX_MS;

	/* Spread over the window so checks of a big config do not all
	 * start in the same loop iteration. */
	return rnd % (max + 1);
}

void
health_now(struct timespec *ts)
{
	if (clock_gettime(CLOCK_MONOTONIC, ts) == -1)
		fatal("clock_gettime");
}

double
health_elapsed(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) +
	    (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/* ------------------------------------------------------------------ */
/* Watching processes                                                   */

struct health_pidwatch {
	pid_t		 pid;
	bool		 child;
	int		 pidfd;		/* -1: polling */
	struct event	*ev;		/* pidfd readable, or poll timer */
	struct timeval	 poll;
	void		(*cb)(void *);
	void		*arg;
};

/* Without a pidfd: gone, or a zombie, by /proc (or kill(2) without it). */
static bool
proc_exited(pid_t pid)
{
	char	 path[32], buf[512], *p;
	ssize_t	 n;
	int	 fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == ESRCH ||
		    (kill(pid, 0) == -1 && errno == ESRCH);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;		/* it went while we read */
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold anything, even ") ". */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return false;
	return p[2] == 'Z' || p[2] == 'X';
}

bool
health_pidwatch_exited(struct health_pidwatch *w)
{
	struct pollfd	pfd;
	siginfo_t	si;

	if (w->pidfd != -1) {
		pfd.fd = w->pidfd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		return poll(&pfd, 1, 0) == 1;
	}
	if (!w->child)
		return proc_exited(w->pid);
	/* WNOWAIT: the caller reaps it, when it chooses. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, w->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return errno == ECHILD;	/* reaped behind our back */
	return si.si_pid == w->pid;
}

static void
pidwatch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct health_pidwatch	*w = arg;

	(void)fd;
	(void)what;
	if (w->pidfd == -1 && !health_pidwatch_exited(w)) {
		if (evtimer_add(w->ev, &w->poll) == -1)
			fatalx("evtimer_add failed");
		return;
	}
	w->cb(w->arg);
}

struct health_pidwatch *
health_pidwatch_new(struct health *h, pid_t pid, bool child,
    unsigned poll_ms, void (*cb)(void *), void *arg)
{
	static bool		 no_pidfd;	/* nor ever will be */
	struct health_pidwatch	*w;

	w = xcalloc(1, sizeof(*w));
	w->pid = pid;
	w->child = child;
	w->cb = cb;
	w->arg = arg;
	w->pidfd = no_pidfd ? -1 : syscall(SYS_pidfd_open, pid, 0);
	if (w->pidfd == -1 && !no_pidfd) {
		if (errno == ESRCH) {
			free(w);
			return NULL;
		}
		if (errno == ENOSYS || errno == EPERM) {
			log_info("health: pidfd_open: %s; watching processes "
			    "by polling", strerror(errno));
			no_pidfd = true;
		} else
			log_warn("health: pidfd_open %d", (int)pid);
	}
	if (w->pidfd == -1) {
		if (!child && kill(pid, 0) == -1 && errno == ESRCH) {
			free(w);
			return NULL;
		}
		w->poll.tv_sec = poll_ms / 1000;
		w->poll.tv_usec = (poll_ms % 1000) * 1000;
		if ((w->ev = evtimer_new(h->base, pidwatch_cb, w)) == NULL ||
		    evtimer_add(w->ev, &w->poll) == -1)
			fatalx("evtimer_new failed");
	} else if ((w->ev = event_new(h->base, w->pidfd, EV_READ,
	    pidwatch_cb, w)) == NULL || event_add(w->ev, NULL) == -1)
		fatalx("event_new failed");
	return w;
}

void
health_pidwatch_free(struct health_pidwatch *w)
{
	if (w == NULL)
		return;
	event_free(w->ev);
	if (w->pidfd != -1)
		close(w->pidfd);
	free(w);
}

/* ------------------------------------------------------------------ */
/* Results                                                              */

static void
set_timer(struct event *ev, uint64_t ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (evtimer_add(ev, &tv) == -1)
		fatalx("evtimer_add failed");
}

static void
record(struct health_check *hc, bool ok, const char *err, double duration)
{
	struct check_state	*st = &hc->st;
	const struct check_conf	*c = st->conf;

	st->runs++;
	st->last_duration = duration;
	health_now(&st->last_run);
	if (ok)
		st->last_error[0] = '\0';
	else
		strlcpy(st->last_error, err, sizeof(st->last_error));
	if (!health_step(st, c->rise, c->fall, ok)) {
		if (!ok)
			log_debug("check %s: %s", c->name, st->last_error);
		return;
	}
	st->transitions++;
	st->last_change = st->last_run;
	/* The owner logs the change it acts on; this is the detail. */
	if (st->up)
		log_debug("check %s: down -> up", c->name);
	else
		log_debug("check %s: up -> down: %s", c->name,
		    st->last_error);
	if (hc->h->cb != NULL)
		hc->h->cb(hc->h->arg, st);
}

/* The run in progress is over; what it found counts unless it timed out. */
static void
run_end(struct health_check *hc, bool ok, const char *err)
{
	struct timespec	now;

	if (!hc->st.running) {
		log_warnx("check %s: result outside a run ignored",
		    hc->st.conf->name);
		return;
	}
	evtimer_del(hc->t_timeout);
	hc->st.running = false;
	if (!hc->timed_out) {
		health_now(&now);
		record(hc, ok, err, health_elapsed(&hc->started, &now));
	}
	hc->timed_out = false;
	/* From the end of this run, so a slow check never overlaps itself. */
	set_timer(hc->t_run, health_jitter(hc->st.conf->interval_ms,
	    arc4random()));
}

void
health_sock_close(struct health_check *hc)
{
	struct health_sock_run *r = hc->priv;

	if (r == NULL)
		return;
	if (r->ev != NULL)
		event_free(r->ev);
	if (r->fd != -1)
		close(r->fd);
	free(r);
	hc->priv = NULL;
}

void
health_sock_cancel(struct health_check *hc)
{
	health_sock_close(hc);
	health_fail(hc, "cancelled");
}

void
health_ok(struct health_check *hc)
{
	run_end(hc, true, "");
}

void
health_fail(struct health_check *hc, const char *fmt, ...)
{
	char	err[HEALTH_ERROR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, sizeof(err), fmt, ap);
	va_end(ap);
	run_end(hc, false, err);
}

void
health_fail_now(struct health_check *hc, const char *fmt, ...)
{
	char	err[HEALTH_ERROR_MAX];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(err, sizeof(err), fmt, ap);
	va_end(ap);
	record(hc, false, err, 0.0);
}

void
health_set_output(struct health_check *hc, const char *line)
{
	strlcpy(hc->st.last_output, line, sizeof(hc->st.last_output));
}

struct evdns_base *
health_dns_base(struct health *h)
{
	/* Reading resolv.conf blocks, briefly and only once. */
	if (h->dns == NULL &&
	    (h->dns = evdns_base_new(h->base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS)) == NULL)
		log_warnx("health: cannot set up the resolver");
	return h->dns;
}

/* ------------------------------------------------------------------ */
/* Runs                                                                 */

static void
run_cb(evutil_socket_t fd, short what, void *arg)
{
	struct health_check	*hc = arg;

	(void)fd;
	(void)what;
	hc->st.running = true;
	hc->timed_out = false;
	health_now(&hc->started);
	set_timer(hc->t_timeout, hc->st.conf->timeout_ms);
	hc->ops->start(hc);
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct health_check	*hc = arg;
	char			 d[CONFIG_DURATION_STRLEN], err[64];

	(void)fd;
	(void)what;
	hc->timed_out = true;
	snprintf(err, sizeof(err), "timeout after %s",
	    config_duration_str(hc->st.conf->timeout_ms, d, sizeof(d)));
	/* The verdict counts now; stopping the probe may take a moment. */
	record(hc, false, err, hc->st.conf->timeout_ms / 1000.0);
	hc->ops->cancel(hc);
}

static struct health_check *
check_new(struct health *h, const struct check_conf *c)
{
	struct health_check	*hc;
	char			 what[256], d[CONFIG_DURATION_STRLEN];

	if (c->type <= CHECK_NONE || c->type >= CHECK_TYPE_MAX ||
	    health_types[c->type] == NULL)
		fatalx("check %s: no type", c->name);
	hc = xcalloc(1, sizeof(*hc));
	hc->h = h;
	hc->st.conf = c;
	hc->ops = health_types[c->type];
	health_now(&hc->created);
	hc->st.last_change = hc->created;
	if ((hc->t_run = evtimer_new(h->base, run_cb, hc)) == NULL ||
	    (hc->t_timeout = evtimer_new(h->base, timeout_cb, hc)) == NULL)
		fatalx("evtimer_new failed");
	hc->ops->print(hc, what, sizeof(what));
	log_debug("check %s: %s %s every %s", c->name, hc->ops->name, what,
	    config_duration_str(c->interval_ms, d, sizeof(d)));
	set_timer(hc->t_run, health_first_delay(c->interval_ms, arc4random()));
	return hc;
}

static void
check_free(struct health_check *hc)
{
	if (hc == NULL)
		return;
	event_free(hc->t_run);
	event_free(hc->t_timeout);
	hc->ops->free(hc);
	free(hc);
}

/* ------------------------------------------------------------------ */
/* The engine                                                           */

struct health *
health_new(struct event_base *base, const struct config *conf,
    health_changed_cb *cb, void *arg)
{
	struct health		*h;
	const struct check_conf	*c;

	h = xcalloc(1, sizeof(*h));
	h->base = base;
	h->cb = cb;
	h->arg = arg;
	h->checks = xcalloc(conf->nchecks ? conf->nchecks : 1,
	    sizeof(*h->checks));
	TAILQ_FOREACH(c, &conf->checks, entry) {
		if (c->index >= conf->nchecks || h->checks[c->index] != NULL)
			fatalx("check %s: bad index %u", c->name, c->index);
		h->checks[c->index] = check_new(h, c);
	}
	h->nchecks = conf->nchecks;
	return h;
}

void
health_free(struct health *h)
{
	size_t	i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nchecks; i++)
		check_free(h->checks[i]);
	free(h->checks);
	/* After the checks: their connections cancel their lookups. */
	if (h->dns != NULL)
		evdns_base_free(h->dns, 0);
	free(h);
}

void
health_reload(struct health *h, const struct config *conf)
{
	struct health_check	**checks, **restarted, *old;
	const struct check_conf	*c;
	size_t			 i, nrestarted = 0;
	bool			 was_up;

	checks = xcalloc(conf->nchecks ? conf->nchecks : 1, sizeof(*checks));
	restarted = xcalloc(conf->nchecks ? conf->nchecks : 1,
	    sizeof(*restarted));
	TAILQ_FOREACH(c, &conf->checks, entry) {
		if (c->index >= conf->nchecks || checks[c->index] != NULL)
			fatalx("check %s: bad index %u", c->name, c->index);
		old = NULL;
		for (i = 0; i < h->nchecks; i++) {
			if (h->checks[i] != NULL &&
			    strcmp(h->checks[i]->st.conf->name, c->name) == 0) {
				old = h->checks[i];
				h->checks[i] = NULL;
				break;
			}
		}
		if (old != NULL && check_conf_equal(old->st.conf, c)) {
			old->st.conf = c;
			checks[c->index] = old;
			continue;
		}
		was_up = old != NULL && old->st.up;
		if (old != NULL)
			log_info("check %s: changed, starting over",
			    c->name);
		check_free(old);
		checks[c->index] = check_new(h, c);
		if (was_up)
			restarted[nrestarted++] = checks[c->index];
	}
	for (i = 0; i < h->nchecks; i++) {
		if (h->checks[i] != NULL)
			log_info("check %s: removed",
			    h->checks[i]->st.conf->name);
		check_free(h->checks[i]);
	}
	free(h->checks);
	h->checks = checks;
	h->nchecks = conf->nchecks;
	/* Only now, so the callback sees the new set whole. */
	for (i = 0; i < nrestarted; i++) {
		if (h->cb != NULL)
			h->cb(h->arg, &restarted[i]->st);
	}
	free(restarted);
}

size_t
health_count(const struct health *h)
{
	return h->nchecks;
}

const struct check_state *
health_state(const struct health *h, size_t i)
{
	return i < h->nchecks ? &h->checks[i]->st : NULL;
}

const struct check_state *
health_find(const struct health *h, const struct check_conf *c)
{
	size_t	i;

	for (i = 0; i < h->nchecks; i++) {
		if (strcmp(h->checks[i]->st.conf->name, c->name) == 0)
			return &h->checks[i]->st;
	}
	return NULL;
}

bool
health_up(const struct health *h, const char *name)
{
	size_t	i;

	for (i = 0; i < h->nchecks; i++) {
		if (strcmp(h->checks[i]->st.conf->name, name) == 0)
			return h->checks[i]->st.up;
	}
	return false;
}

bool
health_progressing(const struct health *h, const struct timespec *now)
{
	const struct health_check	*hc;
	const struct timespec		*ref;
	double				 limit;
	size_t				 i;

	for (i = 0; i < h->nchecks; i++) {
		hc = h->checks[i];
		ref = hc->st.runs > 0 ? &hc->st.last_run : &hc->created;
		limit = (3.0 * hc->st.conf->interval_ms +
		    hc->st.conf->timeout_ms) / 1000.0;
		if (health_elapsed(ref, now) > limit)
			return false;
	}
	return true;
}
