#!/bin/bash
# Valgrind memcheck on the paths that need no privileges: --replay of a large
# generated trace (bench/gen_raw.c, 200,000 events) in every format, with
# filters and --summary, and `pytrace list` on the real interpreter.  No
# memory error, no definitely lost block (--errors-for-leak-kinds=definite).
# Skipped when valgrind is missing and in the SANITIZE build (ASan and
# valgrind cannot share a process).
. "$(dirname "$0")/../lib.sh"
EVENTS=${VALGRIND_EVENTS:-200000}
case "$BUILD" in *san*)
	skip "$BUILD is an ASan build (ASan and valgrind exclude each other)"
	done_testing; exit 0;;
esac
if ! have valgrind; then
	skip "valgrind is not installed (apt-get install valgrind)"
	done_testing; exit 0
fi
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --log-file="$TMP/vg.log")

if ! ${CC:-cc} -O2 -o "$TMP/gen_raw" "$TOP/bench/gen_raw.c" || ! "$TMP/gen_raw" "$EVENTS" >"$TMP/trace.raw"; then
	fail "valgrind: could not generate the trace with bench/gen_raw.c"
	done_testing; exit 0
fi

# vg NAME CMD...: run under memcheck; ok when it exits 0 with an empty log.
vg() {
	local name=$1; shift
	"${VG[@]}" "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ "$rc" -eq 0 ] && [ ! -s "$TMP/vg.log" ] && [ -s "$TMP/out" ]; then
		ok "$name: memcheck clean"
	else
		fail "$name: exit $rc under memcheck"
		sed 's/^/# vg: /' "$TMP/vg.log" | head -30
		sed 's/^/# err: /' "$TMP/err" | head -5
	fi
}

for fmt in text json chrome folded summary raw; do
	vg "--replay $EVENTS events -f $fmt" "$PYTRACE" --replay "$TMP/trace.raw" -f "$fmt"
done
vg "--replay with filters and --summary" "$PYTRACE" --replay "$TMP/trace.raw" \
	--function '*1*' --exclude '*site-packages*' --max-depth 20 --min-duration 1us --summary
if [ -x "$PY311" ]; then
	vg "list $PY311" "$PYTRACE" list "$PY311"
else
	skip "valgrind: list: $PY311 is missing"
fi
done_testing
