/*
 * Events worth watching: a session changing state, a check going up or
 * down, a prefix being announced or withdrawn, a reload. Each is logged
 * once as a key=value line (event=session neighbor=192.0.2.1 from=OpenSent
 * to=Idle reason=HoldTimer_Expires) and, as one JSON line built with
 * json.c, handed to every subscriber (control.c's `monitor` clients). It
 * knows nothing of the control socket; a subscriber bounds its own queue.
 */
#ifndef ANYCASTD_MONITOR_H
#define ANYCASTD_MONITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "announce.h"
#include "fsm.h"
#include "health.h"
#include "session.h"

#define MONITOR_SINKS_MAX	64	/* as many as control clients */

/* Gets one JSON object with its newline; may unsubscribe itself. */
typedef void	(*monitor_sink)(void *arg, const char *json_line, size_t len);

/* -1 when MONITOR_SINKS_MAX are subscribed. */
int	 monitor_subscribe(monitor_sink, void *arg);
void	 monitor_unsubscribe(monitor_sink, void *arg);

void	 monitor_session(const struct peer *, enum fsm_state from,
	    enum fsm_state to, const char *reason);
/* The peer's End-of-RIB for a family: its initial table is in, holding
 * prefixes routes, after seconds since Established. */
void	 monitor_eor(const struct peer *, enum bgp_aid, size_t prefixes,
	    double after);
void	 monitor_check(const struct check_state *);
void	 monitor_prefix(const struct prefix_state *, enum announce_state from);
/* error is NULL or "" when ok. */
void	 monitor_reload(bool ok, const char *error);

/* The key=value form of one value, for tests: quoted when it holds a
 * blank, a quote, a backslash or '=', control characters as '?'. */
void	 monitor_kv(char *buf, size_t len, const char *key, const char *val);

#endif /* ANYCASTD_MONITOR_H */
