#!/bin/sh
# anycastctl monitor end to end: the JSON event lines for a session going
# down and up, a check going down, a prefix drained and undrained and a
# reload; the text form; the key=value log lines; and a monitor client
# that stops reading is dropped without holding up other clients. Run by
# "make check"; needs BUILDDIR and TEST_TMPDIR.

set -u

: "${BUILDDIR:?}" "${TEST_TMPDIR:?}"
ANYCASTD=$BUILDDIR/src/anycastd
ANYCASTCTL=$BUILDDIR/src/anycastctl
WRAP=${TEST_WRAPPER:-}
T=$TEST_TMPDIR
CONF=$T/mon.conf
SOCK=$T/mon.sock
LOG=$T/anycastd.log

for b in "$ANYCASTD" "$ANYCASTCTL"; do
	if [ ! -x "$b" ]; then
		echo "$b not built; skipped"
		exit 77
	fi
done
if ! command -v python3 >/dev/null 2>&1; then
	echo "python3 not found; skipped"
	exit 77
fi
. "$(dirname "$0")/lib/daemon.sh"

dpid=
mpid=
tpid=
spid=

cleanup() {
	for p in $spid $tpid $mpid $dpid; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ctl() {
	out=$("$ANYCASTCTL" -s "$SOCK" "$@" 2>"$T/err")
	rc=$?
	[ "$rc" -eq 0 ] || fail "anycastctl $*: exit $rc ($(cat "$T/err"))"
}

# has_event FILE PYTHON-EXPR: a JSON line e in FILE makes the expression
# true (and every line is one JSON object with a time and an event).
has_event() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
found = False
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert isinstance(e["time"], (int, float)) and e["time"] > 1e9
    assert isinstance(e["event"], str)
    if eval(sys.argv[2]):
        found = True
sys.exit(0 if found else 1)
EOF
}

write_conf() {
	cat >"$CONF" <<EOF
router-id 192.0.2.10
local-as 65010
listen 127.0.0.1 port $PORT
control "$SOCK"
state-file "$T/state"

neighbor 127.0.0.2 {
	remote-as 65000
	description "upstream a"
	passive
}

check maint {
	file "$T/maintenance" absent
	interval 100ms timeout 50ms rise 1 fall 1
}

prefix 203.0.113.0/24 {
	requires maint
}
$1
EOF
}

# --- start ----------------------------------------------------------------

PORT=$((30000 + $$ % 10000))
tries=0
while :; do
	write_conf ""
	rm -f "$SOCK"
	$WRAP "$ANYCASTD" -f "$CONF" >"$LOG" 2>&1 &
	dpid=$!
	if wait_for 100 test -S "$SOCK"; then
		break
	fi
	kill "$dpid" 2>/dev/null
	wait "$dpid"
	dpid=
	tries=$((tries + 1))
	if [ $tries -ge 10 ] || ! grep -qi 'in use\|listen' "$LOG"; then
		cat "$LOG"
		echo "anycastd did not start"
		exit 1
	fi
	PORT=$((30000 + ($$ + tries * 7919) % 10000))
done
ok "daemon $dpid on port $PORT"

prefix_announced() {
	"$ANYCASTCTL" -s "$SOCK" -j show prefixes 2>/dev/null |
	    grep -q '"state":"announced"'
}
wait_for 50 prefix_announced || fail "the prefix was never announced"

# --- events ---------------------------------------------------------------

"$ANYCASTCTL" -s "$SOCK" -j monitor >"$T/mon.json" 2>"$T/mon.err" &
mpid=$!
"$ANYCASTCTL" -s "$SOCK" monitor >"$T/mon.txt" 2>&1 &
tpid=$!
# Both are subscribed once the daemon has three clients; simpler: wait a
# moment, then check the first event arrived.
sleep $((SLOW))

ctl neighbor 127.0.0.2 down
wait_for 50 has_event "$T/mon.json" "e['event'] == 'session' and \
e['neighbor'] == '127.0.0.2' and e['from'] == 'Active' and \
e['to'] == 'Idle' and e['reason'] == 'ManualStop' and \
e['descr'] == 'upstream a'" &&
    ok "monitor: session Active -> Idle" ||
    fail "no session event: $(cat "$T/mon.json")"
ctl neighbor 127.0.0.2 up
wait_for 50 has_event "$T/mon.json" "e['event'] == 'session' and \
e['from'] == 'Idle' and e['to'] == 'Active'" &&
    ok "monitor: session Idle -> Active" ||
    fail "no session up event: $(cat "$T/mon.json")"

ctl drain 203.0.113.0/24
wait_for 50 has_event "$T/mon.json" "e['event'] == 'prefix' and \
e['prefix'] == '203.0.113.0/24' and e['from'] == 'announced' and \
e['to'] == 'withdrawn' and 'reason' in e" &&
    ok "monitor: prefix drained" ||
    fail "no prefix event: $(cat "$T/mon.json")"
ctl undrain all
wait_for 50 has_event "$T/mon.json" "e['event'] == 'prefix' and \
e['to'] == 'announced'" &&
    ok "monitor: prefix undrained" ||
    fail "no prefix undrain event: $(cat "$T/mon.json")"

touch "$T/maintenance"
wait_for 50 has_event "$T/mon.json" "e['event'] == 'check' and \
e['check'] == 'maint' and e['state'] == 'down'" &&
    ok "monitor: check down" ||
    fail "no check event: $(cat "$T/mon.json")"
rm -f "$T/maintenance"
wait_for 50 has_event "$T/mon.json" "e['event'] == 'check' and \
e['state'] == 'up'" && ok "monitor: check up" ||
    fail "no check up event: $(cat "$T/mon.json")"

ctl reload
wait_for 50 has_event "$T/mon.json" "e['event'] == 'reload' and \
e['result'] == 'ok'" && ok "monitor: reload" ||
    fail "no reload event: $(cat "$T/mon.json")"

# A peer's End-of-RIB: its initial table is in (RFC 4724 2).
python3 -S "$(dirname "$0")/tools/rawpeer.py" --connect "127.0.0.1:$PORT" \
    --bind 127.0.0.2 --as 65000 --id 198.51.100.2 --case update-eor \
    --expect up >"$T/rawpeer.out" 2>&1 ||
    fail "rawpeer update-eor: $(cat "$T/rawpeer.out")"
wait_for 50 has_event "$T/mon.json" "e['event'] == 'eor' and \
e['neighbor'] == '127.0.0.2' and e['family'] == 'ipv4 unicast' and \
e['prefixes'] == 1 and 0 <= e['after'] < 60" &&
    ok "monitor: end-of-rib, 1 prefix" ||
    fail "no eor event: $(cat "$T/mon.json")"

# The text form: a local timestamp and one line an event.
if wait_for 30 grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3} session 127\.0\.0\.2 Active -> Idle \(ManualStop\)$' "$T/mon.txt" &&
    grep -Eq ' prefix 203\.0\.113\.0/24 announced -> withdrawn' "$T/mon.txt" &&
    grep -Eq ' reload ok$' "$T/mon.txt" &&
    grep -Eq ' end-of-rib 127\.0\.0\.2 ipv4 unicast: 1 prefixes, [0-9.]+ s after Established$' "$T/mon.txt"; then
	ok "monitor text: $(head -n 1 "$T/mon.txt")"
else
	fail "monitor text: $(cat "$T/mon.txt")"
fi

# The log: key=value, descriptions quoted.
if grep -q 'event=session neighbor=127.0.0.2 descr="upstream a" from=Active to=Idle reason=ManualStop' "$LOG" &&
    grep -q 'event=prefix prefix=203.0.113.0/24 from=announced to=withdrawn' "$LOG" &&
    grep -q 'event=check check=maint state=down' "$LOG" &&
    grep -q 'event=reload result=ok' "$LOG" &&
    grep -Eq 'event=eor neighbor=127.0.0.2 descr="upstream a" family=\"ipv4 unicast\" prefixes=1 after=[0-9.]+$' "$LOG"; then
	ok "key=value log lines"
else
	fail "log lines: $(grep 'event=' "$LOG")"
fi

# SIGINT: exit 0.
kill -INT "$mpid"
wait "$mpid"
rc=$?
mpid=
[ "$rc" -eq 0 ] && ok "anycastctl monitor: SIGINT -> exit 0" ||
    fail "anycastctl monitor: SIGINT -> exit $rc"
kill -INT "$tpid"
wait "$tpid"
tpid=

# --- a monitor that stops reading ------------------------------------------

python3 - "$SOCK" >"$T/stuck.log" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b"monitor\n")
print("subscribed", flush=True)
time.sleep(600)
EOF
spid=$!
wait_for 50 grep -q subscribed "$T/stuck.log"
sleep $((SLOW))
# Many events, fast: one client sending neighbor down/up lines.
python3 - "$SOCK" 20000 <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rb")
f.readline()
for i in range(int(sys.argv[2]) // 100):
    s.sendall(b"neighbor 127.0.0.2 down\nneighbor 127.0.0.2 up\n" * 50)
    for j in range(100):
        f.readline()
EOF
start=$(date +%s)
out=$(timeout $((5 * SLOW)) "$ANYCASTCTL" -s "$SOCK" -j show neighbors)
rc=$?
end=$(date +%s)
if [ "$rc" -eq 0 ] && [ $((end - start)) -le $((2 * SLOW)) ]; then
	ok "show neighbors answers while a monitor is stuck"
else
	fail "show neighbors: exit $rc after $((end - start)) s"
fi
if wait_for 50 grep -q 'monitor fell .* behind; dropped' "$LOG"; then
	ok "the stuck monitor was dropped: $(grep -o 'control: .*dropped' "$LOG" | head -n 1)"
else
	fail "the stuck monitor was not dropped"
fi
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
spid=

kill -TERM "$dpid"
wait "$dpid"
rc=$?
dpid=
[ "$rc" -eq 0 ] || fail "anycastd: exit $rc"

if [ $failures -gt 0 ]; then
	echo "$failures failures; daemon log:"
	tail -n 40 "$LOG"
	exit 1
fi
exit 0
