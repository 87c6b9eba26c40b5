/*
 * The control protocol's pure parts: the command table both sides share,
 * request parsing and its error messages, durations, aligned tables, and
 * ctl_show.c turning small JSON replies into exact text (fed whole and
 * byte by byte, since replies arrive in arbitrary pieces).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl.h"

/* ctl_show.c belongs to anycastctl, not to the library. */
#include "../src/ctl_show.c"

/* Parses a line as the daemon does; returns ctl_parse's result. */
static int
parse_line(const char *line, struct ctl_request *req, char *err,
    size_t errlen)
{
	char copy[CTL_LINE_MAX + 1], *words[CTL_WORDS_MAX];
	int n;

	strlcpy(copy, line, sizeof(copy));
	if ((n = ctl_split(copy, words, CTL_WORDS_MAX)) == -1) {
		snprintf(err, errlen, "split");
		return -1;
	}
	return ctl_parse(n, words, req, err, errlen);
}

static void
test_table_sane(void **state)
{
	char a[64], b[64];
	size_t i, k, w;
	bool seen[CTL_ACTION_MAX] = { false };

	(void)state;
	assert_true(ctl_ncmds > 0);
	for (i = 0; i < ctl_ncmds; i++) {
		assert_non_null(ctl_cmds[i].words[0]);
		assert_non_null(ctl_cmds[i].help);
		assert_true(ctl_cmds[i].action < CTL_ACTION_MAX);
		seen[ctl_cmds[i].action] = true;
		for (w = 0; w < CTL_SYNTAX_MAX && ctl_cmds[i].words[w]; w++)
			assert_true(strlen(ctl_cmds[i].words[w]) > 0);
		/* No two entries with the same syntax: the parser could not
		 * tell them apart. */
		for (k = i + 1; k < ctl_ncmds; k++)
			assert_string_not_equal(
			    ctl_cmd_syntax(&ctl_cmds[i], a, sizeof(a)),
			    ctl_cmd_syntax(&ctl_cmds[k], b, sizeof(b)));
	}
	for (i = 0; i < CTL_ACTION_MAX; i++)
		assert_true(seen[i]);
}

static void
test_parse_valid(void **state)
{
	static const struct {
		const char	*line;
		enum ctl_action	 action;
		bool		 mutating;
	} ok[] = {
		{ "show neighbors", CTL_SHOW_NEIGHBORS, false },
		{ "show neighbor 192.0.2.1", CTL_SHOW_NEIGHBOR, false },
		{ "show neighbor 2001:db8::1", CTL_SHOW_NEIGHBOR, false },
		{ "show prefixes", CTL_SHOW_PREFIXES, false },
		{ "show checks", CTL_SHOW_CHECKS, false },
		{ "show rib", CTL_SHOW_RIB, false },
		{ "show rib 192.0.2.1", CTL_SHOW_RIB, false },
		{ "drain 203.0.113.0/24", CTL_DRAIN, true },
		{ "drain all", CTL_DRAIN, true },
		{ "undrain 2001:db8:ac::/48", CTL_UNDRAIN, true },
		{ "neighbor 192.0.2.1 down", CTL_NEIGHBOR_DOWN, true },
		{ "neighbor 192.0.2.1 up", CTL_NEIGHBOR_UP, true },
		{ "neighbor 192.0.2.1 reset", CTL_NEIGHBOR_RESET, true },
		{ "neighbor 2001:db8::2 refresh", CTL_NEIGHBOR_REFRESH, true },
		{ "reload", CTL_RELOAD, true },
		{ "monitor", CTL_MONITOR, false },
		{ "  show\t neighbors  ", CTL_SHOW_NEIGHBORS, false },
	};
	struct ctl_request req;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(ok); i++) {
		if (parse_line(ok[i].line, &req, err, sizeof(err)) != 0)
			fail_msg("\"%s\": %s", ok[i].line, err);
		assert_int_equal(req.cmd->action, ok[i].action);
		assert_int_equal(req.cmd->mutating, ok[i].mutating);
	}
}

static void
test_parse_arguments(void **state)
{
	struct ctl_request req;
	struct config_addr a;
	char err[256];

	(void)state;
	assert_int_equal(parse_line("show rib", &req, err, sizeof(err)), 0);
	assert_false(req.has_addr);

	assert_int_equal(parse_line("show rib 192.0.2.7", &req, err,
	    sizeof(err)), 0);
	assert_true(req.has_addr);
	assert_int_equal(config_addr_pton("192.0.2.7", &a), 0);
	assert_true(config_addr_equal(&req.addr, &a));

	assert_int_equal(parse_line("neighbor 2001:db8::2 down", &req, err,
	    sizeof(err)), 0);
	assert_int_equal(req.addr.aid, BGP_AID_IPV6);

	assert_int_equal(parse_line("drain all", &req, err, sizeof(err)), 0);
	assert_true(req.all);
	assert_false(req.has_prefix);

	assert_int_equal(parse_line("drain 203.0.113.0/24", &req, err,
	    sizeof(err)), 0);
	assert_false(req.all);
	assert_true(req.has_prefix);
	assert_int_equal(req.prefix.aid, BGP_AID_IPV4);
	assert_int_equal(req.prefix.len, 24);
	assert_int_equal(req.prefix.addr[0], 203);
	assert_int_equal(req.prefix.addr[2], 113);
}

static void
test_parse_invalid(void **state)
{
	static const struct {
		const char	*line;
		const char	*why;	/* a part of the message */
	} bad[] = {
		{ "", "missing command" },
		{ "bogus", "unknown command \"bogus\"" },
		{ "Show neighbors", "unknown command" },
		{ "show", "incomplete command; expected neighbors, neighbor, "
		    "prefixes, checks, rib" },
		{ "show bogus", "show: unexpected \"bogus\"" },
		{ "show neighbor", "show neighbor: incomplete command; "
		    "expected ADDR" },
		{ "show neighbor nope", "bad address \"nope\"" },
		{ "show neighbor 192.0.2.300", "bad address" },
		{ "show neighbor 203.0.113.0/24", "bad address" },
		{ "show neighbors extra",
		    "show neighbors: too many arguments" },
		{ "show rib 192.0.2.1 more", "too many arguments" },
		{ "drain", "expected PREFIX|all" },
		{ "drain 203.0.113.1/24", "bad prefix \"203.0.113.1/24\"" },
		{ "drain everything", "bad prefix" },
		{ "drain 192.0.2.1", "bad prefix" },
		{ "neighbor 192.0.2.1", "expected down, up, reset, refresh" },
		{ "neighbor 192.0.2.1 sideways", "unexpected \"sideways\"" },
		{ "neighbor up 192.0.2.1", "bad address \"up\"" },
		{ "reload now", "reload: too many arguments" },
	};
	struct ctl_request req;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		err[0] = '\0';
		if (parse_line(bad[i].line, &req, err, sizeof(err)) != -1)
			fail_msg("\"%s\" was accepted", bad[i].line);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("\"%s\": got \"%s\", want \"%s\"",
			    bad[i].line, err, bad[i].why);
	}
}

static void
test_split_join(void **state)
{
	char line[64], *w[CTL_WORDS_MAX], out[CTL_LINE_MAX + 2], *big[2];
	char *longword;

	(void)state;
	strlcpy(line, "\t show  rib \t192.0.2.1 ", sizeof(line));
	assert_int_equal(ctl_split(line, w, CTL_WORDS_MAX), 3);
	assert_string_equal(w[0], "show");
	assert_string_equal(w[1], "rib");
	assert_string_equal(w[2], "192.0.2.1");
	assert_int_equal(ctl_join(3, w, out, sizeof(out)), 0);
	assert_string_equal(out, "show rib 192.0.2.1");

	strlcpy(line, "a b c d e f g h i", sizeof(line));
	assert_int_equal(ctl_split(line, w, CTL_WORDS_MAX), -1);
	strlcpy(line, "   ", sizeof(line));
	assert_int_equal(ctl_split(line, w, CTL_WORDS_MAX), 0);

	/* A request the daemon would refuse as too long is refused here. */
	longword = malloc(CTL_LINE_MAX + 1);
	assert_non_null(longword);
	memset(longword, 'x', CTL_LINE_MAX);
	longword[CTL_LINE_MAX] = '\0';
	big[0] = longword;
	assert_int_equal(ctl_join(1, big, out, sizeof(out)), 0);
	big[1] = longword;
	assert_int_equal(ctl_join(2, big, out, sizeof(out)), -1);
	free(longword);
}

static void
test_duration(void **state)
{
	static const struct {
		double		 secs;
		const char	*text;
	} d[] = {
		{ 0, "00:00:00" },
		{ 59.9, "00:00:59" },
		{ 725, "00:12:05" },
		{ 3725, "01:02:05" },
		{ 86399, "23:59:59" },
		{ 86400, "1d00h00m" },
		{ 93780.5, "1d02h03m" },
		{ 6 * 86400 + 23 * 3600 + 59 * 60, "6d23h59m" },
		{ 7 * 86400, "1w0d00h" },
		{ 17 * 86400 + 4 * 3600 + 5, "2w3d04h" },
		{ -5, "00:00:00" },
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(d); i++)
		assert_string_equal(ctl_fmt_duration(d[i].secs, buf,
		    sizeof(buf)), d[i].text);
	assert_string_equal(ctl_fmt_duration(NAN, buf, sizeof(buf)),
	    "00:00:00");
	assert_string_equal(ctl_fmt_duration(INFINITY, buf, sizeof(buf)),
	    "00:00:00");
}

/* Runs f on a memory stream and returns what it printed (caller frees). */
static char *
capture_table(const struct ctl_column *cols, size_t ncols,
    const char *const *cells, size_t nrows)
{
	struct ctl_table t;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	ctl_table_init(&t, f, cols, ncols);
	for (i = 0; i < nrows; i++)
		ctl_table_add(&t, cells + i * ncols);
	ctl_table_end(&t);
	fclose(f);
	return text;
}

static void
test_table_align(void **state)
{
	static const struct ctl_column cols[] = {
		{ "Name", false }, { "N", true }, { "Note", false },
	};
	static const char *const cells[] = {
		"a", "1", "x",
		"longer", "100", "",
		"\xc3\xbc", "7", "tail",	/* one character, two octets */
	};
	char *text;

	(void)state;
	text = capture_table(cols, 3, cells, 3);
	assert_string_equal(text,
	    "Name      N  Note\n"
	    "a         1  x\n"
	    "longer  100\n"
	    "\xc3\xbc         7  tail\n");
	free(text);

	/* An empty table still has its header. */
	text = capture_table(cols, 3, NULL, 0);
	assert_string_equal(text, "Name  N  Note\n");
	free(text);
}

static void
test_text_safe(void **state)
{
	char *s;

	(void)state;
	/* ESC, TAB and the C1 CSI (U+009B) cannot reach the terminal. */
	s = ctl_text_dup("a\x1b[31mb\tc\xc2\x9b" "d\x7f");
	assert_string_equal(s, "a?[31mb?c?d?");
	free(s);
	s = ctl_text_dup("caf\xc3\xa9");
	assert_string_equal(s, "caf\xc3\xa9");
	assert_int_equal(ctl_text_width(s), 4);
	free(s);
}

/*
 * Feeds reply to ctl_show for the command line, in pieces of step octets
 * (0: whole); returns the exit status, with stdout and stderr text.
 */
static int
show(const char *line, const char *reply, size_t step, char **out,
    char **err)
{
	struct ctl_request req;
	struct ctl_show *s;
	char why[256];
	size_t olen = 0, elen = 0, off = 0, n, used;
	FILE *fo, *fe;
	int rc = 0, status;

	assert_int_equal(parse_line(line, &req, why, sizeof(why)), 0);
	fo = open_memstream(out, &olen);
	fe = open_memstream(err, &elen);
	s = ctl_show_new(&req, fo, fe);
	while (rc == 0 && off < strlen(reply)) {
		n = step == 0 ? strlen(reply) - off : step;
		if (n > strlen(reply) - off)
			n = strlen(reply) - off;
		rc = ctl_show_feed(s, reply + off, n, &used, why, sizeof(why));
		off += n;
	}
	assert_int_equal(rc, 1);
	status = ctl_show_end(s);
	ctl_show_free(s);
	fclose(fo);
	fclose(fe);
	return status;
}

static void
check_show(const char *line, const char *reply, int status, const char *out,
    const char *err)
{
	static const size_t steps[] = { 0, 1, 7 };
	char *o, *e;
	size_t i;

	for (i = 0; i < nitems(steps); i++) {
		assert_int_equal(show(line, reply, steps[i], &o, &e), status);
		assert_string_equal(o, out);
		assert_string_equal(e, err);
		free(o);
		free(e);
	}
}

static void
test_show_neighbors(void **state)
{
	(void)state;
	check_show("show neighbors",
	    "{\"neighbors\":[{\"address\":\"192.0.2.1\",\"remote_as\":65000,"
	    "\"state\":\"Established\",\"admin_down\":false,"
	    "\"uptime\":93780.5,\"hold_time\":9,\"prefixes_sent\":2,"
	    "\"prefixes_received\":0,\"last_error\":\"\"},"
	    "{\"address\":\"2001:db8::1\",\"remote_as\":4200000001,"
	    "\"state\":\"Idle\",\"admin_down\":true,\"uptime\":0,"
	    "\"hold_time\":90,\"prefixes_sent\":0,"
	    "\"prefixes_received\":12345,"
	    "\"last_error\":\"Cease: admin shutdown\"}]}\n",
	    0,
	    "Neighbor     AS          State           Uptime  Hold  Sent   Rcvd"
	    "  Last error\n"
	    "192.0.2.1    65000       Established   1d02h03m     9     2      0"
	    "\n"
	    "2001:db8::1  4200000001  Idle (admin)         -    90     0  12345"
	    "  Cease: admin shutdown\n",
	    "");
}

static void
test_show_prefixes_rib(void **state)
{
	(void)state;
	check_show("show prefixes",
	    "{\"prefixes\":[{\"prefix\":\"203.0.113.0/24\","
	    "\"state\":\"announced\",\"requires\":\"web and dns\","
	    "\"drained\":false,\"since\":3.2,\"reason\":\"checks up\"},"
	    "{\"prefix\":\"2001:db8:ac::/48\",\"state\":\"graceful-shutdown\","
	    "\"requires\":\"\",\"drained\":true,\"since\":725,"
	    "\"reason\":\"drained\"}]}\n",
	    0,
	    "Prefix            State              Drained     Since  "
	    "Requires     Reason\n"
	    "203.0.113.0/24    announced          no       00:00:03  "
	    "web and dns  checks up\n"
	    "2001:db8:ac::/48  graceful-shutdown  yes      00:12:05  "
	    "             drained\n",
	    "");
	check_show("show rib 192.0.2.1",
	    "{\"routes\":[{\"prefix\":\"198.51.100.0/24\","
	    "\"neighbor\":\"192.0.2.1\",\"as_path\":[65000,[64512,64513]],"
	    "\"next_hop\":\"192.0.2.1\",\"communities\":[\"65000:1\"],"
	    "\"large_communities\":[\"65000:1:2\"]},"
	    "{\"prefix\":\"0.0.0.0/0\",\"neighbor\":\"192.0.2.1\","
	    "\"as_path\":[],\"next_hop\":\"192.0.2.1\","
	    "\"communities\":[]}]}\n",
	    0,
	    "Prefix           Neighbor   Next hop   AS path              "
	    "Communities\n"
	    "198.51.100.0/24  192.0.2.1  192.0.2.1  65000 {64512,64513}  "
	    "65000:1 65000:1:2\n"
	    "0.0.0.0/0        192.0.2.1  192.0.2.1\n",
	    "");
	check_show("show rib", "{\"routes\":[]}\n", 0,
	    "Prefix  Neighbor  Next hop  AS path  Communities\n", "");
}

static void
test_show_replies(void **state)
{
	(void)state;
	check_show("show neighbor 198.51.100.9",
	    "{\"error\":\"no such neighbor 198.51.100.9\"}\n", 1, "",
	    "anycastctl: no such neighbor 198.51.100.9\n");
	check_show("reload",
	    "{\"result\":\"ok\",\"message\":\"configuration reloaded\"}\n", 0,
	    "configuration reloaded\n", "");
	/* A message from the daemon cannot drive the terminal either. */
	check_show("reload", "{\"error\":\"f.conf:1:2: bad \\u001b[2J\"}\n",
	    1, "", "anycastctl: f.conf:1:2: bad ?[2J\n");
}

static void
test_show_detail(void **state)
{
	char *o, *e;

	(void)state;
	assert_int_equal(show("show neighbor 192.0.2.1",
	    "{\"neighbors\":[{\"address\":\"192.0.2.1\",\"remote_as\":65000,"
	    "\"local_as\":65010,\"description\":\"upstream-a\","
	    "\"state\":\"Established\",\"since\":10,\"uptime\":10,"
	    "\"hold_time\":9,\"keepalive\":3,\"prefixes_sent\":2,"
	    "\"prefixes_received\":5,\"families\":[\"ipv4 unicast\"],"
	    "\"last_error\":\"\"}]}\n", 0, &o, &e), 0);
	assert_non_null(strstr(o, "Neighbor 192.0.2.1 (upstream-a), "
	    "remote AS 65000, local AS 65010\n"));
	assert_non_null(strstr(o, "  State:          Established for "
	    "00:00:10\n"));
	assert_non_null(strstr(o, "  Prefixes:       2 sent, 5 received\n"));
	assert_null(strstr(o, "Last error"));
	assert_string_equal(e, "");
	free(o);
	free(e);
}

static void
test_show_malformed(void **state)
{
	static const char *const bad[] = {
		"[1,2]\n",
		"{\"a\":tru}\n",
		"{\"a\"\n",
		"{\"a\":1}}\n",
		"{\"routes\":[{\"prefix\":1}x]}\n",
		"{\"a\":1} trailing\n",
	};
	struct ctl_request req;
	struct ctl_show *s;
	char why[256];
	size_t i, used;
	FILE *f;

	(void)state;
	f = fopen("/dev/null", "w");
	assert_non_null(f);
	assert_int_equal(parse_line("show rib", &req, why, sizeof(why)), 0);
	for (i = 0; i < nitems(bad); i++) {
		s = ctl_show_new(&req, f, f);
		if (ctl_show_feed(s, bad[i], strlen(bad[i]), &used, why,
		    sizeof(why)) != -1)
			fail_msg("accepted: %s", bad[i]);
		ctl_show_free(s);
	}

	/* Whatever follows the reply line is left for the caller. */
	s = ctl_show_new(&req, f, f);
	assert_int_equal(ctl_show_feed(s, "{\"routes\":[]}\nXYZ", 17, &used,
	    why, sizeof(why)), 1);
	assert_int_equal(used, 14);
	ctl_show_free(s);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sane),
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_arguments),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_split_join),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_table_align),
		cmocka_unit_test(test_text_safe),
		cmocka_unit_test(test_show_neighbors),
		cmocka_unit_test(test_show_prefixes_rib),
		cmocka_unit_test(test_show_replies),
		cmocka_unit_test(test_show_detail),
		cmocka_unit_test(test_show_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
