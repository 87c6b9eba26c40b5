/*
 * RFC 4271 section 8.2.2, one state at a time. fsm_step() is pure: the
 * session layer feeds it events and carries out the actions it returns, so
 * this file can be read against the RFC and tested without sockets.
 *
 * Where the RFC leaves a choice or is silent, the choices are:
 * - No DelayOpen, no SendNOTIFICATIONwithoutOPEN, no passive TCP option
 *   beyond a passive neighbor, which never starts ConnectRetryTimer and so
 *   never connects out.
 * - A failed outgoing connection in Connect waits in Active for the
 *   ConnectRetryTimer (as the RFC does when DelayOpen is running) and counts
 *   the failure, so the retry interval backs off.
 * - Every way into Idle except ManualStop arms the IdleHoldTimer (the
 *   DampPeerOscillations back-off of 8.1.1); its expiry is an automatic
 *   start that keeps ConnectRetryCounter, so the back-off grows with
 *   consecutive failures. Our own IdleHoldTimer firing outside Idle is
 *   ignored: it says nothing about the peer.
 * - A NOTIFICATION is never answered with one (RFC 4271 4.5).
 * - A header error in Established gets the Message Header Error of 6.1,
 *   not an FSM Error.
 */
#include <assert.h>

#include "bgp.h"
#include "fsm.h"
#include "util.h"

static const char *const fsm_state_names[] = {
	[FSM_IDLE] = "Idle",
	[FSM_CONNECT] = "Connect",
	[FSM_ACTIVE] = "Active",
	[FSM_OPENSENT] = "OpenSent",
	[FSM_OPENCONFIRM] = "OpenConfirm",
	[FSM_ESTABLISHED] = "Established",
};
static_assert(nitems(fsm_state_names) == FSM_STATE_MAX, "fsm_state_names");

static const char *const fsm_event_names[] = {
	[FSM_EV_MANUAL_START] = "ManualStart",
	[FSM_EV_MANUAL_STOP] = "ManualStop",
	[FSM_EV_AUTO_START] = "AutomaticStart",
	[FSM_EV_AUTO_START_PASSIVE] = "AutomaticStart_with_PassiveTcpEstablishment",
	[FSM_EV_AUTO_STOP] = "AutomaticStop",
	[FSM_EV_CONNRETRY_EXPIRED] = "ConnectRetryTimer_Expires",
	[FSM_EV_HOLD_EXPIRED] = "HoldTimer_Expires",
	[FSM_EV_KEEPALIVE_EXPIRED] = "KeepaliveTimer_Expires",
	[FSM_EV_IDLEHOLD_EXPIRED] = "IdleHoldTimer_Expires",
	[FSM_EV_CONN_OPEN] = "TcpConnectionConfirmed",
	[FSM_EV_CONN_FAIL] = "TcpConnectionFails",
	[FSM_EV_RCVD_OPEN] = "BGPOpen",
	[FSM_EV_HEADER_ERR] = "BGPHeaderErr",
	[FSM_EV_OPEN_ERR] = "BGPOpenMsgErr",
	[FSM_EV_COLLISION_DUMP] = "OpenCollisionDump",
	[FSM_EV_NOTIF_VERSION_ERR] = "NotifMsgVerErr",
	[FSM_EV_NOTIF] = "NotifMsg",
	[FSM_EV_RCVD_KEEPALIVE] = "KeepAliveMsg",
	[FSM_EV_RCVD_UPDATE] = "UpdateMsg",
	[FSM_EV_UPDATE_ERR] = "UpdateMsgErr",
};
static_assert(nitems(fsm_event_names) == FSM_EVENT_MAX, "fsm_event_names");

/* Leaving a connection for Idle because something went wrong. */
#define TO_IDLE_ERR	(FSM_ACT_CONNRETRY_STOP | FSM_ACT_RELEASE | \
			    FSM_ACT_DROP_TCP | FSM_ACT_COUNTER_INC | \
			    FSM_ACT_IDLEHOLD_START)
/* Leaving for Idle on the operator's word: no back-off, counter zeroed. */
#define TO_IDLE_STOP	(FSM_ACT_CONNRETRY_STOP | FSM_ACT_RELEASE | \
			    FSM_ACT_DROP_TCP | FSM_ACT_COUNTER_RESET)

static struct fsm_result
go(enum fsm_state next, uint32_t actions)
{
	struct fsm_result r = { .next = next, .actions = actions };

	return r;
}

static struct fsm_result
notify(enum fsm_state next, uint32_t actions, uint8_t code, uint8_t subcode)
{
	struct fsm_result r = go(next, actions | FSM_ACT_SEND_NOTIFICATION);

	r.err_code = code;
	r.err_subcode = subcode;
	return r;
}

/* Idle: only a start event does anything (8.2.2, Idle state). */
static struct fsm_result
step_idle(enum fsm_event ev, bool passive)
{
	uint32_t counter;

	switch (ev) {
	case FSM_EV_MANUAL_START:
	case FSM_EV_AUTO_START:
	case FSM_EV_AUTO_START_PASSIVE:
	case FSM_EV_IDLEHOLD_EXPIRED:
		/* A fresh start zeroes the counter; a restart after the
		 * back-off keeps it so the next back-off is longer. */
		counter = ev == FSM_EV_IDLEHOLD_EXPIRED ? 0 :
		    FSM_ACT_COUNTER_RESET;
		if (passive || ev == FSM_EV_AUTO_START_PASSIVE)
			return go(FSM_ACTIVE, counter);
		return go(FSM_CONNECT, counter | FSM_ACT_CONNRETRY_START |
		    FSM_ACT_CONNECT);
	default:
		return go(FSM_IDLE, 0);	/* other events are ignored */
	}
}

static struct fsm_result
step_connect(enum fsm_event ev, bool passive)
{
	switch (ev) {
	case FSM_EV_MANUAL_START:
	case FSM_EV_AUTO_START:
	case FSM_EV_AUTO_START_PASSIVE:
	case FSM_EV_IDLEHOLD_EXPIRED:
		return go(FSM_CONNECT, 0);
	case FSM_EV_MANUAL_STOP:
		return go(FSM_IDLE, TO_IDLE_STOP);
	case FSM_EV_CONNRETRY_EXPIRED:
		if (passive)	/* a passive neighbor is never in Connect */
			return go(FSM_ACTIVE, FSM_ACT_DROP_TCP |
			    FSM_ACT_CONNRETRY_STOP);
		return go(FSM_CONNECT, FSM_ACT_DROP_TCP |
		    FSM_ACT_CONNRETRY_START | FSM_ACT_CONNECT);
	case FSM_EV_CONN_OPEN:
		return go(FSM_OPENSENT, FSM_ACT_CONNRETRY_STOP |
		    FSM_ACT_SEND_OPEN | FSM_ACT_HOLD_LARGE);
	case FSM_EV_CONN_FAIL:
		/* See the file comment: wait in Active, listening. */
		return go(FSM_ACTIVE, FSM_ACT_DROP_TCP | FSM_ACT_COUNTER_INC |
		    (passive ? FSM_ACT_CONNRETRY_STOP :
		    FSM_ACT_CONNRETRY_START));
	case FSM_EV_NOTIF_VERSION_ERR:
		return go(FSM_IDLE, TO_IDLE_ERR & ~FSM_ACT_COUNTER_INC);
	case FSM_EV_AUTO_STOP:
	case FSM_EV_HOLD_EXPIRED:
	case FSM_EV_KEEPALIVE_EXPIRED:
	case FSM_EV_RCVD_OPEN:
	case FSM_EV_HEADER_ERR:
	case FSM_EV_OPEN_ERR:
	case FSM_EV_COLLISION_DUMP:
	case FSM_EV_NOTIF:
	case FSM_EV_RCVD_KEEPALIVE:
	case FSM_EV_RCVD_UPDATE:
	case FSM_EV_UPDATE_ERR:
	case FSM_EVENT_MAX:
		break;
	}
	return go(FSM_IDLE, TO_IDLE_ERR);
}

static struct fsm_result
step_active(enum fsm_event ev, bool passive)
{
	switch (ev) {
	case FSM_EV_MANUAL_START:
	case FSM_EV_AUTO_START:
	case FSM_EV_AUTO_START_PASSIVE:
	case FSM_EV_IDLEHOLD_EXPIRED:
		return go(FSM_ACTIVE, 0);
	case FSM_EV_MANUAL_STOP:
		return go(FSM_IDLE, TO_IDLE_STOP);
	case FSM_EV_CONNRETRY_EXPIRED:
		if (passive)	/* cannot happen: the timer never runs */
			return go(FSM_ACTIVE, FSM_ACT_CONNRETRY_STOP);
		return go(FSM_CONNECT, FSM_ACT_CONNRETRY_START |
		    FSM_ACT_CONNECT);
	case FSM_EV_CONN_OPEN:
		return go(FSM_OPENSENT, FSM_ACT_CONNRETRY_STOP |
		    FSM_ACT_SEND_OPEN | FSM_ACT_HOLD_LARGE);
	case FSM_EV_NOTIF_VERSION_ERR:
		return go(FSM_IDLE, TO_IDLE_ERR & ~FSM_ACT_COUNTER_INC);
	case FSM_EV_AUTO_STOP:
	case FSM_EV_HOLD_EXPIRED:
	case FSM_EV_KEEPALIVE_EXPIRED:
	case FSM_EV_CONN_FAIL:
	case FSM_EV_RCVD_OPEN:
	case FSM_EV_HEADER_ERR:
	case FSM_EV_OPEN_ERR:
	case FSM_EV_COLLISION_DUMP:
	case FSM_EV_NOTIF:
	case FSM_EV_RCVD_KEEPALIVE:
	case FSM_EV_RCVD_UPDATE:
	case FSM_EV_UPDATE_ERR:
	case FSM_EVENT_MAX:
		break;
	}
	return go(FSM_IDLE, TO_IDLE_ERR);
}

static struct fsm_result
step_opensent(enum fsm_event ev, bool passive)
{
	switch (ev) {
	case FSM_EV_MANUAL_START:
	case FSM_EV_AUTO_START:
	case FSM_EV_AUTO_START_PASSIVE:
	case FSM_EV_IDLEHOLD_EXPIRED:
		return go(FSM_OPENSENT, 0);
	case FSM_EV_MANUAL_STOP:
		return notify(FSM_IDLE, TO_IDLE_STOP, BGP_ERR_CEASE,
		    BGP_ERR_CEASE_ADMIN_SHUTDOWN);
	case FSM_EV_AUTO_STOP:
		return notify(FSM_IDLE, TO_IDLE_ERR, BGP_ERR_CEASE, 0);
	case FSM_EV_HOLD_EXPIRED:
		return notify(FSM_IDLE, TO_IDLE_ERR, BGP_ERR_HOLD, 0);
	case FSM_EV_CONN_FAIL:
		return go(FSM_ACTIVE, FSM_ACT_DROP_TCP | (passive ?
		    FSM_ACT_CONNRETRY_STOP : FSM_ACT_CONNRETRY_START));
	case FSM_EV_RCVD_OPEN:
		return go(FSM_OPENCONFIRM, FSM_ACT_CONNRETRY_STOP |
		    FSM_ACT_SEND_KEEPALIVE | FSM_ACT_HOLD_NEGOTIATED);
	case FSM_EV_HEADER_ERR:
	case FSM_EV_OPEN_ERR:
		/* The session supplies the code, subcode and data. */
		return notify(FSM_IDLE, TO_IDLE_ERR, 0, 0);
	case FSM_EV_COLLISION_DUMP:
		return notify(FSM_IDLE, TO_IDLE_ERR, BGP_ERR_CEASE,
		    BGP_ERR_CEASE_COLLISION);
	case FSM_EV_NOTIF_VERSION_ERR:
		return go(FSM_IDLE, TO_IDLE_ERR & ~FSM_ACT_COUNTER_INC);
	case FSM_EV_NOTIF:
		return go(FSM_IDLE, TO_IDLE_ERR);
	case FSM_EV_CONNRETRY_EXPIRED:
	case FSM_EV_KEEPALIVE_EXPIRED:
	case FSM_EV_CONN_OPEN:
	case FSM_EV_RCVD_KEEPALIVE:
	case FSM_EV_RCVD_UPDATE:
	case FSM_EV_UPDATE_ERR:
	case FSM_EVENT_MAX:
		break;
	}
	return notify(FSM_IDLE, TO_IDLE_ERR, BGP_ERR_FSM, BGP_ERR_FSM_OPENSENT);
}

static struct fsm_result
step_openconfirm(enum fsm_event ev)
{
	switch (ev) {
	case FSM_EV_MANUAL_START:
	case FSM_EV_AUTO_START:
	case FSM_EV_AUTO_START_PASSIVE:
	case FSM_EV_IDLEHOLD_EXPIRED:
		return go(FSM_OPENCONFIRM, 0);
	case FSM_EV_MANUAL_STOP:
		return notify(FSM_IDLE, TO_IDLE_STOP, BGP_ERR_CEASE,
		    BGP_ERR_CEASE_ADMIN_SHUTDOWN);
	case FSM_EV_AUTO_STOP:
		return notify(FSM_IDLE, TO_IDLE_ERR, BGP_ERR_CEASE, 0);
	case FSM_EV_HOLD_EXPIRED:
		return notify(FSM_IDLE, TO_IDLE_ERR, BGP_ERR_HOLD, 0);
	case FSM_EV_KEEPALIVE_EXPIRED:
		return go(FSM_OPENCONFIRM, FSM_ACT_SEND_KEEPALIVE |
		    FSM_ACT_KEEPALIVE_RESTART);
	case FSM_EV_CONN_FAIL:
	case FSM_EV_NOTIF:
		return go(FSM_IDLE, TO_IDLE_ERR);
	case FSM_EV_NOTIF_VERSION_ERR:
		return go(FSM_IDLE, TO_IDLE_ERR & ~FSM_ACT_COUNTER_INC);
	case FSM_EV_HEADER_ERR:
	case FSM_EV_OPEN_ERR:
		return notify(FSM_IDLE, TO_IDLE_ERR, 0, 0);
	case FSM_EV_COLLISION_DUMP:
		return notify(FSM_IDLE, TO_IDLE_ERR, BGP_ERR_CEASE,
		    BGP_ERR_CEASE_COLLISION);
	case FSM_EV_RCVD_KEEPALIVE:
		return go(FSM_ESTABLISHED, FSM_ACT_HOLD_RESTART |
		    FSM_ACT_ESTABLISHED);
	case FSM_EV_CONNRETRY_EXPIRED:
	case FSM_EV_CONN_OPEN:
	case FSM_EV_RCVD_OPEN:
	case FSM_EV_RCVD_UPDATE:
	case FSM_EV_UPDATE_ERR:
	case FSM_EVENT_MAX:
		break;
	}
	return notify(FSM_IDLE, TO_IDLE_ERR, BGP_ERR_FSM,
	    BGP_ERR_FSM_OPENCONFIRM);
}

static struct fsm_result
step_established(enum fsm_event ev)
{
	const uint32_t down = TO_IDLE_ERR | FSM_ACT_DELETE_ROUTES;

	switch (ev) {
	case FSM_EV_MANUAL_START:
	case FSM_EV_AUTO_START:
	case FSM_EV_AUTO_START_PASSIVE:
	case FSM_EV_IDLEHOLD_EXPIRED:
		return go(FSM_ESTABLISHED, 0);
	case FSM_EV_MANUAL_STOP:
		return notify(FSM_IDLE, TO_IDLE_STOP | FSM_ACT_DELETE_ROUTES,
		    BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN);
	case FSM_EV_AUTO_STOP:
		return notify(FSM_IDLE, down, BGP_ERR_CEASE, 0);
	case FSM_EV_HOLD_EXPIRED:
		return notify(FSM_IDLE, down, BGP_ERR_HOLD, 0);
	case FSM_EV_KEEPALIVE_EXPIRED:
		return go(FSM_ESTABLISHED, FSM_ACT_SEND_KEEPALIVE |
		    FSM_ACT_KEEPALIVE_RESTART);
	case FSM_EV_COLLISION_DUMP:
		return notify(FSM_IDLE, down, BGP_ERR_CEASE,
		    BGP_ERR_CEASE_COLLISION);
	case FSM_EV_CONN_FAIL:
	case FSM_EV_NOTIF:
	case FSM_EV_NOTIF_VERSION_ERR:
		return go(FSM_IDLE, down);
	case FSM_EV_RCVD_KEEPALIVE:
		return go(FSM_ESTABLISHED, FSM_ACT_HOLD_RESTART);
	case FSM_EV_RCVD_UPDATE:
		return go(FSM_ESTABLISHED, FSM_ACT_PROCESS_MSG |
		    FSM_ACT_HOLD_RESTART);
	case FSM_EV_UPDATE_ERR:
	case FSM_EV_HEADER_ERR:
		return notify(FSM_IDLE, down, 0, 0);
	case FSM_EV_CONNRETRY_EXPIRED:
	case FSM_EV_CONN_OPEN:
	case FSM_EV_RCVD_OPEN:
	case FSM_EV_OPEN_ERR:
	case FSM_EVENT_MAX:
		break;
	}
	return notify(FSM_IDLE, down, BGP_ERR_FSM, BGP_ERR_FSM_ESTABLISHED);
}

/* The next state and the actions for ev in state s (RFC 4271 8.2.2). */
struct fsm_result
fsm_step(enum fsm_state s, enum fsm_event ev, bool passive)
{
	switch (s) {
	case FSM_IDLE:
		return step_idle(ev, passive);
	case FSM_CONNECT:
		return step_connect(ev, passive);
	case FSM_ACTIVE:
		return step_active(ev, passive);
	case FSM_OPENSENT:
		return step_opensent(ev, passive);
	case FSM_OPENCONFIRM:
		return step_openconfirm(ev);
	case FSM_ESTABLISHED:
		return step_established(ev);
	case FSM_STATE_MAX:
		break;
	}
	return go(FSM_IDLE, 0);
}

const char *
fsm_state_name(enum fsm_state s)
{
	return (unsigned)s < FSM_STATE_MAX ? fsm_state_names[s] : "?";
}

const char *
fsm_event_name(enum fsm_event ev)
{
	return (unsigned)ev < FSM_EVENT_MAX ? fsm_event_names[ev] : "?";
}

uint32_t
fsm_jitter_ms(uint32_t ms, uint32_t rnd)
{
	/* RFC 4271 10: multiply by a random factor in 0.75..1.0. */
	return ms - (uint32_t)(((uint64_t)ms / 4) * (rnd % 1001) / 1000);
}

uint32_t
fsm_backoff_ms(uint32_t base_ms, uint32_t max_ms, uint32_t failures,
    uint32_t rnd)
{
	uint64_t ms = base_ms;

	while (failures-- > 0 && ms < max_ms)
		ms *= 2;
	if (ms > max_ms)
		ms = max_ms;
	return fsm_jitter_ms((uint32_t)ms, rnd);
}

int
fsm_negotiate_hold(uint16_t ours, uint16_t theirs, uint16_t *negotiated)
{
	if (theirs == 1 || theirs == 2)		/* RFC 4271 4.2, 6.2 */
		return -1;
	*negotiated = ours < theirs ? ours : theirs;
	return 0;
}

uint8_t
fsm_error_subcode(enum fsm_state s)
{
	switch (s) {
	case FSM_OPENSENT:
		return BGP_ERR_FSM_OPENSENT;
	case FSM_OPENCONFIRM:
		return BGP_ERR_FSM_OPENCONFIRM;
	case FSM_ESTABLISHED:
		return BGP_ERR_FSM_ESTABLISHED;
	case FSM_IDLE:
	case FSM_CONNECT:
	case FSM_ACTIVE:
	case FSM_STATE_MAX:
		break;
	}
	return BGP_ERR_FSM_UNSPECIFIC;
}
