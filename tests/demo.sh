#!/bin/bash
# The anycast lab (scripts/demo, docs/lab.md), run non-interactively: every
# step's client -> PoP mapping over IPv4 and over IPv6, the Mermaid file,
# and nothing of the run left behind (namespaces, processes, run directory).
#
# Environment: BUILDDIR (holds src/anycastd, src/anycastctl), TEST_TMPDIR.

set -u

skip() { echo "$*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
for c in ip jq python3 bird birdc vtysh; do
	command -v "$c" >/dev/null 2>&1 || skip "$c not found (scripts/install-deps)"
done
[ -x /usr/lib/frr/bgpd ] && [ -x /usr/lib/frr/zebra ] ||
    skip "FRR bgpd/zebra not found (Debian package frr)"
: "${BUILDDIR:=.}"
[ -x "$BUILDDIR/src/anycastd" ] && [ -x "$BUILDDIR/src/anycastctl" ] ||
    skip "anycastd not built in $BUILDDIR"
probe="acldemo$$probe"
ip netns add "$probe" >/dev/null 2>&1 || skip "cannot create network namespaces here"
ip netns del "$probe"

if [ -z "${TEST_TMPDIR:-}" ]; then
	TEST_TMPDIR=$(mktemp -d) || exit 1
	trap 'rm -rf "$TEST_TMPDIR"' EXIT
fi
out=$TEST_TMPDIR/demo.out
mmd=$TEST_TMPDIR/lab.mmd

fails=0
ok() { echo "ok: $*"; }
not_ok() { echo "not ok: $*"; fails=$((fails + 1)); }

t0=$SECONDS
export BUILDDIR
ANYCASTD=$BUILDDIR/src/anycastd ANYCASTCTL=$BUILDDIR/src/anycastctl \
    TMPDIR=$TEST_TMPDIR timeout -k 15 120 scripts/demo --test --mermaid "$mmd" >"$out" 2>&1
rc=$?
echo "# scripts/demo --test exited $rc after $((SECONDS - t0)) s"
sed 's/^/    | /' "$out"
[ "$rc" -eq 77 ] && skip "scripts/demo skipped: $(tail -n 1 "$out")"
[ "$rc" -eq 0 ] && ok "scripts/demo exits 0" || not_ok "scripts/demo exits 0 (got $rc)"

# result: STEP CLIENT POP MS (IPv4), result6: the same for IPv6; both
# families must see the same PoP.
expect() {
	local what=$1 step=$2 client=$3 pop=$4 tag fam got
	for tag in result: result6:; do
		fam=
		[ "$tag" = result6: ] && fam=" (IPv6)"
		got=$(awk -v t="$tag" -v s="$step" -v c="$client" \
		    '$1 == t && $2 == s && $3 == c { print $4; exit }' "$out")
		if [ "$got" = "$pop" ]; then
			ok "$what$fam: $client -> $pop"
		else
			not_ok "$what$fam: $client -> ${got:-nothing} (expected $pop)"
		fi
	done
}

expect "initial" initial ny us-east
expect "initial" initial ldn eu-west
expect "initial" initial tyo ap-south
expect "us-east service killed" kill ny eu-west
expect "us-east service restarted" restart ny us-east
expect "eu-west drained" drain ldn us-east
expect "eu-west undrained" undrain ldn eu-west
expect "at the end" final ny us-east
expect "at the end" final tyo ap-south

for tag in result: result6:; do
	fam=
	[ "$tag" = result6: ] && fam=" (IPv6)"
	ms=$(awk -v t="$tag" '$1 == t && $2 == "kill" { print $5 }' "$out")
	case $ms in
	''|*[!0-9]*) not_ok "failover time measured$fam ($ms)" ;;
	*)	if [ "$ms" -le 3000 ]; then
			ok "failover measured$fam: $ms ms (<= 3000)"
		else
			not_ok "failover took $ms ms$fam (> 3000)"
		fi ;;
	esac
done

if [ -s "$mmd" ] && grep -q '^flowchart LR' "$mmd"; then
	ok "Mermaid file written"
else
	not_ok "Mermaid file $mmd missing or not a flowchart"
fi
for p in us-east eu-west ap-south; do
	grep -q "$p" "$mmd" 2>/dev/null && ok "Mermaid names $p" ||
	    not_ok "Mermaid does not name $p"
done
for p in 203.0.113.0/24 2001:db8:ac::/48; do
	n=$(grep -c "^  p_.*<br/>$p announced" "$mmd" 2>/dev/null)
	[ "$n" = 3 ] && ok "Mermaid shows $p announced at 3 PoPs" ||
	    not_ok "Mermaid shows $p announced at ${n:-0} PoPs (expected 3)"
done
grep -q '^  %% route6: New York -> us-east$' "$mmd" 2>/dev/null &&
    ok "Mermaid notes New York's IPv6 route to us-east" ||
    not_ok "Mermaid does not note New York's IPv6 route to us-east"
grep -q '^  c_ny ==>|in use| r_us$' "$mmd" 2>/dev/null &&
grep -q '^  r_us ==>|in use| p_us$' "$mmd" 2>/dev/null &&
    ok "Mermaid marks New York's path to us-east in use" ||
    not_ok "Mermaid does not mark New York's path in use"

run=$(sed -n 's/^run id: //p' "$out")
if [ -z "$run" ]; then
	not_ok "scripts/demo printed no run id"
else
	left=$(ip netns list | awk -v p="acl$run-" 'index($1, p) == 1 { print $1 }')
	[ -z "$left" ] && ok "no namespace of run $run remains" ||
	    not_ok "namespaces of run $run remain: $left"
	[ ! -e "$TEST_TMPDIR/anycast-lab.$run" ] &&
	    ok "run directory removed" || not_ok "run directory remains"
	frr=$(sed -n 's/.*FRR runs in \(\/tmp\/anycast-lab-frr\.[^ ]*\) .*/\1/p' "$out")
	if [ -n "$frr" ]; then
		[ ! -e "$frr" ] && ok "FRR directory $frr removed" ||
		    not_ok "FRR directory $frr remains"
	fi
	procs=$(ps -eo pid=,args= | grep -F "anycast-lab.$run/" | grep -v grep)
	[ -z "$procs" ] && ok "no process of run $run remains" ||
	    not_ok "processes of run $run remain: $procs"
fi

echo "# demo.sh: $fails failed, $((SECONDS - t0)) s"
[ "$fails" -eq 0 ]
