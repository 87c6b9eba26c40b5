#!/bin/sh
# make install into a temporary DESTDIR puts every piece where it belongs,
# the installed unit names the installed binaries, the installed example
# configuration passes anycastd -n, and uninstall removes all but the
# operator's configuration.
set -eu

: "${TEST_TMPDIR:?}"
D=$TEST_TMPDIR/destdir
fail() { echo "install.sh: $*" >&2; exit 1; }
# Install is of the default build, even when the tests run under
# "make check SANITIZE=1": do not pass the caller's make flags down.
unset MAKEFLAGS MFLAGS MAKELEVEL SANITIZE FUZZ

make -s install DESTDIR="$D" PREFIX=/usr sysconfdir=/etc >"$TEST_TMPDIR/install.log" 2>&1 ||
    { cat "$TEST_TMPDIR/install.log"; fail "make install failed"; }

for f in usr/sbin/anycastd usr/sbin/anycastctl \
    usr/share/man/man8/anycastd.8 usr/share/man/man8/anycastctl.8 \
    usr/share/man/man5/anycastd.conf.5 \
    usr/lib/systemd/system/anycastd.service usr/lib/sysusers.d/anycastd.conf \
    usr/share/bash-completion/completions/anycastctl \
    usr/share/doc/anycastd/anycastd.conf.example etc/anycastd.conf; do
	[ -f "$D/$f" ] || fail "missing $f"
done
[ -x "$D/usr/sbin/anycastd" ] || fail "anycastd not executable"
# The configuration may hold MD5 keys: not world-readable.
[ "$(stat -c %a "$D/etc/anycastd.conf")" = 640 ] || fail "config mode not 0640"
grep -q '^ExecStart=/usr/sbin/anycastd -f /etc/anycastd.conf$' \
    "$D/usr/lib/systemd/system/anycastd.service" || fail "unit ExecStart"
grep -q '^ExecReload=/usr/sbin/anycastctl reload$' \
    "$D/usr/lib/systemd/system/anycastd.service" || fail "unit ExecReload"
! grep -Eq "@(SBINDIR|SYSCONFDIR)@" "$D/usr/lib/systemd/system/anycastd.service" ||
    fail "unsubstituted placeholder in the unit"
"$D/usr/sbin/anycastd" -n -f "$D/etc/anycastd.conf" 2>"$TEST_TMPDIR/n.log" ||
    { cat "$TEST_TMPDIR/n.log"; fail "installed config does not parse"; }
grep -q "config OK" "$TEST_TMPDIR/n.log" || fail "anycastd -n said no config OK"

# A second install keeps the operator's configuration.
echo "# edited" >>"$D/etc/anycastd.conf"
make -s install DESTDIR="$D" PREFIX=/usr sysconfdir=/etc >/dev/null 2>&1 ||
    fail "second install failed"
tail -n 1 "$D/etc/anycastd.conf" | grep -q "# edited" ||
    fail "install overwrote the configuration"

make -s uninstall DESTDIR="$D" PREFIX=/usr sysconfdir=/etc >/dev/null 2>&1 ||
    fail "make uninstall failed"
left=$(cd "$D" && find . -type f | sort)
[ "$left" = "./etc/anycastd.conf" ] || fail "uninstall left: $left"
echo "install.sh: ok"
