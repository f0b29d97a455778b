#!/bin/bash
# The in-kernel summary and the user-space one of ONE run: two tracers
# attach with -p to data/agg_prog.py (recursion, generators, an exception,
# threads, a call that never returns) while it waits, then it runs; the
# tables have the same rows and calls, and times within 1% or 0.2 ms
# (data/summary_compare.py --same-run).  On CPython 3.11 (a private copy:
# its semaphores are these tracers' alone) and 3.15 (through
# tools/fetch-python; the kernel mends its creation entries, thrown-into
# frames and yield-returns).
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"
. "$TOP/tests/lib/pythons.sh"

why=$(bpf_engine) || skip_all "${why:-bpf engine not available}"

# entry_sem PID: the function__entry semaphore's value in PID
entry_sem() { "$PY311" "$DATA/marker_state.py" "$1" | awk '$1 == "function__entry" { print $3; exit }'; }

# same_run LABEL PYTHON
same_run() {
	local label=$1 py=$2 prog pid k u i
	rm -f "$TMP/go"
	mkfifo "$TMP/go"
	"$py" "$DATA/agg_prog.py" >/dev/null 2>&1   # .pyc files first
	"$py" "$DATA/agg_prog.py" "$TMP/go" >"$TMP/prog.out" 2>&1 &
	prog=$!
	for i in $(seq 100); do grep -q waiting "$TMP/prog.out" && break; sleep 0.1; done
	"$PYTRACE" --engine bpf -f summary -o "$TMP/k.txt" -p "$prog" >/dev/null 2>"$TMP/k.err" &
	k=$!
	"$PYTRACE" --engine bpf -f summary --no-kernel-summary -o "$TMP/u.txt" -p "$prog" \
		>/dev/null 2>"$TMP/u.err" &
	u=$!
	for i in $(seq 200); do [ "$(entry_sem "$prog")" = 2 ] && break; sleep 0.05; done
	sleep 0.5   # every marker site attached (semaphores go up with the first)
	echo go >"$TMP/go"
	wait "$prog"
	wait "$k" "$u"
	check "$label: the kernel's table" grep -q 'aggregated in the kernel.* 0 lost$' "$TMP/k.err"
	if "$PY311" "$DATA/summary_compare.py" "$TMP/k.txt" "$TMP/u.txt" --same-run >"$TMP/why"; then
		ok "$label: one run, both tables: same rows, calls, times ($(tail -1 "$TMP/why"))"
	else
		fail "$label: one run, both tables: same rows, calls, times"
		sed 's/^/# /' "$TMP/why" | head -12
	fi
	check "$label: the call that never returns" \
		grep -qE "^ +0 .*  stuck \(.*agg_prog\.py:[0-9]+\) \[1 never returned\]$" "$TMP/k.txt"
	check "$label: recursion counted per call (rec: 5 + 2 x 4)" \
		grep -qE "^ +13 .*  rec \(" "$TMP/k.txt"
}

if [ -x "$PY311" ]; then
	private_python
	same_run "3.11" "$PYC"
else
	skip "3.11: $PY311 is not installed"
fi
if foreign_python 3.15; then
	same_run "3.15" "$FPY"
else
	skip "3.15: $FPY_WHY"
fi
done_testing
