#!/bin/bash
# Hostile and odd input: file and function names with spaces, quotes,
# backslashes, newlines, control bytes, non-ASCII and 4 KiB paths from a
# real traced CPython, through every format (checked against the real names
# the program reports); non-UTF-8 bytes; and non-root use.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

TRACE=("$PYTRACE" --engine bpf)

check_names() {   # NAME FORMAT TRACE
	if "$PY311" "$DATA/hostile_check.py" "$2" "$3" "$TMP/expect.json" >"$TMP/why" 2>&1; then
		ok "$1 ($(tail -1 "$TMP/why"))"
	else
		fail "$1"; sed 's/^/# /' "$TMP/why" | tail -6
	fi
}

odd_names() {
	local prog="$PYC $DATA/hostile_prog.py $TMP/h $TMP/expect.json"
	mkdir -p "$TMP/h"
	expect_exit "odd names: traced (raw)" 0 "${TRACE[@]}" -f raw -o "$TMP/h.raw" -c "$prog"
	expect_exit "odd names: traced (json)" 0 "${TRACE[@]}" -f json -o "$TMP/h.json" -c "$prog"
	check_names "odd names, json: escaped, parse back to the real names, cuts marked" json "$TMP/h.json"
	local f
	for f in json chrome text; do
		"$PYTRACE" --replay "$TMP/h.raw" --strict -f "$f" -o "$TMP/hr.$f" 2>"$TMP/err"
		check "odd names: raw replays to $f without a skipped line" test $? -eq 0
		check_names "odd names, raw -> $f: quoted in raw, exact after replay" "$f" "$TMP/hr.$f"
	done
	check "odd names: raw marks the 4 KiB path as cut" \
		grep -qE '^call .* 0 "<module>" "/[^"]{500,}"\.\.\.$' "$TMP/h.raw"
	check "odd names: raw has no raw newline or control byte inside a line" \
		sh -c "! LC_ALL=C grep -qaP '[\x00-\x08\x0b-\x1f\x7f]' '$TMP/h.raw'"
}

non_utf8() {
	# CPython 3.11 cannot give a name that is not UTF-8 to its markers
	# (PyUnicode_AsUTF8 fails): the marker gets NULL, and pytrace shows a
	# placeholder and carries on.  (The traced program then sees the
	# encoding error itself: a CPython bug, so its status is not checked.)
	mkdir -p "$TMP/b"
	printf 'def f():\n    return 1\nf()\n' >"$TMP/b/bad$(printf '\377\376').py"
	"${TRACE[@]}" -f raw -o "$TMP/b.raw" \
		-c "$PYC -c 'import glob, runpy; runpy.run_path(glob.glob(\"$TMP/b/bad*.py\")[0])'" \
		>/dev/null 2>"$TMP/b.err"
	local rc=$?
	check "non-UTF-8 file name: pytrace ends normally (status $rc: the program's)" test "$rc" -lt 128
	check "non-UTF-8 file name: NULL from CPython, 0x0 in raw" grep -qE '^call .* "<module>" 0x0$' "$TMP/b.raw"
	"$PYTRACE" --replay "$TMP/b.raw" -f text -o "$TMP/b.txt" 2>/dev/null
	check "non-UTF-8 file name: <null> in text" grep -q '=> <module> in <null>:' "$TMP/b.txt"

	# pytrace's own path for bytes that are not UTF-8: a raw trace.
	printf 'pytrace-raw 1\ncall 100 7 7 1 "f\\377n" "/t/b\\376d.py"\nreturn 200 7 7 2 "f\\377n" "/t/b\\376d.py"\n' >"$TMP/n.raw"
	"$PYTRACE" --replay "$TMP/n.raw" --strict -f json -o "$TMP/n.json" 2>/dev/null
	check "non-UTF-8 bytes: json as \\udcXX, back to the exact bytes with surrogateescape" \
		"$PY311" -c '
import json, sys
e = json.loads(open(sys.argv[1]).readline())
assert e["func"].encode("utf-8", "surrogateescape") == b"f\xffn", e
assert e["file"].encode("utf-8", "surrogateescape") == b"/t/b\xfed.py", e' "$TMP/n.json"
	"$PYTRACE" --replay "$TMP/n.raw" --strict -f chrome -o "$TMP/n.chrome" 2>/dev/null
	check "non-UTF-8 bytes: chrome is valid UTF-8 JSON" "$PY311" -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
ev = d["traceEvents"] if isinstance(d, dict) else d
assert any(e.get("ph") == "B" and e["name"] == "f\ufffdn" for e in ev), ev' "$TMP/n.chrome"
	"$PYTRACE" --replay "$TMP/n.raw" --strict -f text -o "$TMP/n.txt" 2>/dev/null
	check "non-UTF-8 bytes: text shows \\xHH" grep -qF '=> f\xffn in /t/b\xfed.py:1' "$TMP/n.txt"
	"$PYTRACE" --replay "$TMP/n.raw" --strict -f raw -o "$TMP/n2.raw" 2>/dev/null
	check "non-UTF-8 bytes: raw round-trips byte for byte" \
		sh -c "tail -n +2 '$TMP/n.raw' | cut -d' ' -f6- >'$TMP/na'; tail -n +2 '$TMP/n2.raw' | grep -v '^comm' | cut -d' ' -f6- >'$TMP/nb'; cmp -s '$TMP/na' '$TMP/nb'"
}

non_root() {
	have setpriv || { skip "non-root: setpriv is not installed"; return; }
	local as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	chmod 755 "$TMP"
	mkdir -m 1777 "$TMP/pub"
	expect_exit "non-root -c: status 5" 5 "${as_nobody[@]}" "$PYTRACE" -c "touch $TMP/pub/ran"
	one_line_error "non-root -c"
	check "non-root -c: says what it needs" grep -qE 'root|CAP_BPF' "$TMP/err"
	check "non-root -c: the command was not run" test ! -e "$TMP/pub/ran"
	expect_exit "non-root --engine bpf -c: status 5" 5 "${as_nobody[@]}" "$PYTRACE" --engine bpf \
		-c "touch $TMP/pub/ran"
	check "non-root --engine bpf -c: the command was not run" test ! -e "$TMP/pub/ran"
	# -p of root's process: the missing privilege is the problem, not the target.
	"$PYC" -c 'import time; time.sleep(30)' &
	local rp=$!
	expect_exit "non-root -p (root's process): status 5" 5 "${as_nobody[@]}" "$PYTRACE" -p "$rp"
	one_line_error "non-root -p (root's process)"
	# -p of its own process.
	"${as_nobody[@]}" "$PYC" -c 'import time; time.sleep(30)' &
	local np=$!
	sleep 0.3
	expect_exit "non-root -p (own process): status 5" 5 "${as_nobody[@]}" "$PYTRACE" --engine bpf -p "$np"
	one_line_error "non-root -p (own process)"
	check "non-root: the targets untouched (no probe, no semaphore)" \
		test -z "$(marker_dirty "$rp"; marker_dirty "$np")"
	kill "$rp" "$np" 2>/dev/null; wait "$rp" "$np" 2>/dev/null
	# Replay needs no privileges.
	"$PYTRACE" --replay "$TMP/n.raw" -f raw -o "$TMP/pub/n.raw" 2>/dev/null
	chmod 644 "$TMP/n.raw"
	expect_exit "non-root --replay: works (status 0)" 0 "${as_nobody[@]}" "$PYTRACE" --replay "$TMP/n.raw" -f json
}

main() {
	# The traced and the "untouched" interpreters are a private copy: no
	# other tracer on the host probes it.
	[ -x "$PY311" ] && private_python
	if bpf_ready; then
		odd_names
		non_utf8
	fi
	is_root && non_root
}

main
done_testing
