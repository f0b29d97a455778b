#!/bin/bash
# The picture formats in the real consumers, in a real browser (headless
# Chromium driven by playwright-core, tests/e2e/data/viewers.mjs):
# speedscope 1.25 opens -f chrome, -f speedscope and -f chrome -o FILE.gz
# with no console warning and builds the call tree json shows, thread by
# thread; -f svg renders
# (screenshot kept under $PYTRACE_ARTIFACTS), its frames and widths equal
# -f folded's tree, search and zoom work through the page.
# Traces: the golden threads.raw (several processes, calls never returned)
# and, as root, data/picture_app.py traced live by a private python3.11.
# speedscope and playwright-core come from the npm registry into a cache
# outside the tree ($PYTRACE_NPM_CACHE, default /var/cache/pytrace-tests/npm);
# without the registry the test skips and says why.
. "$(dirname "$0")/../lib.sh"
DATA=$TOP/tests/e2e/data
SPEEDSCOPE=1.25.0 PLAYWRIGHT=1.57.0
ARTIFACTS=${PYTRACE_ARTIFACTS:-/tmp/pytrace-artifacts}/viewers
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

skip_all() { skip "$1"; done_testing; exit 0; }
[ "$BUILD" = build-san ] && skip_all "browser tests run in the normal build only (BUILD=$BUILD)"
[ -x "$CHROMIUM" ] || skip_all "no $CHROMIUM (make deps installs Debian's chromium)"
have node && have npm || skip_all "no node/npm (make deps installs them when absent)"

# speedscope + playwright-core, once, in the cache (locked: two runs at once)
base=${PYTRACE_NPM_CACHE:-/var/cache/pytrace-tests/npm}
mkdir -p "$base" 2>/dev/null && [ -w "$base" ] || base=${XDG_CACHE_HOME:-$HOME/.cache}/pytrace-tests/npm
NPM_DIR=$base/speedscope-$SPEEDSCOPE+playwright-core-$PLAYWRIGHT
mkdir -p "$NPM_DIR" || skip_all "cannot create the npm cache $NPM_DIR"
exec 9>"$NPM_DIR.lock"
flock 9
if [ ! -f "$NPM_DIR/.complete" ]; then
	if (cd "$NPM_DIR" && timeout 300 npm install --no-audit --no-fund --no-package-lock \
		--save-exact --prefix "$NPM_DIR" "speedscope@$SPEEDSCOPE" "playwright-core@$PLAYWRIGHT") \
		>"$TMP/npm.log" 2>&1; then
		touch "$NPM_DIR/.complete"
	else
		diag "npm install failed: $(grep -m1 -iE 'err|fail' "$TMP/npm.log")"
		exec 9>&-
		skip_all "the npm registry cannot be reached: speedscope@$SPEEDSCOPE and playwright-core@$PLAYWRIGHT not fetched"
	fi
fi
exec 9>&-
export VIEWERS_NPM=$NPM_DIR CHROMIUM
mkdir -p "$ARTIFACTS"

# relay NAME FILE: viewers.mjs's TAP lines as this test's, prefixed with NAME
relay() {
	local l seen=0
	while IFS= read -r l; do
		case "$l" in
		"ok "*) ok "$1: ${l#ok * - }"; seen=1;;
		"not ok "*) fail "$1: ${l#not ok * - }"; seen=1;;
		*) echo "$l";;
		esac
	done <"$2"
	[ $seen = 1 ] || { fail "$1: viewers.mjs reported nothing"; sed 's/^/# /' "$2.err" | tail -5; }
}

# run_viewers NAME RAW [ARGS]: every format of RAW, then the browser checks
run_viewers() {
	local name=$1 raw=$2; shift 2
	local p=$TMP/$name f v
	for f in json chrome speedscope folded svg; do
		"$PYTRACE" -q --replay "$raw" "$@" -f $f -o "$p.$f" || fail "$name: -f $f"
	done
	"$PYTRACE" -q --replay "$raw" "$@" -f chrome -o "$p.chrome.gz"
	"$PYTRACE" -q --replay "$raw" "$@" -f folded --flame-by thread -o "$p-by-thread.folded"
	"$PYTRACE" -q --replay "$raw" "$@" -f svg --flame-by thread -o "$p-by-thread.svg"
	diag "$name: $(grep -c '"kind":"call"' "$p.json") calls"
	timeout 300 node "$DATA/viewers.mjs" speedscope "$p" >"$TMP/v.out" 2>"$TMP/v.out.err"
	relay "$name" "$TMP/v.out"
	for v in "" -by-thread; do
		SVG_SEARCH=$SVG_SEARCH timeout 300 node "$DATA/viewers.mjs" svg "$p$v" "$ARTIFACTS/$name$v.png" \
			>"$TMP/v.out" 2>"$TMP/v.out.err"
		relay "$name$v" "$TMP/v.out"
	done
	check "$name: screenshot of the svg kept as $ARTIFACTS/$name.png" test -s "$ARTIFACTS/$name.png"
}

SVG_SEARCH=fetch run_viewers golden-threads "$TOP/tests/golden/replay/threads.raw"

# A live trace of a known program, through a private copy of python3.11
# (the probes then touch no other test's interpreter).
if ! is_root; then
	skip "live trace of picture_app.py: needs root (uprobes, BPF)"
else
	mkdir -p "$TMP/bin" && cp "$PY311" "$TMP/bin/python3.11"
	if "$PYTRACE" -q --engine bpf --gc --imports -f raw -o "$TMP/live.raw" \
		-c "$TMP/bin/python3.11 $DATA/picture_app.py" 2>"$TMP/live.err"; then
		ok "picture_app.py traced live (bpf engine)"
		SVG_SEARCH=fib run_viewers live "$TMP/live.raw"
		check "live: the replayed raw names the process by its command line" \
			grep -q '"process_name","args":{"name":"[^"]*python3.11 [^"]*picture_app.py"' "$TMP/live.chrome"
		# the raw file kept the wall clock: ts 0 of its chrome is a moment ago
		check "live: chrome's otherData puts ts 0 at the wall-clock time it ran" \
			"$PY311" -c 'import json, sys, time
o = json.load(open(sys.argv[1]))["otherData"]
sys.exit(not (abs(o["ts0_unix_ns"] / 1e9 - time.time()) < 600 and o["ts0_utc"].endswith("Z")))' "$TMP/live.chrome"
		# -o FILE.gz: what speedscope and Perfetto read compressed is the same trace
		"$PYTRACE" -q --replay "$TMP/live.raw" -f chrome -o "$TMP/live.json.gz"
		check "live: -o FILE.gz is the same chrome trace, gzip-compressed" \
			sh -c "gzip -dc '$TMP/live.json.gz' | cmp -s - '$TMP/live.chrome'"
	else
		skip "live trace of picture_app.py failed here: $(head -1 "$TMP/live.err")"
	fi
fi
done_testing
