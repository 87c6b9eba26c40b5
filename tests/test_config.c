/*
 * The configuration: every statement with its values, every diagnostic
 * with its exact FILE:LINE:COL text, the canonical print against golden
 * files (tests/conf/NN.conf -> NN.ok) and its round trip, bad files
 * against their expected errors (tests/conf/bad/NAME.conf -> NAME.err),
 * and `requires` expressions: precedence, printing and truth tables.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "config.h"

#define HEAD	"router-id 192.0.2.10\nlocal-as 65010\n"

static const char *
topdir(void)
{
	const char	*d = getenv("TOPDIR");

	return d != NULL && *d != '\0' ? d : ".";
}

static char *
read_file(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 n;

	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* All messages, one per line, without a final newline. */
static char *
join_errors(const struct config_errors *e)
{
	char	*s = NULL;
	size_t	 len = 0, i;
	FILE	*f;

	f = open_memstream(&s, &len);
	assert_non_null(f);
	for (i = 0; i < e->n; i++)
		fprintf(f, "%s%s", i > 0 ? "\n" : "", e->v[i].text);
	fclose(f);
	return s;
}

static char *
errors_of(const char *text)
{
	struct config_errors	 e = { NULL, 0, 0 };
	struct config		*c;
	char			*s;

	c = config_parse_string("t.conf", text, &e);
	if (e.nerrors > 0)
		assert_null(c);
	else
		assert_non_null(c);
	config_free(c);
	s = join_errors(&e);
	config_errors_free(&e);
	return s;
}

#define assert_errors(text, expected) do {				\
	char *s_ = errors_of(text);					\
	assert_string_equal(s_, expected);				\
	free(s_);							\
} while (0)

static struct config *
parse_ok(const char *text)
{
	struct config_errors	 e = { NULL, 0, 0 };
	struct config		*c;
	char			*s;

	c = config_parse_string("t.conf", text, &e);
	s = join_errors(&e);
	assert_string_equal(s, "");
	free(s);
	config_errors_free(&e);
	assert_non_null(c);
	return c;
}

static char *
print_to_string(const struct config *c)
{
	char	*s = NULL;
	size_t	 len = 0;
	FILE	*f;

	f = open_memstream(&s, &len);
	assert_non_null(f);
	config_print(f, c);
	fclose(f);
	return s;
}

static const char *
addr_str(const struct config_addr *a)
{
	static char	buf[4][CONFIG_ADDR_STRLEN];
	static int	i;

	i = (i + 1) % 4;
	return config_addr_ntop(a, buf[i], sizeof(buf[i]));
}

static const char *
expr_str(const struct expr *e)
{
	static char	buf[512];

	expr_print(buf, sizeof(buf), e);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Statements and their values                                          */

static void
test_globals(void **state)
{
	struct config		*c;
	struct listen_conf	*l;

	(void)state;
	c = parse_ok(
	    "router-id 192.0.2.10\n"
	    "local-as 4294967295\n"
	    "listen 192.0.2.10 port 1179\n"
	    "listen 2001:db8::10\n"
	    "control \"/tmp/x.sock\" mode 0600 group wheel\n"
	    "state-file \"/tmp/state\"\n"
	    "metrics 127.0.0.1 port 9100\n"
	    "user nobody\n"
	    "log syslog\n");
	assert_int_equal(c->router_id, 0xc000020a);
	assert_int_equal(c->local_as, 4294967295u);
	l = TAILQ_FIRST(&c->listens);
	assert_non_null(l);
	assert_int_equal(l->addr.aid, BGP_AID_IPV4);
	assert_string_equal(addr_str(&l->addr), "192.0.2.10");
	assert_int_equal(l->port, 1179);
	l = TAILQ_NEXT(l, entry);
	assert_non_null(l);
	assert_int_equal(l->addr.aid, BGP_AID_IPV6);
	assert_string_equal(addr_str(&l->addr), "2001:db8::10");
	assert_int_equal(l->port, 179);
	assert_null(TAILQ_NEXT(l, entry));
	assert_string_equal(c->control_path, "/tmp/x.sock");
	assert_int_equal(c->control_mode, 0600);
	assert_string_equal(c->control_group, "wheel");
	assert_string_equal(c->state_file, "/tmp/state");
	assert_true(c->metrics);
	assert_string_equal(addr_str(&c->metrics_addr), "127.0.0.1");
	assert_int_equal(c->metrics_port, 9100);
	assert_string_equal(c->user, "nobody");
	assert_true(c->log_syslog);
	config_free(c);
}

static void
test_defaults(void **state)
{
	struct config	*c;

	(void)state;
	c = parse_ok(HEAD);
	assert_int_equal(c->local_as, 65010);
	assert_true(TAILQ_EMPTY(&c->listens));
	assert_string_equal(c->control_path, CONFIG_DEFAULT_CONTROL_PATH);
	assert_string_equal(c->control_path, "/run/anycastd/anycastd.sock");
	assert_int_equal(c->control_mode, 0660);
	assert_null(c->control_group);
	assert_string_equal(c->state_file, "/var/lib/anycastd/state");
	assert_false(c->metrics);
	assert_int_equal(c->metrics_port, 9179);
	assert_null(c->user);
	assert_false(c->log_syslog);
	assert_true(TAILQ_EMPTY(&c->neighbors));
	assert_true(TAILQ_EMPTY(&c->checks));
	assert_true(TAILQ_EMPTY(&c->prefixes));
	config_free(c);

	/* metrics without a port, log stderr, control without options */
	c = parse_ok(HEAD "metrics ::1\nlog stderr\ncontrol \"/a\"\n");
	assert_true(c->metrics);
	assert_int_equal(c->metrics_addr.aid, BGP_AID_IPV6);
	assert_int_equal(c->metrics_port, 9179);
	assert_false(c->log_syslog);
	assert_string_equal(c->control_path, "/a");
	assert_int_equal(c->control_mode, 0660);
	config_free(c);
}

static void
test_neighbor(void **state)
{
	struct config		*c;
	struct config_neighbor	*nb;
	struct neighbor_conf	*n;

	(void)state;
	c = parse_ok(HEAD
	    "neighbor 192.0.2.1 {\n"
	    "\tremote-as 65000\n"
	    "\tdescription \"upstream \\\"a\\\"\"\n"
	    "\tlocal-address 192.0.2.10\n"
	    "\thold-time 9\n"
	    "\tconnect-retry 500ms\n"
	    "\tpassive\n"
	    "\tpassword \"s3cret\"\n"
	    "\tttl-security\n"
	    "\tfamily ipv4 unicast\n"
	    "\tfamily ipv6 unicast\n"
	    "\tnext-hop 192.0.2.10\n"
	    "\tnext-hop 2001:db8::10\n"
	    "}\n");
	assert_int_equal(c->nneighbors, 1);
	nb = TAILQ_FIRST(&c->neighbors);
	n = &nb->conf;
	assert_int_equal(nb->pos.line, 3);
	assert_int_equal(nb->pos.col, 10);
	assert_string_equal(addr_str(&n->addr), "192.0.2.1");
	assert_int_equal(n->remote_as, 65000);
	assert_string_equal(n->descr, "upstream \"a\"");
	assert_true(n->has_local_addr);
	assert_string_equal(addr_str(&n->local_addr), "192.0.2.10");
	assert_int_equal(n->hold_time, 9);
	assert_int_equal(n->connect_retry_ms, 500);
	assert_true(n->passive);
	assert_string_equal(n->password, "s3cret");
	assert_true(n->ttl_security);
	assert_true(n->family[BGP_AID_IPV4]);
	assert_true(n->family[BGP_AID_IPV6]);
	assert_true(n->has_next_hop[BGP_AID_IPV4]);
	assert_string_equal(addr_str(&n->next_hop[BGP_AID_IPV4]), "192.0.2.10");
	assert_true(n->has_next_hop[BGP_AID_IPV6]);
	assert_string_equal(addr_str(&n->next_hop[BGP_AID_IPV6]),
	    "2001:db8::10");
	assert_ptr_equal(config_find_neighbor(c, &n->addr), nb);

	/* A copy is independent and can be wiped. */
	{
		struct neighbor_conf copy = *n;

		assert_true(neighbor_conf_equal(&copy, n));
		neighbor_conf_wipe(&copy);
		assert_string_equal(copy.password, "");
		assert_string_equal(n->password, "s3cret");
		assert_false(neighbor_conf_equal(&copy, n));
	}
	config_free(c);
}

static void
test_neighbor_defaults(void **state)
{
	struct config		*c;
	struct config_neighbor	*nb;

	(void)state;
	c = parse_ok(HEAD
	    "neighbor 192.0.2.1 { remote-as 65000 }\n"
	    "neighbor 2001:db8::1 { remote-as 4200000000 }\n"
	    "neighbor 192.0.2.2 { remote-as 65002; family ipv6\n"
	    "\tnext-hop 2001:db8::2 }\n"
	    "neighbor 192.0.2.3 { remote-as 65003; hold-time 0 }\n");
	nb = TAILQ_FIRST(&c->neighbors);
	assert_int_equal(nb->conf.hold_time, 90);
	assert_int_equal(nb->conf.connect_retry_ms, 5000);
	assert_false(nb->conf.passive);
	assert_false(nb->conf.ttl_security);
	assert_false(nb->conf.has_local_addr);
	assert_string_equal(nb->conf.descr, "");
	assert_string_equal(nb->conf.password, "");
	assert_true(nb->conf.family[BGP_AID_IPV4]);
	assert_false(nb->conf.family[BGP_AID_IPV6]);
	assert_false(nb->conf.has_next_hop[BGP_AID_IPV4]);

	nb = TAILQ_NEXT(nb, entry);
	assert_int_equal(nb->conf.remote_as, 4200000000u);
	assert_false(nb->conf.family[BGP_AID_IPV4]);
	assert_true(nb->conf.family[BGP_AID_IPV6]);

	/* Naming a family replaces the default. */
	nb = TAILQ_NEXT(nb, entry);
	assert_false(nb->conf.family[BGP_AID_IPV4]);
	assert_true(nb->conf.family[BGP_AID_IPV6]);

	nb = TAILQ_NEXT(nb, entry);
	assert_int_equal(nb->conf.hold_time, 0);
	config_free(c);
}

static void
test_checks(void **state)
{
	struct config		*c;
	struct check_conf	*k;

	(void)state;
	c = parse_ok(HEAD
	    "check web {\n"
	    "\thttp \"http://127.0.0.1:8080/healthz?x=1\" expect 204\n"
	    "\tinterval 1s  timeout 500ms  rise 3  fall 2\n"
	    "}\n"
	    "check dns { dns \"health.example.\" type AAAA server ::1 port 5353 }\n"
	    "check resolver { dns \"example.com\" server 127.0.0.1 }\n"
	    "check port { tcp 127.0.0.1 port 443 }\n"
	    "check disk { exec \"/usr/local/libexec/check-disk\" \"--min-free\" "
	    "\"10\" 20 }\n"
	    "check maint { file \"/etc/anycastd/maintenance\" absent }\n"
	    "check up { file \"/run/up\" }\n"
	    "check nginx { process \"/run/nginx.pid\" }\n"
	    "check v6 { http \"http://[::1]\" }\n");
	assert_int_equal(c->nchecks, 9);

	k = config_find_check(c, "web");
	assert_non_null(k);
	assert_int_equal(k->index, 0);
	assert_int_equal(k->type, CHECK_HTTP);
	assert_string_equal(check_type_name(k->type), "http");
	assert_string_equal(k->http.url, "http://127.0.0.1:8080/healthz?x=1");
	assert_string_equal(k->http.host, "127.0.0.1");
	assert_int_equal(k->http.port, 8080);
	assert_string_equal(k->http.path, "/healthz?x=1");
	assert_int_equal(k->http.expect, 204);
	assert_int_equal(k->interval_ms, 1000);
	assert_int_equal(k->timeout_ms, 500);
	assert_int_equal(k->rise, 3);
	assert_int_equal(k->fall, 2);

	k = config_find_check(c, "dns");
	assert_int_equal(k->index, 1);
	assert_int_equal(k->type, CHECK_DNS);
	assert_string_equal(k->dns.qname, "health.example.");
	assert_int_equal(k->dns.qtype, 28);
	assert_string_equal(addr_str(&k->dns.server), "::1");
	assert_int_equal(k->dns.port, 5353);
	/* Defaults */
	assert_int_equal(k->interval_ms, 1000);
	assert_int_equal(k->timeout_ms, 1000);
	assert_int_equal(k->rise, 2);
	assert_int_equal(k->fall, 2);

	k = config_find_check(c, "resolver");
	assert_int_equal(k->dns.qtype, 1);
	assert_int_equal(k->dns.port, 53);

	k = config_find_check(c, "port");
	assert_int_equal(k->type, CHECK_TCP);
	assert_string_equal(addr_str(&k->tcp.addr), "127.0.0.1");
	assert_int_equal(k->tcp.port, 443);

	k = config_find_check(c, "disk");
	assert_int_equal(k->type, CHECK_EXEC);
	assert_int_equal(k->exec.argc, 4);
	assert_string_equal(k->exec.argv[0], "/usr/local/libexec/check-disk");
	assert_string_equal(k->exec.argv[1], "--min-free");
	assert_string_equal(k->exec.argv[2], "10");
	assert_string_equal(k->exec.argv[3], "20");
	assert_null(k->exec.argv[4]);

	k = config_find_check(c, "maint");
	assert_int_equal(k->type, CHECK_FILE);
	assert_string_equal(k->file.path, "/etc/anycastd/maintenance");
	assert_true(k->file.absent);
	k = config_find_check(c, "up");
	assert_false(k->file.absent);

	k = config_find_check(c, "nginx");
	assert_int_equal(k->type, CHECK_PROCESS);
	assert_string_equal(k->process.pidfile, "/run/nginx.pid");

	k = config_find_check(c, "v6");
	assert_string_equal(k->http.host, "::1");
	assert_int_equal(k->http.port, 80);
	assert_string_equal(k->http.path, "/");
	assert_int_equal(k->http.expect, 200);

	assert_null(config_find_check(c, "nope"));
	config_free(c);
}

static void
test_check_timeout_default(void **state)
{
	struct config	*c;

	(void)state;
	/* The default timeout never exceeds the interval. */
	c = parse_ok(HEAD
	    "check fast { tcp ::1 port 1; interval 200ms }\n"
	    "check slow { tcp ::1 port 1; interval 1m }\n"
	    "check same { tcp ::1 port 1; interval 2s timeout 2s }\n");
	assert_int_equal(config_find_check(c, "fast")->timeout_ms, 200);
	assert_int_equal(config_find_check(c, "slow")->interval_ms, 60000);
	assert_int_equal(config_find_check(c, "slow")->timeout_ms, 1000);
	assert_int_equal(config_find_check(c, "same")->timeout_ms, 2000);
	config_free(c);
}

static void
test_prefix(void **state)
{
	struct config		*c;
	struct prefix_conf	*p;
	struct bgp_prefix	 key;
	char			 err[128], buf[CONFIG_PREFIX_STRLEN];

	(void)state;
	c = parse_ok(HEAD
	    "neighbor 192.0.2.1 { remote-as 65000 }\n"
	    "neighbor 192.0.2.2 { remote-as 65000 }\n"
	    "neighbor 2001:db8::1 { remote-as 65000 }\n"
	    "check web { tcp ::1 port 80 }\n"
	    "check dns { tcp ::1 port 53 }\n"
	    "prefix 203.0.113.0/24 {\n"
	    "\trequires web and not dns\n"
	    "\tcommunity 65000:100 65000:200\n"
	    "\tcommunity no-export\n"
	    "\tlarge-community 65010:1:1 4294967295:0:4294967295\n"
	    "\tmed 10\n"
	    "\tprepend 3\n"
	    "\tneighbors 192.0.2.1\n"
	    "\tneighbors 192.0.2.2\n"
	    "\ton-down withdraw\n"
	    "}\n"
	    "prefix 2001:db8:ac::/48 {\n"
	    "\trequires dns\n"
	    "\ton-down graceful-shutdown 30s\n"
	    "}\n"
	    "prefix 198.51.100.0/24 { }\n");
	assert_int_equal(c->nprefixes, 3);
	p = TAILQ_FIRST(&c->prefixes);
	assert_string_equal(config_prefix_ntop(&p->prefix, buf, sizeof(buf)),
	    "203.0.113.0/24");
	assert_int_equal(p->prefix.aid, BGP_AID_IPV4);
	assert_int_equal(p->prefix.len, 24);
	assert_int_equal(p->prefix.path_id, 0);
	assert_non_null(p->requires);
	assert_int_equal(p->requires->op, EXPR_AND);
	assert_string_equal(expr_str(p->requires), "web and not dns");
	assert_ptr_equal(p->requires->left->check, config_find_check(c, "web"));
	assert_ptr_equal(p->requires->right->left->check,
	    config_find_check(c, "dns"));
	assert_int_equal(p->ncommunities, 3);
	assert_int_equal(p->communities[0], 65000u << 16 | 100);
	assert_int_equal(p->communities[1], 65000u << 16 | 200);
	assert_int_equal(p->communities[2], 0xffffff01u);
	assert_int_equal(p->nlarge_communities, 2);
	assert_int_equal(p->large_communities[0].global, 65010);
	assert_int_equal(p->large_communities[0].local1, 1);
	assert_int_equal(p->large_communities[0].local2, 1);
	assert_int_equal(p->large_communities[1].global, 4294967295u);
	assert_int_equal(p->large_communities[1].local1, 0);
	assert_int_equal(p->large_communities[1].local2, 4294967295u);
	assert_true(p->has_med);
	assert_int_equal(p->med, 10);
	assert_int_equal(p->prepend, 3);
	assert_int_equal(p->nneighbors, 2);
	assert_string_equal(addr_str(&p->neighbors[0].addr), "192.0.2.1");
	assert_string_equal(addr_str(&p->neighbors[1].addr), "192.0.2.2");
	assert_int_equal(p->on_down, PREFIX_ON_DOWN_WITHDRAW);

	p = TAILQ_NEXT(p, entry);
	assert_int_equal(p->prefix.aid, BGP_AID_IPV6);
	assert_int_equal(p->prefix.len, 48);
	assert_int_equal(p->on_down, PREFIX_ON_DOWN_GSHUT);
	assert_int_equal(p->gshut_ms, 30000);
	assert_false(p->has_med);
	assert_int_equal(p->prepend, 0);
	assert_int_equal(p->ncommunities, 0);

	p = TAILQ_NEXT(p, entry);
	assert_null(p->requires);
	assert_int_equal(p->on_down, PREFIX_ON_DOWN_WITHDRAW);

	assert_int_equal(config_prefix_pton("2001:db8:ac::/48", &key, err,
	    sizeof(err)), 0);
	assert_ptr_equal(config_find_prefix(c, &key), TAILQ_NEXT(
	    TAILQ_FIRST(&c->prefixes), entry));
	assert_int_equal(config_prefix_pton("2001:db8:ac::/44", &key, err,
	    sizeof(err)), -1);
	assert_int_equal(config_prefix_pton("2001:db8:ac::/49", &key, err,
	    sizeof(err)), 0);
	assert_null(config_find_prefix(c, &key));
	config_free(c);
}

static void
test_prefix_applies(void **state)
{
	struct config		*c;
	struct config_neighbor	*n1, *n2, *n6;
	struct prefix_conf	*only, *all, *v6;

	(void)state;
	c = parse_ok(HEAD
	    "neighbor 192.0.2.1 { remote-as 65000 }\n"
	    "neighbor 192.0.2.2 { remote-as 65000; family ipv4; family ipv6;"
	    " next-hop 2001:db8::10 }\n"
	    "neighbor 2001:db8::1 { remote-as 65000 }\n"
	    "prefix 203.0.113.0/24 { neighbors 192.0.2.2 }\n"
	    "prefix 198.51.100.0/24 { }\n"
	    "prefix 2001:db8:ac::/48 { }\n");
	n1 = TAILQ_FIRST(&c->neighbors);
	n2 = TAILQ_NEXT(n1, entry);
	n6 = TAILQ_NEXT(n2, entry);
	only = TAILQ_FIRST(&c->prefixes);
	all = TAILQ_NEXT(only, entry);
	v6 = TAILQ_NEXT(all, entry);
	assert_false(config_prefix_applies(only, &n1->conf));
	assert_true(config_prefix_applies(only, &n2->conf));
	assert_false(config_prefix_applies(only, &n6->conf));
	assert_true(config_prefix_applies(all, &n1->conf));
	assert_true(config_prefix_applies(all, &n2->conf));
	assert_false(config_prefix_applies(all, &n6->conf));
	assert_false(config_prefix_applies(v6, &n1->conf));
	assert_true(config_prefix_applies(v6, &n2->conf));
	assert_true(config_prefix_applies(v6, &n6->conf));
	config_free(c);
}

static void
test_syntax_forms(void **state)
{
	struct config		*c;
	struct check_conf	*k;

	(void)state;
	/* ';' ends statements, '\' continues lines, '#' comments, CRLF. */
	c = parse_ok("router-id 192.0.2.10; local-as 65010 # comment\r\n"
	    "check x {\r\n"
	    "\texec \"/bin/echo\" \\\n"
	    "\t    \"a # not a comment\" \\\r\n"
	    "\t    b;interval 2s\n"
	    "}\n"
	    "# comment at the end without a newline");
	k = config_find_check(c, "x");
	assert_int_equal(k->exec.argc, 3);
	assert_string_equal(k->exec.argv[1], "a # not a comment");
	assert_string_equal(k->exec.argv[2], "b");
	assert_int_equal(k->interval_ms, 2000);
	config_free(c);

	/* No newline at the end; brace on the next line. */
	c = parse_ok(HEAD "check y\n\n{\n\ttcp ::1 port 1\n}");
	assert_non_null(config_find_check(c, "y"));
	config_free(c);
}

static void
test_keywords_as_names(void **state)
{
	struct config		*c;
	struct prefix_conf	*p;

	(void)state;
	c = parse_ok(HEAD
	    "neighbor 192.0.2.1 { remote-as 1 }\n"
	    "user check\n"
	    "check dns { dns \".\" server ::1 }\n"
	    "check port { tcp ::1 port 1 }\n"
	    "check log { tcp ::1 port 2 }\n"
	    "check neighbor { tcp ::1 port 3 }\n"
	    "check med { tcp ::1 port 4 }\n"
	    "check requires { tcp ::1 port 5 }\n"
	    "prefix 10.0.0.0/8 { requires dns and port or not log and "
	    "(neighbor or med) or requires med 5 }\n");
	assert_string_equal(c->user, "check");
	p = TAILQ_FIRST(&c->prefixes);
	assert_string_equal(expr_str(p->requires),
	    "dns and port or not log and (neighbor or med) or requires");
	assert_true(p->has_med);
	assert_int_equal(p->med, 5);
	config_free(c);
}

static void
test_reparse(void **state)
{
	struct config	*c;

	(void)state;
	/* A failed parse leaves nothing behind for the next one. */
	assert_null(config_parse_string("t.conf",
	    HEAD "neighbor 192.0.2.1 {\n\tremote-as 1\n\trequires (", NULL));
	c = parse_ok(HEAD "neighbor 192.0.2.1 { remote-as 1 }\n");
	assert_int_equal(c->nneighbors, 1);
	config_free(c);
}

/* ------------------------------------------------------------------ */
/* Diagnostics                                                          */

static void
test_errors_syntax(void **state)
{
	(void)state;
	assert_errors(HEAD "nieghbor 192.0.2.1 {\n\tremote-as 1\n}\n",
	    "t.conf:3:1: unknown keyword 'nieghbor' (did you mean "
	    "'neighbor'?)");
	assert_errors(HEAD "neighbor 192.0.2.1 {\n\tremote-as 1\n"
	    "check web {\n\ttcp ::1 port 80\n}\n",
	    "t.conf:5:1: missing '}' for neighbor block opened at line 3");
	assert_errors(HEAD "check web {\n\ttcp ::1 port 80\n",
	    "t.conf:5:1: missing '}' for check block opened at line 3");
	assert_errors(HEAD "neighbor 192.0.2.1 remote-as 1\n",
	    "t.conf:3:20: missing '{' after 'neighbor 192.0.2.1'");
	assert_errors(HEAD "neighbor 192.0.2.1 {\n\tremote-as\n}\n",
	    "t.conf:4:11: missing value after 'remote-as'");
	assert_errors(HEAD "remote-as 5\n",
	    "t.conf:3:1: 'remote-as' is not valid at top level");
	assert_errors(HEAD "prefix 10.0.0.0/8 {\n\tneighbor 192.0.2.1\n}\n",
	    "t.conf:3:8: warning: no neighbor carries ipv4 unicast, so "
	    "10.0.0.0/8 is never announced\n"
	    "t.conf:4:2: 'neighbor' is not valid in a prefix block (did you "
	    "mean 'neighbors'?)");
	assert_errors(HEAD "listen 192.0.2.10 prot 179\n",
	    "t.conf:3:19: unknown keyword 'prot' (did you mean 'port'?)");
	assert_errors(HEAD "}\n", "t.conf:3:1: unexpected '}'");
	assert_errors(HEAD "\"x\"\n", "t.conf:3:1: unexpected string \"x\"");
	assert_errors(HEAD "12\n", "t.conf:3:1: unexpected number 12");
	assert_errors(HEAD "router-id 1.2.3.4\n",
	    "t.conf:3:1: 'router-id' given twice (first at line 1)");
	assert_errors(HEAD "user a b\n", "t.conf:3:8: unexpected 'b'");
	assert_errors(HEAD "log syslog 1.2.3.4\n",
	    "t.conf:3:12: unexpected '1.2.3.4'");
	assert_errors(HEAD "log ;\n", "t.conf:3:5: missing value after 'log'");
	assert_errors(HEAD "neighbor 192.0.2.1 { remote-as 1 { x } }\n",
	    "t.conf:3:34: unexpected '{'");
	assert_errors(HEAD "check a { exec \"/x\n}\n",
	    "t.conf:3:16: unterminated string");
	assert_errors(HEAD "check a { exec \"/x\" \"\\n\" }\n",
	    "t.conf:3:22: invalid escape '\\n' in string (only \\\" and \\\\)");
	assert_errors(HEAD "user \x01x\n",
	    "t.conf:3:6: invalid character 0x01");
}

static void
test_errors_values(void **state)
{
	(void)state;
	assert_errors(HEAD "neighbor 192.0.2.300 { remote-as 1 }\n",
	    "t.conf:3:10: invalid address '192.0.2.300'");
	assert_errors(HEAD "neighbor 192.0.2.1 { remote-as 1; connect-retry 5x }\n",
	    "t.conf:3:49: invalid duration '5x' (a number with ms, s, m or "
	    "h)");
	assert_errors(HEAD "neighbor 192.0.2.1 { remote-as 1; hold-time 1500ms }\n",
	    "t.conf:3:45: hold-time 1500ms is not a whole number of seconds");
	assert_errors(HEAD "neighbor 224.0.0.5 { remote-as 1 }\n",
	    "t.conf:3:10: 224.0.0.5 cannot be a neighbor address");
	assert_errors(HEAD "neighbor 192.0.2.1 { remote-as 1; next-hop :: }\n",
	    "t.conf:3:44: :: cannot be a next-hop");
	assert_errors("router-id 2001:db8::1\nlocal-as 1\n",
	    "t.conf:1:11: router-id 2001:db8::1 is not an IPv4 address");
	assert_errors(HEAD "check 1x { tcp ::1 port 1 }\n",
	    "t.conf:3:7: invalid check name '1x' (a letter, then letters, "
	    "digits, '-', '_' or '.')");
	assert_errors(HEAD "check a { tcp ::1 port 1; http \"http://x/\" }\n",
	    "t.conf:3:27: check 'a' already has type tcp");
	assert_errors(HEAD "check a { http \"http://x:99999/\" }\n",
	    "t.conf:3:16: invalid URL 'http://x:99999/'");
	assert_errors(HEAD "check a { http \"http://[::1/\" }\n",
	    "t.conf:3:16: invalid URL 'http://[::1/'");
	assert_errors(HEAD "check a { http \"http://a b/\" }\n",
	    "t.conf:3:16: invalid URL 'http://a b/'");
	assert_errors(HEAD "check a { dns \"x\" type BOGUS server ::1 }\n",
	    "t.conf:3:24: unknown DNS type 'BOGUS'");
	assert_errors(HEAD "check a { dns \"-.x..\" server ::1 }\n",
	    "t.conf:3:15: invalid DNS name '-.x..'");
	assert_errors(HEAD "check a { process \"run/x.pid\" }\n",
	    "t.conf:3:19: process path 'run/x.pid' must be absolute");
	assert_errors(HEAD "prefix 10.0.0.0/8 { community 65536:1 }\n",
	    "t.conf:3:8: warning: no neighbor carries ipv4 unicast, so "
	    "10.0.0.0/8 is never announced\n"
	    "t.conf:3:31: invalid community '65536:1' (ASN:VALUE, each "
	    "0..65535, or a well-known name)");
	assert_errors(HEAD "prefix 10.0.0.0/8 { large-community 1:2:4294967296 }\n",
	    "t.conf:3:8: warning: no neighbor carries ipv4 unicast, so "
	    "10.0.0.0/8 is never announced\n"
	    "t.conf:3:37: invalid large community '1:2:4294967296' "
	    "(GLOBAL:LOCAL1:LOCAL2, each 0..4294967295)");
	assert_errors(HEAD "user \"a:b\"\n",
	    "t.conf:3:6: invalid user name 'a:b'");
	assert_errors(HEAD "control \"\"\n",
	    "t.conf:3:9: control socket path is empty");
	assert_errors(HEAD "control \"/x\" mode u+rw\n",
	    "t.conf:3:19: invalid mode 'u+rw' (octal, 0000..0777)");
	assert_errors(HEAD "control \"/x\" mode 0600 mode 0600\n",
	    "t.conf:3:24: 'mode' given twice (first at line 3)");
}

static void
test_errors_ranges(void **state)
{
	(void)state;
	assert_errors("router-id 1.2.3.4\nlocal-as 0\n",
	    "t.conf:2:10: local-as 0 is out of range (1..4294967295)");
	assert_errors("router-id 1.2.3.4\nlocal-as 4294967296\n",
	    "t.conf:2:10: local-as 4294967296 is out of range (1..4294967295)");
	assert_errors("router-id 1.2.3.4\nlocal-as 18446744073709551616\n",
	    "t.conf:2:10: local-as 18446744073709551616 is out of range "
	    "(1..4294967295)");
	assert_errors("router-id 1.2.3.4\nlocal-as -1\n",
	    "t.conf:2:10: '-1' is not a number");
	assert_errors(HEAD "neighbor 192.0.2.1 { remote-as 1; hold-time 1 }\n",
	    "t.conf:3:45: hold-time 1 is out of range (0 or 3..65535 "
	    "seconds)");
	assert_errors(HEAD "neighbor 192.0.2.1 { remote-as 1; hold-time 2s }\n",
	    "t.conf:3:45: hold-time 2s is out of range (0 or 3..65535 "
	    "seconds)");
	assert_errors(HEAD "neighbor 192.0.2.1 { remote-as 1; hold-time 65536 }\n",
	    "t.conf:3:45: hold-time 65536 is out of range (0 or 3..65535 "
	    "seconds)");
	assert_errors(HEAD "check a { tcp ::1 port 1; rise 0 }\n",
	    "t.conf:3:32: rise 0 is out of range (1..100)");
	assert_errors(HEAD "check a { tcp ::1 port 1; interval 1s; timeout 2s }\n",
	    "t.conf:3:48: timeout 2s is longer than interval 1s");
	assert_errors(HEAD "check a { tcp ::1 port 0 }\n",
	    "t.conf:3:24: port 0 is out of range (1..65535)");
	assert_errors(HEAD "listen ::1 port 65536\n",
	    "t.conf:3:17: port 65536 is out of range (1..65535)");
	assert_errors(HEAD "prefix 10.0.0.0/8 { med 4294967296 }\n",
	    "t.conf:3:8: warning: no neighbor carries ipv4 unicast, so "
	    "10.0.0.0/8 is never announced\n"
	    "t.conf:3:25: med 4294967296 is out of range (0..4294967295)");
	assert_errors(HEAD "prefix 10.0.0.0/8 { on-down graceful-shutdown 25h }\n",
	    "t.conf:3:8: warning: no neighbor carries ipv4 unicast, so "
	    "10.0.0.0/8 is never announced\n"
	    "t.conf:3:47: graceful-shutdown 25h is out of range (1s..24h)");
}

static void
test_errors_semantic(void **state)
{
	(void)state;
	assert_errors("", "t.conf:1:1: missing router-id\n"
	    "t.conf:1:1: missing local-as");
	assert_errors(HEAD "neighbor 192.0.2.1 {\n}\n",
	    "t.conf:3:10: neighbor 192.0.2.1 has no remote-as");
	assert_errors(HEAD "check web {\n\tinterval 2s\n}\n",
	    "t.conf:3:7: check 'web' has no type (http, dns, tcp, exec, file "
	    "or process)");
	assert_errors(HEAD "check web { tcp ::1 }\n",
	    "t.conf:3:13: tcp check 'web' needs a port");
	assert_errors(HEAD "check web { dns \"x.\" }\n",
	    "t.conf:3:13: dns check 'web' needs a server");
	assert_errors(HEAD
	    "neighbor 192.0.2.1 { remote-as 1 }\n"
	    "neighbor 192.0.2.1 { remote-as 2 }\n",
	    "t.conf:4:10: neighbor 192.0.2.1 already defined at line 3");
	assert_errors(HEAD
	    "check web { tcp ::1 port 1 }\n"
	    "check web { tcp ::1 port 2 }\n",
	    "t.conf:4:7: check 'web' already defined at line 3");
	assert_errors(HEAD
	    "neighbor 192.0.2.1 { remote-as 1 }\n"
	    "prefix 10.0.0.0/8 { }\n"
	    "prefix 10.0.0.0/8 { }\n",
	    "t.conf:5:8: prefix 10.0.0.0/8 already defined at line 4");
	assert_errors(HEAD
	    "neighbor 192.0.2.1 { remote-as 1 }\n"
	    "check web { tcp ::1 port 1 }\n"
	    "prefix 10.0.0.0/8 { requires web and not maint-override }\n",
	    "t.conf:5:42: unknown check 'maint-override'");
	assert_errors(HEAD
	    "neighbor 192.0.2.1 { remote-as 1 }\n"
	    "check web { tcp ::1 port 1 }\n"
	    "prefix 10.0.0.0/8 { requires wbe }\n",
	    "t.conf:5:30: unknown check 'wbe' (did you mean 'web'?)");
	assert_errors(HEAD "prefix 203.0.113.1/24 { }\n",
	    "t.conf:3:8: 203.0.113.1/24: host bits set, did you mean "
	    "203.0.113.0/24?");
	assert_errors(HEAD "prefix 203.0.113.0/33 { }\n",
	    "t.conf:3:8: 203.0.113.0/33: prefix length out of range (0..32)");
	assert_errors(HEAD "prefix 2001:db8::/200 { }\n",
	    "t.conf:3:8: 2001:db8::/200: prefix length out of range (0..128)");
	assert_errors(HEAD
	    "neighbor 192.0.2.1 {\n\tremote-as 1\n\tnext-hop 2001:db8::1\n}\n",
	    "t.conf:5:11: next-hop 2001:db8::1 is IPv6, but neighbor "
	    "192.0.2.1 does not carry ipv6 unicast");
	assert_errors(HEAD
	    "neighbor 2001:db8::1 {\n\tremote-as 1\n\tfamily ipv6\n"
	    "\tnext-hop 192.0.2.10\n}\n",
	    "t.conf:6:11: next-hop 192.0.2.10 is IPv4, but neighbor "
	    "2001:db8::1 does not carry ipv4 unicast");
	assert_errors(HEAD
	    "neighbor 192.0.2.1 { remote-as 1 }\n"
	    "prefix 2001:db8::/32 { neighbors 192.0.2.1 192.0.2.9 }\n",
	    "t.conf:4:34: neighbor 192.0.2.1 does not carry ipv6 unicast for "
	    "2001:db8::/32\n"
	    "t.conf:4:44: neighbor 192.0.2.9 is not configured");
}

static void
test_warnings(void **state)
{
	struct config_errors	 e = { NULL, 0, 0 };
	struct config		*c;

	(void)state;
	/* Warnings do not stop the configuration from loading. */
	c = config_parse_string("t.conf", HEAD
	    "neighbor 192.0.2.1 { remote-as 1; family ipv4; family ipv6 }\n"
	    "neighbor 2001:db8::1 { remote-as 1; family ipv6; family ipv4 }\n"
	    "prefix 10.0.0.0/8 { }\n", &e);
	assert_non_null(c);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.nerrors, 0);
	assert_true(e.v[0].warning);
	assert_string_equal(e.v[0].text, "t.conf:3:10: warning: neighbor "
	    "192.0.2.1 carries ipv6 unicast over IPv4 without an IPv6 "
	    "next-hop");
	assert_string_equal(e.v[1].text, "t.conf:4:10: warning: neighbor "
	    "2001:db8::1 carries ipv4 unicast over IPv6 without an IPv4 "
	    "next-hop");
	config_free(c);
	config_errors_free(&e);

	c = config_parse_string("t.conf", HEAD
	    "prefix 2001:db8::/32 { }\n", &e);
	assert_non_null(c);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].text, "t.conf:3:8: warning: no neighbor "
	    "carries ipv6 unicast, so 2001:db8::/32 is never announced");
	config_free(c);
	config_errors_free(&e);
	assert_int_equal(e.n, 0);
	assert_null(e.v);
}

static void
test_errors_expr(void **state)
{
	(void)state;
#define P	HEAD "neighbor 192.0.2.1 { remote-as 1 }\n" \
		"check a { tcp ::1 port 1 }\ncheck b { tcp ::1 port 2 }\n"
	assert_errors(P "prefix 10.0.0.0/8 { requires a and }\n",
	    "t.conf:6:36: missing check name after 'and'");
	assert_errors(P "prefix 10.0.0.0/8 { requires (a or b }\n",
	    "t.conf:6:38: missing ')'");
	assert_errors(P "prefix 10.0.0.0/8 { requires (a or b\n}\n",
	    "t.conf:6:37: missing ')'");
	assert_errors(P "prefix 10.0.0.0/8 { requires a b }\n",
	    "t.conf:6:32: missing 'and' or 'or' before 'b'");
	assert_errors(P "prefix 10.0.0.0/8 { requires a) }\n",
	    "t.conf:6:31: unmatched ')'");
	assert_errors(P "prefix 10.0.0.0/8 { requires }\n",
	    "t.conf:6:30: missing check name after 'requires'");
	assert_errors(P "prefix 10.0.0.0/8 { requires not }\n",
	    "t.conf:6:34: missing check name after 'not'");
	assert_errors(P "prefix 10.0.0.0/8 { requires a or or b }\n",
	    "t.conf:6:35: missing check name after 'or'");
	assert_errors(P "prefix 10.0.0.0/8 { requires a; requires b }\n",
	    "t.conf:6:33: 'requires' given twice (first at line 6)");
#undef P
}

static void
test_errors_cap(void **state)
{
	struct config_errors	 e = { NULL, 0, 0 };
	char			 text[4096];
	size_t			 off, i;

	(void)state;
	off = strlcpy(text, HEAD, sizeof(text));
	for (i = 0; i < 30; i++)
		off += snprintf(text + off, sizeof(text) - off, "bogus%zu\n", i);
	assert_null(config_parse_string("t.conf", text, &e));
	assert_int_equal(e.n, CONFIG_MAX_ERRORS + 1);
	assert_int_equal(e.nerrors, CONFIG_MAX_ERRORS + 1);
	assert_string_equal(e.v[0].text, "t.conf:3:1: unknown keyword 'bogus0'");
	assert_string_equal(e.v[CONFIG_MAX_ERRORS - 1].text,
	    "t.conf:22:1: unknown keyword 'bogus19'");
	assert_string_equal(e.v[CONFIG_MAX_ERRORS].text,
	    "t.conf: too many errors, giving up");
	config_errors_free(&e);
}

static void
test_parse_file(void **state)
{
	struct config_errors	 e = { NULL, 0, 0 };
	char			 path[4096];
	struct config		*c;

	(void)state;
	assert_null(config_parse_file("/nonexistent/anycastd.conf", &e));
	assert_int_equal(e.n, 1);
	assert_string_equal(e.v[0].text,
	    "/nonexistent/anycastd.conf: No such file or directory");
	config_errors_free(&e);

	assert_null(config_parse_file("/", &e));
	assert_string_equal(e.v[0].text, "/: not a file");
	config_errors_free(&e);

	snprintf(path, sizeof(path), "%s/tests/conf/bad/missing-brace.conf",
	    topdir());
	assert_null(config_parse_file(path, &e));
	assert_int_equal(e.nerrors, 2);
	assert_non_null(strstr(e.v[0].text, "missing-brace.conf:7:1: "
	    "missing '}' for neighbor block opened at line 4"));
	config_errors_free(&e);

	snprintf(path, sizeof(path), "%s/tests/conf/02.conf", topdir());
	c = config_parse_file(path, NULL);
	assert_non_null(c);
	assert_string_equal(c->file, path);
	config_free(c);
}

/* ------------------------------------------------------------------ */
/* Canonical print                                                      */

static void
assert_same_config(const struct config *a, const struct config *b)
{
	const struct config_neighbor	*na, *nb;
	const struct check_conf		*ca, *cb;
	const struct prefix_conf	*pa, *pb;

	assert_int_equal(a->nneighbors, b->nneighbors);
	assert_int_equal(a->nchecks, b->nchecks);
	assert_int_equal(a->nprefixes, b->nprefixes);
	for (na = TAILQ_FIRST(&a->neighbors), nb = TAILQ_FIRST(&b->neighbors);
	    na != NULL; na = TAILQ_NEXT(na, entry), nb = TAILQ_NEXT(nb, entry))
		assert_true(neighbor_conf_equal(&na->conf, &nb->conf));
	for (ca = TAILQ_FIRST(&a->checks), cb = TAILQ_FIRST(&b->checks);
	    ca != NULL; ca = TAILQ_NEXT(ca, entry), cb = TAILQ_NEXT(cb, entry))
		assert_true(check_conf_equal(ca, cb));
	for (pa = TAILQ_FIRST(&a->prefixes), pb = TAILQ_FIRST(&b->prefixes);
	    pa != NULL; pa = TAILQ_NEXT(pa, entry), pb = TAILQ_NEXT(pb, entry))
		assert_true(prefix_conf_equal(pa, pb));
}

/* print(parse(text)) == expected, and print(parse(that)) is the same. */
static void
check_golden(const char *name, const char *text, const char *expected)
{
	struct config	*c1, *c2;
	char		*out1, *out2;

	c1 = config_parse_string(name, text, NULL);
	if (c1 == NULL)
		fail_msg("%s does not parse", name);
	out1 = print_to_string(c1);
	if (expected != NULL)
		assert_string_equal(out1, expected);
	c2 = config_parse_string(name, out1, NULL);
	if (c2 == NULL)
		fail_msg("the canonical form of %s does not parse", name);
	out2 = print_to_string(c2);
	assert_string_equal(out1, out2);
	assert_same_config(c1, c2);
	free(out1);
	free(out2);
	config_free(c1);
	config_free(c2);
}

static void
test_golden(void **state)
{
	char	 path[4096], *text, *ok;
	int	 i, n = 0;

	(void)state;
	for (i = 1; i < 100; i++) {
		snprintf(path, sizeof(path), "%s/tests/conf/%02d.conf",
		    topdir(), i);
		if (access(path, R_OK) == -1)
			break;
		text = read_file(path);
		snprintf(path, sizeof(path), "%s/tests/conf/%02d.ok",
		    topdir(), i);
		ok = read_file(path);
		check_golden(path, text, ok);
		free(text);
		free(ok);
		n++;
	}
	assert_true(n >= 4);
}

static void
test_example(void **state)
{
	struct config_errors	 e = { NULL, 0, 0 };
	struct config		*c;
	char			 path[4096], *s;

	(void)state;
	snprintf(path, sizeof(path), "%s/etc/anycastd.conf.example",
	    topdir());
	c = config_parse_file(path, &e);
	s = join_errors(&e);
	assert_string_equal(s, "");	/* not even a warning */
	free(s);
	assert_non_null(c);
	assert_int_equal(c->nneighbors, 6);
	assert_non_null(config_find_check(c, "web"));
	assert_non_null(config_find_check(c, "dns"));
	assert_non_null(config_find_check(c, "nginx"));
	assert_non_null(config_find_check(c, "maint"));
	assert_int_equal(c->nchecks, 7);
	assert_int_equal(c->nprefixes, 4);
	config_free(c);
	config_errors_free(&e);

	s = read_file(path);
	check_golden(path, s, NULL);
	free(s);
}

static void
test_bad_files(void **state)
{
	struct config_errors	 e = { NULL, 0, 0 };
	struct dirent		*d;
	DIR			*dir;
	char			 dirpath[4096], path[4096 + 256];
	char			*text, *expected, *got;
	size_t			 len;
	int			 n = 0;

	(void)state;
	snprintf(dirpath, sizeof(dirpath), "%s/tests/conf/bad", topdir());
	dir = opendir(dirpath);
	assert_non_null(dir);
	while ((d = readdir(dir)) != NULL) {
		len = strlen(d->d_name);
		if (len < 6 || strcmp(d->d_name + len - 5, ".conf") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirpath, d->d_name);
		text = read_file(path);
		snprintf(path, sizeof(path), "%s/%.*s.err", dirpath,
		    (int)(len - 5), d->d_name);
		expected = read_file(path);
		assert_null(config_parse_string(d->d_name, text, &e));
		got = join_errors(&e);
		/* The .err files end with a newline; the join does not. */
		len = strlen(expected);
		if (len > 0 && expected[len - 1] == '\n')
			expected[len - 1] = '\0';
		if (strcmp(got, expected) != 0)
			fail_msg("%s:\n--- expected\n%s\n--- got\n%s",
			    d->d_name, expected, got);
		free(got);
		free(text);
		free(expected);
		config_errors_free(&e);
		n++;
	}
	closedir(dir);
	assert_true(n >= 10);
}

/* ------------------------------------------------------------------ */
/* Requires expressions                                                 */

static const struct {
	const char	*in;
	const char	*out;
} expr_prints[] = {
	{ "a", "a" },
	{ "((a))", "a" },
	{ "a or b and c", "a or b and c" },
	{ "(a or b) and c", "(a or b) and c" },
	{ "a or (b and c)", "a or b and c" },
	{ "(a and b) or c", "a and b or c" },
	{ "a and b or c and d", "a and b or c and d" },
	{ "a and (b or c) and d", "a and (b or c) and d" },
	{ "not a and b", "not a and b" },
	{ "(not a) and b", "not a and b" },
	{ "not (a and b)", "not (a and b)" },
	{ "not (a or b)", "not (a or b)" },
	{ "not not a", "not not a" },
	{ "not (not a)", "not not a" },
	{ "a or b or c", "a or b or c" },
	{ "(a or b) or c", "a or b or c" },
	{ "a or (b or c)", "a or (b or c)" },
	{ "a and (b and c)", "a and (b and c)" },
	{ "not (not a or b) and (c or not d)",
	    "not (not a or b) and (c or not d)" },
};

static void
test_expr_print(void **state)
{
	struct config		*c;
	struct prefix_conf	*p;
	char			 text[512], small[8];
	size_t			 i;
	int			 n;

	(void)state;
	for (i = 0; i < nitems(expr_prints); i++) {
		snprintf(text, sizeof(text), HEAD
		    "neighbor 192.0.2.1 { remote-as 1 }\n"
		    "check a { tcp ::1 port 1 }\ncheck b { tcp ::1 port 2 }\n"
		    "check c { tcp ::1 port 3 }\ncheck d { tcp ::1 port 4 }\n"
		    "prefix 10.0.0.0/8 { requires %s }\n", expr_prints[i].in);
		c = parse_ok(text);
		p = TAILQ_FIRST(&c->prefixes);
		assert_string_equal(expr_str(p->requires), expr_prints[i].out);
		config_free(c);
	}

	/* Like snprintf: the length needed, a terminated prefix. */
	c = parse_ok(HEAD "check web { tcp ::1 port 1 }\n"
	    "check dns { tcp ::1 port 2 }\ncheck port { tcp ::1 port 3 }\n"
	    "neighbor 192.0.2.1 { remote-as 1 }\n"
	    "prefix 10.0.0.0/8 { requires web and (dns or port) }\n");
	p = TAILQ_FIRST(&c->prefixes);
	n = expr_print(small, sizeof(small), p->requires);
	assert_int_equal(n, (int)strlen("web and (dns or port)"));
	assert_string_equal(small, "web and");
	assert_int_equal(expr_print(NULL, 0, p->requires), n);
	assert_int_equal(expr_print(small, sizeof(small), NULL), 0);
	assert_string_equal(small, "");
	config_free(c);
}

static bool
bit_up(void *arg, const struct check_conf *c)
{
	return (*(const unsigned *)arg >> c->index) & 1;
}

static bool
f_or_and(bool a, bool b, bool c, bool d)
{
	(void)d;
	return a || (b && c);
}

static bool
f_paren(bool a, bool b, bool c, bool d)
{
	(void)d;
	return (a || b) && c;
}

static bool
f_not_and(bool a, bool b, bool c, bool d)
{
	(void)c;
	(void)d;
	return !a && b;
}

static bool
f_not_paren(bool a, bool b, bool c, bool d)
{
	(void)c;
	(void)d;
	return !(a && b);
}

static bool
f_mixed(bool a, bool b, bool c, bool d)
{
	return (a && b) || (c && !d);
}

static bool
f_notnot(bool a, bool b, bool c, bool d)
{
	(void)b;
	(void)c;
	(void)d;
	return a;
}

static bool
f_all(bool a, bool b, bool c, bool d)
{
	return !(!a || b) && (c || !d);
}

static bool
f_interface(bool a, bool b, bool c, bool d)
{
	return a && (b || c) && !d;
}


static const struct {
	const char	*expr;
	bool		(*ref)(bool, bool, bool, bool);
} truth_tables[] = {
	{ "a or b and c", f_or_and },
	{ "(a or b) and c", f_paren },
	{ "not a and b", f_not_and },
	{ "not (a and b)", f_not_paren },
	{ "a and b or c and not d", f_mixed },
	{ "not not a", f_notnot },
	{ "not (not a or b) and (c or not d)", f_all },
	{ "a and (b or c) and not d", f_interface },
};

static void
test_expr_eval(void **state)
{
	struct config		*c;
	struct prefix_conf	*p;
	char			 text[512];
	unsigned		 bits;
	size_t			 i;

	(void)state;
	for (i = 0; i < nitems(truth_tables); i++) {
		snprintf(text, sizeof(text), HEAD
		    "neighbor 192.0.2.1 { remote-as 1 }\n"
		    "check a { tcp ::1 port 1 }\ncheck b { tcp ::1 port 2 }\n"
		    "check c { tcp ::1 port 3 }\ncheck d { tcp ::1 port 4 }\n"
		    "prefix 10.0.0.0/8 { requires %s }\n",
		    truth_tables[i].expr);
		c = parse_ok(text);
		p = TAILQ_FIRST(&c->prefixes);
		for (bits = 0; bits < 16; bits++) {
			bool want = truth_tables[i].ref(bits & 1, bits & 2,
			    bits & 4, bits & 8);
			if (expr_eval(p->requires, bit_up, &bits) != want)
				fail_msg("%s with a=%u b=%u c=%u d=%u",
				    truth_tables[i].expr, bits & 1,
				    (bits >> 1) & 1, (bits >> 2) & 1,
				    (bits >> 3) & 1);
		}
		config_free(c);
	}
	/* No requires: always announced. */
	bits = 0;
	assert_true(expr_eval(NULL, bit_up, &bits));
}

static void
test_expr_copy(void **state)
{
	struct config		*c;
	struct prefix_conf	*p, *q;
	struct expr		*dup;

	(void)state;
	c = parse_ok(HEAD "neighbor 192.0.2.1 { remote-as 1 }\n"
	    "check a { tcp ::1 port 1 }\ncheck b { tcp ::1 port 2 }\n"
	    "prefix 10.0.0.0/8 { requires a and not b }\n"
	    "prefix 11.0.0.0/8 { requires a and not b }\n"
	    "prefix 12.0.0.0/8 { requires a or not b }\n");
	p = TAILQ_FIRST(&c->prefixes);
	q = TAILQ_NEXT(p, entry);
	assert_true(expr_equal(p->requires, q->requires));
	assert_false(expr_equal(p->requires,
	    TAILQ_NEXT(q, entry)->requires));
	assert_false(expr_equal(p->requires, NULL));
	assert_true(expr_equal(NULL, NULL));
	dup = expr_dup(p->requires);
	assert_true(expr_equal(dup, p->requires));
	assert_ptr_equal(dup->left->check, p->requires->left->check);
	assert_int_equal(dup->left->pos.line, 6);
	assert_int_equal(dup->left->pos.col, 30);
	expr_free(dup);
	expr_free(NULL);
	config_free(c);
}

static void
test_expr_deep(void **state)
{
	char	*text, *s;
	size_t	 off, i;

	(void)state;
	/* A long flat expression is fine; absurd nesting is refused. */
	text = malloc(65536);
	assert_non_null(text);
	off = snprintf(text, 65536, HEAD "check a { tcp ::1 port 1 }\n"
	    "prefix 10.0.0.0/8 { requires a");
	for (i = 0; i < 200; i++)
		off += snprintf(text + off, 65536 - off, " and a");
	snprintf(text + off, 65536 - off, " }\n");
	s = errors_of(text);
	assert_string_equal(s, "t.conf:4:8: warning: no neighbor carries "
	    "ipv4 unicast, so 10.0.0.0/8 is never announced");
	free(s);

	off = snprintf(text, 65536, HEAD "check a { tcp ::1 port 1 }\n"
	    "prefix 10.0.0.0/8 { requires ");
	for (i = 0; i < 300; i++)
		off += snprintf(text + off, 65536 - off, "not ");
	snprintf(text + off, 65536 - off, "a }\n");
	s = errors_of(text);
	assert_non_null(strstr(s, "requires expression too deeply nested"));
	free(s);
	free(text);
}

/* ------------------------------------------------------------------ */
/* Text forms                                                           */

static void
test_durations(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		uint64_t	 ms;
	} cases[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1000 },
		{ "90", 0, 90000 },
		{ "1ms", 0, 1 },
		{ "500ms", 0, 500 },
		{ "1s", 0, 1000 },
		{ "2m", 0, 120000 },
		{ "1h", 0, 3600000 },
		{ "007s", 0, 7000 },
		{ "18446744073709551615ms", 0, UINT64_MAX },
		{ "18446744073709551616ms", -1, 0 },
		{ "18446744073709551615s", -1, 0 },
		{ "", -1, 0 },
		{ "s", -1, 0 },
		{ "ms", -1, 0 },
		{ "1x", -1, 0 },
		{ "1 s", -1, 0 },
		{ "1.5s", -1, 0 },
		{ "-1s", -1, 0 },
		{ "+1s", -1, 0 },
		{ "1S", -1, 0 },
		{ "1sec", -1, 0 },
		{ "1m30s", -1, 0 },
		{ "1d", -1, 0 },
	};
	static const struct {
		uint64_t	 ms;
		const char	*out;
	} strs[] = {
		{ 0, "0s" }, { 1, "1ms" }, { 999, "999ms" }, { 1000, "1s" },
		{ 1500, "1500ms" }, { 59000, "59s" }, { 60000, "1m" },
		{ 90000, "90s" }, { 3600000, "1h" }, { 5400000, "90m" },
		{ 86400000, "24h" },
	};
	char		buf[CONFIG_DURATION_STRLEN];
	uint64_t	ms;
	size_t		i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		ms = 12345;
		if (config_duration_parse(cases[i].in, &ms) != cases[i].rc)
			fail_msg("duration '%s'", cases[i].in);
		if (cases[i].rc == 0 && ms != cases[i].ms)
			fail_msg("duration '%s' gave %llu", cases[i].in,
			    (unsigned long long)ms);
	}
	for (i = 0; i < nitems(strs); i++)
		assert_string_equal(config_duration_str(strs[i].ms, buf,
		    sizeof(buf)), strs[i].out);
}

static void
test_addresses(void **state)
{
	struct config_addr	 a, b;
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	struct bgp_prefix	 p;
	char			 err[128], buf[CONFIG_PREFIX_STRLEN];

	(void)state;
	assert_int_equal(config_addr_pton("192.0.2.1", &a), 0);
	assert_int_equal(a.aid, BGP_AID_IPV4);
	assert_int_equal(config_addr_sockaddr(&a, 179, &ss),
	    sizeof(struct sockaddr_in));
	sin = (struct sockaddr_in *)&ss;
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 179);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xc0000201);

	assert_int_equal(config_addr_pton("2001:DB8:0::1", &b), 0);
	assert_int_equal(b.aid, BGP_AID_IPV6);
	assert_string_equal(addr_str(&b), "2001:db8::1");
	assert_int_equal(config_addr_sockaddr(&b, 1179, &ss),
	    sizeof(struct sockaddr_in6));
	sin6 = (struct sockaddr_in6 *)&ss;
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 1179);
	assert_int_equal(sin6->sin6_addr.s6_addr[15], 1);
	assert_false(config_addr_equal(&a, &b));
	assert_int_equal(config_addr_pton("2001:db8::1", &a), 0);
	assert_true(config_addr_equal(&a, &b));

	assert_int_equal(config_addr_pton("", &a), -1);
	assert_int_equal(config_addr_pton("192.0.2", &a), -1);
	assert_int_equal(config_addr_pton("192.0.2.256", &a), -1);
	assert_int_equal(config_addr_pton("fe80::1%eth0", &a), -1);
	assert_int_equal(config_addr_pton("localhost", &a), -1);

	assert_int_equal(config_prefix_pton("0.0.0.0/0", &p, err, sizeof(err)),
	    0);
	assert_int_equal(p.len, 0);
	assert_int_equal(config_prefix_pton("::/0", &p, err, sizeof(err)), 0);
	assert_int_equal(p.aid, BGP_AID_IPV6);
	assert_int_equal(config_prefix_pton("192.0.2.1/32", &p, err,
	    sizeof(err)), 0);
	assert_string_equal(config_prefix_ntop(&p, buf, sizeof(buf)),
	    "192.0.2.1/32");
	assert_int_equal(config_prefix_pton("2001:db8::1/127", &p, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "2001:db8::1/127: host bits set, did you mean "
	    "2001:db8::/127?");
	assert_int_equal(config_prefix_pton("10.0.0.0/", &p, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "invalid prefix '10.0.0.0/'");
	assert_int_equal(config_prefix_pton("10.0.0.0/-1", &p, err,
	    sizeof(err)), -1);
	assert_int_equal(config_prefix_pton("10.0.0.0/0008", &p, err,
	    sizeof(err)), -1);
	assert_int_equal(config_prefix_pton("10.0.0.0/008", &p, err,
	    sizeof(err)), 0);
	assert_int_equal(p.len, 8);
}

static void
test_communities(void **state)
{
	struct large_community	lc;
	uint32_t		c;
	char			buf[CONFIG_COMMUNITY_STRLEN];
	uint16_t		t;

	(void)state;
	assert_int_equal(config_community_parse("65535:65535", &c), 0);
	assert_int_equal(c, 0xffffffffu);
	assert_int_equal(config_community_parse("0:0", &c), 0);
	assert_int_equal(c, 0);
	assert_int_equal(config_community_parse("no-export", &c), 0);
	assert_int_equal(c, 0xffffff01u);
	assert_string_equal(config_community_str(c, buf, sizeof(buf)),
	    "no-export");
	assert_string_equal(config_community_str(65000u << 16 | 7, buf,
	    sizeof(buf)), "65000:7");
	assert_int_equal(config_community_parse("65536:0", &c), -1);
	assert_int_equal(config_community_parse("1:", &c), -1);
	assert_int_equal(config_community_parse(":1", &c), -1);
	assert_int_equal(config_community_parse("1:2:3", &c), -1);
	assert_int_equal(config_community_parse("1", &c), -1);

	assert_int_equal(config_large_community_parse("4294967295:1:2", &lc),
	    0);
	assert_int_equal(lc.global, 4294967295u);
	assert_int_equal(lc.local1, 1);
	assert_int_equal(lc.local2, 2);
	assert_int_equal(config_large_community_parse("1:2", &lc), -1);
	assert_int_equal(config_large_community_parse("1:2:3:4", &lc), -1);
	assert_int_equal(config_large_community_parse("4294967296:1:2", &lc),
	    -1);

	assert_int_equal(config_dns_type_parse("aaaa", &t), 0);
	assert_int_equal(t, 28);
	assert_string_equal(config_dns_type_name(t), "AAAA");
	assert_int_equal(config_dns_type_parse("SRV", &t), 0);
	assert_int_equal(t, 33);
	assert_int_equal(config_dns_type_parse("AXFR", &t), -1);
	assert_null(config_dns_type_name(255));
}

static void
test_numbers(void **state)
{
	struct config	*c;

	(void)state;
	c = parse_ok("router-id 223.255.255.255\nlocal-as 1\n"
	    "neighbor 192.0.2.1 { remote-as 4294967295; hold-time 3 }\n"
	    "neighbor 192.0.2.2 { remote-as 23455; hold-time 65535 }\n"
	    "neighbor 192.0.2.3 { remote-as 23457; hold-time 18h;"
	    " connect-retry 1h }\n"
	    "listen ::1 port 1\nlisten ::1 port 65535\n"
	    "check a { http \"http://a:65535\" expect 599; rise 100; fall 1;"
	    " interval 24h; timeout 10ms }\n"
	    "prefix 10.0.0.0/8 { med 4294967295; prepend 16 }\n");
	assert_int_equal(c->router_id, 0xdfffffffu);
	assert_int_equal(TAILQ_FIRST(&c->neighbors)->conf.remote_as,
	    4294967295u);
	assert_int_equal(TAILQ_FIRST(&c->neighbors)->conf.hold_time, 3);
	assert_int_equal(TAILQ_LAST(&c->neighbors, config_neighbors)->conf.
	    hold_time, 64800);
	assert_int_equal(TAILQ_LAST(&c->listens, listen_confs)->port, 65535);
	assert_int_equal(TAILQ_FIRST(&c->checks)->http.port, 65535);
	assert_int_equal(TAILQ_FIRST(&c->checks)->interval_ms, 86400000);
	assert_int_equal(TAILQ_FIRST(&c->prefixes)->med, 4294967295u);
	config_free(c);
}

static void
test_equal(void **state)
{
	struct config		*c;
	struct config_neighbor	*n[4];
	struct check_conf	*k[4];
	struct prefix_conf	*p[4];
	int			 i;

	(void)state;
	c = parse_ok(HEAD
	    "neighbor 192.0.2.1 { remote-as 1 }\n"
	    "neighbor 192.0.2.2 { remote-as 1 }\n"
	    "neighbor 192.0.2.3 { remote-as 1; passive }\n"
	    "neighbor 192.0.2.4 { remote-as 1; next-hop 192.0.2.10 }\n"
	    "check a { tcp ::1 port 1 }\n"
	    "check b { tcp ::1 port 1 }\n"
	    "check c { exec \"/x\" \"1\" }\n"
	    "check d { exec \"/x\" \"2\" }\n"
	    "prefix 10.0.0.0/8 { community 1:1 }\n"
	    "prefix 11.0.0.0/8 { community 1:1 }\n"
	    "prefix 12.0.0.0/8 { community 1:1 med 0 }\n"
	    "prefix 13.0.0.0/8 { community 1:2 }\n");
	n[0] = TAILQ_FIRST(&c->neighbors);
	k[0] = TAILQ_FIRST(&c->checks);
	p[0] = TAILQ_FIRST(&c->prefixes);
	for (i = 1; i < 4; i++) {
		n[i] = TAILQ_NEXT(n[i - 1], entry);
		k[i] = TAILQ_NEXT(k[i - 1], entry);
		p[i] = TAILQ_NEXT(p[i - 1], entry);
	}
	for (i = 0; i < 4; i++) {
		assert_true(neighbor_conf_equal(&n[i]->conf, &n[i]->conf));
		assert_true(check_conf_equal(k[i], k[i]));
		assert_true(prefix_conf_equal(p[i], p[i]));
	}
	assert_false(neighbor_conf_equal(&n[0]->conf, &n[1]->conf));
	n[1]->conf.addr = n[0]->conf.addr;
	assert_true(neighbor_conf_equal(&n[0]->conf, &n[1]->conf));
	n[2]->conf.addr = n[0]->conf.addr;
	assert_false(neighbor_conf_equal(&n[0]->conf, &n[2]->conf));
	n[3]->conf.addr = n[0]->conf.addr;
	assert_false(neighbor_conf_equal(&n[0]->conf, &n[3]->conf));

	assert_false(check_conf_equal(k[0], k[1]));	/* names */
	assert_false(check_conf_equal(k[2], k[3]));

	assert_false(prefix_conf_equal(p[0], p[1]));	/* prefix */
	p[1]->prefix = p[0]->prefix;
	assert_true(prefix_conf_equal(p[0], p[1]));
	p[2]->prefix = p[0]->prefix;
	assert_false(prefix_conf_equal(p[0], p[2]));	/* med */
	p[3]->prefix = p[0]->prefix;
	assert_false(prefix_conf_equal(p[0], p[3]));	/* community */
	config_free(c);
}

static void
test_suggest(void **state)
{
	static const char *const cand[] = { "neighbor", "neighbors", "port",
	    "prefix", "med" };

	(void)state;
	assert_string_equal(config_suggest("nieghbor", cand, nitems(cand)),
	    "neighbor");
	assert_string_equal(config_suggest("prot", cand, nitems(cand)),
	    "port");
	assert_string_equal(config_suggest("mde", cand, nitems(cand)), "med");
	assert_null(config_suggest("xyzzy", cand, nitems(cand)));
	assert_null(config_suggest("me", cand, nitems(cand)));
	/* An exact match is not a suggestion. */
	assert_null(config_suggest("port", cand, nitems(cand)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_globals),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_neighbor),
		cmocka_unit_test(test_neighbor_defaults),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_check_timeout_default),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_prefix_applies),
		cmocka_unit_test(test_syntax_forms),
		cmocka_unit_test(test_keywords_as_names),
		cmocka_unit_test(test_reparse),
		cmocka_unit_test(test_errors_syntax),
		cmocka_unit_test(test_errors_values),
		cmocka_unit_test(test_errors_ranges),
		cmocka_unit_test(test_errors_semantic),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_errors_expr),
		cmocka_unit_test(test_errors_cap),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_expr_print),
		cmocka_unit_test(test_expr_eval),
		cmocka_unit_test(test_expr_copy),
		cmocka_unit_test(test_expr_deep),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_communities),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
