/*
 * Codec throughput: decoding and packing UPDATEs for a million IPv4
 * prefixes, and decoding a real full table from an MRT dump. Prints one
 * markdown table on stdout. Each figure is the best of BENCH_RUNS runs, so
 * a busy machine shows up as noise rather than as a slow codec.
 *
 * Correctness is not this program's job, but a benchmark that decodes the
 * wrong number of prefixes measures nothing: it exits 1 when the counts
 * do not add up. Missing goals are reported in the table, not in the exit
 * status.
 */
#include <arpa/inet.h>

#include <err.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/bgp.h"
#include "../../src/buf.h"
#include "../../src/util.h"
#include "../testdata.h"

#define BENCH_RUNS		5
#define BENCH_PREFIXES		1000000
#define GOAL_DECODE_PPS		20e6		/* prefixes per second */
#define GOAL_TABLE_MS		100.0
#define TABLE_FILE	"mrt/ripe-bgpdump/updates.et-header.2015.gz"
#define TABLE_FILE_MAX		(256 * 1024 * 1024)

/* A stream of whole BGP messages, back to back. */
struct stream {
	uint8_t		*data;
	size_t		 len;
	size_t		 cap;
	size_t		 n_msgs;
	size_t		*off;		/* start of each message */
	size_t		 off_cap;
};

struct walk_count {
	size_t		 updates;
	size_t		 announced;
	size_t		 withdrawn;
	size_t		 asns;
	size_t		 errors;
	uint64_t	 sum;		/* keeps the walks honest */
};

static uint64_t
now_ns(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
stream_reserve(struct stream *s, size_t n)
{
	if (s->cap - s->len >= n)
		return;
	while (s->cap - s->len < n)
		s->cap = s->cap == 0 ? 1024 * 1024 : s->cap * 2;
	s->data = xrealloc(s->data, s->cap);
}

static void
stream_mark(struct stream *s)
{
	if (s->n_msgs == s->off_cap) {
		s->off_cap = s->off_cap == 0 ? 4096 : s->off_cap * 2;
		s->off = xreallocarray(s->off, s->off_cap, sizeof(*s->off));
	}
	s->off[s->n_msgs++] = s->len;
}

static void
stream_free(struct stream *s)
{
	free(s->data);
	free(s->off);
	memset(s, 0, sizeof(*s));
}

static size_t
walk_nlri(const struct bgp_bytes *v, enum bgp_aid aid, bool addpath,
    uint64_t *sum)
{
	struct buf		 b;
	struct bgp_prefix	 p;
	size_t			 n = 0;

	buf_view(&b, v->data, v->len);
	while (bgp_nlri_next(&b, aid, addpath, &p) == 1) {
		*sum += p.len + p.addr[0] + p.addr[1] + p.addr[2];
		n++;
	}
	return n;
}

/* Everything a receiving session would look at in an UPDATE. */
static void
walk_update(const struct bgp_update *u, const struct bgp_decode_ctx *ctx,
    struct walk_count *c)
{
	const struct bgp_attrs	*a = &u->attrs;
	struct bgp_aspath_iter	 it;
	uint32_t		 asn;
	uint8_t			 seg;

	c->updates++;
	c->withdrawn += walk_nlri(&u->withdrawn, BGP_AID_IPV4,
	    ctx->addpath_recv[BGP_AID_IPV4], &c->sum);
	c->announced += walk_nlri(&u->nlri, BGP_AID_IPV4,
	    ctx->addpath_recv[BGP_AID_IPV4], &c->sum);
	if (bgp_attrs_has(a, BGP_ATTR_MP_REACH_NLRI) &&
	    a->mp_reach_aid < BGP_AID_MAX)
		c->announced += walk_nlri(&a->mp_reach_nlri, a->mp_reach_aid,
		    ctx->addpath_recv[a->mp_reach_aid], &c->sum);
	if (bgp_attrs_has(a, BGP_ATTR_MP_UNREACH_NLRI) &&
	    a->mp_unreach_aid < BGP_AID_MAX)
		c->withdrawn += walk_nlri(&a->mp_unreach_nlri,
		    a->mp_unreach_aid, ctx->addpath_recv[a->mp_unreach_aid],
		    &c->sum);
	bgp_aspath_iter_init(&it, a);
	while (bgp_aspath_next(&it, &asn, &seg) == 1) {
		c->sum += asn;
		c->asns++;
	}
}

/* Decodes every message of s; returns the elapsed nanoseconds. */
static uint64_t
decode_stream(const struct stream *s, size_t maxlen,
    const struct bgp_decode_ctx *ctx, struct walk_count *c)
{
	static struct bgp_msg	 m;
	struct bgp_err		 e;
	struct buf		 b;
	uint64_t		 t0;
	size_t			 i, end;

	memset(c, 0, sizeof(*c));
	t0 = now_ns();
	for (i = 0; i < s->n_msgs; i++) {
		end = i + 1 < s->n_msgs ? s->off[i + 1] : s->len;
		buf_view(&b, s->data + s->off[i], end - s->off[i]);
		if (bgp_msg_decode(&b, maxlen, ctx, &m, &e) == -1) {
			c->errors++;
			continue;
		}
		if (m.hdr.type == BGP_MSG_UPDATE) {
			walk_update(&m.update, ctx, c);
			bgp_update_free(&m.update);
		}
	}
	return now_ns() - t0;
}

/* ORIGIN IGP, AS_PATH [65001 65002], NEXT_HOP, MED, one community. */
static void
synthetic_attrs(struct bgp_attrs *a, uint8_t *aspath, size_t aspathlen,
    uint8_t *comm, size_t commlen)
{
	struct buf	 w;

	buf_init(&w, aspath, aspathlen);
	buf_put_u8(&w, BGP_ASPATH_SEQUENCE);
	buf_put_u8(&w, 2);
	buf_put_u32(&w, 65001);
	buf_put_u32(&w, 65002);
	if (buf_error(&w))
		errx(1, "AS path does not fit");
	aspathlen = buf_len(&w);
	buf_init(&w, comm, commlen);
	buf_put_u32(&w, 65001u << 16 | 100);
	if (buf_error(&w))
		errx(1, "community does not fit");

	memset(a, 0, sizeof(*a));
	bgp_attrs_set(a, BGP_ATTR_ORIGIN);
	a->origin = BGP_ORIGIN_IGP;
	bgp_attrs_set(a, BGP_ATTR_AS_PATH);
	a->aspath.data = aspath;
	a->aspath.len = aspathlen;
	bgp_attrs_set(a, BGP_ATTR_NEXT_HOP);
	a->nexthop = htonl(0xc0000201);		/* 192.0.2.1 */
	bgp_attrs_set(a, BGP_ATTR_MED);
	a->med = 100;
	bgp_attrs_set(a, BGP_ATTR_COMMUNITIES);
	a->communities.data = comm;
	a->communities.len = 4;
}

/* Packs all prefixes into s, one message per bgp_update_pack() call;
 * returns the elapsed nanoseconds. */
static uint64_t
encode_stream(struct stream *s, const struct bgp_attrs *a,
    const struct bgp_prefix *pfx, size_t n, const struct bgp_encode_ctx *ctx)
{
	struct buf	 w;
	uint64_t	 t0;
	size_t		 done = 0;
	int		 k;

	s->len = s->n_msgs = 0;
	t0 = now_ns();
	while (done < n) {
		stream_reserve(s, ctx->maxlen);
		stream_mark(s);
		buf_init(&w, s->data + s->len, ctx->maxlen);
		if ((k = bgp_update_pack(&w, a, pfx + done, n - done,
		    ctx)) < 1 || buf_error(&w))
			errx(1, "bgp_update_pack failed after %zu prefixes",
			    done);
		s->len += buf_len(&w);
		done += k;
	}
	return now_ns() - t0;
}

/* Untimed: the stream must carry exactly pfx[0..n), in order. */
static int
verify_stream(const struct stream *s, const struct bgp_prefix *pfx, size_t n,
    const struct bgp_decode_ctx *ctx)
{
	static struct bgp_msg	 m;
	struct bgp_err		 e;
	struct bgp_prefix	 p;
	struct buf		 b, v;
	size_t			 i = 0;

	buf_view(&b, s->data, s->len);
	while (buf_left(&b) > 0) {
		if (bgp_msg_decode(&b, BGP_MAX_MSG_LEN, ctx, &m, &e) == -1 ||
		    m.hdr.type != BGP_MSG_UPDATE)
			return -1;
		buf_view(&v, m.update.nlri.data, m.update.nlri.len);
		while (bgp_nlri_next(&v, BGP_AID_IPV4, false, &p) == 1) {
			if (i == n || p.len != pfx[i].len ||
			    memcmp(p.addr, pfx[i].addr, sizeof(p.addr)) != 0)
				break;
			i++;
		}
		bgp_update_free(&m.update);
		if (buf_left(&v) != 0)
			return -1;
	}
	return i == n ? 0 : -1;
}

static const char *
met(bool ok)
{
	return ok ? "yes" : "**no**";
}

static void
bench_synthetic(int *status)
{
	struct bgp_prefix	*pfx;
	struct bgp_attrs	 a;
	struct bgp_encode_ctx	 ectx;
	struct bgp_decode_ctx	 dctx;
	struct stream		 s;
	struct walk_count	 c;
	uint8_t			 aspath[16], comm[4];
	uint64_t		 t, best_enc = UINT64_MAX, best_dec = UINT64_MAX;
	uint32_t		 addr;
	size_t			 i;
	double			 pps;

	pfx = xcalloc(BENCH_PREFIXES, sizeof(*pfx));
	for (i = 0; i < BENCH_PREFIXES; i++) {
		/* 1.0.0.0/24 upwards: a million distinct /24s. */
		addr = 0x01000000u + ((uint32_t)i << 8);
		pfx[i].aid = BGP_AID_IPV4;
		pfx[i].len = 24;
		pfx[i].addr[0] = addr >> 24;
		pfx[i].addr[1] = (addr >> 16) & 0xff;
		pfx[i].addr[2] = (addr >> 8) & 0xff;
	}
	synthetic_attrs(&a, aspath, sizeof(aspath), comm, sizeof(comm));
	memset(&ectx, 0, sizeof(ectx));
	ectx.as4 = true;
	ectx.maxlen = BGP_MAX_MSG_LEN;
	memset(&dctx, 0, sizeof(dctx));
	dctx.as4 = true;
	dctx.ebgp = true;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < BENCH_RUNS; i++)
		if ((t = encode_stream(&s, &a, pfx, BENCH_PREFIXES,
		    &ectx)) < best_enc)
			best_enc = t;
	if (verify_stream(&s, pfx, BENCH_PREFIXES, &dctx) == -1) {
		warnx("synthetic stream does not decode to its prefixes");
		*status = 1;
	}
	for (i = 0; i < BENCH_RUNS; i++) {
		if ((t = decode_stream(&s, BGP_MAX_MSG_LEN, &dctx, &c)) <
		    best_dec)
			best_dec = t;
		if (c.errors != 0 || c.announced != BENCH_PREFIXES ||
		    c.updates != s.n_msgs || c.asns != 2 * s.n_msgs) {
			warnx("synthetic decode: %zu errors, %zu of %zu "
			    "UPDATEs, %zu of %d prefixes", c.errors,
			    c.updates, s.n_msgs, c.announced, BENCH_PREFIXES);
			*status = 1;
		}
	}

	pps = BENCH_PREFIXES / (best_dec / 1e9);
	printf("| decode %d IPv4 /24s: %zu UPDATEs (%.1f MB, maxlen 4096), "
	    "bgp_msg_decode + bgp_nlri_next | %.1f M prefixes/s, "
	    "%.0f k messages/s (%.1f ms) | - | - | >= %.0f M prefixes/s | %s |\n",
	    BENCH_PREFIXES, s.n_msgs, s.len / 1e6, pps / 1e6,
	    s.n_msgs / (best_dec / 1e9) / 1e3, best_dec / 1e6,
	    GOAL_DECODE_PPS / 1e6, met(pps >= GOAL_DECODE_PPS));
	printf("| encode %d IPv4 /24s, bgp_update_pack | %.1f M prefixes/s, "
	    "%zu messages (%.1f ms) | - | - | - | - |\n", BENCH_PREFIXES,
	    BENCH_PREFIXES / (best_enc / 1e9) / 1e6, s.n_msgs,
	    best_enc / 1e6);

	stream_free(&s);
	free(pfx);
}

/* Reads every BGP message of the MRT file into s; counts the records that
 * announce one but do not hold it whole. */
static int
table_load(const char *path, struct stream *s, size_t *skipped)
{
	struct td_mrt		 mrt;
	struct td_mrt_rec	 rec;
	uint8_t			*file;
	size_t			 filelen;
	int			 r;

	if ((file = td_load(path, TABLE_FILE_MAX, &filelen)) == NULL)
		return -1;
	if (td_mrt_open(&mrt, file, filelen) == -1) {
		free(file);
		return -1;
	}
	*skipped = 0;
	while ((r = td_mrt_next(&mrt, &rec)) == 1) {
		if (!rec.is_msg)
			continue;
		if (rec.malformed) {
			(*skipped)++;
			continue;
		}
		stream_reserve(s, rec.msglen);
		stream_mark(s);
		memcpy(s->data + s->len, rec.msg, rec.msglen);
		s->len += rec.msglen;
	}
	td_mrt_close(&mrt);
	free(file);
	return r == -1 ? -1 : 0;
}

static void
bench_table(int *status)
{
	struct bgp_decode_ctx	 dctx;
	struct stream		 s;
	struct walk_count	 c, first;
	char			 path[1024], why[256];
	uint64_t		 t, best = UINT64_MAX;
	size_t			 i, skipped;
	double			 ms;

	if (td_data_path(TABLE_FILE, path, sizeof(path), why,
	    sizeof(why)) == -1) {
		printf("| decode a full table (%s) | skipped: %s | - | - | < %.0f ms "
		    "| - |\n", TABLE_FILE, why, GOAL_TABLE_MS);
		return;
	}
	memset(&s, 0, sizeof(s));
	if (table_load(path, &s, &skipped) == -1) {
		warnx("%s: cannot read MRT records", path);
		*status = 1;
		stream_free(&s);
		return;
	}

	memset(&dctx, 0, sizeof(dctx));
	dctx.as4 = true;
	dctx.ebgp = true;
	for (i = 0; i < BENCH_RUNS; i++) {
		if ((t = decode_stream(&s, BGP_MAX_MSG_LEN, &dctx, &c)) < best)
			best = t;
		if (i == 0)
			first = c;
		else if (c.updates != first.updates ||
		    c.announced != first.announced || c.sum != first.sum) {
			warnx("table decode differs between runs");
			*status = 1;
		}
	}
	if (c.errors != 0) {
		warnx("table decode: %zu of %zu messages failed", c.errors,
		    s.n_msgs);
		*status = 1;
	}

	ms = best / 1e6;
	printf("| decode a full table: %zu messages (%.1f MB) of %s",
	    s.n_msgs, s.len / 1e6, TABLE_FILE);
	if (skipped > 0)
		printf(" (%zu malformed records skipped)",
		    skipped);
	printf(", as4, NLRI and AS paths walked | %.1f ms: %zu UPDATEs, "
	    "%zu prefixes announced, %zu withdrawn, %zu ASNs | - | - | < %.0f ms "
	    "| %s |\n", ms, c.updates, c.announced, c.withdrawn, c.asns,
	    GOAL_TABLE_MS, met(ms < GOAL_TABLE_MS));
	stream_free(&s);
}

int
main(void)
{
	int	 status = 0;

	printf("| benchmark | anycastd | peer | ratio | goal | met? |\n");
	printf("|---|---|---|---|---|---|\n");
	bench_synthetic(&status);
	bench_table(&status);
	return status;
}
