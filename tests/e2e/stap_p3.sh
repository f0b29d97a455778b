# The stap engine's scripts, checked by stap itself: every variant
# `pytrace --engine stap --print-script` produces, the tapset and scripts/
# pass `stap -p3` (parse, elaborate against the real binaries' markers,
# translate to C).  stap cannot load its module here, so -p3 is as far as
# it goes; a kernel build tree stand-in (DESIGN.md) satisfies stap -r.
. "$TOP/tests/lib.sh"

LIBPY=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0
HOSTILE='x"); system("id"); printf("'

# --- stap cannot run here: --engine stap says so at once -----------------
if [ ! -e /proc/modules ]; then
	start=$(date +%s%N)
	expect_exit "--engine stap without module loading exits 5" 5 \
		"$PYTRACE" --engine stap -c "$PY311 -c pass"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	check "--engine stap fails at once (${ms} ms)" [ "$ms" -lt 3000 ]
	check "--engine stap: the reason is one line naming stap" \
		grep -q '^pytrace: the stap engine cannot run here: .*module' "$TMP/err"
	check "--engine stap: the hint names --engine bpf" grep -q '^pytrace: hint: .*--engine bpf' "$TMP/err"
	check "--engine stap: nothing but the reason and the hint" [ "$(wc -l < "$TMP/err")" -eq 2 ]
	check "--engine stap: nothing on stdout" [ ! -s "$TMP/out" ]
else
	skip "--engine stap refusal: this kernel has module loading"
fi

if ! have stap; then
	skip "stap -p3 checks: stap is not installed"
	done_testing
	exit 0
fi
if [ ! -r /proc/config.gz ]; then
	skip "stap -p3 checks: no /proc/config.gz to build the kernel build tree stand-in from"
	done_testing
	exit 0
fi
if [ ! -x "$PY311" ] || [ ! -r "$LIBPY" ]; then
	skip "stap -p3 checks: $PY311 or $LIBPY missing"
	done_testing
	exit 0
fi

# The stand-in: enough of a build tree for stap's passes 1-3.
STANDIN=$TMP/standin
mkdir -p "$STANDIN/include/config"
zcat /proc/config.gz > "$STANDIN/.config"
: > "$STANDIN/Module.symvers"
uname -r > "$STANDIN/include/config/kernel.release"

# p3 NAME FILE [STAP ARGS...]: FILE passes stap -p3
p3() {
	local name=$1 file=$2; shift 2
	if stap -p3 -r "$STANDIN" "$@" "$file" > "$TMP/p3.c" 2> "$TMP/p3.err"; then
		ok "stap -p3: $name"
	else
		fail "stap -p3: $name"
		grep -v 'Kernel function symbol table missing' "$TMP/p3.err" | sed 's/^/# /' | head -8
	fi
}

# variant NAME PYTRACE-ARGS...: print the script, then stap -p3 it
n_variant=0
variant() {
	local name=$1; shift
	n_variant=$((n_variant+1))
	local out="$TMP/v$n_variant.stp"
	if "$PYTRACE" --engine stap --print-script "$@" > "$out" 2> "$TMP/gen.err" && [ -s "$out" ]; then
		p3 "$name" "$out"
	else
		fail "print-script: $name"
		sed 's/^/# /' "$TMP/gen.err" | head -3
	fi
	LAST=$out
}

# Address of a python marker in FILE, as stap -p2 prints it (.absolute+0x...
# for an executable, .dynamic+0x... for a library).
note_addr() {
	readelf -n "$1" | awk -v want="$2" '
		/Name:/ { name = $2 }
		/Location:/ && name == want { sub(",", "", $2); print $2; exit }' |
		sed 's/^0x0*/0x/'
}

# --- the interpreter binary ----------------------------------------------
variant "-c, calls (3.11 entry fix)"        -c "$PY311 -c pass"
grep -q '\.mark("line") {' "$LAST" && grep -q '^	next$' "$LAST"
check "3.11: the script probes line with a non-empty body" [ $? -eq 0 ]
stap -p2 -r "$STANDIN" "$LAST" > "$TMP/p2.out" 2>/dev/null
line_pc=$(note_addr "$PY311" line)
entry_pc=$(note_addr "$PY311" function__entry)
check "3.11: stap -p2 keeps the line probe (statement($line_pc))" \
	grep -q "statement($line_pc)" "$TMP/p2.out"
check "3.11: stap -p2 keeps the entry probe (statement($entry_pc))" \
	grep -q "statement($entry_pc)" "$TMP/p2.out"
stap -p3 -r "$STANDIN" "$LAST" 2>/dev/null | grep -o '\.offset=(loff_t)0x[0-9a-f]*ULL, \.sdt_sem_offset=(loff_t)0x[0-9a-f]*' > "$TMP/sems"
check "3.11: the line probe carries a semaphore for stap to raise" [ "$(grep -c 'sdt_sem_offset=(loff_t)0x[1-9a-f]' "$TMP/sems")" -ge 3 ]

# stap's own reading of the script (-p2 -u prints the elaborated code):
# the comm map is filled outside the `if`, not swallowed by a `return`
# (issue #15: `return` then a line break read as `return map[pid()] = 1`).
stap -p2 -u -v -r "$STANDIN" "$LAST" 2>/dev/null | sed -n '/^pytrace_comm:long ()/,/^} }/p' > "$TMP/comm.p2"
check "stap -p2: pytrace_comm fills pytrace_seen as its own statement" \
	grep -q '^(__global_pytrace_seen\[pid()\]) = (1)' "$TMP/comm.p2"
check "stap -p2: no return swallows the next statement" sh -c "! grep -q 'return (__global' '$TMP/comm.p2'"

variant "-c, calls, --no-entry-fix"        --no-entry-fix -c "$PY311 -c pass"
check "--no-entry-fix: no line probe" sh -c "! grep -q 'mark(\"line\")' '$LAST'"
variant "-c, --no-follow"                  --no-follow -c "$PY311 -c pass"
variant "-c, --lines"                      --lines -c "$PY311 -c pass"
check "--lines: one line probe, printing lines" [ "$(grep -c 'mark("line")' "$LAST")" -eq 1 ]
variant "-c, --gc"                         --gc -c "$PY311 -c pass"
variant "-c, --imports"                    --imports -c "$PY311 -c pass"
variant "-c, --audit"                      --audit -c "$PY311 -c pass"
variant "-c, --all"                        --all -c "$PY311 -c pass"
variant "--python only (untargeted), --all" --all --python "$PY311"
variant "-c, --pid/--tid filters and hostile globs" \
	--pid 1 --pid 22 --tid 333 --function "$HOSTILE" --include "$HOSTILE" --exclude '*%s' \
	-c "$PY311 -c pass"
check "hostile globs never reach the script" sh -c "! grep -q 'system' '$LAST'"

"$PY311" -c 'import time; time.sleep(60)' &
sleeper=$!
sleep 0.2
variant "-p PID, calls"                    -p "$sleeper"
check "-p: the script filters on target()" grep -q 'pid() != target()' "$LAST"
variant "-p PID, --all"                    --all -p "$sleeper"
kill "$sleeper" 2>/dev/null; wait "$sleeper" 2>/dev/null

# --- libpython -------------------------------------------------------------
EMBED=$FIXTURES/embed_py
if [ -x "$EMBED" ]; then
	variant "libpython via the executable (.library), -c" --python "$EMBED" -c "$EMBED"
	check "libpython: process(EXE).library(LIB)" grep -q "process(\"$EMBED\").library(\"" "$LAST"
	variant "libpython via the executable, --all"       --all --python "$EMBED" -c "$EMBED"
else
	skip "libpython .library() variant: $EMBED not built"
fi
variant "libpython named directly (process(LIB)), calls" --python "$LIBPY" -c "$PY311 -c pass"
check "libpython: process(LIB).mark" grep -q "^probe process(\"$LIBPY\").mark(" "$LAST"
variant "libpython named directly, --all"   --all --python "$LIBPY"

# --- the SDT fixture ---------------------------------------------------------
SDT=$FIXTURES/sdt_calls
if [ -x "$SDT" ]; then
	variant "SDT fixture, -c"                  --python "$SDT" -c "$SDT tree"
	variant "SDT fixture, -p style (untargeted)" --python "$SDT"
else
	skip "SDT fixture variant: $SDT not built"
fi

# --- the aggregate script (-f summary alone: tables from stap aggregates) ---
variant "aggregate: -f summary, -c (3.11 entry fix)" -f summary -c "$PY311 -c pass"
check "aggregate: per-function stap aggregates" grep -q 'pytrace_dur\[id\] <<< dur' "$LAST"
check "aggregate: @count/@sum/@max in the table" \
	grep -q '@count(pytrace_dur\[id\]).*' "$LAST"
check "aggregate: strings read only for a new function" \
	[ "$(grep -o 'user_string_quoted' "$LAST" | wc -l)" -eq 2 ]
check "aggregate: the line probe for the entry fix" grep -q '\.mark("line") {' "$LAST"
check "aggregate: only entry, return (and line) are probed" \
	[ "$(grep -c '\.mark(' "$LAST")" -eq 3 ]
stap -p2 -r "$STANDIN" "$LAST" > "$TMP/p2.out" 2>/dev/null
check "aggregate: stap -p2 keeps the line probe (statement($line_pc))" \
	grep -q "statement($line_pc)" "$TMP/p2.out"
variant "aggregate: -f summary --gc --lines (narrowed to calls)" -f summary --gc --lines \
	-c "$PY311 -c pass"
check "aggregate: --lines/--gc add no probe to a table" [ "$(grep -c '\.mark(' "$LAST")" -eq 3 ]
"$PY311" -c 'import time; time.sleep(60)' &
sleeper=$!
sleep 0.2
variant "aggregate: -f summary -p PID"     -f summary -p "$sleeper"
check "aggregate -p: the script ends with its target" grep -q 'probe process.end' "$LAST"
kill "$sleeper" 2>/dev/null; wait "$sleeper" 2>/dev/null
variant "aggregate: libpython named directly" -f summary --python "$LIBPY" -c "$PY311 -c pass"
if [ -x "$SDT" ]; then
	variant "aggregate: SDT fixture"         -f summary --python "$SDT" -c "$SDT tree"
fi
variant "--no-kernel-summary: the event script" -f summary --no-kernel-summary -c "$PY311 -c pass"
check "--no-kernel-summary: no aggregates" sh -c "! grep -q '<<< dur' '$LAST'"

# --- hostile paths -----------------------------------------------------------
weird="$TMP/we\"ird \\dir %s %n \$HOME @1 ü	tab $HOSTILE"
mkdir -p "$weird"
cp "$PY311" "$weird/python3.11"
variant "interpreter at a hostile path"    --all --python "$weird/python3.11"
stap -p3 -r "$STANDIN" "$LAST" 2>/dev/null > "$TMP/weird.c"
expect_path=$(printf '%s' "$weird/python3.11" | sed 's/\\/\\\\/g; s/"/\\"/g; s/	/\\011/g; s/ü/\\303\\274/g')
check "hostile path: stap resolved exactly that file" grep -qF "procname=\"$expect_path\"" "$TMP/weird.c"
check "hostile path: no system() call in the script's code" \
	sh -c "! sed 's/\"\\([^\"\\\\]\\|\\\\.\\)*\"//g' '$LAST' | grep -q 'system'"

nl_dir="$TMP/new
line"
mkdir -p "$nl_dir" && cp "$PY311" "$nl_dir/python3.11"
expect_exit "a path with a newline is refused, not mangled" 1 \
	"$PYTRACE" --engine stap --print-script --python "$nl_dir/python3.11"
one_line_error "newline path"
mkdir -p "$TMP/gl*ob" && cp "$PY311" "$TMP/gl*ob/python3.11"
expect_exit "a path with a glob character is refused" 1 \
	"$PYTRACE" --engine stap --print-script --python "$TMP/gl*ob/python3.11"
check "the glob refusal names the way out" grep -q 'engine bpf' "$TMP/err"

# --- the tapset and scripts/ -------------------------------------------------
mkdir -p "$TMP/tapset"
if "$PYTRACE" tapset > "$TMP/tapset/pytrace.stp" 2> "$TMP/err"; then
	ok "pytrace tapset (default $PY311)"
else
	fail "pytrace tapset"; sed 's/^/# /' "$TMP/err"
fi
cat > "$TMP/all_aliases.stp" <<'EOF'
probe pytrace.function.entry  { printf("%s %s %d\n", filename, funcname, lineno) }
probe pytrace.function.return { printf("%s %s %d\n", filename, funcname, lineno) }
probe pytrace.line            { printf("%s %s %d\n", filename, funcname, lineno) }
probe pytrace.gc.start        { printf("%d\n", generation) }
probe pytrace.gc.done         { printf("%d\n", collected) }
probe pytrace.import.find_load.start { printf("%s\n", modulename) }
probe pytrace.import.find_load.done  { printf("%s %d\n", modulename, found) }
probe pytrace.audit           { printf("%s\n", event) }
EOF
p3 "tapset: every alias" "$TMP/all_aliases.stp" -I "$TMP/tapset"
echo 'probe pytrace.function.entry { printf("%s\n", funcname) }' > "$TMP/entry_only.stp"
stap -p2 -r "$STANDIN" -I "$TMP/tapset" "$TMP/entry_only.stp" > "$TMP/p2.out" 2>/dev/null
check "tapset (3.11): pytrace.function.entry keeps the line probe at pass 2" \
	grep -q "statement($line_pc)" "$TMP/p2.out"
for s in "$TOP"/scripts/*.stp; do
	p3 "scripts/$(basename "$s") on the tapset" "$s" -I "$TMP/tapset"
done
if [ -x "$EMBED" ]; then
	mkdir -p "$TMP/tapset-lib"
	"$PYTRACE" tapset "$EMBED" > "$TMP/tapset-lib/pytrace.stp"
	p3 "tapset for a libpython interpreter: every alias" "$TMP/all_aliases.stp" -I "$TMP/tapset-lib"
fi
mkdir -p "$TMP/tapset-sdt"
"$PYTRACE" tapset "$SDT" > "$TMP/tapset-sdt/pytrace.stp"
echo 'probe pytrace.function.entry, pytrace.function.return { printf("%s\n", funcname) }' > "$TMP/calls.stp"
p3 "tapset for the SDT fixture" "$TMP/calls.stp" -I "$TMP/tapset-sdt"
expect_exit "pytrace tapset on a marker-less file exits 4" 4 "$PYTRACE" tapset /bin/true
one_line_error "tapset /bin/true"

done_testing
