/*
 * A streaming JSON writer for control replies: values are appended to a
 * growing text buffer as they are produced, with a nesting stack that
 * places commas and a sticky error (too deep, unbalanced, out of memory
 * bound) checked once at the end. Never dumps structs.
 */
#ifndef ANYCASTD_JSON_H
#define ANYCASTD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH	16

struct json {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* hard limit on len */
	int	 depth;
	bool	 first[JSON_MAX_DEPTH + 1];	/* no comma needed yet */
	bool	 in_array[JSON_MAX_DEPTH + 1];
	bool	 error;
};

/* max bounds the text (a stuck reader must not grow us without end). */
void	json_init(struct json *, size_t max);
void	json_free(struct json *);
/* Empties the text but keeps the memory, for the next reply. */
void	json_reset(struct json *);

/* key is NULL inside arrays and for the top-level object. */
void	json_object_begin(struct json *, const char *key);
void	json_object_end(struct json *);
void	json_array_begin(struct json *, const char *key);
void	json_array_end(struct json *);
void	json_string(struct json *, const char *key, const char *);
void	json_uint(struct json *, const char *key, uint64_t);
/* v thousandths as an exact decimal: 1780000000123 is 1780000000.123. */
void	json_milli(struct json *, const char *key, uint64_t v);
void	json_int(struct json *, const char *key, int64_t);
void	json_double(struct json *, const char *key, double);
void	json_bool(struct json *, const char *key, bool);
void	json_null(struct json *, const char *key);

/* Ends a top-level value with a newline; -1 if anything went wrong. */
int	json_finish(struct json *);

#endif /* ANYCASTD_JSON_H */
