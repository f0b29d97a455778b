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

# Damaged numbers are damaged lines: a negative or absurd lost count, a
# negative pid or tid, an impossible line number.
cat >"$TMP/nums.raw" <<'RAW'
pytrace-raw 1
call 1000 7 7 1 "f" "/a.py"
lost 1100 7 7 -5 "" ""
lost 1200 7 7 9223372036854775807 "" ""
lost 1300 7 7 9223372036854775807 "" ""
call 1400 -3 7 1 "g" "/a.py"
call 1500 7 -3 1 "g" "/a.py"
call 1600 7 7 99999999999 "g" "/a.py"
line 1700 7 7 -7 "f" "/a.py"
lost 1800 7 7 2 "" ""
return 1900 7 7 2 "f" "/a.py"
RAW
"$PYTRACE" --replay "$TMP/nums.raw" >"$TMP/nums.out" 2>"$TMP/nums.err"
sed 's/^/# /' "$TMP/nums.err"
check "damaged numbers: 7 lines skipped" grep -q ', 7 input lines skipped' "$TMP/nums.err"
check "damaged numbers: only the real lost count (2) counted" grep -q ' 2 lost, ' "$TMP/nums.err"
check "damaged numbers: the good calls remain" grep -q '<= f in /a.py:2' "$TMP/nums.out"
# The input shrinks while it is replayed (mapped): an error naming the file,
# what was read before it is rendered, no SIGBUS. pytrace writes to a
# FIFO nobody reads yet, so it is blocked mid-file when the file is cut.
"$PY311" -c '
import sys
w = sys.stdout.write
w("pytrace-raw 1\n")
for i in range(300000):
    w("call %d 7 7 3 \"f\" \"/a.py\"\nreturn %d 7 7 4 \"f\" \"/a.py\"\n" % (1000 + 2 * i, 1001 + 2 * i))
' >"$TMP/shrink.raw"
mkfifo "$TMP/shrink.fifo"
{ head -c 100 >/dev/null; truncate -s 5000 "$TMP/shrink.raw"; cat >"$TMP/shrink.out"; } <"$TMP/shrink.fifo" &
reader=$!
"$PYTRACE" --replay "$TMP/shrink.raw" >"$TMP/shrink.fifo" 2>"$TMP/shrink.err"
rc=$?
wait $reader
sed 's/^/# /' "$TMP/shrink.err"
check "input shrinks while mapped: exit 1, no SIGBUS (got $rc)" test "$rc" -eq 1
check "input shrinks: the error names the file and what happened" \
	grep -q "^pytrace: .*shrink.raw shrank while being read (it was [0-9]* bytes" "$TMP/shrink.err"
check "input shrinks: the calls read before it are rendered" \
	test "$(grep -c '<= f in /a.py:4' "$TMP/shrink.out")" -gt 1000

# One 64 MB line from a pipe: read and rendered whole (bench/replay.sh
# times it; each byte is searched for the line end once, see test_raw).
"$PY311" -c '
import sys
f = "f" * (64 << 20)
sys.stdout.write("pytrace-raw 1\ncall 1000 7 7 1 \"%s\" \"/a.py\"\nreturn 2000 7 7 2 \"%s\" \"/a.py\"\n" % (f, f))
' | "$PYTRACE" -q --replay - -f folded >"$TMP/long.folded" 2>"$TMP/long.err"
check "a 64 MB line through a pipe: one folded line, the 64 MB name, 1 us" \
	"$PY311" -c 'import sys; sys.exit(open(sys.argv[1]).read() != "f" * (64 << 20) + " (/a.py:1) 1\n")' \
	"$TMP/long.folded"

done_testing
