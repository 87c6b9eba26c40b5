/*
 * The canonical form of a configuration, as `anycastd -n -v` prints it:
 * every setting spelt out, defaults included, in a fixed order (globals,
 * then neighbors, checks and prefixes as the file had them), with
 * canonical addresses, durations in their largest exact unit and strings
 * quoted.  Parsing the output gives an equal configuration, and printing
 * that gives the same text; the tests hold it to both.
 *
 * This module only formats; it judges nothing and changes nothing.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void
print_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* Names the grammar reads back unquoted are printed bare. */
static void
print_name(FILE *f, const char *s)
{
	if (strcmp(s, "and") != 0 && strcmp(s, "or") != 0 &&
	    strcmp(s, "not") != 0 && *s != '\0' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == strlen(s))
		fputs(s, f);
	else
		print_string(f, s);
}

static const char *
addr_str(const struct config_addr *a, char *buf, size_t len)
{
	return config_addr_ntop(a, buf, len);
}

static void
print_globals(FILE *f, const struct config *conf)
{
	const struct listen_conf	*l;
	char				 buf[CONFIG_ADDR_STRLEN];

	fprintf(f, "router-id %u.%u.%u.%u\n", conf->router_id >> 24,
	    (conf->router_id >> 16) & 0xff, (conf->router_id >> 8) & 0xff,
	    conf->router_id & 0xff);
	fprintf(f, "local-as %u\n", conf->local_as);
	TAILQ_FOREACH(l, &conf->listens, entry)
		fprintf(f, "listen %s port %u\n",
		    addr_str(&l->addr, buf, sizeof(buf)), l->port);
	fputs("control ", f);
	print_string(f, conf->control_path);
	fprintf(f, " mode %04o", (unsigned)conf->control_mode);
	if (conf->control_group != NULL) {
		fputs(" group ", f);
		print_name(f, conf->control_group);
	}
	fputs("\nstate-file ", f);
	print_string(f, conf->state_file);
	fputc('\n', f);
	if (conf->metrics)
		fprintf(f, "metrics %s port %u\n",
		    addr_str(&conf->metrics_addr, buf, sizeof(buf)),
		    conf->metrics_port);
	if (conf->user != NULL) {
		fputs("user ", f);
		print_name(f, conf->user);
		fputc('\n', f);
	}
	fprintf(f, "log %s\n", conf->log_syslog ? "syslog" : "stderr");
}

static void
print_neighbor(FILE *f, const struct neighbor_conf *n)
{
	char	buf[CONFIG_ADDR_STRLEN], dur[CONFIG_DURATION_STRLEN];
	int	aid;

	fprintf(f, "\nneighbor %s {\n", addr_str(&n->addr, buf, sizeof(buf)));
	fprintf(f, "\tremote-as %u\n", n->remote_as);
	if (n->descr[0] != '\0') {
		fputs("\tdescription ", f);
		print_string(f, n->descr);
		fputc('\n', f);
	}
	if (n->has_local_addr)
		fprintf(f, "\tlocal-address %s\n",
		    addr_str(&n->local_addr, buf, sizeof(buf)));
	fprintf(f, "\thold-time %u\n", n->hold_time);
	fprintf(f, "\tconnect-retry %s\n",
	    config_duration_str(n->connect_retry_ms, dur, sizeof(dur)));
	if (n->passive)
		fputs("\tpassive\n", f);
	if (n->password[0] != '\0') {
		fputs("\tpassword ", f);
		print_string(f, n->password);
		fputc('\n', f);
	}
	if (n->ttl_security)
		fputs("\tttl-security\n", f);
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (n->family[aid])
			fprintf(f, "\tfamily %s unicast\n",
			    aid == BGP_AID_IPV6 ? "ipv6" : "ipv4");
	}
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (n->has_next_hop[aid])
			fprintf(f, "\tnext-hop %s\n",
			    addr_str(&n->next_hop[aid], buf, sizeof(buf)));
	}
	fputs("}\n", f);
}

static void
print_check(FILE *f, const struct check_conf *c)
{
	char	buf[CONFIG_ADDR_STRLEN], dur[CONFIG_DURATION_STRLEN];
	size_t	i;

	fputs("\ncheck ", f);
	print_name(f, c->name);
	fputs(" {\n\t", f);
	switch (c->type) {
	case CHECK_NONE:
	case CHECK_TYPE_MAX:
		break;
	case CHECK_HTTP:
		fputs("http ", f);
		print_string(f, c->http.url);
		fprintf(f, " expect %u", c->http.expect);
		break;
	case CHECK_DNS:
		fputs("dns ", f);
		print_string(f, c->dns.qname);
		fprintf(f, " type %s server %s port %u",
		    config_dns_type_name(c->dns.qtype),
		    addr_str(&c->dns.server, buf, sizeof(buf)), c->dns.port);
		break;
	case CHECK_TCP:
		fprintf(f, "tcp %s port %u",
		    addr_str(&c->tcp.addr, buf, sizeof(buf)), c->tcp.port);
		break;
	case CHECK_EXEC:
		fputs("exec", f);
		for (i = 0; i < c->exec.argc; i++) {
			fputc(' ', f);
			print_string(f, c->exec.argv[i]);
		}
		break;
	case CHECK_FILE:
		fputs("file ", f);
		print_string(f, c->file.path);
		fputs(c->file.absent ? " absent" : " present", f);
		break;
	case CHECK_PROCESS:
		fputs("process ", f);
		print_string(f, c->process.pidfile);
		break;
	}
	fprintf(f, "\n\tinterval %s",
	    config_duration_str(c->interval_ms, dur, sizeof(dur)));
	fprintf(f, " timeout %s",
	    config_duration_str(c->timeout_ms, dur, sizeof(dur)));
	fprintf(f, " rise %u fall %u\n}\n", c->rise, c->fall);
}

static void
print_prefix(FILE *f, const struct prefix_conf *p)
{
	char	 buf[CONFIG_PREFIX_STRLEN], dur[CONFIG_DURATION_STRLEN];
	char	*expr;
	size_t	 i;
	int	 len;

	fprintf(f, "\nprefix %s {\n",
	    config_prefix_ntop(&p->prefix, buf, sizeof(buf)));
	if (p->requires != NULL) {
		len = expr_print(NULL, 0, p->requires);
		expr = xmalloc((size_t)len + 1);
		expr_print(expr, (size_t)len + 1, p->requires);
		fprintf(f, "\trequires %s\n", expr);
		free(expr);
	}
	for (i = 0; i < p->ncommunities; i++)
		fprintf(f, "\tcommunity %s\n", config_community_str(
		    p->communities[i], buf, sizeof(buf)));
	for (i = 0; i < p->nlarge_communities; i++)
		fprintf(f, "\tlarge-community %u:%u:%u\n",
		    p->large_communities[i].global,
		    p->large_communities[i].local1,
		    p->large_communities[i].local2);
	if (p->has_med)
		fprintf(f, "\tmed %u\n", p->med);
	fprintf(f, "\tprepend %u\n", p->prepend);
	if (p->nneighbors > 0) {
		fputs("\tneighbors", f);
		for (i = 0; i < p->nneighbors; i++)
			fprintf(f, " %s", addr_str(&p->neighbors[i].addr, buf,
			    sizeof(buf)));
		fputc('\n', f);
	}
	if (p->on_down == PREFIX_ON_DOWN_GSHUT)
		fprintf(f, "\ton-down graceful-shutdown %s\n",
		    config_duration_str(p->gshut_ms, dur, sizeof(dur)));
	else
		fputs("\ton-down withdraw\n", f);
	fputs("}\n", f);
}

void
config_print(FILE *f, const struct config *conf)
{
	const struct config_neighbor	*nb;
	const struct check_conf		*c;
	const struct prefix_conf	*p;

	print_globals(f, conf);
	TAILQ_FOREACH(nb, &conf->neighbors, entry)
		print_neighbor(f, &nb->conf);
	TAILQ_FOREACH(c, &conf->checks, entry)
		print_check(f, c);
	TAILQ_FOREACH(p, &conf->prefixes, entry)
		print_prefix(f, p);
}
