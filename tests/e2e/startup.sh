#!/bin/bash
# The user's code first (issue #11): the text of a -c trace hides each
# python's start-up (everything before its first call outside the standard
# library, and what site.py runs) behind one counted line; --startup shows
# it; machine formats keep every event.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

TRACE=("$PYTRACE" --engine bpf -q)
bpf_ready || { done_testing; exit 0; }
private_python
PROG="$PYC $DATA/first_screen.py"
HIDDEN_RE='^ *[0-9]+ pytrace: PID [0-9]+: [0-9]+ events of interpreter start-up hidden \(--startup shows them\)$'

"${TRACE[@]}" -c "$PROG" >"$TMP/text" 2>"$TMP/err"
head -4 "$TMP/text" | sed 's/^/# /'
check "text: the first line counts the hidden start-up" sh -c "head -1 '$TMP/text' | grep -qE '$HIDDEN_RE'"
n=$(head -1 "$TMP/text" | sed -E 's/.*: ([0-9]+) events.*/\1/')
check "text: start-up is thousands of events (${n:-?})" test "${n:-0}" -ge 1000
check "text: the program's <module> comes next, at depth 0" \
	sh -c "sed -n 2p '$TMP/text' | grep -qE '\\): => <module> in .*/first_screen.py:[0-9]+$'"
check "text: main() and greet() on the first screen (24 lines)" \
	sh -c "head -24 '$TMP/text' | grep -q '=> main in' && head -24 '$TMP/text' | grep -q '=> greet in'"
check "text: no start-up frame shown" sh -c "! grep -qE '<frozen (importlib|site|codecs)' '$TMP/text'"

"${TRACE[@]}" --startup -c "$PROG" >"$TMP/all" 2>/dev/null
check "--startup: start-up shown (frozen importlib first)" \
	sh -c "! grep -qE '$HIDDEN_RE' '$TMP/all' && grep -q '<frozen importlib' '$TMP/all'"
check "--startup: more lines than without" test "$(wc -l <"$TMP/all")" -gt "$(wc -l <"$TMP/text")"

"${TRACE[@]}" -f json -c "$PROG" >"$TMP/json" 2>/dev/null
check "json: every event kept (start-up included)" grep -q '"file":"<frozen importlib._bootstrap>"' "$TMP/json"

"${TRACE[@]}" -c "$PYC -c 'import sys; sys.getrecursionlimit()'" >"$TMP/dashc" 2>/dev/null
check "python -c: the <string> module is the user's code" \
	sh -c "sed -n 2p '$TMP/dashc' | grep -q '=> <module> in <string>'"

# A program that runs only the standard library (-S: no site, no .pth)
echo '{"a": 1}' >"$TMP/x.json"
"${TRACE[@]}" -c "$PYC -S -m json.tool $TMP/x.json" >"$TMP/stdlib" 2>/dev/null
tail -1 "$TMP/stdlib" | sed 's/^/# /'
check "stdlib only: said, with the way out" \
	grep -qE 'start-up hidden: it ran no code outside the standard library \(--startup shows them\)$' "$TMP/stdlib"
done_testing
