/*
 * The Prometheus endpoint: an evhttp server on the `metrics` address that
 * answers GET /metrics with the text exposition format 0.0.4 and 404 for
 * any other path.  It owns the listening socket and the renderer.
 *
 * Like control.c it only reads the daemon, through the functions show
 * uses, and never changes a session, a check or a prefix; a scrape is
 * rendered whole in one loop iteration, so it is a consistent snapshot.
 * It must not block: a client that stalls is cut off by evhttp's timeout.
 *
 * Every family has # HELP and # TYPE and its samples together.  States
 * are one gauge per state (a "state set": 1 for the current state, 0 for
 * the others) so a series never disappears when a state changes.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "anycastd.h"
#include "announce.h"
#include "config.h"
#include "fsm.h"
#include "health.h"
#include "log.h"
#include "metrics.h"
#include "rib_in.h"
#include "util.h"

#define METRICS_TIMEOUT_SECS	10	/* a stalled scraper goes */
#define METRICS_MAX_HEADERS	8192
#define METRICS_MAX_BODY	1024	/* a GET carries none */

static const char *const msg_type_names[] = {
	[BGP_MSG_OPEN] = "open",
	[BGP_MSG_UPDATE] = "update",
	[BGP_MSG_NOTIFICATION] = "notification",
	[BGP_MSG_KEEPALIVE] = "keepalive",
	[BGP_MSG_ROUTE_REFRESH] = "route_refresh",
};
static_assert(nitems(msg_type_names) ==
    nitems(((struct peer_stats *)0)->msgs_in),
    "msg_type_names out of sync with struct peer_stats");

static const enum announce_state prefix_states[] = {
	ANNOUNCE_ANNOUNCED,
	ANNOUNCE_WITHDRAWN,
	ANNOUNCE_GSHUT,
};

/* The endpoint; the daemon has one at most. */
static struct {
	struct evhttp	*http;
	struct config_addr addr;
	uint16_t	 port;
} metrics;

/* ------------------------------------------------------------------ */
/* Rendering                                                            */

static void
family(struct evbuffer *out, const char *name, const char *type,
    const char *help)
{
	/* help is ours and never needs the \\ and \n escapes. */
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/* Length of the valid UTF-8 sequence at s (Go's rules: no overlong
 * forms, no surrogates), 0 when there is none. */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		/* The NUL ends a sequence early: not a continuation byte. */
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return n;
}

/*
 * A label value, escaped as the format requires (\\, \" and \n), and
 * valid UTF-8, which Prometheus insists on: a description is operator
 * text and may not be; each bad byte becomes U+FFFD.
 */
static void
label_value(struct evbuffer *out, const char *value)
{
	const unsigned char	*s = (const unsigned char *)value;
	size_t			 n;

	while (*s != '\0') {
		switch (*s) {
		case '\\':
			evbuffer_add(out, "\\\\", 2);
			n = 1;
			break;
		case '"':
			evbuffer_add(out, "\\\"", 2);
			n = 1;
			break;
		case '\n':
			evbuffer_add(out, "\\n", 2);
			n = 1;
			break;
		default:
			if ((n = utf8_len(s)) == 0) {
				evbuffer_add(out, "\xef\xbf\xbd", 3);
				n = 1;
			} else
				evbuffer_add(out, s, n);
		}
		s += n;
	}
}

/* name{k1="v1",k2="v2",k3="v3"}: labels is a NULL-ended list of pairs. */
static void
sample_start(struct evbuffer *out, const char *name,
    const char *const *labels)
{
	size_t	i;

	evbuffer_add_printf(out, "%s", name);
	if (labels == NULL || labels[0] == NULL) {
		evbuffer_add(out, " ", 1);
		return;
	}
	evbuffer_add(out, "{", 1);
	for (i = 0; labels[i] != NULL; i += 2) {
		evbuffer_add_printf(out, "%s%s=\"", i > 0 ? "," : "",
		    labels[i]);
		label_value(out, labels[i + 1]);
		evbuffer_add(out, "\"", 1);
	}
	evbuffer_add(out, "} ", 2);
}

static void
sample_u64(struct evbuffer *out, const char *name, const char *const *labels,
    uint64_t v)
{
	sample_start(out, name, labels);
	evbuffer_add_printf(out, "%" PRIu64 "\n", v);
}

static void
sample_double(struct evbuffer *out, const char *name,
    const char *const *labels, double v)
{
	sample_start(out, name, labels);
	evbuffer_add_printf(out, "%.6f\n", v);
}

static double
elapsed(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) +
	    (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/* Neighbors --------------------------------------------------------- */

/* The labels of a neighbor's samples, with room for one more pair. */
struct peer_labels {
	char		 addr[CONFIG_ADDR_STRLEN];
	const char	*v[7];
};

static const char *const *
peer_labels(struct peer_labels *l, const struct peer *p, const char *k,
    const char *v)
{
	config_addr_ntop(&p->conf.addr, l->addr, sizeof(l->addr));
	l->v[0] = "neighbor";
	l->v[1] = l->addr;
	l->v[2] = "description";
	l->v[3] = p->conf.descr;
	l->v[4] = k;
	l->v[5] = v;
	l->v[6] = NULL;
	return l->v;
}

static uint64_t
peer_up(const struct peer *p)
{
	return p->state == FSM_ESTABLISHED;
}

static uint64_t
peer_established(const struct peer *p)
{
	return p->stats.established_count;
}

static uint64_t
peer_updates_in(const struct peer *p)
{
	return p->stats.msgs_in[BGP_MSG_UPDATE];
}

static uint64_t
peer_updates_out(const struct peer *p)
{
	return p->stats.msgs_out[BGP_MSG_UPDATE];
}

static uint64_t
peer_sent(const struct peer *p)
{
	return announce_peer_sent(p);
}

static uint64_t
peer_received(const struct peer *p)
{
	uint64_t	n = 0;
	int		aid;

	for (aid = 0; p->rib != NULL && aid < BGP_AID_MAX; aid++)
		n += rib_in_count(p->rib, aid);
	return n;
}

static uint64_t
peer_announced(const struct peer *p)
{
	return p->stats.prefixes_announced;
}

static uint64_t
peer_withdrawn(const struct peer *p)
{
	return p->stats.prefixes_withdrawn;
}

/* One number per neighbor, labelled with the neighbor alone. */
static const struct peer_metric {
	const char	*name;
	const char	*type;
	const char	*help;
	uint64_t	(*value)(const struct peer *);
} peer_metrics[] = {
	{ "anycastd_neighbor_up", "gauge",
	    "1 while the BGP session is Established.", peer_up },
	{ "anycastd_neighbor_established_total", "counter",
	    "Times the session became Established.", peer_established },
	{ "anycastd_neighbor_updates_received_total", "counter",
	    "UPDATE messages received.", peer_updates_in },
	{ "anycastd_neighbor_updates_sent_total", "counter",
	    "UPDATE messages sent.", peer_updates_out },
	{ "anycastd_neighbor_prefixes_announced", "gauge",
	    "Prefixes currently announced to the neighbor.", peer_sent },
	{ "anycastd_neighbor_prefixes_received", "gauge",
	    "Routes in the neighbor's Adj-RIB-In.", peer_received },
	{ "anycastd_announcements_total", "counter",
	    "Prefixes announced in UPDATE messages sent to the neighbor.",
	    peer_announced },
	{ "anycastd_withdrawals_total", "counter",
	    "Prefixes withdrawn in UPDATE messages sent to the neighbor.",
	    peer_withdrawn },
};

static void
render_neighbors(struct evbuffer *out, const struct daemon *d,
    const struct timespec *now)
{
	const struct peer	*p;
	struct peer_labels	 l;
	size_t			 i, m;
	int			 s;

	/* A removed peer is on its way out: no longer configured, and
	 * not shown. */
	for (m = 0; m < nitems(peer_metrics); m++) {
		family(out, peer_metrics[m].name, peer_metrics[m].type,
		    peer_metrics[m].help);
		TAILQ_FOREACH(p, &d->peers, entry) {
			if (!p->removed)
				sample_u64(out, peer_metrics[m].name,
				    peer_labels(&l, p, NULL, NULL),
				    peer_metrics[m].value(p));
		}
	}

	family(out, "anycastd_neighbor_state", "gauge",
	    "BGP FSM state (RFC 4271 8): 1 for the current state, 0 for "
	    "the others.");
	TAILQ_FOREACH(p, &d->peers, entry) {
		for (s = 0; s < FSM_STATE_MAX && !p->removed; s++)
			sample_u64(out, "anycastd_neighbor_state",
			    peer_labels(&l, p, "state", fsm_state_name(s)),
			    p->state == (enum fsm_state)s);
	}

	family(out, "anycastd_neighbor_uptime_seconds", "gauge",
	    "Seconds since the session became Established; 0 when it is "
	    "not.");
	TAILQ_FOREACH(p, &d->peers, entry) {
		if (!p->removed)
			sample_double(out, "anycastd_neighbor_uptime_seconds",
			    peer_labels(&l, p, NULL, NULL),
			    p->state == FSM_ESTABLISHED ?
			    elapsed(&p->established_since, now) : 0.0);
	}

	family(out, "anycastd_neighbor_messages_received_total", "counter",
	    "BGP messages received, by type.");
	TAILQ_FOREACH(p, &d->peers, entry) {
		for (i = BGP_MSG_OPEN; i < nitems(msg_type_names) &&
		    !p->removed; i++)
			sample_u64(out,
			    "anycastd_neighbor_messages_received_total",
			    peer_labels(&l, p, "type", msg_type_names[i]),
			    p->stats.msgs_in[i]);
	}

	family(out, "anycastd_neighbor_messages_sent_total", "counter",
	    "BGP messages sent, by type.");
	TAILQ_FOREACH(p, &d->peers, entry) {
		for (i = BGP_MSG_OPEN; i < nitems(msg_type_names) &&
		    !p->removed; i++)
			sample_u64(out, "anycastd_neighbor_messages_sent_total",
			    peer_labels(&l, p, "type", msg_type_names[i]),
			    p->stats.msgs_out[i]);
	}
}

/* Checks ------------------------------------------------------------ */

enum check_metric {
	CHECK_M_UP,
	CHECK_M_DURATION,
	CHECK_M_RUNS,
	CHECK_M_TRANSITIONS,
	CHECK_M_MAX
};

static const struct {
	const char	*name;
	const char	*type;
	const char	*help;
} check_metrics[] = {
	[CHECK_M_UP] = { "anycastd_check_up", "gauge",
	    "1 while the health check is up (checks start down)." },
	[CHECK_M_DURATION] = { "anycastd_check_duration_seconds", "gauge",
	    "How long the last run of the check took." },
	[CHECK_M_RUNS] = { "anycastd_check_runs_total", "counter",
	    "Runs of the check that reached a result." },
	[CHECK_M_TRANSITIONS] = { "anycastd_check_transitions_total",
	    "counter", "Changes of the check between up and down." },
};
static_assert(nitems(check_metrics) == CHECK_M_MAX,
    "check_metrics out of sync with enum check_metric");

static void
render_checks(struct evbuffer *out, const struct daemon *d)
{
	const struct check_state	*st;
	const char			*l[5] = { "check", NULL, "type", NULL,
					    NULL };
	const char			*name;
	size_t				 i, n;
	int				 m;

	n = d->health != NULL ? health_count(d->health) : 0;
	for (m = 0; m < CHECK_M_MAX; m++) {
		name = check_metrics[m].name;
		family(out, name, check_metrics[m].type,
		    check_metrics[m].help);
		for (i = 0; i < n; i++) {
			st = health_state(d->health, i);
			l[1] = st->conf->name;
			l[3] = check_type_name(st->conf->type);
			switch ((enum check_metric)m) {
			case CHECK_M_UP:
				sample_u64(out, name, l, st->up);
				break;
			case CHECK_M_DURATION:
				sample_double(out, name, l,
				    st->last_duration);
				break;
			case CHECK_M_RUNS:
				sample_u64(out, name, l, st->runs);
				break;
			case CHECK_M_TRANSITIONS:
				sample_u64(out, name, l, st->transitions);
				break;
			case CHECK_M_MAX:
				break;
			}
		}
	}
}

/* Prefixes ---------------------------------------------------------- */

static void
render_prefixes(struct evbuffer *out, const struct daemon *d)
{
	const struct prefix_state	*ps;
	char				 pfx[CONFIG_PREFIX_STRLEN];
	const char			*l[5] = { "prefix", pfx, NULL, NULL,
					    NULL };
	size_t				 i, j, n;

	n = announce_prefix_count(d);

	family(out, "anycastd_prefix_announced", "gauge",
	    "1 while the prefix is announced, graceful shutdown included.");
	for (i = 0; i < n; i++) {
		ps = announce_prefix(d, i);
		config_prefix_ntop(&ps->conf->prefix, pfx, sizeof(pfx));
		sample_u64(out, "anycastd_prefix_announced", l,
		    ps->state != ANNOUNCE_WITHDRAWN);
	}

	family(out, "anycastd_prefix_state", "gauge",
	    "What is announced for the prefix: 1 for the current state, 0 "
	    "for the others.");
	l[2] = "state";
	for (i = 0; i < n; i++) {
		ps = announce_prefix(d, i);
		config_prefix_ntop(&ps->conf->prefix, pfx, sizeof(pfx));
		for (j = 0; j < nitems(prefix_states); j++) {
			l[3] = announce_state_name(prefix_states[j]);
			sample_u64(out, "anycastd_prefix_state", l,
			    ps->state == prefix_states[j]);
		}
	}
	l[2] = NULL;

	family(out, "anycastd_prefix_up", "gauge",
	    "1 while the prefix's requires expression holds.");
	for (i = 0; i < n; i++) {
		ps = announce_prefix(d, i);
		config_prefix_ntop(&ps->conf->prefix, pfx, sizeof(pfx));
		sample_u64(out, "anycastd_prefix_up", l, ps->up);
	}

	family(out, "anycastd_prefix_drained", "gauge",
	    "1 while an operator has drained the prefix.");
	for (i = 0; i < n; i++) {
		ps = announce_prefix(d, i);
		config_prefix_ntop(&ps->conf->prefix, pfx, sizeof(pfx));
		sample_u64(out, "anycastd_prefix_drained", l, ps->drained);
	}
}

void
metrics_render(struct evbuffer *out, const struct daemon *d,
    const struct timespec *now)
{
	const char	*build[] = { "version", ANYCASTD_VERSION, NULL };

	family(out, "anycastd_build_info", "gauge",
	    "Always 1; the version is in the label.");
	sample_u64(out, "anycastd_build_info", build, 1);

	family(out, "process_start_time_seconds", "gauge",
	    "Start time of the process since unix epoch in seconds.");
	sample_u64(out, "process_start_time_seconds", NULL,
	    (uint64_t)d->started_wall);

	family(out, "anycastd_health_progressing", "gauge",
	    "1 while every health check finishes its runs in time; the "
	    "systemd watchdog is pinged only then.");
	sample_u64(out, "anycastd_health_progressing", NULL,
	    d->health == NULL || health_progressing(d->health, now));

	render_neighbors(out, d, now);
	render_checks(out, d);
	render_prefixes(out, d);
}

/* ------------------------------------------------------------------ */
/* Serving                                                              */

static void
request_cb(struct evhttp_request *req, void *arg)
{
	const struct daemon		*d = arg;
	const struct evhttp_uri		*uri;
	const char			*path;
	struct evbuffer			*body;
	struct timespec			 now;

	uri = evhttp_request_get_evhttp_uri(req);
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || strcmp(path, "/metrics") != 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, "only /metrics here");
		return;
	}
	if ((body = evbuffer_new()) == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	mono_now(&now);
	metrics_render(body, d, &now);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", METRICS_CONTENT_TYPE);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-store");
	evhttp_send_reply(req, HTTP_OK, "OK", body);
	evbuffer_free(body);
}

/* A listening TCP socket of our own, so a failure says what went wrong. */
static int
listen_on(const struct config_addr *addr, uint16_t port)
{
	struct sockaddr_storage	ss;
	socklen_t		sslen;
	int			fd, one = 1, e;

	sslen = config_addr_sockaddr(addr, port, &ss);
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* Rebinding at once after a restart, with scrapes in TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sslen) == -1 ||
	    listen(fd, 16) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
metrics_open(struct daemon *d)
{
	const struct config	*c = d->conf;
	char			 a[CONFIG_ADDR_STRLEN];
	int			 fd;

	metrics_close(d);
	if (!c->metrics)
		return 0;
	config_addr_ntop(&c->metrics_addr, a, sizeof(a));
	if ((fd = listen_on(&c->metrics_addr, c->metrics_port)) == -1) {
		log_warn("metrics: cannot listen on %s port %u", a,
		    c->metrics_port);
		return -1;
	}
	if ((metrics.http = evhttp_new(d->base)) == NULL)
		fatalx("evhttp_new failed");
	evhttp_set_allowed_methods(metrics.http,
	    EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_timeout(metrics.http, METRICS_TIMEOUT_SECS);
	evhttp_set_max_headers_size(metrics.http, METRICS_MAX_HEADERS);
	evhttp_set_max_body_size(metrics.http, METRICS_MAX_BODY);
	evhttp_set_gencb(metrics.http, request_cb, d);
	if (evhttp_accept_socket_with_handle(metrics.http, fd) == NULL) {
		close(fd);
		evhttp_free(metrics.http);
		metrics.http = NULL;
		log_warnx("metrics: cannot serve on %s port %u", a,
		    c->metrics_port);
		return -1;
	}
	metrics.addr = c->metrics_addr;
	metrics.port = c->metrics_port;
	log_info("metrics: serving http://%s%s%s:%u/metrics",
	    c->metrics_addr.aid == BGP_AID_IPV6 ? "[" : "", a,
	    c->metrics_addr.aid == BGP_AID_IPV6 ? "]" : "", c->metrics_port);
	return 0;
}

void
metrics_close(struct daemon *d)
{
	(void)d;
	if (metrics.http == NULL)
		return;
	/* Closes the listener and every connection, scrapes or not. */
	evhttp_free(metrics.http);
	metrics.http = NULL;
}

void
metrics_reload(struct daemon *d)
{
	const struct config	*c = d->conf;

	if (metrics.http != NULL && c->metrics &&
	    config_addr_equal(&metrics.addr, &c->metrics_addr) &&
	    metrics.port == c->metrics_port)
		return;
	if (metrics.http == NULL && !c->metrics)
		return;
	if (!c->metrics) {
		log_info("metrics: no longer configured, closing");
		metrics_close(d);
		return;
	}
	/* Close first: the same port on another address may clash. */
	metrics_open(d);
}
