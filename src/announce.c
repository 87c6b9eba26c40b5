/*
 * Announcements: from the desired state of each configured prefix to the
 * UPDATEs each Established peer needs. Owns the prefix table and every
 * peer's Adj-RIB-Out (what we told it). A change marks the prefix dirty
 * for every peer and the UPDATEs go out in the same loop iteration;
 * prefixes that share an attribute set share UPDATEs. Output is paced by
 * the session's queue, so a peer that reads slowly gets its routes as fast
 * as it takes them without the daemon buffering the whole table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "anycastd.h"
#include "announce.h"
#include "bgp.h"
#include "log.h"
#include "monitor.h"
#include "session.h"
#include "state.h"
#include "util.h"

#define PACK_BATCH	1024	/* prefixes handed to the packer at once */
#define LOCAL_PREF_DEFAULT	100
#define LOCAL_PREF_GSHUT	0	/* RFC 8326 4 */
/* In announce_reload's index map: the prefix must be sent again. */
#define RELOAD_RESEND	((size_t)1 << (sizeof(size_t) * 8 - 2))

/* Per peer: what it was sent, and what needs sending. */
struct adj_out {
	uint8_t		*sent;		/* enum announce_state per prefix */
	uint8_t		*dirty;
	size_t		 n;
	size_t		 next;		/* where the pump resumes */
	size_t		 ndirty;
	size_t		 nsent;		/* prefixes announced */
	bool		 eor_pending[BGP_AID_MAX];
	bool		 eorr_pending[BGP_AID_MAX];	/* RFC 7313 */
};

/* Memory behind one attribute set while it is packed. */
struct attr_scratch {
	struct bgp_attrs a;
	uint8_t		 aspath[2 + 4 * (1 + PREFIX_PREPEND_MAX)];
	uint8_t		*comm;
	uint8_t		*large;
};

static void	 pump(struct peer *);
static void	 mark_dirty(struct peer *, size_t);

static uint64_t
now_ms(void)
{
	struct timespec ts;

	mono_now(&ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

enum announce_state
announce_decide(const struct prefix_conf *pc, enum announce_state cur,
    bool up, bool drained, uint64_t now, uint64_t *until)
{
	if (up && !drained)
		return ANNOUNCE_ANNOUNCED;
	if (pc->on_down == PREFIX_ON_DOWN_WITHDRAW)
		return ANNOUNCE_WITHDRAWN;
	switch (cur) {
	case ANNOUNCE_ANNOUNCED:
		/* RFC 8326: lower the preference first, withdraw later. */
		*until = now + pc->gshut_ms;
		return pc->gshut_ms > 0 ? ANNOUNCE_GSHUT : ANNOUNCE_WITHDRAWN;
	case ANNOUNCE_GSHUT:
		return now >= *until ? ANNOUNCE_WITHDRAWN : ANNOUNCE_GSHUT;
	case ANNOUNCE_WITHDRAWN:
		break;
	}
	return ANNOUNCE_WITHDRAWN;	/* never re-announce only to shut */
}

static void	 gshut_cb(evutil_socket_t, short, void *);

/* Why a prefix is where it is, for show prefixes. */
static void
set_reason(struct prefix_state *ps)
{
	const char *r;

	switch (ps->state) {
	case ANNOUNCE_ANNOUNCED:
		r = ps->conf->requires == NULL ? "no requires" :
		    "requires true";
		break;
	case ANNOUNCE_GSHUT:
		r = ps->drained ? "drained, graceful shutdown" :
		    "requires false, graceful shutdown";
		break;
	case ANNOUNCE_WITHDRAWN:
	default:
		r = ps->drained ? "drained" : "requires false";
		break;
	}
	ps->reason = r;
}

/* Arms the one timer for the earliest graceful-shutdown deadline. */
static void
gshut_arm(struct daemon *d)
{
	uint64_t first = UINT64_MAX, now = now_ms(), ms;
	struct timeval tv;
	size_t i;

	for (i = 0; i < d->nprefixes; i++)
		if (d->prefixes[i].state == ANNOUNCE_GSHUT &&
		    d->prefixes[i].gshut_until < first)
			first = d->prefixes[i].gshut_until;
	if (first == UINT64_MAX) {
		evtimer_del(d->gshut_timer);
		return;
	}
	ms = first > now ? first - now : 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(d->gshut_timer, &tv);
}

/* Applies the decision for prefix i; sends what changed right away. */
static void
prefix_update(struct daemon *d, size_t i, uint64_t now)
{
	struct prefix_state *ps = &d->prefixes[i];
	enum announce_state next, from = ps->state;
	struct peer *p;

	next = announce_decide(ps->conf, ps->state, ps->up, ps->drained, now,
	    &ps->gshut_until);
	if (next == ps->state) {
		set_reason(ps);
		return;
	}
	ps->state = next;
	mono_now(&ps->since);
	set_reason(ps);
	monitor_prefix(ps, from);
	TAILQ_FOREACH(p, &d->peers, entry) {
		mark_dirty(p, i);
		if (p->state == FSM_ESTABLISHED)
			pump(p);
	}
}

static void
gshut_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	uint64_t now = now_ms();
	size_t i;

	(void)fd;
	(void)what;
	for (i = 0; i < d->nprefixes; i++)
		if (d->prefixes[i].state == ANNOUNCE_GSHUT)
			prefix_update(d, i, now);
	gshut_arm(d);
}

const char *
announce_state_name(enum announce_state s)
{
	switch (s) {
	case ANNOUNCE_ANNOUNCED:
		return "announced";
	case ANNOUNCE_GSHUT:
		return "graceful-shutdown";
	case ANNOUNCE_WITHDRAWN:
		break;
	}
	return "withdrawn";
}

/* The prefix table, with drains from the state file applied before any
 * session exists. */
void
announce_init(struct daemon *d)
{
	struct prefix_conf *pc;
	struct prefix_state *ps;
	struct bgp_prefix *drained = NULL;
	size_t i = 0, j, ndrained = 0;
	char err[256];

	if (state_load(d->conf->state_file, &drained, &ndrained, err,
	    sizeof(err)) == -1)
		log_warnx("state file: %s; starting with nothing drained", err);
	d->gshut_timer = evtimer_new(d->base, gshut_cb, d);
	if (d->gshut_timer == NULL)
		fatalx("evtimer_new");
	d->nprefixes = d->conf->nprefixes;
	d->prefixes = xcalloc(d->nprefixes ? d->nprefixes : 1,
	    sizeof(*d->prefixes));
	TAILQ_FOREACH(pc, &d->conf->prefixes, entry) {
		ps = &d->prefixes[i++];
		ps->conf = pc;
		ps->up = pc->requires == NULL;
		for (j = 0; j < ndrained; j++)
			if (bgp_prefix_equal(&drained[j], &pc->prefix))
				ps->drained = true;
		ps->state = ps->up && !ps->drained ? ANNOUNCE_ANNOUNCED :
		    ANNOUNCE_WITHDRAWN;
		mono_now(&ps->since);
		set_reason(ps);
		if (ps->drained)
			log_info("prefix %s drained (state file)",
			    config_prefix_ntop(&pc->prefix, err, sizeof(err)));
	}
	free(drained);
}

void
announce_checks_changed(struct daemon *d, expr_check_cb *check_up, void *arg)
{
	uint64_t now = now_ms();
	size_t i;

	for (i = 0; i < d->nprefixes; i++) {
		d->prefixes[i].up = expr_eval(d->prefixes[i].conf->requires,
		    check_up, arg);
		prefix_update(d, i, now);
	}
	gshut_arm(d);
}

static int
drain_save(struct daemon *d, char *err, size_t errlen)
{
	struct bgp_prefix *v;
	size_t i, n = 0;
	int rc = 0;

	v = xcalloc(d->nprefixes ? d->nprefixes : 1, sizeof(*v));
	for (i = 0; i < d->nprefixes; i++)
		if (d->prefixes[i].drained)
			v[n++] = d->prefixes[i].conf->prefix;
	if (state_save(d->conf->state_file, v, n) == -1) {
		snprintf(err, errlen, "cannot write the state file %s: %s "
		    "(the drain applies until restart)", d->conf->state_file,
		    strerror(errno));
		log_warnx("%s", err);
		rc = -1;
	}
	free(v);
	return rc;
}

int
announce_drain(struct daemon *d, const struct bgp_prefix *p, bool drain,
    char *err, size_t errlen)
{
	uint64_t now = now_ms();
	size_t i;
	int changed = 0, found = 0;
	char pfx[CONFIG_PREFIX_STRLEN];

	for (i = 0; i < d->nprefixes; i++) {
		if (p != NULL && !bgp_prefix_equal(&d->prefixes[i].conf->prefix,
		    p))
			continue;
		found++;
		if (d->prefixes[i].drained == drain)
			continue;
		d->prefixes[i].drained = drain;
		log_info("prefix %s %s", config_prefix_ntop(
		    &d->prefixes[i].conf->prefix, pfx, sizeof(pfx)),
		    drain ? "drained" : "undrained");
		prefix_update(d, i, now);
		changed++;
	}
	gshut_arm(d);
	if (p != NULL && found == 0) {
		snprintf(err, errlen, "%s is not a configured prefix",
		    config_prefix_ntop(p, pfx, sizeof(pfx)));
		return -1;
	}
	if (changed > 0 && drain_save(d, err, errlen) == -1)
		return -1;
	return changed;
}

void
announce_free(struct daemon *d)
{
	if (d->gshut_timer != NULL)
		event_free(d->gshut_timer);
	d->gshut_timer = NULL;
	free(d->prefixes);
	d->prefixes = NULL;
	d->nprefixes = 0;
}

size_t
announce_prefix_count(const struct daemon *d)
{
	return d->nprefixes;
}

const struct prefix_state *
announce_prefix(const struct daemon *d, size_t i)
{
	return i < d->nprefixes ? &d->prefixes[i] : NULL;
}

static void
mark_dirty(struct peer *p, size_t i)
{
	struct adj_out *o = p->out;

	if (o == NULL || i >= o->n || o->dirty[i])
		return;
	o->dirty[i] = 1;
	o->ndirty++;
	if (i < o->next)
		o->next = i;
}

void
announce_peer_init(struct peer *p)
{
	struct adj_out *o;
	size_t n = p->d->nprefixes;

	o = xcalloc(1, sizeof(*o));
	o->n = n;
	o->sent = xcalloc(n ? n : 1, 1);
	o->dirty = xcalloc(n ? n : 1, 1);
	p->out = o;
}

void
announce_peer_free(struct peer *p)
{
	if (p->out == NULL)
		return;
	free(p->out->sent);
	free(p->out->dirty);
	free(p->out);
	p->out = NULL;
}

size_t
announce_peer_sent(const struct peer *p)
{
	return p->out != NULL ? p->out->nsent : 0;
}

/* Forget what a peer was told once its session is gone. */
void
announce_peer_state(struct peer *p)
{
	struct adj_out *o = p->out;

	if (o == NULL || p->state == FSM_ESTABLISHED)
		return;
	memset(o->sent, 0, o->n);
	memset(o->dirty, 0, o->n);
	memset(o->eor_pending, 0, sizeof(o->eor_pending));
	memset(o->eorr_pending, 0, sizeof(o->eorr_pending));
	o->ndirty = o->nsent = o->next = 0;
}

/* RFC 4724 2: the full set, then End-of-RIB for each family. */
void
announce_peer_up(struct peer *p)
{
	struct adj_out *o = p->out;
	size_t i;
	int aid;

	for (i = 0; i < o->n; i++)
		mark_dirty(p, i);
	for (aid = 0; aid < BGP_AID_MAX; aid++)
		o->eor_pending[aid] = p->neg.family[aid];
	pump(p);
}

/*
 * RFC 2918 3: re-send what we announce for the family. With enhanced
 * route refresh (RFC 7313 4) the re-advertisement is framed by BoRR and
 * EoRR, so the peer can drop what we no longer announce.
 */
void
announce_refresh(struct peer *p, enum bgp_aid aid)
{
	struct adj_out *o = p->out;
	uint8_t mem[BGP_ROUTE_REFRESH_LEN];
	struct buf b;
	size_t i;

	if (p->neg.enhanced_rr) {
		buf_init(&b, mem, sizeof(mem));
		if (bgp_msg_put_route_refresh(&b, aid, BGP_RR_BORR) == 0)
			session_send(p, b.data, b.len);
		o->eorr_pending[aid] = true;
	}
	for (i = 0; i < o->n; i++)
		if (p->d->prefixes[i].conf->prefix.aid == aid &&
		    o->sent[i] != ANNOUNCE_WITHDRAWN) {
			o->sent[i] = ANNOUNCE_WITHDRAWN;	/* re-send */
			o->nsent--;
			mark_dirty(p, i);
		}
	pump(p);
}

void
announce_output_drained(struct peer *p)
{
	if (p->out != NULL && (p->out->ndirty > 0 ||
	    p->out->eor_pending[0] || p->out->eor_pending[1] ||
	    p->out->eorr_pending[0] || p->out->eorr_pending[1]))
		pump(p);
}

/* What peer p should have for prefix i now. */
static enum announce_state
wanted(const struct peer *p, const struct prefix_state *ps)
{
	uint8_t nh[16];

	if (ps->state == ANNOUNCE_WITHDRAWN ||
	    !p->neg.family[ps->conf->prefix.aid] ||
	    !config_prefix_applies(ps->conf, &p->conf))
		return ANNOUNCE_WITHDRAWN;
	/* No next hop of the prefix's family on this session: say so in
	 * the reason rather than announce something unusable. */
	if (session_local_addr(p, ps->conf->prefix.aid, nh) == -1)
		return ANNOUNCE_WITHDRAWN;
	return ps->state;
}

/* Two prefixes go in one UPDATE when everything that builds their
 * attributes is equal. */
static bool
same_attrs(const struct prefix_state *x, const struct prefix_state *y,
    enum announce_state sx, enum announce_state sy)
{
	const struct prefix_conf *a = x->conf, *b = y->conf;

	return sx == sy && a->prefix.aid == b->prefix.aid &&
	    a->has_med == b->has_med && (!a->has_med || a->med == b->med) &&
	    a->prepend == b->prepend &&
	    a->ncommunities == b->ncommunities &&
	    (a->ncommunities == 0 || memcmp(a->communities, b->communities,
	    a->ncommunities * sizeof(*a->communities)) == 0) &&
	    a->nlarge_communities == b->nlarge_communities &&
	    (a->nlarge_communities == 0 || memcmp(a->large_communities,
	    b->large_communities, a->nlarge_communities *
	    sizeof(*a->large_communities)) == 0);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/*
 * The attributes of prefix ps towards peer p (RFC 4271 5.1): ORIGIN IGP;
 * AS_PATH of local-as plus prepends for eBGP, empty for iBGP; the next
 * hop of the session; MED; LOCAL_PREF to iBGP; communities.
 */
static void
attrs_build(const struct peer *p, const struct prefix_state *ps,
    enum announce_state st, struct attr_scratch *s)
{
	const struct prefix_conf *pc = ps->conf;
	struct bgp_attrs *a = &s->a;
	uint8_t nh[16];
	size_t i, n, ncomm;
	bool ebgp = session_is_ebgp(p), gshut = st == ANNOUNCE_GSHUT;

	memset(a, 0, sizeof(*a));
	s->comm = s->large = NULL;
	bgp_attrs_set(a, BGP_ATTR_ORIGIN);
	a->origin = BGP_ORIGIN_IGP;
	bgp_attrs_set(a, BGP_ATTR_AS_PATH);
	if (ebgp) {
		n = 1 + pc->prepend;
		s->aspath[0] = BGP_ASPATH_SEQUENCE;
		s->aspath[1] = (uint8_t)n;
		for (i = 0; i < n; i++)
			put32(s->aspath + 2 + 4 * i, p->d->conf->local_as);
		a->aspath.data = s->aspath;
		a->aspath.len = 2 + 4 * n;
	}
	session_local_addr(p, pc->prefix.aid, nh);
	if (pc->prefix.aid == BGP_AID_IPV4) {
		bgp_attrs_set(a, BGP_ATTR_NEXT_HOP);
		memcpy(&a->nexthop, nh, 4);
	} else {
		a->mp_reach_aid = pc->prefix.aid;
		a->mp_nexthop_len = 16;
		memcpy(a->mp_nexthop, nh, 16);
	}
	if (pc->has_med) {
		bgp_attrs_set(a, BGP_ATTR_MED);
		a->med = pc->med;
	}
	if (!ebgp) {
		bgp_attrs_set(a, BGP_ATTR_LOCAL_PREF);
		a->local_pref = gshut ? LOCAL_PREF_GSHUT : LOCAL_PREF_DEFAULT;
	}
	ncomm = pc->ncommunities + (gshut ? 1 : 0);
	if (ncomm > 0) {
		s->comm = xreallocarray(NULL, ncomm, 4);
		for (i = 0; i < pc->ncommunities; i++)
			put32(s->comm + 4 * i, pc->communities[i]);
		if (gshut)	/* RFC 8326 */
			put32(s->comm + 4 * i, BGP_COMMUNITY_GRACEFUL_SHUTDOWN);
		bgp_attrs_set(a, BGP_ATTR_COMMUNITIES);
		a->communities.data = s->comm;
		a->communities.len = ncomm * 4;
	}
	if (pc->nlarge_communities > 0) {
		s->large = xreallocarray(NULL, pc->nlarge_communities, 12);
		for (i = 0; i < pc->nlarge_communities; i++) {
			put32(s->large + 12 * i, pc->large_communities[i].global);
			put32(s->large + 12 * i + 4,
			    pc->large_communities[i].local1);
			put32(s->large + 12 * i + 8,
			    pc->large_communities[i].local2);
		}
		bgp_attrs_set(a, BGP_ATTR_LARGE_COMMUNITIES);
		a->large_communities.data = s->large;
		a->large_communities.len = pc->nlarge_communities * 12;
	}
}

static void
attrs_release(struct attr_scratch *s)
{
	free(s->comm);
	free(s->large);
	s->comm = s->large = NULL;
}

/* Sends pfx[0..n) with attrs a (NULL: withdraw) in as few UPDATEs as
 * the session's maximum message size allows. */
static void
send_batch(struct peer *p, const struct bgp_attrs *a,
    const struct bgp_prefix *pfx, size_t n)
{
	struct bgp_encode_ctx ctx;
	struct buf *b;
	size_t done = 0;
	int k;

	session_encode_ctx(p, &ctx);
	b = buf_new(ctx.maxlen);
	while (done < n) {
		buf_reset(b);
		k = a != NULL ? bgp_update_pack(b, a, pfx + done, n - done,
		    &ctx) : bgp_update_pack_withdraw(b, pfx + done, n - done,
		    &ctx);
		if (k <= 0) {
			log_warnx("%s: cannot encode an UPDATE",
			    session_peer_name(p));
			break;
		}
		session_send(p, b->data, b->len);
		done += (size_t)k;
	}
	if (a != NULL)
		p->stats.prefixes_announced += done;
	else
		p->stats.prefixes_withdrawn += done;
	buf_free(b);
}

/*
 * Sends what the peer is missing, in runs of prefixes that share their
 * attributes, until the output queue is full; announce_output_drained()
 * brings us back. End-of-RIB goes once nothing is left to send.
 */
static void
pump(struct peer *p)
{
	struct adj_out *o = p->out;
	struct prefix_state *ps, *first = NULL;
	struct bgp_prefix batch[PACK_BATCH];
	struct attr_scratch s;
	enum announce_state want, batch_state = ANNOUNCE_WITHDRAWN;
	size_t i, nbatch = 0;
	uint8_t mem[BGP_UPDATE_MIN_LEN + 16];
	struct buf b;
	int aid;

	if (p->state != FSM_ESTABLISHED || o == NULL)
		return;
	for (i = o->next; i < o->n && o->ndirty > 0; i++) {
		if (!o->dirty[i])
			continue;
		if (session_output_pending(p) > ANNOUNCE_HIGH_WATER)
			break;
		ps = &p->d->prefixes[i];
		want = wanted(p, ps);
		o->dirty[i] = 0;
		o->ndirty--;
		if (want == o->sent[i])
			continue;
		/* Withdrawals of prefixes never sent need not go out. */
		if (nbatch > 0 && (nbatch == PACK_BATCH ||
		    !same_attrs(first, ps, batch_state, want))) {
			if (batch_state == ANNOUNCE_WITHDRAWN)
				send_batch(p, NULL, batch, nbatch);
			else {
				attrs_build(p, first, batch_state, &s);
				send_batch(p, &s.a, batch, nbatch);
				attrs_release(&s);
			}
			nbatch = 0;
		}
		if (nbatch == 0) {
			first = ps;
			batch_state = want;
		}
		batch[nbatch++] = ps->conf->prefix;
		if (o->sent[i] == ANNOUNCE_WITHDRAWN)
			o->nsent++;
		else if (want == ANNOUNCE_WITHDRAWN)
			o->nsent--;
		o->sent[i] = want;
	}
	o->next = i;
	if (nbatch > 0) {
		if (batch_state == ANNOUNCE_WITHDRAWN)
			send_batch(p, NULL, batch, nbatch);
		else {
			attrs_build(p, first, batch_state, &s);
			send_batch(p, &s.a, batch, nbatch);
			attrs_release(&s);
		}
	}
	if (o->ndirty > 0)
		return;
	o->next = o->n;
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (o->eor_pending[aid]) {
			o->eor_pending[aid] = false;
			buf_init(&b, mem, sizeof(mem));
			if (bgp_msg_put_eor(&b, aid) == 0)
				session_send(p, b.data, b.len);
		}
		if (o->eorr_pending[aid]) {
			o->eorr_pending[aid] = false;
			buf_init(&b, mem, sizeof(mem));
			if (bgp_msg_put_route_refresh(&b, aid, BGP_RR_EORR) == 0)
				session_send(p, b.data, b.len);
		}
	}
}

static int
prefix_state_order(const void *x, const void *y)
{
	const struct bgp_prefix *a =
	    &(*(struct prefix_state *const *)x)->conf->prefix;
	const struct bgp_prefix *b =
	    &(*(struct prefix_state *const *)y)->conf->prefix;

	if (a->aid != b->aid)
		return a->aid < b->aid ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	if (a->path_id != b->path_id)
		return a->path_id < b->path_id ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

/*
 * A new configuration: withdraw prefixes that are gone, keep the state of
 * those that stay (re-announcing any whose attributes changed), add the
 * new ones. Sessions are untouched. nc replaces d->conf afterwards; the
 * caller frees the old one.
 */
void
announce_reload(struct daemon *d, const struct config *nc,
    expr_check_cb *check_up, void *arg)
{
	struct prefix_state *nps, *ps, *old = d->prefixes;
	struct prefix_conf *pc;
	struct peer *p;
	size_t i, j, n = nc->nprefixes, oldn = d->nprefixes;
	size_t *map;		/* new index -> old index, or SIZE_MAX */
	struct prefix_state **byprefix, *const *found, key, *pkey;
	bool *kept;
	uint8_t *sent;
	uint64_t now = now_ms();

	/* Old prefix for each new one, by binary search over the old table
	 * sorted by prefix: a PoP may carry a great many. */
	byprefix = xcalloc(oldn ? oldn : 1, sizeof(*byprefix));
	kept = xcalloc(oldn ? oldn : 1, sizeof(*kept));
	for (j = 0; j < oldn; j++)
		byprefix[j] = &old[j];
	qsort(byprefix, oldn, sizeof(*byprefix), prefix_state_order);
	map = xcalloc(n ? n : 1, sizeof(*map));
	i = 0;
	TAILQ_FOREACH(pc, &nc->prefixes, entry) {
		key.conf = pc;
		pkey = &key;
		found = bsearch(&pkey, byprefix, oldn, sizeof(*byprefix),
		    prefix_state_order);
		map[i] = found != NULL ? (size_t)(*found - old) : SIZE_MAX;
		if (found != NULL)
			kept[*found - old] = true;
		i++;
	}
	free(byprefix);

	/* Withdraw what leaves, while the old table still describes it. */
	for (j = 0; j < oldn; j++)
		if (!kept[j] && old[j].state != ANNOUNCE_WITHDRAWN) {
			old[j].state = ANNOUNCE_WITHDRAWN;
			TAILQ_FOREACH(p, &d->peers, entry)
				mark_dirty(p, j);
		}
	free(kept);
	TAILQ_FOREACH(p, &d->peers, entry)
		pump(p);

	nps = xcalloc(n ? n : 1, sizeof(*nps));
	i = 0;
	TAILQ_FOREACH(pc, &nc->prefixes, entry) {
		nps[i].conf = pc;
		if (map[i] != SIZE_MAX) {
			ps = &old[map[i]];
			nps[i].drained = ps->drained;
			nps[i].state = ps->state;
			nps[i].gshut_until = ps->gshut_until;
			nps[i].since = ps->since;
		} else {
			nps[i].state = ANNOUNCE_WITHDRAWN;
			mono_now(&nps[i].since);
		}
		nps[i].up = expr_eval(pc->requires, check_up, arg);
		nps[i].state = announce_decide(pc, nps[i].state, nps[i].up,
		    nps[i].drained, now, &nps[i].gshut_until);
		set_reason(&nps[i]);
		i++;
	}

	/* A prefix whose attributes changed is sent again (an implicit
	 * replace); one that stays withdrawn needs nothing. */
	for (i = 0; i < n; i++)
		if (map[i] != SIZE_MAX &&
		    !prefix_conf_equal(old[map[i]].conf, nps[i].conf) &&
		    nps[i].state != ANNOUNCE_WITHDRAWN)
			map[i] |= RELOAD_RESEND;

	TAILQ_FOREACH(p, &d->peers, entry) {
		struct adj_out *o = p->out;
		size_t from;

		sent = xcalloc(n ? n : 1, 1);
		for (i = 0; i < n; i++) {
			from = map[i] & ~RELOAD_RESEND;
			if (map[i] != SIZE_MAX && !(map[i] & RELOAD_RESEND) &&
			    from < o->n)
				sent[i] = o->sent[from];
		}
		free(o->sent);
		free(o->dirty);
		o->sent = sent;
		o->dirty = xcalloc(n ? n : 1, 1);
		o->n = n;
		o->ndirty = 0;
		o->next = n;
		o->nsent = 0;
		for (i = 0; i < n; i++)
			if (sent[i] != ANNOUNCE_WITHDRAWN)
				o->nsent++;
	}
	free(old);
	free(map);
	d->prefixes = nps;
	d->nprefixes = n;
	TAILQ_FOREACH(p, &d->peers, entry) {
		for (i = 0; i < n; i++)
			mark_dirty(p, i);
		pump(p);
	}
	gshut_arm(d);
}
