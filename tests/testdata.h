/*
 * Readers for the real-world test material in the shared data directory:
 * file loading (gzip or plain), pcap and pcapng captures with TCP stream
 * reassembly into BGP messages, MRT BGP4MP records, hex vector lines.
 *
 * These readers know nothing about the BGP codec: they frame bytes and hand
 * them over, so a decoder bug cannot hide a reader bug or the reverse. Every
 * length read from a file is checked before use; a malformed file gives an
 * error, never a read outside the loaded bytes. Shared by the tests and the
 * benchmark.
 */
#ifndef ANYCASTD_TESTDATA_H
#define ANYCASTD_TESTDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

/* ------------------------------------------------------------------ */
/* Files                                                                */

/* The data directory from $ANYCASTD_DATA, or NULL when unset or empty. */
const char	*td_data_dir(void);
/*
 * Writes $ANYCASTD_DATA/rel into out. Returns 0 if the file can be read,
 * -1 (with a reason in why, for a skip message) if not.
 */
int	 td_data_path(const char *rel, char *out, size_t outlen,
	    char *why, size_t whylen);
/*
 * Reads a whole file, gunzipping it when it is gzip (plain files pass
 * through). Refuses files that unpack to more than max bytes. The caller
 * frees the result.
 */
uint8_t	*td_load(const char *path, size_t max, size_t *lenp);

/* Line reader over a (possibly gzipped) text file, for large expected
 * decodes that are not worth holding in memory. */
struct td_lines {
	gzFile	 f;
	char	*line;
	size_t	 cap;
	size_t	 lineno;
};
int	 td_lines_open(struct td_lines *, const char *path);
/* Returns 1 with *line (NUL-terminated, newline stripped), 0 at the end,
 * -1 on a read error. The line is valid until the next call. */
int	 td_lines_next(struct td_lines *, const char **line, size_t *len);
void	 td_lines_close(struct td_lines *);

/* Iterates over the lines of a loaded file (not NUL-terminated; no newline
 * in *line). Returns 1 per line, 0 at the end. */
int	 td_memline_next(const uint8_t *data, size_t len, size_t *off,
	    const char **line, size_t *linelen);

/*
 * Decodes hex digits from s[0..slen) into out, skipping ':' and white
 * space. Returns the number of octets, or -1 on a bad digit, an odd count
 * or more than outmax octets.
 */
long	 td_hex_decode(const char *s, size_t slen, uint8_t *out,
	    size_t outmax);

/* ------------------------------------------------------------------ */
/* Captures                                                             */

struct td_packet {
	const uint8_t	*data;		/* captured bytes */
	size_t		 caplen;
	size_t		 origlen;	/* length on the wire */
	uint32_t	 linktype;	/* LINKTYPE_* */
	size_t		 index;		/* 0-based packet number */
};

#define TD_PCAP_MAX_IF	16

struct td_pcap {
	const uint8_t	*data;
	size_t		 len;
	size_t		 off;
	bool		 ng;		/* pcapng, else classic pcap */
	bool		 swap;		/* file written in the other byte order */
	uint32_t	 linktype;	/* classic pcap */
	uint32_t	 if_linktype[TD_PCAP_MAX_IF];	/* pcapng, per IDB */
	size_t		 n_if;
	size_t		 index;
};

/* Returns 0 if data starts like a pcap or pcapng file, -1 otherwise. */
int	 td_pcap_open(struct td_pcap *, const uint8_t *data, size_t len);
/* Returns 1 with the next packet, 0 at the end, -1 on a malformed
 * record (reading stops there). */
int	 td_pcap_next(struct td_pcap *, struct td_packet *);

struct td_tcp {
	int		 af;		/* 4 or 6 */
	uint8_t		 src[16];
	uint8_t		 dst[16];
	uint16_t	 sport;
	uint16_t	 dport;
	uint32_t	 seq;
	uint8_t		 flags;		/* TD_TCP_* */
	const uint8_t	*payload;	/* captured payload only */
	size_t		 len;
};

#define TD_TCP_FIN	0x01
#define TD_TCP_SYN	0x02
#define TD_TCP_RST	0x04

/*
 * Unwraps the link layer (Ethernet with VLAN tags, BSD null/loop, raw IP,
 * Linux cooked v1/v2, PPP, Juniper Ethernet), IPv4 or IPv6 (skipping
 * extension headers) and TCP. Returns 1 for a TCP segment (payload cut to
 * what the IP length and the capture both hold), 0 for anything else
 * (ARP, UDP, a fragment after the first), -1 for a header that does not
 * fit.
 */
int	 td_packet_tcp(const struct td_packet *, struct td_tcp *);

/* One BGP message cut out of a reassembled TCP stream. */
struct td_bgp_msg {
	const uint8_t	*data;
	size_t		 len;
	/*
	 * The capture ended (or had a gap) before the length the header
	 * gives; data holds what there was.
	 */
	bool		 truncated;
	size_t		 half;		/* stream direction, index into halves */
	size_t		 pkt;		/* packet that completed the message */
};

struct td_half {
	int		 af;
	uint8_t		 src[16];
	uint8_t		 dst[16];
	uint16_t	 sport;
	uint16_t	 dport;
	size_t		 reverse;	/* the other direction, or SIZE_MAX */
	size_t		 gaps;		/* holes in the sequence space */
	size_t		 desyncs;	/* bad headers resynchronised */
	size_t		 bytes;		/* payload octets reassembled */
};

struct td_bgp_capture {
	struct td_bgp_msg	*msgs;	/* in packet order */
	size_t			 n_msgs;
	struct td_half		*halves;
	size_t			 n_halves;
	size_t			 n_packets;
	size_t			 n_segments;	/* TCP segments to/from port */
	uint8_t			*arena;		/* message bytes */
	size_t			 arena_len;
};

/*
 * Reads a capture, reassembles each direction of every TCP connection to
 * or from port, in sequence order (duplicates and overlaps dropped), and
 * cuts the streams into BGP messages by the header length. After a gap,
 * framing restarts at the next segment, as a capture that starts mid-
 * stream would need. A header with a length below 19 or a bad marker is
 * handed over as its 19 octets, then framing resumes at the next marker,
 * as tcpdump does, so the rest of a fuzzed stream still gets decoded.
 * Returns 0, or -1 if the file is not a capture or is malformed before
 * any packet.
 */
int	 td_pcap_bgp(const uint8_t *file, size_t len, uint16_t port,
	    struct td_bgp_capture *);
void	 td_bgp_capture_free(struct td_bgp_capture *);

/* ------------------------------------------------------------------ */
/* MRT (RFC 6396, RFC 8050)                                             */

#define TD_MRT_BGP		5	/* deprecated, still in old RIS dumps */
#define TD_MRT_TABLE_DUMP	12
#define TD_MRT_TABLE_DUMP_V2	13
#define TD_MRT_BGP4MP		16
#define TD_MRT_BGP4MP_ET	17

#define TD_BGP4MP_STATE_CHANGE		0
#define TD_BGP4MP_MESSAGE		1
#define TD_BGP4MP_MESSAGE_AS4		4
#define TD_BGP4MP_STATE_CHANGE_AS4	5
#define TD_BGP4MP_MESSAGE_LOCAL		6
#define TD_BGP4MP_MESSAGE_AS4_LOCAL	7
#define TD_BGP4MP_MESSAGE_ADDPATH	8
#define TD_BGP4MP_MESSAGE_AS4_ADDPATH	9
#define TD_BGP4MP_MESSAGE_LOCAL_ADDPATH	10
#define TD_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH 11

/* Largest BGP message an MRT record can carry after reframing. */
#define TD_MRT_MSG_MAX		(19 + 65535)

struct td_mrt {
	const uint8_t	*data;
	size_t		 len;
	size_t		 off;
	size_t		 nrec;
	uint8_t		*scratch;	/* TD_MRT_MSG_MAX, for reframing */
};

struct td_mrt_rec {
	uint32_t	 ts;
	uint32_t	 usec;		/* BGP4MP_ET only */
	uint16_t	 type;
	uint16_t	 subtype;
	const uint8_t	*body;		/* after the common (and ET) header */
	size_t		 bodylen;
	/* Set when the record carries a BGP message. */
	bool		 is_msg;
	bool		 as4;		/* the session used 4-octet ASNs */
	bool		 addpath;	/* RFC 8050 ADD-PATH subtypes */
	bool		 local;		/* sent by the collector, not the peer */
	int		 af;		/* 4 or 6 */
	uint32_t	 peer_as;
	uint32_t	 local_as;
	uint8_t		 peer_ip[16];
	uint8_t		 local_ip[16];
	/* The whole BGP message, header included (reframed for type 5). */
	const uint8_t	*msg;
	size_t		 msglen;
	/* The record announces a message but its fields do not fit. */
	bool		 malformed;
};

/* Takes a loaded file; the caller keeps it alive. 0, or -1 on ENOMEM. */
int	 td_mrt_open(struct td_mrt *, const uint8_t *data, size_t len);
/* Returns 1 per record, 0 at the end, -1 when a record header or length
 * runs past the end of the file (reading stops there). */
int	 td_mrt_next(struct td_mrt *, struct td_mrt_rec *);
void	 td_mrt_close(struct td_mrt *);

#endif /* ANYCASTD_TESTDATA_H */
