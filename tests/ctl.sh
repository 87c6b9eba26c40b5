#!/bin/sh
# anycastd and anycastctl end to end, on 127.0.0.1 and a private control
# socket: the JSON and table replies, exit statuses 0-3, neighbor down/up,
# reload (good and bad), show rib fed by a small BGP peer in python3, the
# raw line protocol with socat, SIGTERM (exit 0, Cease to the peer, socket
# file gone). Run by "make check"; needs BUILDDIR and TEST_TMPDIR.
# TEST_WRAPPER (e.g. valgrind) wraps the daemon.

set -u

: "${BUILDDIR:?}" "${TEST_TMPDIR:?}"
ANYCASTD=$BUILDDIR/src/anycastd
ANYCASTCTL=$BUILDDIR/src/anycastctl
WRAP=${TEST_WRAPPER:-}
T=$TEST_TMPDIR
CONF=$T/ctl.conf
SOCK=$T/ctl.sock
LOG=$T/anycastd.log
ROUTES=10000
ADDR='127\.0\.0\.2'	# the peer, as a regular expression

for b in "$ANYCASTD" "$ANYCASTCTL"; do
	if [ ! -x "$b" ]; then
		echo "$b not built (the Makefile's PROGS); skipped"
		exit 77
	fi
done
if command -v python3 >/dev/null 2>&1; then
	JSON=python3
elif command -v jq >/dev/null 2>&1; then
	JSON=jq
else
	echo "neither python3 nor jq found; skipped"
	exit 77
fi
# valgrind makes the daemon slow to start and to answer
. "$(dirname "$0")/lib/daemon.sh"

dpid=
ppid_=

cleanup() {
	if [ -n "$ppid_" ]; then
		kill "$ppid_" 2>/dev/null
		wait "$ppid_" 2>/dev/null
	fi
	if [ -n "$dpid" ]; then
		kill "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# jcheck JSON PYTHON-EXPR JQ-EXPR: the expression (over d) is true.
jcheck() {
	if [ "$JSON" = python3 ]; then
		printf '%s' "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c_ok = lambda c: (c["successes"] >= 1 and c["failures"] == 0 and
    c["last_error"] == "")
sys.exit(0 if eval(sys.argv[1]) else 1)' "$2" 2>/dev/null
	else
		printf '%s' "$1" | jq -e "$3" >/dev/null 2>&1
	fi
}

# ctl ARGS...: runs anycastctl on our socket; sets out, err and rc.
ctl() {
	out=$("$ANYCASTCTL" -s "$SOCK" "$@" 2>"$T/err")
	rc=$?
	err=$(cat "$T/err")
}

expect_rc() {
	want=$1
	shift
	ctl "$@"
	if [ "$rc" -eq "$want" ]; then
		ok "anycastctl $* -> exit $rc"
	else
		fail "anycastctl $*: exit $rc, want $want (stderr: $err)"
	fi
}

neighbor_state() {
	ctl -j show neighbor 127.0.0.2
	[ "$rc" -eq 0 ] && jcheck "$out" \
	    "d['neighbors'][0]['state'] == '$1'" \
	    ".neighbors[0].state == \"$1\""
}

write_conf() {
	cat >"$CONF" <<EOF
# written by tests/ctl.sh
router-id 192.0.2.10
local-as 65010
listen 127.0.0.1 port $PORT
control "$SOCK"
state-file "$T/state"

neighbor 127.0.0.2 {
	remote-as 65000
	passive
}

check maint {
	file "$T/maintenance" absent
	interval 100ms timeout 50ms rise 1 fall 1
}

prefix 203.0.113.0/24 {
}
EOF
}

# --- start ----------------------------------------------------------------

# A free port: the daemon tells us when one is taken.
PORT=$((20000 + $$ % 10000))
tries=0
while :; do
	write_conf
	out=$("$ANYCASTD" -n -f "$CONF" 2>&1)
	if [ $? -ne 0 ] || [ "$out" != "config OK" ]; then
		echo "anycastd -n: $out"
		exit 1
	fi
	rm -f "$SOCK"
	$WRAP "$ANYCASTD" -f "$CONF" >"$LOG" 2>&1 &
	dpid=$!
	if wait_for 100 test -S "$SOCK"; then
		break
	fi
	if kill -0 "$dpid" 2>/dev/null; then
		cat "$LOG"
		echo "no control socket after $((10 * SLOW)) s"
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
	PORT=$((20000 + ($$ + tries * 7919) % 10000))
done
ok "anycastd -n: config OK; daemon $dpid on port $PORT"

# The control socket's file: a second daemon (without a BGP listener, so
# that the port does not stop it first) must not steal a live socket, nor
# replace a file that is not a socket; a stale socket is replaced.
grep -v '^listen' "$CONF" >"$T/second.conf"
second_daemon() {
	timeout 10 "$ANYCASTD" -f "$T/second.conf" -s "$1" >"$T/second.log" 2>&1
}
if second_daemon "$SOCK"; then
	fail "a second anycastd started on a live socket"
elif grep -q 'control socket.*in use' "$T/second.log"; then
	ok "a second anycastd refuses a live socket"
else
	fail "second anycastd: $(cat "$T/second.log")"
fi
: >"$T/plain"
if second_daemon "$T/plain"; then
	fail "anycastd started on a file that is not a socket"
elif grep -q 'not a socket' "$T/second.log" && [ -f "$T/plain" ]; then
	ok "anycastd refuses a control path that is not a socket"
else
	fail "not a socket: $(cat "$T/second.log")"
fi
if [ "$JSON" = python3 ]; then
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	    "$T/stale.sock"
	"$ANYCASTD" -f "$T/second.conf" -s "$T/stale.sock" >"$T/second.log" 2>&1 &
	spid=$!
	if wait_for 50 grep -q 'stale' "$T/second.log" &&
	    wait_for 50 "$ANYCASTCTL" -s "$T/stale.sock" show prefixes \
	    >/dev/null 2>&1; then
		ok "a stale socket is replaced"
	else
		fail "stale socket: $(cat "$T/second.log")"
	fi
	mode=$(stat -c %a "$T/stale.sock")
	[ "$mode" = 660 ] || fail "control socket mode $mode, want 660"
	kill "$spid"
	wait "$spid"
fi

# --- show -----------------------------------------------------------------

ctl -j show neighbors
if [ "$rc" -eq 0 ] && jcheck "$out" \
    "[(n['address'], n['remote_as'], n['state']) for n in d['neighbors']] \
    == [('127.0.0.2', 65000, 'Active')] and \
    d['neighbors'][0]['uptime'] == 0 and \
    d['neighbors'][0]['hold_time'] == 90 and \
    d['neighbors'][0]['prefixes_sent'] == 0 and \
    d['neighbors'][0]['prefixes_received'] == 0 and \
    d['neighbors'][0]['last_error'] == ''" \
    '.neighbors | length == 1 and .[0].address == "127.0.0.2" and
    .[0].remote_as == 65000 and .[0].state == "Active" and .[0].uptime == 0'
then
	ok "show neighbors -j: 127.0.0.2 AS 65000 Active"
else
	fail "show neighbors -j: rc $rc: $out"
fi

ctl show neighbors
if [ "$rc" -eq 0 ] &&
    printf '%s\n' "$out" | head -n 1 |
    grep -q '^Neighbor  *AS  *State  *Uptime' &&
    printf '%s\n' "$out" | sed -n 2p | grep -q '^127\.0\.0\.2  *65000  *Active '
then
	ok "show neighbors: table with a header row"
else
	fail "show neighbors table: $out"
fi

ctl -j show prefixes
if [ "$rc" -eq 0 ] && jcheck "$out" \
    "[(p['prefix'], p['state'], p['requires'], p['drained']) \
    for p in d['prefixes']] == \
    [('203.0.113.0/24', 'announced', '', False)] and \
    isinstance(d['prefixes'][0]['since'], (int, float))" \
    '.prefixes | length == 1 and .[0].prefix == "203.0.113.0/24" and
    .[0].state == "announced" and .[0].requires == "" and
    .[0].drained == false'
then
	ok "show prefixes -j: 203.0.113.0/24 announced (no requires)"
else
	fail "show prefixes -j: rc $rc: $out"
fi
ctl show prefixes
printf '%s\n' "$out" | head -n 1 |
    grep -q '^Prefix  *State  *Drained  *Since' ||
    fail "show prefixes table: $out"

checks_up() {
	ctl -j show checks
	[ "$rc" -eq 0 ] && jcheck "$out" \
	    "[(c['name'], c['type'], c['state']) for c in d['checks']] == \
	    [('maint', 'file', 'up')] and c_ok(d['checks'][0])" \
	    '.checks | length == 1 and .[0].name == "maint" and
	    .[0].type == "file" and .[0].state == "up"'
}
if wait_for 50 checks_up; then
	ok "show checks -j: maint (file) up"
else
	fail "show checks -j: rc $rc: $out $err"
fi
ctl show checks
printf '%s\n' "$out" | head -n 1 | grep -q '^Check  *Type  *State' ||
    fail "show checks table: $out"

# --- exit statuses --------------------------------------------------------

expect_rc 1 show neighbor 198.51.100.9
case $err in
*"no such neighbor 198.51.100.9"*) ;;
*)	fail "show neighbor 198.51.100.9: stderr \"$err\"" ;;
esac
expect_rc 1 -j show neighbor 198.51.100.9
expect_rc 2 bogus
case $err in
*"unknown command"*usage:*) ;;
*)	fail "bogus: stderr \"$err\"" ;;
esac
expect_rc 2 show neighbor not-an-address
expect_rc 2 drain 203.0.113.1/24
expect_rc 2 show neighbors extra
# Usage errors are found before connecting.
out=$("$ANYCASTCTL" -s /nonexistent bogus 2>/dev/null)
[ $? -eq 2 ] || fail "usage error with an unreachable socket: not exit 2"
out=$("$ANYCASTCTL" -s /nonexistent show neighbors 2>"$T/err")
rc=$?
if [ $rc -eq 3 ] && grep -q nonexistent "$T/err"; then
	ok "anycastctl -s /nonexistent show neighbors -> exit 3"
else
	fail "unreachable daemon: exit $rc, $(cat "$T/err")"
fi
out=$("$ANYCASTCTL" -s "$CONF" show neighbors 2>/dev/null)
[ $? -eq 3 ] || fail "a file that is not a socket: not exit 3"

# A socket that speaks another protocol version: exit 3 before sending.
if [ "$JSON" = python3 ]; then
	rm -f "$T/fake.sock"	# a rerun in the same directory
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
c.sendall(b"{\"anycastd\":\"9.9\",\"protocol\":2}\n")
c.settimeout(5)
try:
    got = c.recv(100)
except OSError:
    got = b""
open(sys.argv[2], "wb").write(got)
' "$T/fake.sock" "$T/fake.got" &
	fake=$!
	wait_for 50 test -S "$T/fake.sock"
	out=$("$ANYCASTCTL" -s "$T/fake.sock" show neighbors 2>"$T/err")
	rc=$?
	wait "$fake"
	if [ $rc -eq 3 ] && grep -q 'protocol 2' "$T/err" &&
	    [ ! -s "$T/fake.got" ]; then
		ok "protocol mismatch -> exit 3, nothing sent"
	else
		fail "protocol mismatch: exit $rc, $(cat "$T/err")"
	fi
fi

# --- neighbor down / up ---------------------------------------------------

expect_rc 0 neighbor 127.0.0.2 down
if neighbor_state Idle && jcheck "$out" "d['neighbors'][0]['admin_down']" \
    '.neighbors[0].admin_down'; then
	ok "neighbor down: Idle, admin_down"
else
	fail "after neighbor down: $out"
fi
expect_rc 0 neighbor 127.0.0.2 up
if wait_for 50 neighbor_state Active; then
	ok "neighbor up: Active again"
else
	fail "after neighbor up: $out"
fi
expect_rc 1 neighbor 127.0.0.2 refresh	# not Established
expect_rc 1 neighbor 198.51.100.9 down

# --- the line protocol ----------------------------------------------------

if command -v socat >/dev/null 2>&1; then
	out=$(echo "show neighbors" | socat -t 5 - "UNIX-CONNECT:$SOCK")
	first=$(printf '%s\n' "$out" | sed -n 1p)
	second=$(printf '%s\n' "$out" | sed -n 2p)
	if jcheck "$first" "d['protocol'] == 1 and 'anycastd' in d" \
	    '.protocol == 1 and has("anycastd")' &&
	    jcheck "$second" "d['neighbors'][0]['address'] == '127.0.0.2'" \
	    '.neighbors[0].address == "127.0.0.2"'; then
		ok "socat: greeting, then one JSON line per request"
	else
		fail "socat: $out"
	fi
	# Several requests on one connection; an unknown one is an error
	# reply, not a hang-up; the last line needs no newline.
	out=$(printf 'show prefixes\nbogus words\n\nshow neighbors' |
	    socat -t 5 - "UNIX-CONNECT:$SOCK")
	if [ "$(printf '%s\n' "$out" | wc -l)" -eq 4 ] &&
	    jcheck "$(printf '%s\n' "$out" | sed -n 3p)" \
	    "d == {'error': 'unknown command \"bogus\"'}" \
	    '.error == "unknown command \"bogus\""' &&
	    jcheck "$(printf '%s\n' "$out" | sed -n 4p)" \
	    "'neighbors' in d" 'has("neighbors")'; then
		ok "socat: pipelined requests"
	else
		fail "socat pipelined: $out"
	fi
	long=$(printf '%02000d' 0)
	out=$(echo "show $long" | socat -t 5 - "UNIX-CONNECT:$SOCK" |
	    sed -n 2p)
	if jcheck "$out" "'longer than 1024' in d['error']" \
	    '.error | test("longer than 1024")'; then
		ok "socat: an overlong request is refused"
	else
		fail "socat overlong: $out"
	fi
else
	echo "socat not installed: raw protocol checks skipped"
fi

# --- show rib, from a BGP peer --------------------------------------------

if command -v python3 >/dev/null 2>&1; then
	cat >"$T/peer.py" <<'EOF'
# A minimal BGP speaker: OPEN (AS4, route refresh), N /24 routes with a
# known attribute set, keepalives; logs what it receives.
import socket, struct, sys, time
src, dst, port, asn, n, log = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
    int(sys.argv[4]), int(sys.argv[5]), open(sys.argv[6], 'w', 1))
def msg(t, body):
    return b'\xff' * 16 + struct.pack('!HB', 19 + len(body), t) + body
def tlv(code, val):
    return struct.pack('!BB', code, len(val)) + val
def attr(flags, code, val):
    return struct.pack('!BBB', flags, code, len(val)) + val
caps = (tlv(1, struct.pack('!HBB', 1, 0, 1)) +
    tlv(65, struct.pack('!I', asn)) + tlv(2, b''))
opt = tlv(2, caps)
s = socket.socket()
s.bind((src, 0))
s.connect((dst, port))
s.sendall(msg(1, struct.pack('!BHH4sB', 4, asn, 90,
    socket.inet_aton('192.0.2.1'), len(opt)) + opt) + msg(4, b''))
path = (struct.pack('!BBII', 2, 2, asn, 64496) +
    struct.pack('!BBII', 1, 2, 64500, 64501))
attrs = (attr(0x40, 1, b'\x00') + attr(0x40, 2, path) +
    attr(0x40, 3, socket.inet_aton(src)) +
    attr(0x80, 4, struct.pack('!I', 10)) +
    attr(0xc0, 8, struct.pack('!HHHH', 65000, 1, 65000, 2)) +
    attr(0xc0, 32, struct.pack('!III', 65000, 1, 2)))
i = 0
while i < n:
    nlri = b''
    while i < n and len(nlri) + 4 <= 4096 - 23 - len(attrs):
        a = (1 << 24) + (i << 8)
        nlri += b'\x18' + struct.pack('!I', a)[:3]
        i += 1
    s.sendall(msg(2, struct.pack('!HH', 0, len(attrs)) + attrs + nlri))
log.write('sent %d\n' % n)
s.settimeout(1)
buf = b''
last = time.time()
while True:
    try:
        d = s.recv(65536)
        if not d:
            log.write('closed\n')
            break
        buf += d
    except socket.timeout:
        pass
    while len(buf) >= 19:
        ln, t = struct.unpack('!HB', buf[16:19])
        if len(buf) < ln:
            break
        body, buf = buf[19:ln], buf[ln:]
        if t == 3:
            log.write('notification %d/%d %s\n' % (body[0], body[1],
                body[3:3 + body[2]].decode() if len(body) > 2 else ''))
        else:
            log.write('type %d\n' % t)
    if time.time() - last > 10:
        s.sendall(msg(4, b''))
        last = time.time()
EOF
	python3 "$T/peer.py" 127.0.0.2 127.0.0.1 "$PORT" 65000 "$ROUTES" \
	    "$T/peer.log" 2>"$T/peer.err" &
	ppid_=$!
	rib_full() {
		ctl -j show neighbors
		jcheck "$out" \
		    "d['neighbors'][0]['prefixes_received'] == $ROUTES" \
		    ".neighbors[0].prefixes_received == $ROUTES"
	}
	if wait_for 100 rib_full; then
		ok "peer Established, $ROUTES routes received"
		ctl -j show rib
		if [ "$rc" -eq 0 ] && jcheck "$out" \
		    "len(d['routes']) == $ROUTES and \
		    len(set(r['prefix'] for r in d['routes'])) == $ROUTES and \
		    all(r['neighbor'] == '127.0.0.2' and \
		    r['as_path'] == [65000, 64496, [64500, 64501]] and \
		    r['next_hop'] == '127.0.0.2' and \
		    r['communities'] == ['65000:1', '65000:2'] and \
		    r['large_communities'] == ['65000:1:2'] and \
		    r['med'] == 10 and r['origin'] == 'igp' \
		    for r in d['routes']) and \
		    {'1.0.0.0/24', '1.39.15.0/24'} <= \
		    set(r['prefix'] for r in d['routes'])" \
		    ".routes | length == $ROUTES and
		    all(.as_path == [65000, 64496, [64500, 64501]] and
		    .communities == [\"65000:1\", \"65000:2\"] and
		    .large_communities == [\"65000:1:2\"] and .med == 10)"
		then
			ok "show rib -j: $ROUTES routes with attributes"
		else
			fail "show rib -j: rc $rc:" \
			    "$(printf '%s' "$out" | head -c 300)"
		fi
		ctl -j show rib 127.0.0.2
		jcheck "$out" "len(d['routes']) == $ROUTES" \
		    ".routes | length == $ROUTES" ||
		    fail "show rib 127.0.0.2"
		ctl show rib
		if [ "$rc" -eq 0 ] &&
		    [ "$(printf '%s\n' "$out" | wc -l)" -eq $((ROUTES + 1)) ] &&
		    printf '%s\n' "$out" | head -n 1 |
		    grep -q "^Prefix  *Neighbor  *Next hop  *AS path  *Communities$" &&
		    printf '%s\n' "$out" | grep -q "^1\.0\.0\.0/24  *$ADDR  *$ADDR  *\
65000 64496 {64500,64501}  *65000:1 65000:2 65000:1:2$"
		then
			ok "show rib: table"
		else
			fail "show rib table:" \
			    "$(printf '%s\n' "$out" | head -n 3)"
		fi
		expect_rc 1 show rib 198.51.100.9
		expect_rc 0 neighbor 127.0.0.2 refresh
		ctl -j show neighbors
		jcheck "$out" "d['neighbors'][0]['prefixes_sent'] == 1" \
		    ".neighbors[0].prefixes_sent == 1" ||
		    fail "prefixes_sent after Established: $out"
	else
		fail "the BGP peer did not get its routes in: $out"
		cat "$T/peer.err"
	fi
else
	echo "python3 not installed: show rib with routes skipped"
fi

# --- drain ----------------------------------------------------------------

prefix_is() {	# prefix_is STATE DRAINED
	ctl -j show prefixes
	jcheck "$out" "d['prefixes'][0]['state'] == '$1' and \
	    d['prefixes'][0]['drained'] == $2" \
	    ".prefixes[0].state == \"$1\" and
	    .prefixes[0].drained == $(echo "$2" | tr TF tf)"
}
sent_is() {
	[ -z "$ppid_" ] && return 0
	ctl -j show neighbors
	jcheck "$out" "d['neighbors'][0]['prefixes_sent'] == $1" \
	    ".neighbors[0].prefixes_sent == $1"
}
expect_rc 0 drain 203.0.113.0/24
if prefix_is withdrawn True && wait_for 30 sent_is 0; then
	ok "drain: withdrawn, drained, withdrawn from the peer"
else
	fail "after drain: $out"
fi
[ -s "$T/state" ] || fail "drain did not write the state file"
expect_rc 0 undrain all
if prefix_is announced False && wait_for 30 sent_is 1; then
	ok "undrain all: announced again"
else
	fail "after undrain: $out"
fi
expect_rc 1 drain 192.0.2.0/24	# not configured

# --- reload ---------------------------------------------------------------

cp "$CONF" "$T/good.conf"
echo "garbage here" >>"$CONF"
expect_rc 1 reload
case $err in
*"$CONF":[0-9]*:[0-9]*:*) ok "reload error names FILE:LINE:COL" ;;
*)	fail "reload error: \"$err\"" ;;
esac
kill -0 "$dpid" 2>/dev/null || fail "daemon died on a bad reload"
ctl -j show prefixes
jcheck "$out" "len(d['prefixes']) == 1" '.prefixes | length == 1' ||
    fail "configuration changed after a bad reload: $out"

cp "$T/good.conf" "$CONF"
printf 'prefix 198.51.100.0/24 {\n}\n' >>"$CONF"
expect_rc 0 reload
ctl -j show prefixes
if jcheck "$out" \
    "sorted(p['prefix'] for p in d['prefixes']) == \
    ['198.51.100.0/24', '203.0.113.0/24'] and \
    all(p['state'] == 'announced' for p in d['prefixes'])" \
    '[.prefixes[].prefix] | sort == ["198.51.100.0/24", "203.0.113.0/24"]'
then
	ok "reload: two prefixes"
else
	fail "after reload: $out"
fi
if [ -n "$ppid_" ]; then
	ctl -j show neighbors
	jcheck "$out" "d['neighbors'][0]['state'] == 'Established' and \
	    d['neighbors'][0]['established_count'] == 1" \
	    '.neighbors[0].state == "Established" and
	    .neighbors[0].established_count == 1' ||
	    fail "an unchanged neighbor lost its session in a reload: $out"
fi

# --- SIGTERM --------------------------------------------------------------

kill -TERM "$dpid"
n=$((50 * SLOW))
while kill -0 "$dpid" 2>/dev/null && [ $n -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
if kill -0 "$dpid" 2>/dev/null; then
	fail "anycastd still running $((5 * SLOW)) s after SIGTERM"
else
	wait "$dpid"
	rc=$?
	dpid=
	if [ $rc -eq 0 ]; then
		ok "SIGTERM: exit 0"
	else
		fail "SIGTERM: exit $rc"
		tail -n 30 "$LOG"
	fi
fi
if [ -e "$SOCK" ]; then
	fail "control socket left behind"
else
	ok "control socket removed at exit"
fi
if [ -n "$ppid_" ]; then
	if wait_for 30 grep -q '^notification 6/2' "$T/peer.log"; then
		ok "peer got Cease/Administrative Shutdown"
	else
		fail "peer log: $(cat "$T/peer.log")"
	fi
fi

if [ $failures -gt 0 ]; then
	echo "$failures failures; daemon log:"
	tail -n 40 "$LOG"
	exit 1
fi
exit 0
