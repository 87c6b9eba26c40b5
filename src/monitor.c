/*
 * Event lines for logs and for `anycastctl monitor`; see monitor.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "announce.h"
#include "config.h"
#include "fsm.h"
#include "health.h"
#include "json.h"
#include "log.h"
#include "monitor.h"
#include "session.h"
#include "util.h"

#define MONITOR_LINE_MAX	1024	/* a key=value log line */
#define MONITOR_JSON_MAX	(16 * 1024)

struct sink {
	monitor_sink	 fn;
	void		*arg;
};

static struct sink	sinks[MONITOR_SINKS_MAX];
static size_t		nsinks;

int
monitor_subscribe(monitor_sink fn, void *arg)
{
	if (nsinks == MONITOR_SINKS_MAX)
		return -1;
	sinks[nsinks].fn = fn;
	sinks[nsinks].arg = arg;
	nsinks++;
	return 0;
}

void
monitor_unsubscribe(monitor_sink fn, void *arg)
{
	size_t i;

	for (i = 0; i < nsinks; i++)
		if (sinks[i].fn == fn && sinks[i].arg == arg) {
			memmove(&sinks[i], &sinks[i + 1],
			    (nsinks - i - 1) * sizeof(sinks[0]));
			nsinks--;
			return;
		}
}

static bool
subscribed(const struct sink *s)
{
	size_t i;

	for (i = 0; i < nsinks; i++)
		if (sinks[i].fn == s->fn && sinks[i].arg == s->arg)
			return true;
	return false;
}

void
monitor_kv(char *buf, size_t len, const char *key, const char *val)
{
	size_t n = 0;
	bool quote = val[0] == '\0' || strpbrk(val, " \t\"\\=") != NULL;
	unsigned char ch;

#define PUT(c)	do { if (n + 1 < len) buf[n++] = (c); } while (0)
	if (len == 0)
		return;
	while (*key != '\0')
		PUT(*key++);
	PUT('=');
	if (quote)
		PUT('"');
	for (; *val != '\0'; val++) {
		ch = (unsigned char)*val;
		if (ch < 0x20 || ch == 0x7f)
			ch = '?';
		if (quote && (ch == '"' || ch == '\\'))
			PUT('\\');
		PUT((char)ch);
	}
	if (quote)
		PUT('"');
	buf[n] = '\0';
#undef PUT
}

/* The log line and the JSON object, built side by side. */
struct event {
	char		line[MONITOR_LINE_MAX];
};

static struct json	mj;
static bool		mj_init;

static void
ev_begin(struct event *e, const char *name)
{
	struct timespec ts;

	e->line[0] = '\0';
	monitor_kv(e->line, sizeof(e->line), "event", name);
	if (!mj_init) {
		json_init(&mj, MONITOR_JSON_MAX);
		mj_init = true;
	}
	json_reset(&mj);
	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_begin(&mj, NULL);
	json_milli(&mj, "time", (uint64_t)ts.tv_sec * 1000 +
	    (uint64_t)ts.tv_nsec / 1000000);
	json_string(&mj, "event", name);
}

static void
ev_str(struct event *e, const char *key, const char *val, bool in_log)
{
	char kv[512];

	if (in_log) {
		monitor_kv(kv, sizeof(kv), key, val);
		strlcat(e->line, " ", sizeof(e->line));
		strlcat(e->line, kv, sizeof(e->line));
	}
	json_string(&mj, key, val);
}

/* A number: key=text in the log line; the caller adds it to the JSON. */
static void
ev_num_log(struct event *e, const char *key, const char *text)
{
	char kv[64];

	monitor_kv(kv, sizeof(kv), key, text);
	strlcat(e->line, " ", sizeof(e->line));
	strlcat(e->line, kv, sizeof(e->line));
}

static void
ev_uint(struct event *e, const char *key, uint64_t val)
{
	char num[32];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)val);
	ev_num_log(e, key, num);
	json_uint(&mj, key, val);
}

/* Seconds to the millisecond, in both forms. */
static void
ev_seconds(struct event *e, const char *key, double val)
{
	char num[32];

	if (val < 0)
		val = 0;
	snprintf(num, sizeof(num), "%.3f", val);
	ev_num_log(e, key, num);
	json_milli(&mj, key, (uint64_t)(val * 1000 + 0.5));
}

static void
ev_end(struct event *e, bool warn)
{
	struct sink snap[MONITOR_SINKS_MAX];
	size_t i, n;

	if (warn)
		log_warnx("%s", e->line);
	else
		log_info("%s", e->line);
	json_object_end(&mj);
	if (nsinks == 0 || json_finish(&mj) == -1)
		return;
	/* A sink may drop its client, and so unsubscribe, as it runs. */
	n = nsinks;
	memcpy(snap, sinks, n * sizeof(snap[0]));
	for (i = 0; i < n; i++)
		if (subscribed(&snap[i]))
			snap[i].fn(snap[i].arg, mj.data, mj.len);
}

void
monitor_session(const struct peer *p, enum fsm_state from,
    enum fsm_state to, const char *reason)
{
	struct event e;
	char addr[CONFIG_ADDR_STRLEN];

	ev_begin(&e, "session");
	ev_str(&e, "neighbor", config_addr_ntop(&p->conf.addr, addr,
	    sizeof(addr)), true);
	ev_str(&e, "descr", p->conf.descr, p->conf.descr[0] != '\0');
	ev_str(&e, "from", fsm_state_name(from), true);
	ev_str(&e, "to", fsm_state_name(to), true);
	ev_str(&e, "reason", reason, true);
	ev_end(&e, false);
}

void
monitor_eor(const struct peer *p, enum bgp_aid aid, size_t prefixes,
    double after)
{
	struct event e;
	char addr[CONFIG_ADDR_STRLEN];

	ev_begin(&e, "eor");
	ev_str(&e, "neighbor", config_addr_ntop(&p->conf.addr, addr,
	    sizeof(addr)), true);
	ev_str(&e, "descr", p->conf.descr, p->conf.descr[0] != '\0');
	ev_str(&e, "family", bgp_aid_name(aid), true);
	ev_uint(&e, "prefixes", prefixes);
	ev_seconds(&e, "after", after);
	ev_end(&e, false);
}

void
monitor_check(const struct check_state *cs)
{
	struct event e;

	ev_begin(&e, "check");
	ev_str(&e, "check", cs->conf->name, true);
	ev_str(&e, "state", cs->up ? "up" : "down", true);
	ev_str(&e, "last_error", cs->last_error, cs->last_error[0] != '\0');
	ev_end(&e, false);
}

void
monitor_prefix(const struct prefix_state *ps, enum announce_state from)
{
	struct event e;
	char pfx[CONFIG_PREFIX_STRLEN];

	ev_begin(&e, "prefix");
	ev_str(&e, "prefix", config_prefix_ntop(&ps->conf->prefix, pfx,
	    sizeof(pfx)), true);
	ev_str(&e, "from", announce_state_name(from), true);
	ev_str(&e, "to", announce_state_name(ps->state), true);
	ev_str(&e, "reason", ps->reason, true);
	ev_end(&e, false);
}

void
monitor_reload(bool ok, const char *error)
{
	struct event e;

	if (error == NULL)
		error = "";
	ev_begin(&e, "reload");
	ev_str(&e, "result", ok ? "ok" : "failed", true);
	ev_str(&e, "error", error, error[0] != '\0');
	ev_end(&e, !ok);
}
