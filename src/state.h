/*
 * The drain state file: which prefixes an operator drained, so a drain
 * survives a restart. Written atomically (temp file, fsync, rename).
 */
#ifndef ANYCASTD_STATE_H
#define ANYCASTD_STATE_H

#include <stddef.h>

#include "bgp.h"

/*
 * Reads the drained prefixes. A missing file is an empty list (first
 * start). Returns 0 with *v (free it) and *n, or -1 with errno and a
 * message in err for an unreadable or malformed file.
 */
int	 state_load(const char *path, struct bgp_prefix **v, size_t *n,
	    char *err, size_t errlen);
/* Replaces the file with the given list; -1 with errno on failure, the
 * old file left intact. */
int	 state_save(const char *path, const struct bgp_prefix *v, size_t n);

#endif /* ANYCASTD_STATE_H */
