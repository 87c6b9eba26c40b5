/*
 * Levelled logging to stderr (the default, for journald) or syslog.
 * Nothing else in src/ prints.
 */
#ifndef ANYCASTD_LOG_H
#define ANYCASTD_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "util.h"

enum log_level {
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* to_syslog selects syslog(3) with the given ident; verbosity counts -v. */
void	log_init(const char *ident, bool to_syslog, int verbosity);
void	log_set_verbosity(int);
int	log_get_verbosity(void);

void	log_warn(const char *, ...) __printflike(1, 2);	/* appends strerror(errno) */
void	log_warnx(const char *, ...) __printflike(1, 2);
void	log_info(const char *, ...) __printflike(1, 2);
void	log_debug(const char *, ...) __printflike(1, 2);
void	vlog(enum log_level, const char *, va_list) __printflike(2, 0);

/* Start-up failures, out of memory and broken invariants only: exit 1. */
_Noreturn void	fatal(const char *, ...) __printflike(1, 2);
_Noreturn void	fatalx(const char *, ...) __printflike(1, 2);

#endif /* ANYCASTD_LOG_H */
