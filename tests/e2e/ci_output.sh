#!/bin/bash
# CI that fails when it should (issue #11): --strict exits 7 on a trace
# with no python event; a command not found is said as such; the summary
# goes to a file in the same run as the trace; summary and folded show the
# time of calls that never returned, marked; pool workers ended by SIGTERM
# at teardown are no warning.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

TRACE=("$PYTRACE" --engine bpf)
bpf_ready || { done_testing; exit 0; }
private_python

# No python event: a marker-less program, a path that does not exist.
expect_exit "--strict, no python ran: exit 7" 7 "${TRACE[@]}" --strict -c "/bin/true"
check "--strict, no python ran: said" grep -q 'no python event was captured' "$TMP/err"
expect_exit "without --strict: the command's status" 0 "${TRACE[@]}" -c "/bin/true"
expect_exit "--strict, command not found: exit 7" 7 "${TRACE[@]}" --strict -c "$TMP/no/such/python app.py"
expect_exit "command not found: the shell's 127" 127 "${TRACE[@]}" -c "$TMP/no/such/python app.py"
check "command not found: said as such" grep -q 'the shell could not find the command (exit 127' "$TMP/err"
check "command not found: no word about markers" sh -c "! grep -qi 'marker' '$TMP/err'"
expect_exit "--strict with python events: the command's status" 0 \
	"${TRACE[@]}" --strict -q -c "$PYC -c pass"

# A program stuck in one function, killed: its time is there, marked.
STUCK="timeout -s KILL 1.5 $PYC $DATA/stuck.py"
rm -f "$TMP/sum.md"
echo "# earlier step" >"$TMP/sum.md"
"${TRACE[@]}" -q -f folded -o "$TMP/stuck.folded" --include '*/stuck.py' \
	--summary-format markdown --summary-file "$TMP/sum.md" -c "$STUCK" 2>"$TMP/stuck.err"
rc=$?
check "stuck, killed: the command's status 137 (got $rc)" test "$rc" -eq 137
check "--summary-file: appended, the earlier content kept" grep -qx '# earlier step' "$TMP/sum.md"
check "--summary-file: a markdown table" grep -q '^| function | file | calls |' "$TMP/sum.md"
row=$(grep '^| stuck\\_forever \[1 never returned\] |' "$TMP/sum.md")
diag "summary row: $row"
check "summary: stuck_forever is there, marked, with its time (>= 1 s total)" \
	awk -F'|' -v r="$row" 'BEGIN { split(r, f, "|"); exit !(r != "" && f[5] + 0 >= 1000000) }'
check "summary: it is the first row (most self time)" \
	sh -c "grep '^| ' '$TMP/sum.md' | sed -n 3p | grep -q stuck"
line=$(grep 'stuck_forever (.*stuck.py:[0-9]*) \[never returned\] [0-9]*$' "$TMP/stuck.folded")
diag "folded: $line"
check "folded: stuck_forever's time, marked (>= 1 s)" test "${line##* }" -ge 1000000 2>/dev/null
check "folded: quick() is there unmarked" grep -q 'quick (.*) [0-9]*$' "$TMP/stuck.folded"
"${TRACE[@]}" -q -f summary --include '*/stuck.py' -c "$STUCK" >"$TMP/stuck.table" 2>/dev/null
check "summary table: marked row" grep -qE '^ +0 +[0-9.]+ +[0-9.]+ +- +- +stuck_forever .*\[1 never returned\]$' "$TMP/stuck.table"

# Pool teardown: workers end by SIGTERM, no warning, one line.
"${TRACE[@]}" -f summary -o /dev/null -c "$PYC $DATA/pool.py" >"$TMP/pool.out" 2>"$TMP/pool.err"
rc=$?
check "pool: status 0 (got $rc)" test "$rc" -eq 0
check "pool: no warning" sh -c "! grep -q 'warning' '$TMP/pool.err'"
check "pool: the SIGTERM'd workers said once" \
	test "$(grep -c 'ended by SIGTERM' "$TMP/pool.err")" -eq 1
grep -E 'warning|SIGTERM' "$TMP/pool.err" | sed 's/^/# /'
done_testing
