/*
 * The control socket: a UNIX stream socket on which each request is one
 * line of the command words anycastctl takes, and each reply is JSON
 * objects, one per line. It acts on the daemon only through the public
 * functions of session.c, announce.c and rib_in.c.
 */
#ifndef ANYCASTD_CONTROL_H
#define ANYCASTD_CONTROL_H

#include "anycastd.h"

#define CONTROL_PROTOCOL	1

/* Opens d->control_path; -1 (logged) on failure. */
int	 control_open(struct daemon *);
/* Closes the socket and every client; safe to call twice. */
void	 control_close(struct daemon *);

#endif /* ANYCASTD_CONTROL_H */
