#!/bin/sh
# The privilege drop, as root with the stock "nobody" user (no user is
# created): with `user nobody` in the configuration and with -u nobody,
# the daemon's real, effective, saved and filesystem ids are nobody's, it
# holds no capability, its exec checks run as nobody, and it still serves
# its control socket, opened before the drop.  Started as nobody itself,
# `user nobody` is accepted and `user root` refused with "cannot switch
# to user root: not root".  Needs root, BUILDDIR and TEST_TMPDIR.

set -u

: "${BUILDDIR:?}" "${TEST_TMPDIR:?}"
ANYCASTD=$BUILDDIR/src/anycastd
ANYCASTCTL=$BUILDDIR/src/anycastctl
WRAP=${TEST_WRAPPER:-}
T=$TEST_TMPDIR

for b in "$ANYCASTD" "$ANYCASTCTL"; do
	if [ ! -x "$b" ]; then
		echo "$b not built (the Makefile's PROGS); skipped"
		exit 77
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "not root: the drop cannot be tried; skipped"
	exit 77
fi
if ! NOBODY_UID=$(id -u nobody 2>/dev/null); then
	echo "no user nobody; skipped"
	exit 77
fi
NOBODY_GID=$(id -g nobody)
# privsep.o is linked in only once main() calls privsep_drop().
if ! grep -q 'cannot switch to user' "$ANYCASTD"; then
	echo "anycastd does not call privsep_drop() yet; skipped"
	exit 77
fi
. "$(dirname "$0")/lib/daemon.sh"

dpid=

cleanup() {
	if [ -n "$dpid" ]; then
		kill "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# nobody must reach the programs, the configuration and its output dir.
chmod 755 "$T"
mkdir -m 1777 "$T/out"

# write_conf NAME USER-LINE [SOCKET-DIR]
write_conf() {
	cat >"$T/$1.conf" <<EOF
router-id 192.0.2.10
local-as 65010
listen 127.0.0.1 port $PORT
control "${3:-$T}/$1.sock"
state-file "$T/out/$1.state"
$2

neighbor 127.0.0.2 {
	remote-as 65000
	passive
}

# Writes who it runs as; up once it has.
check whoami {
	exec "/bin/sh" "-c" "id -u >$T/out/$1.uid; id -G >$T/out/$1.groups"
	interval 100ms  timeout 100ms  rise 1
}
EOF
}

# status_field PID FIELD: the values of a /proc/PID/status line.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '[:space:]' ' ' |
	    sed 's/ $//'
}

# run NAME ARGS...: starts the daemon as root and checks the drop.
run() {
	name=$1
	shift
	PORT=$(free_port)
	write_conf "$name" "$CONF_USER"
	$WRAP "$ANYCASTD" -f "$T/$name.conf" "$@" >"$T/$name.log" 2>&1 &
	dpid=$!
	if ! wait_for 100 test -s "$T/out/$name.groups"; then
		fail "$name: no exec check ran: $(cat "$T/$name.log")"
		return
	fi
	want="$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID"
	got=$(status_field "$dpid" Uid)
	[ "$got" = "$want" ] && ok "$name: Uid $got" ||
	    fail "$name: Uid $got, want $want"
	want="$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID"
	got=$(status_field "$dpid" Gid)
	[ "$got" = "$want" ] && ok "$name: Gid $got" ||
	    fail "$name: Gid $got, want $want"
	want=$(id -G nobody)
	got=$(status_field "$dpid" Groups)
	[ "$got" = "$want" ] && ok "$name: Groups $got (nobody's)" ||
	    fail "$name: Groups '$got', want '$want'"
	for c in CapInh CapPrm CapEff CapAmb; do
		got=$(status_field "$dpid" $c)
		if [ -z "$got" ] || [ "$got" = 0000000000000000 ]; then
			:
		else
			fail "$name: $c $got"
			continue
		fi
	done
	ok "$name: CapInh, CapPrm, CapEff, CapAmb all empty"
	got=$(cat "$T/out/$name.uid")
	[ "$got" = "$NOBODY_UID" ] && ok "$name: exec check ran as uid $got" ||
	    fail "$name: exec check ran as uid $got"
	got=$(cat "$T/out/$name.groups")
	[ "$got" = "$(id -G nobody)" ] &&
	    ok "$name: exec check groups $got" ||
	    fail "$name: exec check groups $got"
	if "$ANYCASTCTL" -s "$T/$name.sock" show neighbors >/dev/null 2>&1
	then
		ok "$name: the control socket opened before the drop answers"
	else
		fail "$name: anycastctl show neighbors failed"
	fi
	grep -q "running as user nobody" "$T/$name.log" &&
	    ok "$name: logged: $(grep 'running as user' "$T/$name.log")" ||
	    fail "$name: no 'running as user nobody' in the log"
	kill -TERM "$dpid"
	wait "$dpid"
	rc=$?
	dpid=
	[ $rc -eq 0 ] && ok "$name: exited 0" || fail "$name: exit $rc"
}

CONF_USER="user nobody"
run config
CONF_USER=""
run option -u nobody

# An unknown user stops the start with a one-line reason.
PORT=$(free_port)
write_conf nouser "user anycastd-no-such-user"
out=$("$ANYCASTD" -f "$T/nouser.conf" 2>&1)
rc=$?
if [ $rc -eq 1 ] && printf '%s\n' "$out" | tail -n 1 |
    grep -q 'anycastd-no-such-user'; then
	ok "unknown user: exit 1, $(printf '%s\n' "$out" | tail -n 1)"
else
	fail "unknown user: exit $rc: $out"
fi

# Started as nobody: the same user is fine, another one is refused.
if command -v setpriv >/dev/null 2>&1; then
	asnobody() {
		setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" \
		    --init-groups "$@"
	}
	PORT=$(free_port)
	write_conf notroot "user root" "$T/out"
	out=$(asnobody "$ANYCASTD" -f "$T/notroot.conf" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && printf '%s\n' "$out" |
	    grep -q 'cannot switch to user root: not root'; then
		ok "as nobody, user root: exit 1, cannot switch to user root: not root"
	else
		fail "as nobody, user root: exit $rc: $out"
	fi
	write_conf same "user nobody" "$T/out"
	# Not through the function: $! must be the daemon itself (setpriv
	# execs it), or the kill below would miss it.
	setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --init-groups \
	    $WRAP "$ANYCASTD" -f "$T/same.conf" >"$T/same.log" 2>&1 &
	dpid=$!
	if wait_for 100 test -s "$T/out/same.uid"; then
		ok "as nobody, user nobody: starts ($(grep -o 'already running as user nobody' "$T/same.log"))"
	else
		fail "as nobody, user nobody: $(cat "$T/same.log")"
	fi
	kill -TERM "$dpid" 2>/dev/null
	wait "$dpid"
	dpid=
else
	echo "setpriv not found: the start as nobody is not tried"
fi

if [ $failures -ne 0 ]; then
	echo "$failures failed"
	exit 1
fi
echo "all passed"
