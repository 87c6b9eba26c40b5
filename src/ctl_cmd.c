/*
 * The command table anycastctl and the control socket share, its parser,
 * and the text helpers the CLI prints with (durations, aligned tables).
 * It owns no state beyond the table and knows nothing of sockets, the
 * daemon or JSON: anycastctl checks a command here before it connects,
 * and control.c checks the same words again when the line arrives, so
 * neither side has to trust the other.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "util.h"

/* Order is the order of the usage message. */
const struct ctl_cmd ctl_cmds[] = {
	{ { "show", "neighbors" }, CTL_SHOW_NEIGHBORS, false,
	    "sessions, one line each" },
	{ { "show", "neighbor", CTL_ARG_ADDR }, CTL_SHOW_NEIGHBOR, false,
	    "one session in detail" },
	{ { "show", "prefixes" }, CTL_SHOW_PREFIXES, false,
	    "each configured prefix: announced or not, and why" },
	{ { "show", "checks" }, CTL_SHOW_CHECKS, false,
	    "each health check and its last results" },
	{ { "show", "rib" }, CTL_SHOW_RIB, false,
	    "routes received from every peer" },
	{ { "show", "rib", CTL_ARG_ADDR }, CTL_SHOW_RIB, false,
	    "routes received from one peer" },
	{ { "drain", CTL_ARG_TARGET }, CTL_DRAIN, true,
	    "apply the prefix's on-down action until undrained" },
	{ { "undrain", CTL_ARG_TARGET }, CTL_UNDRAIN, true,
	    "lift a drain" },
	{ { "neighbor", CTL_ARG_ADDR, "down" }, CTL_NEIGHBOR_DOWN, true,
	    "stop the session and keep it stopped" },
	{ { "neighbor", CTL_ARG_ADDR, "up" }, CTL_NEIGHBOR_UP, true,
	    "start a stopped session" },
	{ { "neighbor", CTL_ARG_ADDR, "reset" }, CTL_NEIGHBOR_RESET, true,
	    "close the session (Cease) and reconnect" },
	{ { "neighbor", CTL_ARG_ADDR, "refresh" }, CTL_NEIGHBOR_REFRESH, true,
	    "ask the peer to send its routes again" },
	{ { "reload" }, CTL_RELOAD, true,
	    "re-read the configuration" },
	{ { "monitor" }, CTL_MONITOR, false,
	    "stream events until interrupted" },
};
const size_t ctl_ncmds = nitems(ctl_cmds);

static size_t
cmd_nwords(const struct ctl_cmd *c)
{
	size_t n = 0;

	while (n < CTL_SYNTAX_MAX && c->words[n] != NULL)
		n++;
	return n;
}

/* Blank-separated words; the line is cut in place. */
int
ctl_split(char *line, char *words[], size_t max)
{
	size_t n = 0;
	char *w;

	while ((w = strsep(&line, " \t")) != NULL) {
		if (*w == '\0')
			continue;
		if (n == max)
			return -1;
		words[n++] = w;
	}
	return (int)n;
}

/* Whether word w fits the syntax word s; decodes it into req if so. */
static bool
word_matches(const char *s, const char *w, struct ctl_request *req)
{
	struct ctl_request scratch;
	char err[64];

	if (req == NULL)
		req = &scratch;
	if (strcmp(s, CTL_ARG_ADDR) == 0) {
		if (config_addr_pton(w, &req->addr) == -1)
			return false;
		req->has_addr = true;
		return true;
	}
	if (strcmp(s, CTL_ARG_TARGET) == 0) {
		if (strcmp(w, "all") == 0) {
			req->all = true;
			return true;
		}
		if (config_prefix_pton(w, &req->prefix, err, sizeof(err)) ==
		    -1)
			return false;
		req->has_prefix = true;
		return true;
	}
	return strcmp(s, w) == 0;
}

/* "neighbors, neighbor, prefixes" from the candidates' word at pos. */
static void
expected_words(const bool *cand, size_t pos, char *buf, size_t len)
{
	const char *seen[nitems(ctl_cmds)];
	size_t i, k, nseen = 0;

	buf[0] = '\0';
	for (i = 0; i < ctl_ncmds; i++) {
		if (!cand[i] || cmd_nwords(&ctl_cmds[i]) <= pos)
			continue;
		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k], ctl_cmds[i].words[pos]) == 0)
				break;
		if (k < nseen)
			continue;
		seen[nseen++] = ctl_cmds[i].words[pos];
		if (buf[0] != '\0')
			strlcat(buf, ", ", len);
		strlcat(buf, ctl_cmds[i].words[pos], len);
	}
}

/* The first n words joined, to say where a command went wrong. */
static const char *
words_prefix(char *const argv[], size_t n, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strlcat(buf, " ", len);
		strlcat(buf, argv[i], len);
	}
	return buf;
}

/*
 * Why word pos fits none of the candidates: a bad argument gets the
 * parser's reason, anything else the list of words that would fit.
 */
static void
explain(const bool *cand, char *const argv[], size_t pos, char *err,
    size_t errlen)
{
	struct bgp_prefix pfx;
	struct config_addr addr;
	char why[128], want[256], where[CTL_LINE_MAX + 1];
	size_t i;
	bool addr_ok = false, target_ok = false, literal = false;

	if (pos == 0) {
		snprintf(err, errlen, "unknown command \"%s\"", argv[0]);
		return;
	}
	for (i = 0; i < ctl_ncmds; i++) {
		if (!cand[i] || cmd_nwords(&ctl_cmds[i]) <= pos)
			continue;
		if (strcmp(ctl_cmds[i].words[pos], CTL_ARG_ADDR) == 0)
			addr_ok = true;
		else if (strcmp(ctl_cmds[i].words[pos], CTL_ARG_TARGET) == 0)
			target_ok = true;
		else
			literal = true;
	}
	words_prefix(argv, pos, where, sizeof(where));
	if (!addr_ok && !target_ok && !literal)
		snprintf(err, errlen, "%s: too many arguments", where);
	else if (addr_ok && !target_ok && !literal &&
	    config_addr_pton(argv[pos], &addr) == -1)
		snprintf(err, errlen, "%s: bad address \"%s\"", where,
		    argv[pos]);
	else if (target_ok && !addr_ok && !literal &&
	    config_prefix_pton(argv[pos], &pfx, why, sizeof(why)) == -1)
		snprintf(err, errlen, "%s: bad prefix \"%s\": %s", where,
		    argv[pos], why);
	else {
		expected_words(cand, pos, want, sizeof(want));
		snprintf(err, errlen, "%s: unexpected \"%s\"; expected %s",
		    where, argv[pos], want);
	}
}

/* Checks words against the table and decodes the arguments. */
int
ctl_parse(int argc, char *const argv[], struct ctl_request *req, char *err,
    size_t errlen)
{
	bool cand[nitems(ctl_cmds)], any;
	const struct ctl_cmd *found = NULL;
	char want[256], where[CTL_LINE_MAX + 1];
	size_t i, pos;

	memset(req, 0, sizeof(*req));
	if (argc <= 0) {
		snprintf(err, errlen, "missing command");
		return -1;
	}
	for (i = 0; i < ctl_ncmds; i++)
		cand[i] = true;
	for (pos = 0; pos < (size_t)argc; pos++) {
		bool next[nitems(ctl_cmds)];

		any = false;
		for (i = 0; i < ctl_ncmds; i++) {
			next[i] = cand[i] && cmd_nwords(&ctl_cmds[i]) > pos &&
			    word_matches(ctl_cmds[i].words[pos], argv[pos],
			    NULL);
			any |= next[i];
		}
		if (!any) {
			explain(cand, argv, pos, err, errlen);
			return -1;
		}
		memcpy(cand, next, sizeof(cand));
	}
	for (i = 0; i < ctl_ncmds; i++)
		if (cand[i] && cmd_nwords(&ctl_cmds[i]) == (size_t)argc) {
			found = &ctl_cmds[i];
			break;
		}
	if (found == NULL) {
		expected_words(cand, (size_t)argc, want, sizeof(want));
		snprintf(err, errlen, "%s: incomplete command; expected %s",
		    words_prefix(argv, (size_t)argc, where, sizeof(where)),
		    want);
		return -1;
	}
	req->cmd = found;
	for (pos = 0; pos < (size_t)argc; pos++)
		(void)word_matches(found->words[pos], argv[pos], req);
	return 0;
}

/* The request line anycastctl sends; -1 if the daemon would refuse it. */
int
ctl_join(int argc, char *const argv[], char *buf, size_t len)
{
	int i;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < argc; i++) {
		if (i > 0 && strlcat(buf, " ", len) >= len)
			return -1;
		if (strlcat(buf, argv[i], len) >= len)
			return -1;
	}
	return strlen(buf) > CTL_LINE_MAX ? -1 : 0;
}

/* "neighbor ADDR down", for usage and error messages. */
const char *
ctl_cmd_syntax(const struct ctl_cmd *c, char *buf, size_t len)
{
	size_t i, n = cmd_nwords(c);

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strlcat(buf, " ", len);
		strlcat(buf, c->words[i], len);
	}
	return buf;
}

/* The usage list: one command a line with its help. */
void
ctl_print_commands(FILE *f)
{
	char syntax[64];
	size_t i;

	for (i = 0; i < ctl_ncmds; i++)
		fprintf(f, "\t%-28s %s\n",
		    ctl_cmd_syntax(&ctl_cmds[i], syntax, sizeof(syntax)),
		    ctl_cmds[i].help);
}

/* Elapsed seconds as bgpctl shows them (see ctl.h). */
const char *
ctl_fmt_duration(double secs, char *buf, size_t len)
{
	uint64_t t;

	t = isfinite(secs) && secs > 0 ? (uint64_t)secs : 0;
	if (t < 24 * 3600)
		snprintf(buf, len, "%02u:%02u:%02u", (unsigned)(t / 3600),
		    (unsigned)(t / 60 % 60), (unsigned)(t % 60));
	else if (t < 7 * 24 * 3600)
		snprintf(buf, len, "%ud%02uh%02um", (unsigned)(t / 86400),
		    (unsigned)(t / 3600 % 24), (unsigned)(t / 60 % 60));
	else
		snprintf(buf, len, "%lluw%ud%02uh",
		    (unsigned long long)(t / (7 * 86400)),
		    (unsigned)(t / 86400 % 7), (unsigned)(t / 3600 % 24));
	return buf;
}

/* ------------------------------------------------------------------ */
/* Tables                                                               */

/* An empty table printing to out; cols must outlive it. */
void
ctl_table_init(struct ctl_table *t, FILE *out, const struct ctl_column *cols,
    size_t ncols)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->out = out;
	t->cols = cols;
	t->ncols = ncols;
	t->width = xcalloc(ncols, sizeof(*t->width));
	for (i = 0; i < ncols; i++)
		t->width[i] = ctl_text_width(cols[i].name);
}

/* Terminal columns of a UTF-8 string: one per code point. */
size_t
ctl_text_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * A copy safe for a terminal (see ctl.h). The daemon's JSON writer has
 * already made the text valid UTF-8.
 */
char *
ctl_text_dup(const char *s)
{
	unsigned char *d, *p;

	d = (unsigned char *)xstrdup(s != NULL ? s : "");
	for (p = d; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* U+0080..U+009F: two octets become one '?' */
			p[0] = '?';
			memmove(p + 1, p + 2, strlen((char *)p + 2) + 1);
		}
	}
	return (char *)d;
}

/* Copies a row in; prints the batch once CTL_TABLE_BATCH rows wait. */
void
ctl_table_add(struct ctl_table *t, const char *const cells[])
{
	size_t i, w;
	char **row;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols,
		    sizeof(*t->cells));
	}
	row = t->cells + t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		row[i] = ctl_text_dup(cells[i]);
		if ((w = ctl_text_width(row[i])) > t->width[i])
			t->width[i] = w;
	}
	t->nrows++;
	if (t->nrows >= CTL_TABLE_BATCH)
		ctl_table_flush(t);
}

/* One line; the last column is not padded, so lines end without blanks. */
static void
print_row(const struct ctl_table *t, const char *const row[])
{
	size_t i, w, pad, last;

	for (last = t->ncols; last > 0 && t->cols[last - 1].right == false &&
	    row[last - 1][0] == '\0'; last--)
		;
	for (i = 0; i < last; i++) {
		w = ctl_text_width(row[i]);
		pad = t->width[i] > w ? t->width[i] - w : 0;
		if (i > 0)
			fputs("  ", t->out);
		if (t->cols[i].right)
			fprintf(t->out, "%*s", (int)pad, "");
		fputs(row[i], t->out);
		if (!t->cols[i].right && i + 1 < last)
			fprintf(t->out, "%*s", (int)pad, "");
	}
	fputc('\n', t->out);
}

/* Prints the header once, then the waiting rows, and forgets them. */
void
ctl_table_flush(struct ctl_table *t)
{
	const char **hdr;
	size_t i;

	if (!t->header_done) {
		hdr = xcalloc(t->ncols, sizeof(*hdr));
		for (i = 0; i < t->ncols; i++)
			hdr[i] = t->cols[i].name;
		print_row(t, hdr);
		free(hdr);
		t->header_done = true;
	}
	for (i = 0; i < t->nrows; i++)
		print_row(t, (const char *const *)t->cells + i * t->ncols);
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	t->nrows = 0;
}

/* Prints what waits and frees the table. */
void
ctl_table_end(struct ctl_table *t)
{
	ctl_table_flush(t);
	free(t->cells);
	free(t->width);
	t->cells = NULL;
	t->width = NULL;
	t->cap = 0;
}
