/*
 * Readers for captures, MRT dumps and hex vectors (see testdata.h). They
 * only frame bytes; decoding is the codec's job. Every length taken from a
 * file is checked against what is left before it is used, and all field
 * access goes through struct buf views.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "buf.h"
#include "util.h"
#include "testdata.h"

/* pcap link-layer header types (tcpdump.org/linktypes.html). */
#define LINKTYPE_NULL		0
#define LINKTYPE_ETHERNET	1
#define LINKTYPE_PPP		9
#define LINKTYPE_RAW_BSD1	12
#define LINKTYPE_RAW_BSD2	14
#define LINKTYPE_PPP_HDLC	50
#define LINKTYPE_RAW		101
#define LINKTYPE_LOOP		108
#define LINKTYPE_LINUX_SLL	113
#define LINKTYPE_JUNIPER_ETHER	178
#define LINKTYPE_IPV4		228
#define LINKTYPE_IPV6		229
#define LINKTYPE_LINUX_SLL2	276

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88a8
#define ETHERTYPE_QINQ_OLD	0x9100

#define BGP_HDR_LEN		19
#define BGP_MARKER_OCTETS	16

/* A file that unpacks to more than this is not test material. */
#define TD_ARENA_MAX		((size_t)512 << 20)

const char *
td_data_dir(void)
{
	const char *d;

	d = getenv("ANYCASTD_DATA");
	if (d == NULL || *d == '\0')
		return NULL;
	return d;
}

int
td_data_path(const char *rel, char *out, size_t outlen, char *why,
    size_t whylen)
{
	const char	*dir;
	int		 n;

	if ((dir = td_data_dir()) == NULL) {
		snprintf(why, whylen, "ANYCASTD_DATA is not set");
		return -1;
	}
	n = snprintf(out, outlen, "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= outlen) {
		snprintf(why, whylen, "path too long: %s/%s", dir, rel);
		return -1;
	}
	if (access(out, R_OK) == -1) {
		snprintf(why, whylen, "%s: %s", out, strerror(errno));
		return -1;
	}
	return 0;
}

uint8_t *
td_load(const char *path, size_t max, size_t *lenp)
{
	gzFile	 f;
	uint8_t	*data = NULL;
	size_t	 len = 0, cap = 0, want;
	int	 n, zerr;

	if ((f = gzopen(path, "rb")) == NULL)
		return NULL;
	gzbuffer(f, 128 * 1024);
	for (;;) {
		if (len == cap) {
			/* Room for one octet past max tells an oversized
			 * file from one of exactly max octets. */
			if (cap > max)
				goto fail;
			cap = cap == 0 ? 65536 : cap * 2;
			if (cap > max + 1)
				cap = max + 1;
			data = xrealloc(data, cap);
		}
		want = cap - len < (1u << 20) ? cap - len : (1u << 20);
		if ((n = gzread(f, data + len, (unsigned)want)) < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max)
		goto fail;
	/* A truncated gzip stream ends in Z_BUF_ERROR, not an error from
	 * gzread: partial test data must not pass for whole. */
	(void)gzerror(f, &zerr);
	if (zerr != Z_OK)
		goto fail;
	gzclose(f);
	if (data == NULL)
		data = xmalloc(1);
	*lenp = len;
	return data;
fail:
	gzclose(f);
	free(data);
	return NULL;
}

int
td_lines_open(struct td_lines *l, const char *path)
{
	memset(l, 0, sizeof(*l));
	if ((l->f = gzopen(path, "rb")) == NULL)
		return -1;
	gzbuffer(l->f, 256 * 1024);
	l->cap = 1024;
	l->line = xmalloc(l->cap);
	return 0;
}

int
td_lines_next(struct td_lines *l, const char **line, size_t *lenp)
{
	size_t	len = 0;
	int	zerr;

	for (;;) {
		if (gzgets(l->f, l->line + len, (int)(l->cap - len)) == NULL) {
			/* Z_BUF_ERROR here is a truncated gzip stream. */
			(void)gzerror(l->f, &zerr);
			if (zerr != Z_OK || !gzeof(l->f))
				return -1;
			if (len == 0)
				return 0;
			break;
		}
		len += strlen(l->line + len);
		if (len > 0 && l->line[len - 1] == '\n') {
			l->line[--len] = '\0';
			break;
		}
		if (gzeof(l->f))
			break;
		/* A line longer than the buffer: grow and read on. */
		if (l->cap > (1u << 24))
			return -1;
		l->cap *= 2;
		l->line = xrealloc(l->line, l->cap);
	}
	if (len > 0 && l->line[len - 1] == '\r')
		l->line[--len] = '\0';
	l->lineno++;
	*line = l->line;
	*lenp = len;
	return 1;
}

void
td_lines_close(struct td_lines *l)
{
	if (l->f != NULL)
		gzclose(l->f);
	free(l->line);
	memset(l, 0, sizeof(*l));
}

int
td_memline_next(const uint8_t *data, size_t len, size_t *off,
    const char **line, size_t *linelen)
{
	const uint8_t	*nl;
	size_t		 start = *off, n;

	if (start >= len)
		return 0;
	nl = memchr(data + start, '\n', len - start);
	n = nl != NULL ? (size_t)(nl - (data + start)) : len - start;
	*off = start + n + (nl != NULL ? 1 : 0);
	if (n > 0 && data[start + n - 1] == '\r')
		n--;
	*line = (const char *)data + start;
	*linelen = n;
	return 1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
td_hex_decode(const char *s, size_t slen, uint8_t *out, size_t outmax)
{
	size_t	i, n = 0;
	int	hi = -1, v;

	for (i = 0; i < slen; i++) {
		if (s[i] == ':' || isspace((unsigned char)s[i]))
			continue;
		if ((v = hexval((unsigned char)s[i])) == -1)
			return -1;
		if (hi == -1) {
			hi = v;
			continue;
		}
		if (n >= outmax)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi != -1)
		return -1;
	return (long)n;
}

/* ------------------------------------------------------------------ */
/* pcap and pcapng                                                      */

#define PCAP_MAGIC_US		0xa1b2c3d4u
#define PCAP_MAGIC_NS		0xa1b23c4du
#define PCAPNG_SHB		0x0a0d0d0au
#define PCAPNG_BOM		0x1a2b3c4du
#define PCAPNG_IDB		1u
#define PCAPNG_OPB		2u	/* obsolete Packet Block */
#define PCAPNG_SPB		3u
#define PCAPNG_EPB		6u

static uint32_t
swap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) |
	    (v << 24);
}

static uint16_t
swap16(uint16_t v)
{
	return (uint16_t)(v >> 8 | v << 8);
}

/* Reads a file-order u32: struct buf reads network order, so a file in
 * the other byte order is swapped. */
static int
get32(struct buf *b, bool swap, uint32_t *v)
{
	if (buf_get_u32(b, v) == -1)
		return -1;
	if (swap)
		*v = swap32(*v);
	return 0;
}

static int
get16(struct buf *b, bool swap, uint16_t *v)
{
	if (buf_get_u16(b, v) == -1)
		return -1;
	if (swap)
		*v = swap16(*v);
	return 0;
}

int
td_pcap_open(struct td_pcap *pc, const uint8_t *data, size_t len)
{
	struct buf	b;
	uint32_t	magic, linktype;

	memset(pc, 0, sizeof(*pc));
	pc->data = data;
	pc->len = len;
	buf_view(&b, data, len);
	if (buf_get_u32(&b, &magic) == -1)
		return -1;
	if (magic == PCAPNG_SHB) {
		/* td_pcap_next reads the SHB itself: sections can repeat. */
		pc->ng = true;
		return 0;
	}
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS)
		pc->swap = false;
	else if (swap32(magic) == PCAP_MAGIC_US ||
	    swap32(magic) == PCAP_MAGIC_NS)
		pc->swap = true;
	else
		return -1;
	/* version (4), thiszone, sigfigs, snaplen, then the link type */
	if (buf_skip(&b, 16) == -1 || get32(&b, pc->swap, &linktype) == -1)
		return -1;
	/* The top bits can carry FCS information; the type is 16 bits. */
	pc->linktype = linktype & 0xffff;
	pc->off = 24;
	return 0;
}

static int
pcap_next_classic(struct td_pcap *pc, struct td_packet *p)
{
	struct buf	b, rec;
	uint32_t	incl, orig;

	buf_view(&b, pc->data, pc->len);
	if (buf_skip(&b, pc->off) == -1)
		return -1;
	if (buf_left(&b) == 0)
		return 0;
	if (buf_skip(&b, 8) == -1 || get32(&b, pc->swap, &incl) == -1 ||
	    get32(&b, pc->swap, &orig) == -1 ||
	    buf_get_sub(&b, incl, &rec) == -1)
		return -1;
	pc->off = b.rpos;
	p->data = rec.data;
	p->caplen = rec.len;
	p->origlen = orig;
	p->linktype = pc->linktype;
	p->index = pc->index++;
	return 1;
}

/* Reads the Section Header Block at b's position; sets the byte order. */
static int
pcapng_shb(struct td_pcap *pc, struct buf *blk)
{
	uint32_t bom;

	if (buf_get_u32(blk, &bom) == -1)
		return -1;
	if (bom == PCAPNG_BOM)
		pc->swap = false;
	else if (swap32(bom) == PCAPNG_BOM)
		pc->swap = true;
	else
		return -1;
	pc->n_if = 0;		/* interface ids are per section */
	return 0;
}

static int
pcap_next_ng(struct td_pcap *pc, struct td_packet *p)
{
	struct buf	b, blk, pkt;
	uint32_t	type, total, ifid, caplen, origlen, bom;
	uint16_t	linktype, ifid16;

	for (;;) {
		buf_view(&b, pc->data, pc->len);
		if (buf_skip(&b, pc->off) == -1)
			return -1;
		if (buf_left(&b) == 0)
			return 0;
		if (buf_get_u32(&b, &type) == -1)
			return -1;
		if (type == PCAPNG_SHB) {
			/* The length is in the byte order the BOM gives. */
			struct buf peek = b;

			if (buf_skip(&peek, 4) == -1 ||
			    buf_get_u32(&peek, &bom) == -1)
				return -1;
			if (bom == PCAPNG_BOM)
				pc->swap = false;
			else if (swap32(bom) == PCAPNG_BOM)
				pc->swap = true;
			else
				return -1;
		} else if (pc->swap)
			type = swap32(type);
		if (get32(&b, pc->swap, &total) == -1)
			return -1;
		/* total counts type, both lengths and a 4-aligned body */
		if (total < 12 || total % 4 != 0 ||
		    buf_get_sub(&b, total - 8, &blk) == -1)
			return -1;
		blk.len -= 4;	/* the trailing copy of total */
		pc->off = b.rpos;

		switch (type) {
		case PCAPNG_SHB:
			if (pcapng_shb(pc, &blk) == -1)
				return -1;
			continue;
		case PCAPNG_IDB:
			if (get16(&blk, pc->swap, &linktype) == -1)
				return -1;
			if (pc->n_if < TD_PCAP_MAX_IF)
				pc->if_linktype[pc->n_if] = linktype;
			pc->n_if++;
			continue;
		case PCAPNG_EPB:
			if (get32(&blk, pc->swap, &ifid) == -1 ||
			    buf_skip(&blk, 8) == -1 ||
			    get32(&blk, pc->swap, &caplen) == -1 ||
			    get32(&blk, pc->swap, &origlen) == -1 ||
			    buf_get_sub(&blk, caplen, &pkt) == -1)
				return -1;
			break;
		case PCAPNG_OPB:
			if (get16(&blk, pc->swap, &ifid16) == -1 ||
			    buf_skip(&blk, 2 + 8) == -1 ||
			    get32(&blk, pc->swap, &caplen) == -1 ||
			    get32(&blk, pc->swap, &origlen) == -1 ||
			    buf_get_sub(&blk, caplen, &pkt) == -1)
				return -1;
			ifid = ifid16;
			break;
		case PCAPNG_SPB:
			/* No captured length: it is what the block holds. */
			ifid = 0;
			if (get32(&blk, pc->swap, &origlen) == -1)
				return -1;
			caplen = origlen < buf_left(&blk) ? origlen :
			    (uint32_t)buf_left(&blk);
			if (buf_get_sub(&blk, caplen, &pkt) == -1)
				return -1;
			break;
		default:
			continue;	/* statistics, name resolution, ... */
		}
		if (ifid >= pc->n_if || ifid >= TD_PCAP_MAX_IF)
			return -1;
		p->data = pkt.data;
		p->caplen = pkt.len;
		p->origlen = origlen;
		p->linktype = pc->if_linktype[ifid];
		p->index = pc->index++;
		return 1;
	}
}

int
td_pcap_next(struct td_pcap *pc, struct td_packet *p)
{
	return pc->ng ? pcap_next_ng(pc, p) : pcap_next_classic(pc, p);
}

/* Moves b past the link-layer header; *ethertype says what follows (or 0
 * when the network layer is known from its version nibble). */
static int
link_strip(const struct td_packet *p, struct buf *b, uint16_t *ethertype)
{
	uint32_t	af;
	uint16_t	et;
	uint8_t		flags, c0, c1;

	*ethertype = 0;
	switch (p->linktype) {
	case LINKTYPE_ETHERNET:
		if (buf_skip(b, 12) == -1 || buf_get_u16(b, &et) == -1)
			return -1;
		while (et == ETHERTYPE_VLAN || et == ETHERTYPE_QINQ ||
		    et == ETHERTYPE_QINQ_OLD)
			if (buf_skip(b, 2) == -1 || buf_get_u16(b, &et) == -1)
				return -1;
		*ethertype = et;
		return 0;
	case LINKTYPE_NULL:
	case LINKTYPE_LOOP:
		/* AF_ value in the capturing host's order (NULL) or network
		 * order (LOOP): 2 is IPv4, 24/28/30 are BSD IPv6 values. */
		if (buf_get_u32(b, &af) == -1)
			return -1;
		if (p->linktype == LINKTYPE_NULL && af > 0xffff)
			af = swap32(af);
		if (af == 2)
			*ethertype = ETHERTYPE_IPV4;
		else if (af == 24 || af == 28 || af == 30 || af == 10)
			*ethertype = ETHERTYPE_IPV6;
		else
			*ethertype = 0xffff;
		return 0;
	case LINKTYPE_RAW:
	case LINKTYPE_RAW_BSD1:
	case LINKTYPE_RAW_BSD2:
		return 0;
	case LINKTYPE_IPV4:
		*ethertype = ETHERTYPE_IPV4;
		return 0;
	case LINKTYPE_IPV6:
		*ethertype = ETHERTYPE_IPV6;
		return 0;
	case LINKTYPE_LINUX_SLL:
		if (buf_skip(b, 14) == -1 || buf_get_u16(b, ethertype) == -1)
			return -1;
		return 0;
	case LINKTYPE_LINUX_SLL2:
		if (buf_get_u16(b, ethertype) == -1 || buf_skip(b, 18) == -1)
			return -1;
		return 0;
	case LINKTYPE_PPP:
	case LINKTYPE_PPP_HDLC:
		if (buf_left(b) < 2)
			return -1;
		c0 = buf_ptr(b)[0];
		c1 = buf_ptr(b)[1];
		if (c0 == 0xff && c1 == 0x03 && buf_skip(b, 2) == -1)
			return -1;
		if (buf_get_u16(b, &et) == -1)
			return -1;
		if (et == 0x0021)
			*ethertype = ETHERTYPE_IPV4;
		else if (et == 0x0057)
			*ethertype = ETHERTYPE_IPV6;
		else
			*ethertype = 0xffff;
		return 0;
	case LINKTYPE_JUNIPER_ETHER:
		/* "MGC", flags; 0x80 announces TLV extensions behind a
		 * 2-octet length; 0x02 set means no L2 header follows. */
		if (buf_skip(b, 3) == -1 || buf_get_u8(b, &flags) == -1)
			return -1;
		if (flags & 0x80) {
			if (buf_get_u16(b, &et) == -1 ||
			    buf_skip(b, et) == -1)
				return -1;
		}
		if (flags & 0x02) {
			*ethertype = 0xffff;
			return 0;
		}
		if (buf_skip(b, 12) == -1 || buf_get_u16(b, &et) == -1)
			return -1;
		*ethertype = et;
		return 0;
	default:
		*ethertype = 0xffff;
		return 0;
	}
}

int
td_packet_tcp(const struct td_packet *p, struct td_tcp *t)
{
	struct buf	b, ip, tcp;
	uint16_t	ethertype, totlen, frag, plen, u16;
	uint8_t		vhl, proto, nh, hlen, offx2, flags;
	size_t		ihl, doff;

	memset(t, 0, sizeof(*t));
	buf_view(&b, p->data, p->caplen);
	if (link_strip(p, &b, &ethertype) == -1)
		return -1;
	if (ethertype == 0) {
		if (buf_left(&b) < 1)
			return -1;
		ethertype = (buf_ptr(&b)[0] >> 4) == 4 ? ETHERTYPE_IPV4 :
		    (buf_ptr(&b)[0] >> 4) == 6 ? ETHERTYPE_IPV6 : 0xffff;
	}

	if (ethertype == ETHERTYPE_IPV4) {
		ip = b;
		if (buf_get_u8(&ip, &vhl) == -1 || (vhl >> 4) != 4)
			return -1;
		ihl = (size_t)(vhl & 0x0f) * 4;
		if (ihl < 20 || buf_skip(&ip, 1) == -1 ||
		    buf_get_u16(&ip, &totlen) == -1 ||
		    buf_skip(&ip, 2) == -1 || buf_get_u16(&ip, &frag) == -1 ||
		    buf_skip(&ip, 1) == -1 || buf_get_u8(&ip, &proto) == -1 ||
		    buf_skip(&ip, 2) == -1 || buf_get(&ip, t->src, 4) == -1 ||
		    buf_get(&ip, t->dst, 4) == -1)
			return -1;
		if (totlen < ihl)
			return -1;
		/* Fragments are not reassembled; a first fragment still
		 * starts a TCP segment, whose missing tail is a gap. */
		if ((frag & 0x1fff) != 0)
			return 0;
		if (proto != 6)
			return 0;
		/* The IP length bounds the payload (Ethernet padding); the
		 * capture may hold less than the IP length. */
		if (buf_left(&b) > totlen)
			b.len = b.rpos + totlen;
		if (buf_skip(&b, ihl) == -1)
			return -1;
		t->af = 4;
	} else if (ethertype == ETHERTYPE_IPV6) {
		ip = b;
		if (buf_get_u8(&ip, &vhl) == -1 || (vhl >> 4) != 6 ||
		    buf_skip(&ip, 3) == -1 || buf_get_u16(&ip, &plen) == -1 ||
		    buf_get_u8(&ip, &nh) == -1 || buf_skip(&ip, 1) == -1 ||
		    buf_get(&ip, t->src, 16) == -1 ||
		    buf_get(&ip, t->dst, 16) == -1)
			return -1;
		if (plen != 0 && buf_left(&ip) > plen)
			ip.len = ip.rpos + plen;
		for (;;) {
			if (nh == 0 || nh == 43 || nh == 60) {
				if (buf_get_u8(&ip, &proto) == -1 ||
				    buf_get_u8(&ip, &hlen) == -1 ||
				    buf_skip(&ip, (size_t)hlen * 8 + 6) == -1)
					return -1;
				nh = proto;
			} else if (nh == 44) {
				if (buf_get_u8(&ip, &proto) == -1 ||
				    buf_skip(&ip, 1) == -1 ||
				    buf_get_u16(&ip, &u16) == -1 ||
				    buf_skip(&ip, 4) == -1)
					return -1;
				if ((u16 & 0xfff8) != 0)
					return 0;	/* later fragment */
				nh = proto;
			} else
				break;
		}
		if (nh != 6)
			return 0;
		b = ip;
		t->af = 6;
	} else
		return 0;

	tcp = b;
	if (buf_get_u16(&tcp, &t->sport) == -1 ||
	    buf_get_u16(&tcp, &t->dport) == -1 ||
	    buf_get_u32(&tcp, &t->seq) == -1 || buf_skip(&tcp, 4) == -1 ||
	    buf_get_u8(&tcp, &offx2) == -1 || buf_get_u8(&tcp, &flags) == -1)
		return -1;
	doff = (size_t)(offx2 >> 4) * 4;
	if (doff < 20 || buf_skip(&b, doff) == -1)
		return -1;
	t->flags = flags;
	t->payload = buf_ptr(&b);
	t->len = buf_left(&b);
	return 1;
}

/* ------------------------------------------------------------------ */
/* TCP reassembly into BGP messages                                     */

#define TD_TCP_ACK	0x10

struct seg {
	size_t		 half;
	int64_t		 key;		/* sequence, relative */
	uint32_t	 start;		/* first payload octet */
	const uint8_t	*data;
	size_t		 len;
	size_t		 pkt;
};

struct reasm {
	struct td_bgp_capture	*cap;
	struct seg		*segs;
	size_t			 n_segs;
	uint32_t		*ref;		/* per half: first start seen */
	size_t			*carried;	/* per half: payload so far */
	size_t			 ref_cap;
	size_t			 halves_cap;
	size_t			 msgs_cap;
	size_t			 arena_cap;
	size_t			*msg_off;	/* arena offsets until the end */
};

static bool
half_match(const struct td_half *h, const struct td_tcp *t, bool rev)
{
	size_t alen = t->af == 4 ? 4 : 16;

	if (h->af != t->af)
		return false;
	if (!rev)
		return h->sport == t->sport && h->dport == t->dport &&
		    memcmp(h->src, t->src, alen) == 0 &&
		    memcmp(h->dst, t->dst, alen) == 0;
	return h->sport == t->dport && h->dport == t->sport &&
	    memcmp(h->src, t->dst, alen) == 0 &&
	    memcmp(h->dst, t->src, alen) == 0;
}

/* The latest half matching t (or its reverse); SIZE_MAX if none. */
static size_t
half_find(const struct td_bgp_capture *c, const struct td_tcp *t, bool rev)
{
	size_t i;

	for (i = c->n_halves; i > 0; i--)
		if (half_match(&c->halves[i - 1], t, rev))
			return i - 1;
	return SIZE_MAX;
}

static size_t
half_new(struct reasm *r, const struct td_tcp *t)
{
	struct td_bgp_capture	*c = r->cap;
	struct td_half		*h;
	size_t			 i, rv;

	if (c->n_halves == r->halves_cap) {
		r->halves_cap = r->halves_cap ? r->halves_cap * 2 : 8;
		c->halves = xreallocarray(c->halves, r->halves_cap,
		    sizeof(*c->halves));
		r->ref = xreallocarray(r->ref, r->halves_cap,
		    sizeof(*r->ref));
		r->carried = xreallocarray(r->carried, r->halves_cap,
		    sizeof(*r->carried));
	}
	i = c->n_halves++;
	h = &c->halves[i];
	memset(h, 0, sizeof(*h));
	h->af = t->af;
	memcpy(h->src, t->src, sizeof(h->src));
	memcpy(h->dst, t->dst, sizeof(h->dst));
	h->sport = t->sport;
	h->dport = t->dport;
	h->reverse = SIZE_MAX;
	r->ref[i] = t->seq + ((t->flags & TD_TCP_SYN) ? 1 : 0);
	r->carried[i] = 0;

	/*
	 * Pair the two directions of a connection. A bare SYN opens a new
	 * connection whose other side appears with the SYN-ACK; a half seen
	 * without SYN joins the latest reverse half that is still alone.
	 */
	if ((t->flags & (TD_TCP_SYN | TD_TCP_ACK)) == TD_TCP_SYN)
		return i;
	rv = half_find(c, t, true);
	if (rv != SIZE_MAX && (t->flags & TD_TCP_SYN ||
	    c->halves[rv].reverse == SIZE_MAX)) {
		h->reverse = rv;
		c->halves[rv].reverse = i;
	}
	return i;
}

static int
seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	if (x->half != y->half)
		return x->half < y->half ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->pkt != y->pkt)
		return x->pkt < y->pkt ? -1 : 1;
	return 0;
}

static void
emit(struct reasm *r, size_t half, const uint8_t *data, size_t len,
    bool truncated, size_t pkt)
{
	struct td_bgp_capture	*c = r->cap;
	struct td_bgp_msg	*m;

	if (c->n_msgs == r->msgs_cap) {
		r->msgs_cap = r->msgs_cap ? r->msgs_cap * 2 : 64;
		c->msgs = xreallocarray(c->msgs, r->msgs_cap,
		    sizeof(*c->msgs));
		r->msg_off = xreallocarray(r->msg_off, r->msgs_cap,
		    sizeof(*r->msg_off));
	}
	while (r->arena_cap - c->arena_len < len) {
		r->arena_cap = r->arena_cap ? r->arena_cap * 2 : 65536;
		c->arena = xrealloc(c->arena, r->arena_cap);
	}
	memcpy(c->arena + c->arena_len, data, len);
	r->msg_off[c->n_msgs] = c->arena_len;
	c->arena_len += len;
	m = &c->msgs[c->n_msgs++];
	m->data = NULL;
	m->len = len;
	m->truncated = truncated;
	m->half = half;
	m->pkt = pkt;
}

static bool
marker_ok(const uint8_t *p)
{
	size_t i;

	for (i = 0; i < BGP_MARKER_OCTETS; i++)
		if (p[i] != 0xff)
			return false;
	return true;
}

/*
 * Moves *pos to the next marker (16 octets of 0xff) in p[*pos..len), as
 * tcpdump does after a bad header, so the rest of a fuzzed stream still
 * reaches the decoder. Returns -1 when none is there yet, keeping the
 * last octets that could start one.
 */
static int
resync(const uint8_t *p, size_t len, size_t *pos)
{
	size_t i, run = 0;

	for (i = *pos; i < len; i++) {
		run = p[i] == 0xff ? run + 1 : 0;
		if (run == BGP_MARKER_OCTETS) {
			*pos = i + 1 - BGP_MARKER_OCTETS;
			return 0;
		}
	}
	*pos = len - run;
	return -1;
}

/* Reassembles one half's sorted segments [lo, hi) and cuts messages. */
static void
half_walk(struct reasm *r, size_t half, size_t lo, size_t hi)
{
	struct td_half	*h = &r->cap->halves[half];
	uint8_t		*pend = NULL;
	size_t		 plen = 0, pcap = 0, pos = 0, i, skip, mlen;
	size_t		 lastpkt = 0;
	int64_t		 next = 0;
	bool		 started = false, desync = false;
	const struct seg *s;

	for (i = lo; i < hi; i++) {
		s = &r->segs[i];
		if (s->len == 0)
			continue;
		if (started && s->key + (int64_t)s->len <= next)
			continue;		/* retransmission */
		if (!started || s->key > next) {
			if (started) {
				h->gaps++;
				if (plen - pos > 0 && !desync)
					emit(r, half, pend + pos, plen - pos,
					    true, lastpkt);
			}
			plen = pos = 0;
			desync = false;
			next = s->key;
			started = true;
		}
		skip = (size_t)(next - s->key);	/* overlap already held */
		lastpkt = s->pkt;
		h->bytes += s->len - skip;
		next = s->key + (int64_t)s->len;
		if (pos > 0 && pos == plen)
			plen = pos = 0;
		while (pcap - plen < s->len - skip) {
			pcap = pcap ? pcap * 2 : 8192;
			pend = xrealloc(pend, pcap);
		}
		memcpy(pend + plen, s->data + skip, s->len - skip);
		plen += s->len - skip;

		for (;;) {
			if (desync && resync(pend, plen, &pos) == -1)
				break;
			desync = false;
			if (plen - pos < BGP_HDR_LEN)
				break;
			mlen = (size_t)pend[pos + 16] << 8 | pend[pos + 17];
			if (mlen < BGP_HDR_LEN || !marker_ok(pend + pos)) {
				emit(r, half, pend + pos, BGP_HDR_LEN, false,
				    s->pkt);
				h->desyncs++;
				desync = true;
				pos++;
				continue;
			}
			if (plen - pos < mlen)
				break;
			emit(r, half, pend + pos, mlen, false, s->pkt);
			pos += mlen;
		}
		if (pos > 0 && pos < plen && pos > pcap / 2) {
			memmove(pend, pend + pos, plen - pos);
			plen -= pos;
			pos = 0;
		}
	}
	if (started && !desync && plen - pos > 0)
		emit(r, half, pend + pos, plen - pos, true, lastpkt);
	free(pend);
}

/* Packet order; within a packet, arena order, which is emission order. */
static int
msg_cmp(const void *a, const void *b)
{
	const struct td_bgp_msg *x = a, *y = b;

	if (x->pkt != y->pkt)
		return x->pkt < y->pkt ? -1 : 1;
	if (x->data != y->data)
		return x->data < y->data ? -1 : 1;
	return 0;
}

int
td_pcap_bgp(const uint8_t *file, size_t len, uint16_t port,
    struct td_bgp_capture *c)
{
	struct reasm		 r;
	struct td_pcap		 pc;
	struct td_packet	 p;
	struct td_tcp		 t;
	size_t			 segs_cap = 0, h, i, lo;
	int			 rv;

	memset(c, 0, sizeof(*c));
	memset(&r, 0, sizeof(r));
	r.cap = c;
	if (td_pcap_open(&pc, file, len) == -1)
		return -1;
	while ((rv = td_pcap_next(&pc, &p)) == 1) {
		c->n_packets++;
		if (td_packet_tcp(&p, &t) != 1)
			continue;
		if (t.sport != port && t.dport != port)
			continue;
		c->n_segments++;
		h = half_find(c, &t, false);
		/* A SYN on a 4-tuple that already carried data is a new
		 * connection with a new initial sequence number. */
		if (h == SIZE_MAX || ((t.flags & TD_TCP_SYN) &&
		    r.carried[h] > 0))
			h = half_new(&r, &t);
		if (t.len == 0)
			continue;
		if (r.n_segs == segs_cap) {
			segs_cap = segs_cap ? segs_cap * 2 : 64;
			r.segs = xreallocarray(r.segs, segs_cap,
			    sizeof(*r.segs));
		}
		r.carried[h] += t.len;
		r.segs[r.n_segs].half = h;
		r.segs[r.n_segs].start = t.seq +
		    ((t.flags & TD_TCP_SYN) ? 1 : 0);
		r.segs[r.n_segs].data = t.payload;
		r.segs[r.n_segs].len = t.len;
		r.segs[r.n_segs].pkt = p.index;
		r.n_segs++;
	}
	/* A read error after some packets keeps what was read: fuzzed
	 * captures end in junk. */
	if (rv == -1 && c->n_packets == 0) {
		free(r.segs);
		free(r.ref);
		free(r.carried);
		td_bgp_capture_free(c);
		return -1;
	}

	/* Sequence numbers wrap: order them relative to the first seen. */
	for (i = 0; i < r.n_segs; i++)
		r.segs[i].key = (int64_t)(int32_t)(r.segs[i].start -
		    r.ref[r.segs[i].half]);
	if (r.n_segs > 0)
		qsort(r.segs, r.n_segs, sizeof(*r.segs), seg_cmp);
	for (lo = 0; lo < r.n_segs; lo = i) {
		for (i = lo; i < r.n_segs && r.segs[i].half == r.segs[lo].half;
		    i++)
			;
		half_walk(&r, r.segs[lo].half, lo, i);
	}

	/* Arena offsets become pointers once the arena stops moving. */
	for (i = 0; i < c->n_msgs; i++)
		c->msgs[i].data = c->arena + r.msg_off[i];
	if (c->n_msgs > 0)
		qsort(c->msgs, c->n_msgs, sizeof(*c->msgs), msg_cmp);
	free(r.msg_off);
	free(r.segs);
	free(r.ref);
	free(r.carried);
	return 0;
}

void
td_bgp_capture_free(struct td_bgp_capture *c)
{
	free(c->msgs);
	free(c->halves);
	free(c->arena);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------------ */
/* MRT                                                                  */

/* Deprecated MRT type 5 subtypes (RFC 6396 appendix B.2.1). */
#define MRT_BGP_UPDATE		1
#define MRT_BGP_OPEN		5
#define MRT_BGP_NOTIFY		6
#define MRT_BGP_KEEPALIVE	7

int
td_mrt_open(struct td_mrt *m, const uint8_t *data, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->data = data;
	m->len = len;
	m->scratch = xmalloc(TD_MRT_MSG_MAX);
	return 0;
}

void
td_mrt_close(struct td_mrt *m)
{
	free(m->scratch);
	memset(m, 0, sizeof(*m));
}

static void
mrt_bgp4mp(struct td_mrt_rec *r)
{
	struct buf	b;
	uint16_t	as16, ifindex, afi;
	size_t		alen;

	switch (r->subtype) {
	case TD_BGP4MP_MESSAGE:
	case TD_BGP4MP_MESSAGE_LOCAL:
	case TD_BGP4MP_MESSAGE_ADDPATH:
	case TD_BGP4MP_MESSAGE_LOCAL_ADDPATH:
		r->as4 = false;
		break;
	case TD_BGP4MP_MESSAGE_AS4:
	case TD_BGP4MP_MESSAGE_AS4_LOCAL:
	case TD_BGP4MP_MESSAGE_AS4_ADDPATH:
	case TD_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH:
		r->as4 = true;
		break;
	default:
		return;		/* state changes, table entries */
	}
	r->is_msg = true;
	r->addpath = r->subtype >= TD_BGP4MP_MESSAGE_ADDPATH;
	r->local = r->subtype == TD_BGP4MP_MESSAGE_LOCAL ||
	    r->subtype == TD_BGP4MP_MESSAGE_AS4_LOCAL ||
	    r->subtype == TD_BGP4MP_MESSAGE_LOCAL_ADDPATH ||
	    r->subtype == TD_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;

	buf_view(&b, r->body, r->bodylen);
	if (r->as4) {
		if (buf_get_u32(&b, &r->peer_as) == -1 ||
		    buf_get_u32(&b, &r->local_as) == -1)
			goto bad;
	} else {
		if (buf_get_u16(&b, &as16) == -1)
			goto bad;
		r->peer_as = as16;
		if (buf_get_u16(&b, &as16) == -1)
			goto bad;
		r->local_as = as16;
	}
	if (buf_get_u16(&b, &ifindex) == -1 || buf_get_u16(&b, &afi) == -1)
		goto bad;
	if (afi == 1) {
		r->af = 4;
		alen = 4;
	} else if (afi == 2) {
		r->af = 6;
		alen = 16;
	} else
		goto bad;
	if (buf_get(&b, r->peer_ip, alen) == -1 ||
	    buf_get(&b, r->local_ip, alen) == -1)
		goto bad;
	r->msg = buf_ptr(&b);
	r->msglen = buf_left(&b);
	return;
bad:
	r->malformed = true;
}

/* Type 5 records carry the message without its header: rebuild one so
 * every source feeds the decoder the same way. */
static void
mrt_bgp_legacy(struct td_mrt *m, struct td_mrt_rec *r)
{
	struct buf	b;
	uint16_t	as16;
	uint8_t		type;
	size_t		n;

	switch (r->subtype) {
	case MRT_BGP_UPDATE:
		type = 2;
		break;
	case MRT_BGP_OPEN:
		type = 1;
		break;
	case MRT_BGP_NOTIFY:
		type = 3;
		break;
	case MRT_BGP_KEEPALIVE:
		type = 4;
		break;
	default:
		return;
	}
	r->is_msg = true;
	r->as4 = false;
	r->af = 4;
	buf_view(&b, r->body, r->bodylen);
	if (buf_get_u16(&b, &as16) == -1 ||
	    buf_get(&b, r->peer_ip, 4) == -1)
		goto bad;
	r->peer_as = as16;
	if (buf_get_u16(&b, &as16) == -1 ||
	    buf_get(&b, r->local_ip, 4) == -1)
		goto bad;
	r->local_as = as16;
	n = buf_left(&b);
	if (n > TD_MRT_MSG_MAX - BGP_HDR_LEN)
		goto bad;
	memset(m->scratch, 0xff, BGP_MARKER_OCTETS);
	m->scratch[16] = (uint8_t)((n + BGP_HDR_LEN) >> 8);
	m->scratch[17] = (uint8_t)((n + BGP_HDR_LEN) & 0xff);
	m->scratch[18] = type;
	if (n > 0)
		memcpy(m->scratch + BGP_HDR_LEN, buf_ptr(&b), n);
	r->msg = m->scratch;
	r->msglen = n + BGP_HDR_LEN;
	return;
bad:
	r->malformed = true;
}

int
td_mrt_next(struct td_mrt *m, struct td_mrt_rec *r)
{
	struct buf	b, body;
	uint32_t	reclen;

	memset(r, 0, sizeof(*r));
	buf_view(&b, m->data, m->len);
	if (buf_skip(&b, m->off) == -1)
		return -1;
	if (buf_left(&b) == 0)
		return 0;
	if (buf_get_u32(&b, &r->ts) == -1 || buf_get_u16(&b, &r->type) == -1 ||
	    buf_get_u16(&b, &r->subtype) == -1 ||
	    buf_get_u32(&b, &reclen) == -1 ||
	    buf_get_sub(&b, reclen, &body) == -1)
		return -1;
	m->off = b.rpos;
	m->nrec++;
	/* RFC 6396 3: the ET length includes the microsecond field. */
	if (r->type == TD_MRT_BGP4MP_ET &&
	    buf_get_u32(&body, &r->usec) == -1) {
		r->malformed = true;
		return 1;
	}
	r->body = buf_ptr(&body);
	r->bodylen = buf_left(&body);
	if (r->type == TD_MRT_BGP4MP || r->type == TD_MRT_BGP4MP_ET)
		mrt_bgp4mp(r);
	else if (r->type == TD_MRT_BGP)
		mrt_bgp_legacy(m, r);
	return 1;
}
