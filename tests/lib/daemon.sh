# Shared by the daemon test scripts (ctl, notify, metrics, monitor,
# privsep): verdict lines and bounded polling. Sourced after WRAP is set;
# a wrapped daemon (valgrind) is slow, so every wait is ten times longer.

if [ -n "${WRAP:-}" ]; then SLOW=10; else SLOW=1; fi
failures=0

fail() {
	printf 'FAIL: %s\n' "$*"
	failures=$((failures + 1))
}

ok() {
	printf 'ok: %s\n' "$*"
}

# wait_for TENTHS COMMAND...: polls every 0.1 s until COMMAND succeeds.
wait_for() {
	n=$(($1 * SLOW))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	if command -v python3 >/dev/null 2>&1; then
		python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
	else
		echo $((20000 + $$ % 10000))
	fi
}
