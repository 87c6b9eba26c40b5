#!/bin/sh
# The Prometheus endpoint end to end: anycastd with `metrics 127.0.0.1
# port N`, a BGP peer in python3 that brings a session up and sends two
# routes, a file check and a prefix that needs it.  The scrape must pass a
# strict parser of the text exposition format 0.0.4 (written below; also
# "promtool check metrics" when promtool is installed), carry the expected
# families, labels, escaping and values, and other paths must get 404.
# Needs BUILDDIR and TEST_TMPDIR; TEST_WRAPPER (e.g. valgrind) wraps the
# daemon.

set -u

: "${BUILDDIR:?}" "${TEST_TMPDIR:?}"
ANYCASTD=$BUILDDIR/src/anycastd
WRAP=${TEST_WRAPPER:-}
T=$TEST_TMPDIR
CONF=$T/metrics.conf
LOG=$T/anycastd.log

if [ ! -x "$ANYCASTD" ]; then
	echo "$ANYCASTD not built (the Makefile's PROGS); skipped"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "python3 not found (the scraper, parser and BGP peer); skipped"
	exit 77
fi
# metrics.o is linked in only once main() calls metrics_open().
if ! grep -q anycastd_build_info "$ANYCASTD"; then
	echo "anycastd does not call metrics_open() yet; skipped"
	exit 77
fi
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

# --- helpers in python ------------------------------------------------------

cat >"$T/scrape.py" <<'EOF'
# scrape.py URL [METHOD]: prints "STATUS CONTENT-TYPE" on the first line,
# then the body; exit 1 when nothing answers.
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1],
    method=sys.argv[2] if len(sys.argv) > 2 else "GET")
try:
    r = urllib.request.urlopen(req, timeout=5)
    status, ctype, body = r.status, r.headers.get("Content-Type"), r.read()
except urllib.error.HTTPError as e:
    status, ctype, body = e.code, e.headers.get("Content-Type"), e.read()
except OSError as e:
    print("error", e)
    sys.exit(1)
sys.stdout.write("%d %s\n" % (status, ctype))
sys.stdout.write(body.decode("utf-8"))
EOF

cat >"$T/parse.py" <<'EOF'
# A strict reader of the Prometheus text exposition format 0.0.4: every
# line must be a HELP, a TYPE, another comment or a sample as the format
# defines them; names and label names must be valid, label values only use
# the escapes \\ \" \n, values are Go floats; a family's TYPE and HELP come
# once and before its samples, its samples are contiguous, no series
# appears twice.  This exporter's own rule on top: every family has HELP
# and TYPE.  Prints the samples as JSON lines {"name","labels","value",
# "type"} on success; on failure, the first problem and exit 1.
import json, math, re, sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
FLOAT = re.compile(r'^[+-]?(?:Inf|NaN|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}

def die(n, line, why):
    sys.exit("line %d: %s: %r" % (n, why, line))

def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)] if name.endswith(suffix) else None
        if base and types.get(base) in ("histogram", "summary"):
            return base
    return name

text = sys.stdin.read()
if text and not text.endswith("\n"):
    sys.exit("no newline at the end")
types, helps, done, seen, samples = {}, {}, set(), set(), []
current = None
for n, line in enumerate(text.split("\n")[:-1], 1):
    if line == "":
        continue
    if line.startswith("#"):
        m = re.match(r'^#\s+(HELP|TYPE)\s+(' + NAME + r')(?:\s(.*))?$', line)
        if not m:
            if re.match(r'^#\s*(HELP|TYPE)\b', line):
                die(n, line, "malformed HELP or TYPE")
            continue            # a plain comment
        kind, name, rest = m.group(1), m.group(2), m.group(3) or ""
        if name in done:
            die(n, line, "%s after the family's samples" % kind)
        if kind == "TYPE":
            if name in types:
                die(n, line, "second TYPE")
            if rest not in TYPES:
                die(n, line, "unknown type")
            types[name] = rest
        else:
            if name in helps:
                die(n, line, "second HELP")
            if re.search(r'\\[^\\n]', rest) or rest.endswith("\\") and \
                    not rest.endswith("\\\\"):
                die(n, line, "bad escape in HELP")
            helps[name] = rest
        continue
    m = re.match(r'^(' + NAME + r')(\{[^\n]*\})?[ \t]+(\S+)(?:[ \t]+(-?\d+))?$',
        line)
    if not m:
        die(n, line, "not a sample")
    name, lbl, value = m.group(1), m.group(2), m.group(3)
    labels = {}
    if lbl:
        body = lbl[1:-1]
        pos = 0
        while pos < len(body):
            lm = re.compile(r'(' + LABEL + r')="((?:[^"\\]|\\[\\"n])*)"'
                ).match(body, pos)
            if not lm:
                die(n, line, "bad label at %r" % body[pos:])
            k = lm.group(1)
            if k.startswith("__"):
                die(n, line, "reserved label name")
            if k in labels:
                die(n, line, "label twice")
            labels[k] = re.sub(r'\\(.)', lambda e: {"n": "\n"}.get(
                e.group(1), e.group(1)), lm.group(2))
            pos = lm.end()
            if pos < len(body):
                if body[pos] != ",":
                    die(n, line, "no comma between labels")
                pos += 1
    if not FLOAT.match(value):
        die(n, line, "bad value")
    fam = family_of(name, types)
    if fam != current:
        if fam in done:
            die(n, line, "family %s is not contiguous" % fam)
        if current is not None:
            done.add(current)
        current = fam
    if fam not in types or fam not in helps:
        die(n, line, "no TYPE or HELP before the samples of %s" % fam)
    key = (name, tuple(sorted(labels.items())))
    if key in seen:
        die(n, line, "series twice")
    seen.add(key)
    v = float(value.replace("Inf", "inf"))
    if types[fam] == "counter" and (math.isnan(v) or v < 0):
        die(n, line, "negative counter")
    samples.append({"name": name, "labels": labels, "value": v,
        "type": types[fam]})
for name in set(types) | set(helps):
    if name not in types or name not in helps:
        sys.exit("%s has only one of HELP and TYPE" % name)
for s in samples:
    print(json.dumps(s))
EOF

# The parser must refuse what the format forbids, or passing it means
# little.
python3 - "$T/parse.py" <<'EOF' || exit 1
import subprocess, sys
H = "# HELP m A metric.\n# TYPE m gauge\n"
bad = {
    "unescaped quote": H + 'm{a="x"y"} 1\n',
    "unknown escape": H + 'm{a="x\\t"} 1\n',
    "bad label name": H + 'm{1a="x"} 1\n',
    "reserved label name": H + 'm{__a="x"} 1\n',
    "bad value": H + "m 1,5\n",
    "no value": H + "m\n",
    "series twice": H + "m 1\nm 2\n",
    "TYPE twice": H + "# TYPE m gauge\nm 1\n",
    "unknown type": "# HELP m A metric.\n# TYPE m gaugee\nm 1\n",
    "no HELP": "# TYPE m gauge\nm 1\n",
    "TYPE after samples": "# HELP m A.\nm 1\n# TYPE m gauge\n",
    "not contiguous": H + "# HELP n B.\n# TYPE n gauge\n"
        'm{a="1"} 1\nn 1\nm{a="2"} 1\n',
    "no final newline": H + "m 1",
    "negative counter": "# HELP c_total C.\n# TYPE c_total counter\n"
        "c_total -1\n",
}
# Escapes \" \\ \n, a trailing comma, +Inf, a timestamp.
good = H + 'm{a="q\\"u\\\\o\\n",b="",} 1.5e3\nm{a="x"} +Inf 1700000000000\n'
for name, text in bad.items():
    r = subprocess.run([sys.executable, sys.argv[1]], input=text,
        capture_output=True, text=True)
    if r.returncode == 0:
        sys.exit("the parser accepts %s: %r" % (name, text))
r = subprocess.run([sys.executable, sys.argv[1]], input=good,
    capture_output=True, text=True)
if r.returncode != 0 or '"a": "q\\"u\\\\o\\n"' not in r.stdout:
    sys.exit("the parser refuses or misreads %r: %s%s" % (good, r.stdout,
        r.stderr))
print("ok: the parser refuses %d malformed texts and reads escapes" %
    len(bad))
EOF

cat >"$T/peer.py" <<'EOF'
# peer.py SRC DST PORT AS LOG: a BGP speaker that opens a session, sends
# two routes, answers keepalives and logs message types; for 120 s at most.
import socket, struct, sys, time
src, dst, port, asn, log = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
    int(sys.argv[4]), open(sys.argv[5], "w", 1))
def msg(t, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), t) + body
def tlv(code, val):
    return struct.pack("!BB", code, len(val)) + val
def attr(flags, code, val):
    return struct.pack("!BBB", flags, code, len(val)) + val
caps = tlv(1, struct.pack("!HBB", 1, 0, 1)) + tlv(65, struct.pack("!I", asn))
opt = tlv(2, caps)
s = socket.socket()
s.bind((src, 0))
s.connect((dst, port))
s.sendall(msg(1, struct.pack("!BHH4sB", 4, asn, 90,
    socket.inet_aton("192.0.2.1"), len(opt)) + opt) + msg(4, b""))
attrs = (attr(0x40, 1, b"\x00") +
    attr(0x40, 2, struct.pack("!BBI", 2, 1, asn)) +
    attr(0x40, 3, socket.inet_aton(src)))
nlri = b"\x18\xc6\x33\x64" + b"\x18\xc6\x33\x65"   # 198.51.100/24, 101/24
s.sendall(msg(2, struct.pack("!HH", 0, len(attrs)) + attrs + nlri))
s.settimeout(1)
buf, last, end = b"", time.time(), time.time() + 120
while time.time() < end:
    try:
        d = s.recv(65536)
        if not d:
            log.write("closed\n")
            break
        buf += d
    except socket.timeout:
        pass
    while len(buf) >= 19:
        ln, t = struct.unpack("!HB", buf[16:19])
        if len(buf) < ln:
            break
        buf = buf[ln:]
        log.write("type %d\n" % t)
    if time.time() - last > 10:
        s.sendall(msg(4, b""))
        last = time.time()
EOF

# --- start ------------------------------------------------------------------

write_conf() {
	cat >"$CONF" <<EOF
# written by tests/metrics.sh
router-id 192.0.2.10
local-as 65010
listen 127.0.0.1 port $PORT
control "$T/ctl.sock"
state-file "$T/state"
metrics 127.0.0.1 port $MPORT

neighbor 127.0.0.2 {
	remote-as 65000
	description "edge \\"a\\" \\\\ b"
	passive
}

check flag {
	file "$T/flag" present
	interval 100ms  timeout 50ms  rise 1  fall 1
}
check never { exec "/bin/false"  interval 100ms  timeout 50ms }

prefix 203.0.113.0/24 {
	requires flag
}
prefix 198.51.100.0/24 {
	requires never
}
EOF
}

: >"$T/flag"
tries=0
while :; do
	PORT=$(free_port)
	MPORT=$(free_port)
	write_conf
	out=$("$ANYCASTD" -n -f "$CONF" 2>&1)
	if [ $? -ne 0 ] || [ "$out" != "config OK" ]; then
		echo "anycastd -n: $out"
		exit 1
	fi
	$WRAP "$ANYCASTD" -f "$CONF" >"$LOG" 2>&1 &
	dpid=$!
	if wait_for 100 python3 "$T/scrape.py" \
	    "http://127.0.0.1:$MPORT/metrics" >"$T/first" 2>&1; then
		break
	fi
	kill "$dpid" 2>/dev/null
	wait "$dpid"
	dpid=
	tries=$((tries + 1))
	if [ $tries -ge 5 ] || ! grep -qi 'in use' "$LOG"; then
		cat "$LOG"
		echo "anycastd did not serve metrics"
		exit 1
	fi
done
ok "anycastd $dpid serves http://127.0.0.1:$MPORT/metrics"

python3 "$T/peer.py" 127.0.0.2 127.0.0.1 "$PORT" 65000 "$T/peer.log" \
    2>"$T/peer.err" &
ppid_=$!

# scrape: the body in $T/body, the samples as JSON lines in $T/samples.
scrape() {
	python3 "$T/scrape.py" "http://127.0.0.1:$MPORT/metrics" \
	    >"$T/resp" 2>&1 || return 1
	head -n 1 "$T/resp" >"$T/status"
	sed 1d "$T/resp" >"$T/body"
	python3 "$T/parse.py" <"$T/body" >"$T/samples" 2>"$T/parse.err"
}

# value NAME [LABEL=VALUE...]: the value of the one sample that matches.
value() {
	python3 - "$T/samples" "$@" <<'EOF'
import json, sys
want = dict(a.split("=", 1) for a in sys.argv[3:])
got = [s for s in map(json.loads, open(sys.argv[1]))
    if s["name"] == sys.argv[2] and
    all(s["labels"].get(k) == v for k, v in want.items())]
if len(got) != 1:
    sys.exit("%d samples match" % len(got))
v = got[0]["value"]
print(int(v) if v == int(v) else v)
EOF
}

is() {
	want=$1
	shift
	got=$(value "$@" 2>&1)
	[ "$got" = "$want" ]
}

# --- the session comes up ---------------------------------------------------

established() {
	scrape && is 1 anycastd_neighbor_up neighbor=127.0.0.2 &&
	    is 2 anycastd_neighbor_prefixes_received neighbor=127.0.0.2 &&
	    is 1 anycastd_neighbor_prefixes_announced neighbor=127.0.0.2
}
if wait_for 100 established; then
	ok "the session is Established and its routes counted"
else
	fail "no Established session with 2 routes in the metrics"
	cat "$T/peer.log" "$T/peer.err"
fi
# Let the prefix reach the peer, then take the scrape the checks read.
sleep 0.5
if scrape; then
	ok "scrape: $(wc -l <"$T/body") lines, $(wc -l <"$T/samples") samples, strict parse OK"
else
	fail "the scrape does not parse: $(cat "$T/parse.err")"
fi

if [ "$(cat "$T/status")" = "200 text/plain; version=0.0.4; charset=utf-8" ]
then
	ok "200, Content-Type text/plain; version=0.0.4"
else
	fail "status line and type: $(cat "$T/status")"
fi

if command -v promtool >/dev/null 2>&1; then
	if promtool check metrics <"$T/body" >"$T/promtool" 2>&1; then
		ok "promtool check metrics: clean"
	else
		fail "promtool check metrics: $(cat "$T/promtool")"
	fi
else
	echo "promtool not installed (Debian: prometheus): the python parser alone"
fi

# Every family, with its type.
for f in anycastd_build_info:gauge process_start_time_seconds:gauge \
    anycastd_health_progressing:gauge \
    anycastd_neighbor_up:gauge anycastd_neighbor_state:gauge \
    anycastd_neighbor_uptime_seconds:gauge \
    anycastd_neighbor_established_total:counter \
    anycastd_neighbor_messages_received_total:counter \
    anycastd_neighbor_messages_sent_total:counter \
    anycastd_neighbor_updates_received_total:counter \
    anycastd_neighbor_updates_sent_total:counter \
    anycastd_neighbor_prefixes_announced:gauge \
    anycastd_neighbor_prefixes_received:gauge \
    anycastd_announcements_total:counter anycastd_withdrawals_total:counter \
    anycastd_check_up:gauge anycastd_check_duration_seconds:gauge \
    anycastd_check_runs_total:counter \
    anycastd_check_transitions_total:counter \
    anycastd_prefix_announced:gauge anycastd_prefix_state:gauge \
    anycastd_prefix_up:gauge anycastd_prefix_drained:gauge; do
	if grep -qx "# TYPE ${f%:*} ${f#*:}" "$T/body"; then
		:
	else
		fail "no family ${f%:*} of type ${f#*:}"
	fi
done
ok "every family present with HELP and TYPE"

# check WANT NAME [LABEL=VALUE...]: one sample, of value WANT.
check() {
	want=$1
	shift
	got=$(value "$@" 2>&1)
	if [ "$got" = "$want" ]; then
		ok "$* = $want"
	else
		fail "$*: $got, want $want"
	fi
}

N='neighbor=127.0.0.2'
D='description=edge "a" \ b'
check 1 anycastd_build_info version=0.1.0
check 1 anycastd_health_progressing
check 1 anycastd_neighbor_up "$N" "$D"
check 1 anycastd_neighbor_state "$N" state=Established
check 0 anycastd_neighbor_state "$N" state=Idle
check 0 anycastd_neighbor_state "$N" state=Active
check 1 anycastd_neighbor_established_total "$N"
check 1 anycastd_neighbor_messages_received_total "$N" type=open
check 1 anycastd_neighbor_messages_received_total "$N" type=update
check 1 anycastd_neighbor_messages_sent_total "$N" type=open
check 0 anycastd_neighbor_messages_received_total "$N" type=notification
check 1 anycastd_neighbor_updates_received_total "$N"
check 1 anycastd_neighbor_prefixes_announced "$N"
check 2 anycastd_neighbor_prefixes_received "$N"
check 1 anycastd_announcements_total "$N"
check 0 anycastd_withdrawals_total "$N"
check 1 anycastd_check_up check=flag type=file
check 0 anycastd_check_up check=never type=exec
check 1 anycastd_check_transitions_total check=flag
check 0 anycastd_check_transitions_total check=never
check 1 anycastd_prefix_announced prefix=203.0.113.0/24
check 0 anycastd_prefix_announced prefix=198.51.100.0/24
check 1 anycastd_prefix_state prefix=203.0.113.0/24 state=announced
check 1 anycastd_prefix_state prefix=198.51.100.0/24 state=withdrawn
check 0 anycastd_prefix_state prefix=198.51.100.0/24 state=graceful-shutdown
check 0 anycastd_prefix_up prefix=198.51.100.0/24
check 0 anycastd_prefix_drained prefix=203.0.113.0/24

# The raw escaping, as it is on the wire.
if grep -qF 'anycastd_neighbor_up{neighbor="127.0.0.2",description="edge \"a\" \\ b"} 1' "$T/body"; then
	ok 'label values escaped: description="edge \"a\" \\ b"'
else
	fail "escaping: $(grep '^anycastd_neighbor_up' "$T/body")"
fi

if python3 - "$T/samples" "$(date +%s)" <<'EOF'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
start = [x["value"] for x in s if x["name"] == "process_start_time_seconds"]
up = [x["value"] for x in s if x["name"] == "anycastd_neighbor_uptime_seconds"]
dur = [x["value"] for x in s if x["name"] == "anycastd_check_duration_seconds"]
now = float(sys.argv[2])
sys.exit(0 if len(start) == 1 and now - 300 < start[0] <= now and
    len(up) == 1 and 0 < up[0] < 300 and all(0 <= d < 1 for d in dur) else 1)
EOF
then
	ok "process_start_time_seconds, uptime and durations are plausible"
else
	fail "times: $(grep -E '^(process_start|anycastd_neighbor_uptime|anycastd_check_duration)' "$T/body")"
fi

# --- other requests ---------------------------------------------------------

for path in / /metricsx /metrics/ /favicon.ico; do
	st=$(python3 "$T/scrape.py" "http://127.0.0.1:$MPORT$path" 2>/dev/null |
	    head -n 1 | cut -d' ' -f1)
	if [ "$st" = 404 ]; then
		ok "GET $path: 404"
	else
		fail "GET $path: $st, want 404"
	fi
done
st=$(python3 "$T/scrape.py" "http://127.0.0.1:$MPORT/metrics?x=1" 2>/dev/null |
    head -n 1 | cut -d' ' -f1)
[ "$st" = 200 ] && ok "GET /metrics?x=1: 200" || fail "GET /metrics?x=1: $st"
st=$(python3 "$T/scrape.py" "http://127.0.0.1:$MPORT/metrics" POST 2>/dev/null |
    head -n 1 | cut -d' ' -f1)
case $st in
4*|5*)	ok "POST /metrics: $st" ;;
*)	fail "POST /metrics: $st" ;;
esac

# A client that connects and says nothing must not stall the next scrape.
python3 -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(3)' "$MPORT" &
idle=$!
sleep 0.2
if python3 "$T/scrape.py" "http://127.0.0.1:$MPORT/metrics" >/dev/null; then
	ok "a silent client does not block scrapes"
else
	fail "scrape with a silent client connected"
fi
wait "$idle"

# --- stop -------------------------------------------------------------------

kill -TERM "$dpid"
wait "$dpid"
rc=$?
dpid=
[ $rc -eq 0 ] && ok "anycastd exited 0" || fail "anycastd exited $rc"
if python3 "$T/scrape.py" "http://127.0.0.1:$MPORT/metrics" >/dev/null 2>&1
then
	fail "metrics still served after exit"
fi

if [ $failures -ne 0 ]; then
	echo "--- daemon log"
	cat "$LOG"
	echo "$failures failed"
	exit 1
fi
echo "all passed"
