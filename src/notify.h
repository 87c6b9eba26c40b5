/*
 * The service manager's side channel: the sd_notify(3) datagram protocol
 * written out by hand (no libsystemd), for systemd's Type=notify and its
 * watchdog.  Every call is a no-op when NOTIFY_SOCKET is not set, so the
 * daemon calls them unconditionally.
 */
#ifndef ANYCASTD_NOTIFY_H
#define ANYCASTD_NOTIFY_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "util.h"

/* Longest message we send, with its terminating NUL. */
#define NOTIFY_MSG_MAX		512

/*
 * Asked at every watchdog tick: true while the daemon makes progress.
 * WATCHDOG=1 is sent only then, so systemd restarts a daemon whose loop
 * runs but whose health checks are stuck.
 */
typedef bool	 notify_progress_cb(void *arg);
/* Fills buf (len bytes) with the one-line summary sent as STATUS=. */
typedef void	 notify_status_cb(void *arg, char *buf, size_t len);

/*
 * Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID and unsets them,
 * so exec checks do not inherit them.  With a watchdog for this process,
 * starts a timer at half of WATCHDOG_USEC that pings while progress
 * holds; with status (may be NULL), refreshes STATUS= each second when
 * the summary changes.  Returns -1 (logged) only when NOTIFY_SOCKET is
 * set but unusable; the daemon runs on without notifications then.
 */
int	 notify_init(struct event_base *, notify_progress_cb *progress,
	    notify_status_cb *status, void *arg);
/* Stops the timers and closes the socket; safe to call twice. */
void	 notify_close(void);
/* True when NOTIFY_SOCKET was set and usable. */
bool	 notify_enabled(void);
/* WATCHDOG_USEC for this process; 0 when there is no watchdog. */
uint64_t notify_watchdog_usec(void);

/* Start-up done: READY=1, with STATUS= (status, else the summary). */
void	 notify_ready(const char *status);
/* A reload begins: RELOADING=1 and MONOTONIC_USEC= (systemd 253+). */
void	 notify_reloading(void);
/* A reload ended: READY=1; err (NULL on success) becomes STATUS=. */
void	 notify_ready_after_reload(const char *err);
/* SIGTERM: STOPPING=1. */
void	 notify_stopping(void);
/* STATUS= with one line of text (control characters become spaces). */
void	 notify_status(const char *fmt, ...) __printflike(1, 2);

/* ------------------------------------------------------------------ */
/* Pure parts, for tests                                                */

/*
 * NOTIFY_SOCKET's value as an address: an absolute path, or '@' and the
 * name of a socket in the abstract namespace.  -1 for anything else (a
 * relative path, too long, empty).
 */
int	 notify_addr(const char *value, struct sockaddr_un *,
	    socklen_t *len);
/*
 * WATCHDOG_USEC for this process, from the two variables (either may be
 * NULL): 0 when there is none, it is malformed, or WATCHDOG_PID names
 * another process.
 */
uint64_t notify_watchdog_parse(const char *usec, const char *pid,
	    pid_t self);

/* The watchdog's state between ticks. */
struct notify_watchdog {
	uint64_t	 usec;		/* WATCHDOG_USEC */
	uint64_t	 last_ping;	/* CLOCK_MONOTONIC µs; 0: none yet */
	bool		 withheld;	/* the last tick sent no ping */
};

/*
 * One watchdog tick: returns true when WATCHDOG=1 is to be sent now and
 * sets *next to the µs until the next tick.  Pings go out every usec / 2
 * while progressing holds; when it does not, none goes out and the
 * predicate is asked again every usec / 8, so an engine that recovers
 * pings again before systemd's deadline.  now is CLOCK_MONOTONIC µs.
 */
bool	 notify_watchdog_tick(struct notify_watchdog *, bool progressing,
	    uint64_t now, uint64_t *next);

/*
 * The datagrams, written into buf; each returns the length like
 * snprintf(), or -1 when it would not fit.  Text is cut at the first
 * newline and other control characters become spaces, since one STATUS=
 * line is all systemctl status shows.
 */
int	 notify_fmt_status(char *buf, size_t len, const char *prefix,
	    const char *text);
int	 notify_fmt_reloading(char *buf, size_t len, uint64_t mono_usec);

/* ------------------------------------------------------------------ */
/* For the daemon                                                       */

/* notify_progress_cb for a struct daemon: health_progressing(). */
bool	 notify_daemon_progressing(void *d);
/*
 * notify_status_cb for a struct daemon: "2/2 neighbors Established,
 * 1/2 prefixes announced, 3/4 checks up".
 */
void	 notify_daemon_status(void *d, char *buf, size_t len);

#endif /* ANYCASTD_NOTIFY_H */
