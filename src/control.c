/*
 * The control socket. It owns the listening UNIX socket and its file, and
 * one bufferevent per client; nothing else. A request is one line of
 * command words, checked against ctl.h's table exactly as anycastctl
 * checks it; a reply is one JSON object a line, built with json.c. The
 * daemon is read through announce.c, health.c and rib_in.c and changed
 * only through session.c, announce_drain() and daemon_reload(), the same
 * calls SIGHUP, the FSM and the health engine use.
 *
 * No client can stall the loop or grow the daemon without bound: output
 * is produced only while a client's queue is below CONTROL_OUT_HIGH
 * (`show rib` streams a million routes in slices as the client reads
 * them), a client that takes nothing for CONTROL_WRITE_TIMEOUT is dropped,
 * request lines are capped at CTL_LINE_MAX, and accept() backs off when
 * the daemon runs out of descriptors. A `monitor` client gets monitor.c's
 * event lines as they happen; one whose queue passes CONTROL_OUT_HIGH is
 * dropped at once, so a stuck monitor never holds anything up.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <assert.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "anycastd.h"
#include "announce.h"
#include "config.h"
#include "control.h"
#include "ctl.h"
#include "fsm.h"
#include "health.h"
#include "json.h"
#include "log.h"
#include "monitor.h"
#include "rib_in.h"
#include "session.h"
#include "util.h"

static_assert(CONTROL_PROTOCOL == CTL_PROTOCOL,
    "control.h and ctl.h disagree on the protocol version");

#define CONTROL_BACKLOG		16
#define CONTROL_CLIENTS_MAX	64
/* A client's queued output: produce nothing above HIGH, resume at LOW. */
#define CONTROL_OUT_HIGH	(1024 * 1024)
#define CONTROL_OUT_LOW		(256 * 1024)
/* One reply that is built whole (everything but show rib). */
#define CONTROL_REPLY_MAX	(64 * 1024 * 1024)
#define CONTROL_RIB_BATCH	256	/* routes per JSON slice */
#define CONTROL_WRITE_TIMEOUT	30	/* seconds without reading: dropped */
#define CONTROL_IDLE_TIMEOUT	300	/* seconds without a request */
#define CONTROL_EMFILE_PAUSE	1	/* seconds before accepting again */

struct ctl_client {
	TAILQ_ENTRY(ctl_client)	 entry;
	struct control		*ctl;
	struct bufferevent	*bev;
	unsigned int		 id;
	bool			 has_cred;
	struct ucred		 cred;
	bool			 closing;	/* free once output is sent */
	bool			 eof;		/* it sent all it will */
	bool			 monitoring;	/* subscribed to monitor.c */
	/* show rib in progress: the peer being walked is found again by
	 * address on each slice, since a reload may free it meanwhile. */
	bool			 rib_active;
	bool			 rib_all;
	bool			 rib_first;	/* no route written yet */
	bool			 rib_have_peer;
	struct config_addr	 rib_addr;
	size_t			 rib_index;	/* position in d->peers */
	struct rib_in_cursor	 rib_cursor;
};
TAILQ_HEAD(ctl_client_list, ctl_client);

struct control {
	struct daemon		*d;
	int			 fd;
	char			*path;		/* d->control_path may go */
	dev_t			 dev;		/* of the socket we bound, so */
	ino_t			 ino;		/* we unlink only our own */
	struct event		*ev_accept;
	struct event		*ev_pause;	/* EMFILE back-off */
	struct ctl_client_list	 clients;
	size_t			 nclients;
	unsigned int		 next_id;
	/* Shared by every reply: each is copied to its client at once. */
	struct json		 j;
	uint8_t			*scratch;	/* rib_in_route_attrs() */
};

static void	 monitor_cb(void *, const char *, size_t);
static void	 client_read_cb(struct bufferevent *, void *);
static void	 client_write_cb(struct bufferevent *, void *);
static void	 client_event_cb(struct bufferevent *, short, void *);
static void	 client_process(struct ctl_client *);
static bool	 rib_fill(struct ctl_client *);
static void	 accept_cb(evutil_socket_t, short, void *);
static void	 accept_resume_cb(evutil_socket_t, short, void *);

/* ------------------------------------------------------------------ */
/* The socket                                                           */

/*
 * Whether something answers on sun: a daemon that still runs must not
 * lose its socket to us; a file nobody listens on is left over from a
 * crash and may go.
 */
static int
socket_alive(const struct sockaddr_un *sun)
{
	int fd, rc;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS)
		rc = 1;		/* a full backlog still means alive */
	else if (errno == ECONNREFUSED || errno == ENOENT)
		rc = 0;
	else
		rc = -1;
	close(fd);
	return rc;
}

/* Binds d->control_path with the configured mode and group. */
int
control_open(struct daemon *d)
{
	struct control *ctl;
	struct sockaddr_un sun;
	struct stat st;
	struct group *gr = NULL;
	mode_t mode = d->conf->control_mode & 0777, old;
	int fd = -1, alive;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, d->control_path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		log_warnx("control socket %s: path too long", d->control_path);
		return -1;
	}
	if (d->conf->control_group != NULL &&
	    (gr = getgrnam(d->conf->control_group)) == NULL) {
		log_warnx("control socket %s: unknown group %s",
		    d->control_path, d->conf->control_group);
		return -1;
	}
	if (lstat(d->control_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("control socket %s: exists and is not a "
			    "socket", d->control_path);
			return -1;
		}
		if ((alive = socket_alive(&sun)) != 0) {
			if (alive == 1)
				log_warnx("control socket %s: in use; is "
				    "another anycastd running?",
				    d->control_path);
			else
				log_warn("control socket %s",
				    d->control_path);
			return -1;
		}
		log_info("removing stale control socket %s", d->control_path);
		if (unlink(d->control_path) == -1 && errno != ENOENT) {
			log_warn("control socket %s: unlink", d->control_path);
			return -1;
		}
	} else if (errno != ENOENT) {
		log_warn("control socket %s", d->control_path);
		return -1;
	}

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("control socket");
		return -1;
	}
	/* The mode is exact from the start: no window with a wider one. */
	old = umask(~mode & 0777);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("control socket %s: bind", d->control_path);
		close(fd);
		return -1;
	}
	umask(old);
	if (gr != NULL && chown(d->control_path, (uid_t)-1, gr->gr_gid) == -1) {
		log_warn("control socket %s: chown to group %s",
		    d->control_path, gr->gr_name);
		goto fail;
	}
	if (lstat(d->control_path, &st) == -1) {
		log_warn("control socket %s", d->control_path);
		goto fail;
	}
	if (listen(fd, CONTROL_BACKLOG) == -1) {
		log_warn("control socket %s: listen", d->control_path);
		goto fail;
	}

	ctl = xcalloc(1, sizeof(*ctl));
	ctl->d = d;
	ctl->fd = fd;
	ctl->path = xstrdup(d->control_path);
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	TAILQ_INIT(&ctl->clients);
	json_init(&ctl->j, CONTROL_REPLY_MAX);
	ctl->scratch = xmalloc(RIB_IN_SCRATCH_MAX);
	ctl->ev_accept = event_new(d->base, fd, EV_READ | EV_PERSIST,
	    accept_cb, ctl);
	ctl->ev_pause = evtimer_new(d->base, accept_resume_cb, ctl);
	if (ctl->ev_accept == NULL || ctl->ev_pause == NULL ||
	    event_add(ctl->ev_accept, NULL) == -1)
		fatalx("control: event_new");
	d->control = ctl;
	log_debug("control socket %s, mode %04o%s%s", ctl->path,
	    (unsigned)mode, gr != NULL ? ", group " : "",
	    gr != NULL ? gr->gr_name : "");
	return 0;

fail:
	unlink(d->control_path);
	close(fd);
	return -1;
}

/* Closes the socket and every client; removes the file if it is ours. */
void
control_close(struct daemon *d)
{
	struct control *ctl = d->control;
	struct ctl_client *c;
	struct stat st;

	if (ctl == NULL)
		return;
	while ((c = TAILQ_FIRST(&ctl->clients)) != NULL) {
		TAILQ_REMOVE(&ctl->clients, c, entry);
		if (c->monitoring)
			monitor_unsubscribe(monitor_cb, c);
		bufferevent_free(c->bev);
		free(c);
	}
	event_free(ctl->ev_accept);
	event_free(ctl->ev_pause);
	close(ctl->fd);
	/* A newer daemon may have replaced the file: leave that one alone. */
	if (lstat(ctl->path, &st) == 0 && st.st_dev == ctl->dev &&
	    st.st_ino == ctl->ino && unlink(ctl->path) == -1)
		log_warn("control socket %s: unlink", ctl->path);
	json_free(&ctl->j);
	free(ctl->scratch);
	free(ctl->path);
	free(ctl);
	d->control = NULL;
}

/* ------------------------------------------------------------------ */
/* Clients                                                              */

/* "client 3 (uid 0, pid 1234)" for log lines. */
static const char *
client_name(const struct ctl_client *c)
{
	static char name[64];

	if (c->has_cred)
		snprintf(name, sizeof(name), "client %u (uid %u, pid %d)",
		    c->id, (unsigned)c->cred.uid, (int)c->cred.pid);
	else
		snprintf(name, sizeof(name), "client %u", c->id);
	return name;
}

static void
client_free(struct ctl_client *c)
{
	struct control *ctl = c->ctl;

	log_debug("control: %s gone", client_name(c));
	if (c->monitoring)
		monitor_unsubscribe(monitor_cb, c);
	TAILQ_REMOVE(&ctl->clients, c, entry);
	ctl->nclients--;
	bufferevent_free(c->bev);
	free(c);
}

/* Sends what is queued, then hangs up; reads nothing more. */
static void
client_close(struct ctl_client *c)
{
	c->closing = true;
	c->rib_active = false;
	bufferevent_disable(c->bev, EV_READ);
	evbuffer_drain(bufferevent_get_input(c->bev),
	    evbuffer_get_length(bufferevent_get_input(c->bev)));
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		client_free(c);
}

static struct json *
reply_begin(struct ctl_client *c)
{
	json_reset(&c->ctl->j);
	return &c->ctl->j;
}

static void	 reply_error(struct ctl_client *, const char *, ...)
		    __printflike(2, 3);

/* Queues a finished reply; one that outgrew its bound becomes an error. */
static void
reply_send(struct ctl_client *c, struct json *j)
{
	if (json_finish(j) == -1) {
		log_warnx("control: %s: reply too large", client_name(c));
		reply_error(c, "reply too large");
		return;
	}
	bufferevent_write(c->bev, j->data, j->len);
	/* Do not keep the memory of one huge reply for the daemon's life. */
	if (j->cap > CONTROL_OUT_HIGH) {
		json_free(j);
		json_init(j, CONTROL_REPLY_MAX);
	}
}

static void
reply_error(struct ctl_client *c, const char *fmt, ...)
{
	struct json *j;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	j = reply_begin(c);
	json_object_begin(j, NULL);
	json_string(j, "error", msg);
	json_object_end(j);
	reply_send(c, j);
}

static void
reply_ok(struct ctl_client *c, const char *msg)
{
	struct json *j = reply_begin(c);

	json_object_begin(j, NULL);
	json_string(j, "result", "ok");
	json_string(j, "message", msg);
	json_object_end(j);
	reply_send(c, j);
}

static void
client_new(struct control *ctl, int fd)
{
	struct timeval idle = { CONTROL_IDLE_TIMEOUT, 0 };
	struct timeval stuck = { CONTROL_WRITE_TIMEOUT, 0 };
	struct ctl_client *c;
	struct json *j;
	socklen_t len;

	c = xcalloc(1, sizeof(*c));
	c->ctl = ctl;
	c->id = ++ctl->next_id;
	len = sizeof(c->cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) == 0 &&
	    len == sizeof(c->cred))
		c->has_cred = true;
	c->bev = bufferevent_socket_new(ctl->d->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		log_warnx("control: bufferevent_socket_new failed");
		close(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&ctl->clients, c, entry);
	ctl->nclients++;
	bufferevent_setcb(c->bev, client_read_cb, client_write_cb,
	    client_event_cb, c);
	/* Stop reading a client that sends faster than we answer. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, 4 * CTL_LINE_MAX);
	/* The write callback is where production resumes. */
	bufferevent_setwatermark(c->bev, EV_WRITE, CONTROL_OUT_LOW, 0);
	bufferevent_set_timeouts(c->bev, &idle, &stuck);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	log_debug("control: %s connected", client_name(c));

	j = reply_begin(c);
	json_object_begin(j, NULL);
	json_string(j, "anycastd", ANYCASTD_VERSION);
	json_uint(j, "protocol", CTL_PROTOCOL);
	json_object_end(j);
	reply_send(c, j);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	static const char busy[] = "{\"error\":\"too many control clients\"}\n";
	struct control *ctl = arg;
	struct timeval pause = { CONTROL_EMFILE_PAUSE, 0 };
	int fd;

	(void)what;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		switch (errno) {
		case EMFILE:
		case ENFILE:
		case ENOBUFS:
		case ENOMEM:
			/* The listener stays readable; without a pause the
			 * loop would spin on it. */
			log_warn("control: accept; pausing %d s",
			    CONTROL_EMFILE_PAUSE);
			event_del(ctl->ev_accept);
			evtimer_add(ctl->ev_pause, &pause);
			break;
		case EAGAIN:
		case EINTR:
		case ECONNABORTED:
			break;
		default:
			log_warn("control: accept");
			break;
		}
		return;
	}
	if (ctl->nclients >= CONTROL_CLIENTS_MAX) {
		log_warnx("control: more than %d clients; refusing one",
		    CONTROL_CLIENTS_MAX);
		(void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL |
		    MSG_DONTWAIT);
		close(fd);
		return;
	}
	client_new(ctl, fd);
}

static void
accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control *ctl = arg;

	(void)fd;
	(void)what;
	event_add(ctl->ev_accept, NULL);
}

static void	 client_request(struct ctl_client *, char *);

/*
 * Answers the complete lines a client has sent, one at a time, for as
 * long as its output queue has room; the rest wait in the input buffer
 * (which stops growing at its read watermark) until the queue drains.
 * May free c.
 */
static void
client_process(struct ctl_client *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct evbuffer_ptr eol;
	char line[CTL_LINE_MAX + 1];
	size_t eol_len, n;

	while (!c->closing && !c->rib_active && !c->monitoring &&
	    evbuffer_get_length(out) < CONTROL_OUT_HIGH) {
		eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
		if ((eol.pos == -1 && evbuffer_get_length(in) > CTL_LINE_MAX) ||
		    eol.pos > CTL_LINE_MAX) {
			log_warnx("control: %s: request longer than %d bytes",
			    client_name(c), CTL_LINE_MAX);
			reply_error(c, "request longer than %d bytes",
			    CTL_LINE_MAX);
			client_close(c);
			return;
		}
		if (eol.pos != -1)
			n = (size_t)eol.pos;
		else if (c->eof && evbuffer_get_length(in) > 0) {
			/* A last request without its newline still counts. */
			n = evbuffer_get_length(in);
			eol_len = 0;
		} else
			break;
		evbuffer_remove(in, line, n);
		evbuffer_drain(in, eol_len);
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\r')	/* telnet, nc -C */
			line[--n] = '\0';
		if (strlen(line) != n) {
			reply_error(c, "NUL byte in request");
			continue;
		}
		client_request(c, line);
	}
	if (c->closing)
		return;
	if (c->monitoring) {
		/* Streaming until it goes away; anything it sends is
		 * ignored, and end of file is the end of the stream. */
		evbuffer_drain(in, evbuffer_get_length(in));
		if (c->eof)
			client_free(c);
		else
			bufferevent_enable(c->bev, EV_READ);
		return;
	}
	if (c->eof && !c->rib_active && evbuffer_get_length(in) == 0) {
		/* Half-closed (echo cmd | socat): answer, then hang up. */
		client_close(c);
		return;
	}
	if (c->rib_active || c->eof ||
	    evbuffer_get_length(out) >= CONTROL_OUT_HIGH)
		bufferevent_disable(c->bev, EV_READ);
	else
		bufferevent_enable(c->bev, EV_READ);
}

static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	client_process(arg);
}

static void
client_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_client *c = arg;

	if (c->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			client_free(c);
		return;
	}
	if (c->rib_active && !rib_fill(c))
		return;
	client_process(c);
}

static void
client_event_cb(struct bufferevent *bev, short events, void *arg)
{
	struct ctl_client *c = arg;

	if (events & BEV_EVENT_EOF) {
		c->eof = true;
		if (c->closing &&
		    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			client_free(c);
		else if (!c->closing)
			client_process(c);
		return;
	}
	if (events & BEV_EVENT_TIMEOUT) {
		if (events & BEV_EVENT_WRITING)
			log_warnx("control: %s read nothing for %d s; dropped",
			    client_name(c), CONTROL_WRITE_TIMEOUT);
		else
			log_debug("control: %s idle; dropped", client_name(c));
	} else if (events & BEV_EVENT_ERROR)
		log_debug("control: %s: %s", client_name(c),
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	client_free(c);
}

/* ------------------------------------------------------------------ */
/* show neighbors, show prefixes                                        */

static void
neighbor_json(struct json *j, const struct peer *p)
{
	const struct peer_stats *st = &p->stats;
	char addr[CONFIG_ADDR_STRLEN], id[INET_ADDRSTRLEN];
	uint64_t in = 0, out = 0;
	size_t rcvd = 0, i;
	uint16_t hold;
	bool up = p->state == FSM_ESTABLISHED;
	/* The OPENs have been exchanged: neg means something. */
	bool negotiated = up || p->state == FSM_OPENCONFIRM;
	int aid;

	for (i = 0; i < nitems(st->msgs_in); i++) {
		in += st->msgs_in[i];
		out += st->msgs_out[i];
	}
	for (aid = 0; aid < BGP_AID_MAX; aid++)
		rcvd += rib_in_count(p->rib, aid);
	hold = negotiated ? p->neg.hold_time : p->conf.hold_time;
	id[0] = '\0';
	if (negotiated)
		inet_ntop(AF_INET, &(struct in_addr){ htonl(p->neg.remote_id) },
		    id, sizeof(id));

	json_object_begin(j, NULL);
	json_string(j, "address", config_addr_ntop(&p->conf.addr, addr,
	    sizeof(addr)));
	json_uint(j, "remote_as", p->conf.remote_as);
	json_uint(j, "local_as", p->d->conf->local_as);
	json_string(j, "description", p->conf.descr);
	json_string(j, "state", fsm_state_name(p->state));
	json_bool(j, "admin_down", p->admin_down);
	json_bool(j, "passive", p->conf.passive);
	json_double(j, "uptime", up ? mono_since(&p->established_since) : 0);
	json_double(j, "since", mono_since(&p->state_since));
	json_uint(j, "hold_time", hold);
	json_uint(j, "keepalive", hold / 3);	/* RFC 4271 10 */
	json_uint(j, "prefixes_sent", announce_peer_sent(p));
	json_uint(j, "prefixes_received", rcvd);
	json_string(j, "last_error", p->last_error);
	json_string(j, "remote_id", id);
	json_string(j, "hostname", negotiated ? p->neg.hostname : "");
	json_array_begin(j, "families");
	for (aid = 0; aid < BGP_AID_MAX; aid++)
		if (p->conf.family[aid])
			json_string(j, NULL, bgp_aid_name(aid));
	json_array_end(j);
	json_array_begin(j, "families_negotiated");
	for (aid = 0; aid < BGP_AID_MAX; aid++)
		if (negotiated && p->neg.family[aid])
			json_string(j, NULL, bgp_aid_name(aid));
	json_array_end(j);
	json_array_begin(j, "eor_received");
	for (aid = 0; aid < BGP_AID_MAX; aid++)
		if (up && p->eor_rcvd[aid])
			json_string(j, NULL, bgp_aid_name(aid));
	json_array_end(j);
	json_array_begin(j, "capabilities");
	if (negotiated && p->neg.as4)
		json_string(j, NULL, "as4");
	if (negotiated && p->neg.route_refresh)
		json_string(j, NULL, "route-refresh");
	if (negotiated && p->neg.enhanced_rr)
		json_string(j, NULL, "enhanced-route-refresh");
	if (negotiated && p->neg.ext_message)
		json_string(j, NULL, "extended-message");
	json_array_end(j);
	json_uint(j, "messages_in", in);
	json_uint(j, "messages_out", out);
	json_uint(j, "updates_in", st->msgs_in[BGP_MSG_UPDATE]);
	json_uint(j, "updates_out", st->msgs_out[BGP_MSG_UPDATE]);
	json_uint(j, "notifications_in", st->msgs_in[BGP_MSG_NOTIFICATION]);
	json_uint(j, "notifications_out", st->msgs_out[BGP_MSG_NOTIFICATION]);
	json_uint(j, "established_count", st->established_count);
	json_uint(j, "connect_retry_counter", p->connretry_counter);
	json_object_end(j);
}

/* show neighbors, or show neighbor ADDR when addr is set. */
static void
show_neighbors(struct ctl_client *c, const struct config_addr *addr)
{
	struct daemon *d = c->ctl->d;
	struct peer *p, *only = NULL;
	struct json *j;
	char buf[CONFIG_ADDR_STRLEN];

	if (addr != NULL && (only = session_peer_find(d, addr)) == NULL) {
		reply_error(c, "no such neighbor %s",
		    config_addr_ntop(addr, buf, sizeof(buf)));
		return;
	}
	j = reply_begin(c);
	json_object_begin(j, NULL);
	json_array_begin(j, "neighbors");
	TAILQ_FOREACH(p, &d->peers, entry)
		if (only == NULL || p == only)
			neighbor_json(j, p);
	json_array_end(j);
	json_object_end(j);
	reply_send(c, j);
}

static const char *
prefix_state_name(enum announce_state s)
{
	switch (s) {
	case ANNOUNCE_WITHDRAWN:
		return "withdrawn";
	case ANNOUNCE_ANNOUNCED:
		return "announced";
	case ANNOUNCE_GSHUT:
		return "graceful-shutdown";
	}
	return "unknown";
}

static void
prefix_json(struct json *j, const struct prefix_state *ps)
{
	const struct prefix_conf *pc = ps->conf;
	char pfx[CONFIG_PREFIX_STRLEN], addr[CONFIG_ADDR_STRLEN];
	char small[256], *req = small;
	size_t i;
	int need;

	need = expr_print(small, sizeof(small), pc->requires);
	if (need >= (int)sizeof(small)) {
		req = xmalloc((size_t)need + 1);
		expr_print(req, (size_t)need + 1, pc->requires);
	}
	json_object_begin(j, NULL);
	json_string(j, "prefix", config_prefix_ntop(&pc->prefix, pfx,
	    sizeof(pfx)));
	json_string(j, "state", prefix_state_name(ps->state));
	json_string(j, "requires", need > 0 ? req : "");
	json_bool(j, "up", ps->up);
	json_bool(j, "drained", ps->drained);
	json_double(j, "since", mono_since(&ps->since));
	json_string(j, "reason", ps->reason);
	json_string(j, "on_down", pc->on_down == PREFIX_ON_DOWN_GSHUT ?
	    "graceful-shutdown" : "withdraw");
	json_array_begin(j, "neighbors");	/* empty: every neighbor */
	for (i = 0; i < pc->nneighbors; i++)
		json_string(j, NULL, config_addr_ntop(&pc->neighbors[i].addr,
		    addr, sizeof(addr)));
	json_array_end(j);
	json_object_end(j);
	if (req != small)
		free(req);
}

static void
show_prefixes(struct ctl_client *c)
{
	const struct daemon *d = c->ctl->d;
	const struct prefix_state *ps;
	struct json *j = reply_begin(c);
	size_t i, n = announce_prefix_count(d);

	json_object_begin(j, NULL);
	json_array_begin(j, "prefixes");
	for (i = 0; i < n; i++)
		if ((ps = announce_prefix(d, i)) != NULL)
			prefix_json(j, ps);
	json_array_end(j);
	json_object_end(j);
	reply_send(c, j);
}

static void
check_json(struct json *j, const struct check_state *cs)
{
	const struct check_conf *cc = cs->conf;

	json_object_begin(j, NULL);
	json_string(j, "name", cc->name);
	json_string(j, "type", check_type_name(cc->type));
	json_string(j, "state", cs->up ? "up" : "down");
	json_uint(j, "successes", cs->successes);
	json_uint(j, "failures", cs->failures);
	json_double(j, "last_duration", cs->last_duration);
	json_string(j, "last_error", cs->last_error);
	json_string(j, "last_output", cs->last_output);
	json_double(j, "since", mono_since(&cs->last_change));
	json_uint(j, "runs", cs->runs);
	json_uint(j, "transitions", cs->transitions);
	json_bool(j, "running", cs->running);
	json_double(j, "interval", cc->interval_ms / 1000.0);
	json_double(j, "timeout", cc->timeout_ms / 1000.0);
	json_uint(j, "rise", cc->rise);
	json_uint(j, "fall", cc->fall);
	json_object_end(j);
}

static void
show_checks(struct ctl_client *c)
{
	const struct health *h = c->ctl->d->health;
	const struct check_state *cs;
	struct json *j = reply_begin(c);
	size_t i, n = h != NULL ? health_count(h) : 0;

	json_object_begin(j, NULL);
	json_array_begin(j, "checks");
	for (i = 0; i < n; i++)
		if ((cs = health_state(h, i)) != NULL)
			check_json(j, cs);
	json_array_end(j);
	json_object_end(j);
	reply_send(c, j);
}

/* ------------------------------------------------------------------ */
/* show rib: streamed                                                   */

static const char *
origin_name(uint8_t origin)
{
	switch (origin) {
	case BGP_ORIGIN_IGP:
		return "igp";
	case BGP_ORIGIN_EGP:
		return "egp";
	case BGP_ORIGIN_INCOMPLETE:
		return "incomplete";
	}
	return "unknown";
}

static uint32_t
get_be32(const uint8_t *q)
{
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | q[3];
}

/*
 * One route as a top-level JSON value; json.c puts the comma between
 * consecutive ones. An AS_SET is a nested array: [65000,[64512,64513]].
 */
static void
route_json(struct control *ctl, struct json *j, const char *nbr,
    const struct rib_in_route *rt)
{
	struct bgp_attrs a;
	struct bgp_aspath_iter it;
	const uint8_t *q;
	char pfx[CONFIG_PREFIX_STRLEN], nh[INET6_ADDRSTRLEN], s[40];
	uint32_t asn;
	uint8_t seg;
	size_t i;
	bool start, in_set = false;

	if (rib_in_route_attrs(rt, ctl->scratch, RIB_IN_SCRATCH_MAX, &a) ==
	    -1)
		return;		/* cannot happen for a set from the RIB */
	json_object_begin(j, NULL);
	json_string(j, "prefix", config_prefix_ntop(&rt->prefix, pfx,
	    sizeof(pfx)));
	if (rt->prefix.path_id != 0)			/* RFC 7911 */
		json_uint(j, "path_id", rt->prefix.path_id);
	json_string(j, "neighbor", nbr);

	json_array_begin(j, "as_path");
	bgp_aspath_iter_init(&it, &a);
	for (;;) {
		start = it.seg_left == 0;
		if (bgp_aspath_next(&it, &asn, &seg) != 1)
			break;
		if (start && (seg == BGP_ASPATH_SET ||
		    seg == BGP_ASPATH_CONFED_SET)) {
			json_array_begin(j, NULL);
			in_set = true;
		}
		json_uint(j, NULL, asn);
		if (in_set && it.seg_left == 0) {
			json_array_end(j);
			in_set = false;
		}
	}
	if (in_set)		/* a truncated segment */
		json_array_end(j);
	json_array_end(j);

	nh[0] = '\0';
	if (bgp_attrs_has(&a, BGP_ATTR_MP_REACH_NLRI) &&
	    a.mp_nexthop_len > 0)			/* RFC 4760 3 */
		inet_ntop(a.mp_nexthop_len == 4 ? AF_INET : AF_INET6,
		    a.mp_nexthop, nh, sizeof(nh));
	else if (bgp_attrs_has(&a, BGP_ATTR_NEXT_HOP))
		inet_ntop(AF_INET, &a.nexthop, nh, sizeof(nh));
	json_string(j, "next_hop", nh);
	if (bgp_attrs_has(&a, BGP_ATTR_MP_REACH_NLRI) &&
	    a.mp_nexthop_len == 32) {			/* RFC 2545 3 */
		inet_ntop(AF_INET6, a.mp_nexthop_ll, nh, sizeof(nh));
		json_string(j, "next_hop_ll", nh);
	}

	json_array_begin(j, "communities");		/* RFC 1997 */
	for (i = 0; i + 4 <= a.communities.len; i += 4) {
		q = a.communities.data + i;
		snprintf(s, sizeof(s), "%u:%u", get_be32(q) >> 16,
		    get_be32(q) & 0xffff);
		json_string(j, NULL, s);
	}
	json_array_end(j);
	if (bgp_attrs_has(&a, BGP_ATTR_LARGE_COMMUNITIES)) {	/* RFC 8092 */
		json_array_begin(j, "large_communities");
		for (i = 0; i + 12 <= a.large_communities.len; i += 12) {
			q = a.large_communities.data + i;
			snprintf(s, sizeof(s), "%u:%u:%u", get_be32(q),
			    get_be32(q + 4), get_be32(q + 8));
			json_string(j, NULL, s);
		}
		json_array_end(j);
	}
	if (bgp_attrs_has(&a, BGP_ATTR_ORIGIN))
		json_string(j, "origin", origin_name(a.origin));
	if (bgp_attrs_has(&a, BGP_ATTR_MED))
		json_uint(j, "med", a.med);
	if (bgp_attrs_has(&a, BGP_ATTR_LOCAL_PREF))
		json_uint(j, "local_pref", a.local_pref);
	if (bgp_attrs_has(&a, BGP_ATTR_ATOMIC_AGGREGATE))
		json_bool(j, "atomic_aggregate", true);
	json_object_end(j);
}

/*
 * The peer a show rib is walking. It is looked up again on every slice,
 * by address, since a reload may have freed it; if it is gone, the peer
 * that followed it now stands at its index.
 */
static struct peer *
rib_peer(struct ctl_client *c)
{
	struct daemon *d = c->ctl->d;
	struct peer *p;
	size_t i = 0;

	if (!c->rib_all)
		return session_peer_find(d, &c->rib_addr);
	if (c->rib_have_peer) {
		TAILQ_FOREACH(p, &d->peers, entry) {
			if (config_addr_equal(&p->conf.addr, &c->rib_addr)) {
				c->rib_index = i;
				return p;
			}
			i++;
		}
		memset(&c->rib_cursor, 0, sizeof(c->rib_cursor));
	}
	i = 0;
	TAILQ_FOREACH(p, &d->peers, entry)
		if (i++ == c->rib_index) {
			c->rib_addr = p->conf.addr;
			c->rib_have_peer = true;
			return p;
		}
	return NULL;
}

/*
 * Adds slices of routes until the client's queue reaches CONTROL_OUT_HIGH;
 * the write callback calls again once it drains to CONTROL_OUT_LOW, so the
 * reply is never whole in memory. Returns true once the reply is complete.
 */
static bool
rib_fill(struct ctl_client *c)
{
	struct control *ctl = c->ctl;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct json *j = &ctl->j;
	struct rib_in_route rt;
	struct peer *p;
	char nbr[CONFIG_ADDR_STRLEN];
	size_t n;

	while (evbuffer_get_length(out) < CONTROL_OUT_HIGH) {
		if ((p = rib_peer(c)) == NULL)
			break;
		config_addr_ntop(&p->conf.addr, nbr, sizeof(nbr));
		json_reset(j);
		for (n = 0; n < CONTROL_RIB_BATCH &&
		    rib_in_walk(p->rib, &c->rib_cursor, &rt) == 1; n++)
			route_json(ctl, j, nbr, &rt);
		if (j->error || j->depth != 0) {
			/* Cannot happen for a slice this small; the client
			 * sees JSON cut short rather than a lie. */
			log_warnx("control: %s: show rib: JSON error",
			    client_name(c));
			client_close(c);
			return false;
		}
		if (j->len > 0) {
			if (!c->rib_first)
				evbuffer_add(out, ",", 1);
			evbuffer_add(out, j->data, j->len);
			c->rib_first = false;
		}
		if (n < CONTROL_RIB_BATCH) {	/* this peer is done */
			if (!c->rib_all)
				break;
			c->rib_index++;
			c->rib_have_peer = false;
			memset(&c->rib_cursor, 0, sizeof(c->rib_cursor));
		}
	}
	if (evbuffer_get_length(out) >= CONTROL_OUT_HIGH)
		return false;
	evbuffer_add(out, "]}\n", 3);
	c->rib_active = false;
	return true;
}

static void
show_rib(struct ctl_client *c, const struct ctl_request *req)
{
	char buf[CONFIG_ADDR_STRLEN];

	if (req->has_addr && session_peer_find(c->ctl->d, &req->addr) ==
	    NULL) {
		reply_error(c, "no such neighbor %s",
		    config_addr_ntop(&req->addr, buf, sizeof(buf)));
		return;
	}
	c->rib_all = !req->has_addr;
	c->rib_addr = req->addr;
	c->rib_have_peer = req->has_addr;
	c->rib_index = 0;
	memset(&c->rib_cursor, 0, sizeof(c->rib_cursor));
	c->rib_first = true;
	c->rib_active = true;
	bufferevent_write(c->bev, "{\"routes\":[", 11);
	(void)rib_fill(c);
}

/* ------------------------------------------------------------------ */
/* Commands                                                             */

static void
neighbor_cmd(struct ctl_client *c, const struct ctl_request *req)
{
	struct peer *p;
	char addr[CONFIG_ADDR_STRLEN], msg[128];

	config_addr_ntop(&req->addr, addr, sizeof(addr));
	if ((p = session_peer_find(c->ctl->d, &req->addr)) == NULL) {
		reply_error(c, "no such neighbor %s", addr);
		return;
	}
	switch (req->cmd->action) {
	case CTL_NEIGHBOR_DOWN:
		session_peer_down(p, NULL);
		snprintf(msg, sizeof(msg), "neighbor %s stopped", addr);
		break;
	case CTL_NEIGHBOR_UP:
		if (!p->admin_down && p->state != FSM_IDLE) {
			snprintf(msg, sizeof(msg), "neighbor %s is not down",
			    addr);
			break;
		}
		session_peer_up(p);
		snprintf(msg, sizeof(msg), "neighbor %s started", addr);
		break;
	case CTL_NEIGHBOR_RESET:
		session_peer_reset(p, NULL);
		snprintf(msg, sizeof(msg), "neighbor %s reset", addr);
		break;
	case CTL_NEIGHBOR_REFRESH:
		if (session_peer_refresh(p) == -1) {
			reply_error(c, "neighbor %s: %s", addr,
			    p->state != FSM_ESTABLISHED ? "not Established" :
			    "route refresh was not negotiated");
			return;
		}
		snprintf(msg, sizeof(msg), "neighbor %s: route refresh sent",
		    addr);
		break;
	default:
		return;
	}
	reply_ok(c, msg);
}

/* drain/undrain PREFIX|all; announce.c keeps the state file. */
static void
drain_cmd(struct ctl_client *c, const struct ctl_request *req, bool drain)
{
	char err[512], msg[128];
	int n;

	if ((n = announce_drain(c->ctl->d, req->all ? NULL : &req->prefix,
	    drain, err, sizeof(err))) == -1) {
		reply_error(c, "%s", err);
		return;
	}
	snprintf(msg, sizeof(msg), "%d prefix%s %s", n, n == 1 ? "" : "es",
	    drain ? "drained" : "undrained");
	reply_ok(c, msg);
}

/* An event line from monitor.c; may free c. */
static void
monitor_cb(void *arg, const char *line, size_t len)
{
	struct ctl_client *c = arg;
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (c->closing)
		return;
	if (evbuffer_get_length(out) + len > CONTROL_OUT_HIGH) {
		log_warnx("control: %s: monitor fell %d bytes behind; "
		    "dropped", client_name(c), CONTROL_OUT_HIGH);
		client_free(c);
		return;
	}
	evbuffer_add(out, line, len);
}

/* monitor: no reply of its own, only events, until the client leaves. */
static void
monitor_cmd(struct ctl_client *c)
{
	struct timeval stuck = { CONTROL_WRITE_TIMEOUT, 0 };

	if (monitor_subscribe(monitor_cb, c) == -1) {
		reply_error(c, "too many monitor clients");
		return;
	}
	c->monitoring = true;
	/* It sends nothing more: no idle timeout, but still dropped when
	 * it stops reading. */
	bufferevent_set_timeouts(c->bev, NULL, &stuck);
}

static void
reload_cmd(struct ctl_client *c)
{
	char err[512];

	if (daemon_reload(c->ctl->d, err, sizeof(err)) == -1) {
		reply_error(c, "%s", err);
		return;
	}
	reply_ok(c, "configuration reloaded");
}

/* One request line: checked against the table, then carried out. */
static void
client_request(struct ctl_client *c, char *line)
{
	struct ctl_request req;
	char *words[CTL_WORDS_MAX], canon[CTL_LINE_MAX + 1], err[256];
	int n;

	if ((n = ctl_split(line, words, nitems(words))) == 0)
		return;		/* a blank line, for interactive use */
	if (n == -1) {
		reply_error(c, "too many words");
		return;
	}
	if (ctl_parse(n, words, &req, err, sizeof(err)) == -1) {
		log_debug("control: %s: %s", client_name(c), err);
		reply_error(c, "%s", err);
		return;
	}
	(void)ctl_join(n, words, canon, sizeof(canon));
	if (req.cmd->mutating)
		log_info("control: %s: %s", client_name(c), canon);
	switch (req.cmd->action) {
	case CTL_SHOW_NEIGHBORS:
		show_neighbors(c, NULL);
		break;
	case CTL_SHOW_NEIGHBOR:
		show_neighbors(c, &req.addr);
		break;
	case CTL_SHOW_PREFIXES:
		show_prefixes(c);
		break;
	case CTL_SHOW_RIB:
		show_rib(c, &req);
		break;
	case CTL_NEIGHBOR_DOWN:
	case CTL_NEIGHBOR_UP:
	case CTL_NEIGHBOR_RESET:
	case CTL_NEIGHBOR_REFRESH:
		neighbor_cmd(c, &req);
		break;
	case CTL_RELOAD:
		reload_cmd(c);
		break;
	case CTL_SHOW_CHECKS:
		show_checks(c);
		break;
	case CTL_DRAIN:
		drain_cmd(c, &req, true);
		break;
	case CTL_UNDRAIN:
		drain_cmd(c, &req, false);
		break;
	case CTL_MONITOR:
		monitor_cmd(c);
		break;
	case CTL_ACTION_MAX:
		break;
	}
}
