/*
 * BGP-4 wire protocol: RFC 4271 constants, the decoded forms of every
 * message, and the pure encoders/decoders in bgp_msg.c (framing, OPEN and
 * capabilities, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH, UPDATE framing and
 * packing) and bgp_attr.c (the path-attribute table and RFC 7606).
 *
 * Decoders never allocate except where the result needs it (an AS_PATH
 * rebuilt from AS4_PATH, see bgp_update_free), never read outside the given
 * buffer, and report failures as a struct bgp_err: the NOTIFICATION the
 * session must send. Decoded messages borrow from the buffer they were
 * decoded from ("views") and must not outlive it.
 */
#ifndef ANYCASTD_BGP_H
#define ANYCASTD_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"

#define BGP_PORT		179
#define BGP_VERSION		4
#define BGP_MARKER_LEN		16
#define BGP_HEADER_LEN		19
#define BGP_MAX_MSG_LEN		4096	/* RFC 4271 4.1 */
#define BGP_MAX_EXT_MSG_LEN	65535	/* RFC 8654 */
#define BGP_OPEN_MIN_LEN	29
#define BGP_UPDATE_MIN_LEN	23
#define BGP_NOTIFICATION_MIN_LEN 21
#define BGP_KEEPALIVE_LEN	19
#define BGP_ROUTE_REFRESH_LEN	23
#define BGP_AS_TRANS		23456	/* RFC 6793 */
#define BGP_HOLDTIME_LARGE	240	/* RFC 4271 8: OpenSent hold timer */

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,	/* RFC 2918 */
};

/* NOTIFICATION error codes and subcodes: RFC 4271 4.5, 6; RFC 4486;
 * RFC 5492; RFC 6608; RFC 7313; RFC 8538; RFC 9234; RFC 9384. */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_ROUTE_REFRESH = 7,
};
#define BGP_ERR_CODE_MAX	8

enum bgp_err_header {
	BGP_ERR_HDR_NOT_SYNC = 1,
	BGP_ERR_HDR_BAD_LEN = 2,
	BGP_ERR_HDR_BAD_TYPE = 3,
};

enum bgp_err_open {
	BGP_ERR_OPEN_UNSPECIFIC = 0,
	BGP_ERR_OPEN_BAD_VERSION = 1,
	BGP_ERR_OPEN_BAD_PEER_AS = 2,
	BGP_ERR_OPEN_BAD_BGP_ID = 3,
	BGP_ERR_OPEN_BAD_OPT_PARAM = 4,
	/* 5: Authentication Failure, deprecated by RFC 4271 */
	BGP_ERR_OPEN_BAD_HOLDTIME = 6,
	BGP_ERR_OPEN_BAD_CAPABILITY = 7,	/* RFC 5492 */
	BGP_ERR_OPEN_ROLE_MISMATCH = 11,	/* RFC 9234 */
};

enum bgp_err_update {
	BGP_ERR_UPD_MALFORMED_ATTR_LIST = 1,
	BGP_ERR_UPD_UNKNOWN_WELLKNOWN = 2,
	BGP_ERR_UPD_MISSING_WELLKNOWN = 3,
	BGP_ERR_UPD_ATTR_FLAGS = 4,
	BGP_ERR_UPD_ATTR_LEN = 5,
	BGP_ERR_UPD_BAD_ORIGIN = 6,
	/* 7: AS Routing Loop, deprecated */
	BGP_ERR_UPD_BAD_NEXTHOP = 8,
	BGP_ERR_UPD_OPTIONAL_ATTR = 9,
	BGP_ERR_UPD_BAD_NETWORK = 10,
	BGP_ERR_UPD_MALFORMED_ASPATH = 11,
};

enum bgp_err_fsm {				/* RFC 6608 */
	BGP_ERR_FSM_UNSPECIFIC = 0,
	BGP_ERR_FSM_OPENSENT = 1,
	BGP_ERR_FSM_OPENCONFIRM = 2,
	BGP_ERR_FSM_ESTABLISHED = 3,
};

enum bgp_err_cease {				/* RFC 4486, 8538, 9384 */
	BGP_ERR_CEASE_MAX_PREFIX = 1,
	BGP_ERR_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_ERR_CEASE_PEER_DECONFIGURED = 3,
	BGP_ERR_CEASE_ADMIN_RESET = 4,
	BGP_ERR_CEASE_CONN_REJECTED = 5,
	BGP_ERR_CEASE_CONFIG_CHANGE = 6,
	BGP_ERR_CEASE_COLLISION = 7,
	BGP_ERR_CEASE_OUT_OF_RESOURCES = 8,
	BGP_ERR_CEASE_HARD_RESET = 9,
	BGP_ERR_CEASE_BFD_DOWN = 10,
};

enum bgp_err_route_refresh {			/* RFC 7313 */
	BGP_ERR_RR_BAD_LEN = 1,
};

/* RFC 9003: at most 255 octets of UTF-8 after a length octet. */
#define BGP_SHUTDOWN_COMM_MAX	255

/*
 * What a decoder hands back on failure: the NOTIFICATION to send. data
 * points either into the message being decoded (the erroneous attribute, the
 * whole ROUTE-REFRESH) or into scratch (a length field, a version); it is
 * valid until that message buffer or this struct is reused.
 */
struct bgp_err {
	uint8_t		 code;
	uint8_t		 subcode;
	const uint8_t	*data;
	size_t		 datalen;
	uint8_t		 scratch[8];
};

/* Sets code/subcode, no data; returns -1 so decoders can `return bgp_err_set(...)`. */
int	 bgp_err_set(struct bgp_err *, uint8_t code, uint8_t subcode);
/* Same, with data copied into scratch (n <= sizeof(scratch)). */
int	 bgp_err_set_data(struct bgp_err *, uint8_t code, uint8_t subcode,
	    const void *, size_t n);
/* Same, with data borrowed from the message. */
int	 bgp_err_set_view(struct bgp_err *, uint8_t code, uint8_t subcode,
	    const void *, size_t n);
const char	*bgp_err_code_name(uint8_t code);
const char	*bgp_err_subcode_name(uint8_t code, uint8_t subcode);

/* Address families. An AID indexes per-family arrays. */
#define BGP_AFI_IPV4		1
#define BGP_AFI_IPV6		2
#define BGP_SAFI_UNICAST	1

enum bgp_aid {
	BGP_AID_IPV4 = 0,	/* IPv4 unicast */
	BGP_AID_IPV6 = 1,	/* IPv6 unicast */
	BGP_AID_MAX
};

/* Returns 0 and the AID for a supported AFI/SAFI, -1 otherwise. */
int		 bgp_aid_from_afi(uint16_t afi, uint8_t safi, enum bgp_aid *);
uint16_t	 bgp_aid_afi(enum bgp_aid);
uint8_t		 bgp_aid_safi(enum bgp_aid);
const char	*bgp_aid_name(enum bgp_aid);	/* "ipv4 unicast" */

struct bgp_prefix {
	uint8_t		aid;		/* enum bgp_aid */
	uint8_t		len;		/* prefix length in bits */
	uint32_t	path_id;	/* RFC 7911, 0 without ADD-PATH */
	uint8_t		addr[16];	/* network order, host bits zero */
};

/* Same family, length, path ID and address (padding ignored). */
static inline bool
bgp_prefix_equal(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->aid == b->aid && a->len == b->len &&
	    a->path_id == b->path_id &&
	    memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* ------------------------------------------------------------------ */
/* Message header (RFC 4271 4.1)                                        */

struct bgp_hdr {
	uint16_t	len;		/* whole message, header included */
	uint8_t		type;
};

/*
 * Checks the 19-octet header at the read position of b: marker all ones
 * (else 1/1), length within 19..maxlen and the type's own minimum/exact
 * length (else 1/2, data = the length field), known type (else 1/3, data =
 * the type). maxlen is 4096, or 65535 once extended messages are
 * negotiated (RFC 8654; OPEN and KEEPALIVE stay <= 4096). Consumes the
 * header on success. Does not need the body to be present.
 */
int	 bgp_msg_get_header(struct buf *b, size_t maxlen, struct bgp_hdr *,
	    struct bgp_err *);
/* Writes a header with a placeholder length; bgp_msg_finish() patches it.
 * Returns the offset of the message start for bgp_msg_finish(). */
size_t	 bgp_msg_put_header(struct buf *, enum bgp_msg_type);
/* Patches the length of the message started at off; -1 if the writer
 * overflowed or the message exceeds maxlen. */
int	 bgp_msg_finish(struct buf *, size_t off, size_t maxlen);

/* ------------------------------------------------------------------ */
/* OPEN and capabilities (RFC 4271 4.2, RFC 5492, RFC 9072)            */

enum bgp_capa_code {
	BGP_CAPA_MP = 1,		/* RFC 4760 */
	BGP_CAPA_ROUTE_REFRESH = 2,	/* RFC 2918 */
	BGP_CAPA_EXT_NEXTHOP = 5,	/* RFC 8950, kept opaque */
	BGP_CAPA_EXT_MESSAGE = 6,	/* RFC 8654 */
	BGP_CAPA_ROLE = 9,		/* RFC 9234 */
	BGP_CAPA_GRACEFUL_RESTART = 64,	/* RFC 4724 */
	BGP_CAPA_AS4 = 65,		/* RFC 6793 */
	BGP_CAPA_ADD_PATH = 69,		/* RFC 7911 */
	BGP_CAPA_ENHANCED_RR = 70,	/* RFC 7313 */
	BGP_CAPA_FQDN = 73,		/* draft-walton-bgp-hostname-capability */
};

enum bgp_role {				/* RFC 9234 */
	BGP_ROLE_PROVIDER = 0,
	BGP_ROLE_RS = 1,
	BGP_ROLE_RS_CLIENT = 2,
	BGP_ROLE_CUSTOMER = 3,
	BGP_ROLE_PEER = 4,
};

#define BGP_OPT_PARAM_CAPABILITIES	2	/* RFC 5492 */
#define BGP_OPT_PARAM_EXT_LEN		255	/* RFC 9072 */

#define BGP_ADDPATH_RECV	1
#define BGP_ADDPATH_SEND	2

#define BGP_CAPS_MAX_GR_AF	8
#define BGP_CAPS_MAX_ADDPATH	8
#define BGP_CAPS_UNKNOWN_MAX	1024

struct bgp_caps {
	bool		mp[BGP_AID_MAX];	/* multiprotocol, per family */
	bool		route_refresh;
	bool		enhanced_route_refresh;
	bool		ext_message;
	bool		as4;
	uint32_t	as4_asn;
	bool		role_present;
	uint8_t		role;			/* enum bgp_role */
	bool		fqdn;
	char		hostname[256];		/* NUL-terminated, as received */
	char		domainname[256];

	/* Decoded and kept, not negotiated by anycastd (yet). */
	bool		gr;
	uint8_t		gr_flags;		/* top 4 bits of the first word */
	uint16_t	gr_time;		/* 12 bits */
	uint8_t		gr_naf;
	struct {
		uint16_t afi;
		uint8_t	 safi;
		uint8_t	 flags;
	}		gr_af[BGP_CAPS_MAX_GR_AF];
	uint8_t		addpath_n;
	struct {
		uint16_t afi;
		uint8_t	 safi;
		uint8_t	 mode;			/* BGP_ADDPATH_* */
	}		addpath[BGP_CAPS_MAX_ADDPATH];

	/*
	 * Every capability not decoded above (and MP for other families), as
	 * the code/length/value triples received, concatenated; on encode
	 * they are emitted as given. unknown_truncated says some did not fit.
	 */
	uint8_t		unknown[BGP_CAPS_UNKNOWN_MAX];
	uint16_t	unknown_len;
	bool		unknown_truncated;
};

struct bgp_open {
	uint8_t		version;
	uint16_t	my_as;		/* AS_TRANS when the real ASN is > 65535 */
	uint16_t	holdtime;
	uint32_t	bgp_id;		/* host order */
	struct bgp_caps	caps;
};

/* The peer's AS: the 4-octet AS capability if present, else my_as. */
uint32_t bgp_open_peer_as(const struct bgp_open *);

/*
 * Decodes an OPEN body (the read position just past the header). Checks
 * what the message alone can tell (RFC 4271 6.2): version 4 (else 2/1 with
 * data = the highest version we support, 2 octets), hold time 1 or 2 (2/6),
 * BGP Identifier 0 (2/3, RFC 6286), optional parameter framing
 * including RFC 9072 extended lengths (2/0 or 1/2 for bad lengths), an
 * unknown optional parameter (2/4), malformed known capabilities (2/0).
 * Peer AS, collision and hold time policy are the session's job.
 */
int	 bgp_msg_get_open(struct buf *, struct bgp_open *, struct bgp_err *);
/* Writes a whole OPEN message; uses RFC 9072 extended parameters only when
 * the capabilities need more than 255 octets. */
int	 bgp_msg_put_open(struct buf *, const struct bgp_open *);

/* ------------------------------------------------------------------ */
/* NOTIFICATION, KEEPALIVE, ROUTE-REFRESH                               */

struct bgp_notification {
	uint8_t		 code;
	uint8_t		 subcode;
	const uint8_t	*data;		/* view into the message */
	size_t		 datalen;
	/* RFC 9003, Cease 2 and 4: the shutdown communication, if well
	 * formed (length octet fits, valid UTF-8), NUL-terminated. */
	bool		 has_shutdown_comm;
	char		 shutdown_comm[BGP_SHUTDOWN_COMM_MAX + 1];
};

int	 bgp_msg_get_notification(struct buf *, struct bgp_notification *,
	    struct bgp_err *);
/* Writes a whole NOTIFICATION; data may be NULL. Truncates data to what
 * fits in maxlen. */
int	 bgp_msg_put_notification(struct buf *, uint8_t code, uint8_t subcode,
	    const void *data, size_t datalen, size_t maxlen);
/* Cease with an RFC 9003 shutdown communication (truncated at a UTF-8
 * boundary to 255 octets). */
int	 bgp_msg_put_cease(struct buf *, uint8_t subcode, const char *comm);
int	 bgp_msg_put_keepalive(struct buf *);

enum bgp_rr_subtype {				/* RFC 7313 */
	BGP_RR_NORMAL = 0,
	BGP_RR_BORR = 1,
	BGP_RR_EORR = 2,
};

struct bgp_route_refresh {
	uint16_t	afi;
	uint8_t		subtype;	/* enum bgp_rr_subtype */
	uint8_t		safi;
};

/*
 * Decodes a ROUTE-REFRESH body. Wrong length: subtypes 1 and 2 give 7/1
 * with the whole message as data (RFC 7313 5); subtype 0 gives 1/2. The
 * caller ignores unknown subtypes and families it did not negotiate.
 * whole/wholelen is the complete message (for the 7/1 data).
 */
int	 bgp_msg_get_route_refresh(struct buf *, const uint8_t *whole,
	    size_t wholelen, struct bgp_route_refresh *, struct bgp_err *);
int	 bgp_msg_put_route_refresh(struct buf *, enum bgp_aid,
	    enum bgp_rr_subtype);

/* ------------------------------------------------------------------ */
/* Path attributes (RFC 4271 4.3, 5; bgp_attr.c)                        */

#define BGP_ATTR_FLAG_OPTIONAL		0x80
#define BGP_ATTR_FLAG_TRANSITIVE	0x40
#define BGP_ATTR_FLAG_PARTIAL		0x20
#define BGP_ATTR_FLAG_EXTLEN		0x10

enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,		/* RFC 1997 */
	BGP_ATTR_ORIGINATOR_ID = 9,		/* RFC 4456 */
	BGP_ATTR_CLUSTER_LIST = 10,		/* RFC 4456 */
	BGP_ATTR_MP_REACH_NLRI = 14,		/* RFC 4760 */
	BGP_ATTR_MP_UNREACH_NLRI = 15,		/* RFC 4760 */
	BGP_ATTR_EXT_COMMUNITIES = 16,		/* RFC 4360 */
	BGP_ATTR_AS4_PATH = 17,			/* RFC 6793 */
	BGP_ATTR_AS4_AGGREGATOR = 18,		/* RFC 6793 */
	BGP_ATTR_LARGE_COMMUNITIES = 32,	/* RFC 8092 */
	BGP_ATTR_OTC = 35,			/* RFC 9234 */
};

enum bgp_origin {
	BGP_ORIGIN_IGP = 0,
	BGP_ORIGIN_EGP = 1,
	BGP_ORIGIN_INCOMPLETE = 2,
};

#define BGP_ASPATH_SET		1
#define BGP_ASPATH_SEQUENCE	2
#define BGP_ASPATH_CONFED_SEQUENCE 3	/* RFC 5065 */
#define BGP_ASPATH_CONFED_SET	4

/* Well-known communities (RFC 1997, RFC 8326). */
#define BGP_COMMUNITY_GRACEFUL_SHUTDOWN	0xffff0000u
#define BGP_COMMUNITY_NO_EXPORT		0xffffff01u
#define BGP_COMMUNITY_NO_ADVERTISE	0xffffff02u

#define BGP_ATTRS_UNKNOWN_MAX	32

/*
 * A bounded run of bytes that is either a view into a received message or
 * caller-owned memory for encoding. len is checked against the attribute's
 * rule before a decoder fills it.
 */
struct bgp_bytes {
	const uint8_t	*data;
	size_t		 len;
};

struct bgp_attr_raw {
	uint8_t		 flags;
	uint8_t		 type;
	struct bgp_bytes value;
};

/*
 * A decoded attribute set. present is a bitmap of attribute type codes
 * (bgp_attrs_has). The AS path is always in 4-octet form: on a 2-octet
 * session the decoder widens it (and merges AS4_PATH, RFC 6793 4.2.3) into
 * memory the update owns.
 */
struct bgp_attrs {
	uint64_t	 present[4];
	uint8_t		 origin;
	struct bgp_bytes aspath;	/* 4-octet segments: type, count, ASNs */
	uint32_t	 nexthop;	/* NEXT_HOP, network order */
	uint32_t	 med;
	uint32_t	 local_pref;
	uint32_t	 aggregator_as;
	uint32_t	 aggregator_addr;	/* network order */
	struct bgp_bytes communities;	/* n * 4 */
	uint32_t	 originator_id;	/* network order */
	struct bgp_bytes cluster_list;	/* n * 4 */
	struct bgp_bytes ext_communities;	/* n * 8 */
	struct bgp_bytes large_communities;	/* n * 12 */
	uint32_t	 otc;

	/* MP_REACH_NLRI: family, next hops and the NLRI (a view, walked with
	 * bgp_nlri_next). nh_len is 4, 16 or 32 (global + link-local). */
	uint8_t		 mp_reach_aid;
	uint8_t		 mp_nexthop_len;
	uint8_t		 mp_nexthop[16];
	uint8_t		 mp_nexthop_ll[16];
	struct bgp_bytes mp_reach_nlri;
	/* MP_UNREACH_NLRI */
	uint8_t		 mp_unreach_aid;
	struct bgp_bytes mp_unreach_nlri;

	/* Unrecognised optional attributes, kept as received. */
	uint8_t		 n_unknown;
	bool		 unknown_truncated;
	struct bgp_attr_raw unknown[BGP_ATTRS_UNKNOWN_MAX];
};

static inline bool
bgp_attrs_has(const struct bgp_attrs *a, uint8_t type)
{
	return (a->present[type >> 6] >> (type & 63)) & 1;
}

static inline void
bgp_attrs_set(struct bgp_attrs *a, uint8_t type)
{
	a->present[type >> 6] |= (uint64_t)1 << (type & 63);
}

/* ------------------------------------------------------------------ */
/* UPDATE (RFC 4271 4.3, RFC 4760, RFC 7606)                            */

/* What the receiving session negotiated; decoding depends on it. */
struct bgp_decode_ctx {
	bool	as4;			/* both sides sent capability 65 */
	bool	ebgp;			/* RFC 7606 rules differ for iBGP */
	bool	addpath_recv[BGP_AID_MAX];	/* RFC 7911 path IDs in NLRI */
};

enum bgp_update_outcome {
	BGP_UPDATE_OK = 0,
	/* RFC 7606 2: every prefix in the UPDATE (NLRI and MP_REACH) is to
	 * be handled as withdrawn; withdrawals stay withdrawals. */
	BGP_UPDATE_TREAT_AS_WITHDRAW,
};

struct bgp_update {
	struct bgp_bytes withdrawn;	/* IPv4 withdrawn routes, validated */
	struct bgp_bytes nlri;		/* IPv4 NLRI, validated */
	struct bgp_attrs attrs;
	enum bgp_update_outcome outcome;
	/* Attributes dropped under RFC 7606 "attribute discard", a bitmap of
	 * type codes, for logging. */
	uint64_t	 discarded[4];
	/* The first error that caused treat-as-withdraw or a discard, for
	 * the log (code/subcode as RFC 4271 would have sent). */
	uint8_t		 err_subcode;
	uint8_t		 err_attr;
	/* End-of-RIB (RFC 4724 2): IPv4 is an empty UPDATE; others an
	 * UPDATE with only an empty MP_UNREACH_NLRI. */
	bool		 eor;
	uint8_t		 eor_aid;
	/* Owned memory for an AS path widened from 2-octet form. */
	uint8_t		*aspath_owned;
};

/*
 * Decodes an UPDATE body. Returns 0 with u->outcome set (OK or
 * TREAT_AS_WITHDRAW, and attribute discards recorded), or -1 with err set
 * when RFC 4271 6.3 / RFC 7606 require a session reset: withdrawn or
 * attribute lengths overrunning the message (3/1), MP_REACH/MP_UNREACH
 * malformed or repeated (3/9, 3/1), NLRI that cannot be parsed (3/10), an
 * unrecognised well-known attribute (3/2). Every NLRI view left in u has
 * been fully validated, so bgp_nlri_next() over it cannot fail.
 * Release with bgp_update_free() (frees only owned memory).
 */
int	 bgp_msg_get_update(struct buf *, const struct bgp_decode_ctx *,
	    struct bgp_update *, struct bgp_err *);
void	 bgp_update_free(struct bgp_update *);

/*
 * Walks NLRI encoded as RFC 4271 4.3 (prefix length, then the minimal
 * number of octets; with addpath a 4-octet path ID first). Returns 1 with
 * *p filled (host bits cleared), 0 at the end, -1 on a malformed entry.
 */
int	 bgp_nlri_next(struct buf *, enum bgp_aid, bool addpath,
	    struct bgp_prefix *);

/* Walks a 4-octet AS path (struct bgp_attrs.aspath): returns 1 per ASN with
 * its segment type, 0 at the end. */
struct bgp_aspath_iter {
	struct buf	b;
	uint8_t		seg_type;
	uint8_t		seg_left;
};
void	 bgp_aspath_iter_init(struct bgp_aspath_iter *, const struct bgp_attrs *);
int	 bgp_aspath_next(struct bgp_aspath_iter *, uint32_t *asn, uint8_t *seg_type);
/* RFC 4271 9.1.2.2 a: AS_SET counts 1, confederation segments 0. */
unsigned bgp_aspath_length(const struct bgp_attrs *);

/* What an encoding session negotiated. */
struct bgp_encode_ctx {
	bool	as4;			/* else AS_TRANS + AS4_PATH */
	bool	addpath_send[BGP_AID_MAX];
	size_t	maxlen;			/* 4096 or 65535 */
};

/*
 * Writes the path attributes of a (without MP_REACH/MP_UNREACH, which
 * bgp_update_pack adds) in type-code order, each with the right flags and
 * the extended-length bit when the value exceeds 255 octets. On a 2-octet
 * session an AS path with ASNs > 65535 becomes AS_TRANS plus AS4_PATH
 * (RFC 6793 4.2.2), and AGGREGATOR likewise with AS4_AGGREGATOR.
 */
int	 bgp_attrs_put(struct buf *, const struct bgp_attrs *,
	    const struct bgp_encode_ctx *);

/*
 * Packing for the sending side: writes one UPDATE carrying as many of
 * pfx[0..n) as fit in ctx->maxlen, all of one family and sharing the
 * attributes a (IPv4 as NLRI with NEXT_HOP from a->nexthop; IPv6 in
 * MP_REACH_NLRI with a->mp_nexthop[_ll]). Returns the number of prefixes
 * written (>= 1 when n >= 1), or -1 if the writer failed. Callers loop
 * until all are sent; the result is the fewest messages possible.
 */
int	 bgp_update_pack(struct buf *, const struct bgp_attrs *,
	    const struct bgp_prefix *pfx, size_t n,
	    const struct bgp_encode_ctx *);
/* The same for withdrawals (IPv4 withdrawn routes; IPv6 MP_UNREACH). */
int	 bgp_update_pack_withdraw(struct buf *, const struct bgp_prefix *pfx,
	    size_t n, const struct bgp_encode_ctx *);
/* End-of-RIB marker for a family (RFC 4724 2). */
int	 bgp_msg_put_eor(struct buf *, enum bgp_aid);

/* Encoded size of one prefix in NLRI form. */
size_t	 bgp_prefix_wire_len(const struct bgp_prefix *, bool addpath);

/* ------------------------------------------------------------------ */
/* Whole messages, for tests, fuzzing and MRT replay                   */

struct bgp_msg {
	struct bgp_hdr	hdr;
	union {
		struct bgp_open			open;
		struct bgp_update		update;
		struct bgp_notification		notification;
		struct bgp_route_refresh	route_refresh;
	};
};

/*
 * Decodes one complete message at the read position of b (header
 * included), consuming it. maxlen as for bgp_msg_get_header. A message
 * whose body is shorter than its header says gives 1/2. After success on
 * an UPDATE, call bgp_update_free(&m->update).
 */
int	 bgp_msg_decode(struct buf *, size_t maxlen,
	    const struct bgp_decode_ctx *, struct bgp_msg *, struct bgp_err *);

const char	*bgp_msg_type_name(uint8_t type);

#endif /* ANYCASTD_BGP_H */
