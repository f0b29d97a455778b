#!/bin/bash
# The status line (issue #11), in a real terminal (tmux): with the trace in
# a file and stderr a terminal, one line redrawn in place (elapsed, events,
# events/s, lost, processes), gone at the end with the report line left;
# never written to a file or pipe; -q and a trace on the terminal have none.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"
. "$TOP/tests/lib/terminal.sh"

terminal_test "status line" status
STATUS_RE='pytrace: [0-9]+\.[0-9] s  [0-9,]+ events  [0-9,]+/s  [0-9,]+ lost  1 process$'

# run_in_tmux ARGS...: pytrace ARGS in a 150x20 terminal, screens captured
# at 1.5 s and after the end
run_in_tmux() {
	tmux kill-session -t "$S" 2>/dev/null
	tmux new-session -d -s "$S" -x 150 -y 20 \
		"$(printf '%q ' "$PYTRACE" --engine bpf "$@"); echo PYTRACE-DONE; sleep 60"
	sleep 1.5
	tmux capture-pane -t "$S" -p >"$TMP/during"
	local i
	for ((i = 0; i < 200; i++)); do
		tmux capture-pane -t "$S" -p >"$TMP/after"
		grep -q PYTRACE-DONE "$TMP/after" && break
		sleep 0.1
	done
	tmux kill-session -t "$S" 2>/dev/null
}

BUSY="$PYC $DATA/busy.py 3"
run_in_tmux -o "$TMP/t.txt" -c "$BUSY"
grep -v '^$' "$TMP/during" | sed 's/^/# during: /'
check "trace to a file: the status line shows while tracing" grep -qE "$STATUS_RE" "$TMP/during"
check "status line: events counted" sh -c "grep -E '$STATUS_RE' '$TMP/during' | grep -qvE '  0 events'"
check "at the end: the status line is gone" sh -c "! grep -qE '$STATUS_RE' '$TMP/after'"
check "at the end: the report line stays" grep -qE '^pytrace: [0-9]+ events, [0-9]+ calls' "$TMP/after"
check "the trace file has the calls" grep -q '=> tick in' "$TMP/t.txt"

# The raw bytes of a 3 s run on a terminal (script(1)): at most 4 draws a
# second, each erasing the line first.
if have script; then
	script -qfec "$(printf '%q ' "$PYTRACE" --engine bpf -o "$TMP/t3.txt" -c "$BUSY")" \
		"$TMP/typescript" >/dev/null 2>&1 </dev/null
	grep -ao $'\r\033\[Kpytrace: [0-9]*\.[0-9] s ' "$TMP/typescript" >"$TMP/draws"
	draws=$(wc -l <"$TMP/draws")
	last=$(tail -1 "$TMP/draws" | grep -o '[0-9]*\.[0-9] s' | cut -d' ' -f1)
	check "redrawn at most 4 times a second ($draws draws in ${last:-?} s)" \
		awk -v n="$draws" -v t="${last:-0}" 'BEGIN { exit !(n >= 6 && n <= 4 * t + 1) }'
else
	skip "redraw rate: script(1) is not installed"
fi

run_in_tmux -q -o "$TMP/t.txt" -c "$BUSY"
check "-q: no status line" sh -c "! grep -qE '$STATUS_RE' '$TMP/during'"

run_in_tmux --include '*/nothing' -c "$BUSY"
check "trace on the terminal: no status line" sh -c "! grep -qE '$STATUS_RE' '$TMP/during'"

# stderr to a file (and to a pipe): never drawn there
"$PYTRACE" --engine bpf -o "$TMP/t2.txt" -c "$PYC $DATA/busy.py 1" 2>"$TMP/err.file"
check "stderr to a file: no status line, no escape codes" \
	sh -c "! grep -qaE '/s  [0-9,]+ lost|\\[K' '$TMP/err.file'"
"$PYTRACE" --engine bpf -o "$TMP/t2.txt" -c "$PYC $DATA/busy.py 1" 2>&1 | cat >"$TMP/err.pipe"
check "stderr to a pipe: no status line" sh -c "! grep -qaE '/s  [0-9,]+ lost|\\[K' '$TMP/err.pipe'"
done_testing
