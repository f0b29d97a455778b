#!/bin/bash
# CPython 3.11 built with assertions (Debian's python3.11-dbg,
# /usr/bin/python3.11d) aborts as soon as the line marker's semaphore is
# raised.  pytrace detects such a build from its ELF and never raises it:
# -c and -p leave the program alive with its own exit status, the trace says
# what it lacks, `list` shows the caveat, --lines is refused with the reason.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

PYD=${PY311D:-/usr/bin/python3.11d}

main() {
	if [ ! -x "$PYD" ]; then
		skip "python3.11-dbg: $PYD is not installed (tools/install-deps installs it)"
		done_testing
		return 0
	fi
	expect_exit "list $PYD: status 0" 0 "$PYTRACE" list "$PYD"
	check "list: the assertion-build caveat" grep -q "build with assertions" "$TMP/out"
	check "list: no promise of the entry fix" sh -c "! grep -q 'pytrace raises it' '$TMP/out'"
	expect_exit "list --json: status 0" 0 "$PYTRACE" list --json "$PYD"
	check "list --json: assertions true" grep -q '"assertions":true' "$TMP/out"
	expect_exit "list --json release build: status 0" 0 "$PYTRACE" list --json "$PY311"
	check "list --json: a release build has assertions false" grep -q '"assertions":false' "$TMP/out"

	bpf_ready || { done_testing; return 0; }
	printf 'import sys\ndef f(n):\n    return n\nf(1)\nsys.exit(3)\n' >"$TMP/ex3.py"
	expect_exit "-c on python3.11d: the command's status (3)" 3 \
		"$PYTRACE" --engine bpf -f json -c "$PYD $TMP/ex3.py"
	check "-c: not killed (no SIGABRT)" sh -c "! grep -q 'killed by signal' '$TMP/err'"
	check "-c: says what the trace lacks" grep -q "calls show only as returns" "$TMP/err"
	check "-c: its returns are traced" grep -q '"func":"f"' "$TMP/out"

	# Through a wrapper: the python is found at exec, not predicted.
	printf '#!/bin/sh\nexec %s "$@"\n' "$PYD" >"$TMP/wrap.sh"
	chmod +x "$TMP/wrap.sh"
	expect_exit "-c wrapper script: the command's status (3)" 3 \
		"$PYTRACE" --engine bpf -f json -c "$TMP/wrap.sh $TMP/ex3.py"
	check "-c wrapper script: not killed" sh -c "! grep -q 'killed by signal' '$TMP/err'"

	expect_exit "--lines on python3.11d: refused, status 4" 4 \
		"$PYTRACE" --engine bpf --lines -c "$PYD $TMP/ex3.py"
	one_line_error "--lines on python3.11d"
	check "--lines: the reason named" grep -q "assertions" "$TMP/err"

	# -p: attaching leaves the running program alive.
	SPIN_PY=$PYD start_spin dbg 4 5
	local spin=$SPIN_PID
	expect_exit "-p on python3.11d: status 0" 0 "$PYTRACE" --engine bpf -f json -p "$spin" --duration 1
	check "-p: its returns are traced" grep -q '"func":"tick"' "$TMP/out"
	check "-p: the target is alive after detach" kill -0 "$spin"
	expect_exit "-p --lines on python3.11d: refused, status 4" 4 \
		"$PYTRACE" --engine bpf --lines -p "$spin"
	wait "$spin"
	local rc=$?
	check "-p: the target ended with its own status 5 (not SIGABRT 134)" test "$rc" -eq 5
	done_testing
}
main
