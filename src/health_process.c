/*
 * process checks: up while the process named by a pid file lives.  The
 * process is held through a pidfd registered with the event loop, so its
 * exit counts as a failed run the moment it happens, not at the next
 * interval.  Each interval is still a run: the pid file is read again
 * when it changed (device, inode, size or mtime) or the process is gone,
 * and the run succeeds while the file names a live process.
 *
 * A pidfd refers to one process, not to a number, so a pid reused after
 * the exit is never mistaken for the service.  Without pidfds (see
 * health_pidwatch_new) the exit is seen within PROCESS_POLL_MS instead.
 * A pid read from the file may of course already name some other
 * process; the file is the service's word and is taken as it is.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "health_int.h"
#include "log.h"
#include "util.h"

#define PIDFILE_MAX	64	/* more than any pid and a newline */
#define PROCESS_POLL_MS	100	/* for its exit, without pidfds */

struct proc_watch {
	pid_t		 pid;		/* 0: none held */
	struct health_pidwatch *exit;
	struct stat	 sb;		/* the pid file as last read */
	bool		 have_sb;
};

static void
unwatch(struct proc_watch *w)
{
	health_pidwatch_free(w->exit);
	w->exit = NULL;
	w->pid = 0;
}

static void
exited_cb(void *arg)
{
	struct health_check	*hc = arg;
	struct proc_watch	*w = hc->priv;
	pid_t			 pid = w->pid;

	unwatch(w);
	health_fail_now(hc, "process %d exited", (int)pid);
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The pid on the first line of the file: a decimal number. */
static pid_t
read_pid(const char *path, char *err, size_t errlen)
{
	char		 buf[PIDFILE_MAX + 1], *end;
	ssize_t		 n;
	long		 v;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, PIDFILE_MAX);
	if (n == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	close(fd);
	if (n == -1)
		return -1;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	if (end == buf || (*end != '\0' && *end != '\n') || errno != 0 ||
	    v < 1 || v > INT_MAX) {
		snprintf(err, errlen, "%s: no pid in it", path);
		return -1;
	}
	return v;
}

static void
process_start(struct health_check *hc)
{
	const char		*path = hc->st.conf->process.pidfile;
	struct proc_watch	*w = hc->priv;
	struct stat		 sb;
	char			 err[HEALTH_ERROR_MAX];
	pid_t			 pid;
	int			 e;

	if (w == NULL)
		w = hc->priv = xcalloc(1, sizeof(*w));
	if (stat(path, &sb) == -1) {
		e = errno;
		w->have_sb = false;
		unwatch(w);
		health_fail(hc, "%s: %s", path, strerror(e));
		return;
	}
	/* An exit the loop has not delivered yet still counts. */
	if (w->pid != 0 && health_pidwatch_exited(w->exit)) {
		pid = w->pid;
		unwatch(w);
		health_fail(hc, "process %d exited", (int)pid);
		return;
	}
	if (w->pid != 0 && w->have_sb && same_file(&sb, &w->sb)) {
		health_ok(hc);
		return;
	}

	w->sb = sb;
	w->have_sb = true;
	if ((pid = read_pid(path, err, sizeof(err))) == -1) {
		unwatch(w);
		health_fail(hc, "%s", err);
		return;
	}
	if (pid == w->pid) {
		health_ok(hc);		/* rewritten, same process */
		return;
	}
	unwatch(w);
	if ((w->exit = health_pidwatch_new(hc->h, pid, false,
	    PROCESS_POLL_MS, exited_cb, hc)) == NULL) {
		health_fail(hc, "process %d not running", (int)pid);
		return;
	}
	/* A zombie still has its pid, but it is not running. */
	if (health_pidwatch_exited(w->exit)) {
		unwatch(w);
		health_fail(hc, "process %d not running", (int)pid);
		return;
	}
	w->pid = pid;
	health_ok(hc);
}

/* The run always ends inside start; there is nothing to stop. */
static void
process_cancel(struct health_check *hc)
{
	(void)hc;
}

static void
process_free(struct health_check *hc)
{
	struct proc_watch	*w = hc->priv;

	if (w == NULL)
		return;
	unwatch(w);
	free(w);
	hc->priv = NULL;
}

static void
process_print(const struct health_check *hc, char *buf, size_t len)
{
	snprintf(buf, len, "pid file %s", hc->st.conf->process.pidfile);
}

const struct health_ops health_process_ops = {
	.name = "process",
	.start = process_start,
	.cancel = process_cancel,
	.free = process_free,
	.print = process_print,
};
