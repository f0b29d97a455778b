#!/bin/bash
# suite: golden
# --replay through the real binary: golden outputs for every format and
# filter (tests/golden/replay/cases), independent checks of json, chrome and
# folded output (check.py), raw round trips, a 10,000-level recursion,
# damaged input, stdin, -o, EPIPE and colour.
# UPDATE=1 rewrites the expected files (review the diff before committing).
. "$(dirname "$0")/../lib.sh"
G="$TOP/tests/golden/replay"
CHECK="$PY311 $G/check.py"
cd "$G" || exit 1

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

while IFS='|' read -r name input status args; do
	name=$(trim "$name"); input=$(trim "$input"); status=$(trim "$status")
	case "$name" in ''|'#'*) continue;; esac
	eval "set -- $args"
	"$PYTRACE" --replay "$input" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ -n "${UPDATE:-}" ]; then
		cp "$TMP/out" "expected/$name"
		case "$name" in damaged.*|version2|noheader|*.text-summary|threads.text)
			cp "$TMP/err" "expected/$name.err";; esac
	fi
	if [ "$rc" -ne "$status" ]; then
		fail "$name: exit $rc, wanted $status"; sed 's/^/# /' "$TMP/err" | head -5; continue
	fi
	if ! cmp -s "$TMP/out" "expected/$name"; then
		fail "$name: output differs from expected/$name"
		diff "expected/$name" "$TMP/out" | head -20 | cut -c1-200 | sed 's/^/# /'; continue
	fi
	if [ -f "expected/$name.err" ] && ! cmp -s "$TMP/err" "expected/$name.err"; then
		fail "$name: stderr differs from expected/$name.err"
		diff "expected/$name.err" "$TMP/err" | head -10 | sed 's/^/# /'; continue
	fi
	ok "$name"
done < cases

# Lost events are a record of their own in json, with the documented keys.
"$PYTRACE" -q --replay lost.raw -f json >"$TMP/lost.json" 2>/dev/null
check "lost: json lines have exactly the documented keys" $CHECK json "$TMP/lost.json"
check "lost: json has a lost record with the count" grep -q '"kind":"lost",.*"value":12}' "$TMP/lost.json"

# Independent checks on every input: json keys, chrome structure, folded totals.
for f in basic threads exotic; do
	"$PYTRACE" -q --replay $f.raw --all -f json >"$TMP/$f.json"
	"$PYTRACE" -q --replay $f.raw --all -f chrome >"$TMP/$f.chrome"
	"$PYTRACE" -q --replay $f.raw -f folded >"$TMP/$f.folded"
	check "$f: json lines have exactly the documented keys" $CHECK json "$TMP/$f.json"
	check "$f: chrome is valid Trace Event JSON" $CHECK chrome "$TMP/$f.chrome"
	check "$f: folded equals self times recomputed from json" $CHECK folded "$TMP/$f.json" "$TMP/$f.folded"
	"$PYTRACE" -q --replay $f.raw --all -f speedscope >"$TMP/$f.speedscope"
	# exotic: json writes bad UTF-8 as \udcXX, speedscope as U+FFFD: structure only
	check "$f: speedscope is valid and opens the calls json shows, per thread" \
		$CHECK speedscope "$TMP/$f.speedscope" $([ $f = exotic ] || echo "$TMP/$f.json")
	for by in none thread; do
		"$PYTRACE" -q --replay $f.raw -f folded --flame-by $by >"$TMP/$f.$by.folded"
		"$PYTRACE" -q --replay $f.raw -f svg --flame-by $by >"$TMP/$f.$by.svg"
		check "$f: svg (--flame-by $by) has folded's frames and widths" \
			$CHECK svg "$TMP/$f.$by.svg" "$TMP/$f.$by.folded"
	done
	"$PYTRACE" -q --replay $f.raw --all -f chrome -o "$TMP/$f.chrome.gz"
	check "$f: -o FILE.gz writes the same output gzip-compressed" \
		sh -c "gzip -dc '$TMP/$f.chrome.gz' | cmp -s - '$TMP/$f.chrome'"
	# raw round trip: the raw output replays to itself, byte for byte
	"$PYTRACE" -q --replay $f.raw --all -f raw >"$TMP/$f.r1"
	"$PYTRACE" -q --replay "$TMP/$f.r1" --all -f raw >"$TMP/$f.r2"
	check "$f: -f raw round-trips byte for byte" cmp -s "$TMP/$f.r1" "$TMP/$f.r2"
	"$PYTRACE" -q --replay "$TMP/$f.r1" --all >"$TMP/$f.t2"
	"$PYTRACE" -q --replay $f.raw --all >"$TMP/$f.t1"
	check "$f: the raw output renders the same text" cmp -s "$TMP/$f.t1" "$TMP/$f.t2"
done

# A 10,000-level recursion, generated here rather than committed.
N=10000
awk -v n=$N 'BEGIN { print "pytrace-raw 1";
	for (i = 0; i < n; i++) printf "call %d 9 9 1 \"rec\" \"/srv/deep.py\"\n", 1000 + i;
	printf "line %d 9 9 2 \"rec\" \"/srv/deep.py\"\n", 1000 + n;
	for (i = n - 1; i >= 0; i--) printf "return %d 9 9 3 \"rec\" \"/srv/deep.py\"\n", 5000000 + (n - 1 - i) }' >"$TMP/deep.raw"
"$PYTRACE" -q --replay "$TMP/deep.raw" --lines >"$TMP/deep.text"
check "deep: text has 2N+1 lines" [ "$(wc -l <"$TMP/deep.text")" -eq $((2 * N + 1)) ]
# each call line is indented two spaces per level up to 100 levels, then
# says "[depth D] " (the text stays linear in depth); returns mirror calls
awk -v n=$N '
	{ i = index($0, ": "); rest = substr($0, i + 2); m = match(rest, /[^ ]/); ind = m - 1
	  d = NR <= n ? NR - 1 : (NR == n + 1 ? n : 2 * n + 1 - NR)
	  if (ind != 2 * (d < 100 ? d : 100)) bad = 1
	  if (d >= 100 && index(substr(rest, m), "[depth " d "] ") != 1) bad = 1 }
	END { exit bad }' "$TMP/deep.text"
check "deep: indentation follows the depth (capped at 100 levels, then [depth N]) and back" [ $? -eq 0 ]
check "deep: text linear in depth (< 400 bytes a line)" \
	[ "$(stat -c %s "$TMP/deep.text")" -lt $((400 * (2 * N + 1))) ]
"$PYTRACE" -q --replay "$TMP/deep.raw" -f json >"$TMP/deep.json"
check "deep: json depth reaches $((N - 1))" grep -q "\"depth\":$((N - 1)),\"func\":\"rec\"" "$TMP/deep.json"
"$PYTRACE" -q --replay "$TMP/deep.raw" -f chrome >"$TMP/deep.chrome"
check "deep: chrome is valid" $CHECK chrome "$TMP/deep.chrome"
"$PYTRACE" -q --replay "$TMP/deep.raw" -f speedscope >"$TMP/deep.speedscope"
check "deep: speedscope is valid, the calls json shows" $CHECK speedscope "$TMP/deep.speedscope" "$TMP/deep.json"
"$PYTRACE" -q --replay "$TMP/deep.raw" -f folded >"$TMP/deep.folded"
check "deep: folded equals json self times" $CHECK folded "$TMP/deep.json" "$TMP/deep.folded"
"$PYTRACE" -q --replay "$TMP/deep.raw" -f summary >"$TMP/deep.summary"
# outermost call: 1000 -> 5000000 + 9999 ns; recursion counted once in total
check "deep: summary counts $N calls, total once" \
	grep -Eq "^ +$N +5008\.999 " "$TMP/deep.summary"
check "deep: folded has the one path with weight" [ "$(wc -l <"$TMP/deep.folded")" -eq 1 ]
"$PYTRACE" -q --replay "$TMP/deep.raw" -f svg >"$TMP/deep.svg"
check "deep: svg has folded's 10,000 frames" $CHECK svg "$TMP/deep.svg" "$TMP/deep.folded"

# A bushy tree (30 names at every level, random depth): thousands of paths,
# many narrower than the svg's 0.1 px, which it leaves out.
awk 'BEGIN { srand(7); print "pytrace-raw 1"; ts = 1000; d = 0;
	for (i = 0; i < 40000; i++) {
		ts += 1000 + int(rand() * 20000);
		if (d == 0 || (d < 9 && rand() < 0.6)) { printf "call %d 1 1 1 \"g%d\" \"b.py\"\n", ts, int(rand() * 30); d++ }
		else { printf "return %d 1 1 2 \"g\" \"b.py\"\n", ts; d-- }
	} }' >"$TMP/bushy.raw"
"$PYTRACE" -q --replay "$TMP/bushy.raw" -f folded >"$TMP/bushy.folded"
"$PYTRACE" -q --replay "$TMP/bushy.raw" -f svg >"$TMP/bushy.svg"
check "bushy: svg has folded's frames but for $(grep -o '[0-9]* frames under' "$TMP/bushy.svg" || echo none) 0.1 px" \
	sh -c "$CHECK svg '$TMP/bushy.svg' '$TMP/bushy.folded' && grep -q 'frames under 0.1 px left out' '$TMP/bushy.svg'"

# --min-duration against a reference computed from the unfiltered json:
# 4 threads, random nesting, lines and gc inside calls, calls left open.
awk 'BEGIN { srand(42); print "pytrace-raw 1"; ts = 1000;
	for (i = 0; i < 60000; i++) {
		t = int(rand() * 4); tid = 100 + t; ts += 1 + int(rand() * 50);
		r = rand();
		if (r < 0.05) printf "line %d 100 %d 7 \"f%d\" \"m.py\"\n", ts, tid, d[t];
		else if (r < 0.06) printf "gc-start %d 100 %d 0 \"\" \"\"\n", ts, tid;
		else if (d[t] == 0 || (d[t] < 200 && r < 0.53)) { printf "call %d 100 %d 1 \"f%d\" \"m.py\"\n", ts, tid, d[t]; d[t]++ }
		else { d[t]--; printf "return %d 100 %d 2 \"f%d\" \"m.py\"\n", ts, tid, d[t] }
	} }' >"$TMP/mix.raw"
"$PYTRACE" -q --replay "$TMP/mix.raw" --all -f json >"$TMP/mix.full"
for dur in 100ns 2us 40us 1ms; do
	ns=$(awk -v d=$dur 'BEGIN { n = d + 0; print (d ~ /ms$/) ? n * 1000000 : (d ~ /us$/) ? n * 1000 : n }')
	"$PYTRACE" -q --replay "$TMP/mix.raw" --all -f json --min-duration $dur >"$TMP/mix.cut"
	check "--min-duration $dur drops exactly the short calls and their insides" \
		$CHECK mindur "$TMP/mix.full" "$TMP/mix.cut" "$ns"
done

# stdin, -o, and an unwritable -o failing before anything is read
"$PYTRACE" -q --replay - --all <basic.raw >"$TMP/stdin.out"
check "--replay - reads standard input" cmp -s "$TMP/stdin.out" expected/basic.text
"$PYTRACE" -q --replay basic.raw --all -o "$TMP/o.txt" >"$TMP/o.stdout"
check "-o FILE writes the trace there, nothing on stdout" \
	sh -c "cmp -s '$TMP/o.txt' expected/basic.text && ! [ -s '$TMP/o.stdout' ]"
expect_exit "-o in a missing directory fails" 1 "$PYTRACE" --replay basic.raw -o /nonexistent/dir/x
one_line_error "-o in a missing directory"
check "-o error names the path" grep -q /nonexistent/dir/x "$TMP/err"
expect_exit "a missing replay file fails" 1 "$PYTRACE" --replay "$TMP/missing.raw"
check "a missing replay file is named" grep -q "missing.raw" "$TMP/err"

# A reader that goes away: quiet, successful stop.
awk 'BEGIN { print "pytrace-raw 1"; for (i = 0; i < 300000; i++) {
	printf "call %d 1 1 1 \"f\" \"a.py\"\nreturn %d 1 1 2 \"f\" \"a.py\"\n", 2*i, 2*i+1 } }' >"$TMP/long.raw"
set -o pipefail
"$PYTRACE" --replay "$TMP/long.raw" 2>"$TMP/pipe.err" | head -1 >/dev/null
rc=$?
set +o pipefail
check "EPIPE (| head) stops with status 0" [ $rc -eq 0 ]
check "EPIPE stops quietly" [ ! -s "$TMP/pipe.err" ]

# Colour only when asked or on a terminal.
"$PYTRACE" -q --replay basic.raw >"$TMP/nocolor"
check "no colour into a file by default" sh -c "! grep -q \$(printf '\\033') '$TMP/nocolor'"
check "--color always colours" grep -q "$(printf '\033')\[32m=>" expected/basic.color

done_testing
