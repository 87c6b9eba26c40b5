/*
 * The configuration as data: creating and freeing it, the checks that need
 * the whole file (duplicates, names used in `requires`, which neighbors
 * carry which family), lookups, comparison for reload, `requires`
 * evaluation, and the text forms of addresses, prefixes and durations.
 *
 * This module knows no grammar (parse.y) and prints nothing but into
 * the buffers it is given; the canonical form is printconf.c's.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "util.h"

/* A configuration bigger than this is a mistake, not a PoP. */
#define CONFIG_MAX_SIZE		(256 * 1024 * 1024)	/* a million prefixes fit */

static const char *const check_type_names[] = {
	[CHECK_NONE] = "none",
	[CHECK_HTTP] = "http",
	[CHECK_DNS] = "dns",
	[CHECK_TCP] = "tcp",
	[CHECK_EXEC] = "exec",
	[CHECK_FILE] = "file",
	[CHECK_PROCESS] = "process",
};
static_assert(nitems(check_type_names) == CHECK_TYPE_MAX,
    "check_type_names out of sync with enum check_type");

static const char *const family_names[] = {
	[BGP_AID_IPV4] = "ipv4 unicast",
	[BGP_AID_IPV6] = "ipv6 unicast",
};
static_assert(nitems(family_names) == BGP_AID_MAX,
    "family_names out of sync with enum bgp_aid");

static const struct {
	const char	*name;
	uint16_t	 type;
} dns_types[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 },
	{ "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 },
	{ "CAA", 257 },
};

/* RFC 1997, RFC 3765, RFC 7999: the names operators know them by. */
static const struct {
	const char	*name;
	uint32_t	 value;
} well_known_communities[] = {
	{ "blackhole", 0xffff029a },
	{ "no-export", BGP_COMMUNITY_NO_EXPORT },
	{ "no-advertise", BGP_COMMUNITY_NO_ADVERTISE },
	{ "no-export-subconfed", 0xffffff03 },
	{ "no-peer", 0xffffff04 },
};

/* ------------------------------------------------------------------ */
/* Diagnostics                                                          */

bool
config_error(struct config_errors *errs, const char *file,
    struct config_pos pos, bool warning, const char *fmt, ...)
{
	struct config_error	*e;
	char			*msg;
	va_list			 ap;
	int			 r;

	if (errs == NULL)
		return true;
	if (errs->nerrors > CONFIG_MAX_ERRORS)
		return false;
	/* Warnings are capped too, so a huge file cannot flood the log. */
	if (warning && errs->n - errs->nerrors >= CONFIG_MAX_ERRORS)
		return true;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r == -1)
		fatal("config_error");

	errs->v = xreallocarray(errs->v, errs->n + 1, sizeof(*errs->v));
	e = &errs->v[errs->n++];
	memset(e, 0, sizeof(*e));
	e->warning = warning;
	if (!warning && errs->nerrors == CONFIG_MAX_ERRORS) {
		/* The one past the cap becomes the notice that we stopped. */
		free(msg);
		r = asprintf(&e->text, "%s: too many errors, giving up", file);
		e->pos.line = 0;
	} else if (pos.line == 0) {
		r = asprintf(&e->text, "%s: %s%s", file,
		    warning ? "warning: " : "", msg);
		e->pos = pos;
		free(msg);
	} else {
		r = asprintf(&e->text, "%s:%u:%u: %s%s", file, pos.line,
		    pos.col, warning ? "warning: " : "", msg);
		e->pos = pos;
		free(msg);
	}
	if (r == -1)
		fatal("config_error");
	if (!warning)
		errs->nerrors++;
	return errs->nerrors <= CONFIG_MAX_ERRORS;
}

void
config_errors_free(struct config_errors *errs)
{
	size_t	i;

	if (errs == NULL)
		return;
	for (i = 0; i < errs->n; i++)
		free(errs->v[i].text);
	free(errs->v);
	errs->v = NULL;
	errs->n = errs->nerrors = 0;
}

/* Whole-file messages (line 0) go last: "too many errors" ends the list. */
static int
pos_cmp(const struct config_error *a, const struct config_error *b)
{
	unsigned	al = a->pos.line ? a->pos.line : UINT_MAX;
	unsigned	bl = b->pos.line ? b->pos.line : UINT_MAX;

	if (al != bl)
		return al < bl ? -1 : 1;
	if (a->pos.col != b->pos.col)
		return a->pos.col < b->pos.col ? -1 : 1;
	return 0;
}

/* Insertion sort: stable, and the list is short and nearly sorted. */
static void
errors_sort(struct config_errors *errs)
{
	struct config_error	 tmp;
	size_t			 i, j;

	if (errs == NULL)
		return;
	for (i = 1; i < errs->n; i++) {
		tmp = errs->v[i];
		for (j = i; j > 0 && pos_cmp(&errs->v[j - 1], &tmp) > 0; j--)
			errs->v[j] = errs->v[j - 1];
		errs->v[j] = tmp;
	}
}

/* Optimal string alignment distance: a swapped pair of letters costs 1. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b);
	size_t	d[CHECK_NAME_MAX + 2][CHECK_NAME_MAX + 2];
	size_t	i, j, cost, v;

	if (la > CHECK_NAME_MAX || lb > CHECK_NAME_MAX)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] == b[j - 1] ? 0 : 1;
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

const char *
config_suggest(const char *word, const char *const *cand, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd, limit;

	/* Short words are close to everything: fewer slips for them. */
	limit = strlen(word) <= 2 ? 0 : strlen(word) <= 4 ? 1 : 2;
	if (limit == 0)
		return NULL;
	bestd = limit + 1;
	for (i = 0; i < n; i++) {
		if (strcmp(word, cand[i]) == 0)
			continue;
		d = edit_distance(word, cand[i]);
		if (d < bestd) {
			bestd = d;
			best = cand[i];
		}
	}
	return best;
}

/* ------------------------------------------------------------------ */
/* Text forms                                                           */

int
config_addr_pton(const char *s, struct config_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->aid = BGP_AID_IPV4;
		return 0;
	}
	if (strchr(s, ':') != NULL && inet_pton(AF_INET6, s, a->addr) == 1) {
		a->aid = BGP_AID_IPV6;
		return 0;
	}
	memset(a, 0, sizeof(*a));
	return -1;
}

const char *
config_addr_ntop(const struct config_addr *a, char *buf, size_t len)
{
	int	af = a->aid == BGP_AID_IPV6 ? AF_INET6 : AF_INET;

	if (inet_ntop(af, a->addr, buf, len) == NULL && len > 0)
		buf[0] = '\0';
	return buf;
}

bool
config_addr_equal(const struct config_addr *a, const struct config_addr *b)
{
	size_t	n = a->aid == BGP_AID_IPV6 ? 16 : 4;

	return a->aid == b->aid && memcmp(a->addr, b->addr, n) == 0;
}

socklen_t
config_addr_sockaddr(const struct config_addr *a, uint16_t port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->aid == BGP_AID_IPV6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->addr, 16);
		return sizeof(*sin6);
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	memcpy(&sin->sin_addr, a->addr, 4);
	return sizeof(*sin);
}

int
config_prefix_pton(const char *s, struct bgp_prefix *p, char *err,
    size_t errlen)
{
	struct config_addr	 a;
	struct bgp_prefix	 net;
	char			 addr[CONFIG_ADDR_STRLEN + 1], buf[CONFIG_PREFIX_STRLEN];
	const char		*slash, *errstr;
	unsigned		 max, i;
	long long		 len;

	memset(p, 0, sizeof(*p));
	if ((slash = strchr(s, '/')) == NULL) {
		snprintf(err, errlen, "%s: missing prefix length (ADDR/LEN)", s);
		return -1;
	}
	if ((size_t)(slash - s) >= sizeof(addr)) {
		snprintf(err, errlen, "invalid prefix '%s'", s);
		return -1;
	}
	memcpy(addr, s, slash - s);
	addr[slash - s] = '\0';
	if (config_addr_pton(addr, &a) == -1 || slash[1] == '\0' ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    strlen(slash + 1) > 3) {
		snprintf(err, errlen, "invalid prefix '%s'", s);
		return -1;
	}
	max = a.aid == BGP_AID_IPV6 ? 128 : 32;
	len = strtonum(slash + 1, 0, 999, &errstr);
	if (errstr != NULL || len > max) {
		snprintf(err, errlen, "%s: prefix length out of range (0..%u)",
		    s, max);
		return -1;
	}
	memset(&net, 0, sizeof(net));	/* padding too: prefixes are compared */
	net.aid = a.aid;
	net.len = len;
	net.path_id = 0;
	memcpy(net.addr, a.addr, sizeof(net.addr));
	for (i = 0; i < 16 * 8; i++) {
		if (i >= net.len)
			net.addr[i / 8] &= ~(0x80 >> (i % 8));
	}
	if (memcmp(net.addr, a.addr, sizeof(net.addr)) != 0) {
		snprintf(err, errlen, "%s: host bits set, did you mean %s?", s,
		    config_prefix_ntop(&net, buf, sizeof(buf)));
		return -1;
	}
	*p = net;
	return 0;
}

const char *
config_prefix_ntop(const struct bgp_prefix *p, char *buf, size_t len)
{
	struct config_addr	a;
	char			addr[CONFIG_ADDR_STRLEN];

	memset(&a, 0, sizeof(a));
	a.aid = p->aid;
	memcpy(a.addr, p->addr, sizeof(a.addr));
	snprintf(buf, len, "%s/%u", config_addr_ntop(&a, addr, sizeof(addr)),
	    p->len);
	return buf;
}

/* Decimal digits up to the first sep (or the end) into *v <= max. */
static const char *
parse_uint(const char *s, char sep, uint64_t max, uint64_t *v)
{
	const char	*p;

	*v = 0;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		*v = *v * 10 + (*p - '0');
		if (*v > max)
			return NULL;
	}
	if (p == s || *p != sep)
		return NULL;
	return p;
}

int
config_community_parse(const char *s, uint32_t *c)
{
	uint64_t	 hi, lo;
	const char	*p;
	size_t		 i;

	for (i = 0; i < nitems(well_known_communities); i++) {
		if (strcmp(s, well_known_communities[i].name) == 0) {
			*c = well_known_communities[i].value;
			return 0;
		}
	}
	if ((p = parse_uint(s, ':', UINT16_MAX, &hi)) == NULL ||
	    parse_uint(p + 1, '\0', UINT16_MAX, &lo) == NULL)
		return -1;
	*c = (uint32_t)hi << 16 | (uint32_t)lo;
	return 0;
}

const char *
config_community_str(uint32_t c, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i < nitems(well_known_communities); i++) {
		if (well_known_communities[i].value == c) {
			strlcpy(buf, well_known_communities[i].name, len);
			return buf;
		}
	}
	snprintf(buf, len, "%u:%u", c >> 16, c & 0xffff);
	return buf;
}

int
config_large_community_parse(const char *s, struct large_community *lc)
{
	uint64_t	 g, l1, l2;
	const char	*p;

	if ((p = parse_uint(s, ':', UINT32_MAX, &g)) == NULL ||
	    (p = parse_uint(p + 1, ':', UINT32_MAX, &l1)) == NULL ||
	    parse_uint(p + 1, '\0', UINT32_MAX, &l2) == NULL)
		return -1;
	lc->global = g;
	lc->local1 = l1;
	lc->local2 = l2;
	return 0;
}

int
config_dns_type_parse(const char *s, uint16_t *type)
{
	size_t	i;

	for (i = 0; i < nitems(dns_types); i++) {
		if (strcasecmp(s, dns_types[i].name) == 0) {
			*type = dns_types[i].type;
			return 0;
		}
	}
	return -1;
}

int
config_duration_parse(const char *s, uint64_t *ms)
{
	uint64_t	 v = 0, mult;
	const char	*p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (p == s)
		return -1;
	if (strcmp(p, "") == 0 || strcmp(p, "s") == 0)
		mult = 1000;
	else if (strcmp(p, "ms") == 0)
		mult = 1;
	else if (strcmp(p, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(p, "h") == 0)
		mult = 60 * 60 * 1000;
	else
		return -1;
	if (v > UINT64_MAX / mult)
		return -1;
	*ms = v * mult;
	return 0;
}

const char *
config_duration_str(uint64_t ms, char *buf, size_t len)
{
	if (ms == 0)
		snprintf(buf, len, "0s");
	else if (ms % (60 * 60 * 1000) == 0)
		snprintf(buf, len, "%lluh", (unsigned long long)ms / 3600000);
	else if (ms % (60 * 1000) == 0)
		snprintf(buf, len, "%llum", (unsigned long long)ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%llus", (unsigned long long)ms / 1000);
	else
		snprintf(buf, len, "%llums", (unsigned long long)ms);
	return buf;
}

const char *
check_type_name(enum check_type t)
{
	if ((size_t)t >= nitems(check_type_names))
		return "unknown";
	return check_type_names[t];
}

const char *
config_dns_type_name(uint16_t type)
{
	size_t	i;

	for (i = 0; i < nitems(dns_types); i++) {
		if (dns_types[i].type == type)
			return dns_types[i].name;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Construction and release                                             */

struct config *
config_new(const char *file)
{
	struct config	*conf;

	conf = xcalloc(1, sizeof(*conf));
	conf->file = xstrdup(file);
	TAILQ_INIT(&conf->listens);
	TAILQ_INIT(&conf->neighbors);
	TAILQ_INIT(&conf->checks);
	TAILQ_INIT(&conf->prefixes);
	conf->control_path = xstrdup(CONFIG_DEFAULT_CONTROL_PATH);
	conf->control_mode = CONFIG_DEFAULT_CONTROL_MODE;
	conf->state_file = xstrdup(CONFIG_DEFAULT_STATE_FILE);
	conf->metrics_port = CONFIG_DEFAULT_METRICS_PORT;
	return conf;
}

void
neighbor_conf_init(struct neighbor_conf *n)
{
	memset(n, 0, sizeof(*n));
	n->hold_time = NEIGHBOR_DEFAULT_HOLD_TIME;
	n->connect_retry_ms = NEIGHBOR_DEFAULT_CONNECT_RETRY_MS;
}

void
neighbor_conf_wipe(struct neighbor_conf *n)
{
	explicit_bzero(n->password, sizeof(n->password));
}

struct config_neighbor *
config_neighbor_new(struct config *conf)
{
	struct config_neighbor	*nb;

	nb = xcalloc(1, sizeof(*nb));
	neighbor_conf_init(&nb->conf);
	TAILQ_INSERT_TAIL(&conf->neighbors, nb, entry);
	conf->nneighbors++;
	return nb;
}

struct check_conf *
config_check_new(struct config *conf, const char *name)
{
	struct check_conf	*c;

	c = xcalloc(1, sizeof(*c));
	c->name = xstrdup(name);
	c->index = conf->nchecks++;
	c->interval_ms = CHECK_DEFAULT_INTERVAL_MS;
	c->timeout_ms = CHECK_DEFAULT_TIMEOUT_MS;
	c->rise = CHECK_DEFAULT_RISE;
	c->fall = CHECK_DEFAULT_FALL;
	c->http.expect = CHECK_DEFAULT_HTTP_EXPECT;
	c->dns.qtype = CHECK_DEFAULT_DNS_TYPE;
	c->dns.port = CHECK_DEFAULT_DNS_PORT;
	c->exec.argv = xcalloc(1, sizeof(*c->exec.argv));
	TAILQ_INSERT_TAIL(&conf->checks, c, entry);
	return c;
}

struct prefix_conf *
config_prefix_new(struct config *conf)
{
	struct prefix_conf	*p;

	p = xcalloc(1, sizeof(*p));
	p->on_down = PREFIX_ON_DOWN_WITHDRAW;
	TAILQ_INSERT_TAIL(&conf->prefixes, p, entry);
	conf->nprefixes++;
	return p;
}

static void
check_free(struct check_conf *c)
{
	size_t	i;

	free(c->name);
	free(c->http.url);
	free(c->http.host);
	free(c->http.path);
	free(c->dns.qname);
	for (i = 0; i < c->exec.argc; i++)
		free(c->exec.argv[i]);
	free(c->exec.argv);
	free(c->file.path);
	free(c->process.pidfile);
	free(c);
}

static void
prefix_free(struct prefix_conf *p)
{
	expr_free(p->requires);
	free(p->communities);
	free(p->large_communities);
	free(p->neighbors);
	free(p);
}

void
config_free(struct config *conf)
{
	struct listen_conf	*l;
	struct config_neighbor	*nb;
	struct check_conf	*c;
	struct prefix_conf	*p;

	if (conf == NULL)
		return;
	while ((l = TAILQ_FIRST(&conf->listens)) != NULL) {
		TAILQ_REMOVE(&conf->listens, l, entry);
		free(l);
	}
	while ((nb = TAILQ_FIRST(&conf->neighbors)) != NULL) {
		TAILQ_REMOVE(&conf->neighbors, nb, entry);
		freezero(nb, sizeof(*nb));
	}
	while ((c = TAILQ_FIRST(&conf->checks)) != NULL) {
		TAILQ_REMOVE(&conf->checks, c, entry);
		check_free(c);
	}
	while ((p = TAILQ_FIRST(&conf->prefixes)) != NULL) {
		TAILQ_REMOVE(&conf->prefixes, p, entry);
		prefix_free(p);
	}
	free(conf->file);
	free(conf->control_path);
	free(conf->control_group);
	free(conf->state_file);
	free(conf->user);
	free(conf);
}

/* ------------------------------------------------------------------ */
/* Comparison, for reload                                               */

static bool
str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
neighbor_conf_equal(const struct neighbor_conf *a,
    const struct neighbor_conf *b)
{
	size_t	i;

	if (!config_addr_equal(&a->addr, &b->addr) ||
	    a->remote_as != b->remote_as ||
	    strcmp(a->descr, b->descr) != 0 ||
	    a->has_local_addr != b->has_local_addr ||
	    (a->has_local_addr &&
	    !config_addr_equal(&a->local_addr, &b->local_addr)) ||
	    a->hold_time != b->hold_time ||
	    a->connect_retry_ms != b->connect_retry_ms ||
	    a->passive != b->passive ||
	    strcmp(a->password, b->password) != 0 ||
	    a->ttl_security != b->ttl_security)
		return false;
	for (i = 0; i < BGP_AID_MAX; i++) {
		if (a->family[i] != b->family[i] ||
		    a->has_next_hop[i] != b->has_next_hop[i] ||
		    (a->has_next_hop[i] &&
		    !config_addr_equal(&a->next_hop[i], &b->next_hop[i])))
			return false;
	}
	return true;
}

bool
check_conf_equal(const struct check_conf *a, const struct check_conf *b)
{
	size_t	i;

	if (strcmp(a->name, b->name) != 0 || a->type != b->type ||
	    a->interval_ms != b->interval_ms ||
	    a->timeout_ms != b->timeout_ms ||
	    a->rise != b->rise || a->fall != b->fall)
		return false;
	switch (a->type) {
	case CHECK_NONE:
	case CHECK_TYPE_MAX:
		return true;
	case CHECK_HTTP:
		return str_equal(a->http.url, b->http.url) &&
		    a->http.expect == b->http.expect;
	case CHECK_DNS:
		return str_equal(a->dns.qname, b->dns.qname) &&
		    a->dns.qtype == b->dns.qtype &&
		    config_addr_equal(&a->dns.server, &b->dns.server) &&
		    a->dns.port == b->dns.port;
	case CHECK_TCP:
		return config_addr_equal(&a->tcp.addr, &b->tcp.addr) &&
		    a->tcp.port == b->tcp.port;
	case CHECK_EXEC:
		if (a->exec.argc != b->exec.argc)
			return false;
		for (i = 0; i < a->exec.argc; i++) {
			if (strcmp(a->exec.argv[i], b->exec.argv[i]) != 0)
				return false;
		}
		return true;
	case CHECK_FILE:
		return str_equal(a->file.path, b->file.path) &&
		    a->file.absent == b->file.absent;
	case CHECK_PROCESS:
		return str_equal(a->process.pidfile, b->process.pidfile);
	}
	return false;
}

bool
prefix_conf_equal(const struct prefix_conf *a, const struct prefix_conf *b)
{
	size_t	i;

	if (a->prefix.aid != b->prefix.aid || a->prefix.len != b->prefix.len ||
	    memcmp(a->prefix.addr, b->prefix.addr, sizeof(a->prefix.addr)) ||
	    !expr_equal(a->requires, b->requires) ||
	    a->ncommunities != b->ncommunities ||
	    a->nlarge_communities != b->nlarge_communities ||
	    a->has_med != b->has_med || (a->has_med && a->med != b->med) ||
	    a->prepend != b->prepend || a->nneighbors != b->nneighbors ||
	    a->on_down != b->on_down ||
	    (a->on_down == PREFIX_ON_DOWN_GSHUT && a->gshut_ms != b->gshut_ms))
		return false;
	for (i = 0; i < a->ncommunities; i++) {
		if (a->communities[i] != b->communities[i])
			return false;
	}
	for (i = 0; i < a->nlarge_communities; i++) {
		if (a->large_communities[i].global !=
		    b->large_communities[i].global ||
		    a->large_communities[i].local1 !=
		    b->large_communities[i].local1 ||
		    a->large_communities[i].local2 !=
		    b->large_communities[i].local2)
			return false;
	}
	for (i = 0; i < a->nneighbors; i++) {
		if (!config_addr_equal(&a->neighbors[i].addr,
		    &b->neighbors[i].addr))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Requires expressions                                                 */

bool
expr_eval(const struct expr *e, expr_check_cb *check_up, void *arg)
{
	if (e == NULL)
		return true;
	switch (e->op) {
	case EXPR_CHECK:
		return e->check != NULL && check_up(arg, e->check);
	case EXPR_NOT:
		return !expr_eval(e->left, check_up, arg);
	case EXPR_AND:
		return expr_eval(e->left, check_up, arg) &&
		    expr_eval(e->right, check_up, arg);
	case EXPR_OR:
		return expr_eval(e->left, check_up, arg) ||
		    expr_eval(e->right, check_up, arg);
	}
	return false;
}

/* Binding strength: a child weaker than its context needs parentheses. */
static int
expr_prec(const struct expr *e)
{
	switch (e->op) {
	case EXPR_OR:
		return 1;
	case EXPR_AND:
		return 2;
	case EXPR_NOT:
		return 3;
	case EXPR_CHECK:
		return 4;
	}
	return 0;
}

struct sbuf {
	char	*buf;
	size_t	 len;
	size_t	 off;		/* as if nothing were cut */
};

static void
sbuf_add(struct sbuf *sb, const char *s)
{
	size_t	n = strlen(s);

	if (sb->off < sb->len)
		strlcpy(sb->buf + sb->off, s, sb->len - sb->off);
	sb->off += n;
}

/*
 * The right operand of and/or takes one level more than the operator, so
 * "a and (b and c)" keeps its parentheses and prints back to the same tree.
 */
static void
expr_put(struct sbuf *sb, const struct expr *e, int ctx)
{
	bool	paren = expr_prec(e) < ctx;

	if (paren)
		sbuf_add(sb, "(");
	switch (e->op) {
	case EXPR_CHECK:
		sbuf_add(sb, e->name);
		break;
	case EXPR_NOT:
		sbuf_add(sb, "not ");
		expr_put(sb, e->left, 3);
		break;
	case EXPR_AND:
		expr_put(sb, e->left, 2);
		sbuf_add(sb, " and ");
		expr_put(sb, e->right, 3);
		break;
	case EXPR_OR:
		expr_put(sb, e->left, 1);
		sbuf_add(sb, " or ");
		expr_put(sb, e->right, 2);
		break;
	}
	if (paren)
		sbuf_add(sb, ")");
}

int
expr_print(char *buf, size_t len, const struct expr *e)
{
	struct sbuf	sb = { buf, len, 0 };

	if (len > 0)
		buf[0] = '\0';
	if (e != NULL)
		expr_put(&sb, e, 0);
	return sb.off > INT_MAX ? INT_MAX : (int)sb.off;
}

bool
expr_equal(const struct expr *a, const struct expr *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->op != b->op)
		return false;
	switch (a->op) {
	case EXPR_CHECK:
		return strcmp(a->name, b->name) == 0;
	case EXPR_NOT:
		return expr_equal(a->left, b->left);
	case EXPR_AND:
	case EXPR_OR:
		return expr_equal(a->left, b->left) &&
		    expr_equal(a->right, b->right);
	}
	return false;
}

struct expr *
expr_dup(const struct expr *e)
{
	struct expr	*n;

	if (e == NULL)
		return NULL;
	n = xcalloc(1, sizeof(*n));
	n->op = e->op;
	n->pos = e->pos;
	n->check = e->check;
	if (e->name != NULL)
		n->name = xstrdup(e->name);
	n->left = expr_dup(e->left);
	n->right = expr_dup(e->right);
	return n;
}

void
expr_free(struct expr *e)
{
	if (e == NULL)
		return;
	expr_free(e->left);
	expr_free(e->right);
	free(e->name);
	free(e);
}

/* ------------------------------------------------------------------ */
/* Lookups                                                              */

struct config_neighbor *
config_find_neighbor(const struct config *conf, const struct config_addr *a)
{
	struct config_neighbor	*nb;

	TAILQ_FOREACH(nb, &conf->neighbors, entry) {
		if (!nb->bad && config_addr_equal(&nb->conf.addr, a))
			return nb;
	}
	return NULL;
}

struct check_conf *
config_find_check(const struct config *conf, const char *name)
{
	struct check_conf	*c;

	TAILQ_FOREACH(c, &conf->checks, entry) {
		if (!c->bad && strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

struct prefix_conf *
config_find_prefix(const struct config *conf, const struct bgp_prefix *pfx)
{
	struct prefix_conf	*p;

	TAILQ_FOREACH(p, &conf->prefixes, entry) {
		if (!p->bad && p->prefix.aid == pfx->aid &&
		    p->prefix.len == pfx->len &&
		    memcmp(p->prefix.addr, pfx->addr, sizeof(pfx->addr)) == 0)
			return p;
	}
	return NULL;
}

bool
config_prefix_applies(const struct prefix_conf *p,
    const struct neighbor_conf *n)
{
	size_t	i;

	if (p->prefix.aid >= BGP_AID_MAX || !n->family[p->prefix.aid])
		return false;
	if (p->nneighbors == 0)
		return true;
	for (i = 0; i < p->nneighbors; i++) {
		if (config_addr_equal(&p->neighbors[i].addr, &n->addr))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Checks across blocks                                                 */

struct names {
	const char	**v;
	size_t		  n;
};

static void
resolve(struct config *conf, struct config_errors *errs,
    const struct names *checks, struct expr *e)
{
	const char	*hint;

	if (e == NULL)
		return;
	if (e->op != EXPR_CHECK) {
		resolve(conf, errs, checks, e->left);
		resolve(conf, errs, checks, e->right);
		return;
	}
	if ((e->check = config_find_check(conf, e->name)) != NULL)
		return;
	hint = config_suggest(e->name, checks->v, checks->n);
	if (hint != NULL)
		config_error(errs, conf->file, e->pos, false,
		    "unknown check '%s' (did you mean '%s'?)", e->name, hint);
	else
		config_error(errs, conf->file, e->pos, false,
		    "unknown check '%s'", e->name);
}

static void
validate_neighbors(struct config *conf, struct config_errors *errs)
{
	struct config_neighbor	*a, *b;
	char			 addr[CONFIG_ADDR_STRLEN];

	TAILQ_FOREACH(b, &conf->neighbors, entry) {
		if (b->bad)
			continue;
		TAILQ_FOREACH(a, &conf->neighbors, entry) {
			if (a == b)
				break;
			if (!a->bad &&
			    config_addr_equal(&a->conf.addr, &b->conf.addr)) {
				config_error(errs, conf->file, b->pos, false,
				    "neighbor %s already defined at line %u",
				    config_addr_ntop(&b->conf.addr, addr,
				    sizeof(addr)), a->pos.line);
				break;
			}
		}
	}
}

static void
validate_checks(struct config *conf, struct config_errors *errs)
{
	struct check_conf	*a, *b;

	TAILQ_FOREACH(b, &conf->checks, entry) {
		if (b->bad)
			continue;
		TAILQ_FOREACH(a, &conf->checks, entry) {
			if (a == b)
				break;
			if (!a->bad && strcmp(a->name, b->name) == 0) {
				config_error(errs, conf->file, b->pos, false,
				    "check '%s' already defined at line %u",
				    b->name, a->pos.line);
				/* Later lookups must find the first one only. */
				b->bad = true;
				break;
			}
		}
	}
}

static void
validate_prefix_neighbors(struct config *conf, struct config_errors *errs,
    const struct prefix_conf *p)
{
	const struct config_neighbor	*nb;
	char				 addr[CONFIG_ADDR_STRLEN];
	char				 pfx[CONFIG_PREFIX_STRLEN];
	size_t				 i;
	bool				 any = false;

	config_prefix_ntop(&p->prefix, pfx, sizeof(pfx));
	for (i = 0; i < p->nneighbors; i++) {
		config_addr_ntop(&p->neighbors[i].addr, addr, sizeof(addr));
		if ((nb = config_find_neighbor(conf,
		    &p->neighbors[i].addr)) == NULL)
			config_error(errs, conf->file, p->neighbors[i].pos,
			    false, "neighbor %s is not configured", addr);
		else if (!nb->conf.family[p->prefix.aid])
			config_error(errs, conf->file, p->neighbors[i].pos,
			    false, "neighbor %s does not carry %s for %s",
			    addr, family_names[p->prefix.aid], pfx);
	}
	if (p->nneighbors > 0)
		return;
	TAILQ_FOREACH(nb, &conf->neighbors, entry) {
		if (!nb->bad && nb->conf.family[p->prefix.aid])
			any = true;
	}
	if (!any)
		config_error(errs, conf->file, p->pos, true,
		    "no neighbor carries %s, so %s is never announced",
		    family_names[p->prefix.aid], pfx);
}

/* Orders prefixes by value, and equal ones by where they were written. */
static int
prefix_order(const void *x, const void *y)
{
	const struct prefix_conf *a = *(const struct prefix_conf *const *)x;
	const struct prefix_conf *b = *(const struct prefix_conf *const *)y;
	int c;

	if (a->prefix.aid != b->prefix.aid)
		return a->prefix.aid < b->prefix.aid ? -1 : 1;
	if (a->prefix.len != b->prefix.len)
		return a->prefix.len < b->prefix.len ? -1 : 1;
	if ((c = memcmp(a->prefix.addr, b->prefix.addr,
	    sizeof(a->prefix.addr))) != 0)
		return c;
	if (a->pos.line != b->pos.line)
		return a->pos.line < b->pos.line ? -1 : 1;
	return a->pos.col < b->pos.col ? -1 : a->pos.col > b->pos.col;
}

static void
validate_prefixes(struct config *conf, struct config_errors *errs)
{
	struct prefix_conf	*b, **v, *first;
	struct check_conf	*c;
	struct names		 checks = { NULL, 0 };
	char			 pfx[CONFIG_PREFIX_STRLEN];
	size_t			 i, n = 0;

	checks.v = xcalloc(conf->nchecks + 1, sizeof(*checks.v));
	TAILQ_FOREACH(c, &conf->checks, entry) {
		if (!c->bad && checks.n < conf->nchecks)
			checks.v[checks.n++] = c->name;
	}
	/* Duplicates by sorting: a PoP may list a great many prefixes. */
	v = xcalloc(conf->nprefixes + 1, sizeof(*v));
	TAILQ_FOREACH(b, &conf->prefixes, entry)
		if (!b->bad && n < conf->nprefixes)
			v[n++] = b;
	qsort(v, n, sizeof(*v), prefix_order);
	for (i = 1, first = n > 0 ? v[0] : NULL; i < n; i++) {
		if (!bgp_prefix_equal(&v[i]->prefix, &first->prefix)) {
			first = v[i];
			continue;
		}
		config_error(errs, conf->file, v[i]->pos, false,
		    "prefix %s already defined at line %u",
		    config_prefix_ntop(&v[i]->prefix, pfx, sizeof(pfx)),
		    first->pos.line);
		v[i]->bad = true;
	}
	free(v);
	TAILQ_FOREACH(b, &conf->prefixes, entry) {
		if (b->bad)
			continue;
		resolve(conf, errs, &checks, b->requires);
		validate_prefix_neighbors(conf, errs, b);
	}
	free(checks.v);
}

void
config_validate(struct config *conf, struct config_errors *errs)
{
	validate_neighbors(conf, errs);
	validate_checks(conf, errs);
	validate_prefixes(conf, errs);
}

/* ------------------------------------------------------------------ */
/* Entry points                                                         */

struct config *
config_parse_string(const char *name, const char *text,
    struct config_errors *errs)
{
	struct config_errors	 local = { NULL, 0, 0 };
	struct config		*conf;

	if (errs == NULL)
		errs = &local;
	conf = config_new(name);
	parse_config_text(conf, text, strlen(text), errs);
	if (errs->nerrors <= CONFIG_MAX_ERRORS)
		config_validate(conf, errs);
	errors_sort(errs);
	if (errs->nerrors > 0) {
		config_free(conf);
		conf = NULL;
	}
	config_errors_free(&local);
	return conf;
}

struct config *
config_parse_file(const char *path, struct config_errors *errs)
{
	struct config_errors	 local = { NULL, 0, 0 };
	struct config_pos	 whole = { 0, 0 };
	struct config		*conf = NULL;
	struct stat		 st;
	char			*text = NULL;
	size_t			 off = 0;
	ssize_t			 n;
	int			 fd;

	if (errs == NULL)
		errs = &local;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		config_error(errs, path, whole, false, "%s", strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_SIZE) {
		config_error(errs, path, whole, false, "%s",
		    S_ISREG(st.st_mode) ? "file too large" : "not a file");
		goto done;
	}
	text = xmalloc((size_t)st.st_size + 1);
	/* The file may change under us; read what is there, up to the cap. */
	for (;;) {
		n = read(fd, text + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			config_error(errs, path, whole, false, "%s",
			    strerror(errno));
			goto done;
		}
		if (n == 0 || (off += n) == (size_t)st.st_size)
			break;
	}
	if (memchr(text, '\0', off) != NULL) {
		config_error(errs, path, whole, false, "contains a NUL byte");
		goto done;
	}
	text[off] = '\0';
	conf = config_parse_string(path, text, errs);
 done:
	if (fd != -1)
		close(fd);
	free(text);
	config_errors_free(&local);
	return conf;
}
