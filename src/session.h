/*
 * BGP sessions on libevent: listeners, outgoing connections, message
 * framing, the FSM's actions and timers, OPEN negotiation. announce.c and
 * control.c act on peers only through these functions.
 */
#ifndef ANYCASTD_SESSION_H
#define ANYCASTD_SESSION_H

#include "anycastd.h"

/* Opens the configured listeners; -1 (logged) if one cannot be opened. */
int	 session_listen(struct daemon *);
void	 session_listen_close(struct daemon *);
/* Re-applies MD5 keys on the listeners after peers changed. */
void	 session_listen_update_keys(struct daemon *);

/* Creates a peer for a neighbor block and starts it. */
struct peer	*session_peer_add(struct daemon *, const struct neighbor_conf *);
/* Cease (peer de-configured), then frees p. */
void	 session_peer_remove(struct peer *);
/* A changed neighbor block: Cease (other configuration change), new
 * conf, reconnect. */
void	 session_peer_reconfigure(struct peer *, const struct neighbor_conf *);
struct peer	*session_peer_find(struct daemon *, const struct config_addr *);

/* neighbor ADDR down / up / reset / refresh. comm may be NULL. */
void	 session_peer_down(struct peer *, const char *comm);
void	 session_peer_up(struct peer *);
void	 session_peer_reset(struct peer *, const char *comm);
/* Asks the peer to re-send its routes; -1 if not negotiated. */
int	 session_peer_refresh(struct peer *);

/* SIGTERM: Cease/Administrative Shutdown with comm to every session. */
void	 session_shutdown_all(struct daemon *, const char *comm);
/* True while NOTIFICATIONs are still being flushed. */
bool	 session_flushing(struct daemon *);
/* Frees every peer and connection. */
void	 session_free_all(struct daemon *);

/*
 * For announce.c: queues a complete message (takes a copy). Returns -1 if
 * the peer is not Established.
 */
int	 session_send(struct peer *, const void *, size_t);
/* Bytes queued for the peer and not yet written, to pace announce.c. */
size_t	 session_output_pending(const struct peer *);
/* The session's local address in the family of aid, for the next hop;
 * -1 if there is none of that family. */
int	 session_local_addr(const struct peer *, enum bgp_aid, uint8_t addr[16]);
/* How the session encodes UPDATEs. */
void	 session_encode_ctx(const struct peer *, struct bgp_encode_ctx *);
bool	 session_is_ebgp(const struct peer *);

/* Prefix for per-peer log lines: "neighbor 192.0.2.1 (upstream-a)". */
const char	*session_peer_name(const struct peer *);

#endif /* ANYCASTD_SESSION_H */
