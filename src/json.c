/*
 * Streaming JSON text for the control socket. Owns only its text buffer;
 * knows nothing of daemon state. Strings are escaped per RFC 8259, and
 * bytes that are not valid UTF-8 become U+FFFD so a peer's hostname or
 * shutdown message can never break a reply.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

void
json_init(struct json *j, size_t max)
{
	memset(j, 0, sizeof(*j));
	j->max = max;
	j->first[0] = true;
}

void
json_free(struct json *j)
{
	free(j->data);
	j->data = NULL;
	j->len = j->cap = 0;
}

void
json_reset(struct json *j)
{
	j->len = 0;
	j->depth = 0;
	j->error = false;
	j->first[0] = true;
	j->in_array[0] = false;
}

static void
put(struct json *j, const char *s, size_t n)
{
	size_t ncap;

	if (j->error)
		return;
	if (n > j->max - j->len) {
		j->error = true;
		return;
	}
	if (j->len + n + 1 > j->cap) {
		ncap = j->cap ? j->cap : 256;
		while (ncap < j->len + n + 1)
			ncap *= 2;
		j->data = xrealloc(j->data, ncap);
		j->cap = ncap;
	}
	memcpy(j->data + j->len, s, n);
	j->len += n;
	j->data[j->len] = '\0';
}

static void
puts_(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) ||	/* overlong */
		    (s[0] == 0xed && s[1] >= 0xa0))	/* surrogates */
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) ||
		    (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

static void
put_quoted(struct json *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run;
	char esc[8];
	size_t n;

	put(j, "\"", 1);
	run = s;
	while (*s != '\0') {
		/* Plain bytes and valid UTF-8 are copied in runs. */
		if (*s >= 0x20 && *s != '"' && *s != '\\' && *s != 0x7f) {
			/* utf8_len stops at the NUL: continuation checks
			 * fail on it. */
			if ((n = utf8_len(s)) != 0) {
				s += n;
				continue;
			}
		}
		put(j, (const char *)run, (size_t)(s - run));
		switch (*s) {
		case '"':
			puts_(j, "\\\"");
			break;
		case '\\':
			puts_(j, "\\\\");
			break;
		case '\n':
			puts_(j, "\\n");
			break;
		case '\r':
			puts_(j, "\\r");
			break;
		case '\t':
			puts_(j, "\\t");
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				snprintf(esc, sizeof(esc), "\\u%04x", *s);
				puts_(j, esc);
			} else
				puts_(j, "\\ufffd");	/* not UTF-8 */
			break;
		}
		run = ++s;
	}
	put(j, (const char *)run, (size_t)(s - run));
	put(j, "\"", 1);
}

/* Comma, key and colon before a value at the current level. */
static void
prefix(struct json *j, const char *key)
{
	if (j->first[j->depth])
		j->first[j->depth] = false;
	else
		put(j, ",", 1);
	if (j->depth > 0 && !j->in_array[j->depth]) {
		if (key == NULL) {
			j->error = true;
			return;
		}
		put_quoted(j, key);
		put(j, ":", 1);
	}
}

static void
open_(struct json *j, const char *key, bool array)
{
	prefix(j, key);
	if (j->depth >= JSON_MAX_DEPTH) {
		j->error = true;
		return;
	}
	put(j, array ? "[" : "{", 1);
	j->depth++;
	j->first[j->depth] = true;
	j->in_array[j->depth] = array;
}

static void
close_(struct json *j, bool array)
{
	if (j->depth == 0 || j->in_array[j->depth] != array) {
		j->error = true;
		return;
	}
	j->depth--;
	put(j, array ? "]" : "}", 1);
}

void
json_object_begin(struct json *j, const char *key)
{
	open_(j, key, false);
}

void
json_object_end(struct json *j)
{
	close_(j, false);
}

void
json_array_begin(struct json *j, const char *key)
{
	open_(j, key, true);
}

void
json_array_end(struct json *j)
{
	close_(j, true);
}

void
json_string(struct json *j, const char *key, const char *v)
{
	prefix(j, key);
	put_quoted(j, v != NULL ? v : "");
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{
	char num[32];

	prefix(j, key);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
	puts_(j, num);
}

void
json_milli(struct json *j, const char *key, uint64_t v)
{
	char num[32];

	prefix(j, key);
	snprintf(num, sizeof(num), "%llu.%03u",
	    (unsigned long long)(v / 1000), (unsigned)(v % 1000));
	puts_(j, num);
}

void
json_int(struct json *j, const char *key, int64_t v)
{
	char num[32];

	prefix(j, key);
	snprintf(num, sizeof(num), "%lld", (long long)v);
	puts_(j, num);
}

void
json_double(struct json *j, const char *key, double v)
{
	char num[40];

	prefix(j, key);
	if (!isfinite(v)) {	/* JSON has no NaN or Infinity */
		puts_(j, "null");
		return;
	}
	/* Enough digits for sub-millisecond durations, no exponent noise. */
	snprintf(num, sizeof(num), "%.9g", v);
	if (strchr(num, 'e') != NULL)
		snprintf(num, sizeof(num), "%.9f", v);
	puts_(j, num);
}

void
json_bool(struct json *j, const char *key, bool v)
{
	prefix(j, key);
	puts_(j, v ? "true" : "false");
}

void
json_null(struct json *j, const char *key)
{
	prefix(j, key);
	puts_(j, "null");
}

int
json_finish(struct json *j)
{
	if (j->depth != 0)
		j->error = true;
	put(j, "\n", 1);
	return j->error ? -1 : 0;
}
