/*
 * Between health.c and the check types (health_<type>.c): the runtime
 * check, the ops table each type implements, and how a type reports a
 * result.  Not for use outside the health modules.
 *
 * A run goes: health.c calls ops->start(); the type reports exactly one
 * health_ok() or health_fail(), at once or from a later event callback.
 * If the timeout fires first, health.c records the failure itself and
 * calls ops->cancel(); the type then stops what it does and still ends
 * the run with health_ok() or health_fail() (whose verdict is ignored)
 * once nothing of the run is left, so a check never overlaps itself.
 *
 * A check's conf is replaced on reload by an equal one in a new config
 * and the old one is freed, so a type must not keep pointers into its
 * check_conf across event callbacks: it reads hc->st.conf when it needs
 * it, or copies.
 */
#ifndef ANYCASTD_HEALTH_INT_H
#define ANYCASTD_HEALTH_INT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "health.h"
#include "util.h"

/* The first run comes this soon after start, at most (jittered). */
#define HEALTH_FIRST_RUN_MAX_MS	100

struct evdns_base;
struct health_check;

struct health_ops {
	const char	*name;
	/* Begins a run: ends with health_ok() or health_fail(). */
	void		(*start)(struct health_check *);
	/* The run timed out: stop it, then end it as above (maybe at once). */
	void		(*cancel)(struct health_check *);
	/* Releases hc->priv and anything running, now, without reporting. */
	void		(*free)(struct health_check *);
	/* What the check probes, for logs: "GET http://... expect 200". */
	void		(*print)(const struct health_check *, char *,
			    size_t);
};

struct health_check {
	struct check_state	 st;	/* what health_state() hands out */
	struct health		*h;
	const struct health_ops	*ops;
	struct event		*t_run;		/* next run */
	struct event		*t_timeout;	/* of the current run */
	struct timespec		 created;
	struct timespec		 started;	/* the current run */
	bool			 timed_out;	/* counted; stopping */
	void			*priv;		/* the type's (ops->free) */
};

struct health {
	struct event_base	*base;
	health_changed_cb	*cb;
	void			*arg;
	struct health_check	**checks;
	size_t			 nchecks;
	struct evdns_base	*dns;	/* for http host names */
};

/*
 * A run that waits on one socket (tcp, dns): the type's hc->priv begins
 * with it, so that health_sock_close() releases any of them.
 */
struct health_sock_run {
	int		 fd;		/* -1: none yet */
	struct event	*ev;
};

/* Frees the run in hc->priv, its event and socket; nothing if none.
 * Fits ops->free. */
void	health_sock_close(struct health_check *);
/* ops->cancel for such a run: closes it and ends it. */
void	health_sock_cancel(struct health_check *);

extern const struct health_ops	health_http_ops;
extern const struct health_ops	health_dns_ops;
extern const struct health_ops	health_tcp_ops;
extern const struct health_ops	health_exec_ops;
extern const struct health_ops	health_file_ops;
extern const struct health_ops	health_process_ops;

/* Ends the run in progress: it succeeded. */
void	 health_ok(struct health_check *);
/* Ends the run in progress: it failed for the reason given. */
void	 health_fail(struct health_check *, const char *, ...)
	    __printflike(2, 3);
/*
 * A failure seen between runs (a watched process exited): counts as a
 * run result at once, without touching the schedule.
 */
void	 health_fail_now(struct health_check *, const char *, ...)
	    __printflike(2, 3);
/* Keeps the first line of a run's output ("" for none). */
void	 health_set_output(struct health_check *, const char *);
/* The resolver for host names, created on first use; NULL if it fails. */
struct evdns_base *health_dns_base(struct health *);

/* Delay before a run: ms +-10 %, from a uniform random rnd. */
uint64_t health_jitter(uint64_t ms, uint32_t rnd);
/* Delay before the first run: 0..min(interval, 100 ms). */
uint64_t health_first_delay(uint64_t interval_ms, uint32_t rnd);

/*
 * DNS wire format (RFC 1035 4.1), pure for the tests.  health_dns_query()
 * writes a query with RD and EDNS0 into b: 0, or -1 for a bad name or too
 * small a buffer.  health_dns_verdict() judges a response to query: 1 up,
 * 0 down (reason in err), -1 not an answer to it (ignore, keep waiting).
 */
#define HEALTH_DNS_QUERY_MAX	512
struct buf;
int	 health_dns_query(struct buf *b, uint16_t id, const char *qname,
	    uint16_t qtype);
int	 health_dns_verdict(const uint8_t *query, size_t qlen,
	    const uint8_t *resp, size_t rlen, char *err, size_t errlen);

/*
 * Watching a process for its exit, without reaping it.  Through a pidfd
 * (Linux 5.3) the exit is seen at once.  Where pidfd_open(2) is missing
 * (older kernels, seccomp profiles that deny it, valgrind) the watch
 * polls every poll_ms instead: waitid(WNOWAIT) for a child of ours,
 * /proc/PID/stat for any other process.  cb runs once, from the loop.
 * health_pidwatch_new() fails with ESRCH when no such process exists.
 */
struct health_pidwatch;
struct health_pidwatch *health_pidwatch_new(struct health *, pid_t,
	    bool child, unsigned poll_ms, void (*cb)(void *), void *arg);
/* NULL-safe. */
void	 health_pidwatch_free(struct health_pidwatch *);
/* Whether the process has exited (a zombie has); never blocks. */
bool	 health_pidwatch_exited(struct health_pidwatch *);

void	 health_now(struct timespec *);		/* CLOCK_MONOTONIC */
double	 health_elapsed(const struct timespec *from,
	    const struct timespec *to);		/* seconds */

#endif /* ANYCASTD_HEALTH_INT_H */
