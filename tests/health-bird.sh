#!/bin/bash
# Health checks driving announcements, seen from BIRD 2: a real HTTP
# service and anycastd in one network namespace, BIRD in another. The
# scenarios are tests/interop/lib.sh's hs_* functions; this file gives
# them BIRD's side. See tests/interop/README.
#
# INTEROP_ONLY="1 5" runs only those scenarios; ANYCASTD / ANYCASTCTL name
# the binaries (default: $BUILDDIR/src/).

set -u
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/interop/lib.sh"

if ! command -v bird >/dev/null 2>&1 || ! command -v birdc >/dev/null 2>&1
then
	skip "bird not found (Debian package bird2)"
fi
command -v python3 >/dev/null 2>&1 || skip "python3 not found (the HTTP service)"
it_init "health-bird"

RT_NAME=BIRD

# rt_start DIR AS: BIRD passive, importing everything from anycastd, with
# millisecond timestamps and every route change in DIR/bird.log.
rt_start() {
	local dir=$1 as=$2 gw=
	RT_DIR=$dir
	[ "$as" = "$HC_AC_AS" ] && gw="direct;"
	bird_conf "$dir" "$RT_ADDR4" "
timeformat log \"%s.%6f\";
timeformat protocol \"%F %T.%3f\";
protocol bgp ac {
	local $RT_ADDR4 as $as;
	neighbor $POP_ADDR4 as $HC_AC_AS;
	passive on;
	$gw
	debug { states, routes, events };
	ipv4 { import all; export none; ${gw:+gateway direct;} };
	ipv6 { import all; export none; ${gw:+gateway direct;} };
}"
	bird_start "$dir"
}

rt_established() { bird_established ac; }

rt_v4_ok() {
	local comm="(65010,100)" lp=100 path="BGP.as_path: $HC_AC_AS"
	if [ "$1" = gshut ]; then
		comm="(65010,100) (65535,0)"
		lp=0
	fi
	[ "$HC_IBGP" = 1 ] && path="BGP.as_path:"
	if [ "$HC_IBGP" = 1 ]; then
		bird_route_has "$V4_PREFIX" "$path" "BGP.next_hop: $POP_ADDR4" \
		    "BGP.med: 10" "BGP.community: $comm" "BGP.local_pref: $lp"
	else
		bird_route_has "$V4_PREFIX" "$path" "BGP.next_hop: $POP_ADDR4" \
		    "BGP.med: 10" "BGP.community: $comm"
	fi
}

rt_v6_ok() {
	bird_route_has "$V6_PREFIX" "BGP.next_hop: $POP_ADDR6"
}

rt_has() { bird_route_has "$1"; }
rt_lacks() { bird_no_route "$1"; }

# rt_times update|withdraw PREFIX, from BIRD's log:
# "1795845370.481123 <TRACE> ac.ipv4 > added [best] 203.0.113.0/24 0L 2G unicast"
# "1795845370.481123 <TRACE> ac.ipv4 > removed [sole] 203.0.113.0/24 0L 2G unicast"
rt_times() {
	local what='(added|updated)'
	[ "$1" = withdraw ] && what=removed
	grep -E "> $what \[[a-z]+\] $2 " "$RT_DIR/bird.log" |
	    awk '{ print $1 }'
}

# BIRD's "since" for the protocol, to the millisecond.
rt_session_id() {
	bird_cli show protocols ac | awk '$1 == "ac" { print $5, $6 }'
}

scenario 1 "a-c) service up, killed, restarted" hs_updown
scenario 2 "d) on-down graceful-shutdown 3s (eBGP)" hs_gshut
scenario 3 "d') graceful shutdown over iBGP: LOCAL_PREF 0" hs_gshut_ibgp
scenario 4 "e) drain survives a restart, undrain" hs_drain
scenario 5 "f) a hanging exec check is killed and reaped" hs_hang
scenario 6 "g) reload adds a prefix, the session stays" hs_reload
it_summary
