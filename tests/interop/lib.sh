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

# wait_until DESCRIPTION TIMEOUT_S CMD...: polls CMD every 0.2 s until it
# succeeds (0) or TIMEOUT_S passes (1). DESCRIPTION documents the call.
wait_until() {
	local end=$(($(now_us) + $2 * 1000000))
	shift 2
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(now_us)" -lt "$end" ] || return 1
		sleep 0.2
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
	ctl show rib 2>/dev/null | jq -e --argjson want "$1" '
	    [.routes[] | {prefix, neighbor, as_path, next_hop, communities}]
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

# ac_never_idle: the daemon's log shows no session going back to Idle.
ac_never_idle() { ! grep -q -- "-> Idle" "$AC_LOG"; }

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
frr_neighbor() { vt show bgp neighbors "$1" json | jq -e --arg a "$1" '.[$a]'; }

frr_established() {
	[ "$(frr_neighbor "$1" | jq -r .bgpState)" = Established ]
}

# frr_path AFI PREFIX: the best path for PREFIX (ipv4 or ipv6 unicast).
frr_path() {
	vt show bgp "$1" unicast "$2" json |
	    jq -e '.paths[] | select(.bestpath.overall == true)'
}

# frr_path_has AFI PREFIX JQ-EXPR: the best path satisfies JQ-EXPR.
frr_path_has() { frr_path "$1" "$2" | jq -e "$3" >/dev/null; }

frr_no_route() {
	local out
	out=$(vt show bgp "$1" unicast "$2" json) || return 1
	jq -e '(.paths // []) | length == 0' <<<"$out" >/dev/null
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
