#!/bin/bash
# The stap engine live, in a QEMU guest with loadable modules (tests/vm/stapvm;
# this machine's kernel has none): trees equal to sys.setprofile's
# (recursion, class, generator, exceptions, threads, wrappers, embedded
# libpython) with the 3.11 entry fix, -p PID with Ctrl-C, exit statuses,
# lost events and --strict, the stap 4.8 runtime incompatibility; -f summary
# from stap aggregates against the user-space summary.  Modules
# are compiled on the host for the guest's kernel; one guest boot.
. "$TOP/tests/lib.sh"
. "$TOP/tests/vm/live_common.sh"

main() {
	live_ready "live stap" || return 0
	local t0=$SECONDS
	precompile_pytrace python command -c "$PY311 -c pass"
	precompile_pytrace aggregate command -f summary -c "$PY311 -c pass"
	[ -x "$FIXTURES/embed_py" ] && precompile_pytrace embedded command -c "$FIXTURES/embed_py"
	"$PY311" -c 'import time; time.sleep(60)' &
	local sleeper=$!
	sleep 0.3
	precompile_pytrace pid "-x $sleeper" -p "$sleeper"
	kill "$sleeper"; wait "$sleeper" 2>/dev/null
	diag "host precompiles: $((SECONDS - t0)) s"
	# an unpatched copy of stap's runtime, for the incompatibility checks
	cp -a /usr/share/systemtap/runtime "$TMP/runtime-unpatched"
	STAPVM_TIMEOUT=1000 run_guest "$TOP/tests/vm/guest_trees.sh"
}

main
done_testing
