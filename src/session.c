/*
 * BGP sessions: turns sockets and timers into FSM events and carries out
 * the actions fsm_step() returns. Owns the listeners, every connection,
 * the per-peer timers, OPEN negotiation and collision detection (RFC 4271
 * 6.8), and the framing of received messages. It decodes UPDATEs into the
 * peer's Adj-RIB-In and tells announce.c when a peer comes up or goes
 * down; it never decides what to announce.
 *
 * A peer runs its FSM on one connection (p->conn). An incoming connection
 * that arrives while that one is in OpenSent or OpenConfirm is kept as
 * p->pending and exchanges OPENs on its own; once its OPEN arrives, the
 * BGP Identifiers decide which connection survives, and the loser gets
 * Cease/Connection Collision Resolution.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "platform.h"
#include "anycastd.h"
#include "announce.h"
#include "log.h"
#include "monitor.h"
#include "rib_in.h"
#include "session.h"
#include "util.h"

#define GTSM_TTL		255	/* RFC 5082 3 */
#define GTSM_MIN_TTL		254	/* directly connected peers */
#define IPTOS_BGP		0xc0	/* CS6, network control */
#define CLOSE_FLUSH_SECS	3	/* time a NOTIFICATION gets to leave */
#define IDLEHOLD_BASE_MS	1000	/* first automatic restart */
#define BACKOFF_MAX_MS		120000
#define STABLE_SESSION_SECS	60	/* then the back-off starts over */

struct listener {
	TAILQ_ENTRY(listener)	 entry;
	struct daemon		*d;
	struct evconnlistener	*lev;
	int			 fd;
	int			 family;
};

static void	 fsm_event(struct peer *, enum fsm_event);
static void	 conn_read_cb(struct bufferevent *, void *);
static void	 conn_write_cb(struct bufferevent *, void *);
static void	 conn_event_cb(struct bufferevent *, short, void *);
static void	 pending_read_cb(struct bufferevent *, void *);
static void	 pending_event_cb(struct bufferevent *, short, void *);
static void	 conn_close(struct conn *, bool flush);
static void	 send_notification(struct peer *, struct conn *, uint8_t,
		    uint8_t, const void *, size_t, const char *);

void
mono_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

double
mono_since(const struct timespec *then)
{
	struct timespec now;

	if (then->tv_sec == 0 && then->tv_nsec == 0)
		return 0;
	mono_now(&now);
	return (double)(now.tv_sec - then->tv_sec) +
	    (double)(now.tv_nsec - then->tv_nsec) / 1e9;
}

const char *
session_peer_name(const struct peer *p)
{
	static char name[CONFIG_ADDR_STRLEN + NEIGHBOR_DESCR_MAX + 16];
	char addr[CONFIG_ADDR_STRLEN];

	config_addr_ntop(&p->conf.addr, addr, sizeof(addr));
	if (p->conf.descr[0] != '\0')
		snprintf(name, sizeof(name), "neighbor %s (%s)", addr,
		    p->conf.descr);
	else
		snprintf(name, sizeof(name), "neighbor %s", addr);
	return name;
}

static void
peer_error(struct peer *p, const char *fmt, ...) __printflike(2, 3);

/* Logs a peer-scoped problem and keeps it for `show neighbors`. */
static void
peer_error(struct peer *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->last_error, sizeof(p->last_error), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", session_peer_name(p), p->last_error);
}

bool
session_is_ebgp(const struct peer *p)
{
	return p->conf.remote_as != p->d->conf->local_as;
}

static size_t
peer_maxlen(const struct peer *p)
{
	return p->neg.ext_message ? BGP_MAX_EXT_MSG_LEN : BGP_MAX_MSG_LEN;
}

/* ------------------------------------------------------------------ */
/* Timers                                                               */

static void
timer_set_ms(struct event *ev, uint32_t ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

static void
connretry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fsm_event(arg, FSM_EV_CONNRETRY_EXPIRED);
}

static void
hold_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fsm_event(arg, FSM_EV_HOLD_EXPIRED);
}

static void
keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fsm_event(arg, FSM_EV_KEEPALIVE_EXPIRED);
}

static void
idlehold_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fsm_event(arg, FSM_EV_IDLEHOLD_EXPIRED);
}

static void
timers_stop(struct peer *p)
{
	evtimer_del(p->t_connretry);
	evtimer_del(p->t_hold);
	evtimer_del(p->t_keepalive);
	evtimer_del(p->t_idlehold);
}

static void
hold_restart(struct peer *p)
{
	if (p->neg.hold_time > 0)
		timer_set_ms(p->t_hold, p->neg.hold_time * 1000u);
	else
		evtimer_del(p->t_hold);
}

static void
keepalive_restart(struct peer *p)
{
	uint32_t ms;

	if (p->neg.hold_time == 0) {
		evtimer_del(p->t_keepalive);
		return;
	}
	/* A third of the hold time (RFC 4271 4.4), jittered (10), and
	 * never more often than once a second. */
	ms = fsm_jitter_ms(p->neg.hold_time * 1000u / 3, arc4random());
	if (ms < 1000)
		ms = 1000;
	timer_set_ms(p->t_keepalive, ms);
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

static void
count_out(struct peer *p, const uint8_t *msg, size_t len)
{
	if (len >= BGP_HEADER_LEN && msg[18] <= BGP_MSG_ROUTE_REFRESH)
		p->stats.msgs_out[msg[18]]++;
}

static int
conn_send(struct conn *c, const void *msg, size_t len)
{
	if (c == NULL || c->bev == NULL || !c->connected)
		return -1;
	if (bufferevent_write(c->bev, msg, len) == -1)
		return -1;
	count_out(c->peer, msg, len);
	return 0;
}

int
session_send(struct peer *p, const void *msg, size_t len)
{
	if (p->state != FSM_ESTABLISHED)
		return -1;
	return conn_send(p->conn, msg, len);
}

size_t
session_output_pending(const struct peer *p)
{
	if (p->conn == NULL || p->conn->bev == NULL)
		return 0;
	return evbuffer_get_length(bufferevent_get_output(p->conn->bev));
}

static void
send_keepalive(struct peer *p, struct conn *c)
{
	uint8_t mem[BGP_HEADER_LEN];
	struct buf b;

	buf_init(&b, mem, sizeof(mem));
	if (bgp_msg_put_keepalive(&b) == 0)
		conn_send(c, b.data, b.len);
	(void)p;
}

static void
open_build(const struct peer *p, struct bgp_open *o)
{
	const struct config *conf = p->d->conf;
	char host[256];
	char *dot;
	int aid;

	memset(o, 0, sizeof(*o));
	o->version = BGP_VERSION;
	/* RFC 6793 4.1: AS_TRANS in the 2-octet field for larger ASNs. */
	o->my_as = conf->local_as > 0xffff ? BGP_AS_TRANS :
	    (uint16_t)conf->local_as;
	o->holdtime = p->conf.hold_time;
	o->bgp_id = conf->router_id;
	for (aid = 0; aid < BGP_AID_MAX; aid++)
		o->caps.mp[aid] = p->conf.family[aid];
	o->caps.route_refresh = true;
	o->caps.enhanced_route_refresh = true;
	o->caps.ext_message = true;
	o->caps.as4 = true;
	o->caps.as4_asn = conf->local_as;
	/*
	 * No graceful restart capability: when anycastd dies its routes must
	 * go at once, not be retained by the peer (the failure mode is
	 * always "not announced").
	 */
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		if ((dot = strchr(host, '.')) != NULL) {
			*dot++ = '\0';
			strlcpy(o->caps.domainname, dot,
			    sizeof(o->caps.domainname));
		}
		strlcpy(o->caps.hostname, host, sizeof(o->caps.hostname));
		o->caps.fqdn = true;
	}
}

static void
send_open(struct peer *p, struct conn *c)
{
	uint8_t mem[BGP_MAX_MSG_LEN];
	struct bgp_open o;
	struct buf b;

	open_build(p, &o);
	buf_init(&b, mem, sizeof(mem));
	if (bgp_msg_put_open(&b, &o) == -1)
		fatalx("cannot encode our OPEN");
	conn_send(c, b.data, b.len);
}

static void
send_notification(struct peer *p, struct conn *c, uint8_t code,
    uint8_t subcode, const void *data, size_t datalen, const char *comm)
{
	uint8_t mem[BGP_MAX_MSG_LEN];
	struct buf b;
	int rc;

	buf_init(&b, mem, sizeof(mem));
	/* RFC 9003: a shutdown communication goes with Cease 2 and 4. */
	if (comm != NULL && (comm[0] == '\0' || code != BGP_ERR_CEASE ||
	    (subcode != BGP_ERR_CEASE_ADMIN_SHUTDOWN &&
	    subcode != BGP_ERR_CEASE_ADMIN_RESET)))
		comm = NULL;
	if (comm != NULL)
		rc = bgp_msg_put_cease(&b, subcode, comm);
	else
		rc = bgp_msg_put_notification(&b, code, subcode, data,
		    datalen, BGP_MAX_MSG_LEN);
	if (rc == -1)
		return;
	if (conn_send(c, b.data, b.len) == -1)
		return;
	if (c == p->conn)
		snprintf(p->last_error, sizeof(p->last_error),
		    "sent %s/%s%s%s%s", bgp_err_code_name(code),
		    bgp_err_subcode_name(code, subcode), comm ? " \"" : "",
		    comm ? comm : "", comm ? "\"" : "");
	log_warnx("%s: sent NOTIFICATION %s/%s%s%s%s", session_peer_name(p),
	    bgp_err_code_name(code), bgp_err_subcode_name(code, subcode),
	    comm ? " \"" : "", comm ? comm : "", comm ? "\"" : "");
}

/* ------------------------------------------------------------------ */
/* Sockets                                                              */

static void
sockopts_common(int fd, int family, const struct neighbor_conf *nc)
{
	int one = 1, tos = IPTOS_BGP, ttl = GTSM_TTL, minttl = GTSM_MIN_TTL;

	/* An UPDATE that withdraws a failed PoP must leave now, not when
	 * Nagle is satisfied. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		log_warn("TCP_NODELAY");
	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) == -1)
			log_warn("IP_TOS");
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
		    sizeof(tos)) == -1)
			log_warn("IPV6_TCLASS");
	}
	if (nc == NULL || !nc->ttl_security)
		return;
	/* RFC 5082 3: send with TTL 255, accept only 254 and up. */
	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == -1)
			log_warn("IP_TTL");
#ifdef HAVE_IP_MINTTL
		if (setsockopt(fd, IPPROTO_IP, IP_MINTTL, &minttl,
		    sizeof(minttl)) == -1)
			log_warn("IP_MINTTL");
#endif
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
		    sizeof(ttl)) == -1)
			log_warn("IPV6_UNICAST_HOPS");
#ifdef HAVE_IPV6_MINHOPCOUNT
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &minttl,
		    sizeof(minttl)) == -1)
			log_warn("IPV6_MINHOPCOUNT");
#endif
	}
	(void)minttl;
}

/* Installs (or, with an empty password, removes) the RFC 2385 key for a
 * neighbor on a socket. */
static int
sockopt_md5(int fd, const struct neighbor_conf *nc)
{
#ifdef HAVE_TCP_MD5SIG
	struct tcp_md5sig md5;
	size_t len = strlen(nc->password);

	memset(&md5, 0, sizeof(md5));
	config_addr_sockaddr(&nc->addr, 0, &md5.tcpm_addr);
	md5.tcpm_keylen = (uint16_t)len;
	memcpy(md5.tcpm_key, nc->password, len);
	if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5)) == -1) {
		/* Deleting a key that was never set is not a problem. */
		if (len == 0 && errno == ENOENT) {
			explicit_bzero(&md5, sizeof(md5));
			return 0;
		}
		explicit_bzero(&md5, sizeof(md5));
		return -1;
	}
	explicit_bzero(&md5, sizeof(md5));
	return 0;
#else
	(void)fd;
	if (nc->password[0] == '\0')
		return 0;
	errno = ENOTSUP;
	return -1;
#endif
}

static struct conn *
conn_new(struct peer *p, int fd, bool outgoing)
{
	struct conn *c;

	c = xcalloc(1, sizeof(*c));
	c->peer = p;
	c->d = p->d;
	c->outgoing = outgoing;
	c->bev = bufferevent_socket_new(p->d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatalx("bufferevent_socket_new");
	return c;
}

static void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->closing_timer != NULL)
		event_free(c->closing_timer);
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	free(c);
}

static void
closing_done(struct conn *c)
{
	struct daemon *d = c->d;	/* the peer may be gone */

	TAILQ_REMOVE(&d->closing, c, closing_entry);
	conn_free(c);
	if (d->stopping && TAILQ_EMPTY(&d->closing))
		event_base_loopexit(d->base, NULL);
}

static void
closing_write_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	closing_done(arg);
}

static void
closing_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	closing_done(arg);
}

static void
closing_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	closing_done(arg);
}

/*
 * Closes a connection. With flush, what is queued (a NOTIFICATION) is
 * written first, for at most CLOSE_FLUSH_SECS; the connection no longer
 * belongs to its peer either way.
 */
static void
conn_close(struct conn *c, bool flush)
{
	struct daemon *d = c->d;
	struct evbuffer *out;

	if (c->peer->conn == c)
		c->peer->conn = NULL;
	if (c->peer->pending == c)
		c->peer->pending = NULL;
	if (!flush || c->bev == NULL || !c->connected) {
		conn_free(c);
		return;
	}
	out = bufferevent_get_output(c->bev);
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(out) == 0) {
		conn_free(c);
		return;
	}
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	bufferevent_setcb(c->bev, NULL, closing_write_cb, closing_event_cb, c);
	bufferevent_enable(c->bev, EV_WRITE);
	c->closing_timer = evtimer_new(d->base, closing_timeout_cb, c);
	timer_set_ms(c->closing_timer, CLOSE_FLUSH_SECS * 1000);
	TAILQ_INSERT_TAIL(&d->closing, c, closing_entry);
}

/* Our end of the connection: the default next hop. */
static void
conn_fill_local(struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(bufferevent_getfd(c->bev), (struct sockaddr *)&ss,
	    &len) == 0)
		c->local = ss;
}

static void
conn_attach(struct conn *c)
{
	c->connected = true;
	conn_fill_local(c);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	/* announce.c refills the queue when it drains below this. */
	bufferevent_setwatermark(c->bev, EV_WRITE, ANNOUNCE_LOW_WATER, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* Starts a non-blocking connect; CONN_OPEN or CONN_FAIL follows. */
static void
session_connect(struct peer *p)
{
	struct sockaddr_storage ss, local;
	socklen_t len, llen;
	struct conn *c;
	int fd, family;

	if (p->conn != NULL)
		conn_close(p->conn, false);
	len = config_addr_sockaddr(&p->conf.addr, BGP_PORT, &ss);
	family = ss.ss_family;
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		peer_error(p, "socket: %s", strerror(errno));
		goto fail;
	}
	sockopts_common(fd, family, &p->conf);
	if (p->conf.password[0] != '\0' && sockopt_md5(fd, &p->conf) == -1) {
		peer_error(p, "TCP MD5 signature: %s", strerror(errno));
		close(fd);
		goto fail;
	}
	if (p->conf.has_local_addr) {
		llen = config_addr_sockaddr(&p->conf.local_addr, 0, &local);
		if (bind(fd, (struct sockaddr *)&local, llen) == -1) {
			peer_error(p, "bind to local-address: %s",
			    strerror(errno));
			close(fd);
			goto fail;
		}
	}
	c = conn_new(p, fd, true);
	p->conn = c;
	bufferevent_setcb(c->bev, NULL, NULL, conn_event_cb, c);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&ss,
	    (int)len) == -1) {
		peer_error(p, "connect: %s", strerror(errno));
		conn_close(c, false);
		goto fail;
	}
	log_debug("%s: connecting", session_peer_name(p));
	return;
fail:
	fsm_event(p, FSM_EV_CONN_FAIL);
}

/* ------------------------------------------------------------------ */
/* The FSM's actions                                                    */

static void
change_state(struct peer *p, enum fsm_state next, enum fsm_event ev)
{
	if (p->state == next)
		return;
	monitor_session(p, p->state, next, fsm_event_name(ev));
	if (next == FSM_ESTABLISHED) {
		mono_now(&p->established_since);
		memset(p->eor_rcvd, 0, sizeof(p->eor_rcvd));
		p->stats.established_count++;
		p->last_error[0] = '\0';
	} else if (p->state == FSM_ESTABLISHED)
		memset(&p->established_since, 0, sizeof(p->established_since));
	p->state = next;
	mono_now(&p->state_since);
	announce_peer_state(p);
}

static void
run_notification(struct peer *p, const struct fsm_result *r)
{
	const char *comm = NULL;
	uint8_t code = r->err_code, subcode = r->err_subcode;
	const void *data = NULL;
	size_t datalen = 0;

	if (code == 0) {		/* the decoder's error */
		code = p->err.code;
		subcode = p->err.subcode;
		data = p->err.data;
		datalen = p->err.datalen;
	} else if (code == BGP_ERR_CEASE) {
		if (subcode == 0)	/* AutomaticStop: our reason */
			subcode = p->stop_subcode;
		comm = p->stop_comm;
	}
	if (code != 0)
		send_notification(p, p->conn, code, subcode, data, datalen,
		    comm);
}

/*
 * The main connection died in OpenSent or OpenConfirm (the peer closed it,
 * or resolved a collision against it) while the peer's own connection
 * waits as p->pending: carry on with that one, which is in OpenSent since
 * our OPEN went out on it (RFC 4271 6.8 leaves exactly one connection).
 */
static void
pending_promote(struct peer *p, enum fsm_event ev)
{
	struct conn *c = p->pending;

	if (p->conn != NULL)
		conn_close(p->conn, true);
	p->pending = NULL;
	p->conn = c;
	memset(&p->neg, 0, sizeof(p->neg));
	evtimer_del(p->t_keepalive);
	timer_set_ms(p->t_hold, BGP_HOLDTIME_LARGE * 1000u);
	log_info("%s: continuing on the connection the peer opened",
	    session_peer_name(p));
	if (p->state != FSM_OPENSENT)
		change_state(p, FSM_OPENSENT, ev);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_WRITE, ANNOUNCE_LOW_WATER, 0);
	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		conn_read_cb(c->bev, c);
}

static void
fsm_event(struct peer *p, enum fsm_event ev)
{
	struct fsm_result r;
	uint32_t a, ms, failures;

	if (p->pending != NULL && (p->state == FSM_OPENSENT ||
	    p->state == FSM_OPENCONFIRM) && (ev == FSM_EV_NOTIF ||
	    ev == FSM_EV_CONN_FAIL || ev == FSM_EV_COLLISION_DUMP)) {
		pending_promote(p, ev);
		return;
	}
	r = fsm_step(p->state, ev, p->conf.passive);
	a = r.actions;
	/* Not the steady stream of an Established session: a full table is
	 * 100,000s of UPDATEs, and naming the peer costs more than them. */
	if (log_get_verbosity() > 0 && (p->state != FSM_ESTABLISHED ||
	    (ev != FSM_EV_RCVD_UPDATE && ev != FSM_EV_RCVD_KEEPALIVE)))
		log_debug("%s: %s in %s", session_peer_name(p),
		    fsm_event_name(ev), fsm_state_name(p->state));

	if (a & FSM_ACT_SEND_NOTIFICATION)
		run_notification(p, &r);
	if (a & FSM_ACT_SEND_OPEN)
		send_open(p, p->conn);
	if (a & FSM_ACT_SEND_KEEPALIVE)
		send_keepalive(p, p->conn);
	if ((a & FSM_ACT_DROP_TCP) && p->conn != NULL)
		conn_close(p->conn, true);
	if (a & FSM_ACT_RELEASE) {
		timers_stop(p);
		if (p->pending != NULL)
			conn_close(p->pending, false);
		memset(&p->neg, 0, sizeof(p->neg));
	}
	if (a & FSM_ACT_DELETE_ROUTES)
		rib_in_clear(p->rib);
	if (a & FSM_ACT_COUNTER_RESET)
		p->connretry_counter = 0;
	if (a & FSM_ACT_COUNTER_INC) {
		/* A session that stayed up a while starts the back-off over. */
		if (p->state == FSM_ESTABLISHED &&
		    mono_since(&p->established_since) >= STABLE_SESSION_SECS)
			p->connretry_counter = 0;
		p->connretry_counter++;
	}
	failures = p->connretry_counter > 0 ? p->connretry_counter - 1 : 0;
	if (a & FSM_ACT_CONNRETRY_STOP)
		evtimer_del(p->t_connretry);
	if (a & FSM_ACT_CONNRETRY_START) {
		ms = fsm_backoff_ms(p->conf.connect_retry_ms, BACKOFF_MAX_MS,
		    failures, arc4random());
		timer_set_ms(p->t_connretry, ms);
	}
	if (a & FSM_ACT_HOLD_LARGE)	/* RFC 4271 8.2.2: 4 minutes */
		timer_set_ms(p->t_hold, BGP_HOLDTIME_LARGE * 1000u);
	if (a & FSM_ACT_HOLD_NEGOTIATED) {
		hold_restart(p);
		keepalive_restart(p);
	}
	if (a & FSM_ACT_HOLD_RESTART)
		hold_restart(p);
	if (a & FSM_ACT_KEEPALIVE_RESTART)
		keepalive_restart(p);

	change_state(p, r.next, ev);

	if (a & FSM_ACT_IDLEHOLD_START && !p->admin_down && !p->d->stopping) {
		ms = p->collision_lost ? 0 : fsm_backoff_ms(IDLEHOLD_BASE_MS,
		    BACKOFF_MAX_MS, failures, arc4random());
		p->collision_lost = false;
		log_debug("%s: restarting in %u ms", session_peer_name(p), ms);
		timer_set_ms(p->t_idlehold, ms);
	}
	if (a & FSM_ACT_ESTABLISHED)
		announce_peer_up(p);
	if (a & FSM_ACT_CONNECT)
		session_connect(p);
}

/* ------------------------------------------------------------------ */
/* Receiving                                                            */

/*
 * The checks of an OPEN that need the configuration (RFC 4271 6.2), and
 * the negotiation of what the session will use. Fills p->err on failure.
 */
static int
open_accept(struct peer *p, const struct bgp_open *o, struct peer_negotiated *n)
{
	const struct config *conf = p->d->conf;
	bool peer_family[BGP_AID_MAX] = { false }, any_mp = false, any = false;
	uint8_t data[BGP_AID_MAX * 6];
	size_t datalen = 0;
	int aid;

	memset(n, 0, sizeof(*n));
	n->remote_as = bgp_open_peer_as(o);
	n->remote_id = o->bgp_id;
	if (n->remote_as != p->conf.remote_as) {
		peer_error(p, "OPEN: peer AS %u, expected %u", n->remote_as,
		    p->conf.remote_as);
		return bgp_err_set(&p->err, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_BAD_PEER_AS);
	}
	/* RFC 6286 2.2: unique within an AS, so only iBGP must differ. */
	if (o->bgp_id == conf->router_id && !session_is_ebgp(p)) {
		peer_error(p, "OPEN: BGP Identifier equal to ours");
		return bgp_err_set(&p->err, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_BAD_BGP_ID);
	}
	/* RFC 4271 4.2: the smaller hold time; the decoder refused 1 and 2. */
	if (fsm_negotiate_hold(p->conf.hold_time, o->holdtime,
	    &n->hold_time) == -1)
		return bgp_err_set(&p->err, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_BAD_HOLDTIME);
	for (aid = 0; aid < BGP_AID_MAX; aid++)
		if (o->caps.mp[aid])
			peer_family[aid] = any_mp = true;
	/* A speaker without multiprotocol capabilities does IPv4 unicast
	 * (RFC 4760 8). Capabilities for other families are in unknown. */
	if (!any_mp && o->caps.unknown_len == 0)
		peer_family[BGP_AID_IPV4] = true;
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		n->family[aid] = p->conf.family[aid] && peer_family[aid];
		any |= n->family[aid];
		if (p->conf.family[aid]) {
			data[datalen++] = BGP_CAPA_MP;
			data[datalen++] = 4;
			data[datalen++] = 0;
			data[datalen++] = (uint8_t)bgp_aid_afi(aid);
			data[datalen++] = 0;
			data[datalen++] = bgp_aid_safi(aid);
		}
	}
	if (!any) {
		peer_error(p, "OPEN: no address family in common");
		bgp_err_set(&p->err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_CAPABILITY);
		memcpy(p->err.scratch, data, datalen < sizeof(p->err.scratch) ?
		    datalen : sizeof(p->err.scratch));
		p->err.data = p->err.scratch;
		p->err.datalen = datalen < sizeof(p->err.scratch) ? datalen :
		    sizeof(p->err.scratch);
		return -1;
	}
	n->as4 = o->caps.as4;
	n->route_refresh = o->caps.route_refresh ||
	    o->caps.enhanced_route_refresh;
	n->enhanced_rr = o->caps.enhanced_route_refresh;
	n->ext_message = o->caps.ext_message;	/* we always offer it */
	if (o->caps.fqdn)
		strlcpy(n->hostname, o->caps.hostname, sizeof(n->hostname));
	return 0;
}

static void
rcvd_notification(struct peer *p, struct buf *body)
{
	struct bgp_notification nm;
	struct bgp_err err;

	if (bgp_msg_get_notification(body, &nm, &err) == -1) {
		peer_error(p, "received a malformed NOTIFICATION");
		fsm_event(p, FSM_EV_NOTIF);
		return;
	}
	if (nm.has_shutdown_comm)
		snprintf(p->last_error, sizeof(p->last_error),
		    "received %s/%s \"%s\"", bgp_err_code_name(nm.code),
		    bgp_err_subcode_name(nm.code, nm.subcode),
		    nm.shutdown_comm);
	else
		snprintf(p->last_error, sizeof(p->last_error),
		    "received %s/%s", bgp_err_code_name(nm.code),
		    bgp_err_subcode_name(nm.code, nm.subcode));
	log_warnx("%s: %s", session_peer_name(p), p->last_error);
	/* The peer resolved a collision against this connection and keeps
	 * its own, which waits in our listen queue: take it without a
	 * back-off. */
	if (nm.code == BGP_ERR_CEASE && nm.subcode == BGP_ERR_CEASE_COLLISION &&
	    p->state != FSM_ESTABLISHED)
		p->collision_lost = true;
	/* RFC 4271 8.2.1: NotifMsgVerErr is a version error in OpenSent. */
	if (nm.code == BGP_ERR_OPEN && nm.subcode == BGP_ERR_OPEN_BAD_VERSION)
		fsm_event(p, FSM_EV_NOTIF_VERSION_ERR);
	else
		fsm_event(p, FSM_EV_NOTIF);
}

static void
rcvd_update(struct peer *p, struct buf *body)
{
	struct bgp_decode_ctx ctx = { 0 };
	struct bgp_update u;
	struct rib_in_result res;

	if (p->state != FSM_ESTABLISHED) {
		fsm_event(p, FSM_EV_RCVD_UPDATE);	/* an FSM error */
		return;
	}
	ctx.as4 = p->neg.as4;
	ctx.ebgp = session_is_ebgp(p);
	if (bgp_msg_get_update(body, &ctx, &u, &p->err) == -1) {
		peer_error(p, "malformed UPDATE: %s/%s",
		    bgp_err_code_name(p->err.code),
		    bgp_err_subcode_name(p->err.code, p->err.subcode));
		fsm_event(p, FSM_EV_UPDATE_ERR);
		return;
	}
	if (u.outcome == BGP_UPDATE_TREAT_AS_WITHDRAW)
		log_warnx("%s: UPDATE with a malformed attribute (type %u, "
		    "%s): its routes are treated as withdrawn (RFC 7606)",
		    session_peer_name(p), u.err_attr,
		    bgp_err_subcode_name(BGP_ERR_UPDATE, u.err_subcode));
	if (rib_in_apply(p->rib, &u, &ctx, &res) == -1)
		log_warnx("%s: attributes too large to keep; routes dropped",
		    session_peer_name(p));
	/* RFC 4724 2: the peer's initial table for the family is complete
	 * (the first marker only; a later one changes nothing). */
	if (u.eor && p->neg.family[u.eor_aid] && !p->eor_rcvd[u.eor_aid]) {
		p->eor_rcvd[u.eor_aid] = true;
		monitor_eor(p, u.eor_aid, rib_in_count(p->rib, u.eor_aid),
		    mono_since(&p->established_since));
	}
	bgp_update_free(&u);
	fsm_event(p, FSM_EV_RCVD_UPDATE);
}

static void
rcvd_route_refresh(struct peer *p, const uint8_t *whole, size_t len,
    struct buf *body)
{
	struct bgp_route_refresh rr;
	enum bgp_aid aid;

	if (p->state != FSM_ESTABLISHED) {
		fsm_event(p, FSM_EV_RCVD_UPDATE);	/* an FSM error */
		return;
	}
	if (bgp_msg_get_route_refresh(body, whole, len, &rr, &p->err) == -1) {
		peer_error(p, "malformed ROUTE-REFRESH");
		fsm_event(p, FSM_EV_UPDATE_ERR);
		return;
	}
	hold_restart(p);
	/* RFC 2918 4 / RFC 7313 4: ignore what was not negotiated, and the
	 * peer's own BoRR/EoRR markers, which matter only to a receiver. */
	if (!p->neg.route_refresh || rr.subtype != BGP_RR_NORMAL ||
	    bgp_aid_from_afi(rr.afi, rr.safi, &aid) == -1 ||
	    !p->neg.family[aid])
		return;
	log_info("%s: route refresh requested for %s", session_peer_name(p),
	    bgp_aid_name(aid));
	announce_refresh(p, aid);
}

static void
rcvd_open(struct peer *p, struct buf *body)
{
	struct bgp_open o;
	struct peer_negotiated n;

	if (p->state != FSM_OPENSENT) {
		fsm_event(p, FSM_EV_RCVD_OPEN);		/* an FSM error */
		return;
	}
	if (bgp_msg_get_open(body, &o, &p->err) == -1) {
		peer_error(p, "bad OPEN: %s/%s", bgp_err_code_name(p->err.code),
		    bgp_err_subcode_name(p->err.code, p->err.subcode));
		fsm_event(p, FSM_EV_OPEN_ERR);
		return;
	}
	if (open_accept(p, &o, &n) == -1) {
		fsm_event(p, FSM_EV_OPEN_ERR);
		return;
	}
	p->neg = n;
	log_info("%s: OPEN from AS %u, id %s, hold %u s%s%s", session_peer_name(p),
	    n.remote_as, inet_ntoa((struct in_addr){ htonl(n.remote_id) }),
	    n.hold_time, n.as4 ? ", 4-octet AS" : "",
	    n.ext_message ? ", extended messages" : "");
	fsm_event(p, FSM_EV_RCVD_OPEN);
}

/*
 * Handles one complete message on the peer's main connection. Returns
 * false when the connection went away, so the caller stops reading.
 */
static bool
dispatch(struct conn *c, const uint8_t *msg, size_t len)
{
	struct peer *p = c->peer;
	struct bgp_hdr hdr;
	struct buf b, body;

	buf_view(&b, msg, len);
	if (bgp_msg_get_header(&b, peer_maxlen(p), &hdr, &p->err) == -1 ||
	    buf_get_sub(&b, hdr.len - BGP_HEADER_LEN, &body) == -1) {
		fsm_event(p, FSM_EV_HEADER_ERR);
		return p->conn == c;
	}
	if (hdr.type <= BGP_MSG_ROUTE_REFRESH)
		p->stats.msgs_in[hdr.type]++;
	switch (hdr.type) {
	case BGP_MSG_OPEN:
		rcvd_open(p, &body);
		break;
	case BGP_MSG_UPDATE:
		rcvd_update(p, &body);
		break;
	case BGP_MSG_NOTIFICATION:
		rcvd_notification(p, &body);
		break;
	case BGP_MSG_KEEPALIVE:
		fsm_event(p, FSM_EV_RCVD_KEEPALIVE);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		rcvd_route_refresh(p, msg, len, &body);
		break;
	}
	return p->conn == c;
}

/*
 * Frames messages out of a connection's input. The header is checked as
 * soon as its 19 octets are in, so a bad length is refused before we wait
 * for a body that may never come (RFC 4271 6.1).
 */
static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct peer *p = c->peer;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hdrbytes[BGP_HEADER_LEN];
	struct bgp_hdr hdr;
	struct buf b;
	const uint8_t *msg;

	while (evbuffer_get_length(in) >= BGP_HEADER_LEN) {
		evbuffer_copyout(in, hdrbytes, sizeof(hdrbytes));
		buf_view(&b, hdrbytes, sizeof(hdrbytes));
		if (bgp_msg_get_header(&b, peer_maxlen(p), &hdr,
		    &p->err) == -1) {
			peer_error(p, "bad message header: %s",
			    bgp_err_subcode_name(p->err.code, p->err.subcode));
			fsm_event(p, FSM_EV_HEADER_ERR);
			return;
		}
		if (evbuffer_get_length(in) < hdr.len)
			return;
		if ((msg = evbuffer_pullup(in, hdr.len)) == NULL)
			fatalx("evbuffer_pullup");
		if (!dispatch(c, msg, hdr.len))
			return;		/* c is gone */
		evbuffer_drain(in, hdr.len);
	}
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (c->peer->conn == c && c->peer->state == FSM_ESTABLISHED)
		announce_output_drained(c->peer);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	struct peer *p = c->peer;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		conn_attach(c);
		log_debug("%s: connected", session_peer_name(p));
		fsm_event(p, FSM_EV_CONN_OPEN);
		return;
	}
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
		if (what & BEV_EVENT_EOF)
			snprintf(p->last_error, sizeof(p->last_error),
			    "connection closed by peer");
		else
			snprintf(p->last_error, sizeof(p->last_error),
			    "connection: %s", strerror(EVUTIL_SOCKET_ERROR()));
		log_info("%s: %s", session_peer_name(p), p->last_error);
		conn_close(c, false);
		fsm_event(p, FSM_EV_CONN_FAIL);
	}
}

/* ------------------------------------------------------------------ */
/* Collision detection (RFC 4271 6.8)                                   */

/*
 * The pending connection's OPEN arrived: the connection opened by the
 * speaker with the higher BGP Identifier survives. Both are ours to
 * close with Cease/Connection Collision Resolution.
 */
static void
collision_resolve(struct peer *p, struct conn *pend, struct buf *body)
{
	struct bgp_open o;
	struct peer_negotiated n;
	struct conn *old = p->conn;
	bool keep_pending;

	if (bgp_msg_get_open(body, &o, &p->err) == -1 ||
	    open_accept(p, &o, &n) == -1) {
		send_notification(p, pend, p->err.code, p->err.subcode,
		    p->err.data, p->err.datalen, NULL);
		conn_close(pend, true);
		return;
	}
	if (p->state == FSM_ESTABLISHED || old == NULL)
		keep_pending = old == NULL;
	else if (old->outgoing)
		keep_pending = p->d->conf->router_id < o.bgp_id;
	else
		keep_pending = true;	/* both theirs: the newer one */
	if (!keep_pending) {
		log_info("%s: connection collision, keeping ours",
		    session_peer_name(p));
		send_notification(p, pend, BGP_ERR_CEASE,
		    BGP_ERR_CEASE_COLLISION, NULL, 0, NULL);
		conn_close(pend, true);
		return;
	}
	log_info("%s: connection collision, keeping the peer's",
	    session_peer_name(p));
	if (old != NULL) {
		send_notification(p, old, BGP_ERR_CEASE,
		    BGP_ERR_CEASE_COLLISION, NULL, 0, NULL);
		conn_close(old, true);
	}
	p->pending = NULL;
	p->conn = pend;
	bufferevent_setcb(pend->bev, conn_read_cb, conn_write_cb,
	    conn_event_cb, pend);
	bufferevent_setwatermark(pend->bev, EV_WRITE, ANNOUNCE_LOW_WATER, 0);
	/* Our OPEN went out on it already: it is in OpenSent, and this is
	 * its BGPOpen event. */
	if (p->state != FSM_OPENSENT)
		change_state(p, FSM_OPENSENT, FSM_EV_COLLISION_DUMP);
	p->neg = n;
	fsm_event(p, FSM_EV_RCVD_OPEN);
}

static void
pending_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct peer *p = c->peer;
	struct evbuffer *in = bufferevent_get_input(bev);
	uint8_t hdrbytes[BGP_HEADER_LEN];
	struct bgp_hdr hdr;
	struct buf b, body;
	const uint8_t *msg;
	struct bgp_err err;

	if (evbuffer_get_length(in) < BGP_HEADER_LEN)
		return;
	evbuffer_copyout(in, hdrbytes, sizeof(hdrbytes));
	buf_view(&b, hdrbytes, sizeof(hdrbytes));
	if (bgp_msg_get_header(&b, BGP_MAX_MSG_LEN, &hdr, &err) == -1) {
		send_notification(p, c, err.code, err.subcode, err.data,
		    err.datalen, NULL);
		conn_close(c, true);
		return;
	}
	if (hdr.type != BGP_MSG_OPEN) {
		/* This connection is in OpenSent: anything but an OPEN is an
		 * FSM error (RFC 4271 8.2.2, RFC 6608). */
		send_notification(p, c, BGP_ERR_FSM, BGP_ERR_FSM_OPENSENT,
		    NULL, 0, NULL);
		conn_close(c, true);
		return;
	}
	if (evbuffer_get_length(in) < hdr.len)
		return;
	msg = evbuffer_pullup(in, hdr.len);
	buf_view(&b, msg, hdr.len);
	buf_skip(&b, BGP_HEADER_LEN);
	buf_get_sub(&b, hdr.len - BGP_HEADER_LEN, &body);
	p->stats.msgs_in[BGP_MSG_OPEN]++;
	collision_resolve(p, c, &body);
	/* If c survived it is the main connection now; drop the OPEN. */
	if (p->conn == c) {
		evbuffer_drain(in, hdr.len);
		if (evbuffer_get_length(in) > 0)
			conn_read_cb(c->bev, c);
	}
}

static void
pending_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF))
		conn_close(arg, false);
}

/* ------------------------------------------------------------------ */
/* Incoming connections                                                 */

static int
sockaddr_to_addr(const struct sockaddr *sa, struct config_addr *a)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		a->aid = BGP_AID_IPV4;
		memcpy(a->addr, &sin->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			a->aid = BGP_AID_IPV4;
			memcpy(a->addr, &sin6->sin6_addr.s6_addr[12], 4);
		} else {
			a->aid = BGP_AID_IPV6;
			memcpy(a->addr, &sin6->sin6_addr, 16);
		}
		return 0;
	}
	return -1;
}

static void
accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener *l = arg;
	struct daemon *d = l->d;
	struct config_addr from;
	char addr[CONFIG_ADDR_STRLEN];
	struct peer *p;
	struct conn *c;

	(void)lev;
	(void)salen;
	if (sockaddr_to_addr(sa, &from) == -1 ||
	    (p = session_peer_find(d, &from)) == NULL) {
		/* Not a neighbor: close at once, say nothing. */
		if (sockaddr_to_addr(sa, &from) == 0)
			log_info("connection from %s refused: not a neighbor",
			    config_addr_ntop(&from, addr, sizeof(addr)));
		close(fd);
		return;
	}
	if (p->admin_down || d->stopping) {
		log_info("%s: connection refused: administratively down",
		    session_peer_name(p));
		close(fd);
		return;
	}
	evutil_make_socket_nonblocking(fd);
	sockopts_common(fd, sa->sa_family, &p->conf);
	c = conn_new(p, fd, false);
	c->connected = true;

	switch (p->state) {
	case FSM_IDLE:
		/* Waiting out a back-off: the peer is back, take it now. */
		evtimer_del(p->t_idlehold);
		change_state(p, FSM_ACTIVE, FSM_EV_AUTO_START_PASSIVE);
		/* FALLTHROUGH */
	case FSM_CONNECT:
	case FSM_ACTIVE:
		/* Our own attempt, if any, gives way (8.2.2 Connect, 17). */
		if (p->conn != NULL)
			conn_close(p->conn, false);
		p->conn = c;
		conn_attach(c);
		log_debug("%s: accepted", session_peer_name(p));
		fsm_event(p, FSM_EV_CONN_OPEN);
		break;
	case FSM_OPENSENT:
	case FSM_OPENCONFIRM:
		if (p->pending != NULL) {
			conn_free(c);
			break;
		}
		p->pending = c;
		conn_fill_local(c);
		bufferevent_setcb(c->bev, pending_read_cb, NULL,
		    pending_event_cb, c);
		bufferevent_enable(c->bev, EV_READ | EV_WRITE);
		send_open(p, c);
		break;
	case FSM_ESTABLISHED:
		/* 6.8: a collision with an Established session closes the
		 * new connection. */
		bufferevent_enable(c->bev, EV_WRITE);
		send_notification(p, c, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION,
		    NULL, 0, NULL);
		conn_close(c, true);
		break;
	case FSM_STATE_MAX:
		conn_free(c);
		break;
	}
}

static void
listener_error_cb(struct evconnlistener *lev, void *arg)
{
	(void)lev;
	(void)arg;
	/* EMFILE and friends: libevent retries; say it once per burst. */
	log_warn("accept");
}

static void
listener_set_keys(struct listener *l)
{
	struct peer *p;
	int family;

	TAILQ_FOREACH(p, &l->d->peers, entry) {
		family = p->conf.addr.aid == BGP_AID_IPV4 ? AF_INET : AF_INET6;
		if (family != l->family || p->conf.password[0] == '\0')
			continue;
		if (sockopt_md5(l->fd, &p->conf) == -1)
			log_warn("%s: TCP MD5 key on listener",
			    session_peer_name(p));
	}
}

int
session_listen(struct daemon *d)
{
	struct listen_conf *lc;
	struct listener *l;
	struct sockaddr_storage ss;
	socklen_t len;
	char addr[CONFIG_ADDR_STRLEN];
	int fd, one = 1;

	TAILQ_FOREACH(lc, &d->conf->listens, entry) {
		len = config_addr_sockaddr(&lc->addr, lc->port, &ss);
		config_addr_ntop(&lc->addr, addr, sizeof(addr));
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1) {
			log_warn("listen %s port %u: socket", addr, lc->port);
			return -1;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			    sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
		    listen(fd, 64) == -1) {
			log_warn("listen %s port %u", addr, lc->port);
			close(fd);
			return -1;
		}
		l = xcalloc(1, sizeof(*l));
		l->d = d;
		l->fd = fd;
		l->family = ss.ss_family;
		l->lev = evconnlistener_new(d->base, accept_cb, l,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
		if (l->lev == NULL)
			fatalx("evconnlistener_new");
		evconnlistener_set_error_cb(l->lev, listener_error_cb);
		TAILQ_INSERT_TAIL(&d->listeners, l, entry);
		listener_set_keys(l);
		log_info("listening on %s port %u", addr, lc->port);
	}
	return 0;
}

void
session_listen_update_keys(struct daemon *d)
{
	struct listener *l;

	TAILQ_FOREACH(l, &d->listeners, entry)
		listener_set_keys(l);
}

void
session_listen_close(struct daemon *d)
{
	struct listener *l;

	while ((l = TAILQ_FIRST(&d->listeners)) != NULL) {
		TAILQ_REMOVE(&d->listeners, l, entry);
		evconnlistener_free(l->lev);
		free(l);
	}
}

/* ------------------------------------------------------------------ */
/* Peers                                                                */

struct peer *
session_peer_find(struct daemon *d, const struct config_addr *a)
{
	struct peer *p;

	TAILQ_FOREACH(p, &d->peers, entry)
		if (config_addr_equal(&p->conf.addr, a))
			return p;
	return NULL;
}

static void
peer_start(struct peer *p)
{
	fsm_event(p, p->conf.passive ? FSM_EV_AUTO_START_PASSIVE :
	    FSM_EV_AUTO_START);
}

struct peer *
session_peer_add(struct daemon *d, const struct neighbor_conf *nc)
{
	struct peer *p;

	p = xcalloc(1, sizeof(*p));
	p->d = d;
	p->conf = *nc;
	p->state = FSM_IDLE;
	mono_now(&p->state_since);
	p->t_connretry = evtimer_new(d->base, connretry_cb, p);
	p->t_hold = evtimer_new(d->base, hold_cb, p);
	p->t_keepalive = evtimer_new(d->base, keepalive_cb, p);
	p->t_idlehold = evtimer_new(d->base, idlehold_cb, p);
	if (p->t_connretry == NULL || p->t_hold == NULL ||
	    p->t_keepalive == NULL || p->t_idlehold == NULL)
		fatalx("evtimer_new");
	p->rib = rib_in_new();
	announce_peer_init(p);
	TAILQ_INSERT_TAIL(&d->peers, p, entry);
	session_listen_update_keys(d);
	peer_start(p);
	return p;
}

static void
peer_free(struct peer *p)
{
	if (p->conn != NULL)
		conn_close(p->conn, true);
	if (p->pending != NULL)
		conn_close(p->pending, false);
	event_free(p->t_connretry);
	event_free(p->t_hold);
	event_free(p->t_keepalive);
	event_free(p->t_idlehold);
	rib_in_free(p->rib);
	announce_peer_free(p);
	neighbor_conf_wipe(&p->conf);
	free(p);
}

/* An automatic stop with a Cease subcode and an RFC 9003 message. */
static void
peer_stop(struct peer *p, bool manual, uint8_t subcode, const char *comm)
{
	p->stop_subcode = subcode;
	strlcpy(p->stop_comm, comm != NULL ? comm : "", sizeof(p->stop_comm));
	fsm_event(p, manual ? FSM_EV_MANUAL_STOP : FSM_EV_AUTO_STOP);
	p->stop_comm[0] = '\0';
}

void
session_peer_remove(struct peer *p)
{
	struct daemon *d = p->d;

	p->removed = p->admin_down = true;
	peer_stop(p, false, BGP_ERR_CEASE_PEER_DECONFIGURED, NULL);
	TAILQ_REMOVE(&d->peers, p, entry);
	peer_free(p);
}

void
session_peer_reconfigure(struct peer *p, const struct neighbor_conf *nc)
{
	peer_stop(p, false, BGP_ERR_CEASE_CONFIG_CHANGE, NULL);
	neighbor_conf_wipe(&p->conf);
	p->conf = *nc;
	evtimer_del(p->t_idlehold);
	session_listen_update_keys(p->d);
	if (!p->admin_down)
		peer_start(p);
}

void
session_peer_down(struct peer *p, const char *comm)
{
	p->admin_down = true;
	p->stop_subcode = BGP_ERR_CEASE_ADMIN_SHUTDOWN;
	strlcpy(p->stop_comm, comm != NULL ? comm : "", sizeof(p->stop_comm));
	fsm_event(p, FSM_EV_MANUAL_STOP);
	p->stop_comm[0] = '\0';
	evtimer_del(p->t_idlehold);
}

void
session_peer_up(struct peer *p)
{
	if (!p->admin_down && p->state != FSM_IDLE)
		return;
	p->admin_down = false;
	evtimer_del(p->t_idlehold);
	p->connretry_counter = 0;
	fsm_event(p, p->conf.passive ? FSM_EV_AUTO_START_PASSIVE :
	    FSM_EV_MANUAL_START);
}

void
session_peer_reset(struct peer *p, const char *comm)
{
	peer_stop(p, false, BGP_ERR_CEASE_ADMIN_RESET, comm);
	/* An operator's reset reconnects now, not after a back-off. */
	evtimer_del(p->t_idlehold);
	p->connretry_counter = 0;
	if (!p->admin_down)
		peer_start(p);
}

int
session_peer_refresh(struct peer *p)
{
	uint8_t mem[BGP_ROUTE_REFRESH_LEN];
	struct buf b;
	int aid, sent = 0;

	if (p->state != FSM_ESTABLISHED || !p->neg.route_refresh)
		return -1;
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (!p->neg.family[aid])
			continue;
		buf_init(&b, mem, sizeof(mem));
		if (bgp_msg_put_route_refresh(&b, aid, BGP_RR_NORMAL) == 0 &&
		    session_send(p, b.data, b.len) == 0)
			sent++;
	}
	return sent > 0 ? 0 : -1;
}

void
session_shutdown_all(struct daemon *d, const char *comm)
{
	struct peer *p;

	d->stopping = true;
	TAILQ_FOREACH(p, &d->peers, entry) {
		p->admin_down = true;
		p->stop_subcode = BGP_ERR_CEASE_ADMIN_SHUTDOWN;
		strlcpy(p->stop_comm, comm != NULL ? comm : "",
		    sizeof(p->stop_comm));
		fsm_event(p, FSM_EV_MANUAL_STOP);
	}
	session_listen_close(d);
}

bool
session_flushing(struct daemon *d)
{
	return !TAILQ_EMPTY(&d->closing);
}

void
session_free_all(struct daemon *d)
{
	struct peer *p;
	struct conn *c;

	while ((p = TAILQ_FIRST(&d->peers)) != NULL) {
		TAILQ_REMOVE(&d->peers, p, entry);
		if (p->conn != NULL)
			conn_close(p->conn, false);
		peer_free(p);
	}
	while ((c = TAILQ_FIRST(&d->closing)) != NULL) {
		TAILQ_REMOVE(&d->closing, c, closing_entry);
		conn_free(c);
	}
	session_listen_close(d);
}

int
session_local_addr(const struct peer *p, enum bgp_aid aid, uint8_t addr[16])
{
	const struct sockaddr_storage *ss;
	const struct sockaddr_in6 *sin6;

	memset(addr, 0, 16);
	if (p->conf.has_next_hop[aid]) {
		memcpy(addr, p->conf.next_hop[aid].addr, 16);
		return 0;
	}
	if (p->conn == NULL)
		return -1;
	ss = &p->conn->local;
	if (ss->ss_family == AF_INET && aid == BGP_AID_IPV4) {
		memcpy(addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)ss;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			if (aid != BGP_AID_IPV4)
				return -1;
			memcpy(addr, &sin6->sin6_addr.s6_addr[12], 4);
			return 0;
		}
		if (aid != BGP_AID_IPV6)
			return -1;
		memcpy(addr, &sin6->sin6_addr, 16);
		return 0;
	}
	return -1;
}

void
session_encode_ctx(const struct peer *p, struct bgp_encode_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->as4 = p->neg.as4;
	ctx->maxlen = peer_maxlen(p);
}
