#!/bin/bash
# Health checks driving announcements, seen from FRR's bgpd (run without
# zebra): a real HTTP service and anycastd in one network namespace, bgpd
# in another. The scenarios are tests/interop/lib.sh's hs_* functions;
# this file gives them FRR's side. See tests/interop/README.
#
# INTEROP_ONLY="1 5" runs only those scenarios; ANYCASTD / ANYCASTCTL name
# the binaries (default: $BUILDDIR/src/); FRR_BGPD the bgpd binary.

set -u
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/interop/lib.sh"

if ! [ -x "$FRR_BGPD" ] || ! command -v vtysh >/dev/null 2>&1; then
	skip "FRR bgpd not found (Debian package frr)"
fi
command -v python3 >/dev/null 2>&1 || skip "python3 not found (the HTTP service)"
it_init "health-frr"

RT_NAME=FRR

# rt_start DIR AS: bgpd passive, both families, logging every UPDATE it
# receives (withdrawals included) in DIR/frr.log, keeping the routes as
# received (soft-reconfiguration inbound): FRR itself lowers LOCAL_PREF to
# 0 on routes with 65535:0, so only its Adj-RIB-In shows what we sent.
rt_start() {
	local dir=$1 as=$2
	RT_DIR=$dir
	frr_conf "$dir" "log timestamp precision 6
debug bgp updates in
router bgp $as
	bgp router-id $RT_ADDR4
	no bgp ebgp-requires-policy
	no bgp default ipv4-unicast
	no bgp network import-check
	neighbor $POP_ADDR4 remote-as $HC_AC_AS
	neighbor $POP_ADDR4 passive
	address-family ipv4 unicast
	 neighbor $POP_ADDR4 activate
	 neighbor $POP_ADDR4 soft-reconfiguration inbound
	exit-address-family
	address-family ipv6 unicast
	 neighbor $POP_ADDR4 activate
	 neighbor $POP_ADDR4 soft-reconfiguration inbound
	exit-address-family"
	frr_start "$dir"
}

rt_established() { frr_established "$POP_ADDR4"; }

# FRR's JSON names 65535:0 "gracefulShutdown" (its text
# "graceful-shutdown"); any spelling will do.
COMMS='(.community.list // [] | map(if . == "gracefulShutdown" or
	. == "graceful-shutdown" then "65535:0" else . end))'

# vt_json_is COMMAND JQ-CONDITION: FRR's JSON answer satisfies it. Not
# lib.sh's frr_path_has: with jq 1.6, "jq -e" exits 0 on empty input, so
# that passes when the prefix is absent; -n with input fails instead.
vt_json_is() { vt "$1" | jq -n -e "input | $2" >/dev/null; }

# rt_path_is AFI PREFIX JQ-CONDITION: FRR has exactly one best path for
# PREFIX, and it satisfies the condition.
rt_path_is() {
	vt_json_is "show bgp $1 unicast $2 json" \
	    "[.paths[]? | select(.bestpath.overall == true) | ($3)] |
	    length == 1 and all"
}

rt_v4_ok() {
	local comm='["65010:100"]' lp=100 path='.aspath.string == "'$HC_AC_AS'"'
	if [ "$1" = gshut ]; then
		comm='["65010:100","65535:0"]'
		lp=0
	fi
	if [ "$HC_IBGP" = 1 ]; then
		path=".aspath.length == 0 and .locPrf == $lp"
		vt_json_is "show bgp ipv4 unicast neighbors $POP_ADDR4 received-routes json" \
		    ".receivedRoutes[\"$V4_PREFIX\"].locPrf == $lp" || return 1
	fi
	rt_path_is ipv4 "$V4_PREFIX" "$path and .metric == 10
	    and ([.nexthops[].ip] | index(\"$POP_ADDR4\") != null)
	    and $COMMS == $comm"
}

rt_v6_ok() {
	rt_path_is ipv6 "$V6_PREFIX" \
	    '[.nexthops[] | select(.scope == "global") | .ip] == ["'$POP_ADDR6'"]'
}

rt_afi() { case $1 in *:*) echo ipv6 ;; *) echo ipv4 ;; esac; }
rt_has() {
	vt_json_is "show bgp $(rt_afi "$1") unicast $1 json" \
	    '(.paths // []) | length > 0'
}
rt_lacks() {
	vt_json_is "show bgp $(rt_afi "$1") unicast $1 json" \
	    '(.paths // []) | length == 0'
}

# rt_times update|withdraw PREFIX, from FRR's log (local time, to the
# microsecond):
# "2026/11/28 06:09:14.123456 BGP: [..] 192.0.2.10(vm) rcvd 203.0.113.0/24 IPv4 unicast"
# "2026/11/28 06:09:14.123456 BGP: [..] 192.0.2.10(vm) rcvd UPDATE about 203.0.113.0/24 IPv4 unicast -- withdrawn"
rt_times() {
	local what="rcvd $2 IPv[46] unicast\$"
	[ "$1" = withdraw ] &&
	    what="rcvd UPDATE about $2 IPv[46] unicast -- withdrawn"
	grep -E "$what" "$RT_DIR/frr.log" | awk '{ print $1, $2 }' |
	    date -f - +%s.%6N
}

# Sessions established and dropped so far: any restart changes them.
rt_session_id() {
	frr_neighbor "$POP_ADDR4" |
	    jq -r '"established \(.connectionsEstablished), dropped \(.connectionsDropped)"'
}

scenario 1 "a-c) service up, killed, restarted" hs_updown
scenario 2 "d) on-down graceful-shutdown 3s (eBGP)" hs_gshut
scenario 3 "d') graceful shutdown over iBGP: LOCAL_PREF 0" hs_gshut_ibgp
scenario 4 "e) drain survives a restart, undrain" hs_drain
scenario 5 "f) a hanging exec check is killed and reaped" hs_hang
scenario 6 "g) reload adds a prefix, the session stays" hs_reload
it_summary
