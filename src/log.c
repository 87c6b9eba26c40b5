/*
 * Logging: the one place that writes diagnostics.  Lines go to stderr by
 * default, bare, because journald stamps time and unit itself; with
 * "log syslog" they go to syslog(3) under LOG_DAEMON.  Until log_init() runs
 * everything goes to stderr, so start-up errors are never lost.
 *
 * Every function here keeps errno as the caller left it, so code can log
 * and then return -1 with errno still meaningful.  Control characters in a
 * message become '?', so text from a peer (a shutdown communication, a
 * hostname) can never forge a second log line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static bool	 log_to_syslog;
static int	 log_verbosity;
/* openlog() keeps the pointer it is given, so the ident must outlive it. */
static char	 log_ident[64] = "anycastd";

static void	 logit(int, const char *, const char *, const char *, va_list)
		    __printflike(4, 0);

void
log_init(const char *ident, bool to_syslog, int verbosity)
{
	int saved_errno = errno;

	if (log_to_syslog)
		closelog();
	if (ident != NULL)
		strlcpy(log_ident, ident, sizeof(log_ident));
	log_to_syslog = to_syslog;
	log_verbosity = verbosity;
	if (log_to_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	errno = saved_errno;
}

void
log_set_verbosity(int verbosity)
{
	log_verbosity = verbosity;
}

int
log_get_verbosity(void)
{
	return log_verbosity;
}

/*
 * Formats the message once and writes it as a single line: prefix (may be
 * empty), the message, and ": errstr" when errstr is not NULL.
 */
static void
logit(int pri, const char *prefix, const char *errstr, const char *fmt,
    va_list ap)
{
	char		 fallback[512];
	char		*msg = NULL, *text, *c;
	const char	*sep;
	va_list		 ap2;

	va_copy(ap2, ap);
	if (vasprintf(&msg, fmt, ap) == -1) {
		/* Out of memory: a truncated line beats none. */
		msg = NULL;
		fallback[0] = '\0';
		vsnprintf(fallback, sizeof(fallback), fmt, ap2);
	}
	va_end(ap2);
	text = msg != NULL ? msg : fallback;
	for (c = text; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	sep = errstr != NULL ? ": " : "";
	if (errstr == NULL)
		errstr = "";

	if (log_to_syslog)
		syslog(pri, "%s%s%s%s", prefix, text, sep, errstr);
	else
		fprintf(stderr, "%s%s%s%s\n", prefix, text, sep, errstr);
	free(msg);
}

void
vlog(enum log_level level, const char *fmt, va_list ap)
{
	int saved_errno = errno;

	switch (level) {
	case LOG_LEVEL_WARN:
		logit(LOG_WARNING, "", NULL, fmt, ap);
		break;
	case LOG_LEVEL_INFO:
		logit(LOG_INFO, "", NULL, fmt, ap);
		break;
	case LOG_LEVEL_DEBUG:
		if (log_verbosity >= 1)
			logit(LOG_DEBUG, "", NULL, fmt, ap);
		break;
	}
	errno = saved_errno;
}

/* Appends strerror(errno) as it was when called. */
void
log_warn(const char *fmt, ...)
{
	int	saved_errno = errno;
	va_list	ap;

	va_start(ap, fmt);
	logit(LOG_WARNING, "", strerror(saved_errno), fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_WARN, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

/* Logs "fatal: message: strerror(errno)" (no strerror when errno is 0). */
void
fatal(const char *fmt, ...)
{
	int	saved_errno = errno;
	va_list	ap;

	va_start(ap, fmt);
	logit(LOG_CRIT, "fatal: ", saved_errno ? strerror(saved_errno) : NULL,
	    fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	logit(LOG_CRIT, "fatal: ", NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
