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
#            time; Established -> BIRD holds N; and BIRD -> BIRD
#   idle     2 neighbors, 4 checks, 60 s: RSS and CPU seconds; BIRD's RSS
#
# Prints one markdown table on stdout, progress on stderr. Needs root and
# BIRD; says so (exit 0) without them. PEERS_ONLY picks among
# "recv mrt announce idle"; PEERS_RECV_N ("100000 1000000"),
# PEERS_ANN_N ("1000 10000 100000 1000000"), PEERS_IDLE_SECONDS (60).

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
it_init "peers" >&2

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
# -v logs a debug line per UPDATE received (89,679 for the real table),
# which is not how a PoP runs it. Session events are logged either way.
ac_start() {
	local dir=$1
	AC_DIR=$dir
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

# poll_until_stable CMD TARGET MAXS: polls CMD (prints a number) every
# ~20 ms until it prints TARGET, or has not changed for 3 s once nonzero,
# or MAXS seconds pass. Prints "time-of-first-poll-at-final-value value".
poll_until_stable() {
	local cmd=$1 target=$2 max=$3 v last=-1 t_last= end t
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
		if [ "$v" != 0 ] && awk -v a="$t_last" -v b="$t" 'BEGIN { exit !(b - a > 3) }'; then
			break
		fi
		sleep 0.02
	done
	echo "$t_last $last"
}

# --- BIRD pieces -------------------------------------------------------------------

# static_routes N: N "route 10.a.b.c/32 blackhole;" lines.
static_routes() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
	    printf "\troute 10.%d.%d.%d/32 blackhole;\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
}

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

# bird2bird N DIR: BIRD (NS_POP, N static /32s) -> BIRD (NS_RT), the same
# measurement as anycastd's: Established (receiver's log) -> receiver's
# birdc count = N. B2B_DT[N], B2B_V[N]; done once per N.
declare -A B2B_DT B2B_V
bird2bird() {
	local n=$1 bdir=$2 t_done t_est b_v b_dt
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
	bird_ts_conf "$bdir/r" "
protocol bgp ac {
	local $RT_ADDR4 as $HC_RT_AS;
	neighbor $POP_ADDR4 as $HC_AC_AS;
	passive on;
	ipv4 { import all; export none; };
}"
	bird_start "$bdir/r" || return 1
	timeout 5 birdc -s "$bdir/bird.ctl" enable ac >/dev/null
	wait_until "Established" 60 bird_established ac || { not_ok "BIRD->BIRD $n: no session"; return 1; }
	read -r t_done b_v <<<"$(poll_until_stable bird_count "$n" 120)"
	t_est=$(bird_est_time "$bdir/r" ac)
	b_dt=$(awk -v a="$t_est" -v b="$t_done" 'BEGIN { printf "%.3f", b - a }')
	log "    BIRD -> BIRD: $b_v routes in $b_dt s"
	B2B_DT[$n]=$b_dt
	B2B_V[$n]=$b_v
	teardown
}

# --- 1. receive N from BIRD --------------------------------------------------------

bench_recv_one() {
	local n=$1 dir=$TEST_TMPDIR/recv-$n t_est t_done v r0 r1 hwm dt s
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
	passive on;
	disabled;
	ipv4 { import none; export all; next hop self; };
}"
	bird_start "$dir" || return 1
	wait_until "BIRD has its static routes" 300 \
	    eval '[ "$(bird_count)" = "$n" ]' || { not_ok "recv: BIRD did not load $n routes"; return 1; }
	ac_write "$dir" "neighbor $RT_ADDR4 {
	remote-as $HC_RT_AS
	connect-retry 1s
}"
	ac_start "$dir" || return 1
	sleep 0.5
	r0=$(status_kb "$AC_PID" VmRSS)
	bird_cli enable ac >/dev/null
	wait_until "Established" 30 ac_established "$RT_ADDR4" || { not_ok "recv: no session"; return 1; }
	read -r t_done v <<<"$(poll_until_stable "ac_rcvd $RT_ADDR4" "$n" 120)"
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
	row "receive $n /32s from BIRD: Established -> all held (anycastd: prefixes_received $v, $s, polled ~20 ms; peer: BIRD -> BIRD, birdc count polled, receiver held ${B2B_V[$n]:-?})" \
	    "$dt s" "${B2B_DT[$n]:-not measured} s" "$(fdiv "$dt" "${B2B_DT[$n]:-0}")" "-" "-"
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
# after Established (for the "before" RSS); REPLAY_PID.
replay_start() {
	start_bg "$1/replay.out" ip netns exec "$2" python3 -u "$REPLAY" \
	    --listen "$3" --as 3856 --id 206.220.231.55 --pause 2 \
	    --duration 300 "$MRT"
	REPLAY_PID=$LAST_PID
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
	wait_until "Established" 15 grep -q '^established' "$dir/ac/replay.out" ||
	    { not_ok "mrt: no session"; return 1; }
	r0=$(status_kb "$AC_PID" VmRSS)
	wait_until "replay starts" 10 grep -q '^start' "$dir/ac/replay.out"
	read -r t_done v <<<"$(poll_until_stable "ac_rcvd $RT_ADDR4" "$MRT_EXPECT" 120)"
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
	row "real table: replay of 89,679 UPDATEs (AS 3856): first UPDATE sent -> all held (anycastd $v, BIRD $b_v routes; anycastd $ok1; polls ~20 ms, birdc count ~$(bird_poll_ms) ms)" \
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

prefix_blocks() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
	    printf "prefix 10.%d.%d.%d/32 {\n}\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
}

bench_announce_one() {
	local n=$1 dir=$TEST_TMPDIR/ann-$n p0 p1 parse t_est t_done v dt hwm b_dt b_v res
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
		row "announce $n: config parse (anycastd -n)" "failed or > 120 s ($(( (p1 - p0) / 1000 )) ms)" "-" "-" "-" "-"
		return 1
	fi
	p1=$(now_us)
	parse=$(fdiv "$((p1 - p0))" 1000000 %.3f)
	log "    parse: $parse s"
	netns_setup "a$n" || return 1
	bird_ts_conf "$dir" "
protocol bgp ac {
	local $RT_ADDR4 as $HC_RT_AS;
	neighbor $POP_ADDR4 as $HC_AC_AS;
	passive on;
	ipv4 { import all; export none; };
}"
	bird_start "$dir" || return 1
	ac_start "$dir" || return 1
	wait_until "Established" 60 bird_established ac || { not_ok "announce $n: no session"; return 1; }
	read -r t_done v <<<"$(poll_until_stable bird_count "$n" 120)"
	res=$(bird_poll_ms)
	t_est=$(bird_est_time "$dir" ac)
	hwm=$(status_kb "$AC_PID" VmHWM)
	dt=$(awk -v a="$t_est" -v b="$t_done" 'BEGIN { printf "%.3f", b - a }')
	log "    anycastd -> BIRD: $v routes in $dt s; anycastd HWM $hwm kB"
	[ "$v" = "$n" ] || not_ok "announce $n: BIRD holds $v"
	teardown

	bird2bird "$n" "$dir/b"
	b_dt=${B2B_DT[$n]:-} b_v=${B2B_V[$n]:-}
	row "announce $n prefixes to BIRD: Established -> BIRD holds all (anycastd $v, BIRD sender $b_v; birdc count polled, ~$res ms)" \
	    "$dt s" "$b_dt s (BIRD -> BIRD)" "$(fdiv "$dt" "$b_dt")" \
	    "$([ "$n" = 1000000 ] && echo "<= 2.5 s (BIRD -> BIRD 6.5 s)" || echo -)" \
	    "$([ "$n" = 1000000 ] && yn le "$dt" 2.5 || echo -)"
	row "... announce $n: anycastd config parse (anycastd -n, wall) / peak RSS (VmHWM)" \
	    "$parse s / $(mb "$hwm")" "-" "-" "-" "-"
	teardown
}

bench_announce() {
	local n
	for n in ${PEERS_ANN_N:-1000 10000 100000 1000000}; do
		bench_announce_one "$n" || { not_ok "announce $n failed"; teardown; }
	done
	nm "announce N from gobgp / ExaBGP to the same BIRD" \
	    "not run in the time budget (BIRD -> BIRD is the peer column)"
}

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
