/*
 * Cross-check of the encoders against an independent decoder: messages
 * built with bgp_msg_put_open(), bgp_update_pack() and friends are wrapped
 * in Ethernet/IPv4/TCP frames of a BGP session, written to a pcap in a
 * temporary directory, and dissected by Wireshark's tshark. The fields
 * tshark reports must be the ones encoded, and tshark must find nothing
 * malformed and raise no expert warning or error.
 *
 * Skipped when tshark is not installed. Each message travels in its own
 * TCP segment, so a frame number names a message.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bgp.h"
#include "buf.h"
#include "util.h"

#define SPEAKER_IP	"192.0.2.10"
#define PEER_IP		"192.0.2.1"
#define SPEAKER_PORT	50179
#define SHUTDOWN_TEXT	"PoP drained for maintenance, back at 14:00 UTC"

/* Frames of the capture: three handshake segments, then one message
 * each, in this order. */
enum frame {
	FR_SYN = 1, FR_SYNACK, FR_ACK,
	FR_OPEN, FR_UPDATE4, FR_UPDATE6, FR_WITHDRAW4, FR_WITHDRAW6,
	FR_EOR4, FR_EOR6, FR_KEEPALIVE, FR_REFRESH, FR_CEASE,
	FR_MAX
};

/* tshark -T fields columns, in this order. */
static const char *const fields[] = {
	"frame.number",
	"ip.checksum.status",
	"tcp.checksum.status",
	"bgp.type",
	"bgp.open.myas",
	"bgp.open.holdtime",
	"bgp.open.identifier",
	"bgp.cap.type",
	"bgp.cap.4as",
	"bgp.cap.mp.afi",
	"bgp.cap.orf.fqdn.hostname",
	"bgp.cap.orf.fqdn.domain_name",
	"bgp.update.path_attribute.origin",
	"bgp.update.path_attribute.as_path_segment.as4",
	"bgp.update.path_attribute.next_hop",
	"bgp.update.path_attribute.multi_exit_disc",
	"bgp.update.path_attribute.community_as",
	"bgp.update.path_attribute.community_value",
	"bgp.large_communities.ga",
	"bgp.large_communities.ldp1",
	"bgp.large_communities.ldp2",
	"bgp.nlri_prefix",
	"bgp.withdrawn_prefix",
	"bgp.prefix_length",
	"bgp.mp_reach_nlri_ipv6_prefix",
	"bgp.mp_unreach_nlri_ipv6_prefix",
	"bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6",
	"bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local",
	"bgp.update.path_attribute.mp_unreach_nlri.afi",
	"bgp.notify.major_error",
	"bgp.notify.minor_error_cease",
	"bgp.notify.communication",
	"bgp.route_refresh.afi",
	"bgp.route_refresh.safi",
	"bgp.route_refresh.subtype",
	"_ws.malformed",
	"_ws.expert.severity",
	"_ws.expert.message",
};

enum col {
	C_FRAME, C_IPSUM, C_TCPSUM, C_TYPE, C_MYAS, C_HOLD, C_ID, C_CAPTYPE, C_CAP4AS, C_CAPMP,
	C_HOSTNAME, C_DOMAIN, C_ORIGIN, C_ASPATH, C_NEXTHOP, C_MED, C_COMM_AS,
	C_COMM_VAL, C_LC_GA, C_LC_1, C_LC_2, C_NLRI, C_WITHDRAWN, C_PFXLEN,
	C_MP6, C_MPW6, C_NH6, C_NH6LL, C_UNREACH_AFI, C_NOTIFY_MAJOR,
	C_NOTIFY_CEASE, C_COMMUNICATION, C_RR_AFI, C_RR_SAFI, C_RR_SUBTYPE,
	C_MALFORMED, C_SEVERITY, C_EXPERT_MSG,
	C_MAX
};

_Static_assert(nitems(fields) == C_MAX, "fields and enum col out of sync");

/* A message as bytes, and where the capture puts it. */
struct msgbuf {
	uint8_t	data[BGP_MAX_MSG_LEN];
	size_t	len;
};

static struct msgbuf	msgs[FR_MAX];
static char		rows[FR_MAX][C_MAX][512];

/* The temporary directory and its files, removed by the teardown even
 * when an assertion ends the test early. */
static char		tmpdir[PATH_MAX];
static char		pcap_path[PATH_MAX + 16];
static char		err_path[PATH_MAX + 16];

/* Copies what a writer produced into msgs[fr]. */
static void
keep(enum frame fr, struct buf *b)
{
	assert_false(buf_error(b));
	assert_true(buf_len(b) <= sizeof(msgs[fr].data));
	memcpy(msgs[fr].data, b->data, buf_len(b));
	msgs[fr].len = buf_len(b);
	buf_reset(b);
}

static void
pfx(struct bgp_prefix *p, enum bgp_aid aid, const char *addr, uint8_t len)
{
	memset(p, 0, sizeof(*p));
	p->aid = aid;
	p->len = len;
	assert_int_equal(inet_pton(aid == BGP_AID_IPV4 ? AF_INET : AF_INET6,
	    addr, p->addr), 1);
}

/* Builds every message with the codec's encoders. */
static void
build_messages(void)
{
	/* AS_PATH [65010 4200000001], one 4-octet AS_SEQUENCE. */
	static const uint8_t aspath[] = {
		BGP_ASPATH_SEQUENCE, 2,
		0x00, 0x00, 0xfd, 0xf2, 0xfa, 0x56, 0xea, 0x01,
	};
	static const uint8_t comms[] = { 0xfd, 0xe8, 0x00, 0x64 };
	static const uint8_t lcomms[] = {
		0x00, 0x00, 0xfd, 0xf2, 0, 0, 0, 1, 0, 0, 0, 1,
	};
	struct bgp_encode_ctx	 ectx = { .as4 = true,
	    .maxlen = BGP_MAX_MSG_LEN };
	struct bgp_open		 o;
	struct bgp_attrs	 a4, a6;
	struct bgp_prefix	 p4[2], p6;
	struct buf		*b;
	uint32_t		 nh;

	b = buf_new(BGP_MAX_MSG_LEN);

	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.my_as = BGP_AS_TRANS;
	o.holdtime = 90;
	o.bgp_id = 0xc000020a;		/* 192.0.2.10 */
	o.caps.mp[BGP_AID_IPV4] = true;
	o.caps.mp[BGP_AID_IPV6] = true;
	o.caps.route_refresh = true;
	o.caps.ext_message = true;
	o.caps.as4 = true;
	o.caps.as4_asn = 4200000001u;
	o.caps.role_present = true;
	o.caps.role = BGP_ROLE_CUSTOMER;
	o.caps.fqdn = true;
	strlcpy(o.caps.hostname, "pop1", sizeof(o.caps.hostname));
	strlcpy(o.caps.domainname, "example.net",
	    sizeof(o.caps.domainname));
	assert_int_equal(bgp_msg_put_open(b, &o), 0);
	keep(FR_OPEN, b);

	memset(&a4, 0, sizeof(a4));
	bgp_attrs_set(&a4, BGP_ATTR_ORIGIN);
	a4.origin = BGP_ORIGIN_IGP;
	bgp_attrs_set(&a4, BGP_ATTR_AS_PATH);
	a4.aspath.data = aspath;
	a4.aspath.len = sizeof(aspath);
	bgp_attrs_set(&a4, BGP_ATTR_NEXT_HOP);
	assert_int_equal(inet_pton(AF_INET, SPEAKER_IP, &nh), 1);
	a4.nexthop = nh;
	bgp_attrs_set(&a4, BGP_ATTR_MED);
	a4.med = 10;
	bgp_attrs_set(&a4, BGP_ATTR_COMMUNITIES);
	a4.communities.data = comms;
	a4.communities.len = sizeof(comms);
	bgp_attrs_set(&a4, BGP_ATTR_LARGE_COMMUNITIES);
	a4.large_communities.data = lcomms;
	a4.large_communities.len = sizeof(lcomms);
	pfx(&p4[0], BGP_AID_IPV4, "203.0.113.0", 24);
	pfx(&p4[1], BGP_AID_IPV4, "198.51.100.128", 25);
	assert_int_equal(bgp_update_pack(b, &a4, p4, 2, &ectx), 2);
	keep(FR_UPDATE4, b);

	memset(&a6, 0, sizeof(a6));
	bgp_attrs_set(&a6, BGP_ATTR_ORIGIN);
	a6.origin = BGP_ORIGIN_IGP;
	bgp_attrs_set(&a6, BGP_ATTR_AS_PATH);
	a6.aspath.data = aspath;
	a6.aspath.len = sizeof(aspath);
	a6.mp_nexthop_len = 32;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::10", a6.mp_nexthop),
	    1);
	assert_int_equal(inet_pton(AF_INET6, "fe80::10", a6.mp_nexthop_ll),
	    1);
	pfx(&p6, BGP_AID_IPV6, "2001:db8:ac::", 48);
	assert_int_equal(bgp_update_pack(b, &a6, &p6, 1, &ectx), 1);
	keep(FR_UPDATE6, b);

	assert_int_equal(bgp_update_pack_withdraw(b, p4, 1, &ectx), 1);
	keep(FR_WITHDRAW4, b);
	assert_int_equal(bgp_update_pack_withdraw(b, &p6, 1, &ectx), 1);
	keep(FR_WITHDRAW6, b);
	assert_int_equal(bgp_msg_put_eor(b, BGP_AID_IPV4), 0);
	keep(FR_EOR4, b);
	assert_int_equal(bgp_msg_put_eor(b, BGP_AID_IPV6), 0);
	keep(FR_EOR6, b);
	assert_int_equal(bgp_msg_put_keepalive(b), 0);
	keep(FR_KEEPALIVE, b);
	assert_int_equal(bgp_msg_put_route_refresh(b, BGP_AID_IPV6,
	    BGP_RR_NORMAL), 0);
	keep(FR_REFRESH, b);
	assert_int_equal(bgp_msg_put_cease(b, BGP_ERR_CEASE_ADMIN_SHUTDOWN,
	    SHUTDOWN_TEXT), 0);
	keep(FR_CEASE, b);
	buf_free(b);
}

/* ------------------------------------------------------------------ */
/* pcap writing                                                         */

static void
put_le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    v >> 24 };

	assert_int_equal(fwrite(b, 1, 4, f), 4);
}

static void
put_le16(FILE *f, uint16_t v)
{
	uint8_t b[2] = { v & 0xff, v >> 8 };

	assert_int_equal(fwrite(b, 1, 2, f), 2);
}

/* RFC 1071 one's-complement sum over a run of octets. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#define TCP_FIN	0x01
#define TCP_SYN	0x02
#define TCP_PSH	0x08
#define TCP_ACK	0x10

/* Writes one Ethernet/IPv4/TCP frame with correct checksums. */
static void
put_frame(FILE *f, uint32_t ts, bool to_peer, uint32_t seq, uint32_t ack,
    uint8_t flags, const uint8_t *data, size_t len)
{
	static uint16_t	 ipid = 1;
	uint8_t		 frame[14 + 20 + 20 + BGP_MAX_MSG_LEN];
	struct buf	 w;
	struct in_addr	 src, dst;
	uint32_t	 sum;
	size_t		 iplen = 20 + 20 + len;
	uint16_t	 c;

	assert_int_equal(inet_pton(AF_INET, to_peer ? SPEAKER_IP : PEER_IP,
	    &src), 1);
	assert_int_equal(inet_pton(AF_INET, to_peer ? PEER_IP : SPEAKER_IP,
	    &dst), 1);
	buf_init(&w, frame, sizeof(frame));
	/* Ethernet: locally administered addresses, IPv4. */
	buf_put(&w, to_peer ? "\x02\0\0\0\0\x01" : "\x02\0\0\0\0\x0a", 6);
	buf_put(&w, to_peer ? "\x02\0\0\0\0\x0a" : "\x02\0\0\0\0\x01", 6);
	buf_put_u16(&w, 0x0800);
	/* IPv4, DF, TTL 255 (RFC 5082 GTSM), TCP. */
	buf_put_u8(&w, 0x45);
	buf_put_u8(&w, 0xc0);			/* CS6, network control */
	buf_put_u16(&w, (uint16_t)iplen);
	buf_put_u16(&w, ipid++);
	buf_put_u16(&w, 0x4000);
	buf_put_u8(&w, 255);
	buf_put_u8(&w, 6);
	buf_put_u16(&w, 0);
	buf_put(&w, &src, 4);
	buf_put(&w, &dst, 4);
	/* TCP */
	buf_put_u16(&w, to_peer ? SPEAKER_PORT : BGP_PORT);
	buf_put_u16(&w, to_peer ? BGP_PORT : SPEAKER_PORT);
	buf_put_u32(&w, seq);
	buf_put_u32(&w, ack);
	buf_put_u8(&w, 5 << 4);
	buf_put_u8(&w, flags);
	buf_put_u16(&w, 65535);
	buf_put_u16(&w, 0);
	buf_put_u16(&w, 0);
	buf_put(&w, data, len);
	assert_false(buf_error(&w));

	c = csum_fold(csum_add(0, frame + 14, 20));
	frame[14 + 10] = c >> 8;
	frame[14 + 11] = c & 0xff;
	/* The TCP pseudo-header: addresses, protocol, TCP length. */
	sum = csum_add(0, frame + 14 + 12, 8);
	sum += 6 + (uint32_t)(20 + len);
	sum = csum_add(sum, frame + 34, 20 + len);
	c = csum_fold(sum);
	frame[34 + 16] = c >> 8;
	frame[34 + 17] = c & 0xff;

	put_le32(f, ts);
	put_le32(f, 0);
	put_le32(f, (uint32_t)buf_len(&w));
	put_le32(f, (uint32_t)buf_len(&w));
	assert_int_equal(fwrite(frame, 1, buf_len(&w), f), buf_len(&w));
}

static void
write_pcap(const char *path)
{
	FILE		*f;
	uint32_t	 iss = 1000000, irs = 2000000, seq, ts = 1700000000;
	int		 fr;

	assert_non_null(f = fopen(path, "wb"));
	put_le32(f, 0xa1b2c3d4);	/* microseconds, written little-endian */
	put_le16(f, 2);
	put_le16(f, 4);
	put_le32(f, 0);
	put_le32(f, 0);
	put_le32(f, 65535);
	put_le32(f, 1);			/* Ethernet */

	put_frame(f, ts, true, iss, 0, TCP_SYN, NULL, 0);
	put_frame(f, ts, false, irs, iss + 1, TCP_SYN | TCP_ACK, NULL, 0);
	put_frame(f, ts, true, iss + 1, irs + 1, TCP_ACK, NULL, 0);
	seq = iss + 1;
	for (fr = FR_OPEN; fr < FR_MAX; fr++) {
		assert_true(msgs[fr].len >= BGP_HEADER_LEN);
		put_frame(f, ++ts, true, seq, irs + 1, TCP_PSH | TCP_ACK,
		    msgs[fr].data, msgs[fr].len);
		seq += (uint32_t)msgs[fr].len;
	}
	assert_int_equal(fclose(f), 0);
}

/* ------------------------------------------------------------------ */
/* Running tshark                                                       */

/* tshark from $TSHARK, else the first in $PATH; NULL if none. */
static const char *
find_tshark(char *out, size_t len)
{
	const char	*env, *path;
	char		*copy, *dir, *save = NULL;
	const char	*found = NULL;

	if ((env = getenv("TSHARK")) != NULL && *env != '\0')
		return access(env, X_OK) == 0 ? env : NULL;
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/bin:/bin";
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/tshark", *dir ? dir : ".");
		if (access(out, X_OK) == 0) {
			found = out;
			break;
		}
	}
	free(copy);
	return found;
}

/* Single-quotes s for sh -c. */
static void
shell_quote(char *out, size_t len, const char *s)
{
	size_t o = 0;

	assert_true(len > 2);
	out[o++] = '\'';
	for (; *s != '\0'; s++) {
		assert_true(o + 5 < len);
		if (*s == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else
			out[o++] = *s;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

/* Runs tshark over the capture and fills rows[frame][column]. */
static void
run_tshark(const char *tshark, const char *pcap, const char *errfile)
{
	char	 cmd[8192], qt[PATH_MAX * 2], qp[PATH_MAX * 2], qe[PATH_MAX * 2];
	char	 line[C_MAX * 600], *p, *tab;
	size_t	 i, n;
	long	 fr;
	FILE	*f;
	int	 status, col;

	shell_quote(qt, sizeof(qt), tshark);
	shell_quote(qp, sizeof(qp), pcap);
	shell_quote(qe, sizeof(qe), errfile);
	/* -n: no name resolution; checksums verified; one line per
	 * frame, repeated fields joined with ','. */
	n = (size_t)snprintf(cmd, sizeof(cmd), "%s -n -r %s "
	    "-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -T fields "
	    "-E separator=/t -E occurrence=a -E aggregator=, -E quote=n",
	    qt, qp);
	for (i = 0; i < C_MAX; i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " -e %s",
		    fields[i]);
	n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " 2>%s", qe);
	assert_true(n < sizeof(cmd));

	memset(rows, 0, sizeof(rows));
	assert_non_null(f = popen(cmd, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		fr = strtol(line, NULL, 10);
		assert_true(fr >= FR_SYN && fr < FR_MAX);
		for (p = line, col = 0; col < C_MAX && p != NULL; col++) {
			tab = strchr(p, '\t');
			if (tab != NULL)
				*tab = '\0';
			strlcpy(rows[fr][col], p, sizeof(rows[fr][col]));
			p = tab != NULL ? tab + 1 : NULL;
		}
	}
	status = pclose(f);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char	 msg[512] = "";
		FILE	*ef;
		size_t	 got = 0;

		if ((ef = fopen(errfile, "r")) != NULL) {
			got = fread(msg, 1, sizeof(msg) - 1, ef);
			fclose(ef);
		}
		msg[got] = '\0';
		fail_msg("tshark failed (status %d): %s", status, msg);
	}
}

#define FIELD_EQ(fr, col, want) do {					\
	if (strcmp(rows[fr][col], (want)) != 0)				\
		fail_msg("frame %d %s: tshark says \"%s\", want \"%s\"", \
		    (int)(fr), fields[col], rows[fr][col], (want));	\
} while (0)

/* Whether the ','-separated list has item. */
static bool
list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	while (*list != '\0') {
		if (strncmp(list, item, n) == 0 &&
		    (list[n] == ',' || list[n] == '\0'))
			return true;
		list += strcspn(list, ",");
		if (*list == ',')
			list++;
	}
	return false;
}

/* Wireshark's expert severities (epan/proto.h); notes and chats, such
 * as "connection establish request (SYN)", are fine. */
#define PI_WARN		0x00600000u

static unsigned long
max_severity(const char *list)
{
	unsigned long	 max = 0, v;
	char		*end;

	while (*list != '\0') {
		v = strtoul(list, &end, 10);
		if (end == list)
			return ULONG_MAX;	/* not a number: be loud */
		if (v > max)
			max = v;
		list = *end == ',' ? end + 1 : end;
	}
	return max;
}

static void
check_fields(void)
{
	char	want[64];
	int	fr;

	for (fr = FR_SYN; fr < FR_MAX; fr++) {
		/* tshark dissected every frame, and only its own. */
		FIELD_EQ(fr, C_FRAME, (snprintf(want, sizeof(want), "%d", fr),
		    want));
		/* 1: checksum good (the IP and TCP checksums we wrote) */
		FIELD_EQ(fr, C_IPSUM, "1");
		FIELD_EQ(fr, C_TCPSUM, "1");
		if (rows[fr][C_MALFORMED][0] != '\0' ||
		    max_severity(rows[fr][C_SEVERITY]) >= PI_WARN)
			fail_msg("frame %d: tshark reports \"%s\" "
			    "(severity %s, malformed \"%s\")", fr,
			    rows[fr][C_EXPERT_MSG], rows[fr][C_SEVERITY],
			    rows[fr][C_MALFORMED]);
	}
	for (fr = FR_SYN; fr <= FR_ACK; fr++)
		FIELD_EQ(fr, C_TYPE, "");

	FIELD_EQ(FR_OPEN, C_TYPE, "1");
	FIELD_EQ(FR_OPEN, C_MYAS, "23456");
	FIELD_EQ(FR_OPEN, C_HOLD, "90");
	FIELD_EQ(FR_OPEN, C_ID, SPEAKER_IP);
	FIELD_EQ(FR_OPEN, C_CAP4AS, "4200000001");
	FIELD_EQ(FR_OPEN, C_CAPMP, "1,2");
	FIELD_EQ(FR_OPEN, C_HOSTNAME, "pop1");
	FIELD_EQ(FR_OPEN, C_DOMAIN, "example.net");
	/* MP, route refresh, extended message, role, AS4, FQDN. */
	assert_true(list_has(rows[FR_OPEN][C_CAPTYPE], "1"));
	assert_true(list_has(rows[FR_OPEN][C_CAPTYPE], "2"));
	assert_true(list_has(rows[FR_OPEN][C_CAPTYPE], "6"));
	assert_true(list_has(rows[FR_OPEN][C_CAPTYPE], "9"));
	assert_true(list_has(rows[FR_OPEN][C_CAPTYPE], "65"));
	assert_true(list_has(rows[FR_OPEN][C_CAPTYPE], "73"));

	FIELD_EQ(FR_UPDATE4, C_TYPE, "2");
	FIELD_EQ(FR_UPDATE4, C_ORIGIN, "0");
	FIELD_EQ(FR_UPDATE4, C_ASPATH, "65010,4200000001");
	FIELD_EQ(FR_UPDATE4, C_NEXTHOP, SPEAKER_IP);
	FIELD_EQ(FR_UPDATE4, C_MED, "10");
	FIELD_EQ(FR_UPDATE4, C_COMM_AS, "65000");
	FIELD_EQ(FR_UPDATE4, C_COMM_VAL, "100");
	FIELD_EQ(FR_UPDATE4, C_LC_GA, "65010");
	FIELD_EQ(FR_UPDATE4, C_LC_1, "1");
	FIELD_EQ(FR_UPDATE4, C_LC_2, "1");
	FIELD_EQ(FR_UPDATE4, C_NLRI, "203.0.113.0,198.51.100.128");
	FIELD_EQ(FR_UPDATE4, C_PFXLEN, "24,25");
	FIELD_EQ(FR_UPDATE4, C_WITHDRAWN, "");

	FIELD_EQ(FR_UPDATE6, C_TYPE, "2");
	FIELD_EQ(FR_UPDATE6, C_ASPATH, "65010,4200000001");
	FIELD_EQ(FR_UPDATE6, C_NEXTHOP, "");
	FIELD_EQ(FR_UPDATE6, C_NH6, "2001:db8::10");
	FIELD_EQ(FR_UPDATE6, C_NH6LL, "fe80::10");
	FIELD_EQ(FR_UPDATE6, C_MP6, "2001:db8:ac::");
	FIELD_EQ(FR_UPDATE6, C_PFXLEN, "48");
	FIELD_EQ(FR_UPDATE6, C_NLRI, "");

	FIELD_EQ(FR_WITHDRAW4, C_WITHDRAWN, "203.0.113.0");
	FIELD_EQ(FR_WITHDRAW4, C_PFXLEN, "24");
	FIELD_EQ(FR_WITHDRAW4, C_NLRI, "");
	FIELD_EQ(FR_WITHDRAW4, C_ASPATH, "");
	FIELD_EQ(FR_WITHDRAW6, C_MPW6, "2001:db8:ac::");
	FIELD_EQ(FR_WITHDRAW6, C_UNREACH_AFI, "2");
	FIELD_EQ(FR_WITHDRAW6, C_PFXLEN, "48");

	/* End-of-RIB: an empty UPDATE, and one with an empty
	 * MP_UNREACH_NLRI for IPv6 (RFC 4724 2). */
	FIELD_EQ(FR_EOR4, C_TYPE, "2");
	FIELD_EQ(FR_EOR4, C_WITHDRAWN, "");
	FIELD_EQ(FR_EOR4, C_NLRI, "");
	FIELD_EQ(FR_EOR4, C_UNREACH_AFI, "");
	FIELD_EQ(FR_EOR6, C_TYPE, "2");
	FIELD_EQ(FR_EOR6, C_UNREACH_AFI, "2");
	FIELD_EQ(FR_EOR6, C_MPW6, "");

	FIELD_EQ(FR_KEEPALIVE, C_TYPE, "4");
	FIELD_EQ(FR_REFRESH, C_TYPE, "5");
	FIELD_EQ(FR_REFRESH, C_RR_AFI, "2");
	FIELD_EQ(FR_REFRESH, C_RR_SAFI, "1");
	FIELD_EQ(FR_REFRESH, C_RR_SUBTYPE, "0");

	FIELD_EQ(FR_CEASE, C_TYPE, "3");
	FIELD_EQ(FR_CEASE, C_NOTIFY_MAJOR, "6");
	FIELD_EQ(FR_CEASE, C_NOTIFY_CEASE, "2");
	FIELD_EQ(FR_CEASE, C_COMMUNICATION, SHUTDOWN_TEXT);
}

/* Our own decoder agrees with what was written, so a disagreement with
 * tshark points at the encoder or at tshark, not at a decode quirk. */
static void
check_roundtrip(void)
{
	struct bgp_decode_ctx	ctx = { .as4 = true, .ebgp = true };
	struct bgp_msg		m;
	struct bgp_err		err;
	struct buf		b;
	int			fr;

	for (fr = FR_OPEN; fr < FR_MAX; fr++) {
		buf_view(&b, msgs[fr].data, msgs[fr].len);
		if (bgp_msg_decode(&b, BGP_MAX_MSG_LEN, &ctx, &m, &err) == -1)
			fail_msg("frame %d: own decode fails %u/%u", fr,
			    err.code, err.subcode);
		if (m.hdr.type == BGP_MSG_UPDATE) {
			assert_int_equal(m.update.outcome, BGP_UPDATE_OK);
			assert_int_equal(m.update.eor,
			    fr == FR_EOR4 || fr == FR_EOR6);
			bgp_update_free(&m.update);
		}
		if (fr == FR_CEASE) {
			assert_true(m.notification.has_shutdown_comm);
			assert_string_equal(m.notification.shutdown_comm,
			    SHUTDOWN_TEXT);
		}
	}
}

static void
test_tshark_agrees(void **state)
{
	char		 tshark[PATH_MAX];
	const char	*tmp, *ts;

	(void)state;
	if ((ts = find_tshark(tshark, sizeof(tshark))) == NULL) {
		print_message("skipped: tshark not found\n");
		skip();
	}
	build_messages();
	check_roundtrip();

	if ((tmp = getenv("TEST_TMPDIR")) == NULL || *tmp == '\0')
		tmp = getenv("TMPDIR");
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s/tshark.XXXXXX",
	    tmp) >= sizeof(tmpdir))
		fail_msg("temporary directory path too long");
	if (mkdtemp(tmpdir) == NULL)
		fail_msg("mkdtemp %s: %s", tmpdir, strerror(errno));
	snprintf(pcap_path, sizeof(pcap_path), "%s/bgp.pcap", tmpdir);
	snprintf(err_path, sizeof(err_path), "%s/tshark.err", tmpdir);

	write_pcap(pcap_path);
	run_tshark(ts, pcap_path, err_path);
	check_fields();
}

static int
teardown(void **state)
{
	(void)state;
	if (tmpdir[0] == '\0')
		return 0;
	if ((unlink(pcap_path) == -1 && errno != ENOENT) ||
	    (unlink(err_path) == -1 && errno != ENOENT) ||
	    rmdir(tmpdir) == -1)
		return -1;
	tmpdir[0] = '\0';
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tshark_agrees, teardown),
	};
	char path[PATH_MAX];

	if (find_tshark(path, sizeof(path)) == NULL) {
		printf("tshark not found: no cross-check\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
