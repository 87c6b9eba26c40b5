/*
 * tcp checks: up when a non-blocking connect(2) to the address and port
 * completes.  Each run opens a new socket and closes it as soon as the
 * handshake is done; nothing is sent.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "health_int.h"
#include "log.h"
#include "util.h"

static void
tcp_connected(evutil_socket_t fd, short what, void *arg)
{
	struct health_check	*hc = arg;
	int			 err = 0;
	socklen_t		 len = sizeof(err);

	(void)what;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	health_sock_close(hc);
	if (err != 0)
		health_fail(hc, "connect: %s", strerror(err));
	else
		health_ok(hc);
}

static void
tcp_start(struct health_check *hc)
{
	const struct check_conf	*c = hc->st.conf;
	struct sockaddr_storage	 ss;
	struct health_sock_run	*r;
	socklen_t		 sslen;

	sslen = config_addr_sockaddr(&c->tcp.addr, c->tcp.port, &ss);
	r = xcalloc(1, sizeof(*r));
	hc->priv = r;
	if ((r->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		health_fail(hc, "socket: %s", strerror(errno));
		health_sock_close(hc);
		return;
	}
	if (connect(r->fd, (struct sockaddr *)&ss, sslen) == 0) {
		health_sock_close(hc);
		health_ok(hc);
		return;
	}
	if (errno != EINPROGRESS) {
		health_fail(hc, "connect: %s", strerror(errno));
		health_sock_close(hc);
		return;
	}
	if ((r->ev = event_new(hc->h->base, r->fd, EV_WRITE, tcp_connected,
	    hc)) == NULL || event_add(r->ev, NULL) == -1)
		fatalx("event_new failed");
}

static void
tcp_print(const struct health_check *hc, char *buf, size_t len)
{
	char	addr[CONFIG_ADDR_STRLEN];

	snprintf(buf, len, "%s port %u",
	    config_addr_ntop(&hc->st.conf->tcp.addr, addr, sizeof(addr)),
	    hc->st.conf->tcp.port);
}

const struct health_ops health_tcp_ops = {
	.name = "tcp",
	.start = tcp_start,
	.cancel = health_sock_cancel,
	.free = health_sock_close,
	.print = tcp_print,
};
