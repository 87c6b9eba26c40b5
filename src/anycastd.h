/*
 * Types shared by the daemon's modules: the daemon itself and the runtime
 * peer. A struct peer embeds its struct neighbor_conf by value, so a reload
 * can swap the configuration and leave the session state alone.
 */
#ifndef ANYCASTD_ANYCASTD_H
#define ANYCASTD_ANYCASTD_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "bgp.h"
#include "config.h"
#include "fsm.h"

#define ANYCASTD_VERSION	"0.1.0"

struct rib_in;
struct adj_out;
struct control;
struct prefix_state;
struct health;

/* One TCP connection to a peer. */
struct conn {
	struct peer		*peer;
	struct daemon		*d;
	struct bufferevent	*bev;
	bool			 outgoing;	/* we initiated it */
	bool			 connected;
	struct sockaddr_storage	 local;		/* for the next hop */
	/* A second connection during collision detection (RFC 4271 6.8)
	 * runs its own OPEN exchange: */
	bool			 open_rcvd;
	uint32_t		 remote_id;
	TAILQ_ENTRY(conn)	 closing_entry;	/* flushing before close */
	struct event		*closing_timer;
};
TAILQ_HEAD(conn_list, conn);

/* Counters for show and metrics. */
struct peer_stats {
	uint64_t	msgs_in[BGP_MSG_ROUTE_REFRESH + 1];
	uint64_t	msgs_out[BGP_MSG_ROUTE_REFRESH + 1];
	uint64_t	prefixes_announced;	/* UPDATE NLRI sent */
	uint64_t	prefixes_withdrawn;
	uint64_t	established_count;
};

/* What the two OPENs agreed on. */
struct peer_negotiated {
	uint32_t	remote_as;
	uint32_t	remote_id;		/* host order */
	uint16_t	hold_time;		/* seconds, 0 = none */
	bool		as4;
	bool		route_refresh;
	bool		enhanced_rr;
	bool		ext_message;
	bool		family[BGP_AID_MAX];
	char		hostname[64];
};

struct peer {
	TAILQ_ENTRY(peer)	 entry;
	struct daemon		*d;
	struct neighbor_conf	 conf;
	enum fsm_state		 state;
	bool			 admin_down;	/* neighbor ADDR down */
	bool			 removed;	/* deconfigured, being freed */
	bool			 collision_lost;	/* restart without back-off */
	uint32_t		 connretry_counter;
	struct conn		*conn;		/* the one the FSM runs on */
	struct conn		*pending;	/* incoming, awaiting 6.8 */
	struct event		*t_connretry;
	struct event		*t_hold;
	struct event		*t_keepalive;
	struct event		*t_idlehold;
	struct peer_negotiated	 neg;
	struct timespec		 state_since;	/* CLOCK_MONOTONIC */
	struct timespec		 established_since;
	bool			 eor_rcvd[BGP_AID_MAX];	/* this session */
	char			 last_error[BGP_SHUTDOWN_COMM_MAX + 128];
	/* For FSM_EV_AUTO_STOP: the Cease subcode and RFC 9003 text. */
	uint8_t			 stop_subcode;
	char			 stop_comm[BGP_SHUTDOWN_COMM_MAX + 1];
	/* The NOTIFICATION a decoder asked for, until the FSM sends it. */
	struct bgp_err		 err;
	struct peer_stats	 stats;
	struct rib_in		*rib;
	struct adj_out		*out;		/* announce.c's */
};
TAILQ_HEAD(peer_list, peer);

struct listener;
TAILQ_HEAD(listener_list, listener);

struct daemon {
	struct event_base	*base;
	struct config		*conf;
	const char		*conf_path;
	const char		*control_path;	/* -s, else conf's */
	struct peer_list	 peers;
	struct listener_list	 listeners;
	struct conn_list	 closing;
	struct control		*control;
	struct health		*health;
	struct prefix_state	*prefixes;	/* announce.c's, one per prefix */
	size_t			 nprefixes;
	struct event		*gshut_timer;	/* announce.c's */
	struct timespec		 started;	/* CLOCK_MONOTONIC */
	time_t			 started_wall;
	bool			 stopping;
	struct event		*stop_timer;
};

/* SIGHUP and `reload`: -1 with the first error in err (may be NULL). */
int	 daemon_reload(struct daemon *, char *err, size_t errlen);

/* Seconds since a monotonic time point, as shown to operators. */
double	 mono_since(const struct timespec *);
void	 mono_now(struct timespec *);

#endif /* ANYCASTD_ANYCASTD_H */
