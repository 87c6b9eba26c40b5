/*
 * The RFC 4271 section 8 finite state machine, as a pure function: given a
 * state and an event it returns the next state and the actions the session
 * layer must carry out, in the order of enum fsm_action. It owns no
 * sockets and no timers, so every state x event pair can be tested alone.
 */
#ifndef ANYCASTD_FSM_H
#define ANYCASTD_FSM_H

#include <stdbool.h>
#include <stdint.h>

enum fsm_state {
	FSM_IDLE,
	FSM_CONNECT,
	FSM_ACTIVE,
	FSM_OPENSENT,
	FSM_OPENCONFIRM,
	FSM_ESTABLISHED,
	FSM_STATE_MAX
};

/*
 * The events of RFC 4271 8.1 that apply to a speaker with automatic start
 * and no DelayOpen; the number is the RFC's event number.
 */
enum fsm_event {
	FSM_EV_MANUAL_START,		/*  1: neighbor up */
	FSM_EV_MANUAL_STOP,		/*  2: neighbor down, shutdown */
	FSM_EV_AUTO_START,		/*  3 */
	FSM_EV_AUTO_START_PASSIVE,	/*  5: passive neighbors */
	FSM_EV_AUTO_STOP,		/*  8: reset, config change */
	FSM_EV_CONNRETRY_EXPIRED,	/*  9 */
	FSM_EV_HOLD_EXPIRED,		/* 10 */
	FSM_EV_KEEPALIVE_EXPIRED,	/* 11 */
	FSM_EV_IDLEHOLD_EXPIRED,	/* 13: automatic restart back-off over */
	FSM_EV_CONN_OPEN,		/* 16/17: Tcp_CR_Acked, TcpConnectionConfirmed */
	FSM_EV_CONN_FAIL,		/* 18: TcpConnectionFails */
	FSM_EV_RCVD_OPEN,		/* 19: BGPOpen, checked and acceptable */
	FSM_EV_HEADER_ERR,		/* 21: BGPHeaderErr */
	FSM_EV_OPEN_ERR,		/* 22: BGPOpenMsgErr */
	FSM_EV_COLLISION_DUMP,		/* 23: OpenCollisionDump */
	FSM_EV_NOTIF_VERSION_ERR,	/* 24: NotifMsgVerErr */
	FSM_EV_NOTIF,			/* 25: NotifMsg */
	FSM_EV_RCVD_KEEPALIVE,		/* 26: KeepAliveMsg */
	FSM_EV_RCVD_UPDATE,		/* 27: UpdateMsg (and ROUTE-REFRESH) */
	FSM_EV_UPDATE_ERR,		/* 28: UpdateMsgErr */
	FSM_EVENT_MAX
};

/* Carried out by the session layer in this order. */
enum fsm_action {
	FSM_ACT_SEND_NOTIFICATION = 1 << 0,	/* code/subcode in the result */
	FSM_ACT_SEND_OPEN	= 1 << 1,
	FSM_ACT_SEND_KEEPALIVE	= 1 << 2,
	FSM_ACT_PROCESS_MSG	= 1 << 3,	/* hand the UPDATE to the RIB */
	FSM_ACT_DROP_TCP	= 1 << 4,	/* after flushing what is queued */
	FSM_ACT_RELEASE		= 1 << 5,	/* stop every timer, free buffers */
	FSM_ACT_DELETE_ROUTES	= 1 << 6,	/* leaving Established */
	FSM_ACT_CONNRETRY_START	= 1 << 7,	/* (re)start ConnectRetryTimer */
	FSM_ACT_CONNRETRY_STOP	= 1 << 8,
	FSM_ACT_COUNTER_INC	= 1 << 9,	/* ConnectRetryCounter++ */
	FSM_ACT_COUNTER_RESET	= 1 << 10,
	FSM_ACT_HOLD_LARGE	= 1 << 11,	/* HoldTimer = 4 minutes */
	FSM_ACT_HOLD_NEGOTIATED	= 1 << 12,	/* Hold + Keepalive timers */
	FSM_ACT_HOLD_RESTART	= 1 << 13,
	FSM_ACT_KEEPALIVE_RESTART = 1 << 14,
	FSM_ACT_CONNECT		= 1 << 15,	/* initiate the TCP connection */
	FSM_ACT_ESTABLISHED	= 1 << 16,	/* announce the current set */
	FSM_ACT_IDLEHOLD_START	= 1 << 17,	/* back-off before auto start */
};

struct fsm_result {
	enum fsm_state	next;
	uint32_t	actions;	/* FSM_ACT_* */
	uint8_t		err_code;	/* with FSM_ACT_SEND_NOTIFICATION; */
	uint8_t		err_subcode;	/* 0/0: the session supplies them */
};

struct fsm_result	 fsm_step(enum fsm_state, enum fsm_event, bool passive);
const char		*fsm_state_name(enum fsm_state);
const char		*fsm_event_name(enum fsm_event);

/*
 * Seconds to wait in Idle before restarting after the n-th consecutive
 * failure: base doubled per failure up to max, less up to 25 % jitter
 * (RFC 4271 10). rnd is a uniform 32-bit random value.
 */
uint32_t	 fsm_backoff_ms(uint32_t base_ms, uint32_t max_ms,
		    uint32_t failures, uint32_t rnd);
/* Jittered interval: 75..100 % of ms (RFC 4271 10). */
uint32_t	 fsm_jitter_ms(uint32_t ms, uint32_t rnd);
/* Hold time negotiation (RFC 4271 4.2): the smaller of the two, 0 stays 0.
 * Returns -1 when the peer's value is 1 or 2 (unacceptable). */
int		 fsm_negotiate_hold(uint16_t ours, uint16_t theirs,
		    uint16_t *negotiated);
/* RFC 6608 subcode for an unexpected message in a state. */
uint8_t		 fsm_error_subcode(enum fsm_state);

#endif /* ANYCASTD_FSM_H */
