#!/bin/bash
# Helpers for the interoperability tests (tests/interop-*.sh), sourced, not
# run. Each scenario gets two fresh network namespaces joined by a veth pair:
#
#	router ns  rt0  192.0.2.1/24   2001:db8::1/64   (BIRD or FRR)
#	pop ns     pop0 192.0.2.10/24  2001:db8::10/64  (anycastd)
#
# Nothing leaves them: no other links, no default routes. Every process a
# test starts is recorded by PID and killed by PID; the namespaces are
# deleted, and whatever still runs inside them is killed by PID, in the EXIT
# trap. Every wait is bounded.
#
# Environment: BUILDDIR (holds src/anycastd, src/anycastctl), or ANYCASTD and
# ANYCASTCTL naming the binaries; TEST_TMPDIR (default: a new temp dir);
# INTEROP_ONLY="1 5" runs only those scenarios; INTEROP_KEEP=1 keeps the
# temp dir with its logs.

# shellcheck disable=SC2034	# variables are used by the test scripts

RT_ADDR4=192.0.2.1
RT_ADDR6=2001:db8::1
POP_ADDR4=192.0.2.10
POP_ADDR6=2001:db8::10
V4_PREFIX=203.0.113.0/24
V6_PREFIX=2001:db8:ac::/48

IT_PIDS=()		# every process we started and have not reaped
IT_NETNS=()		# every namespace we created and have not deleted
IT_FRR_PIDS=()		# bgpd processes, for their /var/tmp/frr directories
IT_PASSED=()
IT_FAILED=()
IT_SCEN_OK=1
IT_NOT_OK=()		# this scenario's failed expectations
IT_OWN_TMPDIR=
IT_T0=$SECONDS

# --- output ------------------------------------------------------------------

say() { printf '%s\n' "$*"; }
# A failed expectation inside a scenario: noted, the scenario goes on or
# returns as its code decides.
not_ok() {
	printf '    not ok: %s [%ss]\n' "$*" "$((SECONDS - IT_T0))"
	IT_SCEN_OK=0
	IT_NOT_OK+=("$*")
}
ok() { printf '    ok: %s [%ss]\n' "$*" "$((SECONDS - IT_T0))"; }

skip() { printf '%s\n' "$*"; exit 77; }

# --- prerequisites -------------------------------------------------------------

# it_init NAME: checks what every interop test needs; skips (77) otherwise.
it_init() {
	IT_NAME=$1
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
	command -v ip >/dev/null 2>&1 || skip "ip not found (Debian package iproute2)"
	command -v jq >/dev/null 2>&1 || skip "jq not found (Debian package jq)"
	command -v ss >/dev/null 2>&1 || skip "ss not found (Debian package iproute2)"
	: "${BUILDDIR:=.}"
	ANYCASTD=${ANYCASTD:-$BUILDDIR/src/anycastd}
	ANYCASTCTL=${ANYCASTCTL:-$BUILDDIR/src/anycastctl}
	[ -x "$ANYCASTD" ] || skip "anycastd not built ($ANYCASTD)"
	[ -x "$ANYCASTCTL" ] || skip "anycastctl not built ($ANYCASTCTL)"
	ANYCASTD=$(cd "$(dirname "$ANYCASTD")" && pwd)/$(basename "$ANYCASTD")
	ANYCASTCTL=$(cd "$(dirname "$ANYCASTCTL")" && pwd)/$(basename "$ANYCASTCTL")
	if [ -z "${TEST_TMPDIR:-}" ]; then
		TEST_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/anycastd-interop.XXXXXX") ||
		    exit 1
		IT_OWN_TMPDIR=$TEST_TMPDIR
	fi
	# Namespaces must work here (not in every container).
	local probe="acit$$probe"
	ip netns add "$probe" >/dev/null 2>&1 ||
	    skip "cannot create network namespaces here"
	ip netns del "$probe" >/dev/null 2>&1
	trap it_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	say "# $IT_NAME: anycastd $ANYCASTD, logs in $TEST_TMPDIR"
}

# --- processes -------------------------------------------------------------------

pid_alive() { kill -0 "$1" 2>/dev/null; }

# start_bg LOGFILE CMD...: runs CMD in the background, its stdout and stderr
# to LOGFILE; sets LAST_PID and records it.
start_bg() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 </dev/null &
	LAST_PID=$!
	IT_PIDS+=("$LAST_PID")
}

it_forget_pid() {
	local p keep=()
	for p in "${IT_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	IT_PIDS=("${keep[@]}")
}

# wait_exit PID SECONDS: waits, bounded, for a process we started to end;
# 0 if it did. Reaps it and sets EXIT_RC when it was our child.
wait_exit() {
	local pid=$1 n=$(($2 * 10))
	while ! pid_gone "$pid" && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	pid_gone "$pid" || return 1
	wait "$pid" 2>/dev/null
	EXIT_RC=$?
	it_forget_pid "$pid"
	return 0
}

# A child that exited is a zombie until reaped, and kill -0 still finds it.
pid_gone() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
	case $st in
	Z*)	return 0 ;;
	esac
	return 1
}

# stop_pid PID [SIGNAL]: signal (TERM by default), wait up to 5 s, then KILL.
stop_pid() {
	local pid=$1 sig=${2:-TERM}
	[ -n "$pid" ] || return 0
	kill -CONT "$pid" 2>/dev/null
	kill -"$sig" "$pid" 2>/dev/null
	if ! wait_exit "$pid" 5; then
		kill -KILL "$pid" 2>/dev/null
		wait_exit "$pid" 2
	fi
	it_forget_pid "$pid"
}

# Microseconds on the wall clock (bash 5).
now_us() { local t=${EPOCHREALTIME/[.,]/}; printf '%s\n' "$t"; }

# wait_until DESCRIPTION TIMEOUT_S CMD...: polls CMD every IT_POLL (0.2)
# seconds until it succeeds (0) or TIMEOUT_S passes (1). DESCRIPTION
# documents the call.
wait_until() {
	local end=$(($(now_us) + $2 * 1000000))
	shift 2
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(now_us)" -lt "$end" ] || return 1
		sleep "${IT_POLL:-0.2}"
	done
}

# holds_for DESCRIPTION SECONDS CMD...: CMD must succeed at every poll for
# SECONDS; 1 at the first poll where it fails.
holds_for() {
	local end=$(($(now_us) + $2 * 1000000))
	shift 2
	while :; do
		"$@" >/dev/null 2>&1 || return 1
		[ "$(now_us)" -lt "$end" ] || return 0
		sleep 0.2
	done
}

# never_for SECONDS CMD...: CMD must fail at every poll for SECONDS.
never_for() {
	local end=$(($(now_us) + $1 * 1000000))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 1
		[ "$(now_us)" -lt "$end" ] || return 0
		sleep 0.2
	done
}

# between N LOW HIGH
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# expect DESCRIPTION CMD...: one check, reported as ok / not ok.
expect() {
	local what=$1
	shift
	if "$@"; then
		ok "$what"
		return 0
	fi
	not_ok "$what"
	return 1
}

# expect_within DESCRIPTION TIMEOUT_S CMD...: CMD must become true in time.
expect_within() {
	local what=$1 t=$2
	shift 2
	if wait_until "$what" "$t" "$@"; then
		ok "$what"
		return 0
	fi
	not_ok "$what (not within ${t}s)"
	return 1
}

# --- namespaces ----------------------------------------------------------------

# netns_setup TAG: fresh NS_RT and NS_POP for a scenario, joined by a veth
# pair created inside them (it never exists in the host's namespace).
netns_setup() {
	NS_RT="acit$$-$1-rt"
	NS_POP="acit$$-$1-pop"
	ip netns add "$NS_RT" || return 1
	IT_NETNS+=("$NS_RT")
	ip netns add "$NS_POP" || return 1
	IT_NETNS+=("$NS_POP")
	# No duplicate address detection on the link-local addresses either:
	# a two-host link, and the routers want them at once.
	ip netns exec "$NS_RT" sysctl -qw net.ipv6.conf.default.accept_dad=0 &&
	ip netns exec "$NS_POP" sysctl -qw net.ipv6.conf.default.accept_dad=0 ||
	    return 1
	ip -n "$NS_RT" link add rt0 type veth peer name pop0 netns "$NS_POP" ||
	    return 1
	ip -n "$NS_RT" link set lo up &&
	ip -n "$NS_POP" link set lo up &&
	ip -n "$NS_RT" addr add "$RT_ADDR4/24" dev rt0 &&
	ip -n "$NS_RT" addr add "$RT_ADDR6/64" dev rt0 nodad &&
	ip -n "$NS_POP" addr add "$POP_ADDR4/24" dev pop0 &&
	ip -n "$NS_POP" addr add "$POP_ADDR6/64" dev pop0 nodad &&
	ip -n "$NS_RT" link set rt0 up &&
	ip -n "$NS_POP" link set pop0 up || return 1
	wait_until "link-local addresses usable" 5 netns_ll_ready
}

netns_ll_ready() {
	! ip -n "$NS_RT" -6 addr show dev rt0 tentative | grep -q inet6 &&
	! ip -n "$NS_POP" -6 addr show dev pop0 tentative | grep -q inet6
}

# Kills (by PID) whatever still runs inside a namespace of ours, then
# deletes it.
netns_delete() {
	local ns=$1 p keep=()
	for p in $(ip netns pids "$ns" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$ns" 2>/dev/null
	for p in "${IT_NETNS[@]}"; do
		[ "$p" = "$ns" ] || keep+=("$p")
	done
	IT_NETNS=("${keep[@]}")
}

# --- cleanup ---------------------------------------------------------------------

# Stops every process we started (the namespaces stay).
teardown_procs() {
	local p
	for p in "${IT_PIDS[@]}"; do
		stop_pid "$p"
	done
}

# Stops every process and deletes every namespace of this scenario.
teardown() {
	local ns
	teardown_procs
	for ns in "${IT_NETNS[@]}"; do
		netns_delete "$ns"
	done
	frr_tmp_cleanup
}

it_cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	teardown
	if [ -n "$IT_OWN_TMPDIR" ] && [ -z "${INTEROP_KEEP:-}" ]; then
		rm -rf "$IT_OWN_TMPDIR"
	fi
	exit "$rc"
}

# --- anycastd ------------------------------------------------------------------

# ac_conf DIR LOCAL_AS NEIGHBOR REMOTE_AS [NEIGHBOR-LINES [TOP-LINES]]:
# writes DIR/anycastd.conf with both prefixes, always on.
ac_conf() {
	local dir=$1 las=$2 nb=$3 ras=$4 nblines=${5:-} top=${6:-}
	cat >"$dir/anycastd.conf" <<EOF
# written by tests/interop/lib.sh
router-id $POP_ADDR4
local-as $las
control "$dir/anycastd.sock"
state-file "$dir/anycastd.state"
$top

neighbor $nb {
	remote-as $ras
	description "router"
$nblines
}

prefix $V4_PREFIX {
	community 65010:100
	large-community 65010:1:1
	med 10
}
prefix $V6_PREFIX {
}
EOF
}

# ac_start DIR: checks and starts anycastd in NS_POP; sets AC_PID, AC_LOG.
ac_start() {
	local dir=$1
	AC_DIR=$dir
	AC_SOCK=$dir/anycastd.sock
	AC_LOG=$dir/anycastd.log
	if ! "$ANYCASTD" -n -f "$dir/anycastd.conf" >"$dir/anycastd-n.log" 2>&1; then
		not_ok "anycastd -n refuses the generated configuration:"
		sed 's/^/      /' "$dir/anycastd-n.log"
		return 1
	fi
	start_bg "$AC_LOG" ip netns exec "$NS_POP" "$ANYCASTD" -v \
	    -f "$dir/anycastd.conf"
	AC_PID=$LAST_PID
	if ! wait_until "anycastd control socket" 5 ac_up; then
		not_ok "anycastd did not start (control socket $AC_SOCK)"
		return 1
	fi
}

ac_up() { [ -S "$AC_SOCK" ] && pid_alive "$AC_PID"; }

# ctl ARGS...: anycastctl -j against this scenario's daemon, bounded.
ctl() {
	timeout 5 "$ANYCASTCTL" -j -s "$AC_SOCK" "$@"
}

# ac_state ADDR: the neighbor's FSM state as anycastctl reports it.
ac_state() {
	ctl show neighbors 2>/dev/null |
	    jq -r --arg a "$1" '.neighbors[] | select(.address == $a) | .state'
}

# ac_field ADDR FIELD: one field of the neighbor in `show neighbors`.
ac_field() {
	ctl show neighbors 2>/dev/null |
	    jq -r --arg a "$1" --arg f "$2" \
		'.neighbors[] | select(.address == $a) | .[$f]'
}

# ac_field_is ADDR FIELD VALUE
ac_field_is() { [ "$(ac_field "$1" "$2")" = "$3" ]; }

ac_established() { [ "$(ac_state "$1")" = Established ]; }
ac_not_established() {
	local s
	s=$(ac_state "$1") || return 1
	[ -n "$s" ] && [ "$s" != Established ]
}

ac_last_error() {
	ctl show neighbors 2>/dev/null |
	    jq -r --arg a "$1" '.neighbors[] | select(.address == $a) |
		.last_error // ""'
}

# ac_log_has REGEX: anycastd's log has a matching line.
ac_log_has() { grep -Eq -- "$1" "$AC_LOG"; }

# ac_rib_has JSON-ROUTE: `show rib` has a route equal to the given object
# (prefix, neighbor, as_path, next_hop, communities), fields beyond those
# not compared.
ac_rib_has() {
	# jq -n with input: no output at all is a failure, not a pass.
	ctl show rib 2>/dev/null | jq -n -e --argjson want "$1" '
	    input | [.routes[] | {prefix, neighbor, as_path, next_hop, communities}]
	    | index($want) != null' >/dev/null
}

# rib_count [JQ-CONDITION]: how many routes `show rib` has (that satisfy
# the condition).
rib_count() {
	ctl show rib 2>/dev/null |
	    jq "[.routes[] | select(${1:-true})] | length"
}

# rib_count_is N [JQ-CONDITION]
rib_count_is() { [ "$(rib_count "${2:-true}")" = "$1" ]; }

# ac_stop: SIGTERM, and the daemon must exit by itself, status 0, in time.
ac_stop() {
	kill -TERM "$AC_PID" 2>/dev/null
	if wait_exit "$AC_PID" 8; then
		AC_RC=$EXIT_RC
		return 0
	fi
	AC_RC=timeout
	stop_pid "$AC_PID" KILL
	return 1
}

# pop_conns DIRECTION: ESTABLISHED BGP connections in the pop namespace
# opened by the router (in) or by anycastd (out).
pop_conns() {
	local f="sport = :179"
	[ "$1" = out ] && f="dport = :179"
	ip netns exec "$NS_POP" ss -Htn state established "( $f )" | wc -l
}

# pop_conns_are IN OUT: exactly that many of each.
pop_conns_are() { [ "$(pop_conns in)" = "$1" ] && [ "$(pop_conns out)" = "$2" ]; }

# ac_never_idle: the daemon's log shows no Established session dropping
# back to Idle (a connection that loses a collision before Established
# may pass through Idle on its way to the surviving one).
ac_never_idle() { ! grep -q -- "from=Established to=Idle" "$AC_LOG"; }

# --- BIRD 2 ---------------------------------------------------------------------

# bird_conf DIR ROUTER-ID BODY: DIR/bird.conf with a log, the device
# protocol (BIRD needs it to know the interfaces) and BODY.
bird_conf() {
	cat >"$1/bird.conf" <<EOF
# written by tests/interop/lib.sh
router id $2;
log "$1/bird.log" all;
debug protocols { states, events };
protocol device { scan time 10; }
$3
EOF
}

# bird_start DIR: checks DIR/bird.conf and starts BIRD in the foreground (so
# the PID is ours) in NS_RT; sets RT_PID and BIRD_SOCK.
bird_start() {
	local dir=$1
	BIRD_SOCK=$dir/bird.ctl
	if ! bird -p -c "$dir/bird.conf" >"$dir/bird-p.out" 2>&1; then
		not_ok "bird -p refuses the generated configuration:"
		sed 's/^/      /' "$dir/bird-p.out"
		return 1
	fi
	start_bg "$dir/bird.out" ip netns exec "$NS_RT" \
	    bird -f -c "$dir/bird.conf" -s "$BIRD_SOCK" -P "$dir/bird.pid"
	RT_PID=$LAST_PID
	if ! wait_until "BIRD control socket" 5 bird_cli show status; then
		not_ok "BIRD did not start"
		return 1
	fi
}

# bird_cli ARGS...: birdc against this scenario's BIRD, bounded.
bird_cli() { timeout 5 birdc -s "$BIRD_SOCK" "$@"; }

bird_established() { bird_cli show protocols "$1" | grep -Eq "^$1 .*Established"; }

# bird_route PREFIX: `show route PREFIX all`, the route's lines.
bird_route() { bird_cli show route "$1" all; }

# bird_route_has PREFIX LINE...: the router holds PREFIX, and each LINE
# (e.g. "BGP.med: 10") is one of the route's lines, leading and trailing
# blanks aside.
bird_route_has() {
	local prefix=$1 out line
	shift
	out=$(bird_route "$prefix") || return 1
	grep -Fq "$prefix " <<<"$out" || return 1
	for line in "$@"; do
		sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$out" |
		    grep -Fxq -- "$line" || return 1
	done
}

# birdc exits 1 with "Network not found" when the table has no such route.
bird_no_route() {
	local out
	out=$(bird_route "$1")
	grep -q "Network not found" <<<"$out" && ! grep -Fq "$1 " <<<"$out"
}

# --- FRR bgpd ----------------------------------------------------------------------

FRR_BGPD=${FRR_BGPD:-/usr/lib/frr/bgpd}

# frr_conf DIR BODY: DIR/bgpd.conf with logging and BODY.
frr_conf() {
	cat >"$1/bgpd.conf" <<EOF
! written by tests/interop/lib.sh
frr defaults traditional
hostname router
log file $1/frr.log debugging
debug bgp neighbor-events
!
$2
!
EOF
}

# frr_start DIR: checks DIR/bgpd.conf and starts bgpd in NS_RT without
# zebra (-Z), without changing user (-S), without a vty TCP port (-P 0),
# its vty socket in DIR; sets RT_PID and FRR_DIR.
frr_start() {
	local dir=$1 pid rc
	FRR_DIR=$dir
	# In the background only to know its PID, for its /var/tmp/frr entry.
	"$FRR_BGPD" -C -S -Z -f "$dir/bgpd.conf" >"$dir/bgpd-C.out" 2>&1 &
	pid=$!
	wait "$pid"
	rc=$?
	rm -rf "/var/tmp/frr/bgpd.$pid"
	if [ "$rc" -ne 0 ]; then
		not_ok "bgpd -C refuses the generated configuration:"
		sed 's/^/      /' "$dir/bgpd-C.out"
		return 1
	fi
	start_bg "$dir/bgpd.log" ip netns exec "$NS_RT" "$FRR_BGPD" \
	    -f "$dir/bgpd.conf" -i "$dir/bgpd.pid" -Z -S -n -P 0 \
	    --vty_socket "$dir" -z "$dir/zserv.api"
	RT_PID=$LAST_PID
	IT_FRR_PIDS+=("$RT_PID")
	if ! wait_until "bgpd vty socket" 10 vt show bgp summary; then
		not_ok "bgpd did not start"
		return 1
	fi
}

# vt COMMAND: one vtysh command against this scenario's bgpd, bounded.
vt() { timeout 5 vtysh --vty_socket "$FRR_DIR" -d bgpd -c "$*"; }

# vt_conf LINE...: configuration commands, as in `configure terminal`.
vt_conf() {
	local args=(-c "configure terminal") l
	for l in "$@"; do
		args+=(-c "$l")
	done
	timeout 5 vtysh --vty_socket "$FRR_DIR" -d bgpd "${args[@]}"
}

# frr_neighbor ADDR: `show bgp neighbors ADDR json`, that neighbor's object.
frr_neighbor() { vt show bgp neighbors "$1" json | jq -n -e --arg a "$1" 'input | .[$a]'; }

frr_established() {
	[ "$(frr_neighbor "$1" | jq -r .bgpState)" = Established ]
}

# frr_path AFI PREFIX: the best path for PREFIX (ipv4 or ipv6 unicast).
frr_path() {
	vt show bgp "$1" unicast "$2" json |
	    jq -e '.paths[] | select(.bestpath.overall == true)'
}

# frr_path_has AFI PREFIX JQ-EXPR: the best path satisfies JQ-EXPR.
# Every best path must satisfy the condition, and there must be one.
frr_path_has() {
	frr_path "$1" "$2" | jq -n -e "[inputs | ($3)] | length > 0 and all" >/dev/null
}

frr_no_route() {
	local out
	out=$(vt show bgp "$1" unicast "$2" json) || return 1
	jq -n -e 'input | (.paths // []) | length == 0' <<<"$out" >/dev/null
}

# FRR leaves an empty /var/tmp/frr/bgpd.PID behind; remove those of ours.
frr_tmp_cleanup() {
	local p
	for p in "${IT_FRR_PIDS[@]}"; do
		pid_gone "$p" && rm -rf "/var/tmp/frr/bgpd.$p"
	done
	IT_FRR_PIDS=()
}

# --- scenarios ---------------------------------------------------------------------

# scenario N TITLE FUNCTION: runs one scenario (fresh namespaces, its own
# directory), always tears down, and records PASS or FAIL. INTEROP_ONLY
# picks scenarios by number.
scenario() {
	local n=$1 title=$2 fn=$3 dir m
	if [ -n "${INTEROP_ONLY:-}" ] && ! [[ " $INTEROP_ONLY " == *" $n "* ]]; then
		return 0
	fi
	dir=$TEST_TMPDIR/s$n
	mkdir -p "$dir"
	say "## $n. $title"
	IT_SCEN_OK=1
	IT_NOT_OK=()
	IT_T0=$SECONDS
	if ! netns_setup "$n"; then
		not_ok "network namespaces could not be set up"
	elif ! "$fn" "$dir"; then
		IT_SCEN_OK=0
	fi
	if [ "$IT_SCEN_OK" -ne 1 ]; then
		it_dump_logs "$dir"
		# Again, below the logs, where a reader of the tail looks.
		for m in "${IT_NOT_OK[@]}"; do
			say "    not ok: $m"
		done
	fi
	teardown
	if [ "$IT_SCEN_OK" -eq 1 ]; then
		say "PASS $n. $title ($((SECONDS - IT_T0))s)"
		IT_PASSED+=("$n")
	else
		say "FAIL $n. $title ($((SECONDS - IT_T0))s)"
		IT_FAILED+=("$n")
	fi
}

# The last lines of every log of a failed scenario (of FRR's debug log,
# only the session events; of anycastd's, not the control clients).
it_dump_logs() {
	local f
	for f in $(find "$1" -name '*.log' | sort); do
		[ -s "$f" ] || continue
		say "    --- ${f#"$1"/} (last 25 lines)"
		case $f in
		*/frr.log)
			grep -E 'went from|NOTIFICATION|[Cc]onnect|[Cc]ollision|rror' "$f" |
			    tail -n 25 ;;
		*/anycastd.log)
			grep -v 'control: client' "$f" | tail -n 25 ;;
		*)
			tail -n 25 "$f" ;;
		esac | sed 's/^/    | /'
	done
}

# Prints the summary; the script's exit status.
it_summary() {
	say "# $IT_NAME: ${#IT_PASSED[@]} passed (${IT_PASSED[*]:-none}), " \
	    "${#IT_FAILED[@]} failed (${IT_FAILED[*]:-none})"
	[ "${#IT_FAILED[@]}" -eq 0 ]
}

# --- health checks (tests/health-*.sh, tests/bench/failover.sh) -------------------
#
# A real service in the pop namespace: python3's http.server on
# 127.0.0.1:HC_WEB_PORT serving DIR/www, with a /healthz file. anycastd
# checks it and ties 203.0.113.0/24 and 2001:db8:ac::/48 to it. The
# scenarios (hs_*) are the same for every router; a test script provides
# the router's side as these functions:
#
#	rt_start DIR AS		configure and start the router, AS 65001
#				(eBGP) or 65010 (iBGP), passive, logging
#				every route it receives or loses
#	rt_established		its session with anycastd is Established
#	rt_v4_ok normal|gshut	it holds 203.0.113.0/24 with the configured
#				attributes (AS path, next hop 192.0.2.10,
#				MED 10, community exactly 65010:100, and for
#				iBGP LOCAL_PREF 100), or with 65535:0 added
#				(and for iBGP LOCAL_PREF 0): RFC 8326
#	rt_v6_ok		it holds 2001:db8:ac::/48, next hop 2001:db8::10
#	rt_has PREFIX / rt_lacks PREFIX
#	rt_times update|withdraw PREFIX
#				from its log, when it received each
#				announcement (or replacement) / withdrawal of
#				PREFIX: seconds since the epoch, one a line
#	rt_session_id		a string that changes when the session restarts
#	RT_NAME			"BIRD", "FRR"

HC_AC_AS=65010
HC_RT_AS=65001
HC_WEB_PORT=8080
HC_WEB_URL="http://127.0.0.1:$HC_WEB_PORT/healthz"
HC_EXTRA_V4=198.51.100.0/24	# a third prefix some scenarios add
HC_IBGP=0
WEB_PID=
WEB_N=0

# hc_conf DIR REMOTE_AS [V4-LINES [V6-LINES [MORE]]]: DIR/anycastd.conf,
# local AS 65010, both families over the IPv4 session (IPv6 next hop
# 2001:db8::10), check web on the service (interval 200ms, timeout 150ms,
# rise 2, fall 1), both prefixes requiring it; V4-LINES and V6-LINES go
# into the prefix blocks, MORE at the end.
hc_conf() {
	cat >"$1/anycastd.conf" <<EOC
# written by tests/interop/lib.sh (health)
router-id $POP_ADDR4
local-as $HC_AC_AS
control "$1/anycastd.sock"
state-file "$1/anycastd.state"

neighbor $RT_ADDR4 {
	remote-as $2
	description "router"
	connect-retry 1s
	family ipv4 unicast
	family ipv6 unicast
	next-hop $POP_ADDR6
}

check web {
	http "$HC_WEB_URL" expect 200
	interval 200ms  timeout 150ms  rise 2  fall 1
}

prefix $V4_PREFIX {
	requires web
	community 65010:100
	med 10
${3:-}
}
prefix $V6_PREFIX {
	requires web
${4:-}
}
${5:-}
EOC
}

# web_start DIR: starts the service in NS_POP; sets WEB_PID, writes it to
# DIR/web.pid (for process checks); 0 once it answers /healthz with 200,
# within 5 s.
web_start() {
	local dir=$1
	WEB_DIR=$dir
	mkdir -p "$dir/www" && echo ok >"$dir/www/healthz" &&
	    echo ok >"$dir/www/probe" || return 1
	WEB_N=$((WEB_N + 1))
	# Its request log is *.out, not *.log: not worth a failure's dump.
	start_bg "$dir/web-$WEB_N.out" ip netns exec "$NS_POP" \
	    python3 -m http.server "$HC_WEB_PORT" --bind 127.0.0.1 \
	    --directory "$dir/www"
	WEB_PID=$LAST_PID
	echo "$WEB_PID" >"$dir/web.pid.tmp" && mv "$dir/web.pid.tmp" "$dir/web.pid"
	if ! wait_until "the service answers" 5 web_answers; then
		not_ok "the HTTP service (pid $WEB_PID) did not come up"
		return 1
	fi
}

# web_answers: GET /probe from inside NS_POP gets 200 (bash's /dev/tcp,
# no client program needed), bounded. Not /healthz: the service's log
# then counts anycastd's checks alone (web_checks).
web_answers() {
	pid_alive "$WEB_PID" &&
	timeout 2 ip netns exec "$NS_POP" bash -c "exec 3<>/dev/tcp/127.0.0.1/$HC_WEB_PORT &&
	    printf 'GET /probe HTTP/1.0\r\n\r\n' >&3 && head -n 1 <&3" 2>/dev/null |
	    grep -q '^HTTP/1\.[01] 200'
}

# web_checks: how many GET /healthz the running service has answered.
web_checks() { grep -c '"GET /healthz ' "$WEB_DIR/web-$WEB_N.out"; }

# web_kill: SIGKILL to the service, by PID, and reap it.
web_kill() {
	[ -n "$WEB_PID" ] || return 0
	# stderr aside: bash's "Killed" notice for its background job.
	{
		kill -KILL "$WEB_PID"
		wait_exit "$WEB_PID" 5
	} 2>/dev/null
	WEB_PID=
}

# ms_since T0: milliseconds since T0 (from now_us).
ms_since() { echo $((($(now_us) - $1) / 1000)); }

# ac_prefix_is PREFIX JQ-CONDITION: `show prefixes` has PREFIX, and its
# object satisfies the condition. (jq -n with input: jq 1.6's -e exits 0
# on empty input, so a silent failure upstream would pass.)
ac_prefix_is() {
	ctl show prefixes 2>/dev/null | jq -n -e --arg p "$1" \
	    "[input | .prefixes[] | select(.prefix == \$p) | $2] == [true]" \
	    >/dev/null
}

ac_prefix_json() {
	ctl show prefixes 2>/dev/null |
	    jq -c --arg p "$1" '.prefixes[] | select(.prefix == $p)'
}

# ac_check_is NAME JQ-CONDITION: the same for `show checks`.
ac_check_is() {
	ctl show checks 2>/dev/null | jq -n -e --arg n "$1" \
	    "[input | .checks[] | select(.name == \$n) | $2] == [true]" \
	    >/dev/null
}

ac_check_json() {
	ctl show checks 2>/dev/null |
	    jq -c --arg n "$1" '.checks[] | select(.name == $n)'
}

# ctl_ok WHAT ARGS...: anycastctl ARGS must exit 0; otherwise not ok with
# what it said.
ctl_ok() {
	local what=$1 out rc
	shift
	out=$(ctl "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "$what"
		return 0
	fi
	not_ok "$what: anycastctl $* exited $rc: $(printf '%s' "$out" | head -n 3 | tr '\n' ' ')"
	return 1
}

# proc_stat PID: the fields of /proc/PID/stat after "(comm)", numbered as
# in proc(5) from 3 (state): "S ppid pgrp session ...".
proc_stat() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	printf '%s\n' "${s##*) }"
}

# proc_age_ms PID: how long the process has existed.
proc_age_ms() {
	local st start up hz
	st=$(proc_stat "$1") || return 1
	# Field 22 (starttime, clock ticks since boot) is word 20 here.
	start=$(awk '{ print $20 }' <<<"$st")
	hz=$(getconf CLK_TCK)
	up=$(awk '{ printf "%d", $1 * 1000 }' /proc/uptime)
	echo $((up - start * 1000 / hz))
}

# pop_pids_running ARGV...: pids in NS_POP whose command line is exactly
# ARGV (NUL-separated in /proc), zombies aside (they have none).
pop_pids_running() {
	local p want got
	want=$(printf '%s\n' "$@")
	for p in $(ip netns pids "$NS_POP" 2>/dev/null); do
		got=$(tr '\0' '\n' 2>/dev/null <"/proc/$p/cmdline") || continue
		[ "$got" = "$want" ] && echo "$p"
	done
	return 0
}

# hs_setup DIR AS [V4-LINES [V6-LINES [MORE]]]: configuration, router,
# anycastd, service; the session up and both prefixes at the router.
hs_setup() {
	local dir=$1 as=$2
	HC_IBGP=0
	[ "$as" = "$HC_AC_AS" ] && HC_IBGP=1
	hc_conf "$dir" "$as" "${3:-}" "${4:-}" "${5:-}"
	rt_start "$dir" "$as" && ac_start "$dir" && web_start "$dir" ||
	    return 1
	expect_within "session Established at both ends" 10 hs_both_up ||
	    return 1
	expect_within "$RT_NAME holds $V4_PREFIX" 5 rt_v4_ok normal &&
	expect_within "$RT_NAME holds $V6_PREFIX" 5 rt_v6_ok
}

# rt_withdrawals PREFIX: how many withdrawals of PREFIX the router logged.
rt_withdrawals() { rt_times withdraw "$1" | wc -l; }

# rt_time KIND PREFIX N: the Nth (from 1) of rt_times KIND PREFIX, once
# the router's log has it (waiting up to 2 s: logs may trail the RIB).
rt_time() {
	wait_until "the router's log" 2 rt_logged "$@"
	rt_times "$1" "$2" | sed -n "${3}p"
}
rt_logged() { [ "$(rt_times "$1" "$2" | wc -l)" -ge "$3" ]; }

# ms_between T0 T1: (T1 - T0) in ms, both seconds since the epoch, either
# with a fraction or from now_us (microseconds, 16 digits or more).
ms_between() {
	awk -v a="$1" -v b="$2" 'BEGIN {
	    if (length(a) >= 16 && a !~ /\./) a /= 1e6
	    if (length(b) >= 16 && b !~ /\./) b /= 1e6
	    printf "%d\n", (b - a) * 1000 + (b >= a ? 0.5 : -0.5) }'
}

hs_both_up() { ac_established "$RT_ADDR4" && rt_established; }
hs_both_gone() { rt_lacks "$V4_PREFIX" && rt_lacks "$V6_PREFIX"; }
hs_both_back() { rt_v4_ok normal && rt_v6_ok; }

# (a)-(c): service up, killed, back.
hs_updown() {
	local dir=$1 t0 dt d6 n n4 n6
	hs_setup "$dir" "$HC_RT_AS" || return 1
	ok "a) $V4_PREFIX: AS path $HC_AC_AS, next hop $POP_ADDR4, MED 10, community 65010:100"
	ok "a) $V6_PREFIX: next hop $POP_ADDR6"
	expect "show prefixes: both announced, requires web" \
	    ac_prefix_is "$V4_PREFIX" '.state == "announced" and .requires == "web"'
	n4=$(rt_withdrawals "$V4_PREFIX")
	n6=$(rt_withdrawals "$V6_PREFIX")
	t0=$(now_us)
	web_kill
	expect_within "b) service killed: both prefixes gone from $RT_NAME" 3 \
	    hs_both_gone || return 1
	# When, by the router's own log (polling may lag on a busy host).
	dt=$(ms_between "$t0" "$(rt_time withdraw "$V4_PREFIX" $((n4 + 1)))")
	d6=$(ms_between "$t0" "$(rt_time withdraw "$V6_PREFIX" $((n6 + 1)))")
	expect "b) ... within 1 s of the kill, by $RT_NAME's log ($V4_PREFIX ${dt} ms, $V6_PREFIX ${d6} ms)" \
	    test "$dt" -ge 0 -a "$dt" -le 1000 -a "$d6" -ge 0 -a "$d6" -le 1000
	expect "b) show prefixes: withdrawn, requires false" \
	    ac_prefix_is "$V4_PREFIX" '.state == "withdrawn" and
		.drained == false and .reason == "requires false"'
	expect "b) the session stayed up" hs_both_up
	web_start "$dir" || return 1
	t0=$(now_us)
	expect_within "c) service back: both prefixes back at $RT_NAME" 5 \
	    hs_both_back || return 1
	dt=$(ms_since "$t0")
	n=$(web_checks)
	# rise 2: the service's own log has answered two checks by now.
	expect "c) ... after rise 2: the service had answered $n checks (${dt} ms after it answered us)" \
	    test "$n" -ge 2
	if ctl show checks >/dev/null 2>&1; then
		expect "c) show checks: web up after >= 2 successes ($(ac_check_json web))" \
		    ac_check_is web '.state == "up" and .successes >= 2'
	else
		not_ok "c) show checks: $(ctl show checks 2>&1 | head -n 1)"
	fi
}

# (d): on-down graceful-shutdown 3s, eBGP (or iBGP: LOCAL_PREF 0 too).
hs_gshut() {
	local dir=$1 as=${2:-$HC_RT_AS} t0 dt w0 nu tg tw
	hs_setup "$dir" "$as" "	on-down graceful-shutdown 3s" || return 1
	say "    round 1: the service stays down"
	nu=$(rt_times update "$V4_PREFIX" | wc -l)
	t0=$(now_us)
	web_kill
	expect_within "service killed: $RT_NAME has $V4_PREFIX with 65535:0 (RFC 8326)" 2 \
	    rt_v4_ok gshut || return 1
	expect "show prefixes: graceful-shutdown" \
	    ac_prefix_is "$V4_PREFIX" '.state == "graceful-shutdown"'
	expect_within "$V6_PREFIX (on-down withdraw) gone at once" 2 \
	    rt_lacks "$V6_PREFIX"
	expect_within "$V4_PREFIX withdrawn after the 3 s" 6 rt_lacks "$V4_PREFIX" ||
	    return 1
	# By the router's log: 65535:0 within a check interval or so of the
	# kill, the withdrawal 3 s after that.
	tg=$(rt_time update "$V4_PREFIX" $((nu + 1)))
	tw=$(rt_time withdraw "$V4_PREFIX" 1)
	dt=$(ms_between "$t0" "$tg")
	expect "... 65535:0 ${dt} ms after the kill (by $RT_NAME's log; <= 500)" \
	    between "$dt" 0 500
	dt=$(ms_between "$tg" "$tw")
	expect "... withdrawal ${dt} ms after that (3 s: 2950-3200)" \
	    between "$dt" 2950 3200
	expect "show prefixes: withdrawn" \
	    ac_prefix_is "$V4_PREFIX" '.state == "withdrawn"'

	say "    round 2: the service is back within the 3 s"
	web_start "$dir" || return 1
	expect_within "service back: both prefixes back, normal attributes" 5 \
	    hs_both_back || return 1
	w0=$(rt_withdrawals "$V4_PREFIX")
	t0=$(now_us)
	web_kill
	expect_within "service killed: 65535:0 again" 2 rt_v4_ok gshut || return 1
	web_start "$dir" || return 1
	expect_within "service back: $V4_PREFIX without 65535:0 again" 3 \
	    rt_v4_ok normal || return 1
	dt=$(ms_since "$t0")
	expect "... within the 3 s (${dt} ms after the kill)" [ "$dt" -lt 3000 ]
	expect "$V4_PREFIX stays, past the 3 s deadline (4 s)" \
	    holds_for "" 4 rt_v4_ok normal
	expect "no withdrawal of $V4_PREFIX at $RT_NAME in round 2 ($w0 before, $(rt_withdrawals "$V4_PREFIX") after)" \
	    [ "$(rt_withdrawals "$V4_PREFIX")" = "$w0" ]
	expect "show prefixes: announced" \
	    ac_prefix_is "$V4_PREFIX" '.state == "announced"'
}

hs_gshut_ibgp() {
	local dir=$1
	hs_setup "$dir" "$HC_AC_AS" "	on-down graceful-shutdown 3s" || return 1
	web_kill
	expect_within "service killed: $V4_PREFIX with 65535:0 and LOCAL_PREF 0" 2 \
	    rt_v4_ok gshut || return 1
	web_start "$dir" || return 1
	expect_within "service back: LOCAL_PREF 100, no 65535:0" 3 rt_v4_ok normal
	expect "no withdrawal of $V4_PREFIX" \
	    [ "$(rt_withdrawals "$V4_PREFIX")" = 0 ]
}

# (e): drain, restart with the same state file, undrain.
hs_drain() {
	local dir=$1
	hs_setup "$dir" "$HC_RT_AS" || return 1
	ctl_ok "anycastctl drain $V4_PREFIX" drain "$V4_PREFIX" || return 1
	expect_within "$V4_PREFIX withdrawn at $RT_NAME" 3 rt_lacks "$V4_PREFIX"
	expect "$V6_PREFIX stays" rt_v6_ok
	expect "show prefixes: drained, withdrawn" \
	    ac_prefix_is "$V4_PREFIX" '.drained == true and .state == "withdrawn"'
	expect "the state file names it" \
	    grep -q "drain $V4_PREFIX" "$dir/anycastd.state"
	expect "SIGTERM: anycastd exits 0" ac_stop
	expect "... status 0" [ "$AC_RC" = 0 ]
	expect_within "$RT_NAME: $V6_PREFIX gone with the session" 5 \
	    rt_lacks "$V6_PREFIX"
	mv "$dir/anycastd.log" "$dir/anycastd-1.log"
	ac_start "$dir" || return 1
	expect_within "restarted: session Established again" 10 hs_both_up ||
	    return 1
	expect_within "restarted: $V6_PREFIX back (check up again)" 5 rt_v6_ok ||
	    return 1
	expect "restarted: $V4_PREFIX stays withdrawn (3 s)" \
	    never_for 3 rt_has "$V4_PREFIX"
	expect "restarted: show prefixes says drained" \
	    ac_prefix_is "$V4_PREFIX" '.drained == true and .state == "withdrawn"'
	ctl_ok "anycastctl undrain $V4_PREFIX" undrain "$V4_PREFIX" || return 1
	expect_within "$V4_PREFIX back at $RT_NAME" 3 rt_v4_ok normal
	expect "show prefixes: not drained, announced" \
	    ac_prefix_is "$V4_PREFIX" '.drained == false and .state == "announced"'
	expect "the state file no longer names it" \
	    negate grep -q "drain $V4_PREFIX" "$dir/anycastd.state"
}

negate() { ! "$@"; }
hs_never_withdrawn() {
	[ "$(rt_withdrawals "$V4_PREFIX")" = 0 ] &&
	[ "$(rt_withdrawals "$V6_PREFIX")" = 0 ] && hs_both_back
}

# (f): an exec check that hangs is killed at its timeout, and reaped.
hs_hang() {
	local dir=$1 i p st now t_end n_sleep=0 zombies= leftovers= strays= pp pg sid x
	local -A first_seen=() zfirst=()
	local sleep_cmd=(/bin/sleep 1000)
	hs_setup "$dir" "$HC_RT_AS" "" "" "
check hang {
	exec \"/bin/sleep\" \"1000\"
	interval 1s  timeout 300ms
}
prefix $HC_EXTRA_V4 {
	requires hang
}" || return 1
	# 4 s, every 100 ms: anycastd's children, and every sleep 1000 in
	# the namespace with its state, parent, group and session.
	local ac_sid
	ac_sid=$(proc_stat "$AC_PID" | awk '{ print $4 }')
	t_end=$(($(now_us) + 4000000))
	while [ "$(now_us)" -lt "$t_end" ]; do
		now=$(now_us)
		while read -r p st; do
			[ -n "$p" ] || continue
			case $st in
			Z*)	[ -n "${zfirst[$p]:-}" ] || zfirst[$p]=$now
				# A zombie is normal for an instant, not 300 ms.
				if [ $((now - ${zfirst[$p]})) -gt 300000 ]; then
					case " $zombies " in
					*" $p "*) ;;
					*) zombies+=" $p" ;;
					esac
				fi ;;
			esac
		done < <(ps -o pid=,stat= --ppid "$AC_PID" 2>/dev/null)
		for p in $(pop_pids_running "${sleep_cmd[@]}"); do
			if [ -z "${first_seen[$p]:-}" ]; then
				first_seen[$p]=$now
				n_sleep=$((n_sleep + 1))
				st=$(proc_stat "$p") || continue
				# ppid pgrp session: fields 4 5 6
				read -r x pp pg sid x <<<"$st"
				if [ "$pp" != "$AC_PID" ] || [ "$pg" != "$p" ] ||
				    [ "$sid" != "$ac_sid" ]; then
					strays+=" $p(ppid=$pp,pgrp=$pg,sid=$sid)"
				fi
			fi
			# timeout 300ms + SIGTERM grace: gone well within 1 s.
			if [ $((now - ${first_seen[$p]})) -gt 1000000 ]; then
				case " $leftovers " in
				*" $p "*) ;;
				*) leftovers+=" $p" ;;
				esac
			fi
		done
		sleep 0.1
	done
	say "    ($n_sleep runs of the check seen in 4 s)"
	expect "the check ran, one process each interval + run (2-5 seen)" \
	    between "$n_sleep" 2 5
	expect "each ran as anycastd's child, its own process group, anycastd's session${strays:+:$strays}" \
	    [ -z "$strays" ]
	expect "no zombie child of anycastd (pid $AC_PID) lasting 300 ms${zombies:+:$zombies}" \
	    [ -z "$zombies" ]
	expect "no sleep 1000 outliving its timeout by 700 ms${leftovers:+:$leftovers}" \
	    [ -z "$leftovers" ]
	p=
	for i in $(pop_pids_running "${sleep_cmd[@]}"); do
		[ "$(proc_age_ms "$i")" -gt 1000 ] && p+=" $i"
	done
	expect "now: no sleep 1000 older than 1 s${p:+:$p}" [ -z "$p" ]
	if ctl show checks >/dev/null 2>&1; then
		expect "show checks: hang down, last_error says timeout ($(ac_check_json hang))" \
		    ac_check_is hang '.state == "down" and .type == "exec" and
			(.last_error | test("time"; "i"))'
		expect "show checks: web still up" ac_check_is web '.state == "up"'
	else
		not_ok "show checks: $(ctl show checks 2>&1 | head -n 1)"
	fi
	expect "$HC_EXTRA_V4 (requires hang) never reached $RT_NAME" \
	    rt_lacks "$HC_EXTRA_V4"
	expect "show prefixes: $HC_EXTRA_V4 withdrawn" \
	    ac_prefix_is "$HC_EXTRA_V4" '.state == "withdrawn"'
	expect "$V4_PREFIX unaffected" rt_v4_ok normal
	expect "SIGTERM: anycastd exits" ac_stop
	p=$(pop_pids_running "${sleep_cmd[@]}")
	expect "after it: no sleep 1000 left in the namespace${p:+: $p}" [ -z "$p" ]
}

# (g): reload adds a prefix; the session does not restart.
hs_reload() {
	local dir=$1 sid0 sid1 up0 up1
	hs_setup "$dir" "$HC_RT_AS" || return 1
	sid0=$(rt_session_id)
	up0=$(ac_field "$RT_ADDR4" uptime)
	cat >>"$dir/anycastd.conf" <<EOC
prefix $HC_EXTRA_V4 {
	requires web
	community 65010:200
}
EOC
	ctl_ok "anycastctl reload" reload || return 1
	expect_within "$RT_NAME gets $HC_EXTRA_V4" 3 rt_has "$HC_EXTRA_V4"
	sid1=$(rt_session_id)
	expect "$RT_NAME: the session did not restart ($sid0 / $sid1)" \
	    test -n "$sid0" -a "$sid0" = "$sid1"
	up1=$(ac_field "$RT_ADDR4" uptime)
	expect "anycastd: session uptime went on ($up0 s -> $up1 s)" \
	    awk -v a="$up0" -v b="$up1" 'BEGIN { exit !(b > a) }'
	expect "anycastd: still Established" ac_established "$RT_ADDR4"
	expect "the other prefixes stayed, never withdrawn" hs_never_withdrawn
	expect "show prefixes: $HC_EXTRA_V4 announced" \
	    ac_prefix_is "$HC_EXTRA_V4" '.state == "announced"'
}
