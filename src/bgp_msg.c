/*
 * BGP message framing and every message except UPDATE: the 19-octet
 * header (RFC 4271 4.1), OPEN with its optional parameters and
 * capabilities (RFC 4271 4.2, RFC 5492, RFC 9072), NOTIFICATION with the
 * RFC 9003 shutdown communication, KEEPALIVE and ROUTE-REFRESH (RFC 2918,
 * RFC 7313); the NOTIFICATION code and subcode names; the address family
 * helpers; and bgp_msg_decode(), which frames one message and hands an
 * UPDATE body to bgp_msg_get_update() in bgp_update.c.
 *
 * Everything here is pure: decoders read only through struct buf, keep
 * views into the message they were given, and report a failure as the
 * NOTIFICATION the session must send. Checks that need configuration or
 * session state (peer AS, hold time policy, collisions, required
 * capabilities) belong to the session, not here. Nothing here logs.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bgp.h"
#include "buf.h"
#include "util.h"

static const uint8_t	bgp_marker[BGP_MARKER_LEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* ------------------------------------------------------------------ */
/* Errors                                                               */

/* Records a NOTIFICATION without data; -1 so decoders can return it. */
int
bgp_err_set(struct bgp_err *err, uint8_t code, uint8_t subcode)
{
	err->code = code;
	err->subcode = subcode;
	err->data = NULL;
	err->datalen = 0;
	return -1;
}

/* Same, copying up to sizeof(scratch) octets of data into err. */
int
bgp_err_set_data(struct bgp_err *err, uint8_t code, uint8_t subcode,
    const void *data, size_t n)
{
	bgp_err_set(err, code, subcode);
	if (data == NULL || n == 0)
		return -1;
	if (n > sizeof(err->scratch))
		n = sizeof(err->scratch);
	memcpy(err->scratch, data, n);
	err->data = err->scratch;
	err->datalen = n;
	return -1;
}

/* Same, borrowing data from the message; valid while that lives. */
int
bgp_err_set_view(struct bgp_err *err, uint8_t code, uint8_t subcode,
    const void *data, size_t n)
{
	bgp_err_set(err, code, subcode);
	if (data == NULL || n == 0)
		return -1;
	err->data = data;
	err->datalen = n;
	return -1;
}

/* An error whose data is a 2-octet value in network order: a message
 * length (RFC 4271 6.1) or a version number (RFC 4271 6.2). */
static int
err_u16(struct bgp_err *err, uint8_t code, uint8_t subcode, size_t v)
{
	uint8_t	 d[2];

	if (v > UINT16_MAX)
		v = UINT16_MAX;
	d[0] = v >> 8;
	d[1] = v & 0xff;
	return bgp_err_set_data(err, code, subcode, d, sizeof(d));
}

static int
err_bad_len(struct bgp_err *err, size_t msglen)
{
	return err_u16(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_LEN, msglen);
}

static int
err_open_malformed(struct bgp_err *err)
{
	/* RFC 4271 6.2: a recognised parameter that is malformed. */
	return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPECIFIC);
}

static const char *const err_code_names[] = {
	[BGP_ERR_HEADER] = "Message Header Error",
	[BGP_ERR_OPEN] = "OPEN Message Error",
	[BGP_ERR_UPDATE] = "UPDATE Message Error",
	[BGP_ERR_HOLD] = "Hold Timer Expired",
	[BGP_ERR_FSM] = "Finite State Machine Error",
	[BGP_ERR_CEASE] = "Cease",
	[BGP_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH Message Error",
};
static_assert(nitems(err_code_names) == BGP_ERR_CODE_MAX,
    "err_code_names out of sync with enum bgp_err_code");

static const char *const err_header_names[] = {
	[BGP_ERR_HDR_NOT_SYNC] = "Connection Not Synchronized",
	[BGP_ERR_HDR_BAD_LEN] = "Bad Message Length",
	[BGP_ERR_HDR_BAD_TYPE] = "Bad Message Type",
};
static_assert(nitems(err_header_names) == BGP_ERR_HDR_BAD_TYPE + 1,
    "err_header_names out of sync with enum bgp_err_header");

static const char *const err_open_names[] = {
	[BGP_ERR_OPEN_UNSPECIFIC] = "Unspecific",
	[BGP_ERR_OPEN_BAD_VERSION] = "Unsupported Version Number",
	[BGP_ERR_OPEN_BAD_PEER_AS] = "Bad Peer AS",
	[BGP_ERR_OPEN_BAD_BGP_ID] = "Bad BGP Identifier",
	[BGP_ERR_OPEN_BAD_OPT_PARAM] = "Unsupported Optional Parameter",
	[5] = "Authentication Failure (deprecated)",
	[BGP_ERR_OPEN_BAD_HOLDTIME] = "Unacceptable Hold Time",
	[BGP_ERR_OPEN_BAD_CAPABILITY] = "Unsupported Capability",
	[BGP_ERR_OPEN_ROLE_MISMATCH] = "Role Mismatch",
};
static_assert(nitems(err_open_names) == BGP_ERR_OPEN_ROLE_MISMATCH + 1,
    "err_open_names out of sync with enum bgp_err_open");

static const char *const err_update_names[] = {
	[BGP_ERR_UPD_MALFORMED_ATTR_LIST] = "Malformed Attribute List",
	[BGP_ERR_UPD_UNKNOWN_WELLKNOWN] = "Unrecognized Well-known Attribute",
	[BGP_ERR_UPD_MISSING_WELLKNOWN] = "Missing Well-known Attribute",
	[BGP_ERR_UPD_ATTR_FLAGS] = "Attribute Flags Error",
	[BGP_ERR_UPD_ATTR_LEN] = "Attribute Length Error",
	[BGP_ERR_UPD_BAD_ORIGIN] = "Invalid ORIGIN Attribute",
	[7] = "AS Routing Loop (deprecated)",
	[BGP_ERR_UPD_BAD_NEXTHOP] = "Invalid NEXT_HOP Attribute",
	[BGP_ERR_UPD_OPTIONAL_ATTR] = "Optional Attribute Error",
	[BGP_ERR_UPD_BAD_NETWORK] = "Invalid Network Field",
	[BGP_ERR_UPD_MALFORMED_ASPATH] = "Malformed AS_PATH",
};
static_assert(nitems(err_update_names) == BGP_ERR_UPD_MALFORMED_ASPATH + 1,
    "err_update_names out of sync with enum bgp_err_update");

static const char *const err_fsm_names[] = {
	[BGP_ERR_FSM_UNSPECIFIC] = "Unspecified Error",
	[BGP_ERR_FSM_OPENSENT] = "Receive Unexpected Message in OpenSent State",
	[BGP_ERR_FSM_OPENCONFIRM] =
	    "Receive Unexpected Message in OpenConfirm State",
	[BGP_ERR_FSM_ESTABLISHED] =
	    "Receive Unexpected Message in Established State",
};
static_assert(nitems(err_fsm_names) == BGP_ERR_FSM_ESTABLISHED + 1,
    "err_fsm_names out of sync with enum bgp_err_fsm");

static const char *const err_cease_names[] = {
	[BGP_ERR_CEASE_MAX_PREFIX] = "Maximum Number of Prefixes Reached",
	[BGP_ERR_CEASE_ADMIN_SHUTDOWN] = "Administrative Shutdown",
	[BGP_ERR_CEASE_PEER_DECONFIGURED] = "Peer De-configured",
	[BGP_ERR_CEASE_ADMIN_RESET] = "Administrative Reset",
	[BGP_ERR_CEASE_CONN_REJECTED] = "Connection Rejected",
	[BGP_ERR_CEASE_CONFIG_CHANGE] = "Other Configuration Change",
	[BGP_ERR_CEASE_COLLISION] = "Connection Collision Resolution",
	[BGP_ERR_CEASE_OUT_OF_RESOURCES] = "Out of Resources",
	[BGP_ERR_CEASE_HARD_RESET] = "Hard Reset",
	[BGP_ERR_CEASE_BFD_DOWN] = "BFD Down",
};
static_assert(nitems(err_cease_names) == BGP_ERR_CEASE_BFD_DOWN + 1,
    "err_cease_names out of sync with enum bgp_err_cease");

static const char *const err_rr_names[] = {
	[BGP_ERR_RR_BAD_LEN] = "Invalid Message Length",
};
static_assert(nitems(err_rr_names) == BGP_ERR_RR_BAD_LEN + 1,
    "err_rr_names out of sync with enum bgp_err_route_refresh");

static const struct {
	const char *const	*names;
	size_t			 n;
} err_subcode_tab[] = {
	[BGP_ERR_HEADER] = { err_header_names, nitems(err_header_names) },
	[BGP_ERR_OPEN] = { err_open_names, nitems(err_open_names) },
	[BGP_ERR_UPDATE] = { err_update_names, nitems(err_update_names) },
	[BGP_ERR_HOLD] = { NULL, 0 },		/* no subcodes */
	[BGP_ERR_FSM] = { err_fsm_names, nitems(err_fsm_names) },
	[BGP_ERR_CEASE] = { err_cease_names, nitems(err_cease_names) },
	[BGP_ERR_ROUTE_REFRESH] = { err_rr_names, nitems(err_rr_names) },
};
static_assert(nitems(err_subcode_tab) == BGP_ERR_CODE_MAX,
    "err_subcode_tab out of sync with enum bgp_err_code");

/* The RFC name of an error code; never NULL. */
const char *
bgp_err_code_name(uint8_t code)
{
	if (code < nitems(err_code_names) && err_code_names[code] != NULL)
		return err_code_names[code];
	return "Unknown Error Code";
}

/* The RFC name of a subcode within its code; never NULL. */
const char *
bgp_err_subcode_name(uint8_t code, uint8_t subcode)
{
	if (code < nitems(err_subcode_tab) &&
	    subcode < err_subcode_tab[code].n &&
	    err_subcode_tab[code].names[subcode] != NULL)
		return err_subcode_tab[code].names[subcode];
	if (subcode == 0)	/* RFC 4271 4.5: no appropriate subcode */
		return "Unspecific";
	return "Unknown Subcode";
}

/* ------------------------------------------------------------------ */
/* Address families                                                     */

static const struct {
	uint16_t	 afi;
	uint8_t		 safi;
	const char	*name;
} aid_tab[] = {
	[BGP_AID_IPV4] = { BGP_AFI_IPV4, BGP_SAFI_UNICAST, "ipv4 unicast" },
	[BGP_AID_IPV6] = { BGP_AFI_IPV6, BGP_SAFI_UNICAST, "ipv6 unicast" },
};
static_assert(nitems(aid_tab) == BGP_AID_MAX,
    "aid_tab out of sync with enum bgp_aid");

/* Maps an AFI/SAFI pair to the family index anycastd supports. */
int
bgp_aid_from_afi(uint16_t afi, uint8_t safi, enum bgp_aid *aid)
{
	size_t	 i;

	for (i = 0; i < nitems(aid_tab); i++)
		if (aid_tab[i].afi == afi && aid_tab[i].safi == safi) {
			*aid = (enum bgp_aid)i;
			return 0;
		}
	return -1;
}

/* The AFI of a family; 0 for an invalid index. */
uint16_t
bgp_aid_afi(enum bgp_aid aid)
{
	if ((size_t)aid >= nitems(aid_tab))
		return 0;
	return aid_tab[aid].afi;
}

/* The SAFI of a family; 0 for an invalid index. */
uint8_t
bgp_aid_safi(enum bgp_aid aid)
{
	if ((size_t)aid >= nitems(aid_tab))
		return 0;
	return aid_tab[aid].safi;
}

/* The family as the configuration spells it; never NULL. */
const char *
bgp_aid_name(enum bgp_aid aid)
{
	if ((size_t)aid >= nitems(aid_tab))
		return "unknown";
	return aid_tab[aid].name;
}

/* ------------------------------------------------------------------ */
/* Header                                                               */

static const char *const msg_type_names[] = {
	[BGP_MSG_OPEN] = "OPEN",
	[BGP_MSG_UPDATE] = "UPDATE",
	[BGP_MSG_NOTIFICATION] = "NOTIFICATION",
	[BGP_MSG_KEEPALIVE] = "KEEPALIVE",
	[BGP_MSG_ROUTE_REFRESH] = "ROUTE-REFRESH",
};
static_assert(nitems(msg_type_names) == BGP_MSG_ROUTE_REFRESH + 1,
    "msg_type_names out of sync with enum bgp_msg_type");

/* The RFC name of a message type; never NULL. */
const char *
bgp_msg_type_name(uint8_t type)
{
	if (type < nitems(msg_type_names) && msg_type_names[type] != NULL)
		return msg_type_names[type];
	return "unknown";
}

/*
 * The header is read through a peek view so that a failure leaves b
 * untouched; only a valid header is consumed. Fewer than 19 octets cannot
 * carry a length to report, so that case is 1/2 without data.
 */
int
bgp_msg_get_header(struct buf *b, size_t maxlen, struct bgp_hdr *hdr,
    struct bgp_err *err)
{
	struct buf	 h;
	uint8_t		 marker[BGP_MARKER_LEN];
	uint16_t	 len;
	uint8_t		 type;
	bool		 ok;

	if (maxlen > BGP_MAX_EXT_MSG_LEN)
		maxlen = BGP_MAX_EXT_MSG_LEN;
	buf_view(&h, buf_ptr(b), buf_left(b));
	if (buf_get(&h, marker, sizeof(marker)) == -1 ||
	    buf_get_u16(&h, &len) == -1 || buf_get_u8(&h, &type) == -1)
		return bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_BAD_LEN);

	/* RFC 4271 6.1: the marker must be all ones. */
	if (memcmp(marker, bgp_marker, sizeof(marker)) != 0)
		return bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HDR_NOT_SYNC);
	/* RFC 4271 6.1, RFC 8654 4: 19..4096, or 65535 once negotiated. */
	if (len < BGP_HEADER_LEN || len > maxlen)
		return err_bad_len(err, len);

	switch (type) {
	case BGP_MSG_OPEN:
		/* RFC 8654 4: OPEN stays within 4096 octets. */
		ok = len >= BGP_OPEN_MIN_LEN && len <= BGP_MAX_MSG_LEN;
		break;
	case BGP_MSG_UPDATE:
		ok = len >= BGP_UPDATE_MIN_LEN;
		break;
	case BGP_MSG_NOTIFICATION:
		ok = len >= BGP_NOTIFICATION_MIN_LEN;
		break;
	case BGP_MSG_KEEPALIVE:
		ok = len == BGP_KEEPALIVE_LEN;	/* RFC 4271 4.4 */
		break;
	case BGP_MSG_ROUTE_REFRESH:
		/* RFC 2918 3; longer ones are judged by subtype later. */
		ok = len >= BGP_ROUTE_REFRESH_LEN;
		break;
	default:
		/* RFC 4271 6.1: data is the erroneous type field. */
		return bgp_err_set_data(err, BGP_ERR_HEADER,
		    BGP_ERR_HDR_BAD_TYPE, &type, sizeof(type));
	}
	if (!ok)	/* RFC 4271 6.1: data is the erroneous length field */
		return err_bad_len(err, len);

	hdr->len = len;
	hdr->type = type;
	(void)buf_skip(b, BGP_HEADER_LEN);
	return 0;
}

/* Starts a message; its length is patched by bgp_msg_finish(). */
size_t
bgp_msg_put_header(struct buf *b, enum bgp_msg_type type)
{
	size_t	 off = buf_len(b);

	buf_put(b, bgp_marker, sizeof(bgp_marker));
	buf_put_u16(b, 0);		/* patched by bgp_msg_finish() */
	buf_put_u8(b, type);
	return off;
}

/* On failure the writer keeps the partial message; the caller may
 * buf_truncate() it back to off. */
int
bgp_msg_finish(struct buf *b, size_t off, size_t maxlen)
{
	size_t	 len;

	if (buf_error(b) || off > buf_len(b))
		return -1;
	len = buf_len(b) - off;
	if (len < BGP_HEADER_LEN || len > maxlen || len > BGP_MAX_EXT_MSG_LEN)
		return -1;
	return buf_set_u16(b, off + BGP_MARKER_LEN, (uint16_t)len);
}

/* ------------------------------------------------------------------ */
/* Capabilities                                                         */

/* The AS the peer claims, in 4-octet form. */
uint32_t
bgp_open_peer_as(const struct bgp_open *o)
{
	/* RFC 6793 4.1: the capability carries the real AS. */
	return o->caps.as4 ? o->caps.as4_asn : o->my_as;
}

/*
 * Keeps a capability we do not decode as its code/length/value triple, so
 * the session can log it and an encoder can send it back unchanged. When
 * the store is full the triple is dropped whole and that is recorded.
 */
static void
caps_keep_unknown(struct bgp_caps *c, uint8_t code, struct buf *val)
{
	size_t	 n = buf_left(val);

	if (sizeof(c->unknown) - c->unknown_len < 2 + n) {
		c->unknown_truncated = true;
		return;
	}
	c->unknown[c->unknown_len] = code;
	c->unknown[c->unknown_len + 1] = (uint8_t)n;
	if (buf_get(val, c->unknown + c->unknown_len + 2, n) == -1)
		return;
	c->unknown_len += 2 + n;
}

/* Reads one length-prefixed FQDN label into a NUL-terminated string. */
static int
caps_get_fqdn_name(struct buf *v, char *dst, size_t dstlen)
{
	uint8_t	 n;

	if (buf_get_u8(v, &n) == -1 || (size_t)n >= dstlen ||
	    buf_get(v, dst, n) == -1)
		return -1;
	dst[n] = '\0';
	/* A NUL inside would not survive as a C string: keep it opaque. */
	if (memchr(dst, '\0', n) != NULL)
		return -1;
	return 0;
}

/*
 * Decodes the value of one capability. Returns 0 when decoded, 1 when it
 * is to be kept opaque in caps.unknown, -1 with err set. A known
 * capability whose length does not match its definition makes the
 * Capabilities parameter malformed: RFC 4271 6.2 requires subcode 0 for a
 * recognised optional parameter that is malformed (BIRD does the same).
 */
static int
caps_get_one(struct bgp_caps *c, uint8_t code, struct buf *v,
    struct bgp_err *err)
{
	size_t		 len = buf_left(v), i;
	uint32_t	 asn;
	uint16_t	 afi, word;
	uint8_t		 safi, res, role, flags, mode;
	enum bgp_aid	 aid;
	char		 host[sizeof(c->hostname)], dom[sizeof(c->domainname)];

	switch (code) {
	case BGP_CAPA_MP:
		/* RFC 4760 8: AFI, reserved octet (ignored), SAFI. */
		if (len != 4 || buf_get_u16(v, &afi) == -1 ||
		    buf_get_u8(v, &res) == -1 || buf_get_u8(v, &safi) == -1)
			return err_open_malformed(err);
		if (bgp_aid_from_afi(afi, safi, &aid) == -1)
			return 1;	/* other families stay opaque */
		c->mp[aid] = true;	/* RFC 5492 4: repeats are harmless */
		return 0;
	case BGP_CAPA_ROUTE_REFRESH:
		if (len != 0)		/* RFC 2918 2: length 0 */
			return err_open_malformed(err);
		c->route_refresh = true;
		return 0;
	case BGP_CAPA_EXT_MESSAGE:
		if (len != 0)		/* RFC 8654 3: length 0 */
			return err_open_malformed(err);
		c->ext_message = true;
		return 0;
	case BGP_CAPA_ENHANCED_RR:
		if (len != 0)		/* RFC 7313 3: length 0 */
			return err_open_malformed(err);
		c->enhanced_route_refresh = true;
		return 0;
	case BGP_CAPA_ROLE:
		/* RFC 9234 4.1: one octet. */
		if (len != 1 || buf_get_u8(v, &role) == -1)
			return err_open_malformed(err);
		/* RFC 9234 4.2: repeated roles must agree. */
		if (c->role_present && c->role != role)
			return bgp_err_set(err, BGP_ERR_OPEN,
			    BGP_ERR_OPEN_ROLE_MISMATCH);
		c->role_present = true;
		c->role = role;
		return 0;
	case BGP_CAPA_AS4:
		/* RFC 6793 3: the 4-octet AS number. */
		if (len != 4 || buf_get_u32(v, &asn) == -1)
			return err_open_malformed(err);
		/* RFC 7607 2: AS 0 as the peer AS is Bad Peer AS. */
		if (asn == 0)
			return bgp_err_set(err, BGP_ERR_OPEN,
			    BGP_ERR_OPEN_BAD_PEER_AS);
		c->as4 = true;
		c->as4_asn = asn;
		return 0;
	case BGP_CAPA_GRACEFUL_RESTART:
		/* RFC 4724 3: flags and time, then 4 octets per family. */
		if (len < 2 || (len - 2) % 4 != 0 ||
		    buf_get_u16(v, &word) == -1)
			return err_open_malformed(err);
		/* RFC 4724 3: only the last instance counts. */
		c->gr = true;
		c->gr_flags = word >> 12;
		c->gr_time = word & 0x0fff;
		c->gr_naf = 0;
		while (buf_get_u16(v, &afi) == 0 &&
		    buf_get_u8(v, &safi) == 0 && buf_get_u8(v, &flags) == 0) {
			/* XXX more families than we keep are dropped; none
			 * that anycastd negotiates is ever among them. */
			if (c->gr_naf == BGP_CAPS_MAX_GR_AF)
				continue;
			c->gr_af[c->gr_naf].afi = afi;
			c->gr_af[c->gr_naf].safi = safi;
			c->gr_af[c->gr_naf].flags = flags;
			c->gr_naf++;
		}
		return 0;
	case BGP_CAPA_ADD_PATH:
		/* RFC 7911 4: AFI, SAFI, Send/Receive per family. */
		if (len % 4 != 0)
			return err_open_malformed(err);
		while (buf_get_u16(v, &afi) == 0 &&
		    buf_get_u8(v, &safi) == 0 && buf_get_u8(v, &mode) == 0) {
			/* A family named twice: the later entry wins. */
			for (i = 0; i < c->addpath_n; i++)
				if (c->addpath[i].afi == afi &&
				    c->addpath[i].safi == safi)
					break;
			if (i == c->addpath_n) {
				/* XXX as for graceful restart above. */
				if (c->addpath_n == BGP_CAPS_MAX_ADDPATH)
					continue;
				c->addpath_n++;
			}
			c->addpath[i].afi = afi;
			c->addpath[i].safi = safi;
			c->addpath[i].mode = mode;
		}
		return 0;
	case BGP_CAPA_FQDN:
		/*
		 * draft-walton-bgp-hostname-capability: hostname and domain
		 * name, each after a length octet. This is informational
		 * only and not on the standards track, so a malformed one
		 * is kept opaque rather than resetting the session.
		 */
		memset(host, 0, sizeof(host));
		memset(dom, 0, sizeof(dom));
		if (caps_get_fqdn_name(v, host, sizeof(host)) == -1 ||
		    caps_get_fqdn_name(v, dom, sizeof(dom)) == -1 ||
		    buf_left(v) != 0)
			return 1;
		c->fqdn = true;
		memcpy(c->hostname, host, sizeof(c->hostname));
		memcpy(c->domainname, dom, sizeof(c->domainname));
		return 0;
	default:
		/* RFC 5492 1: an unrecognised capability never stops the
		 * peering; it is kept for the log and re-emission. */
		return 1;
	}
}

/* Walks the triples of one Capabilities optional parameter (RFC 5492 4). */
static int
caps_get(struct buf *p, struct bgp_caps *c, struct bgp_err *err)
{
	struct buf	 val, raw;
	uint8_t		 code, len;
	int		 r;

	while (buf_left(p) > 0) {
		/* A triple overrunning its parameter: RFC 4271 6.2. */
		if (buf_get_u8(p, &code) == -1 || buf_get_u8(p, &len) == -1 ||
		    buf_get_sub(p, len, &val) == -1)
			return err_open_malformed(err);
		raw = val;
		if ((r = caps_get_one(c, code, &val, err)) == -1)
			return -1;
		if (r == 1)
			caps_keep_unknown(c, code, &raw);
	}
	return 0;
}

/* Writes the capabilities in a fixed order; -1 if one cannot be encoded. */
static int
caps_put(struct buf *w, const struct bgp_caps *c)
{
	size_t	 i, n, hl, dl;
	uint8_t	 aid;

	/* RFC 4760 8: one instance per family. */
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (!c->mp[aid])
			continue;
		buf_put_u8(w, BGP_CAPA_MP);
		buf_put_u8(w, 4);
		buf_put_u16(w, bgp_aid_afi(aid));
		buf_put_u8(w, 0);		/* reserved */
		buf_put_u8(w, bgp_aid_safi(aid));
	}
	if (c->route_refresh) {
		buf_put_u8(w, BGP_CAPA_ROUTE_REFRESH);
		buf_put_u8(w, 0);
	}
	if (c->enhanced_route_refresh) {
		buf_put_u8(w, BGP_CAPA_ENHANCED_RR);
		buf_put_u8(w, 0);
	}
	if (c->ext_message) {
		buf_put_u8(w, BGP_CAPA_EXT_MESSAGE);
		buf_put_u8(w, 0);
	}
	if (c->as4) {
		buf_put_u8(w, BGP_CAPA_AS4);
		buf_put_u8(w, 4);
		buf_put_u32(w, c->as4_asn);
	}
	if (c->role_present) {
		buf_put_u8(w, BGP_CAPA_ROLE);
		buf_put_u8(w, 1);
		buf_put_u8(w, c->role);
	}
	if (c->gr) {
		n = c->gr_naf < BGP_CAPS_MAX_GR_AF ? c->gr_naf :
		    BGP_CAPS_MAX_GR_AF;
		buf_put_u8(w, BGP_CAPA_GRACEFUL_RESTART);
		buf_put_u8(w, 2 + 4 * n);
		buf_put_u16(w, (uint16_t)((c->gr_flags & 0x0f) << 12 |
		    (c->gr_time & 0x0fff)));
		for (i = 0; i < n; i++) {
			buf_put_u16(w, c->gr_af[i].afi);
			buf_put_u8(w, c->gr_af[i].safi);
			buf_put_u8(w, c->gr_af[i].flags);
		}
	}
	if (c->addpath_n > 0) {
		n = c->addpath_n < BGP_CAPS_MAX_ADDPATH ? c->addpath_n :
		    BGP_CAPS_MAX_ADDPATH;
		buf_put_u8(w, BGP_CAPA_ADD_PATH);
		buf_put_u8(w, 4 * n);
		for (i = 0; i < n; i++) {
			buf_put_u16(w, c->addpath[i].afi);
			buf_put_u8(w, c->addpath[i].safi);
			buf_put_u8(w, c->addpath[i].mode);
		}
	}
	if (c->fqdn) {
		hl = strnlen(c->hostname, sizeof(c->hostname));
		dl = strnlen(c->domainname, sizeof(c->domainname));
		/* Both names and their length octets share one length
		 * octet: a pair that does not fit is not ours to cut. */
		if (hl + dl > UINT8_MAX - 2)
			return -1;
		buf_put_u8(w, BGP_CAPA_FQDN);
		buf_put_u8(w, 2 + hl + dl);
		buf_put_u8(w, hl);
		buf_put(w, c->hostname, hl);
		buf_put_u8(w, dl);
		buf_put(w, c->domainname, dl);
	}
	n = c->unknown_len < sizeof(c->unknown) ? c->unknown_len :
	    sizeof(c->unknown);
	buf_put(w, c->unknown, n);
	return buf_error(w) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* OPEN                                                                 */

/*
 * Splits the Optional Parameters field into parameters and decodes the
 * Capabilities ones. All framing errors are 2/0, as in OpenBGPD, BIRD
 * and FRR: RFC 4271 6.1 reserves Bad Message Length for the header's
 * length field (and an OPEN shorter than 29), and RFC 4271 6.2 asks for
 * subcode 0 when an optional parameter is malformed. Octets left after
 * the parameters are the same inconsistency seen from the other side.
 */
static int
open_get_params(struct buf *msg, struct bgp_open *o, uint8_t optlen,
    struct bgp_err *err)
{
	struct buf	 params, peek, p;
	uint16_t	 extlen, plen;
	uint8_t		 type, len8;
	bool		 ext = false;

	buf_view(&params, NULL, 0);
	if (optlen != 0) {
		/*
		 * RFC 9072 2: a first parameter type of 255 says the
		 * extended format is in use, and then Non-Ext OP Len is
		 * ignored, so it is not required to be 255 here.
		 */
		buf_view(&peek, buf_ptr(msg), buf_left(msg));
		if (buf_get_u8(&peek, &type) == 0 &&
		    type == BGP_OPT_PARAM_EXT_LEN) {
			ext = true;
			if (buf_skip(msg, 1) == -1 ||
			    buf_get_u16(msg, &extlen) == -1 ||
			    buf_get_sub(msg, extlen, &params) == -1)
				return err_open_malformed(err);
		} else if (buf_get_sub(msg, optlen, &params) == -1)
			return err_open_malformed(err);
	}
	if (buf_left(msg) != 0)
		return err_open_malformed(err);

	while (buf_left(&params) > 0) {
		/* RFC 9072 2: 2-octet parameter lengths when extended. */
		if (buf_get_u8(&params, &type) == -1)
			return err_open_malformed(err);
		if (ext) {
			if (buf_get_u16(&params, &plen) == -1)
				return err_open_malformed(err);
		} else {
			if (buf_get_u8(&params, &len8) == -1)
				return err_open_malformed(err);
			plen = len8;
		}
		if (buf_get_sub(&params, plen, &p) == -1)
			return err_open_malformed(err);
		/*
		 * RFC 4271 6.2: anything but Capabilities (RFC 5492 4) is
		 * an unsupported optional parameter. The RFC defines no
		 * data for this error, so none is sent.
		 */
		if (type != BGP_OPT_PARAM_CAPABILITIES)
			return bgp_err_set(err, BGP_ERR_OPEN,
			    BGP_ERR_OPEN_BAD_OPT_PARAM);
		if (caps_get(&p, &o->caps, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * The buffer must hold exactly the OPEN body (bgp_msg_decode passes a view
 * of hdr.len - 19 octets): octets after the optional parameters are an
 * error, and a short body is reported as 1/2 with the length it implies.
 */
int
bgp_msg_get_open(struct buf *msg, struct bgp_open *o, struct bgp_err *err)
{
	size_t	 msglen = BGP_HEADER_LEN + buf_left(msg);
	uint8_t	 optlen;

	memset(o, 0, sizeof(*o));
	if (buf_get_u8(msg, &o->version) == -1 ||
	    buf_get_u16(msg, &o->my_as) == -1 ||
	    buf_get_u16(msg, &o->holdtime) == -1 ||
	    buf_get_u32(msg, &o->bgp_id) == -1 ||
	    buf_get_u8(msg, &optlen) == -1)
		return err_bad_len(err, msglen);	/* RFC 4271 6.1 */

	/*
	 * RFC 4271 6.2: data is the largest supported version below the
	 * one bid, or else the smallest supported one; both are 4.
	 */
	if (o->version != BGP_VERSION)
		return err_u16(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_VERSION,
		    BGP_VERSION);
	/* RFC 7607 2: AS 0 as the peer AS is Bad Peer AS. */
	if (o->my_as == 0)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_PEER_AS);
	/* RFC 4271 6.2: hold times of one or two seconds MUST be refused. */
	if (o->holdtime == 1 || o->holdtime == 2)
		return bgp_err_set(err, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_BAD_HOLDTIME);
	/* RFC 6286 2.2: any non-zero 4-octet value is a valid identifier. */
	if (o->bgp_id == 0)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_BGP_ID);

	return open_get_params(msg, o, optlen, err);
}

/*
 * All capabilities go into one Capabilities parameter, as BIRD and FRR
 * send them. RFC 9072 2: the extended format is used only when the
 * Optional Parameters field (that parameter with its 2-octet header) would
 * exceed 255 octets, i.e. for more than 253 octets of capabilities.
 */
int
bgp_msg_put_open(struct buf *b, const struct bgp_open *o)
{
	uint8_t		 scratch[BGP_MAX_MSG_LEN];
	struct buf	 caps;
	size_t		 off, caplen;

	buf_init(&caps, scratch, sizeof(scratch));
	if (caps_put(&caps, &o->caps) == -1)
		return -1;
	caplen = buf_len(&caps);

	off = bgp_msg_put_header(b, BGP_MSG_OPEN);
	buf_put_u8(b, BGP_VERSION);
	buf_put_u16(b, o->my_as);		/* AS_TRANS is the caller's */
	buf_put_u16(b, o->holdtime);
	buf_put_u32(b, o->bgp_id);
	if (caplen == 0)
		buf_put_u8(b, 0);
	else if (caplen + 2 <= UINT8_MAX) {
		buf_put_u8(b, caplen + 2);
		buf_put_u8(b, BGP_OPT_PARAM_CAPABILITIES);
		buf_put_u8(b, caplen);
	} else {
		/* RFC 9072 2: Non-Ext OP Len and Type 255, then 2-octet
		 * lengths for the field and for each parameter. */
		buf_put_u8(b, UINT8_MAX);
		buf_put_u8(b, BGP_OPT_PARAM_EXT_LEN);
		buf_put_u16(b, (uint16_t)(caplen + 3));
		buf_put_u8(b, BGP_OPT_PARAM_CAPABILITIES);
		buf_put_u16(b, (uint16_t)caplen);
	}
	buf_put(b, scratch, caplen);
	/* RFC 8654 4: OPEN never exceeds 4096 octets. */
	return bgp_msg_finish(b, off, BGP_MAX_MSG_LEN);
}

/* ------------------------------------------------------------------ */
/* NOTIFICATION, KEEPALIVE                                              */

/*
 * RFC 3629 4: well-formed UTF-8 has no overlong forms, no surrogates and
 * nothing beyond U+10FFFF.
 */
static bool
utf8_valid(const uint8_t *s, size_t n)
{
	size_t		 i = 0, k, need;
	uint32_t	 cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			need = 1;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			need = 3;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return false;
		if (n - i - 1 < need)
			return false;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

/*
 * RFC 9003 2: a length octet and that many octets of UTF-8. Anything
 * else is only worth a log line (RFC 9003 4), so it just leaves
 * has_shutdown_comm false. A length of 0 means no communication. A NUL
 * inside cannot be handed on as a C string and counts as malformed.
 */
static void
notification_get_comm(struct bgp_notification *n)
{
	struct buf	 d;
	uint8_t		 len;

	buf_view(&d, n->data, n->datalen);
	if (buf_get_u8(&d, &len) == -1 || len == 0 ||
	    buf_get(&d, n->shutdown_comm, len) == -1)
		return;
	if (memchr(n->shutdown_comm, '\0', len) != NULL ||
	    !utf8_valid((const uint8_t *)n->shutdown_comm, len)) {
		memset(n->shutdown_comm, 0, sizeof(n->shutdown_comm));
		return;
	}
	n->shutdown_comm[len] = '\0';
	n->has_shutdown_comm = true;
}

/* The buffer must hold exactly the NOTIFICATION body: all that follows the
 * subcode is its data. */
int
bgp_msg_get_notification(struct buf *b, struct bgp_notification *n,
    struct bgp_err *err)
{
	size_t	 msglen = BGP_HEADER_LEN + buf_left(b);

	memset(n, 0, sizeof(*n));
	if (buf_get_u8(b, &n->code) == -1 || buf_get_u8(b, &n->subcode) == -1)
		return err_bad_len(err, msglen);	/* RFC 4271 6.1 */
	n->datalen = buf_left(b);
	n->data = n->datalen > 0 ? buf_ptr(b) : NULL;
	(void)buf_skip(b, n->datalen);

	if (n->code == BGP_ERR_CEASE &&
	    (n->subcode == BGP_ERR_CEASE_ADMIN_SHUTDOWN ||
	    n->subcode == BGP_ERR_CEASE_ADMIN_RESET))
		notification_get_comm(n);
	return 0;
}

/* Writes a NOTIFICATION, cutting data to what fits in maxlen. */
int
bgp_msg_put_notification(struct buf *b, uint8_t code, uint8_t subcode,
    const void *data, size_t datalen, size_t maxlen)
{
	size_t	 off;

	if (maxlen > BGP_MAX_EXT_MSG_LEN)
		maxlen = BGP_MAX_EXT_MSG_LEN;
	if (maxlen < BGP_NOTIFICATION_MIN_LEN)
		return -1;
	if (data == NULL)
		datalen = 0;
	if (datalen > maxlen - BGP_NOTIFICATION_MIN_LEN)
		datalen = maxlen - BGP_NOTIFICATION_MIN_LEN;

	off = bgp_msg_put_header(b, BGP_MSG_NOTIFICATION);
	buf_put_u8(b, code);
	buf_put_u8(b, subcode);
	if (datalen > 0)
		buf_put(b, data, datalen);
	return bgp_msg_finish(b, off, maxlen);
}

/*
 * The communication goes out only with Administrative Shutdown and Reset,
 * the two subcodes RFC 9003 2 defines it for; comm == NULL sends no data.
 * Longer text is cut to 255 octets without splitting a UTF-8 sequence
 * (RFC 9003 2: a receiver must be able to check it as UTF-8).
 */
int
bgp_msg_put_cease(struct buf *b, uint8_t subcode, const char *comm)
{
	uint8_t	 data[1 + BGP_SHUTDOWN_COMM_MAX];
	size_t	 n;

	if (comm == NULL || (subcode != BGP_ERR_CEASE_ADMIN_SHUTDOWN &&
	    subcode != BGP_ERR_CEASE_ADMIN_RESET))
		return bgp_msg_put_notification(b, BGP_ERR_CEASE, subcode,
		    NULL, 0, BGP_MAX_MSG_LEN);

	n = strnlen(comm, BGP_SHUTDOWN_COMM_MAX + 1);
	if (n > BGP_SHUTDOWN_COMM_MAX) {
		/* comm[n] is the first octet left out: back off while it
		 * continues a sequence that started before it. */
		n = BGP_SHUTDOWN_COMM_MAX;
		while (n > 0 && ((uint8_t)comm[n] & 0xc0) == 0x80)
			n--;
	}
	data[0] = (uint8_t)n;
	memcpy(data + 1, comm, n);
	return bgp_msg_put_notification(b, BGP_ERR_CEASE, subcode, data,
	    1 + n, BGP_MAX_MSG_LEN);
}

/* Writes a KEEPALIVE: the header alone (RFC 4271 4.4). */
int
bgp_msg_put_keepalive(struct buf *b)
{
	size_t	 off;

	off = bgp_msg_put_header(b, BGP_MSG_KEEPALIVE);
	return bgp_msg_finish(b, off, BGP_KEEPALIVE_LEN);
}

/* ------------------------------------------------------------------ */
/* ROUTE-REFRESH                                                        */

/*
 * The buffer must hold exactly the ROUTE-REFRESH body. Only a length other
 * than 4 is an error, and what kind depends on the subtype; unknown
 * subtypes are returned for the caller to ignore (RFC 7313 5), whatever
 * their length.
 */
int
bgp_msg_get_route_refresh(struct buf *b, const uint8_t *whole,
    size_t wholelen, struct bgp_route_refresh *rr, struct bgp_err *err)
{
	size_t	 bodylen = buf_left(b);

	memset(rr, 0, sizeof(*rr));
	if (buf_get_u16(b, &rr->afi) == -1 ||
	    buf_get_u8(b, &rr->subtype) == -1 ||
	    buf_get_u8(b, &rr->safi) == -1)
		return err_bad_len(err, BGP_HEADER_LEN + bodylen);

	if (bodylen != BGP_ROUTE_REFRESH_LEN - BGP_HEADER_LEN) {
		switch (rr->subtype) {
		case BGP_RR_BORR:
		case BGP_RR_EORR:
			/* RFC 7313 5: 7/1, data the whole message. */
			return bgp_err_set_view(err, BGP_ERR_ROUTE_REFRESH,
			    BGP_ERR_RR_BAD_LEN, whole, wholelen);
		case BGP_RR_NORMAL:
			/*
			 * Longer requests carry ORF entries (RFC 5291),
			 * which anycastd never advertises: the length is
			 * simply wrong (RFC 4271 6.1).
			 */
			return err_bad_len(err, BGP_HEADER_LEN + bodylen);
		default:
			break;
		}
	}
	(void)buf_skip(b, buf_left(b));
	return 0;
}

/* Writes a ROUTE-REFRESH for a family we support; subtypes of RFC 7313. */
int
bgp_msg_put_route_refresh(struct buf *b, enum bgp_aid aid,
    enum bgp_rr_subtype subtype)
{
	size_t	 off;

	if ((size_t)aid >= BGP_AID_MAX || subtype > BGP_RR_EORR)
		return -1;
	off = bgp_msg_put_header(b, BGP_MSG_ROUTE_REFRESH);
	buf_put_u16(b, bgp_aid_afi(aid));
	buf_put_u8(b, subtype);		/* RFC 7313 3: was Reserved */
	buf_put_u8(b, bgp_aid_safi(aid));
	return bgp_msg_finish(b, off, BGP_ROUTE_REFRESH_LEN);
}

/* ------------------------------------------------------------------ */
/* Whole messages                                                       */

/*
 * Frames one message and decodes its body from a view of exactly the
 * length the header gives. On failure b is left where it was.
 */
int
bgp_msg_decode(struct buf *b, size_t maxlen,
    const struct bgp_decode_ctx *ctx, struct bgp_msg *m, struct bgp_err *err)
{
	static const struct bgp_decode_ctx	 noctx;
	struct buf	 msg, body;
	const uint8_t	*whole;
	int		 rc;

	memset(m, 0, sizeof(*m));
	whole = buf_ptr(b);
	buf_view(&msg, whole, buf_left(b));
	if (bgp_msg_get_header(&msg, maxlen, &m->hdr, err) == -1)
		return -1;
	/* Fewer octets than the header announces: RFC 4271 6.1. */
	if (buf_get_sub(&msg, m->hdr.len - BGP_HEADER_LEN, &body) == -1)
		return err_bad_len(err, m->hdr.len);

	switch (m->hdr.type) {
	case BGP_MSG_OPEN:
		rc = bgp_msg_get_open(&body, &m->open, err);
		break;
	case BGP_MSG_UPDATE:
		rc = bgp_msg_get_update(&body, ctx != NULL ? ctx : &noctx,
		    &m->update, err);
		break;
	case BGP_MSG_NOTIFICATION:
		rc = bgp_msg_get_notification(&body, &m->notification, err);
		break;
	case BGP_MSG_KEEPALIVE:
		rc = 0;
		break;
	case BGP_MSG_ROUTE_REFRESH:
		rc = bgp_msg_get_route_refresh(&body, whole, m->hdr.len,
		    &m->route_refresh, err);
		break;
	default:
		/* bgp_msg_get_header() let through only the types above. */
		return bgp_err_set_data(err, BGP_ERR_HEADER,
		    BGP_ERR_HDR_BAD_TYPE, &m->hdr.type, 1);
	}
	if (rc == -1)
		return -1;
	(void)buf_skip(b, m->hdr.len);
	return 0;
}
