#!/bin/bash
# Every CPython with markers, as Debian packages it: the bpf engine's tree of
# data/shapes.py (recursion, a class, generators created/exhausted/closed/
# thrown into, exceptions, async, threads) compared with sys.setprofile's on
# each interpreter (3.9 from bullseye and 3.15 from sid through
# tools/fetch-python; 3.11 is the system's), and `list`'s version detection.
. "$TOP/tests/lib.sh"
. "$TOP/tests/e2e/data/bpf_common.sh"
. "$TOP/tests/e2e/data/pythons_common.sh"

SHAPES=$DATA/shapes.py

# tree_check LABEL PYTHON: the traced tree of shapes.py against the
# reference, with the first difference on failure.
tree_check() {
	local label=$1 py=$2
	"$py" "$DATA/profile_tree.py" "$SHAPES" >"$TMP/expect" 2>"$TMP/expect.err"
	[ -s "$TMP/expect" ] || { fail "$label: reference tree from sys.setprofile"; return; }
	expect_exit "$label: traced" 0 "$PYTRACE" --engine bpf -f json -c "$py $SHAPES"
	calls_of "$SHAPES" <"$TMP/out" >"$TMP/got"
	if cmp -s "$TMP/expect" "$TMP/got"; then
		ok "$label: tree equals sys.setprofile's ($(wc -l <"$TMP/got") events)"
	else
		fail "$label: tree equals sys.setprofile's"
		diff "$TMP/expect" "$TMP/got" | head -20 | sed 's/^/# /'
	fi
}

main() {
	bpf_ready || return 0
	tree_check "3.11 (system)" "$PY311"

	if foreign_python 3.9; then
		tree_check "3.9 (bullseye)" "$FPY"
		expect_exit "3.9: list" 0 "$PYTRACE" list "$FPY"
		check "3.9: list says CPython 3.9, markers in the executable, no caveat" \
			bash -c 'grep -q "^version: *CPython 3.9$" "$1" && grep -q "(executable)" "$1" &&
				! grep -q "^caveats" "$1"' _ "$TMP/out"
	else
		skip "3.9: $FPY_WHY"
	fi
}
main
done_testing
