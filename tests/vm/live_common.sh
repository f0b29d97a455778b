# Shared by the live stap tests (tests/e2e/stap_live*.sh), sourced after
# tests/lib.sh on the HOST: decide whether the guest can run here, compile
# the stap modules on the host for the guest's kernel (seconds, instead of
# minutes under TCG), then run one guest script that prints TAP lines.
STAPVM="$TOP/tests/vm/stapvm"
# stap's cache, shared by the host's precompiles and the guest (mounted as
# its /root/.systemtap); outside the tree, kept between runs
export STAPVM_STAP_CACHE=${STAPVM_STAP_CACHE:-/var/cache/pytrace-tests/stapvm-cache}
# what src/engine_stap.c's stap_argv() passes: a module precompiled with
# other -D/-s options would miss the cache (the guest test checks it hit)
STAP_ENGINE_FLAGS="-DSTP_NO_OVERLOAD -DMAXSKIPPED=1000000 -DMAXSTRINGLEN=1024"

# live_ready NAME: true when the guest can run; otherwise one SKIP with the
# reason and false.
live_ready() {
	local name=$1 rc
	if [ "${BUILD:-build}" = build-san ]; then
		skip "$name: the live stap guest runs once per CI run, in the normal build, not under the sanitizers"
		return 1
	fi
	if [ "${PYTRACE_LIVE_STAP:-0}" != 1 ]; then
		skip "$name: boots a QEMU guest for minutes on a shared machine; PYTRACE_LIVE_STAP=1 runs it (.ci/run sets it)"
		return 1
	fi
	need_root "$name" || return 1
	[ -x "$PY311" ] || { skip "$name: $PY311 is not installed"; return 1; }
	"$STAPVM" --setup 2>"$TMP/setup.err"
	rc=$?
	if [ $rc -eq 77 ]; then
		skip "$name: $(grep 'SKIP' "$TMP/setup.err" | head -1 | sed 's/^stapvm: SKIP: //')"
		return 1
	elif [ $rc -ne 0 ]; then
		fail "$name: guest set-up (stapvm --setup exit $rc)"
		sed 's/^/# /' "$TMP/setup.err" | tail -5
		return 1
	fi
	return 0
}

# precompile NAME STAP-ARGS...: stap -p4 on the host for the guest kernel,
# into the shared cache; a failure is a failed check (the guest would only
# repeat it, ten times slower).
precompile() {
	local name=$1 t0=$SECONDS; shift
	if "$STAPVM" --host-stap -p4 "$@" >"$TMP/pre.out" 2>"$TMP/pre.err"; then
		diag "precompiled $name on the host in $((SECONDS - t0)) s"
	else
		fail "precompile $name on the host"
		grep -v 'symbol table missing' "$TMP/pre.err" | sed 's/^/# /' | tail -8
	fi
}

# pytrace_holder_start: a process running $PYTRACE itself (blocked opening
# a FIFO), its pid in HOLDER_PID.  For -c, pytrace gives stap the pid of the
# command it holds, a fork of itself, and stap adds that process's
# executable (path, size, mtime: "Unwindsym Modules" in stap's hash log) to
# the module's hash: a -c module precompiled with -x HOLDER_PID is the one
# the guest's pytrace looks up.  pytrace_holder_stop ends it.
pytrace_holder_start() {
	rm -f "$TMP/holder.fifo"
	mkfifo "$TMP/holder.fifo"
	"$PYTRACE" --replay "$TMP/holder.fifo" -f raw -o /dev/null 2>/dev/null &
	HOLDER_PID=$!
	sleep 0.2
}
pytrace_holder_stop() {
	kill "$HOLDER_PID" 2>/dev/null
	wait "$HOLDER_PID" 2>/dev/null
	rm -f "$TMP/holder.fifo"
}

# precompile_pytrace NAME STAP-TARGET-ARG PYTRACE-ARGS...: the script pytrace
# prints for PYTRACE-ARGS, compiled as the engine will run it.
# STAP-TARGET-ARG is "command" for -c (stap -x on a held fork of pytrace,
# above) or "-x PID" of a process running the -p target's executable: stap
# hashes the -x process's executable, not its pid.
precompile_pytrace() {
	local name=$1 target=$2; shift 2
	if ! "$PYTRACE" --engine stap --print-script "$@" >"$TMP/$name.stp" 2>"$TMP/pre.err"; then
		fail "precompile $name: --print-script"
		sed 's/^/# /' "$TMP/pre.err" | head -3
		return
	fi
	if [ "$target" = command ]; then
		pytrace_holder_start
		target="-x $HOLDER_PID"
	fi
	# shellcheck disable=SC2086
	precompile "$name" $STAP_ENGINE_FLAGS $target "$TMP/$name.stp"
	[ -n "${HOLDER_PID:-}" ] && pytrace_holder_stop
	HOLDER_PID=
}

# run_guest SCRIPT ARGS...: run a guest script (TAP on stdout) as root in
# the guest, with $TMP shared read-write; its lines become this test's.
run_guest() {
	local t0=$SECONDS rc
	STAPVM_RW="$TMP" STAPVM_TIMEOUT="${STAPVM_TIMEOUT:-1500}" "$STAPVM" \
		"PYTRACE=$PYTRACE TOP=$TOP BUILD=${BUILD:-build} FIXTURES=$FIXTURES HOSTTMP=$TMP" \
		"bash $*" >"$TMP/guest.out" 2>"$TMP/guest.err"
	rc=$?
	grep -E '^(ok|not ok|#)' "$TMP/guest.out" | grep -v '^1\.\.'
	diag "guest run: $((SECONDS - t0)) s wall, boot included"
	if [ $rc -eq 124 ] || [ $rc -eq 125 ]; then
		fail "guest ran to the end (stapvm exit $rc)"
		sed 's/^/# /' "$TMP/guest.err" | tail -15
	elif ! grep -q '^1\.\.' "$TMP/guest.out"; then
		fail "guest script finished (exit $rc, no plan line)"
		sed 's/^/# /' "$TMP/guest.err" | tail -15
	fi
}
