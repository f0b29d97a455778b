#!/bin/bash
# Every CPython with markers, as Debian packages it: the bpf engine's tree of
# data/shapes.py (recursion, a class, generators created/exhausted/closed/
# thrown into, exceptions, async, threads) compared with sys.setprofile's on
# each interpreter (3.9 from bullseye and 3.15 from sid through
# tools/fetch-python; 3.11 is the system's), and `list`'s version detection;
# 3.13 (trixie) and 3.14 (sid): the events-only trace.
# 3.15: generator and coroutine creations fire function__entry (dropped
# through the _Py_MakeCoro uprobe), a generator thrown into fires a return
# without an entry (its call put where it resumed, found through the
# _PyEval_EvalFrameDefault uprobe's throwflag).
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/pythons.sh"

SHAPES=$DATA/shapes.py
# 3.15: closing a generator suspended at a yield outside any try block fires
# no marker (its frame does not run: unwinding it would fire a return, as a
# throw does), while sys.setprofile reports a call and a return there; that
# one pair is taken out of the reference.
EDIT_315='
import sys
lines = sys.stdin.read().split("\n")
i = lines.index("call gen_closed")
j = lines.index("call gen", lines.index("return gen", i) + 1)
assert lines[j + 1] == "return gen"
del lines[j:j + 2]
sys.stdout.write("\n".join(lines))'

# tree_check LABEL PYTHON [EDIT]: the traced tree of shapes.py against the
# reference (EDIT: a python filter applied to the reference first: what the
# markers cannot show), with the first difference on failure.  PYTHON is a
# command line without spaces in its words ("env PYTHONHOME=... ./python").
tree_check() {
	local label=$1 py=$2 edit=${3:-}
	# shellcheck disable=SC2086
	$py "$DATA/profile_tree.py" "$SHAPES" >"$TMP/expect" 2>"$TMP/expect.err"
	[ -s "$TMP/expect" ] || { fail "$label: reference tree from sys.setprofile"; return; }
	if [ -n "$edit" ]; then
		"$PY311" -c "$edit" <"$TMP/expect" >"$TMP/expect.edited" && mv "$TMP/expect.edited" "$TMP/expect"
	fi
	expect_exit "$label: traced" 0 "$PYTRACE" --engine bpf -f json -c "$py $SHAPES"
	calls_of "$SHAPES" <"$TMP/out" >"$TMP/got"
	if cmp -s "$TMP/expect" "$TMP/got"; then
		ok "$label: tree equals sys.setprofile's ($(wc -l <"$TMP/got") events)"
	else
		fail "$label: tree equals sys.setprofile's"
		diff "$TMP/expect" "$TMP/got" | head -20 | sed 's/^/# /'
	fi
}

# events_only LABEL PYTHON: CPython 3.12-3.14 (no call markers): a call
# tree is refused, naming what is left; --gc/--imports/--audit trace those
# events alone, flat, in every format that makes sense without calls.
events_only() {
	local label=$1 py=$2 prog=$DATA/events_prog.py comm=${2##*/}
	expect_exit "$label: a call tree: refused (exit 4)" 4 "$PYTRACE" --engine bpf -c "$py $prog"
	check "$label: the refusal names what is available" \
		grep -q "3.12-3.14.*--gc, --imports or --audit" "$TMP/err"
	expect_exit "$label: --gc --imports --audit: traced" 0 \
		"$PYTRACE" --engine bpf --gc --imports --audit -c "$py $prog"
	check "$label: says it is an events-only trace" grep -q "events only" "$TMP/err"
	check "$label: 3 gc.collect() -> at least 3 gc starts and dones" bash -c \
		'[ "$(grep -c "^ *[0-9]* $2([0-9]*/[0-9]*): \*\* gc start, generation 2" "$1")" -ge 3 ] &&
		 [ "$(grep -c "\*\* gc done" "$1")" -ge 3 ]' _ "$TMP/out" "$comm"
	check "$label: imports of fractions and csv, found" bash -c \
		'grep -q "\*\* import fractions done" "$1" && grep -q "\*\* import csv done" "$1"' _ "$TMP/out"
	check "$label: exactly 3 audit pytrace.test events" \
		test "$(grep -c '\*\* audit pytrace.test$' "$TMP/out")" -eq 3
	check "$label: flat (no indentation), each with a timestamp" bash -c \
		'! grep -v "^ *[0-9]\+ $2([0-9]*/[0-9]*): \*\* " "$1" | grep -q .' _ "$TMP/out" "$comm"
	expect_exit "$label: json" 0 "$PYTRACE" --engine bpf --gc --audit -f json -c "$py $prog"
	check "$label: json has gc and audit events, no calls, depth 0" "$PY311" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = {e["kind"] for e in ev}
assert {"gc-start", "gc-done", "audit"} <= kinds, kinds
assert not kinds & {"call", "return", "line"}, kinds
assert all(e["depth"] == 0 for e in ev)
' "$TMP/out"
	expect_exit "$label: chrome" 0 "$PYTRACE" --engine bpf --gc -f chrome -c "$py $prog"
	check "$label: chrome output is JSON" "$PY311" -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/out"
	expect_exit "$label: -f summary needs calls: exit 4" 4 \
		"$PYTRACE" --engine bpf --gc -f summary -c "$py $prog"
	check "$label: -f summary: says it needs call markers" grep -q "needs call markers" "$TMP/err"
	expect_exit "$label: --summary needs calls: exit 4" 4 \
		"$PYTRACE" --engine bpf --audit --summary -c "$py $prog"
	one_line_error "$label: --summary"
}

# shared_315 PYTHON: sid's --enable-shared libpython3.15.so.1.0 under a
# ./python of our own (Py_BytesMain) on sid's loader: markers and
# _Py_MakeCoro found in the library, the same tree as the static python's.
shared_315() {
	local root=${1%/usr/bin/*} lib d=$TMP/shared315
	lib=$root/usr/lib/x86_64-linux-gnu
	[ -r "$lib/libpython3.15.so.1.0" ] || { skip "3.15 shared: sid has no libpython3.15"; return; }
	mkdir -p "$d"
	printf 'int Py_BytesMain(int argc, char **argv);\nint main(int argc, char **argv) { return Py_BytesMain(argc, argv); }\n' >"$d/python.c"
	if ! gcc -o "$d/python" "$d/python.c" -L"$lib" -l:libpython3.15.so.1.0 \
		-Wl,--allow-shlib-undefined -Wl,--disable-new-dtags,-rpath,"$lib:$root/lib/x86_64-linux-gnu" \
		-Wl,--dynamic-linker,"$(readelf -lW "$1" | sed -n 's/.*interpreter: \(.*\)]/\1/p')" 2>"$TMP/cc.err"; then
		fail "3.15 shared: link ./python against libpython3.15"; sed 's/^/# /' "$TMP/cc.err" | head -3
		return
	fi
	tree_check "3.15 --enable-shared (libpython3.15.so.1.0)" \
		"env PYTHONHOME=$root/usr $d/python" "$EDIT_315"
	"$PYTRACE" list "$d/python" >"$TMP/out" 2>&1
	check "3.15 shared: list finds the markers in libpython3.15.so.1.0" \
		grep -q "^markers in: *$lib/libpython3.15.so.1.0 (shared library)" "$TMP/out"
}

# stap_p3 LABEL PYTHON [OPTIONS...]: the stap engine's script for PYTHON
# passes `stap -p3` (elaborated against its real markers; stap cannot load
# modules here, so pass 3 is as far as it goes: see stap_p3.sh)
stap_p3() {
	local label=$1 py=$2 standin=$TMP/standin; shift 2
	if ! have stap || [ ! -r /proc/config.gz ]; then
		skip "$label: stap -p3: stap or /proc/config.gz missing"
		return
	fi
	if [ ! -d "$standin" ]; then
		mkdir -p "$standin/include/config"
		zcat /proc/config.gz >"$standin/.config"
		: >"$standin/Module.symvers"
		uname -r >"$standin/include/config/kernel.release"
	fi
	"$PYTRACE" --engine stap --print-script --python "$py" "$@" -c "$py x.py" \
		>"$TMP/script.stp" 2>"$TMP/script.err"
	if stap -p3 -r "$standin" "$TMP/script.stp" >/dev/null 2>"$TMP/p3.err"; then
		ok "$label: the stap script passes stap -p3 ($(grep -c 'mark(' "$TMP/script.stp") markers)"
	else
		fail "$label: the stap script passes stap -p3"
		grep -v 'symbol table missing' "$TMP/p3.err" | sed 's/^/# /' | head -5
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

	if foreign_python 3.13; then
		events_only "3.13 (trixie)" "$FPY"
		stap_p3 "3.13 events-only" "$FPY" --gc --imports --audit
	else
		skip "3.13: $FPY_WHY"
	fi
	if foreign_python 3.14; then
		events_only "3.14 (sid)" "$FPY"
	else
		skip "3.14: $FPY_WHY"
	fi

	if foreign_python 3.15; then
		tree_check "3.15 (sid)" "$FPY" "$EDIT_315"
		check "3.15: over the whole run, no return without a call and no call left open" \
			grep -q " 0 returns without a call, 0 calls never returned," "$TMP/err"
		expect_exit "3.15: list" 0 "$PYTRACE" list "$FPY"
		check "3.15: list says CPython 3.15 and its caveat" \
			bash -c 'grep -q "^version: *CPython 3.15$" "$1" && grep -q "yield" "$1"' _ "$TMP/out"
		stap_p3 "3.15" "$FPY"
		shared_315 "$FPY"
	else
		skip "3.15: $FPY_WHY"
	fi
}
main
done_testing
