#!/bin/bash
# Live in the QEMU guest (tests/vm/stapvm): --engine stap and --engine bpf
# give the same call/return sequence per thread on a >= 100k-event trace;
# the tapset and scripts/calltree.stp, scripts/top.stp run live.  Modules
# are compiled on the host for the guest's kernel; one guest boot.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/live_common.sh"

main() {
	live_ready "live stap engines" || return 0
	local t0=$SECONDS K="$TOP/tests/e2e/data/known_tree.py"
	precompile_pytrace python command -c "$PY311 -c pass"
	mkdir -p "$TMP/tapset"
	printf 'import time\ndef hot():\n    return 1\nend = time.time() + 4\nwhile time.time() < end:\n    hot()\n' >"$TMP/spin.py"
	"$PYTRACE" tapset "$PY311" >"$TMP/tapset/pytrace.stp" || fail "pytrace tapset"
	# the scripts run as the guest runs them: same -I, same -c executable
	precompile calltree.stp -I "$TMP/tapset" "$TOP/scripts/calltree.stp" -c "$PY311 $K"
	# top.stp hits its hot function as fast as python can call it: an
	# emulated guest's cycle counts trip stap's overload check, which
	# measures the guest's speed, not the script's (run with the same -D)
	precompile top.stp -DSTP_NO_OVERLOAD -I "$TMP/tapset" "$TOP/scripts/top.stp" -c "$PY311 $TMP/spin.py"
	diag "host precompiles: $((SECONDS - t0)) s"
	STAPVM_TIMEOUT=1000 run_guest "$TOP/tests/vm/guest_engines.sh"
}

main
done_testing
