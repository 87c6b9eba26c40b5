#!/bin/sh
# etc/anycastd.service against systemd's own checker: the placeholders
# make install fills in, "systemd-analyze verify" with no complaint at all
# (it only warns, exit 0, on an unknown or misspelt directive, so any
# output fails the test; a deliberate typo proves it would), the settings
# the daemon relies on, the system calls it needs inside
# SystemCallFilter=@system-service, and the sandbox's exposure score.
# Needs BUILDDIR (the ExecStart binaries must exist) and TEST_TMPDIR.

set -u

: "${BUILDDIR:?}" "${TEST_TMPDIR:?}"
UNIT=etc/anycastd.service
T=$TEST_TMPDIR
# Exposure as systemd-analyze security scores it, times ten; 2.0 today.
MAX_EXPOSURE=30

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "systemd-analyze not found (Debian: systemd); skipped"
	exit 77
fi
for b in "$BUILDDIR/src/anycastd" "$BUILDDIR/src/anycastctl"; do
	if [ ! -x "$b" ]; then
		echo "$b not built; skipped"
		exit 77
	fi
done

failures=0
fail() {
	printf 'FAIL: %s\n' "$*"
	failures=$((failures + 1))
}
ok() {
	printf 'ok: %s\n' "$*"
}

# verify FILE: systemd-analyze verify must exit 0 and print nothing.
# --man=no: the manual pages are not installed where verify looks.
verify() {
	out=$(systemd-analyze verify --man=no "$1" 2>&1)
	rc=$?
	[ $rc -eq 0 ] && [ -z "$out" ]
}

# The unit as make install writes it, pointing at the built programs.
mkdir -p "$T/unit" || exit 1
sed -e "s|@SBINDIR@|$BUILDDIR/src|g" -e "s|@SYSCONFDIR@|$T|g" \
    "$UNIT" >"$T/unit/anycastd.service" || exit 1
if grep -n '@[A-Z_]*@' "$T/unit/anycastd.service"; then
	fail "placeholders other than @SBINDIR@ and @SYSCONFDIR@"
else
	ok "only @SBINDIR@ and @SYSCONFDIR@ to substitute"
fi

if verify "$T/unit/anycastd.service"; then
	ok "systemd-analyze verify: clean"
else
	fail "systemd-analyze verify (exit $rc):"
	printf '%s\n' "$out" | sed 's/^/    /'
fi

# The checker must notice a typo, or the clean result above means little.
sed 's/^ProtectHome=/ProtectHme=/' "$T/unit/anycastd.service" \
    >"$T/unit/typo.service"
if verify "$T/unit/typo.service"; then
	fail "systemd-analyze verify does not notice a misspelt directive"
elif printf '%s\n' "$out" | grep -q "ProtectHme"; then
	ok "a misspelt directive is reported: $(printf '%s\n' "$out" |
	    grep ProtectHme | head -n 1)"
else
	fail "typo: unexpected output: $out"
fi
sed 's/^WatchdogSec=.*/WatchdogSec=ten seconds/' \
    "$T/unit/anycastd.service" >"$T/unit/badvalue.service"
if verify "$T/unit/badvalue.service"; then
	fail "systemd-analyze verify does not notice a bad value"
else
	ok "a bad value is reported"
fi

# What the daemon's code assumes of its unit.
for want in 'Type=notify' 'NotifyAccess=main' 'WatchdogSec=10s' \
    'Restart=on-failure' 'User=anycastd' 'Group=anycastd' \
    'AmbientCapabilities=CAP_NET_BIND_SERVICE' \
    'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' \
    'RuntimeDirectory=anycastd' 'StateDirectory=anycastd' \
    'SystemCallFilter=@system-service' \
    "ExecStart=$BUILDDIR/src/anycastd -f $T/anycastd.conf" \
    "ExecReload=$BUILDDIR/src/anycastctl reload"; do
	if grep -qxF "$want" "$T/unit/anycastd.service"; then
		ok "$want"
	else
		fail "missing: $want"
	fi
done

# expand GROUP DEPTH: every system call in a systemd syscall group,
# nested groups included.  The listing's first line is the group's own
# name, indented lines are its members.
expand() {
	[ "$2" -lt 5 ] || return 0
	systemd-analyze syscall-filter "$1" 2>/dev/null |
	    sed -n 's/^  *\([@a-z0-9_-][a-z0-9_-]*\)$/\1/p' |
	    while read -r s; do
		case $s in
		"$1")	;;
		@*)	expand "$s" $(($2 + 1)) ;;
		*)	echo "$s" ;;
		esac
	done
}
expand @system-service 0 | sort -u >"$T/syscalls"
if [ ! -s "$T/syscalls" ]; then
	fail "systemd-analyze syscall-filter @system-service listed nothing"
else
	# pidfd_open: process and exec checks; capget/capset/prctl: the
	# capability drop; the rest: sessions, checks, notify, metrics.
	for s in pidfd_open waitid capget capset prctl setsockopt socketpair \
	    sendto epoll_wait accept4 clock_gettime; do
		if grep -qx "$s" "$T/syscalls"; then
			ok "@system-service allows $s"
		else
			fail "@system-service lacks $s"
		fi
	done
fi

# The sandbox, scored by systemd (offline: no running manager needed).
out=$(systemd-analyze security --offline=true --no-pager \
    --threshold=$MAX_EXPOSURE "$T/unit/anycastd.service" 2>&1)
rc=$?
score=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level[^:]*: //p')
if [ $rc -eq 0 ]; then
	ok "systemd-analyze security: $score"
elif printf '%s\n' "$out" | grep -q 'Overall exposure'; then
	fail "exposure above $MAX_EXPOSURE/10: $score"
else
	echo "systemd-analyze security --offline unavailable: $out"
fi

if [ $failures -ne 0 ]; then
	echo "$failures failed"
	exit 1
fi
echo "all passed"
