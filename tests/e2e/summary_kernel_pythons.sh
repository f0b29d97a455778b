#!/bin/bash
# The in-kernel summary (bpf engine) on CPython 3.15, whose markers need
# mending: a generator's creation fires function__entry (the kernel drops
# that frame when _Py_MakeCoro follows), a frame thrown into fires a return
# without an entry (the kernel opens its call at _PyEval_EvalFrameDefault's
# throwflag, named by the return), and returns are matched to calls by
# function as the pipeline does (pipeline_match_returns).  Its table has
# the rows and calls of the user-space summary of another run
# (data/summary_compare.py) on agg_prog.py and shapes.py (recursion,
# generators created/exhausted/closed/thrown into, async, threads); times:
# tests/e2e/summary_kernel_same_run.sh.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/pythons.sh"

why=$(bpf_engine) || skip_all "${why:-bpf engine not available}"
foreign_python 3.15 || skip_all "$FPY_WHY"

# both LABEL PROGRAM: the table each way, compared
both() {
	local label=$1 prog=$2
	"$FPY" "$prog" >/dev/null 2>&1   # .pyc files written before the traces
	if PYTHONHASHSEED=0 "$PYTRACE" --engine bpf -f summary -o "$TMP/k.txt" -c "$FPY $prog" \
		>/dev/null 2>"$TMP/k.err" && grep -q 'aggregated in the kernel.* 0 lost$' "$TMP/k.err"; then
		ok "3.15 $label: the in-kernel table"
	else
		fail "3.15 $label: the in-kernel table"; sed 's/^/# /' "$TMP/k.err" | tail -3
	fi
	PYTHONHASHSEED=0 "$PYTRACE" --engine bpf -f summary --no-kernel-summary -o "$TMP/u.txt" \
		-c "$FPY $prog" >/dev/null 2>"$TMP/u.err"
	if "$PY311" "$DATA/summary_compare.py" "$TMP/k.txt" "$TMP/u.txt" >"$TMP/why"; then
		ok "3.15 $label: the user-space table's rows and calls ($(tail -1 "$TMP/why"))"
	else
		fail "3.15 $label: the user-space table's rows and calls"; sed 's/^/# /' "$TMP/why" | head
	fi
}

both "agg_prog.py" "$DATA/agg_prog.py"
check "3.15: the thrown-into generator's call is counted" \
	grep -qE '^ +1 .*  gen_thrown \(' "$TMP/k.txt"
both "shapes.py" "$DATA/shapes.py"
check "3.15 shapes.py: recursion 5 deep + threads' 3 and 4 deep, each call counted" \
	grep -qE '^ +15 .*  recurse \(' "$TMP/k.txt"
done_testing
