/*
 * Giving up privileges once the sockets that need them are open: the
 * `user` setting (or -u) of a daemon started as root, and any capability
 * a service manager granted for binding.
 */
#ifndef ANYCASTD_PRIVSEP_H
#define ANYCASTD_PRIVSEP_H

#include <stddef.h>

/*
 * Started as root: becomes user for good (its groups, gid and uid, real,
 * effective and saved), then proves that root cannot be regained and no
 * capability is left.  Started as another user: user must be that user
 * or NULL, and only the capabilities go.  Root with user NULL stays root,
 * with a warning.  Call after the BGP listeners, the control socket and
 * the metrics socket are open and before the first health check runs:
 * exec checks inherit the result.  Returns 0, or -1 with a one-line
 * reason in err.
 */
int	 privsep_drop(const char *user, char *err, size_t errlen);
/*
 * The checks privsep_drop() starts with, without changing anything: call
 * it before the first socket is bound, so a bad `user` fails the start
 * before anything is left behind.  0, or -1 with the reason in err.
 */
int	 privsep_check(const char *user, char *err, size_t errlen);

#endif /* ANYCASTD_PRIVSEP_H */
