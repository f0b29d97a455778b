#!/bin/bash
# The -c command's life as a shell would run it: --duration stops tracing
# and lets it finish with its own status; a SIGTERM sent to pytrace reaches
# the command's process group, not a setsid daemon, and the SIGTERM/SIGKILL
# escalation covers every process of the group (one ignoring SIGTERM too);
# processes still running when the main one exits are reported.  -p on a
# target gone during attach says so in one line (status 4); --python X -p
# PID checks that PID runs X; -p follows an exec of the same interpreter
# and reports one of another; a command SIGKILL cannot end does not keep
# pytrace from ending after a stop; the watchdog leaves a process the user
# stopped alone.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

main() {
	bpf_ready || return 0
	private_python

	# --duration: the command finishes, untraced, with its status.
	local t0 t1
	t0=$(date +%s%N)
	expect_exit "--duration 1 -c: the command's status (7)" 7 "$PYTRACE" --engine bpf -f raw \
		--duration 1 -c "$PYC -c 'import time; time.sleep(3); raise SystemExit(7)'"
	t1=$(date +%s%N)
	check "--duration: the command ran to its end (>= 2.5 s)" test $(((t1 - t0) / 1000000)) -ge 2500
	check "--duration: says the command runs on untraced" grep -q "runs on untraced" "$TMP/err"

	# SIGTERM after --duration (tracing stopped, the BPF side gone): the
	# command's group still gets it, from the tree known at the stop
	"$PYTRACE" --engine bpf -f raw -o /dev/null --duration 0.5 -c "$PYC $DATA/spin.py $TMP/dchild.pid 60 &
$PYC -c 'import time; time.sleep(60)'" 2>"$TMP/dterm.err" &
	local dtracer=$! dchild
	dchild=$(spin_pid "$TMP/dchild.pid")
	wait_file "$TMP/dterm.err" "runs on untraced" 20
	kill -TERM "$dtracer"
	wait_exit "$dtracer" 20
	check "--duration, then SIGTERM: pytrace ends with the command's status (143, got $WAIT_RC)" \
		test "$WAIT_RC" -eq 143
	# gone, or a zombie nobody reaped yet
	check "--duration, then SIGTERM: the command's other process got it" \
		sh -c "! grep -qE '^[^)]*\\) [^Z]' /proc/${dchild:-0}/stat 2>/dev/null"
	check "--duration, then SIGTERM: no error" sh -c "! grep -qiE 'error|sanitizer' '$TMP/dterm.err'"

	# SIGTERM to pytrace: the group gets it, a setsid daemon does not; a
	# process ignoring SIGTERM is killed by the escalation.
	cat >"$TMP/ignore.py" <<'PY'
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
open(sys.argv[1], "w").write("%d\n" % os.getpid())
time.sleep(60)
PY
	"$PYTRACE" --engine bpf -f raw -o "$TMP/term.raw" -c "setsid $PYC $DATA/spin.py $TMP/daemon.pid 30 &
$PYC $TMP/ignore.py $TMP/ignorer.pid & sleep 60" 2>"$TMP/term.err" &
	local tracer=$!
	local daemon ignorer
	daemon=$(spin_pid "$TMP/daemon.pid")
	ignorer=$(spin_pid "$TMP/ignorer.pid")
	sleep 0.5
	kill -TERM "$tracer"
	wait_exit "$tracer" 20
	diag "$(grep -v 'engine:' "$TMP/term.err" | head -5)"
	check "SIGTERM: pytrace exits with the command's status (143)" test "$WAIT_RC" -eq 143
	check "SIGTERM: the setsid daemon lives on" kill -0 "$daemon"
	# gone, or a zombie nobody reaped yet
	check "SIGTERM: the process ignoring SIGTERM was ended by the escalation" \
		sh -c "! grep -qE '^[^)]*\\) [^Z]' /proc/$ignorer/stat 2>/dev/null"
	check "SIGTERM: the daemon still running is reported" grep -q "still run" "$TMP/term.err"
	kill "$daemon" 2>/dev/null

	# -p on a process that is gone by the time probes are attached.
	local ok=0 runs=5
	for _ in $(seq $runs); do
		rm -f "$TMP/short.pid"
		"$PYC" -c 'import os, sys, time
open(sys.argv[1], "w").write("%d\n" % os.getpid())' "$TMP/short.pid" &
		local p; p=$(spin_pid "$TMP/short.pid")
		"$PYTRACE" --engine bpf -f raw -o /dev/null -p "$p" >/dev/null 2>"$TMP/gone.err"
		local rc=$?
		wait "$p" 2>/dev/null
		local lines; lines=$(grep -vc 'engine:' "$TMP/gone.err")
		if [ "$rc" -eq 4 ] && [ "$lines" -eq 1 ] &&
			grep -qE "exited before pytrace could attach|no process with PID" "$TMP/gone.err"; then
			ok=$((ok + 1))
		else
			diag "rc $rc: $(cat "$TMP/gone.err")"
		fi
	done
	check "-p on a short-lived target: one line, status 4 ($ok of $runs)" test "$ok" -eq "$runs"

	# --python X -p PID: PID must run X.
	start_spin pyp 20
	local spin=$SPIN_PID
	expect_exit "--python X -p PID running another python: status 4" 4 \
		"$PYTRACE" --engine bpf --python "$PY311" -p "$spin" --duration 1
	one_line_error "--python X -p PID running another python"
	check "--python X -p PID: names both" grep -q "runs $PYC, not $PY311" "$TMP/err"
	expect_exit "--python X -p PID running X: status 0" 0 \
		"$PYTRACE" --engine bpf -f raw --python "$PYC" -p "$spin" --duration 0.5
	kill "$spin" 2>/dev/null; wait "$spin" 2>/dev/null

	# -p on a target that execs: the same interpreter file is followed,
	# another one is reported and pytrace detaches.
	# The target's first image ticks until pytrace's events come, then 0.3 s
	# more before it execs.
	EXEC_CHAIN_GO=$TMP/ex.go "$PYC" "$DATA/exec_chain.py" "$PY311" 0.3 "$TMP/ex.pid" &
	local ex=$! extracer
	spin=$(spin_pid "$TMP/ex.pid")
	"$PYTRACE" --engine bpf -f json -p "$spin" >"$TMP/out" 2>"$TMP/err" &
	extracer=$!
	wait_file "$TMP/out" '"func":"tick"' 30 || diag "-p through exec: no tick traced in 30 s"
	touch "$TMP/ex.go"
	wait_exit "$extracer" 60
	check "-p through exec: status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	check "-p exec of the same python: still traced" grep -q "exec'd $PYC: still traced" "$TMP/err"
	check "-p exec of another python: said, and detached" \
		grep -q "exec'd $PY311, which is not the interpreter" "$TMP/err"
	wait "$ex"
	check "-p through exec: the target ended normally" test $? -eq 0

	# exec resets the stack: each image's <module> at depth 0, with -c.
	expect_exit "-c through two execs: status 0" 0 "$PYTRACE" --engine bpf -f json \
		-c "$PYC $DATA/exec_chain.py $PY311 0.05 $TMP/ex2.pid"
	check "-c exec: the three images' <module> calls all at depth 0" test "$(grep '"kind":"call"' "$TMP/out" |
		grep -c '"depth":0,"func":"<module>","file":"[^"]*exec_chain.py"')" -eq 3
	expect_exit "-c through two execs, chrome: status 0" 0 "$PYTRACE" --engine bpf -f chrome \
		-c "$PYC $DATA/exec_chain.py $PY311 0.05 $TMP/ex3.pid"
	check "-c exec, chrome: the calls cut by exec are closed there (unreturned)" \
		grep -q '"cat":"unreturned"' "$TMP/out"

	# A command SIGKILL cannot end (stuck in the kernel: a frozen cgroup v1
	# freezer group holds it in state D): a stop still ends pytrace once
	# the escalation is over, naming the process, instead of waiting on it
	# without end (pytrace ignored SIGINT for good there).
	stuck_command "$PYC" --engine bpf

	# The watchdog resumes only what pytrace stopped.
	"$PYTRACE" --engine bpf -f raw -o "$TMP/w.raw" -c "$PYC $DATA/spin.py $TMP/w.pid 30" 2>/dev/null &
	tracer=$!
	spin=$(spin_pid "$TMP/w.pid")
	kill -STOP "$spin"
	sleep 0.2
	kill -KILL "$tracer"; wait "$tracer" 2>/dev/null
	sleep 1.5
	check "watchdog: a process the user stopped stays stopped" \
		grep -qE '^[^)]*\) T' "/proc/$spin/stat"
	kill -KILL "$spin" 2>/dev/null
	done_testing
}
main
