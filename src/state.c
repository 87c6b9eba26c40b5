/*
 * The drain state file. One line per drained prefix after a comment
 * header; written to PATH.tmp, fsynced, renamed over PATH and the
 * directory fsynced, so a crash leaves either the old or the new file,
 * never half of one. Knows nothing of the daemon.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "state.h"
#include "util.h"

#define STATE_MAX_LINES	1000000

int
state_load(const char *path, struct bgp_prefix **v, size_t *n, char *err,
    size_t errlen)
{
	FILE *f;
	char line[128], perr[128], *s, *e;
	struct bgp_prefix *out = NULL, p;
	size_t cnt = 0, cap = 0;
	unsigned lineno = 0;

	*v = NULL;
	*n = 0;
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path,
			    lineno);
			goto fail;
		}
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		for (e = s + strlen(s); e > s && strchr(" \t\r\n", e[-1]); e--)
			;
		*e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, "drain ", 6) != 0 ||
		    config_prefix_pton(s + 6, &p, perr, sizeof(perr)) == -1) {
			snprintf(err, errlen, "%s:%u: not a drained prefix: %s",
			    path, lineno, s);
			goto fail;
		}
		if (cnt == cap) {
			if (cap >= STATE_MAX_LINES) {
				snprintf(err, errlen, "%s: too many lines",
				    path);
				goto fail;
			}
			cap = cap ? cap * 2 : 16;
			out = xreallocarray(out, cap, sizeof(*out));
		}
		out[cnt++] = p;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(f);
	*v = out;
	*n = cnt;
	return 0;
fail:
	fclose(f);
	free(out);
	errno = EINVAL;
	return -1;
}

int
state_save(const char *path, const struct bgp_prefix *v, size_t n)
{
	char tmp[4096], dirbuf[4096], pfx[CONFIG_PREFIX_STRLEN];
	FILE *f;
	size_t i;
	int fd, dfd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	fprintf(f, "# anycastd drain state; written by anycastd, "
	    "change it with anycastctl drain/undrain\n");
	for (i = 0; i < n; i++)
		fprintf(f, "drain %s\n", config_prefix_ntop(&v[i], pfx,
		    sizeof(pfx)));
	if (fflush(f) == EOF || fsync(fileno(f)) == -1) {
		saved = errno;
		fclose(f);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (fclose(f) == EOF || rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	/* The rename itself must reach the disk too. */
	strlcpy(dirbuf, path, sizeof(dirbuf));
	if ((dfd = open(dirname(dirbuf), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
