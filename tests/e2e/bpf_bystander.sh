#!/bin/bash
# -c touches only the command's process tree: a python running the same
# interpreter file outside it keeps every semaphore at 0 while the command
# is traced (so it never reaches a probe), the traced one has them raised; a
# forked child's first call is traced; a process of the command that
# outlives pytrace, or one whose pytrace was killed, gets its semaphores
# lowered.  All on a private copy of the interpreter (tests/lib/faults.sh).
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

# raised PID: the number of semaphores above 0 in PID
raised() { "$PY311" "$DATA/marker_state.py" "$1" | awk '$3 != 0' | wc -l; }

main() {
	bpf_ready || return 0
	private_python

	# A bystander loop and a traced idle command, same interpreter file.
	start_spin bystander 60
	local by=$SPIN_PID
	"$PYTRACE" --engine bpf -f raw -o "$TMP/idle.raw" \
		-c "$PYC $DATA/idle.py 3 $TMP/idle.pid" 2>"$TMP/idle.err" &
	local tracer=$!
	local idle; idle=$(spin_pid "$TMP/idle.pid")
	sleep 0.3
	local by_during idle_during
	by_during=$(raised "$by")
	idle_during=$(raised "$idle")
	diag "semaphores up: bystander $by_during, traced command $idle_during"
	check "-c: the traced python has its semaphores raised" test "$idle_during" -ge 2
	check "-c: a bystander python of the same file has none raised" test "$by_during" -eq 0
	wait_exit "$tracer" 20
	check "-c: the idle command traced, status 0" test "$WAIT_RC" -eq 0
	kill "$by" 2>/dev/null; wait "$by" 2>/dev/null

	# A forked child's first call is in the tree, under the child's pid.
	expect_exit "-c fork: traced" 0 "$PYTRACE" --engine bpf -f json -c "$PYC $DATA/fork_first.py"
	check "-c fork: the child's first call is traced" grep -q '"func":"first_in_child"' "$TMP/out"
	check "-c fork: the parent's call is traced" grep -q '"func":"in_parent"' "$TMP/out"

	# A process of the command still running when pytrace ends (the
	# command started it in the background and exited): lowered.
	expect_exit "-c background child: traced" 0 "$PYTRACE" --engine bpf -f raw -o "$TMP/bg.raw" \
		-c "$PYC $DATA/spin.py $TMP/bg.pid 20 & sleep 1"
	local bg; bg=$(spin_pid "$TMP/bg.pid")
	if [ -n "$bg" ] && kill -0 "$bg" 2>/dev/null; then
		check "-c: a process outliving the trace has its semaphores lowered" test "$(raised "$bg")" -eq 0
		kill "$bg"
	else
		fail "-c background child: it did not start"
	fi

	# pytrace killed with SIGKILL: the watchdog lowers what it raised.
	"$PYTRACE" --engine bpf -f raw -o "$TMP/killed.raw" -c "$PYC $DATA/spin.py $TMP/k.pid 20" \
		2>"$TMP/killed.err" &
	tracer=$!
	local k; k=$(spin_pid "$TMP/k.pid")
	sleep 0.3
	local before_kill; before_kill=$(raised "$k")
	kill -KILL "$tracer"; wait "$tracer" 2>/dev/null
	sleep 1.5
	check "-c killed: the traced python had its semaphores up" test "$before_kill" -ge 2
	check "-c killed: the watchdog lowered them" test "$(raised "$k")" -eq 0
	check "-c killed: the traced python lives on" kill -0 "$k"
	kill "$k" 2>/dev/null
	bystander_315
	done_testing
}

# CPython 3.15's -c needs two function uprobes (_Py_MakeCoro and
# _PyEval_EvalFrameDefault) that no semaphore guards: they go into the
# traced processes only, so a bystander's code stays as in the file.
bystander_315() {
	. "$TOP/tests/lib/pythons.sh"
	foreign_python 3.15 || { skip "3.15 bystander: $FPY_WHY"; return; }
	local py315=$FPY syms="_Py_MakeCoro _PyEval_EvalFrameDefault"
	"$py315" "$DATA/spin.py" "$TMP/by315.pid" 60 &
	local by; by=$(spin_pid "$TMP/by315.pid")
	"$PYTRACE" --engine bpf -f raw -o "$TMP/c315.raw" \
		-c "$py315 $DATA/spin.py $TMP/c315.pid 3" 2>"$TMP/c315.err" &
	local tracer=$! traced; traced=$(spin_pid "$TMP/c315.pid")
	sleep 0.3
	local in_by in_traced
	in_by=$("$PY311" "$DATA/code_bytes.py" "$by" "$py315" $syms | tr '\n' ' ')
	in_traced=$("$PY311" "$DATA/code_bytes.py" "$traced" "$py315" $syms | tr '\n' ' ')
	diag "3.15 code at the probed functions: bystander: $in_by; traced: $in_traced"
	check "3.15 -c: the traced python has both function probes" \
		test "$in_traced" = "_Py_MakeCoro changed _PyEval_EvalFrameDefault changed "
	check "3.15 -c: a bystander 3.15 python has neither (its code is the file's)" \
		test "$in_by" = "_Py_MakeCoro same _PyEval_EvalFrameDefault same "
	wait_exit "$tracer" 20
	check "3.15 -c: traced, status 0" test "$WAIT_RC" -eq 0
	kill "$by" 2>/dev/null; wait "$by" 2>/dev/null
}
main
