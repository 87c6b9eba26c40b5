/*
 * anycastctl: checks a command against the shared table (ctl.h) before it
 * connects, sends it as one line on the daemon's control socket and
 * prints the reply, either as the daemon's JSON unchanged (-j) or as
 * tables (ctl_show.c). It owns nothing but its connection; it reports
 * errors with err(3) and its exit status, never with log.c:
 *	0 success, 1 the daemon refused, 2 usage, 3 daemon unreachable.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "anycastd.h"
#include "ctl.h"

#define EXIT_REFUSED	1
#define EXIT_USAGE	2
#define EXIT_UNREACHABLE 3

/* Without a byte from the daemon for this long, give up. */
#define REPLY_TIMEOUT_MS	(60 * 1000)
/* The most of an error reply -j holds to find its message. */
#define ERROR_REPLY_MAX		(64 * 1024)

static const char *sock_path = CTL_DEFAULT_SOCKET;

static _Noreturn void
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "anycastctl: %s\n", why);
	fprintf(stderr, "usage: anycastctl [-jV] [-s socket] command [args]\n"
	    "commands:\n");
	ctl_print_commands(stderr);
	exit(EXIT_USAGE);
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		errx(EXIT_UNREACHABLE, "%s: path too long", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		err(EXIT_UNREACHABLE, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		err(EXIT_UNREACHABLE, "%s", path);
	return fd;
}

/* monitor streams for as long as it runs: no reply timeout then. */
static int reply_timeout_ms = REPLY_TIMEOUT_MS;

/* Up to len bytes from the daemon; 0 at end of file. */
static size_t
read_some(int fd, char *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int rc;

	for (;;) {
		if ((rc = poll(&pfd, 1, reply_timeout_ms)) == -1) {
			if (errno == EINTR)
				continue;
			err(EXIT_UNREACHABLE, "poll");
		}
		if (rc == 0)
			errx(EXIT_UNREACHABLE, "%s: no answer from the daemon "
			    "for %d s", sock_path, REPLY_TIMEOUT_MS / 1000);
		if ((n = read(fd, buf, len)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			err(EXIT_UNREACHABLE, "%s: read", sock_path);
		}
		return (size_t)n;
	}
}

static void
send_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		/* MSG_NOSIGNAL: a daemon that went away is exit 3, not a
		 * SIGPIPE. */
		if ((n = send(fd, p, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			err(EXIT_UNREACHABLE, "%s: send", sock_path);
		}
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Reads the greeting {"anycastd":"VERSION","protocol":1} and checks the
 * protocol. Bytes after its newline are left in rest/restlen.
 */
static void
greeting(int fd, char *rest, size_t *restlen)
{
	char line[CTL_LINE_MAX + 1];
	const char *nl;
	json_error_t e;
	json_t *g, *v;
	size_t len = 0, n;

	for (;;) {
		if (len == sizeof(line) - 1)
			errx(EXIT_UNREACHABLE, "%s: greeting too long; not an "
			    "anycastd control socket?", sock_path);
		n = read_some(fd, line + len, sizeof(line) - 1 - len);
		if (n == 0)
			errx(EXIT_UNREACHABLE, "%s: connection closed by the "
			    "daemon", sock_path);
		len += n;
		if ((nl = memchr(line, '\n', len)) != NULL)
			break;
	}
	n = (size_t)(nl - line) + 1;
	*restlen = len - n;
	memcpy(rest, line + n, *restlen);
	if ((g = json_loadb(line, n, 0, &e)) == NULL)
		errx(EXIT_UNREACHABLE, "%s: not an anycastd control socket",
		    sock_path);
	/* Messages are built before exiting, so nothing is left allocated
	 * (a leak checker would otherwise turn exit 3 into its own). */
	if (json_is_string(v = json_object_get(g, "error")))
		snprintf(line, sizeof(line), "%s: %s", sock_path,
		    json_string_value(v));
	else if (!json_is_integer(v = json_object_get(g, "protocol")) ||
	    json_integer_value(v) != CTL_PROTOCOL)
		snprintf(line, sizeof(line), "%s: the daemon speaks control "
		    "protocol %s%" JSON_INTEGER_FORMAT ", anycastctl %d; use "
		    "the anycastctl of the same release", sock_path,
		    json_is_integer(v) ? "" : "?",
		    json_is_integer(v) ? json_integer_value(v) : 0,
		    CTL_PROTOCOL);
	else
		line[0] = '\0';
	json_decref(g);
	if (line[0] != '\0')
		errx(EXIT_UNREACHABLE, "%s", line);
}

/* The message of an {"error":...} line, on stderr. */
static void
print_error(const char *line, size_t len)
{
	json_error_t e;
	json_t *r, *v;
	char *safe;

	r = json_loadb(line, len, 0, &e);
	v = json_object_get(r, "error");
	safe = ctl_text_dup(json_is_string(v) ? json_string_value(v) :
	    "the daemon refused the command");
	fprintf(stderr, "anycastctl: %s\n", safe);
	free(safe);
	json_decref(r);
}

/*
 * -j: the reply line goes to stdout byte for byte as it arrives, however
 * long it is. An error reply, which starts {"error": since json.c writes
 * members in order, is also held to put its message on stderr.
 */
static int
reply_raw(int fd, const char *pending, size_t npending)
{
	static const char errkey[] = "{\"error\":";
	char buf[65536], *held = NULL;
	const char *nl;
	size_t n, nheld = 0, k;
	bool decided = false, is_error = false;

	for (;;) {
		if (npending > 0) {
			n = npending;
			memcpy(buf, pending, n);
			npending = 0;
		} else if ((n = read_some(fd, buf, sizeof(buf))) == 0)
			errx(EXIT_UNREACHABLE, "%s: connection closed before "
			    "the reply ended", sock_path);
		nl = memchr(buf, '\n', n);
		if (nl != NULL)
			n = (size_t)(nl - buf) + 1;
		fwrite(buf, 1, n, stdout);
		if (!decided || is_error) {
			if (nheld + n > ERROR_REPLY_MAX)
				n = ERROR_REPLY_MAX - nheld;
			if ((held = realloc(held, nheld + n + 1)) == NULL)
				err(EXIT_UNREACHABLE, NULL);
			memcpy(held + nheld, buf, n);
			nheld += n;
			k = nheld < sizeof(errkey) - 1 ? nheld :
			    sizeof(errkey) - 1;
			if (memcmp(held, errkey, k) != 0) {
				decided = true;
				is_error = false;
			} else if (k == sizeof(errkey) - 1) {
				decided = true;
				is_error = true;
			}
		}
		if (nl != NULL)
			break;
	}
	if (is_error)
		print_error(held, nheld);
	free(held);
	return is_error ? EXIT_REFUSED : 0;
}

/* One event as text: "2026-11-28 06:50:01.123 session 192.0.2.1 ...". */
static void
monitor_print(const char *line, size_t len)
{
	json_error_t e;
	json_t *r;
	const char *ev, *why = NULL;
	char stamp[64], text[1024], *safe;
	double t;
	time_t secs;
	struct tm tm;

#define S(k)	(json_is_string(json_object_get(r, k)) ? \
	    json_string_value(json_object_get(r, k)) : "")
	if ((r = json_loadb(line, len, 0, &e)) == NULL || !json_is_object(r)) {
		json_decref(r);
		return;
	}
	t = json_number_value(json_object_get(r, "time"));
	secs = (time_t)t;
	stamp[0] = '\0';
	if (localtime_r(&secs, &tm) != NULL)
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	ev = S("event");
	if (strcmp(ev, "session") == 0) {
		snprintf(text, sizeof(text), "session %s %s -> %s",
		    S("neighbor"), S("from"), S("to"));
		why = S("reason");
	} else if (strcmp(ev, "check") == 0) {
		snprintf(text, sizeof(text), "check %s %s", S("check"),
		    S("state"));
		why = S("last_error");
	} else if (strcmp(ev, "prefix") == 0) {
		snprintf(text, sizeof(text), "prefix %s %s -> %s", S("prefix"),
		    S("from"), S("to"));
		why = S("reason");
	} else if (strcmp(ev, "eor") == 0) {
		snprintf(text, sizeof(text), "end-of-rib %s %s: %.0f prefixes, "
		    "%.3f s after Established", S("neighbor"), S("family"),
		    json_number_value(json_object_get(r, "prefixes")),
		    json_number_value(json_object_get(r, "after")));
	} else if (strcmp(ev, "reload") == 0) {
		snprintf(text, sizeof(text), "reload %s", S("result"));
		why = S("error");
	} else
		snprintf(text, sizeof(text), "%s", ev);
	if (why != NULL && why[0] != '\0') {
		strlcat(text, " (", sizeof(text));
		strlcat(text, why, sizeof(text));
		strlcat(text, ")", sizeof(text));
	}
#undef S
	safe = ctl_text_dup(text);
	printf("%s.%03d %s\n", stamp, (int)((t - (double)secs) * 1000 + 0.5) %
	    1000, safe);
	free(safe);
	json_decref(r);
}

static void
on_interrupt(int sig)
{
	(void)sig;
	_exit(0);	/* every line was flushed as it came */
}

/*
 * monitor: event lines until the daemon goes (exit 0) or we are
 * interrupted (exit 0); -j passes them through unchanged. A first line
 * that is an error is a refusal (exit 1).
 */
static int
reply_monitor(int fd, bool raw, const char *pending, size_t npending)
{
	static char line[ERROR_REPLY_MAX];
	char buf[65536];
	const char *p, *nl;
	size_t n, len = 0, k;
	bool first = true, skipping = false;

	reply_timeout_ms = -1;
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	for (;;) {
		if (npending > 0) {
			n = npending;
			memcpy(buf, pending, n);
			npending = 0;
		} else if ((n = read_some(fd, buf, sizeof(buf))) == 0)
			return 0;
		for (p = buf; p < buf + n; p += k) {
			nl = memchr(p, '\n', (size_t)(buf + n - p));
			k = nl != NULL ? (size_t)(nl - p) + 1 :
			    (size_t)(buf + n - p);
			if (!skipping && len + k <= sizeof(line)) {
				memcpy(line + len, p, k);
				len += k;
			} else
				skipping = true;	/* too long to be ours */
			if (nl == NULL)
				continue;
			if (!skipping) {
				if (first && len >= 9 &&
				    memcmp(line, "{\"error\":", 9) == 0) {
					if (raw)
						fwrite(line, 1, len, stdout);
					print_error(line, len);
					return EXIT_REFUSED;
				}
				if (raw)
					fwrite(line, 1, len, stdout);
				else
					monitor_print(line, len);
				if (fflush(stdout) == EOF)
					err(EXIT_REFUSED, "stdout");
			}
			first = false;
			skipping = false;
			len = 0;
		}
	}
}

/* Text: ctl_show.c reads the reply as it arrives and prints tables. */
static int
reply_text(int fd, const struct ctl_request *req, const char *pending,
    size_t npending)
{
	struct ctl_show *s;
	char buf[65536], why[256];
	size_t n, used;
	int rc, status;

	s = ctl_show_new(req, stdout, stderr);
	rc = npending > 0 ? ctl_show_feed(s, pending, npending, &used, why,
	    sizeof(why)) : 0;
	while (rc == 0) {
		if ((n = read_some(fd, buf, sizeof(buf))) == 0)
			errx(EXIT_UNREACHABLE, "%s: connection closed before "
			    "the reply ended", sock_path);
		rc = ctl_show_feed(s, buf, n, &used, why, sizeof(why));
	}
	if (rc == -1)
		errx(EXIT_UNREACHABLE, "%s: %s", sock_path, why);
	status = ctl_show_end(s);
	ctl_show_free(s);
	return status;
}

int
main(int argc, char *argv[])
{
	struct ctl_request req;
	char line[CTL_LINE_MAX + 2], why[256], rest[CTL_LINE_MAX + 1];
	size_t restlen;
	bool raw = false;
	int ch, fd, status;

	while ((ch = getopt(argc, argv, "hjs:V")) != -1) {
		switch (ch) {
		case 'j':
			raw = true;
			break;
		case 's':
			sock_path = optarg;
			break;
		case 'V':
			printf("anycastctl %s (control protocol %d)\n",
			    ANYCASTD_VERSION, CTL_PROTOCOL);
			return 0;
		case 'h':
		default:
			usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage("missing command");
	/* Usage errors are found here, before anything connects. */
	if (ctl_parse(argc, argv, &req, why, sizeof(why)) == -1)
		usage(why);
	if (ctl_join(argc, argv, line, sizeof(line) - 1) == -1)
		usage("command too long");
	strlcat(line, "\n", sizeof(line));

	fd = ctl_connect(sock_path);
	greeting(fd, rest, &restlen);
	send_all(fd, line, strlen(line));
	if (req.cmd->action == CTL_MONITOR)
		status = reply_monitor(fd, raw, rest, restlen);
	else if (raw)
		status = reply_raw(fd, rest, restlen);
	else
		status = reply_text(fd, &req, rest, restlen);
	close(fd);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EXIT_REFUSED, "stdout");
	return status;
}
