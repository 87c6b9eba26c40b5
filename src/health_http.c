/*
 * http checks: GET the URL over a fresh connection and compare the status
 * code with the one expected.  The verdict needs only the status line, so
 * the connection is closed as soon as it has arrived.
 *
 * This is a small HTTP/1.1 client on a bufferevent rather than evhttp:
 * libevent 2.1's evhttp shuts the socket down before it reports a failed
 * connect, so the reason (ECONNREFUSED, EHOSTUNREACH) is lost and the
 * operator would see only "request failed".  Here the connect error, a
 * resolver error and a bad status each get their own last_error.
 * The request carries Host (RFC 9110 7.2) and Connection: close, and
 * nothing is kept between runs.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "health_int.h"
#include "log.h"
#include "util.h"

/* A status line longer than this is not from an HTTP server. */
#define HTTP_STATUS_LINE_MAX	1024

struct http_run {
	struct bufferevent	*bev;
	bool			 connected;
};

static void
http_close(struct health_check *hc)
{
	struct http_run	*r = hc->priv;

	if (r == NULL)
		return;
	/* Also cancels a host name lookup in progress. */
	if (r->bev != NULL)
		bufferevent_free(r->bev);
	free(r);
	hc->priv = NULL;
}

/* "HTTP/1.1 200 OK": the code, or -1 when the line is not a status line. */
static int
parse_status(const char *line)
{
	if (strncmp(line, "HTTP/", 5) != 0 || line[5] < '0' ||
	    line[5] > '9' || line[6] != '.' || line[7] < '0' ||
	    line[7] > '9' || line[8] != ' ')
		return -1;
	line += 9;
	if (line[0] < '1' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '9' || line[2] < '0' || line[2] > '9' ||
	    (line[3] != ' ' && line[3] != '\0'))
		return -1;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

static void
http_read(struct bufferevent *bev, void *arg)
{
	struct health_check	*hc = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	char			*line;
	size_t			 n;
	int			 code;

	if ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF)) == NULL) {
		if (evbuffer_get_length(in) > HTTP_STATUS_LINE_MAX) {
			http_close(hc);
			health_fail(hc, "no HTTP status line");
		}
		return;
	}
	code = n <= HTTP_STATUS_LINE_MAX ? parse_status(line) : -1;
	free(line);
	http_close(hc);
	if (code == -1)
		health_fail(hc, "no HTTP status line");
	else if (code != hc->st.conf->http.expect)
		health_fail(hc, "status %d, expected %u", code,
		    hc->st.conf->http.expect);
	else
		health_ok(hc);
}

static void
http_event(struct bufferevent *bev, short what, void *arg)
{
	struct health_check	*hc = arg;
	struct http_run		*r = hc->priv;
	int			 err, dnserr;

	if (what & BEV_EVENT_CONNECTED) {
		r->connected = true;
		return;
	}
	err = EVUTIL_SOCKET_ERROR();
	dnserr = bufferevent_socket_get_dns_error(bev);
	if (dnserr != 0) {
		http_close(hc);
		health_fail(hc, "resolve %s: %s", hc->st.conf->http.host,
		    evutil_gai_strerror(dnserr));
	} else if (!r->connected) {
		http_close(hc);
		health_fail(hc, "connect: %s", strerror(err));
	} else if (what & BEV_EVENT_EOF) {
		http_close(hc);
		health_fail(hc, "connection closed before the status line");
	} else {
		http_close(hc);
		health_fail(hc, "%s: %s", what & BEV_EVENT_READING ?
		    "read" : "write", strerror(err));
	}
}

static void
http_start(struct health_check *hc)
{
	const struct check_conf	*c = hc->st.conf;
	struct config_addr	 a;
	struct sockaddr_storage	 ss;
	struct evdns_base	*dns;
	struct http_run		*r;
	socklen_t		 sslen;
	int			 rv;
	bool			 v6;

	r = xcalloc(1, sizeof(*r));
	hc->priv = r;
	/* Deferred callbacks: none runs from inside the connect calls. */
	if ((r->bev = bufferevent_socket_new(hc->h->base, -1,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS)) == NULL)
		fatalx("bufferevent_socket_new failed");
	bufferevent_setcb(r->bev, http_read, NULL, http_event, hc);
	/* RFC 9110 7.2: Host is the authority of the URL. */
	v6 = strchr(c->http.host, ':') != NULL;
	if (evbuffer_add_printf(bufferevent_get_output(r->bev),
	    "GET %s HTTP/1.1\r\nHost: %s%s%s", c->http.path,
	    v6 ? "[" : "", c->http.host, v6 ? "]" : "") == -1 ||
	    (c->http.port != 80 && evbuffer_add_printf(
	    bufferevent_get_output(r->bev), ":%u", c->http.port) == -1) ||
	    evbuffer_add_printf(bufferevent_get_output(r->bev),
	    "\r\nUser-Agent: anycastd\r\nAccept: */*\r\n"
	    "Connection: close\r\n\r\n") == -1)
		fatalx("evbuffer_add_printf failed");
	if (bufferevent_enable(r->bev, EV_READ | EV_WRITE) == -1)
		fatalx("bufferevent_enable failed");

	if (config_addr_pton(c->http.host, &a) == 0) {
		sslen = config_addr_sockaddr(&a, c->http.port, &ss);
		rv = bufferevent_socket_connect(r->bev,
		    (struct sockaddr *)&ss, sslen);
	} else if ((dns = health_dns_base(hc->h)) == NULL) {
		http_close(hc);
		health_fail(hc, "resolve %s: no resolver", c->http.host);
		return;
	} else
		rv = bufferevent_socket_connect_hostname(r->bev, dns,
		    AF_UNSPEC, c->http.host, c->http.port);
	if (rv == -1) {
		rv = errno;
		http_close(hc);
		health_fail(hc, "connect: %s", strerror(rv));
	}
}

static void
http_cancel(struct health_check *hc)
{
	http_close(hc);
	health_fail(hc, "cancelled");
}

static void
http_free(struct health_check *hc)
{
	http_close(hc);
}

static void
http_print(const struct health_check *hc, char *buf, size_t len)
{
	snprintf(buf, len, "GET %s expect %u", hc->st.conf->http.url,
	    hc->st.conf->http.expect);
}

const struct health_ops health_http_ops = {
	.name = "http",
	.start = http_start,
	.cancel = http_cancel,
	.free = http_free,
	.print = http_print,
};
