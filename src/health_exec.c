/*
 * exec checks: run a program, up when it exits 0.  The program runs
 * without a shell, with a clean environment (PATH only), stdin from
 * /dev/null and stdout and stderr into a socketpair, in a process group
 * of its own so a timeout can stop it with everything it started.  The
 * first line it prints becomes last_output, and last_error on failure.
 *
 * A run ends only when the program has exited and its output has
 * reached EOF (a grandchild holding the socket keeps the run going).
 * The child is watched through a pidfd rather than SIGCHLD (polled with
 * waitid(WNOWAIT) where there is no pidfd), so no signal handler is
 * needed and no one else's children are touched; it is reaped only when
 * the run ends, so its pid (the group id) cannot be reused while the
 * group may still be signalled.  On timeout the group
 * gets SIGTERM, SIGKILL EXEC_KILL_GRACE_MS later, and if some process
 * outside the group still holds the output EXEC_EOF_GRACE_MS after that,
 * the run stops waiting for its EOF.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "health_int.h"
#include "log.h"
#include "util.h"

#define EXEC_PATH		"PATH=/usr/sbin:/usr/bin:/sbin:/bin"
#define EXEC_KILL_GRACE_MS	100	/* SIGTERM to SIGKILL */
#define EXEC_EOF_GRACE_MS	1000	/* SIGKILL to giving up on EOF */
#define EXEC_READ_MAX		4096
#define EXEC_READS_PER_EVENT	16	/* a chatty child cannot hog us */
#define EXEC_POLL_MS		10	/* for its exit, without pidfds */

struct exec_run {
	pid_t		 pid;		/* also the process group */
	int		 fd;		/* our end of the socketpair */
	struct event	*ev_out;
	struct health_pidwatch *exit;
	struct event	*t_kill;
	bool		 exited;	/* a zombie, reaped at the end */
	bool		 cancelled;
	bool		 killed;	/* SIGKILL sent */
	char		 line[HEALTH_ERROR_MAX];	/* of output */
	size_t		 linelen;
	bool		 line_done;	/* its newline was seen */
};

static void	 exec_finish(struct health_check *);

/* Releases everything but the process. */
static void
run_free(struct health_check *hc)
{
	struct exec_run	*r = hc->priv;

	if (r == NULL)
		return;
	if (r->ev_out != NULL)
		event_free(r->ev_out);
	health_pidwatch_free(r->exit);
	if (r->t_kill != NULL)
		event_free(r->t_kill);
	if (r->fd != -1)
		close(r->fd);
	free(r);
	hc->priv = NULL;
}

static void
stop_output(struct exec_run *r)
{
	if (r->ev_out != NULL)
		event_free(r->ev_out);
	r->ev_out = NULL;
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
}

static void
keep_line(struct exec_run *r, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n && !r->line_done; i++) {
		if (p[i] == '\n')
			r->line_done = true;
		else if (r->linelen < sizeof(r->line) - 1)
			r->line[r->linelen++] = p[i];
	}
}

static void
output_cb(evutil_socket_t fd, short what, void *arg)
{
	struct health_check	*hc = arg;
	struct exec_run		*r = hc->priv;
	char			 buf[EXEC_READ_MAX];
	ssize_t			 n;
	int			 i;

	(void)what;
	for (i = 0; i < EXEC_READS_PER_EVENT; i++) {
		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			n = 0;		/* as good as EOF */
		}
		if (n == 0) {
			stop_output(r);
			if (r->exited)
				exec_finish(hc);
			return;
		}
		keep_line(r, buf, n);
	}
}

static void
exit_cb(void *arg)
{
	struct health_check	*hc = arg;
	struct exec_run		*r = hc->priv;

	r->exited = true;
	if (r->fd == -1)
		exec_finish(hc);
}

/* After SIGTERM: SIGKILL; after SIGKILL: stop waiting for EOF. */
static void
kill_cb(evutil_socket_t fd, short what, void *arg)
{
	struct health_check	*hc = arg;
	struct exec_run		*r = hc->priv;
	struct timeval		 tv = { EXEC_EOF_GRACE_MS / 1000,
				    (EXEC_EOF_GRACE_MS % 1000) * 1000 };

	(void)fd;
	(void)what;
	if (!r->killed) {
		r->killed = true;
		kill(-r->pid, SIGKILL);
		evtimer_add(r->t_kill, &tv);
		return;
	}
	if (r->fd != -1) {
		log_warnx("check %s: output still open after SIGKILL, "
		    "closing it", hc->st.conf->name);
		stop_output(r);
		if (r->exited)
			exec_finish(hc);
	}
}

/* The program exited and its output is closed: reap it, end the run. */
static void
exec_finish(struct health_check *hc)
{
	struct exec_run	*r = hc->priv;
	pid_t		 pid;
	int		 status, e;
	bool		 cancelled = r->cancelled;

	/* A zombie by now: this does not wait. */
	pid = waitpid(r->pid, &status, WNOHANG);
	e = errno;
	if (pid == 0)
		fatalx("check %s: child %d exited but cannot be reaped",
		    hc->st.conf->name, (int)r->pid);
	if (r->linelen > 0 && r->line[r->linelen - 1] == '\r')
		r->linelen--;
	r->line[r->linelen] = '\0';
	health_set_output(hc, r->line);
	if (pid == -1) {
		/* SIGCHLD ignored elsewhere: the kernel reaped it for us. */
		run_free(hc);
		health_fail(hc, "exit status unknown: %s", strerror(e));
		return;
	}
	run_free(hc);
	if (cancelled)
		health_fail(hc, "killed after timeout");
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		health_ok(hc);
	else if (hc->st.last_output[0] != '\0')
		health_fail(hc, "%s", hc->st.last_output);
	else if (WIFEXITED(status))
		health_fail(hc, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		health_fail(hc, "killed by signal %d", WTERMSIG(status));
	else
		health_fail(hc, "wait status %#x", status);
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static _Noreturn void
child(char *const argv[], int devnull, int out)
{
	static char *const	 env[] = { EXEC_PATH, NULL };
	struct sigaction	 sa;
	sigset_t		 none;
	const char		*e;
	int			 sig;

	/* The daemon's handlers mean nothing here; start from defaults. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	(void)setpgid(0, 0);
	if (dup2(devnull, STDIN_FILENO) == -1 ||
	    dup2(out, STDOUT_FILENO) == -1 ||
	    dup2(out, STDERR_FILENO) == -1)
		_exit(126);
	closefrom(STDERR_FILENO + 1);
	/* Nothing the daemon blocks stays blocked: SIGTERM must work. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(argv[0], argv, env);
	e = strerror(errno);
	(void)!write(STDERR_FILENO, "execve ", 7);
	(void)!write(STDERR_FILENO, argv[0], strlen(argv[0]));
	(void)!write(STDERR_FILENO, ": ", 2);
	(void)!write(STDERR_FILENO, e, strlen(e));
	(void)!write(STDERR_FILENO, "\n", 1);
	_exit(127);
}

static void
exec_start(struct health_check *hc)
{
	const struct check_conf	*c = hc->st.conf;
	struct exec_run		*r;
	sigset_t		 all, old;
	int			 sv[2], devnull, e;
	pid_t			 pid;

	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		health_fail(hc, "/dev/null: %s", strerror(errno));
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		e = errno;
		close(devnull);
		health_fail(hc, "socketpair: %s", strerror(e));
		return;
	}
	/* Blocked, no signal reaches the child before it resets handlers. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = fork()) == 0)
		child(c->exec.argv, devnull, sv[1]);
	e = errno;
	/* Also here, so kill(-pid) works even before the child ran. */
	if (pid != -1)
		(void)setpgid(pid, pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(devnull);
	close(sv[1]);
	if (pid == -1) {
		close(sv[0]);
		health_fail(hc, "fork: %s", strerror(e));
		return;
	}

	r = xcalloc(1, sizeof(*r));
	hc->priv = r;
	r->pid = pid;
	r->fd = sv[0];
	/* Not reaped yet, so it exists: this cannot fail with ESRCH. */
	if ((r->exit = health_pidwatch_new(hc->h, pid, true,
	    EXEC_POLL_MS, exit_cb, hc)) == NULL)
		fatal("check %s: watching child %d", c->name, (int)pid);
	if (fcntl(r->fd, F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl");
	if ((r->ev_out = event_new(hc->h->base, r->fd, EV_READ | EV_PERSIST,
	    output_cb, hc)) == NULL ||
	    (r->t_kill = evtimer_new(hc->h->base, kill_cb, hc)) == NULL ||
	    event_add(r->ev_out, NULL) == -1)
		fatalx("event_new failed");
}

static void
exec_cancel(struct health_check *hc)
{
	struct exec_run	*r = hc->priv;
	struct timeval	 tv = { 0, EXEC_KILL_GRACE_MS * 1000 };

	if (r == NULL) {
		health_fail(hc, "cancelled");	/* nothing was running */
		return;
	}
	if (r->cancelled)
		return;
	r->cancelled = true;
	/* Not reaped yet, so the group id is still ours. */
	kill(-r->pid, SIGTERM);
	evtimer_add(r->t_kill, &tv);
}

/* Teardown: no grace; the child is gone before this returns. */
static void
exec_free(struct health_check *hc)
{
	struct exec_run	*r = hc->priv;

	if (r == NULL)
		return;
	kill(-r->pid, SIGKILL);
	while (waitpid(r->pid, NULL, 0) == -1 && errno == EINTR)
		;
	run_free(hc);
}

static void
exec_print(const struct health_check *hc, char *buf, size_t len)
{
	const struct check_conf	*c = hc->st.conf;
	size_t			 i, n;

	buf[0] = '\0';
	for (i = 0; i < c->exec.argc; i++) {
		n = strlen(buf);
		if (n >= len)
			break;
		snprintf(buf + n, len - n, "%s\"%s\"", i > 0 ? " " : "",
		    c->exec.argv[i]);
	}
}

const struct health_ops health_exec_ops = {
	.name = "exec",
	.start = exec_start,
	.cancel = exec_cancel,
	.free = exec_free,
	.print = exec_print,
};
