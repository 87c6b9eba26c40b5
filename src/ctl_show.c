/*
 * anycastctl's text output: turns one reply line from the daemon into
 * aligned tables or a detail view. It owns only its parse buffer and the
 * table being printed; it never talks to the socket, and it never builds
 * the whole reply in memory. The reply's top-level object is read member
 * by member, and the elements of an array member one at a time, each
 * parsed alone with jansson, so `show rib` with a million routes costs
 * one route's tree at a time plus the rows of one table batch.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "util.h"

/* Bytes of a single member or array element we are willing to hold. */
#define SHOW_VALUE_MAX	(16 * 1024 * 1024)

enum show_state {
	SHOW_START,		/* before '{' */
	SHOW_MEMBER,		/* '}' or the next member */
	SHOW_KEY,		/* a member's name */
	SHOW_COLON,
	SHOW_VALUE,
	SHOW_ELEM,		/* ']' or the next element */
	SHOW_ELEM_VALUE,
	SHOW_END,		/* the newline after '}' */
	SHOW_DONE,
};

struct ctl_show {
	enum ctl_action	 action;
	FILE		*out;
	FILE		*err;
	/* The reply as read so far; off is where parsing stands. */
	char		*buf;
	size_t		 len;
	size_t		 off;
	size_t		 cap;
	enum show_state	 st;
	bool		 first;		/* no member or element yet */
	char		*key;		/* the member being read */
	/* What the reply said. */
	int		 status;
	char		*message;
	bool		 table_open;
	struct ctl_table table;
};

static const struct ctl_column neighbor_cols[] = {
	{ "Neighbor", false }, { "AS", false }, { "State", false },
	{ "Uptime", true }, { "Hold", true }, { "Sent", true },
	{ "Rcvd", true }, { "Last error", false },
};
static const struct ctl_column prefix_cols[] = {
	{ "Prefix", false }, { "State", false }, { "Drained", false },
	{ "Since", true }, { "Requires", false }, { "Reason", false },
};
static const struct ctl_column route_cols[] = {
	{ "Prefix", false }, { "Neighbor", false }, { "Next hop", false },
	{ "AS path", false }, { "Communities", false },
};
static const struct ctl_column check_cols[] = {
	{ "Check", false }, { "Type", false }, { "State", false },
	{ "Successes", true }, { "Failures", true }, { "Duration", true },
	{ "Last error", false },
};

/* A printer for the reply to req; see ctl.h. */
struct ctl_show *
ctl_show_new(const struct ctl_request *req, FILE *out, FILE *err)
{
	struct ctl_show *s;

	s = xcalloc(1, sizeof(*s));
	s->action = req->cmd->action;
	s->out = out;
	s->err = err;
	s->st = SHOW_START;
	return s;
}

/* Frees s and anything it still holds; NULL is fine. */
void
ctl_show_free(struct ctl_show *s)
{
	if (s == NULL)
		return;
	if (s->table_open)
		ctl_table_end(&s->table);
	free(s->buf);
	free(s->key);
	free(s->message);
	free(s);
}

/* ------------------------------------------------------------------ */
/* Reading values out of jansson objects                                */

static const char *
jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

static double
jnum(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static bool
jbool(const json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

/* An integer field as text; "" when absent. */
static const char *
jint(const json_t *o, const char *k, char *buf, size_t len)
{
	const json_t *v = json_object_get(o, k);

	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.0f", json_real_value(v));
	else
		buf[0] = '\0';
	return buf;
}

/* The strings of an array field joined by sep, appended to buf. */
static void
jjoin(const json_t *o, const char *k, const char *sep, char *buf,
    size_t len)
{
	const json_t *v = json_object_get(o, k), *e;
	size_t i;

	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			continue;
		if (buf[0] != '\0')
			strlcat(buf, sep, len);
		strlcat(buf, json_string_value(e), len);
	}
}

/* "65000 65001 {64512,64513}": an AS_SET is a nested array. */
static void
fmt_aspath(const json_t *path, char *buf, size_t len)
{
	const json_t *e, *m;
	char num[24];
	size_t i, k;

	buf[0] = '\0';
	json_array_foreach(path, i, e) {
		if (i > 0)
			strlcat(buf, " ", len);
		if (json_is_integer(e)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(e));
			strlcat(buf, num, len);
			continue;
		}
		strlcat(buf, "{", len);
		json_array_foreach(e, k, m) {
			snprintf(num, sizeof(num), "%s%" JSON_INTEGER_FORMAT,
			    k > 0 ? "," : "", json_integer_value(m));
			strlcat(buf, num, len);
		}
		strlcat(buf, "}", len);
	}
}

/* 0.0012 s as "1.2ms": check durations are short. */
static const char *
fmt_seconds(double secs, char *buf, size_t len)
{
	if (secs < 1)
		snprintf(buf, len, "%.1fms", secs * 1000);
	else
		snprintf(buf, len, "%.2fs", secs);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Rows                                                                 */

static void
neighbor_row(struct ctl_show *s, const json_t *o)
{
	char as[24], hold[24], sent[24], rcvd[24], up[32], state[48];
	const char *row[nitems(neighbor_cols)];

	snprintf(state, sizeof(state), "%s%s", jstr(o, "state"),
	    jbool(o, "admin_down") ? " (admin)" : "");
	if (strcmp(jstr(o, "state"), "Established") == 0)
		ctl_fmt_duration(jnum(o, "uptime"), up, sizeof(up));
	else
		strlcpy(up, "-", sizeof(up));
	row[0] = jstr(o, "address");
	row[1] = jint(o, "remote_as", as, sizeof(as));
	row[2] = state;
	row[3] = up;
	row[4] = jint(o, "hold_time", hold, sizeof(hold));
	row[5] = jint(o, "prefixes_sent", sent, sizeof(sent));
	row[6] = jint(o, "prefixes_received", rcvd, sizeof(rcvd));
	row[7] = jstr(o, "last_error");
	ctl_table_add(&s->table, row);
}

static void
detail(struct ctl_show *s, const char *label, const char *fmt, ...)
    __printflike(3, 4);

/* One "  Label:  value" line of show neighbor, made safe to print. */
static void
detail(struct ctl_show *s, const char *label, const char *fmt, ...)
{
	char buf[1024], *safe;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	safe = ctl_text_dup(buf);
	fprintf(s->out, "  %-15s %s\n", label, safe);
	free(safe);
}

static void
neighbor_detail(struct ctl_show *s, const json_t *o)
{
	char a[24], b[24], c[24], d[24], t[32], fam[128], neg[128], caps[128];
	char *head;
	bool up = strcmp(jstr(o, "state"), "Established") == 0;

	fam[0] = neg[0] = caps[0] = '\0';
	jjoin(o, "families", ", ", fam, sizeof(fam));
	jjoin(o, "families_negotiated", ", ", neg, sizeof(neg));
	jjoin(o, "capabilities", " ", caps, sizeof(caps));

	if (asprintf(&head, "Neighbor %s%s%s%s, remote AS %s, local AS %s",
	    jstr(o, "address"), jstr(o, "description")[0] ? " (" : "",
	    jstr(o, "description"), jstr(o, "description")[0] ? ")" : "",
	    jint(o, "remote_as", a, sizeof(a)),
	    jint(o, "local_as", b, sizeof(b))) == -1)
		head = NULL;
	if (head != NULL) {
		char *safe = ctl_text_dup(head);

		fprintf(s->out, "%s\n", safe);
		free(safe);
		free(head);
	}
	detail(s, "State:", "%s for %s%s%s", jstr(o, "state"),
	    ctl_fmt_duration(jnum(o, "since"), t, sizeof(t)),
	    jbool(o, "admin_down") ? ", administratively down" : "",
	    jbool(o, "passive") ? ", passive" : "");
	if (up)
		detail(s, "Uptime:", "%s",
		    ctl_fmt_duration(jnum(o, "uptime"), t, sizeof(t)));
	detail(s, "Hold time:", "%s s, keepalive %s s",
	    jint(o, "hold_time", a, sizeof(a)),
	    jint(o, "keepalive", b, sizeof(b)));
	if (jstr(o, "remote_id")[0] != '\0')
		detail(s, "Remote ID:", "%s", jstr(o, "remote_id"));
	if (jstr(o, "hostname")[0] != '\0')
		detail(s, "Hostname:", "%s", jstr(o, "hostname"));
	detail(s, "Families:", "%s%s%s%s", fam, neg[0] ? " (negotiated: " : "",
	    neg, neg[0] ? ")" : "");
	if (caps[0] != '\0')
		detail(s, "Capabilities:", "%s", caps);
	detail(s, "Prefixes:", "%s sent, %s received",
	    jint(o, "prefixes_sent", a, sizeof(a)),
	    jint(o, "prefixes_received", b, sizeof(b)));
	detail(s, "Messages:", "%s in (%s UPDATE), %s out (%s UPDATE)",
	    jint(o, "messages_in", a, sizeof(a)),
	    jint(o, "updates_in", b, sizeof(b)),
	    jint(o, "messages_out", c, sizeof(c)),
	    jint(o, "updates_out", d, sizeof(d)));
	detail(s, "Sessions:", "established %s times, connect retries %s",
	    jint(o, "established_count", a, sizeof(a)),
	    jint(o, "connect_retry_counter", b, sizeof(b)));
	if (jstr(o, "last_error")[0] != '\0')
		detail(s, "Last error:", "%s", jstr(o, "last_error"));
}

static void
prefix_row(struct ctl_show *s, const json_t *o)
{
	char since[32];
	const char *row[nitems(prefix_cols)];

	row[0] = jstr(o, "prefix");
	row[1] = jstr(o, "state");
	row[2] = jbool(o, "drained") ? "yes" : "no";
	row[3] = ctl_fmt_duration(jnum(o, "since"), since, sizeof(since));
	row[4] = jstr(o, "requires");
	row[5] = jstr(o, "reason");
	ctl_table_add(&s->table, row);
}

static void
route_row(struct ctl_show *s, const json_t *o)
{
	char path[1024], comms[1024];
	const char *row[nitems(route_cols)];

	fmt_aspath(json_object_get(o, "as_path"), path, sizeof(path));
	comms[0] = '\0';
	jjoin(o, "communities", " ", comms, sizeof(comms));
	jjoin(o, "large_communities", " ", comms, sizeof(comms));
	row[0] = jstr(o, "prefix");
	row[1] = jstr(o, "neighbor");
	row[2] = jstr(o, "next_hop");
	row[3] = path;
	row[4] = comms;
	ctl_table_add(&s->table, row);
}

static void
check_row(struct ctl_show *s, const json_t *o)
{
	char ok[24], bad[24], dur[32];
	const char *row[nitems(check_cols)];

	row[0] = jstr(o, "name");
	row[1] = jstr(o, "type");
	row[2] = jstr(o, "state");
	row[3] = jint(o, "successes", ok, sizeof(ok));
	row[4] = jint(o, "failures", bad, sizeof(bad));
	row[5] = fmt_seconds(jnum(o, "last_duration"), dur, sizeof(dur));
	row[6] = jstr(o, "last_error");
	ctl_table_add(&s->table, row);
}

/* ------------------------------------------------------------------ */
/* What the members of a reply mean                                     */

static void
on_member(struct ctl_show *s, const char *key, const json_t *v)
{
	char *safe;

	if (strcmp(key, "error") == 0) {
		safe = ctl_text_dup(json_is_string(v) ? json_string_value(v) :
		    "the daemon refused the command");
		fprintf(s->err, "anycastctl: %s\n", safe);
		free(safe);
		s->status = 1;
	} else if (strcmp(key, "message") == 0 && json_is_string(v)) {
		free(s->message);
		s->message = ctl_text_dup(json_string_value(v));
	}
}

static void
on_array_begin(struct ctl_show *s, const char *key)
{
	const struct ctl_column *cols = NULL;
	size_t n = 0;

	if (s->table_open)
		return;
	if (strcmp(key, "neighbors") == 0 &&
	    s->action == CTL_SHOW_NEIGHBORS) {
		cols = neighbor_cols;
		n = nitems(neighbor_cols);
	} else if (strcmp(key, "prefixes") == 0) {
		cols = prefix_cols;
		n = nitems(prefix_cols);
	} else if (strcmp(key, "routes") == 0) {
		cols = route_cols;
		n = nitems(route_cols);
	} else if (strcmp(key, "checks") == 0) {
		cols = check_cols;
		n = nitems(check_cols);
	}
	if (cols != NULL) {
		ctl_table_init(&s->table, s->out, cols, n);
		s->table_open = true;
	}
}

static void
on_element(struct ctl_show *s, const char *key, const json_t *o)
{
	if (!json_is_object(o))
		return;
	if (strcmp(key, "neighbors") == 0) {
		if (s->table_open)
			neighbor_row(s, o);
		else
			neighbor_detail(s, o);
	} else if (!s->table_open)
		return;
	else if (strcmp(key, "prefixes") == 0)
		prefix_row(s, o);
	else if (strcmp(key, "routes") == 0)
		route_row(s, o);
	else if (strcmp(key, "checks") == 0)
		check_row(s, o);
}

static void
on_array_end(struct ctl_show *s)
{
	if (s->table_open) {
		ctl_table_end(&s->table);
		s->table_open = false;
	}
}

/* ------------------------------------------------------------------ */
/* The streaming reader                                                 */

/*
 * Where the JSON value at p[0..len) ends: 1 with *end set, 0 if more bytes
 * are needed, -1 if it is not JSON. Only nesting and strings are tracked;
 * jansson checks the rest when the value is parsed.
 */
static int
value_end(const char *p, size_t len, size_t *end)
{
	size_t i, depth = 0;
	bool str = false;

	if (len == 0)
		return 0;
	if (p[0] != '{' && p[0] != '[' && p[0] != '"') {
		for (i = 0; i < len; i++)
			if (strchr(",]} \t\r\n", p[i]) != NULL) {
				*end = i;
				return i > 0 ? 1 : -1;
			}
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (str) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"') {
				str = false;
				if (depth == 0) {
					*end = i + 1;
					return 1;
				}
			}
			continue;
		}
		switch (p[i]) {
		case '"':
			str = true;
			break;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (depth == 0)
				return -1;
			if (--depth == 0) {
				*end = i + 1;
				return 1;
			}
			break;
		case '\n':
			return -1;	/* replies are one line */
		default:
			break;
		}
	}
	return 0;
}

static json_t *
parse_value(const char *p, size_t n, char *errbuf, size_t errlen)
{
	json_error_t e;
	json_t *v;

	if ((v = json_loadb(p, n, JSON_DECODE_ANY, &e)) == NULL)
		snprintf(errbuf, errlen, "malformed reply: %s", e.text);
	return v;
}

/* Skips blanks; false if the buffer ran out. */
static bool
skip_ws(struct ctl_show *s)
{
	while (s->off < s->len && (s->buf[s->off] == ' ' ||
	    s->buf[s->off] == '\t' || s->buf[s->off] == '\r'))
		s->off++;
	return s->off < s->len;
}

/* One step of the reader: 1 progressed, 0 needs more, -1 malformed. */
static int
step(struct ctl_show *s, char *errbuf, size_t errlen)
{
	const char *p;
	json_t *v;
	size_t end;
	int rc;

	if (!skip_ws(s))
		return 0;
	p = s->buf + s->off;
	switch (s->st) {
	case SHOW_START:
		if (*p != '{')
			goto bad;
		s->off++;
		s->first = true;
		s->st = SHOW_MEMBER;
		return 1;
	case SHOW_MEMBER:
		if (*p == '}') {
			s->off++;
			s->st = SHOW_END;
		} else if (s->first)
			s->st = SHOW_KEY;
		else if (*p == ',') {
			s->off++;
			s->st = SHOW_KEY;
		} else
			goto bad;
		return 1;
	case SHOW_KEY:
		if (*p != '"')
			goto bad;
		if ((rc = value_end(p, s->len - s->off, &end)) <= 0)
			goto more;
		if ((v = parse_value(p, end, errbuf, errlen)) == NULL)
			return -1;
		free(s->key);
		s->key = xstrdup(json_string_value(v));
		json_decref(v);
		s->off += end;
		s->first = false;
		s->st = SHOW_COLON;
		return 1;
	case SHOW_COLON:
		if (*p != ':')
			goto bad;
		s->off++;
		s->st = SHOW_VALUE;
		return 1;
	case SHOW_VALUE:
		if (*p == '[') {
			s->off++;
			on_array_begin(s, s->key);
			s->first = true;
			s->st = SHOW_ELEM;
			return 1;
		}
		if ((rc = value_end(p, s->len - s->off, &end)) <= 0)
			goto more;
		if ((v = parse_value(p, end, errbuf, errlen)) == NULL)
			return -1;
		on_member(s, s->key, v);
		json_decref(v);
		s->off += end;
		s->first = false;
		s->st = SHOW_MEMBER;
		return 1;
	case SHOW_ELEM:
		if (*p == ']') {
			s->off++;
			on_array_end(s);
			s->first = false;
			s->st = SHOW_MEMBER;
		} else if (s->first)
			s->st = SHOW_ELEM_VALUE;
		else if (*p == ',') {
			s->off++;
			s->st = SHOW_ELEM_VALUE;
		} else
			goto bad;
		return 1;
	case SHOW_ELEM_VALUE:
		if ((rc = value_end(p, s->len - s->off, &end)) <= 0)
			goto more;
		if ((v = parse_value(p, end, errbuf, errlen)) == NULL)
			return -1;
		on_element(s, s->key, v);
		json_decref(v);
		s->off += end;
		s->first = false;
		s->st = SHOW_ELEM;
		return 1;
	case SHOW_END:
		if (*p != '\n')
			goto bad;
		s->off++;
		s->st = SHOW_DONE;
		return 1;
	case SHOW_DONE:
		return 0;
	}
	return 0;
more:
	if (rc == 0)
		return 0;
bad:
	snprintf(errbuf, errlen, "malformed reply");
	return -1;
}

/* Takes reply bytes in pieces of any size; see ctl.h. */
int
ctl_show_feed(struct ctl_show *s, const char *data, size_t len, size_t *used,
    char *errbuf, size_t errlen)
{
	size_t before;
	int rc;

	*used = 0;
	if (s->st == SHOW_DONE)
		return 1;
	/* Drop what is parsed, so the buffer holds at most one value. */
	if (s->off > 0) {
		memmove(s->buf, s->buf + s->off, s->len - s->off);
		s->len -= s->off;
		s->off = 0;
	}
	if (s->len + len > SHOW_VALUE_MAX) {
		snprintf(errbuf, errlen, "reply value larger than %d bytes",
		    SHOW_VALUE_MAX);
		return -1;
	}
	if (s->len + len > s->cap) {
		s->cap = s->len + len > 2 * s->cap ? s->len + len : 2 * s->cap;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, data, len);
	before = s->len;
	s->len += len;
	while ((rc = step(s, errbuf, errlen)) == 1 && s->st != SHOW_DONE)
		;
	if (rc == -1)
		return -1;
	if (s->st != SHOW_DONE) {
		*used = len;
		return 0;
	}
	/* Bytes after the newline belong to whatever comes next. */
	*used = s->off > before ? s->off - before : 0;
	return 1;
}

/* Prints what waits and returns the exit status. */
int
ctl_show_end(struct ctl_show *s)
{
	on_array_end(s);
	if (s->status == 0 && s->message != NULL)
		fprintf(s->out, "%s\n", s->message);
	fflush(s->out);
	return s->status;
}
