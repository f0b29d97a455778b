#!/bin/bash
# pytrace top on the other CPythons Debian packages (tools/fetch-python):
# 3.15 — the yield-is-a-return caveat is said before anything else, and the
# counts are the program's (the bpf engine follows 3.15 in the kernel); 3.13 —
# no call markers: refused in one line with status 4, nothing on stdout.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/pythons.sh"
. "$TOP/tests/lib/top.sh"

bpf_ready || { done_testing; exit 0; }

if foreign_python 3.15; then
	"$PYTRACE" top --engine bpf -c "$FPY $DATA/top_mix.py 0" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	sed 's/^/# stderr: /' "$TMP/err" | head -5
	check "3.15: the caveat is the first line" \
		sh -c "head -1 '$TMP/err' | grep -q '^pytrace: CPython 3.15: a yield shows as a return, so each resumption of a generator or coroutine counts as one call$'"
	check "3.15: status 0" test "$rc" -eq 0
	check "3.15: the final table's counts" top_calls_are "$TMP/out" f=1000 g=10 slow=2 outer=1
else
	skip "3.15: $FPY_WHY"
fi

if foreign_python 3.13; then
	expect_exit "3.13: refused with status 4" 4 "$PYTRACE" top --engine bpf -c "$FPY $DATA/top_mix.py 0"
	one_line_error "3.13"
	check "3.13: the error says why" grep -q 'CPython 3.13 removed it' "$TMP/err"
	check "3.13: nothing on stdout" test ! -s "$TMP/out"
else
	skip "3.13: $FPY_WHY"
fi
done_testing
