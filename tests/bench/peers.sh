#!/bin/bash
# Peering scale and footprint, for "make bench": anycastd against BIRD in
# two network namespaces (tests/interop/lib.sh), and BIRD against the same
# load for the ratio.
#
#   recv     BIRD originates N /32s (static, 10.0.0.0/8: announced only,
#            no packet is ever sent to them) and exports them to anycastd:
#            session Established (BIRD's log time) -> anycastd's
#            prefixes_received = N (anycastctl polled every ~20 ms);
#            anycastd's RSS per route and peak RSS
#   mrt      tests/tools/mrtreplay.py replays a full IPv4 table (RIPE
#            updates.et-header.2015.gz, AS 3856) to anycastd, then to BIRD:
#            first UPDATE sent -> all routes held; RSS per route
#   announce anycastd announces N prefix blocks to BIRD; config parse
#            time; Established -> BIRD holds N; and the same N /32s to
#            the same receiving BIRD, timed the same way, from BIRD,
#            GoBGP (gobgpd, loaded by `gobgp mrt inject` from
#            tests/tools/mkmrt.py's file) and ExaBGP (static routes);
#            each one's load time and peak RSS
#   idle     2 neighbors, 4 checks, 60 s: RSS and CPU seconds; BIRD's RSS
#
# Prints one markdown table on stdout, progress on stderr. Needs root and
# BIRD; says so (exit 0) without them. PEERS_ONLY picks among
# "recv mrt announce idle gobgp exabgp" (gobgp, exabgp: that speaker's
# announce rows alone; announce has them); PEERS_RECV_N ("100000
# 1000000"), PEERS_ANN_N ("1000 10000 100000 1000000"),
# PEERS_IDLE_SECONDS (60), PEERS_FOREIGN_CAP (300: s for GoBGP's or
# ExaBGP's load, and again for its announcement), PEERS_NO_GOBGP=1,
# PEERS_NO_EXABGP=1 (leave them out), PEERS_NO_INSTALL=1 (never
# apt-get install gobgpd or exabgp; otherwise installed when missing,
# their services neither started nor enabled).

# "make bench" runs scripts with sh.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILDDIR:=$TOP}"
# shellcheck source=tests/interop/lib.sh
. "$TOP/tests/interop/lib.sh"

skip() { printf 'peers: skipped: %s\n' "$*"; exit 0; }

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
command -v bird >/dev/null 2>&1 && command -v birdc >/dev/null 2>&1 ||
    skip "bird not found (Debian package bird2)"
command -v python3 >/dev/null 2>&1 || skip "python3 not found"

# deb_install's policy-rc.d (below), while it is there.
POLICY_RCD=/usr/sbin/policy-rc.d
POLICY_RCD_TAG="written by tests/bench/peers.sh for apt-get install, removed after it"
POLICY_RCD_OURS=

policy_rcd_remove() {
	[ -n "$POLICY_RCD_OURS" ] || return 0
	grep -qF "$POLICY_RCD_TAG" "$POLICY_RCD" 2>/dev/null && rm -f "$POLICY_RCD"
	POLICY_RCD_OURS=
}

# lib.sh's EXIT trap (processes, namespaces, temp dir), after removing a
# policy-rc.d of ours, if an install was interrupted.
peers_exit() {
	local rc=$?
	policy_rcd_remove
	(exit "$rc")
	it_cleanup
}

it_init "peers" >&2
trap peers_exit EXIT

DATA=${ANYCASTD_DATA:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/data}
MRT=$DATA/mrt/ripe-bgpdump/updates.et-header.2015.gz
MRT_EXPECT=577699
REPLAY=$TOP/tests/tools/mrtreplay.py
HZ=$(getconf CLK_TCK)
ROWS=()
NOTES=()

log() { printf '%s\n' "$*" >&2; }
not_ok() { printf 'peers: not ok: %s\n' "$*" >&2; IT_SCEN_OK=0; }
ok() { :; }
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
nm() { ROWS+=("| $1 | not measured: $2 | - | - | ${3:--} | - |"); }

# ac_start DIR, as lib.sh's, but without -v unless PEERS_AC_VERBOSE=1:
# a PoP runs it without, and the debug lines (every check result, every
# connection attempt) are not what is measured. Session events are
# logged either way.
ac_start() {
	local dir=$1
	AC_SOCK=$dir/anycastd.sock
	AC_LOG=$dir/anycastd.log
	if ! "$ANYCASTD" -n -f "$dir/anycastd.conf" >"$dir/anycastd-n.log" 2>&1; then
		not_ok "anycastd -n refuses the generated configuration:"
		sed 's/^/      /' "$dir/anycastd-n.log" >&2
		return 1
	fi
	start_bg "$AC_LOG" ip netns exec "$NS_POP" "$ANYCASTD" \
	    ${PEERS_AC_VERBOSE:+-v} -f "$dir/anycastd.conf"
	AC_PID=$LAST_PID
	if ! wait_until "anycastd control socket" 30 ac_up; then
		not_ok "anycastd did not start (control socket $AC_SOCK)"
		return 1
	fi
}

# --- measuring -----------------------------------------------------------------

# status_kb PID FIELD: VmRSS / VmHWM of a process, kB.
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
fdiv() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b == 0) print "-"; else printf f "\n", a / b }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "-" && a <= b) }'; }
yn() { if "$@"; then echo yes; else echo no; fi; }
mb() { awk -v k="$1" 'BEGIN { printf "%.2f MB", k / 1024 }'; }

# BIRD logs with "%s.%6f" timestamps; the first "Established" of a protocol.
bird_est_time() {
	grep -E "^[0-9.]+ .*$2: (State changed to up|BGP session established)" \
	    "$1/bird.log" | head -n 1 | awk '{ print $1 }'
}

ac_rcvd() { ctl show neighbors 2>/dev/null | jq -r --arg a "$1" '.neighbors[] | select(.address == $a) | .prefixes_received'; }
bird_count() {
	bird_cli show route count 2>/dev/null |
	    awk '/routes for/ { print $1; exit }'
}

# poll_until_stable CMD TARGET MAXS [STALL]: polls CMD (prints a number)
# every ~20 ms until it prints TARGET, or has not changed for STALL (3) s
# once nonzero, or MAXS seconds pass. Prints "time-of-first-poll-at-final-
# value value".
poll_until_stable() {
	local cmd=$1 target=$2 max=$3 stall=${4:-3} v last=-1 t_last= end t
	end=$(($(now_us) + max * 1000000))
	while [ "$(now_us)" -lt "$end" ]; do
		v=$($cmd)
		t=$EPOCHREALTIME
		v=${v:-0}
		if [ "$v" != "$last" ]; then
			last=$v
			t_last=$t
		fi
		[ "$v" = "$target" ] && break
		if [ "$v" != 0 ] && awk -v a="$t_last" -v b="$t" -v s="$stall" 'BEGIN { exit !(b - a > s) }'; then
			break
		fi
		sleep 0.02
	done
	echo "$t_last $last"
}

# End-of-RIB as the end of a receive: the receiver's own record of the
# moment it had processed the sender's last UPDATE, without polling (a
# poll every 20 ms costs the receiver CPU on a 2-core machine and rounds
# up to its interval).

# ac_monitor_start DIR: anycastctl -j monitor into DIR/monitor.json.
ac_monitor_start() {
	start_bg "$1/monitor.json" "$ANYCASTCTL" -s "$AC_SOCK" -j monitor
	MON_FILE=$1/monitor.json
}

# ac_eor: "time prefixes" of anycastd's first End-of-RIB event, if any.
ac_eor() {
	jq -r 'select(.event == "eor") | "\(.time) \(.prefixes)"' \
	    "$MON_FILE" 2>/dev/null | head -n 1
}
ac_has_eor() { [ -n "$(ac_eor)" ]; }

# bird_eor_time DIR: BIRD's log time of the first End-of-RIB it got
# (needs "debug { packets }" on the protocol).
bird_eor_time() {
	grep -E '^[0-9.]+ .*: Got END-OF-RIB' "$1/bird.log" | head -n 1 |
	    awk '{ print $1 }'
}

# --- BIRD pieces -------------------------------------------------------------------

# prefixes N FORMAT: the N /32s of every row, each through printf FORMAT
# (one %s; awk takes \t and \n): the i-th (from 0) is
# 10.(i / 65536 % 256).(i / 256 % 256).(i % 256)/32, as
# tests/tools/mkmrt.py writes them for GoBGP.
prefixes() {
	awk -v n="$1" -v f="$2" 'BEGIN { for (i = 0; i < n; i++)
	    printf f, sprintf("10.%d.%d.%d/32", int(i / 65536) % 256, int(i / 256) % 256, i % 256) }'
}

# static_routes N: N "route 10.a.b.c/32 blackhole;" lines.
static_routes() { prefixes "$1" '\troute %s blackhole;\n'; }

# bird_ts_conf DIR BODY: bird.conf with microsecond log times.
bird_ts_conf() {
	bird_conf "$1" "$RT_ADDR4" "timeformat log \"%s.%6f\";
$2"
}

ac_write() {
	local dir=$1 body=$2
	cat >"$dir/anycastd.conf" <<EOC
router-id $POP_ADDR4
local-as $HC_AC_AS
control "$dir/anycastd.sock"
state-file "$dir/anycastd.state"
$body
EOC
}

# bird_recv_conf DIR [LINES]: DIR/bird.conf of the receiving BIRD of the announce
# rows (NS_RT), the same whoever announces: protocol "ac", passive, from
# POP_ADDR4 as HC_AC_AS, import all; disabled until bird_recv_time
# polls, so that no session comes up (and no route arrives) unwatched.
bird_recv_conf() {
	bird_ts_conf "$1" "
protocol bgp ac {
	local $RT_ADDR4 as $HC_RT_AS;
	neighbor $POP_ADDR4 as $HC_AC_AS;
	passive on;
	disabled;
	${2:-}
	ipv4 { import all; export none; };
}"
}

# wait_fast DESCRIPTION TIMEOUT_S CMD...: lib.sh's wait_until, polling
# every ~20 ms instead of 0.2 s: a wait for Established that ends up to
# 0.2 s late adds as much to a time taken from Established.
wait_fast() { IT_POLL=0.02 wait_until "$@"; }

# est_or_gone [PID]: protocol ac Established, or PID gone.
est_or_gone() { bird_established ac || { [ -n "${1:-}" ] && pid_gone "$1"; }; }

# bird_recv_time DIR N EST_WAIT MAXS [STALL [PID]]: the announce
# measurement, the same for every sender, on the running receiving BIRD
# of DIR (BIRD_SOCK): enables protocol ac, waits up to EST_WAIT s for it
# to be Established (or for the sender PID to be gone), polled every
# ~20 ms, then polls `birdc show route count` (poll_until_stable TARGET
# N, MAXS, STALL). Sets RECV_EST (BIRD's log time of "established"),
# RECV_V (the final count), RECV_DT (s from RECV_EST to the first poll
# at that count), RECV_CAPPED (1: MAXS ran out before N), RECV_RES (one
# poll now, ms). 1 without a session.
bird_recv_time() {
	local dir=$1 n=$2 t0 t_done
	RECV_V=0 RECV_DT=- RECV_CAPPED=0 RECV_RES='?' RECV_EST=
	bird_cli enable ac >/dev/null
	wait_fast "Established" "$3" est_or_gone "${6:-}"
	bird_established ac || return 1
	t0=$(now_us)
	read -r t_done RECV_V <<<"$(poll_until_stable bird_count "$n" "$4" "${5:-3}")"
	if [ "$RECV_V" != "$n" ] && [ $(($(now_us) - t0)) -ge $(($4 * 1000000)) ]; then
		RECV_CAPPED=1
	fi
	RECV_RES=$(bird_poll_ms)
	RECV_EST=$(bird_est_time "$dir" ac)
	RECV_DT=$(awk -v a="$RECV_EST" -v b="$t_done" 'BEGIN { printf "%.3f", b - a }')
}

# bird2bird N DIR: BIRD (NS_POP, N static /32s) -> BIRD (NS_RT), the same
# measurement as anycastd's: Established (receiver's log) -> receiver's
# birdc count = N (B2B_DT[N], B2B_V[N]), and -> the receiver's log of
# the End-of-RIB (B2B_EOR_DT[N], empty without one); done once per N.
declare -A B2B_DT B2B_V B2B_EOR_DT
bird2bird() {
	local n=$1 bdir=$2 t
	[ -n "${B2B_DT[$n]:-}" ] && return 0
	mkdir -p "$bdir"
	log "BIRD -> BIRD, $n routes"
	netns_setup "b$n" || return 1
	bird_ts_conf "$bdir" "
protocol static orig { ipv4;
$(static_routes "$n")
}
protocol bgp ac {
	local $POP_ADDR4 as $HC_AC_AS;
	neighbor $RT_ADDR4 as $HC_RT_AS;
	disabled;
	connect retry time 1;
	ipv4 { import none; export all; next hop self; };
}"
	# The sender in NS_POP: its own socket and pid file.
	bird -p -c "$bdir/bird.conf" >/dev/null 2>&1 || { not_ok "sender bird.conf"; return 1; }
	start_bg "$bdir/bird.out" ip netns exec "$NS_POP" bird -f -c "$bdir/bird.conf" \
	    -s "$bdir/bird.ctl" -P "$bdir/bird.pid"
	wait_until "sender loaded" 300 eval \
	    '[ "$(timeout 5 birdc -s "$bdir/bird.ctl" show route count | awk "/routes for/ { print \$1; exit }")" = "$n" ]' ||
	    { not_ok "BIRD sender did not load"; return 1; }
	mkdir -p "$bdir/r"
	bird_recv_conf "$bdir/r" "debug { states, events, packets };"
	bird_start "$bdir/r" || return 1
	timeout 5 birdc -s "$bdir/bird.ctl" enable ac >/dev/null
	bird_recv_time "$bdir/r" "$n" 60 120 || { not_ok "BIRD->BIRD $n: no session"; return 1; }
	B2B_DT[$n]=$RECV_DT
	B2B_V[$n]=$RECV_V
	t=$(bird_eor_time "$bdir/r")
	B2B_EOR_DT[$n]=$( [ -n "$t" ] && awk -v a="$RECV_EST" -v b="$t" 'BEGIN { printf "%.3f", b - a }')
	log "    BIRD -> BIRD: $RECV_V routes in $RECV_DT s (count polled), End-of-RIB after ${B2B_EOR_DT[$n]:-?} s"
	teardown
}

# --- 1. receive N from BIRD --------------------------------------------------------

bench_recv_one() {
	local n=$1 dir=$TEST_TMPDIR/recv-$n t_est t_done v r0 r1 hwm dt s how peer
	log "recv: BIRD -> anycastd, $n routes"
	mkdir -p "$dir"
	netns_setup "r$n" || return 1
	bird_ts_conf "$dir" "
protocol static orig { ipv4;
$(static_routes "$n")
}
protocol bgp ac {
	local $RT_ADDR4 as $HC_RT_AS;
	neighbor $POP_ADDR4 as $HC_AC_AS;
	connect retry time 1;
	disabled;
	ipv4 { import none; export all; next hop self; };
}"
	bird_start "$dir" || return 1
	wait_until "BIRD has its static routes" 300 \
	    eval '[ "$(bird_count)" = "$n" ]' || { not_ok "recv: BIRD did not load $n routes"; return 1; }
	ac_write "$dir" "listen $POP_ADDR4
neighbor $RT_ADDR4 {
	remote-as $HC_RT_AS
	passive
}"
	ac_start "$dir" || return 1
	ac_monitor_start "$dir"
	sleep 0.5
	r0=$(status_kb "$AC_PID" VmRSS)
	bird_cli enable ac >/dev/null
	wait_fast "Established" 30 ac_established "$RT_ADDR4" || { not_ok "recv: no session"; return 1; }
	# BIRD ends its initial export with an End-of-RIB (it is graceful
	# restart aware by default); without one, poll the count.
	if wait_until "End-of-RIB" 120 ac_has_eor; then
		read -r t_done v <<<"$(ac_eor)"
		how="its End-of-RIB event"
	else
		read -r t_done v <<<"$(poll_until_stable "ac_rcvd $RT_ADDR4" "$n" 120)"
		how="prefixes_received polled ~20 ms (no End-of-RIB)"
	fi
	t_est=$(bird_est_time "$dir" ac)
	sleep 0.5
	r1=$(status_kb "$AC_PID" VmRSS)
	hwm=$(status_kb "$AC_PID" VmHWM)
	dt=$(awk -v a="$t_est" -v b="$t_done" 'BEGIN { printf "%.3f", b - a }')
	s=$(ac_established "$RT_ADDR4" && ac_never_idle && echo "session stayed up" || echo "SESSION DROPPED")
	log "    recv $n: $v routes in $dt s; RSS $r0 -> $r1 kB, HWM $hwm kB; $s"
	[ "$v" = "$n" ] || not_ok "recv $n: anycastd holds $v"
	teardown
	bird2bird "$n" "$dir/b2b"
	# The same end for both receivers where both logged one.
	if [ -n "${B2B_EOR_DT[$n]:-}" ] && [ "${how#its End}" != "$how" ]; then
		peer=${B2B_EOR_DT[$n]}
		how="End-of-RIB processed, both receivers' own time stamps"
	else
		peer=${B2B_DT[$n]:-}
		how="anycastd: $how; BIRD: birdc count polled"
	fi
	row "receive $n /32s from BIRD: Established -> all held ($how; anycastd held $v, $s; peer: BIRD -> BIRD, the receiver held ${B2B_V[$n]:-?})" \
	    "$dt s" "${peer:-not measured} s" "$(fdiv "$dt" "${peer:-0}")" "-" "-"
	row "... anycastd RSS per route ((after - before) / N; before $r0 kB, after $r1 kB)" \
	    "$(fdiv "$(( (r1 - r0) * 1024 ))" "$n" %.0f) B" "-" "-" "<= 64 B (stated for the real table)" \
	    "$(yn le "$(fdiv "$(( (r1 - r0) * 1024 ))" "$n" %.0f)" 64)"
	row "... anycastd peak RSS (VmHWM)" "$(mb "$hwm")" "-" "-" "-" "-"
}

bench_recv() {
	local n
	for n in ${PEERS_RECV_N:-100000 1000000}; do
		bench_recv_one "$n" || { not_ok "recv $n failed"; teardown; }
	done
}

# --- 2. the real table ---------------------------------------------------------------

# replay_start DIR NS ADDR: the replayer listens on ADDR in NS, pausing 2 s
# after Established (for the "before" RSS).
replay_start() {
	start_bg "$1/replay.out" ip netns exec "$2" python3 -u "$REPLAY" \
	    --listen "$3" --as 3856 --id 206.220.231.55 --pause 2 \
	    --duration 300 --eor "$MRT"
	wait_until "replayer listening" 20 \
	    eval "ip netns exec $2 ss -Hltn 'sport = :179' | grep -q ."
}
replay_field() { awk -v k="$2" '$1 == k { print $2 }' "$1/replay.out" | head -n 1; }

bench_mrt() {
	local dir=$TEST_TMPDIR/mrt t0 t_done v r0 r1 hwm dt bpr b_dt b_bpr b_v b_r0 b_r1 b_hwm ok1
	[ -r "$MRT" ] || { nm "real table (MRT replay)" "$MRT not found"; return 0; }
	log "mrt: replay -> anycastd"
	mkdir -p "$dir/ac" "$dir/bird"
	netns_setup m || return 1
	# anycastd in NS_POP connects to the replayer in NS_RT.
	replay_start "$dir/ac" "$NS_RT" "$RT_ADDR4" || { not_ok "mrt: replayer did not listen"; return 1; }
	ac_write "$dir/ac" "neighbor $RT_ADDR4 {
	remote-as 3856
	connect-retry 1s
}"
	ac_start "$dir/ac" || return 1
	ac_monitor_start "$dir/ac"
	wait_until "Established" 15 grep -q '^established' "$dir/ac/replay.out" ||
	    { not_ok "mrt: no session"; return 1; }
	r0=$(status_kb "$AC_PID" VmRSS)
	wait_until "replay starts" 10 grep -q '^start' "$dir/ac/replay.out"
	# The replay ends with an End-of-RIB: anycastd's event is the end.
	if wait_until "End-of-RIB" 120 ac_has_eor; then
		read -r t_done v <<<"$(ac_eor)"
	else
		read -r t_done v <<<"$(poll_until_stable "ac_rcvd $RT_ADDR4" "$MRT_EXPECT" 120)"
	fi
	t0=$(replay_field "$dir/ac" start)
	sleep 0.5
	r1=$(status_kb "$AC_PID" VmRSS)
	hwm=$(status_kb "$AC_PID" VmHWM)
	dt=$(awk -v a="$t0" -v b="$t_done" 'BEGIN { printf "%.3f", b - a }')
	bpr=$(fdiv "$(( (r1 - r0) * 1024 ))" "$v" %.0f)
	ok1=$(ac_established "$RT_ADDR4" && ac_never_idle && echo "session stayed up" || echo "SESSION DROPPED")
	log "    anycastd: $v routes in $dt s (sent by $(replay_field "$dir/ac" sent)); RSS $r0 -> $r1 kB; $ok1"
	[ "$v" = "$MRT_EXPECT" ] || not_ok "mrt: anycastd prefixes_received $v, not $MRT_EXPECT"
	teardown

	log "mrt: replay -> BIRD"
	netns_setup n || return 1
	# BIRD in NS_RT connects to the replayer in NS_POP. Next hops of the
	# table are not on the link: resolve them through a default route in
	# an IGP table of its own.
	replay_start "$dir/bird" "$NS_POP" "$POP_ADDR4" || { not_ok "mrt: replayer did not listen"; return 1; }
	bird_ts_conf "$dir/bird" "
ipv4 table igp4;
protocol static igpdefault { ipv4 { table igp4; }; route 0.0.0.0/0 via $POP_ADDR4; }
protocol bgp replay {
	local $RT_ADDR4 as $HC_RT_AS;
	neighbor $POP_ADDR4 as 3856;
	multihop 2;
	connect retry time 1;
	ipv4 { import all; export none; gateway recursive; igp table igp4; };
}"
	bird_start "$dir/bird" || return 1
	wait_until "Established" 15 grep -q '^established' "$dir/bird/replay.out" ||
	    { not_ok "mrt: BIRD: no session"; return 1; }
	b_r0=$(status_kb "$RT_PID" VmRSS)
	wait_until "replay starts" 10 grep -q '^start' "$dir/bird/replay.out"
	read -r t_done b_v <<<"$(poll_until_stable bird_count "$MRT_EXPECT" 120)"
	t0=$(replay_field "$dir/bird" start)
	sleep 0.5
	b_r1=$(status_kb "$RT_PID" VmRSS)
	b_hwm=$(status_kb "$RT_PID" VmHWM)
	b_dt=$(awk -v a="$t0" -v b="$t_done" 'BEGIN { printf "%.3f", b - a }')
	b_bpr=$(fdiv "$(( (b_r1 - b_r0) * 1024 ))" "$b_v" %.0f)
	log "    BIRD: $b_v routes in $b_dt s; RSS $b_r0 -> $b_r1 kB"
	row "real table: replay of 89,679 UPDATEs (AS 3856): first UPDATE sent -> all held (anycastd $v, BIRD $b_v routes; anycastd $ok1; anycastd: its End-of-RIB event, BIRD: birdc count polled, ~$(bird_poll_ms) ms a count)" \
	    "$dt s" "$b_dt s" "$(fdiv "$dt" "$b_dt")" "<= 0.5 s (BIRD 0.69 s)" "$(yn le "$dt" 0.5)"
	row "real table: RSS per route ((after - before) / routes)" \
	    "$bpr B" "$b_bpr B" "$(fdiv "$bpr" "$b_bpr")" "<= 64 B (BIRD 155 B)" "$(yn le "$bpr" 64)"
	row "real table: peak RSS (VmHWM)" "$(mb "$hwm")" "$(mb "$b_hwm")" \
	    "$(fdiv "$hwm" "$b_hwm")" "-" "-"
	teardown
}

# How long one "birdc show route count" takes now, ms (the poll's resolution).
bird_poll_ms() {
	local a b
	[ -n "${BIRD_SOCK:-}" ] || { echo "?"; return; }
	a=$(now_us); bird_count >/dev/null; b=$(now_us)
	echo $(( (b - a) / 1000 + 20 ))
}

# --- 3. announce N to BIRD ------------------------------------------------------------
#
# anycastd, BIRD, GoBGP and ExaBGP each announce the same N /32s (prefixes)
# to the same receiving BIRD (bird_recv_conf), timed the same way
# (bird_recv_time): BIRD's log time of "established" -> the first
# `birdc show route count` poll = N. Each loads its N prefixes before the
# session: anycastd and ExaBGP from their configuration files, GoBGP by
# `gobgp mrt inject global` (tests/tools/mkmrt.py), BIRD by a static
# protocol.

ANN_N=${PEERS_ANN_N:-1000 10000 100000 1000000}
FOREIGN_CAP=${PEERS_FOREIGN_CAP:-300}
FOREIGN_STALL=30	# s without a change in BIRD's count: the speaker is done
MKMRT=$TOP/tests/tools/mkmrt.py
declare -A AC_ANN_DT AC_ANN_PARSE AC_ANN_HWM	# anycastd's, per N, for the ratios
# The issue's figures for 1,000,000 prefixes into BIRD.
declare -A FOREIGN_QUOTE=([gobgp]="124 s")

prefix_blocks() { prefixes "$1" 'prefix %s {\n}\n'; }

# commas N: 1000000 -> 1,000,000
commas() { awk -v n="$1" 'BEGIN { s = ""; while (n >= 1000) { s = sprintf(",%03d", n % 1000) s; n = int(n / 1000) } print n s }'; }

# ann_goal N QUOTE / ann_met N DT: the goal of the 1,000,000 rows.
ann_goal() { if [ "$1" = 1000000 ]; then echo "<= 2.5 s${2:+ ($2)}"; else echo -; fi; }
ann_met() { if [ "$1" = 1000000 ] && [ -n "$2" ]; then yn le "$2" 2.5; else echo -; fi; }

bench_announce_one() {
	local n=$1 dir=$TEST_TMPDIR/ann-$1 p0 p1 parse v dt hwm res
	log "announce: anycastd -> BIRD, $n prefixes"
	mkdir -p "$dir/b"
	ac_write "$dir" "neighbor $RT_ADDR4 {
	remote-as $HC_RT_AS
	connect-retry 1s
}
$(prefix_blocks "$n")"
	p0=$(now_us)
	if ! timeout 120 "$ANYCASTD" -n -f "$dir/anycastd.conf" >"$dir/n.out" 2>&1; then
		p1=$(now_us)
		row "announce $(commas "$n"): config parse (anycastd -n)" "failed or > 120 s ($(( (p1 - p0) / 1000 )) ms)" "-" "-" "-" "-"
		return 1
	fi
	p1=$(now_us)
	parse=$(fdiv "$((p1 - p0))" 1000000 %.3f)
	log "    parse: $parse s"
	netns_setup "a$n" || return 1
	bird_recv_conf "$dir"
	bird_start "$dir" || return 1
	ac_start "$dir" || return 1
	bird_recv_time "$dir" "$n" 60 120 || { not_ok "announce $n: no session"; return 1; }
	v=$RECV_V dt=$RECV_DT res=$RECV_RES
	hwm=$(status_kb "$AC_PID" VmHWM)
	log "    anycastd -> BIRD: $v routes in $dt s; anycastd HWM $hwm kB"
	[ "$v" = "$n" ] || not_ok "announce $n: BIRD holds $v"
	[ "$v" = "$n" ] && AC_ANN_DT[$n]=$dt
	AC_ANN_PARSE[$n]=$parse
	AC_ANN_HWM[$n]=$hwm
	teardown

	bird2bird "$n" "$dir/b"
	row "announce $(commas "$n") prefixes to BIRD: Established -> BIRD holds all (anycastd $v, BIRD sender ${B2B_V[$n]:-}; birdc count polled, ~$res ms)" \
	    "$dt s" "${B2B_DT[$n]:-} s (BIRD -> BIRD)" "$(fdiv "$dt" "${B2B_DT[$n]:-0}")" \
	    "$(ann_goal "$n" "BIRD -> BIRD 6.5 s")" "$(ann_met "$n" "$dt")"
	row "... announce $(commas "$n"): anycastd config parse (anycastd -n, wall) / peak RSS (VmHWM)" \
	    "$parse s / $(mb "$hwm")" "-" "-" "-" "-"
	teardown
}

# --- GoBGP and ExaBGP (Debian packages) ---

# deb_install PKG: installs PKG from Debian, as root, when the mirror
# answers; bounded. Its maintainer scripts start no service: a
# policy-rc.d answering 101 (deb-systemd-invoke and invoke-rc.d ask it)
# for the time of the install, unless there is one already.
deb_install() {
	local pkg=$1 rc
	[ -z "${PEERS_NO_INSTALL:-}" ] || return 1
	command -v apt-get >/dev/null 2>&1 || return 1
	apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]' ||
	    timeout 120 apt-get update -q -o Acquire::Retries=0 \
		-o Acquire::http::Timeout=10 >&2 || return 1
	apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]' || return 1
	log "installing $pkg (apt-get; its service is not started)"
	if [ ! -e "$POLICY_RCD" ]; then
		POLICY_RCD_OURS=1
		if ! printf '#!/bin/sh\n# %s\nexit 101\n' "$POLICY_RCD_TAG" >"$POLICY_RCD" ||
		    ! chmod 755 "$POLICY_RCD"; then
			policy_rcd_remove
			return 1
		fi
	fi
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q \
	    --no-install-recommends -o Acquire::Retries=0 \
	    -o Acquire::http::Timeout=10 -o DPkg::Lock::Timeout=60 "$pkg" >&2
	rc=$?
	policy_rcd_remove
	return "$rc"
}

# service_off UNIT: a unit just installed neither runs nor starts at boot
# (its package enables it): stopped and masked if systemd runs it anyway,
# disabled (systemctl does that without a running systemd).
service_off() {
	local unit=$1
	command -v systemctl >/dev/null 2>&1 || return 0
	if [ -d /run/systemd/system ] && systemctl -q is-active "$unit" 2>/dev/null; then
		log "$unit was started by its package: stopping and masking it"
		systemctl stop "$unit" >&2
		systemctl mask "$unit" >&2
	fi
	if systemctl -q is-enabled "$unit" 2>/dev/null; then
		systemctl disable "$unit" >&2 2>&1
	fi
	return 0
}

# warn_root_ns NAME: says so when a NAME process runs outside our
# namespaces (in the host's: a system-wide one). Not ours: never killed.
warn_root_ns() {
	local p host
	host=$(readlink /proc/1/ns/net)
	for p in $(pgrep -x "$1"); do
		[ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$host" ] &&
		    log "peers: note: a system-wide $1 runs (pid $p, not ours; left alone)"
	done
	return 0
}

have_all() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || return 1
	done
}

# foreign_wanted SPEAKER: 0 when SPEAKER (gobgp, exabgp) is to run:
# not left out by PEERS_NO_GOBGP / PEERS_NO_EXABGP, installed or
# installable (once). Otherwise one row says why.
declare -A FOREIGN_OK
foreign_wanted() {
	local sp=$1 knob pkg unit name cmds
	case $sp in
	gobgp)	knob=PEERS_NO_GOBGP pkg=gobgpd unit=gobgpd.service name=GoBGP
		cmds="gobgpd gobgp" ;;
	exabgp)	knob=PEERS_NO_EXABGP pkg=exabgp unit=exabgp.service name=ExaBGP
		cmds=exabgp ;;
	esac
	if [ -n "${!knob:-}" ]; then
		row "announce N: $name -> BIRD" "left out ($knob)" "-" "-" "-" "-"
		return 1
	fi
	if [ -z "${FOREIGN_OK[$sp]:-}" ]; then
		FOREIGN_OK[$sp]=no
		# shellcheck disable=SC2086	# one word per command
		if have_all $cmds; then
			FOREIGN_OK[$sp]=yes
		elif deb_install "$pkg" && service_off "$unit" && have_all $cmds; then
			FOREIGN_OK[$sp]=yes
		fi
		warn_root_ns "${cmds%% *}"
	fi
	if [ "${FOREIGN_OK[$sp]}" != yes ]; then
		log "$pkg: not available"
		row "announce N: $name -> BIRD" "$sp: not available (Debian package $pkg not installed$([ -n "${PEERS_NO_INSTALL:-}" ] && echo ", PEERS_NO_INSTALL" || echo " nor installable"))" "-" "-" "-" "-"
		return 1
	fi
}

# tree_hwm PID: VmHWM (kB) summed over PID and its descendants.
tree_hwm() {
	local p s=0 k
	[ -n "$1" ] || { echo 0; return; }
	for p in $(tree_pids "$1"); do
		k=$(status_kb "$p" VmHWM)
		s=$((s + ${k:-0}))
	done
	echo "$s"
}
tree_pids() {
	local c
	echo "$1"
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		tree_pids "$c"
	done
}

# The speakers: SPEAKER_load DIR N starts SPEAKER in NS_POP with the N
# prefixes loaded and its session to BIRD on its way; sets SP_NAME,
# SP_PID, SP_LOAD (s), SP_LOAD_WHAT, SP_EST_WAIT (s to wait for the
# session after), or SP_ERR.

gb() { timeout 10 ip netns exec "$NS_POP" gobgp "$@"; }
gb_rib_count() { gb global rib -a ipv4 summary 2>/dev/null | awk -F'[:,] *' '/^Destination/ { print $2; exit }'; }
gb_rib_is() { [ "$(gb_rib_count)" = "$1" ]; }

gobgp_load() {
	local dir=$1 n=$2 t0 t1 left k
	SP_NAME="GoBGP $(gobgpd --version 2>/dev/null | awk '{ print $NF }')"
	SP_LOAD_WHAT="load (gobgp mrt inject global -> its RIB holds all; before the session)"
	# The MRT file: the N prefixes, next hop us, then 4096 of them again
	# (gobgp 3.10 can lose the last few hundred paths it injects).
	python3 "$MKMRT" --count "$n" --next-hop "$POP_ADDR4" --pad 4096 \
	    "$dir/routes.mrt" || { SP_ERR="mkmrt.py failed"; return 1; }
	# The neighbor admin-down: enabled once the RIB is loaded.
	cat >"$dir/gobgpd.toml" <<EOC
[global.config]
  as = $HC_AC_AS
  router-id = "$POP_ADDR4"
  port = -1

[[neighbors]]
  [neighbors.config]
    neighbor-address = "$RT_ADDR4"
    peer-as = $HC_RT_AS
    admin-down = true
  [neighbors.timers.config]
    connect-retry = 1
EOC
	if ! timeout 30 gobgpd -d -f "$dir/gobgpd.toml" >"$dir/gobgpd-d.out" 2>&1; then
		SP_ERR="gobgpd -d refuses its configuration: $(tail -n 1 "$dir/gobgpd-d.out")"
		return 1
	fi
	start_bg "$dir/gobgpd.log" ip netns exec "$NS_POP" gobgpd -f "$dir/gobgpd.toml" \
	    -p --pprof-disable --api-hosts 127.0.0.1:50051
	SP_PID=$LAST_PID
	wait_until "gobgpd answers" 30 gb global || { SP_ERR="gobgpd did not start: $(tail -n 1 "$dir/gobgpd.log")"; return 1; }
	# In the background, waited for by short polls: a signal to this
	# script is handled at once, and teardown kills it by PID.
	t0=$(now_us)
	start_bg "$dir/inject.out" ip netns exec "$NS_POP" gobgp mrt inject global \
	    "$dir/routes.mrt"
	wait_exit "$LAST_PID" "$FOREIGN_CAP" || stop_pid "$LAST_PID"
	left=$((FOREIGN_CAP - ($(now_us) - t0) / 1000000))
	wait_until "GoBGP's RIB holds N" "$((left > 5 ? left : 5))" gb_rib_is "$n"
	t1=$(now_us)
	k=$(gb_rib_count)
	SP_LOAD=$(fdiv "$((t1 - t0))" 1000000 %.3f)
	rm -f "$dir/routes.mrt"
	if [ "$k" != "$n" ]; then
		SP_ERR="load: its RIB holds ${k:-?} of $n after $SP_LOAD s"
		return 1
	fi
	log "    loaded in $SP_LOAD s"
	gb neighbor "$RT_ADDR4" enable >/dev/null || { SP_ERR="gobgp neighbor enable failed"; return 1; }
	SP_EST_WAIT=60
}

exabgp_load() {
	local dir=$1 n=$2 t0
	SP_NAME="ExaBGP $(exabgp --version 2>/dev/null | awk '/ExaBGP/ { print $3 }')"
	SP_LOAD_WHAT="load (start -> Established: it parses its static routes first)"
	{
		cat <<EOC
neighbor $RT_ADDR4 {
	router-id $POP_ADDR4;
	local-address $POP_ADDR4;
	local-as $HC_AC_AS;
	peer-as $HC_RT_AS;
	family { ipv4 unicast; }
	static {
EOC
		prefixes "$n" '\t\troute %s next-hop self;\n'
		printf '\t}\n}\n'
	} >"$dir/exabgp.conf"
	# Its settings as environment variables: foreground, no listener,
	# no CLI pipes, stay root, log to the terminal (our file).
	t0=$EPOCHREALTIME
	start_bg "$dir/exabgp.log" ip netns exec "$NS_POP" env \
	    exabgp.daemon.daemonize=false exabgp.daemon.user=root \
	    exabgp.daemon.drop=false exabgp.daemon.pid= exabgp.tcp.bind= \
	    exabgp.api.cli=false exabgp.log.destination=stdout \
	    exabgp.log.level=INFO \
	    exabgp "$dir/exabgp.conf"
	SP_PID=$LAST_PID
	# It connects once it has parsed its configuration: the session's
	# start (bird_recv_time) ends the load.
	SP_T0=$t0
	SP_EST_WAIT=$FOREIGN_CAP
}

# bench_foreign SPEAKER N: SPEAKER (gobgp, exabgp) announces the N
# prefixes to the receiving BIRD of the anycastd rows, timed the same
# way; at most PEERS_FOREIGN_CAP s for the load and as much for the
# announcement. Two rows, side by side with anycastd's figures.
bench_foreign() {
	local sp=$1 n=$2 dir=$TEST_TMPDIR/ann-$2/$1 hwm fig ratio ac_dt ac_p
	local q=${FOREIGN_QUOTE[$1]:-}
	SP_NAME=$sp SP_PID='' SP_LOAD=- SP_LOAD_WHAT=load SP_EST_WAIT=60 SP_ERR=''
	SP_T0=''
	RECV_V=0 RECV_DT=- RECV_CAPPED=0 RECV_RES='?' RECV_EST=''
	log "announce: $sp -> BIRD, $n prefixes"
	mkdir -p "$dir"
	netns_setup "${sp:0:1}$n" || return 1
	bird_recv_conf "$dir"
	bird_start "$dir" || return 1
	if "${sp}_load" "$dir" "$n"; then
		if ! bird_recv_time "$dir" "$n" "$SP_EST_WAIT" "$FOREIGN_CAP" \
		    "$FOREIGN_STALL" "$SP_PID"; then
			if pid_gone "$SP_PID"; then
				SP_ERR="$sp exited: $(grep -v '^$' "$dir/$sp"*.log | tail -n 1)"
			else
				SP_ERR="no session within $SP_EST_WAIT s"
			fi
		fi
		# Its load: start -> the session (ExaBGP connects once it
		# has parsed its configuration).
		if [ -n "$SP_T0" ] && [ -n "$RECV_EST" ]; then
			SP_LOAD=$(awk -v a="$SP_T0" -v b="$RECV_EST" 'BEGIN { printf "%.3f", b - a }')
			log "    loaded and Established in $SP_LOAD s"
		fi
	fi
	hwm=$(tree_hwm "$SP_PID")
	ac_dt=${AC_ANN_DT[$n]:-}
	if [ -n "$SP_ERR" ]; then
		fig="failed: $SP_ERR" ratio=-
	elif [ "$RECV_V" = "$n" ]; then
		fig="$RECV_DT s" ratio=$(fdiv "${ac_dt:-0}" "$RECV_DT")
		[ -n "$ac_dt" ] || ratio=-
	elif [ "$RECV_CAPPED" = 1 ]; then
		fig="> $FOREIGN_CAP s (had $RECV_V of $n)"
		ratio=-
		[ -z "$ac_dt" ] || ratio="< $(fdiv "$ac_dt" "$FOREIGN_CAP" %.4f)"
	else
		fig="stopped at $RECV_V of $n ($RECV_DT s; no change for $FOREIGN_STALL s)"
		ratio=-
	fi
	log "    $SP_NAME -> BIRD: $fig; peak RSS $hwm kB"
	ac_p=-
	[ -z "${AC_ANN_PARSE[$n]:-}" ] ||
	    ac_p="parse ${AC_ANN_PARSE[$n]} s / $(mb "${AC_ANN_HWM[$n]}")"
	row "announce $(commas "$n"): $SP_NAME -> BIRD: Established -> BIRD holds all (the same BIRD and polling, ~$RECV_RES ms; BIRD holds $RECV_V)" \
	    "${ac_dt:-"-"}${ac_dt:+ s}" "$fig" "$ratio" \
	    "$(ann_goal "$n" "${q:+${SP_NAME%% *} $q}")" "$(ann_met "$n" "$ac_dt")"
	row "... announce $(commas "$n"), ${SP_NAME%% *}: $SP_LOAD_WHAT / peak RSS (VmHWM, all its processes)" \
	    "$ac_p" "$SP_LOAD s / $(mb "$hwm")" \
	    "$([ "$hwm" -gt 0 ] && [ -n "${AC_ANN_HWM[$n]:-}" ] && echo "RSS $(fdiv "${AC_ANN_HWM[$n]}" "$hwm")" || echo -)" "-" "-"
	teardown
}

# ann_run WHAT...: for each N of PEERS_ANN_N, the announce runs of WHAT
# (anycastd, gobgp, exabgp), in that order.
ann_run() {
	local n w sps=()
	for w in "$@"; do
		if [ "$w" = anycastd ] || foreign_wanted "$w"; then
			sps+=("$w")
		fi
	done
	for n in $ANN_N; do
		for w in "${sps[@]}"; do
			if [ "$w" = anycastd ]; then
				bench_announce_one "$n" || { not_ok "announce $n failed"; teardown; }
			else
				bench_foreign "$w" "$n" || { not_ok "$w: announce $n failed"; teardown; }
			fi
		done
	done
}

bench_announce() { ann_run anycastd gobgp exabgp; }
# GoBGP or ExaBGP alone (no anycastd figures, no ratio); part of announce.
only_announce() { [[ " ${PEERS_ONLY:-} " == *" announce "* ]]; }
bench_gobgp() { only_announce || ann_run gobgp; }
bench_exabgp() { only_announce || ann_run exabgp; }

# --- 4. idle footprint --------------------------------------------------------------

bench_idle() {
	local dir=$TEST_TMPDIR/idle secs=${PEERS_IDLE_SECONDS:-60} c0 c1 t0 t1 r hwm br cpu
	log "idle: 2 neighbors, 4 checks, $secs s"
	mkdir -p "$dir"
	netns_setup i || return 1
	ip -n "$NS_RT" addr add 192.0.2.2/24 dev rt0 &&
	ip -n "$NS_POP" addr add 192.0.2.11/24 dev pop0 || return 1
	bird_ts_conf "$dir" "
template bgp t { local as $HC_RT_AS; passive on; ipv4 { import all; export none; }; }
protocol bgp n1 from t { local 192.0.2.1; neighbor 192.0.2.10 as $HC_AC_AS; }
protocol bgp n2 from t { local 192.0.2.2; neighbor 192.0.2.11 as $HC_AC_AS; }"
	bird_start "$dir" || return 1
	web_start "$dir" || return 1
	touch "$dir/up"
	ac_write "$dir" "neighbor 192.0.2.1 {
	remote-as $HC_RT_AS
	local-address 192.0.2.10
	connect-retry 1s
}
neighbor 192.0.2.2 {
	remote-as $HC_RT_AS
	local-address 192.0.2.11
	connect-retry 1s
}
check f { file \"$dir/up\" }
check t { tcp 127.0.0.1 port $HC_WEB_PORT }
check x { exec /bin/true }
check web { http \"$HC_WEB_URL\" expect 200 }
prefix $V4_PREFIX {
	requires f and t and x and web
}"
	ac_start "$dir" || return 1
	wait_until "both Established" 30 eval 'ac_established 192.0.2.1 && ac_established 192.0.2.2' ||
	    { not_ok "idle: sessions"; return 1; }
	wait_until "prefix announced" 15 bird_route_has "$V4_PREFIX" ||
	    not_ok "idle: the prefix (all 4 checks up) did not reach BIRD"
	c0=$(cpu_ticks "$AC_PID"); t0=$EPOCHREALTIME
	sleep "$secs"
	c1=$(cpu_ticks "$AC_PID"); t1=$EPOCHREALTIME
	r=$(status_kb "$AC_PID" VmRSS)
	hwm=$(status_kb "$AC_PID" VmHWM)
	br=$(status_kb "$RT_PID" VmRSS)
	cpu=$(awk -v c="$((c1 - c0))" -v hz="$HZ" 'BEGIN { printf "%.2f", c / hz }')
	log "    idle: RSS $r kB (HWM $hwm), BIRD $br kB, CPU $cpu s"
	row "idle, 2 neighbors Established + 4 checks (file, tcp, exec /bin/true, http; 1 s each), RSS at the end of ${secs} s (peak $(mb "$hwm"))" \
	    "$(mb "$r")" "$(mb "$br") (BIRD, same run)" "$(fdiv "$r" "$br")" \
	    "<= 2 MB (BIRD 4.8, FRR 15.8, ExaBGP 24 MB)" "$(yn le "$r" 2048)"
	row "idle: CPU seconds (utime+stime) over ${secs} s ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s wall)" \
	    "$cpu s" "-" "-" "-" "-"
	teardown
}

# --- run ---------------------------------------------------------------------------

T0=$SECONDS
for b in ${PEERS_ONLY:-recv mrt announce idle}; do
	"bench_$b" || { not_ok "$b benchmark failed"; teardown; }
done

echo "Peering scale and footprint: anycastd ($(stat -c %y "$ANYCASTD" | cut -c1-19), sha256 $(sha256sum "$ANYCASTD" | cut -c1-12)) vs BIRD $(bird --version 2>&1 | awk '{ print $NF }'); $((SECONDS - T0)) s;" \
    "$(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| benchmark | anycastd | BIRD (or peer) | ratio | goal | met? |"
echo "|---|---|---|---|---|---|"
for r in "${ROWS[@]}"; do
	echo "$r"
done
for r in "${NOTES[@]}"; do
	echo
	echo "$r"
done
[ "$IT_SCEN_OK" = 1 ]
