#!/bin/bash
# Interoperability with FRR's bgpd (run without zebra): anycastd in one
# network namespace, bgpd in another, a veth pair between them. Each
# scenario prints PASS or FAIL; any FAIL makes the test fail. See
# tests/interop/README.
#
# INTEROP_ONLY="1 5" runs only those scenarios; ANYCASTD / ANYCASTCTL name
# the binaries (default: $BUILDDIR/src/); FRR_BGPD the bgpd binary.

set -u
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/interop/lib.sh"

if ! [ -x "$FRR_BGPD" ] || ! command -v vtysh >/dev/null 2>&1; then
	skip "FRR bgpd not found (Debian package frr)"
fi
it_init "interop-frr"

RT_AS=4200000001
AC_AS=4200000010

AC_BOTH="	family ipv4 unicast
	family ipv6 unicast
	next-hop $POP_ADDR6"

# The policy FRR 8.4 wants before it talks eBGP, and no route validation
# through zebra (there is none).
FRR_COMMON="	no bgp ebgp-requires-policy
	no bgp default ipv4-unicast
	no bgp network import-check"

V4_CHECK='.aspath.string == "'$AC_AS'" and .metric == 10
	and ([.nexthops[].ip] | index("'$POP_ADDR4'") != null)
	and .community.list == ["65010:100"]
	and .largeCommunity.list == ["65010:1:1"] and .valid == true'
V6_CHECK='.aspath.string == "'$AC_AS'"
	and ([.nexthops[] | select(.scope == "global") | .ip] == ["'$POP_ADDR6'"])
	and .valid == true'

# frr_nb_has ADDR JQ-CONDITION: FRR's view of the neighbor satisfies it.
frr_nb_has() { frr_neighbor "$1" | jq -e "$2" >/dev/null; }

both_up() { ac_established "$1" && frr_established "$2"; }
either_up() { ac_established "$1" || frr_established "$2"; }
one_session() { both_up "$RT_ADDR4" "$POP_ADDR4" && pop_conns_are "$1" "$2"; }
one_session_any() { one_session 1 0 || one_session 0 1; }
# Routes in show rib that FRR originated, not ours sent back.
FROM_RT='(.as_path | index('$AC_AS') | not)'

# --- 1 -------------------------------------------------------------------------
s1() {
	local dir=$1
	frr_conf "$dir" "router bgp $RT_AS
	bgp router-id $RT_ADDR4
$FRR_COMMON
	neighbor $POP_ADDR4 remote-as $AC_AS
	neighbor $POP_ADDR4 passive
	address-family ipv4 unicast
	 neighbor $POP_ADDR4 activate
	exit-address-family
	address-family ipv6 unicast
	 neighbor $POP_ADDR4 activate
	exit-address-family"
	ac_conf "$dir" "$AC_AS" "$RT_ADDR4" "$RT_AS" "$AC_BOTH
	connect-retry 1s"
	frr_start "$dir" && ac_start "$dir" || return 1
	expect_within "anycastd: session Established" 10 \
	    ac_established "$RT_ADDR4" || return 1
	expect "FRR: session Established" frr_established "$POP_ADDR4"
	expect "FRR: neighbor AS $AC_AS, 4-octet AS numbers" \
	    frr_nb_has "$POP_ADDR4" ".remoteAs == $AC_AS and
	    .neighborCapabilities[\"4byteAs\"] == \"advertisedAndReceived\""
	expect "FRR: both families negotiated" \
	    frr_nb_has "$POP_ADDR4" '.neighborCapabilities.multiprotocolExtensions
	    | .ipv4Unicast.advertisedAndReceived
	    and .ipv6Unicast.advertisedAndReceived'
	expect_within "FRR: $V4_PREFIX with AS path, next hop, MED, communities" 5 \
	    frr_path_has ipv4 "$V4_PREFIX" "$V4_CHECK"
	expect_within "FRR: $V6_PREFIX with next hop $POP_ADDR6" 5 \
	    frr_path_has ipv6 "$V6_PREFIX" "$V6_CHECK"
	expect "anycastd: prefixes_sent 2" \
	    ac_field_is "$RT_ADDR4" prefixes_sent 2
}

# --- 2 -------------------------------------------------------------------------
s2() {
	local dir=$1
	frr_conf "$dir" "router bgp $RT_AS
	bgp router-id $RT_ADDR4
$FRR_COMMON
	neighbor $POP_ADDR6 remote-as $AC_AS
	neighbor $POP_ADDR6 timers connect 1
	address-family ipv6 unicast
	 neighbor $POP_ADDR6 activate
	exit-address-family"
	ac_conf "$dir" "$AC_AS" "$RT_ADDR6" "$RT_AS" "	passive" \
	    "listen $POP_ADDR6 port 179"
	ac_start "$dir" && frr_start "$dir" || return 1
	expect_within "anycastd: session Established" 15 \
	    ac_established "$RT_ADDR6" || return 1
	expect "FRR: session Established" frr_established "$POP_ADDR6"
	expect "the router opened the connection (anycastd passive)" \
	    pop_conns_are 1 0
	expect_within "FRR: $V6_PREFIX with next hop $POP_ADDR6" 5 \
	    frr_path_has ipv6 "$V6_PREFIX" "$V6_CHECK"
	expect "FRR: no $V4_PREFIX (IPv4 unicast not configured)" \
	    frr_no_route ipv4 "$V4_PREFIX"
}

# --- 3 -------------------------------------------------------------------------
s3() {
	local dir=$1
	frr_conf "$dir" "router bgp 65010
	bgp router-id $RT_ADDR4
$FRR_COMMON
	neighbor $POP_ADDR4 remote-as 65010
	neighbor $POP_ADDR4 passive
	address-family ipv4 unicast
	 neighbor $POP_ADDR4 activate
	exit-address-family"
	ac_conf "$dir" 65010 "$RT_ADDR4" 65010 "	connect-retry 1s"
	frr_start "$dir" && ac_start "$dir" || return 1
	expect_within "anycastd: session Established" 10 \
	    ac_established "$RT_ADDR4" || return 1
	expect "FRR: session Established" frr_established "$POP_ADDR4"
	expect "FRR: internal session" \
	    frr_nb_has "$POP_ADDR4" '.nbrInternalLink == true'
	expect_within "FRR: $V4_PREFIX with LOCAL_PREF 100, empty AS path" 5 \
	    frr_path_has ipv4 "$V4_PREFIX" '.locPrf == 100 and
	    .aspath.length == 0 and .peer.type == "internal" and .metric == 10
	    and ([.nexthops[].ip] | index("'$POP_ADDR4'") != null)'
}

# --- 4 -------------------------------------------------------------------------
# frr_md5_conf DIR PASSWORD PASSIVE(yes|no)
frr_md5_conf() {
	local passive=
	[ "$3" = yes ] && passive="neighbor $POP_ADDR4 passive"
	frr_conf "$1" "router bgp $RT_AS
	bgp router-id $RT_ADDR4
$FRR_COMMON
	neighbor $POP_ADDR4 remote-as $AC_AS
	neighbor $POP_ADDR4 password $2
	neighbor $POP_ADDR4 timers connect 1
	$passive
	address-family ipv4 unicast
	 neighbor $POP_ADDR4 activate
	exit-address-family"
}

s4() {
	local dir=$1
	mkdir -p "$dir/a" "$dir/b" "$dir/c"
	# a) anycastd connects, FRR listens.
	frr_md5_conf "$dir/a" s3cret-md5 yes
	ac_conf "$dir/a" "$AC_AS" "$RT_ADDR4" "$RT_AS" "	password \"s3cret-md5\"
	connect-retry 1s"
	frr_start "$dir/a" && ac_start "$dir/a" || return 1
	expect_within "matching password, anycastd active: Established" 10 \
	    ac_established "$RT_ADDR4"
	expect "FRR agrees" frr_established "$POP_ADDR4"
	teardown_procs

	# b) FRR connects, anycastd listens: the key is on the listener.
	frr_md5_conf "$dir/b" s3cret-md5 no
	ac_conf "$dir/b" "$AC_AS" "$RT_ADDR4" "$RT_AS" "	password \"s3cret-md5\"
	passive" "listen $POP_ADDR4 port 179"
	ac_start "$dir/b" && frr_start "$dir/b" || return 1
	expect_within "matching password, anycastd passive: Established" 15 \
	    ac_established "$RT_ADDR4"
	expect "FRR agrees" frr_established "$POP_ADDR4"
	teardown_procs

	# c) Different passwords, both sides connecting and listening.
	frr_md5_conf "$dir/c" not-the-same no
	ac_conf "$dir/c" "$AC_AS" "$RT_ADDR4" "$RT_AS" "	password \"s3cret-md5\"
	connect-retry 1s" "listen $POP_ADDR4 port 179"
	ac_start "$dir/c" && frr_start "$dir/c" || return 1
	expect "mismatching passwords: never Established in 10 s" \
	    never_for 10 either_up "$RT_ADDR4" "$POP_ADDR4"
	expect "anycastd still running" pid_alive "$AC_PID"
	expect "show neighbors still answers" ac_field_is "$RT_ADDR4" address \
	    "$RT_ADDR4"
	local n
	n=$(ip netns exec "$NS_POP" nstat -az TcpExtTCPMD5Failure \
	    TcpExtTCPMD5Unexpected TcpExtTCPMD5NotFound 2>/dev/null |
	    awk '/^TcpExt/ { s += $2 } END { print s + 0 }')
	say "    (pop namespace: $n TCP segments refused for their MD5 signature)"
}

# --- 5 -------------------------------------------------------------------------
s5() {
	local dir=$1 t0 dt
	frr_conf "$dir" "router bgp $RT_AS
	bgp router-id $RT_ADDR4
$FRR_COMMON
	neighbor $POP_ADDR4 remote-as $AC_AS
	neighbor $POP_ADDR4 passive
	neighbor $POP_ADDR4 timers 1 3
	address-family ipv4 unicast
	 neighbor $POP_ADDR4 activate
	exit-address-family"
	ac_conf "$dir" "$AC_AS" "$RT_ADDR4" "$RT_AS" "	hold-time 3
	connect-retry 1s"
	frr_start "$dir" && ac_start "$dir" || return 1
	expect_within "Established with hold time 3" 10 \
	    ac_established "$RT_ADDR4" || return 1
	expect "anycastd: hold_time 3" ac_field_is "$RT_ADDR4" hold_time 3
	kill -STOP "$RT_PID"
	t0=$SECONDS
	expect_within "anycastd drops the session when bgpd stops (SIGSTOP)" 8 \
	    ac_not_established "$RT_ADDR4"
	dt=$((SECONDS - t0))
	expect "... after about the hold time (${dt}s, 2-5 s)" \
	    between "$dt" 2 5
	expect "anycastd logs Hold Timer Expired" \
	    ac_log_has "Hold Timer Expired"
	expect "last_error says Hold Timer Expired" \
	    grep -q "Hold Timer Expired" <<<"$(ac_last_error "$RT_ADDR4")"
	kill -CONT "$RT_PID"
	expect_within "re-established after SIGCONT (back-off bounded)" 30 \
	    both_up "$RT_ADDR4" "$POP_ADDR4"
	expect_within "FRR holds $V4_PREFIX again" 5 \
	    frr_path_has ipv4 "$V4_PREFIX" "$V4_CHECK"
}

# --- 6 -------------------------------------------------------------------------
# Both sides connect and listen; the processes are stopped in turn so that
# the attempts really overlap (see interop-bird.sh).
collision() {
	local dir=$1 rid=$2
	frr_conf "$dir" "router bgp $RT_AS
	bgp router-id $rid
$FRR_COMMON
	neighbor $POP_ADDR4 remote-as $AC_AS
	neighbor $POP_ADDR4 timers connect 1
	address-family ipv4 unicast
	 neighbor $POP_ADDR4 activate
	exit-address-family"
	ac_conf "$dir" "$AC_AS" "$RT_ADDR4" "$RT_AS" "	connect-retry 1s" \
	    "listen $POP_ADDR4 port 179"
	frr_start "$dir" || return 1
	kill -STOP "$RT_PID"
	ac_start "$dir" || return 1
	wait_until "anycastd in OpenSent" 5 ac_log_has "OpenSent"
	kill -STOP "$AC_PID"
	sleep 1.5
	kill -CONT "$RT_PID"
	sleep 1
	kill -CONT "$AC_PID"
	expect_within "settles: both Established, one TCP connection" 20 \
	    one_session_any || return 1
	expect "stays so for 4 s" holds_for "" 4 \
	    one_session_any
	# RFC 4271 6.8: one connection is dropped, the session is not.
	expect "no session restart: no Established session dropped" \
	    ac_never_idle
	# Which connection survives is fixed by the BGP Identifiers only when
	# both OPENs are read before either side reaches Established; if
	# anycastd's own connection gets there first, 6.8 closes the newer
	# one instead. Both are correct: report which it was.
	if [ "$rid" = "$RT_ADDR4" ]; then
		pop_conns_are 0 1 && say "    (kept anycastd's connection, the higher BGP Identifier)" ||
		    say "    (kept FRR's connection: it reached Established first)"
	else
		pop_conns_are 1 0 && say "    (kept FRR's connection, the higher BGP Identifier)" ||
		    say "    (kept anycastd's connection: it reached Established first)"
	fi
	if grep -qi collision "$AC_LOG"; then
		say "    (anycastd: $(grep -i collision "$AC_LOG" | sed "s/^neighbor [^:]*: //" | paste -sd";" -))"
	else
		say "    (anycastd logged no collision this time)"
	fi
	expect_within "FRR holds $V4_PREFIX" 5 \
	    frr_path_has ipv4 "$V4_PREFIX" "$V4_CHECK"
}

s6() {
	mkdir -p "$1/a" "$1/b"
	say "    a) anycastd has the higher BGP Identifier"
	collision "$1/a" "$RT_ADDR4" || return 1
	teardown_procs
	say "    b) FRR has the higher BGP Identifier"
	collision "$1/b" 203.0.113.250
}

# --- 7 -------------------------------------------------------------------------
# FRR advertises anycastd's own prefixes back to it (AS path
# RT_AS AC_AS): the Adj-RIB-In sees them too. Those are counted apart.
s7() {
	local dir=$1
	frr_conf "$dir" "route-map COMM permit 10
	set community 65000:1
exit
route-map NH6 permit 10
	set ipv6 next-hop global $RT_ADDR6
exit
router bgp $RT_AS
	bgp router-id $RT_ADDR4
$FRR_COMMON
	neighbor $POP_ADDR4 remote-as $AC_AS
	neighbor $POP_ADDR4 passive
	address-family ipv4 unicast
	 network 198.51.100.0/24 route-map COMM
	 neighbor $POP_ADDR4 activate
	exit-address-family
	address-family ipv6 unicast
	 network 2001:db8:100::/48 route-map COMM
	 neighbor $POP_ADDR4 activate
	 neighbor $POP_ADDR4 route-map NH6 out
	exit-address-family"
	ac_conf "$dir" "$AC_AS" "$RT_ADDR4" "$RT_AS" "$AC_BOTH
	connect-retry 1s"
	frr_start "$dir" && ac_start "$dir" || return 1
	expect_within "anycastd: session Established" 10 \
	    ac_established "$RT_ADDR4" || return 1
	expect_within "show rib: 198.51.100.0/24 exactly" 5 ac_rib_has \
	    "{\"prefix\":\"198.51.100.0/24\",\"neighbor\":\"$RT_ADDR4\",
	      \"as_path\":[$RT_AS],\"next_hop\":\"$RT_ADDR4\",
	      \"communities\":[\"65000:1\"]}"
	expect_within "show rib: 2001:db8:100::/48 exactly" 5 ac_rib_has \
	    "{\"prefix\":\"2001:db8:100::/48\",\"neighbor\":\"$RT_ADDR4\",
	      \"as_path\":[$RT_AS],\"next_hop\":\"$RT_ADDR6\",
	      \"communities\":[\"65000:1\"]}"
	expect "show rib: no other route from the router" \
	    rib_count_is 2 "$FROM_RT"
	say "    (show rib also has $(rib_count "$FROM_RT | not") of our own" \
	    "prefixes, sent back by FRR with our AS in the path)"
	expect "show rib $RT_ADDR4: the same" \
	    [ "$(ctl show rib "$RT_ADDR4" | jq -c .)" = "$(ctl show rib | jq -c .)" ]
	vt_conf "router bgp $RT_AS" "address-family ipv4 unicast" \
	    "no network 198.51.100.0/24 route-map COMM" "exit-address-family" \
	    "address-family ipv6 unicast" \
	    "no network 2001:db8:100::/48 route-map COMM" >/dev/null
	expect_within "FRR withdraws both: gone from show rib" 5 \
	    rib_count_is 0 "$FROM_RT"
	expect "the session stays up" ac_established "$RT_ADDR4"
}

# --- 8 -------------------------------------------------------------------------
s8() {
	local dir=$1
	frr_conf "$dir" "router bgp $RT_AS
	bgp router-id $RT_ADDR4
$FRR_COMMON
	neighbor $POP_ADDR4 remote-as $AC_AS
	neighbor $POP_ADDR4 passive
	address-family ipv4 unicast
	 neighbor $POP_ADDR4 activate
	exit-address-family
	address-family ipv6 unicast
	 neighbor $POP_ADDR4 activate
	exit-address-family"
	ac_conf "$dir" "$AC_AS" "$RT_ADDR4" "$RT_AS" "$AC_BOTH
	connect-retry 1s"
	frr_start "$dir" && ac_start "$dir" || return 1
	expect_within "FRR holds $V4_PREFIX" 10 frr_path ipv4 "$V4_PREFIX" &&
	expect_within "FRR holds $V6_PREFIX" 5 frr_path ipv6 "$V6_PREFIX" ||
	    return 1
	expect "SIGTERM: anycastd exits within 8 s" ac_stop
	expect "... with status 0" [ "$AC_RC" = 0 ]
	expect_within "FRR: lastNotificationReason Cease/Administrative Shutdown" 5 \
	    frr_nb_has "$POP_ADDR4" \
	    '.lastNotificationReason == "Cease/Administrative Shutdown"'
	expect "FRR: the shutdown communication arrived" \
	    frr_nb_has "$POP_ADDR4" \
	    '.lastShutdownDescription == "anycastd shutting down"'
	expect "FRR: $V4_PREFIX gone" frr_no_route ipv4 "$V4_PREFIX"
	expect "FRR: $V6_PREFIX gone" frr_no_route ipv6 "$V6_PREFIX"
}

scenario 1 "eBGP, IPv4 transport, both families, 4-octet ASNs" s1
scenario 2 "eBGP, IPv6 transport, anycastd passive" s2
scenario 3 "iBGP, LOCAL_PREF and empty AS path" s3
scenario 4 "TCP MD5 signatures" s4
scenario 5 "hold timer expiry and recovery" s5
scenario 6 "connection collision" s6
scenario 7 "routes received from the router (show rib)" s7
scenario 8 "SIGTERM: Cease/Administrative Shutdown" s8
it_summary
