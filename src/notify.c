/*
 * Readiness, reload, stop, status and watchdog notifications to the
 * service manager, in the sd_notify(3) protocol: one AF_UNIX datagram per
 * message, newline-separated VAR=value assignments, sent to the socket
 * named by NOTIFY_SOCKET.  It owns that socket and two timers: the
 * watchdog, and a once-a-second STATUS= refresh.
 *
 * The watchdog is the point of this module.  WATCHDOG=1 goes out only
 * while the daemon's progress predicate holds (health checks finishing
 * runs), so a wedged loop or a stuck check engine gets the daemon killed
 * and restarted, and its sessions and routes withdrawn, rather than left
 * announcing on stale health.  It never decides anything about BGP.
 *
 * Nothing here may stop the daemon: when the socket is missing or a send
 * fails, it logs and carries on.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "anycastd.h"
#include "announce.h"
#include "health.h"
#include "log.h"
#include "notify.h"
#include "util.h"

#define NOTIFY_STATUS_SECS	1
#define NOTIFY_SEND_TIMEOUT_MS	1000	/* a congested manager cannot wedge us */
#define NOTIFY_WATCHDOG_MIN_US	1000	/* ticks no closer than this */
#define STOPPING_MSG		"STOPPING=1\nSTATUS=stopping: closing sessions"

static struct {
	int			 fd;		/* -1: notifications off */
	struct sockaddr_un	 addr;
	socklen_t		 addrlen;
	struct notify_watchdog	 wd;
	struct event		*t_watchdog;
	struct event		*t_status;
	notify_progress_cb	*progress;
	notify_status_cb	*status;
	void			*arg;
	/* The last summary sent: STATUS= goes out again only on a change,
	 * so a message such as a reload error stays until something moves. */
	char			 summary[NOTIFY_MSG_MAX];
	bool			 warned;	/* about a failed send */
	bool			 stall_logged;	/* about withheld pings */
} notify = { .fd = -1 };

/* ------------------------------------------------------------------ */
/* Pure parts                                                           */

int
notify_addr(const char *value, struct sockaddr_un *sun, socklen_t *len)
{
	size_t	n;

	if (value == NULL || (value[0] != '/' && value[0] != '@'))
		return -1;
	n = strlen(value);
	if (n < 2 || n > sizeof(sun->sun_path) - (value[0] == '/'))
		return -1;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, value, n);
	/* Abstract namespace: a leading NUL, and the length says where the
	 * name ends (no terminating NUL counts). */
	if (value[0] == '@') {
		sun->sun_path[0] = '\0';
		*len = offsetof(struct sockaddr_un, sun_path) + n;
	} else
		*len = offsetof(struct sockaddr_un, sun_path) + n + 1;
	return 0;
}

/* A decimal number with nothing around it; -1 otherwise. */
static int
parse_u64(const char *s, uint64_t *v)
{
	char			*end;
	unsigned long long	 n;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = n;
	return 0;
}

uint64_t
notify_watchdog_parse(const char *usec, const char *pid, pid_t self)
{
	uint64_t	u, p;

	if (parse_u64(usec, &u) == -1 || u == 0)
		return 0;
	/* As sd_watchdog_enabled(3): without WATCHDOG_PID it is ours. */
	if (pid != NULL && (parse_u64(pid, &p) == -1 || p != (uint64_t)self))
		return 0;
	return u;
}

bool
notify_watchdog_tick(struct notify_watchdog *wd, bool progressing,
    uint64_t now, uint64_t *next)
{
	uint64_t	step;

	if (progressing) {
		wd->last_ping = now;
		wd->withheld = false;
		step = wd->usec / 2;
	} else {
		wd->withheld = true;
		step = wd->usec / 8;
	}
	*next = step > NOTIFY_WATCHDOG_MIN_US ? step : NOTIFY_WATCHDOG_MIN_US;
	return progressing;
}

/* Copies text into buf as one line; returns what it needed, as snprintf. */
static size_t
one_line(char *buf, size_t len, const char *text)
{
	size_t	i, n;

	n = strcspn(text, "\n");
	for (i = 0; i < n && i + 1 < len; i++)
		buf[i] = (unsigned char)text[i] < 0x20 || text[i] == 0x7f ?
		    ' ' : text[i];
	if (len > 0)
		buf[i] = '\0';
	return n;
}

int
notify_fmt_status(char *buf, size_t len, const char *prefix,
    const char *text)
{
	int	n;

	n = snprintf(buf, len, "%sSTATUS=", prefix != NULL ? prefix : "");
	if (n < 0 || (size_t)n >= len)
		return -1;
	if ((size_t)n + one_line(buf + n, len - n, text) >= len)
		return -1;
	return n + (int)strlen(buf + n);
}

int
notify_fmt_reloading(char *buf, size_t len, uint64_t mono_usec)
{
	int	n;

	n = snprintf(buf, len, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
	    mono_usec);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

static uint64_t
now_usec(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
send_msg(const char *msg, int n)
{
	if (notify.fd == -1 || n < 0)
		return;
	/* A fresh lookup of the address each time, as sd_notify does, so a
	 * re-executed manager's new socket is found. */
	if (sendto(notify.fd, msg, n, MSG_NOSIGNAL,
	    (struct sockaddr *)&notify.addr, notify.addrlen) == -1) {
		if (!notify.warned)
			log_warn("notify: cannot send to NOTIFY_SOCKET");
		notify.warned = true;
		return;
	}
	if (notify.warned)
		log_info("notify: sending to NOTIFY_SOCKET again");
	notify.warned = false;
}

static void
send_status(const char *prefix, const char *text)
{
	char	msg[NOTIFY_MSG_MAX];
	int	n;

	if ((n = notify_fmt_status(msg, sizeof(msg), prefix, text)) == -1) {
		/* Cut rather than drop: a long line is still worth showing. */
		msg[sizeof(msg) - 1] = '\0';
		n = strlen(msg);
	}
	send_msg(msg, n);
}

/* The summary, or "" without a status callback. */
static void
summary(char *buf, size_t len)
{
	buf[0] = '\0';
	if (notify.status != NULL)
		notify.status(notify.arg, buf, len);
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	tv;
	uint64_t	next, now = now_usec();
	bool		progressing;

	(void)fd;
	(void)what;
	(void)arg;
	progressing = notify.progress == NULL || notify.progress(notify.arg);
	if (notify_watchdog_tick(&notify.wd, progressing, now, &next))
		send_msg("WATCHDOG=1", (int)strlen("WATCHDOG=1"));
	/* Logged once the silence is half way to the deadline, so a check
	 * that is late now and then does not fill the log. */
	if (notify.wd.withheld && !notify.stall_logged &&
	    now - notify.wd.last_ping >= notify.wd.usec / 2) {
		log_warnx("health checks are not finishing their runs: "
		    "watchdog pings withheld for %" PRIu64 " ms, the service "
		    "manager restarts anycastd after %" PRIu64 " ms",
		    (now - notify.wd.last_ping) / 1000, notify.wd.usec / 1000);
		notify.stall_logged = true;
	} else if (!notify.wd.withheld && notify.stall_logged) {
		log_info("health checks finish their runs again: watchdog "
		    "pings resumed");
		notify.stall_logged = false;
	}
	tv.tv_sec = next / 1000000;
	tv.tv_usec = next % 1000000;
	if (evtimer_add(notify.t_watchdog, &tv) == -1)
		fatalx("evtimer_add failed");
}

static void
status_cb(evutil_socket_t fd, short what, void *arg)
{
	char	text[NOTIFY_MSG_MAX];

	(void)fd;
	(void)what;
	(void)arg;
	summary(text, sizeof(text));
	if (strcmp(text, notify.summary) == 0)
		return;
	strlcpy(notify.summary, text, sizeof(notify.summary));
	send_status(NULL, text);
}

/* ------------------------------------------------------------------ */
/* API                                                                  */

int
notify_init(struct event_base *base, notify_progress_cb *progress,
    notify_status_cb *status, void *arg)
{
	struct timeval	 tv = { NOTIFY_SEND_TIMEOUT_MS / 1000,
			    (NOTIFY_SEND_TIMEOUT_MS % 1000) * 1000 };
	const char	*sock;
	uint64_t	 wd;

	notify_close();
	sock = getenv("NOTIFY_SOCKET");
	wd = notify_watchdog_parse(getenv("WATCHDOG_USEC"),
	    getenv("WATCHDOG_PID"), getpid());
	/* They are for us alone, not for what we start. */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (sock == NULL || sock[0] == '\0')
		return 0;
	if (notify_addr(sock, &notify.addr, &notify.addrlen) == -1) {
		log_warnx("notify: NOTIFY_SOCKET %s is not an absolute path "
		    "or an abstract socket name; not notifying", sock);
		return -1;
	}
	if ((notify.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) ==
	    -1) {
		log_warn("notify: socket");
		return -1;
	}
	/* A full receive queue blocks a datagram send; bound the wait. */
	if (setsockopt(notify.fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)) == -1)
		log_warn("notify: SO_SNDTIMEO");
	notify.progress = progress;
	notify.status = status;
	notify.arg = arg;
	notify.summary[0] = '\0';
	notify.warned = false;
	notify.stall_logged = false;
	memset(&notify.wd, 0, sizeof(notify.wd));
	notify.wd.usec = wd;

	if (wd != 0) {
		if ((notify.t_watchdog = evtimer_new(base, watchdog_cb,
		    NULL)) == NULL)
			fatalx("evtimer_new failed");
		/* The first tick now: the manager counts from our start. */
		watchdog_cb(-1, 0, NULL);
		log_info("watchdog: %" PRIu64 " ms, pinged every %" PRIu64
		    " ms while health checks progress", wd / 1000,
		    wd / 2000);
	}
	if (status != NULL) {
		tv.tv_sec = NOTIFY_STATUS_SECS;
		tv.tv_usec = 0;
		if ((notify.t_status = event_new(base, -1, EV_PERSIST,
		    status_cb, NULL)) == NULL ||
		    event_add(notify.t_status, &tv) == -1)
			fatalx("event_new failed");
	}
	return 0;
}

void
notify_close(void)
{
	if (notify.t_watchdog != NULL)
		event_free(notify.t_watchdog);
	if (notify.t_status != NULL)
		event_free(notify.t_status);
	notify.t_watchdog = NULL;
	notify.t_status = NULL;
	if (notify.fd != -1)
		close(notify.fd);
	notify.fd = -1;
}

bool
notify_enabled(void)
{
	return notify.fd != -1;
}

uint64_t
notify_watchdog_usec(void)
{
	return notify.fd != -1 ? notify.wd.usec : 0;
}

void
notify_ready(const char *status)
{
	char	text[NOTIFY_MSG_MAX];

	if (notify.fd == -1)
		return;
	summary(text, sizeof(text));
	strlcpy(notify.summary, text, sizeof(notify.summary));
	send_status("READY=1\n", status != NULL ? status : text);
}

void
notify_reloading(void)
{
	char	msg[NOTIFY_MSG_MAX];

	if (notify.fd == -1)
		return;
	/* systemd 253+ (Type=notify-reload) wants the time of the request
	 * so it can tell this reload from an older one. */
	send_msg(msg, notify_fmt_reloading(msg, sizeof(msg), now_usec()));
}

void
notify_ready_after_reload(const char *err)
{
	char	text[NOTIFY_MSG_MAX];

	if (notify.fd == -1)
		return;
	if (err == NULL) {
		notify_ready(NULL);
		return;
	}
	summary(notify.summary, sizeof(notify.summary));
	snprintf(text, sizeof(text), "reload failed, running the previous "
	    "configuration: %s", err);
	send_status("READY=1\n", text);
}

void
notify_stopping(void)
{
	if (notify.fd == -1)
		return;
	send_msg(STOPPING_MSG, (int)strlen(STOPPING_MSG));
}

void
notify_status(const char *fmt, ...)
{
	char	text[NOTIFY_MSG_MAX];
	va_list	ap;

	if (notify.fd == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	send_status(NULL, text);
}

/* ------------------------------------------------------------------ */
/* For the daemon                                                       */

bool
notify_daemon_progressing(void *arg)
{
	struct daemon	*d = arg;
	struct timespec	 now;

	if (d->health == NULL)
		return true;
	mono_now(&now);
	return health_progressing(d->health, &now);
}

void
notify_daemon_status(void *arg, char *buf, size_t len)
{
	struct daemon			*d = arg;
	const struct peer		*p;
	const struct prefix_state	*ps;
	const struct check_state	*st;
	size_t				 npeers = 0, nest = 0, nann = 0, ngshut = 0;
	size_t				 nchecks = 0, nup = 0, npfx, i;
	char				 gshut[48] = "";

	TAILQ_FOREACH(p, &d->peers, entry) {
		if (p->removed)
			continue;
		npeers++;
		if (p->state == FSM_ESTABLISHED)
			nest++;
	}
	npfx = announce_prefix_count(d);
	for (i = 0; i < npfx; i++) {
		ps = announce_prefix(d, i);
		if (ps->state == ANNOUNCE_ANNOUNCED)
			nann++;
		else if (ps->state == ANNOUNCE_GSHUT)
			ngshut++;
	}
	if (d->health != NULL) {
		nchecks = health_count(d->health);
		for (i = 0; i < nchecks; i++) {
			st = health_state(d->health, i);
			if (st->up)
				nup++;
		}
	}
	if (ngshut > 0)
		snprintf(gshut, sizeof(gshut), " (%zu in graceful shutdown)",
		    ngshut);
	snprintf(buf, len, "%s%zu/%zu neighbors Established, %zu/%zu "
	    "prefixes announced%s, %zu/%zu checks up",
	    d->stopping ? "stopping: " : "", nest, npeers, nann + ngshut,
	    npfx, gshut, nup, nchecks);
}
