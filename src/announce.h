/*
 * What each Established peer should hear: the desired state of every
 * configured prefix, each peer's Adj-RIB-Out, and the UPDATEs that bring
 * one to the other. Never touches sockets: it hands complete messages to
 * session_send() and paces itself on session_output_pending().
 */
#ifndef ANYCASTD_ANNOUNCE_H
#define ANYCASTD_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "anycastd.h"

/* Output queue levels between which announce.c refills a peer. */
#define ANNOUNCE_LOW_WATER	(64 * 1024)
#define ANNOUNCE_HIGH_WATER	(256 * 1024)

enum announce_state {
	ANNOUNCE_WITHDRAWN,
	ANNOUNCE_ANNOUNCED,
	ANNOUNCE_GSHUT,		/* RFC 8326: announced with 65535:0 */
};

/* Runtime state of one configured prefix. */
struct prefix_state {
	const struct prefix_conf *conf;
	bool		 up;		/* its requires expression holds */
	bool		 drained;
	enum announce_state state;
	uint64_t	 gshut_until;	/* ANNOUNCE_GSHUT: withdraw then (ms) */
	struct timespec	 since;		/* last change of state */
	const char	*reason;	/* why it is in this state (static) */
};

/*
 * The decision for one prefix, pure so it can be tested with a fake
 * clock: announced exactly while up and not drained; otherwise the
 * prefix's on-down action, which for graceful-shutdown keeps it announced
 * with 65535:0 until *until (ms, set when the state is entered) and then
 * withdraws. now is monotonic milliseconds.
 */
enum announce_state announce_decide(const struct prefix_conf *,
	    enum announce_state cur, bool up, bool drained, uint64_t now,
	    uint64_t *until);

/* Builds the prefix table from d->conf; every prefix starts withdrawn
 * unless it has no requires. */
void	 announce_init(struct daemon *);
void	 announce_free(struct daemon *);
/* A reloaded configuration: withdraws removed prefixes, re-announces
 * changed ones, keeps the rest; check_up answers for the new checks.
 * Call before d->conf is replaced. */
void	 announce_reload(struct daemon *, const struct config *,
	    expr_check_cb *check_up, void *arg);

/* The set of prefixes for show and metrics. */
size_t	 announce_prefix_count(const struct daemon *);
const struct prefix_state *announce_prefix(const struct daemon *, size_t);

const char	*announce_state_name(enum announce_state);

/* Checks changed: re-evaluates every prefix's requires expression. */
void	 announce_checks_changed(struct daemon *, expr_check_cb *, void *);
/*
 * drain/undrain of one prefix (p) or all (p NULL), saved to the state
 * file. Returns how many prefixes changed, or -1 with a message in err
 * (unknown prefix, state file not writable: the drain still applies).
 */
int	 announce_drain(struct daemon *, const struct bgp_prefix *p, bool drain,
	    char *err, size_t errlen);

/* Called by session.c. */
void	 announce_peer_init(struct peer *);
void	 announce_peer_free(struct peer *);
void	 announce_peer_state(struct peer *);	/* after any state change */
void	 announce_peer_up(struct peer *);	/* became Established */
void	 announce_refresh(struct peer *, enum bgp_aid);
void	 announce_output_drained(struct peer *);
/* Prefixes currently announced to a peer. */
size_t	 announce_peer_sent(const struct peer *);

#endif /* ANYCASTD_ANNOUNCE_H */
