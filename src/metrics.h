/*
 * The Prometheus endpoint: GET /metrics on the configured `metrics`
 * address, in the text exposition format 0.0.4.  It reads the daemon
 * through the same public functions as control.c and changes nothing.
 */
#ifndef ANYCASTD_METRICS_H
#define ANYCASTD_METRICS_H

#include <time.h>

#include <event2/buffer.h>

#include "anycastd.h"

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/*
 * Starts serving when d->conf asks for metrics; 0 when it does not.
 * -1 (logged) when the address cannot be bound.
 */
int	 metrics_open(struct daemon *);
/* Stops serving and drops every scrape in progress; safe to call twice. */
void	 metrics_close(struct daemon *);
/*
 * After d->conf was replaced: rebinds when the metrics address or port
 * changed, stops or starts when `metrics` went or came.  A failure is
 * logged and leaves the endpoint closed; the daemon runs on.
 */
void	 metrics_reload(struct daemon *);

/*
 * Appends every metric of d to out; now (CLOCK_MONOTONIC) dates the
 * uptimes.  Pure apart from reading d, so a test can render a daemon it
 * built by hand (d->health may be NULL).
 */
void	 metrics_render(struct evbuffer *out, const struct daemon *d,
	    const struct timespec *now);

#endif /* ANYCASTD_METRICS_H */
