#!/bin/sh
# The sd_notify side of anycastd, with this script as the service manager:
# a python3 listener binds a datagram socket in TEST_TMPDIR and records
# every message with its CLOCK_MONOTONIC arrival time, and the daemon runs
# with NOTIFY_SOCKET, WATCHDOG_USEC=400000 and WATCHDOG_PID set as systemd
# sets them.  Checked: READY=1 with STATUS= after start; STATUS= following
# a check and a prefix; WATCHDOG=1 about every 200 ms; RELOADING=1 with
# MONOTONIC_USEC then READY=1 on "anycastctl reload", on SIGHUP and on a
# failed reload; the fail-safe (an exec check whose runs stop ending in
# time withholds WATCHDOG=1 longer than WATCHDOG_USEC, so systemd would
# restart the daemon; removing it resumes the pings); STOPPING=1 on
# SIGTERM.  Every wait is bounded.  Needs BUILDDIR and TEST_TMPDIR;
# TEST_WRAPPER (e.g. valgrind) wraps the daemon, and then only the order
# of messages is checked, not their timing.

set -u

: "${BUILDDIR:?}" "${TEST_TMPDIR:?}"
ANYCASTD=$BUILDDIR/src/anycastd
ANYCASTCTL=$BUILDDIR/src/anycastctl
WRAP=${TEST_WRAPPER:-}
T=$TEST_TMPDIR
CONF=$T/notify.conf
SOCK=$T/ctl.sock
NSOCK=$T/notify.sock
NLOG=$T/notify.log
LOG=$T/anycastd.log
WATCHDOG_USEC=400000

for b in "$ANYCASTD" "$ANYCASTCTL"; do
	if [ ! -x "$b" ]; then
		echo "$b not built (the Makefile's PROGS); skipped"
		exit 77
	fi
done
if ! command -v python3 >/dev/null 2>&1; then
	echo "python3 not found (it plays the service manager); skipped"
	exit 77
fi
# notify.o is linked in only once main() calls it.
if ! grep -q NOTIFY_SOCKET "$ANYCASTD"; then
	echo "anycastd does not call notify_init() yet; skipped"
	exit 77
fi
. "$(dirname "$0")/lib/daemon.sh"

dpid=
lpid=

cleanup() {
	if [ -n "$dpid" ]; then
		kill "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null
	fi
	if [ -n "$lpid" ]; then
		kill "$lpid" 2>/dev/null
		wait "$lpid" 2>/dev/null
	fi
	# The stuck check's escaped grandchildren, by the pids they wrote.
	if [ -f "$T/orphans" ]; then
		while read -r pid; do
			if grep -q sleep "/proc/$pid/cmdline" 2>/dev/null; then
				kill "$pid" 2>/dev/null
			fi
		done <"$T/orphans"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# gone PID: the process has exited (a zombie counts: kill -0 still works
# on one until it is waited for).
gone() {
	! kill -0 "$1" 2>/dev/null ||
	    [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# --- the service manager's side ---------------------------------------------

cat >"$T/listen.py" <<'EOF'
# Records each datagram on NOTIFY_SOCKET as a JSON line {"t", "m"}, t in
# CLOCK_MONOTONIC seconds (the daemon's clock), for at most 300 s.
import json, os, socket, sys, time
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.5)
end = time.monotonic() + 300
with open(out, "a") as f:
    while time.monotonic() < end:
        try:
            m = s.recv(4096)
        except socket.timeout:
            continue
        t = time.clock_gettime(time.CLOCK_MONOTONIC)
        f.write(json.dumps({"t": t, "m": m.decode("utf-8", "replace")}) + "\n")
        f.flush()
EOF

cat >"$T/nlog.py" <<'EOF'
# Questions about the recorded messages; exit 0 for yes.
#   now                          CLOCK_MONOTONIC, for marks
#   has MARK REGEX               a message after MARK matches
#   seq MARK REGEX...            messages after MARK match each in order
#   show MARK REGEX              prints the first message that matches
#   pings MARK END               "count max_gap median_gap" of WATCHDOG=1
#                                between the two marks
import json, re, sys, time
cmd = sys.argv[1]
if cmd == "now":
    print("%.6f" % time.clock_gettime(time.CLOCK_MONOTONIC))
    sys.exit(0)
msgs = []
with open(sys.argv[2]) as f:
    for line in f:
        try:
            msgs.append(json.loads(line))
        except ValueError:
            pass                # a line being written
mark = float(sys.argv[3])
after = [m for m in msgs if m["t"] >= mark]
if cmd == "has":
    sys.exit(0 if any(re.search(sys.argv[4], m["m"], re.M) for m in after)
             else 1)
if cmd == "seq":
    pats = sys.argv[4:]
    for m in after:
        if pats and re.search(pats[0], m["m"], re.M):
            pats = pats[1:]
    sys.exit(0 if not pats else 1)
if cmd == "show":
    for m in after:
        if re.search(sys.argv[4], m["m"], re.M):
            print(m["m"].replace("\n", "\\n"))
            sys.exit(0)
    sys.exit(1)
if cmd == "pings":
    end = float(sys.argv[4])
    ts = [m["t"] for m in after if m["t"] <= end and m["m"] == "WATCHDOG=1"]
    # The edges of the window count as pings: a silence at either end
    # is a gap too.
    edges = [mark] + ts + [end]
    gaps = sorted(b - a for a, b in zip(edges, edges[1:]))
    inner = sorted(b - a for a, b in zip(ts, ts[1:])) or [0.0]
    print("%d %.3f %.3f" % (len(ts), gaps[-1], inner[len(inner) // 2]))
    sys.exit(0)
sys.exit(2)
EOF

now() {
	python3 "$T/nlog.py" now
}
has() {
	python3 "$T/nlog.py" has "$NLOG" "$@"
}
seq_() {
	python3 "$T/nlog.py" seq "$NLOG" "$@"
}
show() {
	python3 "$T/nlog.py" show "$NLOG" "$@"
}

# pings_ok MARK END MAX_GAP: WATCHDOG=1 about every WATCHDOG_USEC / 2
# between the marks; sets count, gap and median.
pings_ok() {
	set -- "$1" "$2" "$3" $(python3 "$T/nlog.py" pings "$NLOG" "$1" "$2")
	count=$4 gap=$5 median=$6
	if [ -n "$WRAP" ]; then
		[ "$count" -ge 1 ]
		return
	fi
	python3 -c 'import sys
c, g, m, lim = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
sys.exit(0 if c >= 3 and g < lim and 0.12 <= m <= 0.3 else 1)' \
	    "$count" "$gap" "$median" "$3"
}

# gap_over MARK END SECONDS: some silence between the marks is longer.
gap_over() {
	set -- "$1" "$2" "$3" $(python3 "$T/nlog.py" pings "$NLOG" "$1" "$2")
	count=$4 gap=$5
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' \
	    "$gap" "$3"
}

# --- the daemon ---------------------------------------------------------------

# write_conf [EXTRA]: EXTRA is appended (a check that stalls).
write_conf() {
	cat >"$CONF" <<EOF
# written by tests/notify.sh
router-id 192.0.2.10
local-as 65010
listen 127.0.0.1 port $PORT
control "$SOCK"
state-file "$T/state"

neighbor 127.0.0.2 {
	remote-as 65000
	passive
}

check flag {
	file "$T/flag" present
	interval 100ms  timeout 50ms  rise 1  fall 1
}

prefix 203.0.113.0/24 {
	requires flag
}
${1:-}
EOF
}

python3 "$T/listen.py" "$NSOCK" "$NLOG" &
lpid=$!
: >"$NLOG"
if ! wait_for 50 test -S "$NSOCK"; then
	echo "the notify listener did not start"
	exit 1
fi

PORT=$((20000 + ($$ * 3) % 10000))
tries=0
while :; do
	write_conf
	out=$("$ANYCASTD" -n -f "$CONF" 2>&1)
	if [ $? -ne 0 ] || [ "$out" != "config OK" ]; then
		echo "anycastd -n: $out"
		exit 1
	fi
	start=$(now)
	# WATCHDOG_PID: sh's pid, which exec hands to anycastd.
	NOTIFY_SOCKET=$NSOCK WATCHDOG_USEC=$WATCHDOG_USEC \
	    sh -c 'export WATCHDOG_PID=$$; exec "$@"' sh \
	    $WRAP "$ANYCASTD" -f "$CONF" >"$LOG" 2>&1 &
	dpid=$!
	if wait_for 100 has "$start" '^READY=1$'; then
		break
	fi
	if ! gone "$dpid"; then
		cat "$LOG"
		echo "no READY=1 after $((10 * SLOW)) s"
		exit 1
	fi
	wait "$dpid"
	dpid=
	tries=$((tries + 1))
	if [ $tries -ge 10 ] || ! grep -qi 'in use\|listen' "$LOG"; then
		cat "$LOG"
		echo "anycastd did not start"
		exit 1
	fi
	PORT=$((20000 + ($$ * 3 + tries * 7919) % 10000))
done
ok "READY=1 after start (daemon $dpid, port $PORT)"

if show "$start" '^READY=1$' | grep -q 'STATUS=0/1 neighbors Established, 0/1 prefixes announced, 0/1 checks up'; then
	ok "READY=1 carries STATUS=: $(show "$start" '^READY=1$')"
else
	fail "READY=1 without the expected STATUS=: $(show "$start" '^READY=1$')"
fi

# --- STATUS= follows the daemon -------------------------------------------------

mark=$(now)
: >"$T/flag"
if wait_for 50 has "$mark" '^STATUS=0/1 neighbors Established, 1/1 prefixes announced, 1/1 checks up$'; then
	ok "STATUS= follows: $(show "$mark" '^STATUS=')"
else
	fail "no STATUS= with the check up and the prefix announced"
	python3 "$T/nlog.py" show "$NLOG" "$mark" '^STATUS=' 
fi

# --- the watchdog -------------------------------------------------------------

mark=$(now)
sleep 2
end=$(now)
if pings_ok "$mark" "$end" 0.4; then
	ok "WATCHDOG=1: $count in 2 s, median gap $median s, longest $gap s"
else
	fail "WATCHDOG=1: $count in 2 s, median gap $median s, longest $gap s" \
	    "(want about every 0.2 s, never 0.4 s apart)"
fi

# --- reload -------------------------------------------------------------------

# reload_seen MARK: RELOADING=1 with a current MONOTONIC_USEC, then READY=1.
reload_seen() {
	wait_for 50 seq_ "$1" '^RELOADING=1$' '^READY=1$' || return 1
	usec=$(show "$1" '^RELOADING=1' | sed -n 's/.*MONOTONIC_USEC=\([0-9]*\).*/\1/p')
	[ -n "$usec" ] && python3 -c 'import sys
sys.exit(0 if abs(int(sys.argv[1]) / 1e6 - float(sys.argv[2])) < 5 * int(sys.argv[3]) else 1)' \
	    "$usec" "$1" "$SLOW"
}

mark=$(now)
if "$ANYCASTCTL" -s "$SOCK" reload >"$T/ctl.out" 2>&1; then
	if reload_seen "$mark"; then
		ok "anycastctl reload: $(show "$mark" '^RELOADING=1'), then READY=1"
	else
		fail "anycastctl reload: no RELOADING=1 + MONOTONIC_USEC, READY=1"
	fi
else
	fail "anycastctl reload: $(cat "$T/ctl.out")"
fi

mark=$(now)
kill -HUP "$dpid"
if reload_seen "$mark"; then
	ok "SIGHUP: RELOADING=1, MONOTONIC_USEC, READY=1"
else
	fail "SIGHUP: no RELOADING=1 + MONOTONIC_USEC, READY=1"
fi

mark=$(now)
cp "$CONF" "$T/good.conf"
echo 'no-such-setting 1' >>"$CONF"
if "$ANYCASTCTL" -s "$SOCK" reload >"$T/ctl.out" 2>&1; then
	fail "anycastctl reload of a broken file succeeded"
elif reload_seen "$mark" &&
    has "$mark" '^READY=1\nSTATUS=reload failed, running the previous configuration: .*notify.conf:[0-9]+:[0-9]+: '; then
	ok "failed reload: READY=1 with $(show "$mark" 'STATUS=reload failed' | sed 's/.*STATUS=//')"
else
	fail "failed reload: $(python3 "$T/nlog.py" show "$NLOG" "$mark" 'READY=1')"
fi
cp "$T/good.conf" "$CONF"

# --- the fail-safe: a check engine that stops finishing runs --------------------

# The program leaves a grandchild in a session of its own that holds the
# output: the timeout kills the program's process group, and health.c
# then waits a second for EOF before it gives up (health_exec.c), far
# longer than this check's 3 intervals + timeout (0.4 s).  While it
# waits, health_progressing() is false, so no WATCHDOG=1 goes out.
SETSID=$(command -v setsid)
if [ -z "$SETSID" ]; then
	echo "setsid (util-linux) not found: the stalled check is not tried"
else
	stuck='check stuck {
		exec "/bin/sh" "-c" "'"$SETSID"' /bin/sh -c '\''echo $$ >>'"$T"'/orphans; exec sleep 3'\'' & exec sleep 30"
		interval 100ms  timeout 100ms
	}'
	write_conf "$stuck"
	mark=$(now)
	kill -HUP "$dpid"
	if ! wait_for 50 seq_ "$mark" '^RELOADING=1$' '^READY=1$'; then
		fail "no reload with the stuck check"
	fi
	sleep 5
	end=$(now)
	if gap_over "$mark" "$end" "$(python3 -c "print($WATCHDOG_USEC / 1e6 * 1.5)")"; then
		ok "stuck check: WATCHDOG=1 withheld for $gap s (> WATCHDOG_USEC" \
		    "$((WATCHDOG_USEC / 1000)) ms: systemd would restart anycastd)"
	else
		fail "stuck check: WATCHDOG=1 never withheld (longest gap $gap s)"
		grep 'stuck' "$LOG" | tail -n 5
	fi
	if grep -q 'watchdog pings withheld' "$LOG"; then
		ok "the daemon says so: $(grep 'watchdog pings withheld' "$LOG" | head -n 1)"
	else
		fail "no log line about withheld watchdog pings"
	fi

	write_conf
	mark=$(now)
	kill -HUP "$dpid"
	if ! wait_for 50 seq_ "$mark" '^RELOADING=1$' '^READY=1$'; then
		fail "no reload without the stuck check"
	fi
	sleep 1
	mark=$(now)
	sleep 1.5
	end=$(now)
	if pings_ok "$mark" "$end" 0.4; then
		ok "stuck check removed: WATCHDOG=1 again ($count in 1.5 s," \
		    "longest gap $gap s)"
	else
		fail "stuck check removed: $count pings in 1.5 s, longest gap $gap s"
	fi
	if grep -q 'watchdog pings resumed' "$LOG"; then
		ok "and says so: $(grep 'watchdog pings resumed' "$LOG" | tail -n 1)"
	else
		fail "no log line about resumed watchdog pings"
	fi
fi

# --- stop ----------------------------------------------------------------------

mark=$(now)
kill -TERM "$dpid"
if wait_for 50 has "$mark" '^STOPPING=1'; then
	ok "SIGTERM: $(show "$mark" '^STOPPING=1')"
else
	fail "SIGTERM: no STOPPING=1"
fi
if wait_for 100 gone "$dpid"; then
	wait "$dpid"
	rc=$?
	dpid=
	if [ $rc -eq 0 ]; then
		ok "anycastd exited 0"
	else
		fail "anycastd exited $rc"
	fi
else
	fail "anycastd still running 10 s after SIGTERM"
fi

if [ $failures -ne 0 ]; then
	echo "--- daemon log"
	cat "$LOG"
	echo "--- notify messages"
	cat "$NLOG"
	echo "$failures failed"
	exit 1
fi
echo "all passed"
