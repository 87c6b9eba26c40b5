/*
 * anycastd: options, configuration loading, the event loop, signals and
 * reload. Everything else happens in the modules it starts: session.c
 * (BGP), announce.c (what to send), control.c (anycastctl).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "anycastd.h"
#include "announce.h"
#include "config.h"
#include "control.h"
#include "health.h"
#include "log.h"
#include "metrics.h"
#include "monitor.h"
#include "notify.h"
#include "privsep.h"
#include "session.h"
#include "util.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#define DEFAULT_CONF	SYSCONFDIR "/anycastd.conf"
#define SHUTDOWN_COMM	"anycastd shutting down"
#define SHUTDOWN_FLUSH_SECS	3

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: anycastd [-nvV] [-f file] [-s socket] "
	    "[-u user]\n");
	exit(1);
}

static void
print_errors(const struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->v[i].text);
}

/* Logs every problem found in a configuration; returns the error count. */
static size_t
log_errors(const struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		log_warnx("%s", errs->v[i].text);
	return errs->nerrors;
}

/* expr_eval's view of the checks: up as the health engine says. */
static bool
check_up(void *arg, const struct check_conf *cc)
{
	struct daemon *d = arg;

	return health_up(d->health, cc->name);
}

/* A check changed: the UPDATEs go out now, in this loop iteration. */
static void
health_changed(void *arg, const struct check_state *st)
{
	struct daemon *d = arg;

	monitor_check(st);
	announce_checks_changed(d, check_up, d);
}

/* Whether two neighbor blocks can share a session: all but the
 * description must match. */
static bool
neighbor_same_session(const struct neighbor_conf *a,
    const struct neighbor_conf *b)
{
	struct neighbor_conf x = *a;
	bool same;

	strlcpy(x.descr, b->descr, sizeof(x.descr));
	same = neighbor_conf_equal(&x, b);
	neighbor_conf_wipe(&x);
	return same;
}

/*
 * SIGHUP or `reload`: parse into a new configuration; on error keep the
 * running one. Otherwise neighbors that did not change keep their
 * sessions, changed ones are reset alone, prefixes change incrementally.
 */
int
daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct config_errors errs = { 0 };
	struct config *nc, *old = d->conf;
	struct config_neighbor *cn;
	struct peer *p, *next;
	size_t added = 0, removed = 0, changed = 0;

	log_info("reloading %s", d->conf_path);
	notify_reloading();
	nc = config_parse_file(d->conf_path, &errs);
	if (nc == NULL) {
		log_errors(&errs);
		if (err != NULL)
			snprintf(err, errlen, "%s", errs.n > 0 ?
			    errs.v[0].text : "cannot read the configuration");
		monitor_reload(false, errs.n > 0 ? errs.v[0].text :
		    "cannot read the configuration");
		notify_ready_after_reload(errs.n > 0 ? errs.v[0].text :
		    "cannot read the configuration");
		config_errors_free(&errs);
		return -1;
	}
	log_errors(&errs);
	config_errors_free(&errs);

	if (nc->local_as != old->local_as || nc->router_id != old->router_id)
		log_warnx("local-as or router-id changed: every session "
		    "restarts");
	/* Checks first, so the prefixes are judged on the new checks. */
	health_reload(d->health, nc);
	announce_reload(d, nc, check_up, d);
	d->conf = nc;
	TAILQ_FOREACH_SAFE(p, &d->peers, entry, next) {
		cn = config_find_neighbor(nc, &p->conf.addr);
		if (cn == NULL) {
			session_peer_remove(p);
			removed++;
		} else if (!neighbor_same_session(&cn->conf, &p->conf) ||
		    nc->local_as != old->local_as ||
		    nc->router_id != old->router_id) {
			session_peer_reconfigure(p, &cn->conf);
			changed++;
		} else	/* a new description needs no new session */
			strlcpy(p->conf.descr, cn->conf.descr,
			    sizeof(p->conf.descr));
	}
	TAILQ_FOREACH(cn, &nc->neighbors, entry)
		if (session_peer_find(d, &cn->conf.addr) == NULL) {
			session_peer_add(d, &cn->conf);
			added++;
		}
	config_free(old);
	metrics_reload(d);
	notify_ready_after_reload(NULL);
	log_debug("reload: %zu neighbors added, %zu removed, %zu changed",
	    added, removed, changed);
	monitor_reload(true, NULL);
	return 0;
}

static void
stop_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	log_warnx("some NOTIFICATIONs could not be sent in time");
	event_base_loopexit(d->base, NULL);
}

static void
daemon_stop(struct daemon *d)
{
	struct timeval tv = { SHUTDOWN_FLUSH_SECS, 0 };
	struct event *ev;

	if (d->stopping)
		return;
	log_info("shutting down");
	notify_stopping();
	control_close(d);
	session_shutdown_all(d, SHUTDOWN_COMM);
	if (!session_flushing(d)) {
		event_base_loopexit(d->base, NULL);
		return;
	}
	ev = evtimer_new(d->base, stop_timeout_cb, d);
	evtimer_add(ev, &tv);
	d->stop_timer = ev;
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		daemon_stop(d);
		break;
	case SIGHUP:
		daemon_reload(d, NULL, 0);
		break;
	}
}

int
main(int argc, char *argv[])
{
	struct config_errors errs = { 0 };
	struct daemon d;
	struct config_neighbor *cn;
	struct event *sigs[3];
	const int signos[3] = { SIGTERM, SIGINT, SIGHUP };
	const char *conf_path = DEFAULT_CONF, *sock = NULL, *user = NULL;
	char err[256];
	bool check_only = false;
	int ch, verbose = 0;
	size_t i;

	while ((ch = getopt(argc, argv, "f:ns:u:vV")) != -1) {
		switch (ch) {
		case 'f':
			conf_path = optarg;
			break;
		case 'n':
			check_only = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("anycastd %s\n", ANYCASTD_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	memset(&d, 0, sizeof(d));
	d.conf_path = conf_path;
	d.conf = config_parse_file(conf_path, &errs);
	if (check_only) {
		print_errors(&errs);
		config_errors_free(&errs);
		if (d.conf == NULL)
			return 1;
		if (verbose > 0)
			config_print(stdout, d.conf);
		else
			fprintf(stderr, "config OK\n");
		config_free(d.conf);
		return 0;
	}
	if (d.conf == NULL) {
		print_errors(&errs);
		config_errors_free(&errs);
		return 1;
	}
	/* Start-up failures go to stderr; syslog (if asked) once running. */
	log_init("anycastd", false, verbose);
	log_errors(&errs);		/* warnings */
	config_errors_free(&errs);
	/* A copy: reload frees the configuration it came from. */
	d.control_path = xstrdup(sock != NULL ? sock : d.conf->control_path);

	signal(SIGPIPE, SIG_IGN);
	if ((d.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	TAILQ_INIT(&d.peers);
	TAILQ_INIT(&d.listeners);
	TAILQ_INIT(&d.closing);
	mono_now(&d.started);
	d.started_wall = time(NULL);
	for (i = 0; i < nitems(signos); i++) {
		sigs[i] = evsignal_new(d.base, signos[i], signal_cb, &d);
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) == -1)
			fatalx("evsignal_new");
	}

	/* A bad user fails the start before any socket exists. */
	if (user == NULL)
		user = d.conf->user;
	if (privsep_check(user, err, sizeof(err)) == -1)
		fatalx("%s", err);
	announce_init(&d);
	d.health = health_new(d.base, d.conf, health_changed, &d);
	if (session_listen(&d) == -1)
		fatalx("cannot open the BGP listener");
	if (control_open(&d) == -1)
		fatalx("cannot open the control socket %s", d.control_path);
	if (metrics_open(&d) == -1)
		fatalx("cannot open the metrics endpoint");
	/* Every privileged socket is open and nothing has been forked: the
	 * health checks' first runs wait for the loop. */
	if (privsep_drop(user, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (d.conf->log_syslog)
		log_init("anycastd", true, verbose);
	TAILQ_FOREACH(cn, &d.conf->neighbors, entry)
		session_peer_add(&d, &cn->conf);
	log_info("anycastd %s started: AS %u, router-id %s, %zu neighbors, "
	    "%zu prefixes", ANYCASTD_VERSION, d.conf->local_as,
	    inet_ntoa((struct in_addr){ htonl(d.conf->router_id) }),
	    d.conf->nneighbors, d.conf->nprefixes);
	notify_init(d.base, notify_daemon_progressing, notify_daemon_status,
	    &d);
	notify_ready(NULL);

	event_base_dispatch(d.base);

	notify_close();
	metrics_close(&d);
	control_close(&d);
	health_free(d.health);
	session_free_all(&d);
	announce_free(&d);
	for (i = 0; i < nitems(signos); i++)
		event_free(sigs[i]);
	if (d.stop_timer != NULL)
		event_free(d.stop_timer);
	config_free(d.conf);
	free((char *)d.control_path);
	event_base_free(d.base);
	log_info("stopped");
	return 0;
}
