/*
 * Allocation that cannot fail: each x* function returns memory or ends the
 * process through fatal().  A daemon that runs out of memory cannot keep
 * its promises to peers anyway, and callers stay free of error paths that
 * would never be tested.  Nothing here knows about BGP.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

/*
 * A zero-byte request gets one byte, so callers always receive a unique
 * pointer they can free: malloc(0) may return NULL, which would look like
 * running out of memory.
 */

void *
xmalloc(size_t size)
{
	void *p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		fatal("xmalloc: %zu bytes", size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		fatal("xcalloc: %zu * %zu bytes", nmemb, size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p;

	/* realloc(ptr, 0) may free ptr and return NULL. */
	if ((p = realloc(ptr, size == 0 ? 1 : size)) == NULL)
		fatal("xrealloc: %zu bytes", size);
	return p;
}

/* Like xrealloc(ptr, nmemb * size), but fatal on overflow. */
void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = reallocarray(ptr, nmemb, size)) == NULL)
		fatal("xreallocarray: %zu * %zu bytes", nmemb, size);
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		fatal("xstrdup");
	return p;
}
