#!/bin/bash
# Replay safety (issue #11): writing the output onto the trace being
# replayed (the same path, a link to it, /dev/stdout or >> onto it) is
# refused before anything is truncated: exit 2, the trace intact; control
# bytes of a hostile trace never reach the terminal through a warning.
. "$TOP/tests/lib.sh"

RAW="$TOP/tests/golden/replay/basic.raw"
cp "$RAW" "$TMP/t.raw"
ln -s t.raw "$TMP/link.raw"
size=$(stat -c %s "$RAW")
intact() { cmp -s "$RAW" "$TMP/t.raw"; }

expect_exit "-o the same file: refused" 2 "$PYTRACE" --replay "$TMP/t.raw" -o "$TMP/t.raw"
check "-o the same file: the trace is intact ($size bytes)" intact
one_line_error "-o the same file"
expect_exit "-o a link to it: refused" 2 "$PYTRACE" --replay "$TMP/t.raw" -o "$TMP/link.raw"
check "-o a link to it: intact" intact
"$PYTRACE" --replay "$TMP/t.raw" -f json -o /dev/stdout >>"$TMP/t.raw" 2>"$TMP/err"
rc=$?
check "-o /dev/stdout appended onto it: refused (exit $rc)" test "$rc" -eq 2
check "-o /dev/stdout appended onto it: intact" intact
"$PYTRACE" --replay "$TMP/t.raw" -f json >>"$TMP/t.raw" 2>"$TMP/err"
check "stdout appended onto it: refused, intact" sh -c "test $? -eq 2 && cmp -s '$RAW' '$TMP/t.raw'"
expect_exit "-o another file: fine" 0 "$PYTRACE" -q --replay "$TMP/t.raw" -o "$TMP/other.txt"
check "-o another file: written" test -s "$TMP/other.txt"

# A damaged line carrying a terminal escape (set the window title, bell)
printf 'pytrace-raw 1\n\033]0;owned\007call 1 2 2 1 "f" "g"\ncall 1 2 2 1 "f" "g"\n' >"$TMP/hostile.raw"
"$PYTRACE" -q --replay "$TMP/hostile.raw" >/dev/null 2>"$TMP/herr"
sed 's/^/# /' "$TMP/herr" | cat -v
check "hostile line: the warning has no control byte" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$TMP/herr'"
check "hostile line: the bytes shown escaped" grep -qF '\x1b]0;owned\x07call' "$TMP/herr"
done_testing
