/*
 * The Prometheus renderer on a daemon built by hand: families with HELP
 * and TYPE, state sets, counters, label escaping, removed peers left out,
 * and checks from a real health engine that never ran.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "anycastd.h"
#include "announce.h"
#include "config.h"
#include "health.h"
#include "metrics.h"

/* Renders d at now and returns the text (free it). */
static char *
render(const struct daemon *d, const struct timespec *now)
{
	struct evbuffer *b;
	char *text;
	size_t n;

	assert_non_null(b = evbuffer_new());
	metrics_render(b, d, now);
	n = evbuffer_get_length(b);
	text = malloc(n + 1);
	assert_non_null(text);
	evbuffer_remove(b, text, n);
	text[n] = '\0';
	evbuffer_free(b);
	return text;
}

/* line appears in text as a whole line. */
static void
has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
		p += n;
	}
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void
lacks(const char *text, const char *what)
{
	if (strstr(text, what) != NULL)
		fail_msg("unexpected \"%s\"", what);
}

/*
 * The shape of the text: each line a HELP, a TYPE or a sample; each
 * family's TYPE once, right after its HELP, before its samples.
 */
static void
well_formed(const char *text)
{
	char *copy, *line, *save, name[128], prev[128] = "";
	char families[64][128];
	size_t nfam = 0, i;

	copy = strdup(text);
	assert_non_null(copy);
	assert_true(text[0] != '\0' && text[strlen(text) - 1] == '\n');
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%127s", name), 1);
			for (i = 0; i < nfam; i++)
				assert_string_not_equal(families[i], name);
			assert_true(nfam < 64);
			strlcpy(families[nfam++], name, sizeof(families[0]));
			strlcpy(prev, name, sizeof(prev));
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%127s", name), 1);
			assert_string_equal(name, prev);
			assert_true(strstr(line, " gauge") != NULL ||
			    strstr(line, " counter") != NULL);
			continue;
		}
		/* A sample of the family just announced. */
		assert_true(strncmp(line, prev, strlen(prev)) == 0);
		assert_true(line[strlen(prev)] == '{' ||
		    line[strlen(prev)] == ' ');
	}
	free(copy);
}

static struct peer *
peer_new(struct daemon *d, const char *addr, const char *descr,
    enum fsm_state state)
{
	struct peer *p;

	p = calloc(1, sizeof(*p));
	assert_non_null(p);
	assert_int_equal(config_addr_pton(addr, &p->conf.addr), 0);
	strlcpy(p->conf.descr, descr, sizeof(p->conf.descr));
	p->state = state;
	p->d = d;
	TAILQ_INSERT_TAIL(&d->peers, p, entry);
	return p;
}

static void
test_render_daemon(void **state)
{
	struct daemon d;
	struct peer *p, *next;
	struct prefix_conf pc[3];
	struct prefix_state ps[3];
	struct timespec now = { 1000, 500000000 };
	char err[64], *text;

	(void)state;
	memset(&d, 0, sizeof(d));
	TAILQ_INIT(&d.peers);
	d.started_wall = 1700000000;

	p = peer_new(&d, "192.0.2.1", "transit \"a\" \\ b\nc",
	    FSM_ESTABLISHED);
	p->established_since = (struct timespec){ 988, 0 };
	p->stats.msgs_in[BGP_MSG_OPEN] = 1;
	p->stats.msgs_in[BGP_MSG_UPDATE] = 3;
	p->stats.msgs_in[BGP_MSG_KEEPALIVE] = 7;
	p->stats.msgs_out[BGP_MSG_OPEN] = 1;
	p->stats.msgs_out[BGP_MSG_UPDATE] = 4;
	p->stats.prefixes_announced = 5;
	p->stats.prefixes_withdrawn = 2;
	p->stats.established_count = 2;
	peer_new(&d, "2001:db8::1", "", FSM_ACTIVE);
	/* Valid UTF-8 passes; a stray byte, an overlong form and a
	 * surrogate each become U+FFFD. */
	peer_new(&d, "192.0.2.2", "caf\xc3\xa9 \xff \xc0\xaf \xed\xa0\x80",
	    FSM_IDLE);
	p = peer_new(&d, "192.0.2.9", "gone", FSM_ESTABLISHED);
	p->removed = true;

	memset(pc, 0, sizeof(pc));
	memset(ps, 0, sizeof(ps));
	assert_int_equal(config_prefix_pton("203.0.113.0/24", &pc[0].prefix,
	    err, sizeof(err)), 0);
	assert_int_equal(config_prefix_pton("2001:db8:ac::/48", &pc[1].prefix,
	    err, sizeof(err)), 0);
	assert_int_equal(config_prefix_pton("198.51.100.0/24", &pc[2].prefix,
	    err, sizeof(err)), 0);
	ps[0] = (struct prefix_state){ .conf = &pc[0], .up = true,
	    .state = ANNOUNCE_ANNOUNCED };
	ps[1] = (struct prefix_state){ .conf = &pc[1], .up = false,
	    .state = ANNOUNCE_GSHUT };
	ps[2] = (struct prefix_state){ .conf = &pc[2], .up = true,
	    .drained = true, .state = ANNOUNCE_WITHDRAWN };
	d.prefixes = ps;
	d.nprefixes = 3;

	text = render(&d, &now);
	well_formed(text);

	has_line(text, "# TYPE anycastd_build_info gauge");
	has_line(text, "anycastd_build_info{version=\"" ANYCASTD_VERSION
	    "\"} 1");
	has_line(text, "process_start_time_seconds 1700000000");
	has_line(text, "anycastd_health_progressing 1");

	/* \\, \" and \n, as the format wants them. */
#define L1 "neighbor=\"192.0.2.1\",description=\"transit \\\"a\\\" \\\\ b\\nc\""
#define L2 "neighbor=\"2001:db8::1\",description=\"\""
	has_line(text, "# HELP anycastd_neighbor_up 1 while the BGP session "
	    "is Established.");
	has_line(text, "# TYPE anycastd_neighbor_up gauge");
	has_line(text, "anycastd_neighbor_up{" L1 "} 1");
	has_line(text, "anycastd_neighbor_up{" L2 "} 0");
	has_line(text, "anycastd_neighbor_up{neighbor=\"192.0.2.2\","
	    "description=\"caf\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"} 0");
	has_line(text, "anycastd_neighbor_state{" L1 ",state=\"Established\"} 1");
	has_line(text, "anycastd_neighbor_state{" L1 ",state=\"Idle\"} 0");
	has_line(text, "anycastd_neighbor_state{" L2 ",state=\"Active\"} 1");
	has_line(text, "anycastd_neighbor_state{" L2 ",state=\"Established\"} 0");
	has_line(text, "anycastd_neighbor_uptime_seconds{" L1 "} 12.500000");
	has_line(text, "anycastd_neighbor_uptime_seconds{" L2 "} 0.000000");
	has_line(text, "# TYPE anycastd_neighbor_messages_received_total "
	    "counter");
	has_line(text, "anycastd_neighbor_messages_received_total{" L1
	    ",type=\"open\"} 1");
	has_line(text, "anycastd_neighbor_messages_received_total{" L1
	    ",type=\"update\"} 3");
	has_line(text, "anycastd_neighbor_messages_received_total{" L1
	    ",type=\"keepalive\"} 7");
	has_line(text, "anycastd_neighbor_messages_received_total{" L1
	    ",type=\"route_refresh\"} 0");
	has_line(text, "anycastd_neighbor_messages_sent_total{" L1
	    ",type=\"update\"} 4");
	has_line(text, "anycastd_neighbor_updates_received_total{" L1 "} 3");
	has_line(text, "anycastd_neighbor_updates_sent_total{" L1 "} 4");
	has_line(text, "anycastd_neighbor_established_total{" L1 "} 2");
	has_line(text, "anycastd_neighbor_prefixes_announced{" L1 "} 0");
	has_line(text, "anycastd_neighbor_prefixes_received{" L1 "} 0");
	has_line(text, "anycastd_announcements_total{" L1 "} 5");
	has_line(text, "anycastd_withdrawals_total{" L1 "} 2");
	/* Message type 0 does not exist. */
	lacks(text, "type=\"(null)\"");
	/* A removed peer is gone from every family. */
	lacks(text, "192.0.2.9");

	has_line(text, "anycastd_prefix_announced{prefix=\"203.0.113.0/24\"} 1");
	/* Graceful shutdown is still on the wire. */
	has_line(text, "anycastd_prefix_announced{prefix=\"2001:db8:ac::/48\"} 1");
	has_line(text, "anycastd_prefix_announced{prefix=\"198.51.100.0/24\"} 0");
	has_line(text, "anycastd_prefix_state{prefix=\"2001:db8:ac::/48\","
	    "state=\"graceful-shutdown\"} 1");
	has_line(text, "anycastd_prefix_state{prefix=\"2001:db8:ac::/48\","
	    "state=\"announced\"} 0");
	has_line(text, "anycastd_prefix_state{prefix=\"198.51.100.0/24\","
	    "state=\"withdrawn\"} 1");
	has_line(text, "anycastd_prefix_up{prefix=\"2001:db8:ac::/48\"} 0");
	has_line(text, "anycastd_prefix_drained{prefix=\"198.51.100.0/24\"} 1");
	/* No health engine: the families are there, empty. */
	has_line(text, "# TYPE anycastd_check_up gauge");
	lacks(text, "anycastd_check_up{");
	free(text);

	TAILQ_FOREACH_SAFE(p, &d.peers, entry, next)
		free(p);
}

static void
test_render_checks(void **state)
{
	struct config_errors errs = { 0 };
	struct event_base *base;
	struct config *conf;
	struct daemon d;
	struct timespec now;
	char *text;

	(void)state;
	conf = config_parse_string("test.conf",
	    "router-id 192.0.2.10\n"
	    "local-as 65010\n"
	    "check web { tcp 127.0.0.1 port 1 }\n"
	    "check maint { file \"/nonexistent/maint\" absent }\n",
	    &errs);
	config_errors_free(&errs);
	assert_non_null(conf);
	assert_non_null(base = event_base_new());
	memset(&d, 0, sizeof(d));
	TAILQ_INIT(&d.peers);
	d.conf = conf;
	d.health = health_new(base, conf, NULL, NULL);
	mono_now(&now);

	text = render(&d, &now);
	well_formed(text);
	/* Checks start down and have not run: the loop never did. */
	has_line(text, "anycastd_check_up{check=\"web\",type=\"tcp\"} 0");
	has_line(text, "anycastd_check_up{check=\"maint\",type=\"file\"} 0");
	has_line(text, "anycastd_check_duration_seconds{check=\"web\","
	    "type=\"tcp\"} 0.000000");
	has_line(text, "anycastd_check_runs_total{check=\"maint\","
	    "type=\"file\"} 0");
	has_line(text, "anycastd_check_transitions_total{check=\"web\","
	    "type=\"tcp\"} 0");
	has_line(text, "# TYPE anycastd_check_transitions_total counter");
	has_line(text, "anycastd_health_progressing 1");
	free(text);

	/* Long after: the engine never finished a run, so it stalled. */
	now.tv_sec += 3600;
	text = render(&d, &now);
	has_line(text, "anycastd_health_progressing 0");
	free(text);

	health_free(d.health);
	config_free(conf);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_daemon),
		cmocka_unit_test(test_render_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
