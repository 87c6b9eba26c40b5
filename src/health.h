/*
 * The health-check engine: runs every configured check on the daemon's
 * event_base, counts rise and fall, and tells its owner the moment a
 * check's verdict changes.  Nothing here blocks the loop.
 *
 * Checks start down.  Each runs every interval (+-10 % jitter), the first
 * time within ~100 ms of health_new(); a run never overlaps the previous
 * one of the same check, and one that outlives its timeout is stopped and
 * counts as a failure.
 */
#ifndef ANYCASTD_HEALTH_H
#define ANYCASTD_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "config.h"

#define HEALTH_ERROR_MAX	256	/* bytes of last_error, with NUL */

struct health;

/* One check's runtime state; read-only outside health.c. */
struct check_state {
	const struct check_conf *conf;	/* in the config last given */
	bool		 up;		/* every check starts down */
	unsigned	 successes;	/* consecutive */
	unsigned	 failures;	/* consecutive */
	uint64_t	 runs;		/* results recorded */
	uint64_t	 transitions;	/* changes of up */
	double		 last_duration;	/* of the last run, seconds */
	char		 last_error[HEALTH_ERROR_MAX];	/* "": ok */
	/* exec: first line the program printed in its last run, "" if none. */
	char		 last_output[HEALTH_ERROR_MAX];
	struct timespec	 last_change;	/* CLOCK_MONOTONIC; start if none */
	struct timespec	 last_run;	/* end of the last run; 0: none */
	bool		 running;	/* a run is in progress */
};

/*
 * Called exactly when a check's up changes, synchronously from the event
 * callback that decided it.  It must not free or reload the engine.
 */
typedef void	 health_changed_cb(void *arg, const struct check_state *);

/*
 * Starts every check of conf.  The engine keeps pointers into conf until
 * the next health_reload() or health_free().
 */
struct health	*health_new(struct event_base *, const struct config *conf,
		    health_changed_cb *, void *arg);
/* Stops every run, kills exec children and reaps them; NULL-safe. */
void		 health_free(struct health *);
/*
 * Moves to a new configuration; the old one may be freed on return.  A
 * check whose check_conf_equal() holds keeps its state, schedule and any
 * run in progress; a changed or new one starts over, down, and a changed
 * one that was up is reported through the callback (as down) once the
 * new set is in place.  Removed checks go without a callback.
 */
void		 health_reload(struct health *, const struct config *conf);

/* Checks in configuration order: index i is check_conf index i. */
size_t		 health_count(const struct health *);
const struct check_state *health_state(const struct health *, size_t i);
/* By name; NULL when the running configuration has no such check. */
const struct check_state *health_find(const struct health *,
		    const struct check_conf *);
/* False for an unknown name. */
bool		 health_up(const struct health *, const char *name);
/*
 * For the watchdog: true while every check has finished a run within
 * three of its intervals plus its timeout (counted from its start until
 * the first run ends).  now is CLOCK_MONOTONIC.
 */
bool		 health_progressing(const struct health *,
		    const struct timespec *now);

/*
 * One rise/fall step, pure so tests can drive it: updates st->up,
 * st->successes and st->failures for a run that succeeded (ok) or
 * failed, and returns true when up changed.
 */
bool		 health_step(struct check_state *st, unsigned rise,
		    unsigned fall, bool ok);

#endif /* ANYCASTD_HEALTH_H */
