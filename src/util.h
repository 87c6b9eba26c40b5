/*
 * Small shared helpers: allocation that cannot fail, nitems(), and the
 * attributes libbsd does not provide.
 */
#ifndef ANYCASTD_UTIL_H
#define ANYCASTD_UTIL_H

#include <stddef.h>

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#ifndef __printflike
#define __printflike(f, a)	__attribute__((__format__(__printf__, f, a)))
#endif

/* Each calls fatal() when memory runs out. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);

#endif /* ANYCASTD_UTIL_H */
