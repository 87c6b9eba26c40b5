/*
 * file checks: up while a path exists (or, with `absent`, while it does
 * not).  One stat(2) a run; a local file system answers at once, so the
 * run ends inside start.  No inotify: the interval bounds how late a
 * maintenance file is seen, which is what operators expect of it.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "health_int.h"

static void
file_start(struct health_check *hc)
{
	const struct check_conf	*c = hc->st.conf;
	struct stat		 sb;

	if (stat(c->file.path, &sb) == 0) {
		if (c->file.absent)
			health_fail(hc, "%s exists", c->file.path);
		else
			health_ok(hc);
	} else if (errno == ENOENT || errno == ENOTDIR) {
		if (c->file.absent)
			health_ok(hc);
		else
			health_fail(hc, "%s: %s", c->file.path,
			    strerror(errno));
	} else
		health_fail(hc, "stat %s: %s", c->file.path, strerror(errno));
}

/* The run always ends inside start; there is nothing to stop. */
static void
file_cancel(struct health_check *hc)
{
	(void)hc;
}

static void
file_free(struct health_check *hc)
{
	(void)hc;
}

static void
file_print(const struct health_check *hc, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", hc->st.conf->file.path,
	    hc->st.conf->file.absent ? "absent" : "present");
}

const struct health_ops health_file_ops = {
	.name = "file",
	.start = file_start,
	.cancel = file_cancel,
	.free = file_free,
	.print = file_print,
};
