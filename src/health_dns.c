/*
 * dns checks: one query of the configured type to the configured server
 * and port over UDP; up on NOERROR with at least one answer record.
 *
 * A tiny client of its own rather than evdns: evdns resolves only A,
 * AAAA and PTR, while a check may ask for SOA, TXT or any other type the
 * grammar accepts.  Each run opens a connected UDP socket (so only the
 * server's datagrams arrive, and an ICMP port unreachable shows up as
 * ECONNREFUSED), sends one query with RD and an EDNS0 OPT record, and
 * waits for the answer until the run's timeout: no retries, no search
 * domains, no resolv.conf.  Encoding and parsing go through struct buf
 * and are pure, for the tests.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "health_int.h"
#include "log.h"
#include "util.h"

#define DNS_HDR_LEN		12
#define DNS_FLAG_QR		0x8000
#define DNS_FLAG_TC		0x0200
#define DNS_FLAG_RD		0x0100
#define DNS_OPCODE(f)		(((f) >> 11) & 0xf)
#define DNS_RCODE(f)		((f) & 0xf)
#define DNS_CLASS_IN		1
#define DNS_TYPE_OPT		41	/* RFC 6891 6.1.2 */
#define DNS_EDNS_UDP_SIZE	1232	/* the DNS flag day 2020 value */
#define DNS_LABEL_MAX		63
#define DNS_RECV_MAX		4096

static const char *const dns_rcode_names[] = {
	[0] = "NOERROR", [1] = "FORMERR", [2] = "SERVFAIL", [3] = "NXDOMAIN",
	[4] = "NOTIMP", [5] = "REFUSED",
};

struct dns_run {
	struct health_sock_run	 sock;	/* first: health_sock_close */
	uint8_t		 query[HEALTH_DNS_QUERY_MAX];
	size_t		 qlen;
};

/* ------------------------------------------------------------------ */
/* Wire format                                                          */

/* RFC 1035 3.1: "a.b." as 1 a 1 b 0; the name is always absolute. */
static int
put_name(struct buf *b, const char *name)
{
	const char	*p, *dot;
	size_t		 len;

	for (p = name; *p != '\0'; p = *dot == '\0' ? dot : dot + 1) {
		dot = p + strcspn(p, ".");
		len = dot - p;
		if (len == 0) {
			if (p == name && *dot == '.' && dot[1] == '\0')
				break;		/* "." is the root */
			return -1;
		}
		if (len > DNS_LABEL_MAX)
			return -1;
		buf_put_u8(b, len);
		buf_put(b, p, len);
	}
	buf_put_u8(b, 0);
	return buf_error(b) ? -1 : 0;
}

int
health_dns_query(struct buf *b, uint16_t id, const char *qname,
    uint16_t qtype)
{
	/* RFC 1035 4.1.1: header; RD so a recursive server resolves. */
	buf_put_u16(b, id);
	buf_put_u16(b, DNS_FLAG_RD);
	buf_put_u16(b, 1);		/* QDCOUNT */
	buf_put_u16(b, 0);		/* ANCOUNT */
	buf_put_u16(b, 0);		/* NSCOUNT */
	buf_put_u16(b, 1);		/* ARCOUNT: the OPT record */
	/* RFC 1035 4.1.2 */
	if (put_name(b, qname) == -1)
		return -1;
	buf_put_u16(b, qtype);
	buf_put_u16(b, DNS_CLASS_IN);
	/* RFC 6891 6.1.2: root name, OPT, payload size, no flags, no data. */
	buf_put_u8(b, 0);
	buf_put_u16(b, DNS_TYPE_OPT);
	buf_put_u16(b, DNS_EDNS_UDP_SIZE);
	buf_put_u32(b, 0);
	buf_put_u16(b, 0);
	return buf_error(b) ? -1 : 0;
}

/* Moves past a possibly compressed name (RFC 1035 4.1.4). */
static int
skip_name(struct buf *b)
{
	uint8_t	len;

	for (;;) {
		if (buf_get_u8(b, &len) == -1)
			return -1;
		if (len == 0)
			return 0;
		if ((len & 0xc0) == 0xc0)
			return buf_skip(b, 1);	/* a pointer ends it */
		if (len > DNS_LABEL_MAX || buf_skip(b, len) == -1)
			return -1;
	}
}

/* The question of q (our query) and of r (the answer) are the same. */
static bool
same_question(struct buf *q, struct buf *r)
{
	struct buf	qq = *q;	/* a second cursor on it */
	size_t		n;
	uint8_t		a, c;

	/* Uncompressed in both: nothing precedes it to point at. */
	if (skip_name(q) == -1 || buf_skip(q, 4) == -1)
		return false;
	for (n = q->rpos - qq.rpos; n > 0; n--) {
		if (buf_get_u8(&qq, &a) == -1 || buf_get_u8(r, &c) == -1)
			return false;
		/* RFC 4343: names compare case-insensitively. */
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (a != c)
			return false;
	}
	return true;
}

int
health_dns_verdict(const uint8_t *query, size_t qlen, const uint8_t *resp,
    size_t rlen, char *err, size_t errlen)
{
	struct buf	q, r;
	uint16_t	qid, id, flags, qd, an, ns, ar, rdlen, i;
	unsigned	rcode;

	buf_view(&q, query, qlen);
	buf_view(&r, resp, rlen);
	if (buf_get_u16(&q, &qid) == -1 || buf_skip(&q, DNS_HDR_LEN - 2) == -1)
		return -1;
	if (buf_get_u16(&r, &id) == -1 || buf_get_u16(&r, &flags) == -1 ||
	    buf_get_u16(&r, &qd) == -1 || buf_get_u16(&r, &an) == -1 ||
	    buf_get_u16(&r, &ns) == -1 || buf_get_u16(&r, &ar) == -1)
		return -1;
	/* RFC 5452 9.1: only an answer to this question is an answer. */
	if (id != qid || !(flags & DNS_FLAG_QR) || DNS_OPCODE(flags) != 0)
		return -1;
	rcode = DNS_RCODE(flags);
	/* Some servers leave the question out of the errors they send. */
	if (!(qd == 0 && rcode != 0) && (qd != 1 || !same_question(&q, &r)))
		return -1;
	if (rcode != 0) {
		if (rcode < nitems(dns_rcode_names))
			snprintf(err, errlen, "%s", dns_rcode_names[rcode]);
		else
			snprintf(err, errlen, "rcode %u", rcode);
		return 0;
	}
	/* Truncated: the data exists but does not fit; the server works. */
	if (flags & DNS_FLAG_TC)
		return 1;
	if (an == 0) {
		snprintf(err, errlen, "no answer records");
		return 0;
	}
	for (i = 0; i < an; i++) {
		/* NAME, TYPE, CLASS, TTL, RDLENGTH, RDATA */
		if (skip_name(&r) == -1 || buf_skip(&r, 8) == -1 ||
		    buf_get_u16(&r, &rdlen) == -1 ||
		    buf_skip(&r, rdlen) == -1) {
			snprintf(err, errlen, "malformed answer");
			return 0;
		}
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* Runs                                                                 */

static void
dns_read(evutil_socket_t fd, short what, void *arg)
{
	struct health_check	*hc = arg;
	struct dns_run		*r = hc->priv;
	uint8_t			 resp[DNS_RECV_MAX];
	char			 err[HEALTH_ERROR_MAX];
	ssize_t			 n;
	int			 v;

	(void)what;
	for (;;) {
		if ((n = recv(fd, resp, sizeof(resp), 0)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			v = errno;
			health_sock_close(hc);
			health_fail(hc, "recv: %s", strerror(v));
			return;
		}
		v = health_dns_verdict(r->query, r->qlen, resp, n, err,
		    sizeof(err));
		if (v == -1)
			continue;	/* not ours: keep waiting */
		health_sock_close(hc);
		if (v == 1)
			health_ok(hc);
		else
			health_fail(hc, "%s", err);
		return;
	}
}

static void
dns_start(struct health_check *hc)
{
	const struct check_conf	*c = hc->st.conf;
	struct sockaddr_storage	 ss;
	struct dns_run		*r;
	struct buf		 b;
	const char		*what;
	socklen_t		 sslen;
	int			 e;

	r = xcalloc(1, sizeof(*r));
	r->sock.fd = -1;
	hc->priv = r;
	buf_init(&b, r->query, sizeof(r->query));
	if (health_dns_query(&b, arc4random() & 0xffff, c->dns.qname,
	    c->dns.qtype) == -1) {
		health_sock_close(hc);
		health_fail(hc, "cannot encode %s", c->dns.qname);
		return;
	}
	r->qlen = buf_len(&b);
	sslen = config_addr_sockaddr(&c->dns.server, c->dns.port, &ss);
	if ((r->sock.fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		what = "socket";
	else if (connect(r->sock.fd, (struct sockaddr *)&ss, sslen) == -1)
		what = "connect";
	else if (send(r->sock.fd, r->query, r->qlen, 0) == -1)
		what = "send";
	else
		what = NULL;
	if (what != NULL) {
		e = errno;
		health_sock_close(hc);
		health_fail(hc, "%s: %s", what, strerror(e));
		return;
	}
	if ((r->sock.ev = event_new(hc->h->base, r->sock.fd,
	    EV_READ | EV_PERSIST, dns_read, hc)) == NULL ||
	    event_add(r->sock.ev, NULL) == -1)
		fatalx("event_new failed");
}

static void
dns_print(const struct health_check *hc, char *buf, size_t len)
{
	const struct check_conf	*c = hc->st.conf;
	const char		*type = config_dns_type_name(c->dns.qtype);
	char			 addr[CONFIG_ADDR_STRLEN], num[8];

	if (type == NULL) {
		snprintf(num, sizeof(num), "%u", c->dns.qtype);
		type = num;
	}
	snprintf(buf, len, "%s type %s server %s port %u", c->dns.qname, type,
	    config_addr_ntop(&c->dns.server, addr, sizeof(addr)), c->dns.port);
}

const struct health_ops health_dns_ops = {
	.name = "dns",
	.start = dns_start,
	.cancel = health_sock_cancel,
	.free = health_sock_close,
	.print = dns_print,
};
