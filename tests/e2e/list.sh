#!/bin/bash
# `pytrace list`: the 8 markers of Debian's python3.11 (by path, by PID, by
# command), file offsets cross-checked against readelf, --json, pyenv shims
# and pythons without markers.  (Bad input: tests/live/list_errors.test.
# This stays a script: its checks compare each listing with what readelf
# computes, and its targets are built step by step.)
. "$(dirname "$0")/../lib.sh"
EXIT_NO_MARKERS=4

if [ ! -x "$PY311" ]; then
	skip "$PY311 not installed (apt-get install python3.11)"
	done_testing
	exit 0
fi

# Expected "provider:name address offset semaphore sem_offset" for every
# note, computed from readelf alone: notes (-n), PT_LOAD headers (-l) and
# the .stapsdt.base section (-S) for the prelink adjustment.
expected_markers() {
	local f=$1
	{
		readelf -SW "$f" | sed -n 's/.*\.stapsdt\.base *PROGBITS *\([0-9a-f]*\).*/BASESEC \1/p'
		readelf -lW "$f" | awk '$1 == "LOAD" { print "LOAD", $2, $3, $6 }'
		readelf -nW "$f" | sed -n -e 's/.*Provider: \(.*\)/PROV \1/p' -e 's/^ *Name: \(.*\)/NAME \1/p' \
			-e 's/^ *Location: \(0x[0-9a-f]*\), Base: \(0x[0-9a-f]*\), Semaphore: \(0x[0-9a-f]*\)/LOC \1 \2 \3/p'
	} | "$PY311" -c '
import sys
basesec, loads, notes, cur = None, [], [], {}
for line in sys.stdin:
    w = line.split()
    if w[0] == "BASESEC": basesec = int(w[1], 16)
    elif w[0] == "LOAD": loads.append((int(w[1], 16), int(w[2], 16), int(w[3], 16)))
    elif w[0] == "PROV": cur = {"prov": w[1]}; notes.append(cur)
    elif w[0] == "NAME": cur["name"] = w[1]
    elif w[0] == "LOC": cur["loc"], cur["base"], cur["sem"] = (int(x, 16) for x in w[1:4])
def off(v):
    for o, va, memsz in loads:
        if va <= v < va + memsz: return v - va + o
    raise SystemExit("no PT_LOAD for %#x" % v)
for n in notes:
    d = basesec - n["base"] if basesec is not None else 0
    pc, sem = n["loc"] + d, (n["sem"] + d if n["sem"] else 0)
    print("%s:%s %#x %#x %s %s" % (n["prov"], n["name"], pc, off(pc),
          "%#x" % sem if sem else "-", "%#x" % off(sem) if sem else "-"))
'
}

# The same five columns from pytrace's text listing.
listed_markers() {
	awk '$1 ~ /^[a-z_]+:[a-z_]+$/ && $2 ~ /^0x/ { print $1, $2, $3, $4, $5 }' "$1"
}

# markers_match NAME LISTING-FILE ELF: every note listed with the right numbers
markers_match() {
	local name=$1 listing=$2 elf=$3
	expected_markers "$elf" | sort >"$TMP/want"
	listed_markers "$listing" | sort >"$TMP/got"
	local n; n=$(grep -c '^python:' "$TMP/want")
	if [ "$n" -eq 8 ] && [ -s "$TMP/got" ] && diff -u "$TMP/want" "$TMP/got" >"$TMP/diff"; then
		ok "$name: 8 python markers, offsets equal readelf's"
	else
		fail "$name: markers differ from readelf (want 8 python markers, have $n)"
		sed 's/^/# /' "$TMP/diff" | head -20
	fi
}

json_matches() {   # NAME JSON-FILE ELF
	local name=$1 json=$2 elf=$3
	expected_markers "$elf" | sort >"$TMP/want"
	if "$PY311" -m json.tool "$json" >/dev/null 2>"$TMP/jerr" &&
	   "$PY311" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["marker_count"] == 8, d["marker_count"]
for m in d["markers"]:
    sem = "%#x" % m["semaphore"] if m["semaphore"] else "-"
    semoff = "%#x" % m["semaphore_offset"] if m["semaphore"] else "-"
    print("%s:%s %#x %#x %s %s" % (m["provider"], m["name"], m["address"], m["file_offset"], sem, semoff))
' "$json" | sort | diff -u "$TMP/want" - >"$TMP/diff"; then
		ok "$name: --json parses and its offsets equal readelf's"
	else
		fail "$name: --json"
		sed 's/^/# /' "$TMP/jerr" "$TMP/diff" | head -20
	fi
}

# ---- by path ----
expect_exit "list $PY311" 0 "$PYTRACE" list "$PY311"
cp "$TMP/out" "$TMP/list-path"
markers_match "list $PY311" "$TMP/list-path" "$PY311"
check "list $PY311: version 3.11" grep -q '^version: *CPython 3\.11$' "$TMP/list-path"
check "list $PY311: markers live in the executable" \
	grep -q "^markers in: *$PY311 (executable)" "$TMP/list-path"
check "list $PY311: 3.11 entry caveat" grep -q 'no-entry-fix' "$TMP/list-path"
check "list $PY311: arguments parsed" grep -q 'arg3  -4@%eax .*signed 32-bit' "$TMP/list-path"

expect_exit "list --json $PY311" 0 "$PYTRACE" list --json "$PY311"
cp "$TMP/out" "$TMP/list.json"
json_matches "list --json $PY311" "$TMP/list.json" "$PY311"
check "list --json: health and version" "$PY311" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "3.11" and d["health"] == "entry_needs_line", d
assert d["caveats"] and "no-entry-fix" in d["caveats"][0]
e = [m for m in d["markers"] if m["name"] == "function__entry"][0]
assert [a["spec"] for a in e["arguments"]] == e["args"].split()
' "$TMP/list.json"

LIBPY=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0
if [ -r "$LIBPY" ]; then
	expect_exit "list libpython3.11.so.1.0" 0 "$PYTRACE" list "$LIBPY"
	cp "$TMP/out" "$TMP/list-lib"
	markers_match "list libpython3.11.so.1.0" "$TMP/list-lib" "$LIBPY"
else
	skip "$LIBPY not installed"
fi

# a symlink is followed
ln -s "$PY311" "$TMP/py-link"
expect_exit "list via a symlink" 0 "$PYTRACE" list "$TMP/py-link"
check "list via a symlink: resolves to $PY311" grep -q "^interpreter: *$PY311$" "$TMP/out"

# ---- by PID ----
"$PY311" -c 'import time; time.sleep(60)' &
pypid=$!
sleep 0.5
expect_exit "list -p PID of $PY311" 0 "$PYTRACE" list -p "$pypid"
cp "$TMP/out" "$TMP/list-pid"
markers_match "list -p PID" "$TMP/list-pid" "$PY311"
check "list -p PID: names the pid" grep -q "^pid: *$pypid" "$TMP/list-pid"
expect_exit "list -p PID --json" 0 "$PYTRACE" list -p "$pypid" --json
cp "$TMP/out" "$TMP/pid.json"
json_matches "list -p PID --json" "$TMP/pid.json" "$PY311"
kill "$pypid" 2>/dev/null; wait "$pypid" 2>/dev/null

# a binary deleted and replaced since the process started: read through map_files
if is_root; then
	cp "$PY311" "$TMP/pycopy"
	"$TMP/pycopy" -c 'import time; time.sleep(60)' &
	cpid=$!
	sleep 0.5
	rm -f "$TMP/pycopy" && cp /bin/true "$TMP/pycopy"
	expect_exit "list -p PID of a deleted-and-replaced python" 0 "$PYTRACE" list -p "$cpid"
	check "deleted-and-replaced: read through /proc/PID/map_files" \
		grep -q "^interpreter: */proc/$cpid/map_files/" "$TMP/out"
	markers_match "deleted-and-replaced" "$TMP/out" "$PY311"
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null
else
	skip "deleted-and-replaced binary: reading /proc/PID/map_files needs root"
fi

# a python in its own root and mount namespace: found through /proc/PID/root
croot="$TMP/croot"
mkdir -p "$croot/usr" "$croot/lib" "$croot/lib64"
if is_root && have unshare && unshare -m true 2>/dev/null; then
	unshare -m sh -c "mount --bind /usr '$croot/usr' && mount --bind /lib '$croot/lib' &&
		mount --bind /lib64 '$croot/lib64' &&
		exec chroot '$croot' $PY311 -c 'import time; time.sleep(60)'" &
	upid=$!
	inner=""
	for _ in $(seq 50); do
		inner=$(pgrep -P "$upid" 2>/dev/null | head -1)
		[ -z "$inner" ] && [ "$(readlink "/proc/$upid/exe")" != "$(readlink -f /usr/bin/unshare)" ] && inner=$upid
		[ -n "$inner" ] && [ "$(readlink "/proc/$inner/root")" = "$croot" ] && break
		sleep 0.1
	done
	expect_exit "list -p PID in another root" 0 "$PYTRACE" list -p "$inner"
	check "other root: interpreter read through /proc/PID/root" \
		grep -q "^interpreter: */proc/$inner/root/usr/bin/python3.11$" "$TMP/out"
	markers_match "other root" "$TMP/out" "$PY311"
	kill "$inner" "$upid" 2>/dev/null; wait "$upid" 2>/dev/null
else
	skip "python in another root: needs root and unshare -m"
fi

# ---- by command ----
expect_exit "list -c '$PY311 -c pass'" 0 "$PYTRACE" list -c "$PY311 -c pass"
markers_match "list -c" "$TMP/out" "$PY311"
printf '#!/usr/bin/env python3.11\nprint(1)\n' >"$TMP/script-env.py"
printf '#!/usr/bin/env -S %s -u\nprint(1)\n' "$PY311" >"$TMP/script-envS.py"
chmod +x "$TMP"/script-*.py
mkdir -p "$TMP/bin" && ln -sf "$PY311" "$TMP/bin/python3.11"
PATH="$TMP/bin:/usr/bin:/bin" expect_exit "list -c script with #!/usr/bin/env python3.11" 0 \
	"$PYTRACE" list -c "$TMP/script-env.py arg"
check "#!/usr/bin/env: finds $PY311" grep -q "^interpreter: *$PY311$" "$TMP/out"
expect_exit "list -c script with #!/usr/bin/env -S" 0 "$PYTRACE" list -c "$TMP/script-envS.py"
check "env -S: finds $PY311" grep -q "^interpreter: *$PY311$" "$TMP/out"
PATH="/usr/bin:/bin" expect_exit "list (no target): python3 on PATH" 0 "$PYTRACE" list
check "list (no target): /usr/bin/python3 is $PY311" grep -q "^interpreter: *$PY311$" "$TMP/out"
# A pyenv shim (as `pyenv rehash` writes them): the python it runs is chosen
# at run time, so pytrace cannot know it and says so.
mkdir -p "$TMP/pyenv/shims"
cat >"$TMP/pyenv/shims/python3" <<SHIM
#!/usr/bin/env bash
set -e
[ -n "\$PYENV_DEBUG" ] && set -x

program="\${0##*/}"

export PYENV_ROOT="$TMP/pyenv"
exec "$TMP/pyenv/libexec/pyenv" exec "\$program" "\$@"
SHIM
chmod +x "$TMP/pyenv/shims/python3"
PATH="$TMP/pyenv/shims:/usr/bin:/bin" expect_exit "list -c through a pyenv shim" \
	"$EXIT_NO_MARKERS" "$PYTRACE" list -c "python3 app.py"
one_line_error "pyenv shim"
check "pyenv shim: says the python cannot be known" grep -q 'pyenv shim' "$TMP/err"

# Pythons without markers (pyenv's and Docker's are built without
# --with-dtrace): the fixture (tests/fixtures/nomarker/: a python3.12 linked
# to a stand-in libpython3.12 with no notes), then every real one found on
# PATH or under `pyenv root`.
NOMARKER=$FIXTURES/nomarker/python3.12
has_markers() { readelf -nW "$1" 2>/dev/null | grep -q 'Provider: python'; }
# markerless_pythons: real pythonX.Y executables (ELF, not shims) on PATH or
# under `pyenv root`, with no python markers in them or in their libpython
markerless_pythons() {
	local d f lib seen=" " dirs
	dirs=${PATH//:/$'\n'}
	have pyenv && dirs="$dirs
$(ls -d "$(pyenv root 2>/dev/null)"/versions/*/bin 2>/dev/null)"
	while IFS= read -r d; do
		for f in "$d"/python[0-9].[0-9]*; do
			[[ $f =~ /python[0-9]\.[0-9]+$ ]] && [ -x "$f" ] || continue
			[ "$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] || continue
			f=$(readlink -f "$f")
			[[ $seen == *" $f "* ]] && continue
			seen="$seen$f "
			has_markers "$f" && continue
			lib=$(ldd "$f" 2>/dev/null | awk '$1 ~ /^libpython/ {print $3}')
			[ -n "$lib" ] && has_markers "$lib" && continue
			echo "$f"
		done
	done <<<"$dirs"
}
nomarker_case() {   # PY VERSION
	local py=$1 v=$2
	expect_exit "python without markers: $py" "$EXIT_NO_MARKERS" "$PYTRACE" list "$py"
	one_line_error "$py"
	check "$py: names version $v and --with-dtrace" \
		grep -q "CPython $v.*--with-dtrace" "$TMP/err"
	[ -s "$TMP/out" ] && fail "$py: printed a listing on stdout"
}
if [ -x "$NOMARKER" ]; then
	nomarker_case "$NOMARKER" 3.12
	"$NOMARKER" sleep >"$TMP/nomarker.out" &
	ppid2=$!
	for _ in $(seq 50); do grep -q ready "$TMP/nomarker.out" && break; sleep 0.1; done
	expect_exit "PID of a python without markers" "$EXIT_NO_MARKERS" "$PYTRACE" list -p "$ppid2"
	one_line_error "PID of a python without markers"
	check "PID without markers: found its libpython version" grep -q 'CPython 3\.12' "$TMP/err"
	kill "$ppid2" 2>/dev/null; wait "$ppid2" 2>/dev/null
else
	skip "python without markers: $NOMARKER not built (make check builds it)"
fi
found=0
while IFS= read -r py; do
	[ -n "$py" ] || continue
	found=1
	v=$(basename "$py"); v=${v#python}
	nomarker_case "$py" "$v"
done < <(markerless_pythons)
[ $found -eq 0 ] && skip "no real python without markers on PATH or under \`pyenv root\`"

# `list NAME` looks NAME up in PATH as `list -c NAME` does; options may follow it.
if [ -x /usr/bin/python3.11 ]; then
	PATH=/usr/bin:/bin "$PYTRACE" list python3.11 --json >"$TMP/byname.json" 2>"$TMP/err"
	rc=$?
	check "list python3.11 --json (PATH lookup, option after the name): exit 0 (got $rc)" test "$rc" -eq 0
	check "list python3.11 --json: JSON naming /usr/bin/python3.11" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not str(d.get("interpreter", "")).endswith("python3.11"))' "$TMP/byname.json"
	expect_exit "list with two names: usage error" 2 "$PYTRACE" list python3.11 python3
else
	skip "list by name: /usr/bin/python3.11 is not installed"
fi

done_testing
