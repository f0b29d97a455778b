#!/bin/bash
# The trace and the program's output stay apart (issue #11): with the trace
# on stdout, the -c command's stdout is pytrace's stderr, so `-f json | jq`
# and `-f chrome | json.load` parse; with -o FILE the command keeps stdout.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

TRACE=("$PYTRACE" --engine bpf -q)
bpf_ready || { done_testing; exit 0; }
private_python
PROG="$PYC $DATA/printer.py"

"${TRACE[@]}" -f json -c "$PROG" 2>"$TMP/json.err" >"$TMP/json.out"
check "json on stdout: every line parses" "$PY311" -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    json.loads(line); n += 1
sys.exit(n == 0)' "$TMP/json.out"
check "json on stdout: hello() is in the trace" grep -q '"func":"hello"' "$TMP/json.out"
check "json on stdout: the program's stdout went to stderr" \
	test "$(grep -c '^hello [0-9] {not json$' "$TMP/json.err")" -eq 3
check "json on stdout: the program's stderr too" grep -q '^to stderr$' "$TMP/json.err"

"${TRACE[@]}" -f chrome -c "$PROG" 2>"$TMP/chrome.err" | cat >"$TMP/chrome.out"
check "chrome through a pipe: json.load parses it" "$PY311" -c '
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
sys.exit(not any(e.get("name") == "hello" for e in ev))' "$TMP/chrome.out"
check "chrome through a pipe: the program's stdout went to stderr" grep -q '^hello 2 {not json$' "$TMP/chrome.err"

"${TRACE[@]}" -f json -o "$TMP/o.json" -c "$PROG" >"$TMP/o.out" 2>"$TMP/o.err"
check "-o FILE: the program keeps its stdout" \
	test "$(grep -c '^hello [0-9] {not json$' "$TMP/o.out")" -eq 3
check "-o FILE: the file has the trace only" grep -q '"func":"hello"' "$TMP/o.json"
check "-o FILE: nothing of the program in the file" sh -c "! grep -q 'not json' '$TMP/o.json'"
done_testing
