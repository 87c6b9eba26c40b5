#!/bin/sh
# Malformed input from a BGP peer (RFC 4271 6.1-6.3, RFC 6608, RFC 7313,
# RFC 7606): anycastd must answer each with the prescribed NOTIFICATION, or
# treat the routes as withdrawn and keep the session, and must keep serving
# its other sessions throughout.
#
# Loopback only: anycastd listens on 127.0.0.1 (a free high port); the test
# peers are tests/tools/rawpeer.py bound to 127.0.0.2 (AS 65001, the one
# that misbehaves, one fresh connection per case) and 127.0.0.3 (AS 65002,
# a healthy session kept up for the whole run). Both are passive neighbors.
#
# Environment (tests/run-tests sets them): BUILDDIR (src/anycastd and
# src/anycastctl inside), TEST_TMPDIR; ANYCASTD / ANYCASTCTL override the
# programs. Exit 0 pass, 1 fail, 77 skip.

set -u

TOPDIR=$(pwd)
BUILDDIR=${BUILDDIR:-$TOPDIR}
ANYCASTD=${ANYCASTD:-$BUILDDIR/src/anycastd}
ANYCASTCTL=${ANYCASTCTL:-$BUILDDIR/src/anycastctl}
RAWPEER=$TOPDIR/tests/tools/rawpeer.py
PYTHON=${PYTHON:-python3}
T=${TEST_TMPDIR:-}
if [ -z "$T" ]; then
	T=$(mktemp -d "${TMPDIR:-/tmp}/malformed.XXXXXX") || exit 1
	OWN_TMPDIR=$T
else
	OWN_TMPDIR=
fi

skip() {
	echo "malformed.sh: skipped: $*"
	exit 77
}

command -v "$PYTHON" >/dev/null 2>&1 || skip "no $PYTHON"
[ -f "$RAWPEER" ] || skip "no $RAWPEER"
[ -x "$ANYCASTD" ] || skip "anycastd is not built ($ANYCASTD)"
if [ -x "$ANYCASTCTL" ]; then
	HAVE_CTL=1
else
	HAVE_CTL=0
fi
# -S: no site packages, the standard library is all rawpeer uses (and
# site start-up costs more than a case).
PY="$PYTHON -S"

# The peers need 127.0.0.2 and 127.0.0.3 as source addresses (Linux routes
# all of 127/8 to lo; other systems may not).
$PY - <<'EOF' || skip "cannot bind 127.0.0.2 and 127.0.0.3"
import socket
for a in ("127.0.0.2", "127.0.0.3"):
    s = socket.socket()
    s.bind((a, 0))
    s.close()
EOF

DPID=
IDLEPID=
failed=0
passed=0

cleanup() {
	[ -n "$IDLEPID" ] && kill "$IDLEPID" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	[ -n "$DPID" ] && wait "$DPID" 2>/dev/null
	[ -n "$OWN_TMPDIR" ] && rm -rf "$OWN_TMPDIR"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

START=$(date +%s)

# --- the daemon ------------------------------------------------------------

SOCK=$T/anycastd.sock
CONF=$T/anycastd.conf
LOG=$T/anycastd.log

free_port() {
	$PY -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

write_conf() {
	cat >"$CONF" <<EOF
router-id 192.0.2.10
local-as 65010
listen 127.0.0.1 port $PORT
control "$SOCK"
state-file "$T/state"

neighbor 127.0.0.2 {
	remote-as 65001
	description "malformed"
	hold-time 9
	passive
}
neighbor 127.0.0.3 {
	remote-as 65002
	description "healthy"
	hold-time 9
	passive
}

prefix 203.0.113.0/24 {
}
EOF
}

# A port picked free can be taken before anycastd binds it: try again.
tries=0
while :; do
	tries=$((tries + 1))
	PORT=$(free_port) || { echo "FAIL cannot pick a port"; exit 1; }
	write_conf
	"$ANYCASTD" -f "$CONF" -s "$SOCK" >"$LOG" 2>&1 &
	DPID=$!
	# The healthy peer retries its connect until anycastd listens.
	rm -f "$T/idle.ready"
	$PY "$RAWPEER" --connect "127.0.0.1:$PORT" --bind 127.0.0.3 \
	    --as 65002 --id 198.51.100.3 --case idle --expect up \
	    --duration 120 --connect-timeout 10 --ready-file "$T/idle.ready" \
	    >"$T/idle.json" 2>"$T/idle.err" &
	IDLEPID=$!
	i=0
	while [ ! -f "$T/idle.ready" ] && [ $i -lt 150 ]; do
		kill -0 "$DPID" 2>/dev/null || break
		kill -0 "$IDLEPID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	[ -f "$T/idle.ready" ] && break
	kill "$IDLEPID" 2>/dev/null
	wait "$IDLEPID" 2>/dev/null
	IDLEPID=
	if kill -0 "$DPID" 2>/dev/null; then
		echo "FAIL the healthy peer 127.0.0.3 did not reach Established"
		cat "$T/idle.err" "$T/idle.json"
		tail -n 30 "$LOG"
		exit 1
	fi
	wait "$DPID" 2>/dev/null
	DPID=
	if [ $tries -ge 3 ] || ! grep -qi "in use" "$LOG"; then
		echo "FAIL anycastd did not start:"
		tail -n 20 "$LOG"
		exit 1
	fi
done
echo "anycastd pid $DPID on 127.0.0.1 port $PORT; healthy peer 127.0.0.3 up"
if [ $HAVE_CTL -eq 0 ]; then
	echo "note: no $ANYCASTCTL: show rib and show neighbors checks skipped"
fi

# --- the cases -------------------------------------------------------------
#
# Each line: LABEL :: CASE EXPECT [rawpeer options]. EXPECT is C/S (any
# data), C/S/HEX or C/S/- (no data), "up" (no NOTIFICATION or close for 2 s,
# and a KEEPALIVE or UPDATE arrives: rawpeer also sends a ROUTE-REFRESH and
# needs its answer), or "closed" (closed without a NOTIFICATION). Every
# case is a fresh connection from 127.0.0.2; tests/tools/rawpeer.py
# --list-cases says what each one sends. One python process runs them all.

# rib HAS|LACKS PREFIX: the show rib check, when anycastctl exists.
rib() {
	[ $HAVE_CTL -eq 1 ] || return 0
	if [ "$1" = HAS ]; then
		echo "--rib-has $2"
	else
		echo "--rib-lacks $2"
	fi
}

TAW=$(rib LACKS 192.0.2.0/24)
KEPT=$(rib HAS 198.18.0.0/15)
VALID=$(rib HAS 198.51.100.0/24)
# The data of two NOTIFICATIONs: the erroneous attribute; the message.
MP_NH5=800e0e000101057f000002000018c00002
RR24=ffffffffffffffffffffffffffffffff0018050001010100

{
# RFC 4271 6.1: the header, in Established, then as the first message of a
# connection (OpenSent).
for phase in established open; do
	if [ $phase = open ]; then
		where="first message"
	else
		where="Established"
	fi
	cat <<EOF
bad marker ($where) :: hdr-bad-marker 1/1/- --phase $phase
length 18 ($where) :: hdr-len-18 1/2/0012 --phase $phase
length 4097 ($where) :: hdr-len-4097 1/2/1001 --phase $phase
KEEPALIVE length 20 ($where) :: hdr-keepalive-len-20 1/2/0014 --phase $phase
unknown type 9 ($where) :: hdr-type-9 1/3/09 --phase $phase
EOF
done
cat <<EOF
UPDATE of length 22 :: hdr-update-len-22 1/2/0016
NOTIFICATION of length 20 :: hdr-notification-len-20 1/2/0014
EOF

# RFC 4271 6.2: OPEN, sent as the first message; RFC 6608.
cat <<EOF
OPEN version 3 :: open-version-3 2/1/0004
OPEN from the wrong peer AS :: open-bad-peer-as 2/2/-
OPEN from the wrong peer AS (2-octet only) :: open-bad-peer-as2 2/2/-
OPEN with a wrong 4-octet AS capability :: open-as4-mismatch 2/2/-
OPEN hold time 1 :: open-hold-1 2/6/-
OPEN hold time 2 :: open-hold-2 2/6/-
OPEN BGP Identifier 0 :: open-bgp-id-0 2/3/-
OPEN optional parameter type 1 :: open-opt-param-1 2/4/-
OPEN route refresh capability of length 1 :: open-cap-rr-len-1 2/0/-
OPEN shorter than 29 octets :: open-short-28 1/2/001c
UPDATE before OPEN :: fsm-update-in-opensent 5/1/-
KEEPALIVE before OPEN :: fsm-keepalive-in-opensent 5/1/-
UPDATE in OpenConfirm :: fsm-update-in-openconfirm 5/2/-
EOF

# RFC 4271 6.8: a second connection from the neighbor while the first is
# in OpenSent runs its own OpenSent; RFC 4271 6.1 and RFC 6608 apply to it.
cat <<EOF
bad marker on a colliding connection :: collision-bad-marker 1/1/-
KEEPALIVE before OPEN on a colliding connection :: collision-keepalive 5/1/-
EOF

# RFC 4271 6.3, RFC 7606, RFC 6608, RFC 7313, in Established. The
# treat-as-withdraw cases first announce 192.0.2.0/24 validly, then send a
# malformed UPDATE for it: it must be gone from the Adj-RIB-In. The
# attribute-discard cases announce 198.18.0.0/15, which must be kept.
cat <<EOF
withdrawn length overruns the UPDATE :: upd-withdrawn-overrun 3/1/-
attribute length overruns the UPDATE :: upd-attrlen-overrun 3/1/-
ORIGIN flags conflict: treat-as-withdraw :: taw-origin-flags up $TAW
ORIGIN length 2: treat-as-withdraw :: taw-origin-len up $TAW
NEXT_HOP length 5: treat-as-withdraw :: taw-nexthop-len up $TAW
MED flags conflict: treat-as-withdraw :: taw-med-flags up $TAW
COMMUNITIES length 3: treat-as-withdraw :: taw-communities-len up $TAW
no ORIGIN with NLRI: treat-as-withdraw :: taw-missing-origin up $TAW
attribute overruns section: treat-as-withdraw :: taw-attr-overrun up $TAW
AS_PATH with AS 0: treat-as-withdraw :: taw-aspath-as0 up $TAW
ORIGIN 7 in MP_REACH_NLRI: treat-as-withdraw :: taw-mp-reach-origin up $TAW
AGGREGATOR of 7 octets: attribute discard :: discard-aggregator-len up $KEPT
ORIGIN twice: attribute discard :: discard-dup-origin up $KEPT
unrecognised well-known attribute 99 :: upd-unknown-wellknown 3/2/40630100
NLRI prefix length 33 :: upd-nlri-len-33 3/10/-
withdrawn prefix length 33 :: upd-withdrawn-len-33 3/10/-
MP_REACH_NLRI twice :: upd-mp-reach-twice 3/1/-
MP_REACH_NLRI next hop length 5 :: upd-mp-reach-nhlen-5 3/9/$MP_NH5
second OPEN in Established :: fsm-open-in-established 5/3/-
ROUTE-REFRESH BoRR of length 24 :: rr-borr-len-24 7/1/$RR24
ROUTE-REFRESH of length 24 :: rr-normal-len-24 1/2/0018
hold timer expires :: hold-expiry 4/0/-
NOTIFICATION from the peer :: peer-notification closed
valid UPDATE 198.51.100.0/24 :: valid-update up $VALID
EOF
} >"$T/cases"

$PY "$RAWPEER" --connect "127.0.0.1:$PORT" --bind 127.0.0.2 --as 65001 \
    --id 198.51.100.2 --connect-timeout 2 --pid "$DPID" \
    --rib-cmd "'$ANYCASTCTL' -s '$SOCK' -j show rib" \
    --batch "$T/cases" --json-log "$T/results.json" >"$T/report" 2>&1
cat "$T/report"
passed=$(grep -c '^PASS ' "$T/report")
failed=$(grep -c '^FAIL ' "$T/report")
ncases=$(grep -c ' :: ' "$T/cases")
if [ $((passed + failed)) -ne "$ncases" ]; then
	echo "FAIL rawpeer ran $((passed + failed)) of $ncases cases" |
	    tee -a "$T/report"
	failed=$((failed + 1))
fi

# --- afterwards: the daemon and the healthy session ------------------------

if kill -0 "$DPID" 2>/dev/null; then
	echo "PASS anycastd still running"
	passed=$((passed + 1))
else
	wait "$DPID"
	echo "FAIL anycastd died (exit $?)" |
	    tee -a "$T/report"
	DPID=
	failed=$((failed + 1))
fi

if [ $HAVE_CTL -eq 1 ] && [ -n "$DPID" ]; then
	if "$ANYCASTCTL" -s "$SOCK" -j show neighbors >"$T/neighbors.json" \
	    2>"$T/neighbors.err" &&
	    $PY - "$T/neighbors.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
st = {n.get("address"): n.get("state") for n in d.get("neighbors", [])}
print("    show neighbors: %s" % st)
sys.exit(0 if st.get("127.0.0.3") == "Established" else 1)
EOF
	then
		echo "PASS 127.0.0.3 Established in show neighbors"
		passed=$((passed + 1))
	else
		echo "FAIL 127.0.0.3 not Established in show neighbors" |
		    tee -a "$T/report"
		sed 's/^/    /' "$T/neighbors.err" "$T/neighbors.json"
		failed=$((failed + 1))
	fi
fi

# SIGTERM makes the healthy peer probe (ROUTE-REFRESH), then report.
kill -TERM "$IDLEPID" 2>/dev/null
wait "$IDLEPID"
rc=$?
IDLEPID=
line=$(sed -n 's/^rawpeer: [^:]*: //p' "$T/idle.err" | tail -n 1)
if [ $rc -eq 0 ] && grep -q '"keepalives_received": [1-9]' "$T/idle.json"
then
	echo "PASS healthy session 127.0.0.3 stayed up: $line"
	passed=$((passed + 1))
else
	echo "FAIL healthy session 127.0.0.3: ${line:-rawpeer exit $rc}" |
	    tee -a "$T/report"
	sed 's/^/    /' "$T/idle.err" "$T/idle.json"
	failed=$((failed + 1))
fi

elapsed=$(( $(date +%s) - START ))
summary="malformed: $passed passed, $failed failed in $elapsed s"
if [ $failed -ne 0 ]; then
	# What a reader of the last lines (tests/run-tests shows 40) needs.
	echo "--- anycastd log (last 60 lines) ---"
	tail -n 60 "$LOG"
	echo "--- failed ---"
	grep '^FAIL ' "$T/report"
	echo "$summary"
	exit 1
fi
echo "$summary"
exit 0
