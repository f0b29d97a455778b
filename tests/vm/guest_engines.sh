# Runs INSIDE the stapvm guest (tests/e2e/stap_live_engines.sh starts it):
# the same program traced by --engine stap and --engine bpf gives the same
# call/return sequence per thread (>= 100k events), and the tapset and the
# ready scripts run live.  TAP on stdout.  $HOSTTMP is the host's $TMP.
. "$TOP/tests/lib.sh"
DATA="$TOP/tests/e2e/data"
K="$DATA/known_tree.py"
W="$DATA/equiv_threads.py"
calls_of() { "$PY311" "$DATA/calls_of.py" "$@"; }

# 1. engine equivalence
for e in stap bpf; do
	t0=$(date +%s)
	expect_exit "equivalence: --engine $e traced" 0 timeout -s INT -k 30 400 \
		"$PYTRACE" --engine "$e" -f json -c "$PY311 $W"
	diag "--engine $e: $(($(date +%s) - t0)) s; $(grep '^pytrace: [0-9]* events' "$TMP/err")"
	grep -q 'compiling the probe module' "$TMP/err" && fail "--engine $e: used the precompiled module"
	calls_of "$W" --per-thread <"$TMP/out" | "$PY311" "$DATA/per_thread.py" >"$TMP/seq.$e"
done
n=$(wc -l <"$TMP/seq.stap")
check "equivalence: at least 100k call/return events ($n)" test "$n" -ge 100000
if cmp -s "$TMP/seq.stap" "$TMP/seq.bpf"; then
	ok "equivalence: stap and bpf give the same call/return sequence per thread"
else
	fail "equivalence: stap and bpf give the same call/return sequence per thread"
	diff "$TMP/seq.stap" "$TMP/seq.bpf" | head -10 | sed 's/^/# /'
fi
check "equivalence: 3 threads" test "$(cut -d' ' -f1 "$TMP/seq.stap" | sort -u | wc -l)" -eq 3

# 2. the tapset and scripts/calltree.stp: the known program's tree
"$PY311" "$DATA/profile_tree.py" "$K" >"$TMP/expect"
expect_exit "scripts/calltree.stp runs live" 0 timeout -s INT -k 30 200 \
	stap -I "$HOSTTMP/tapset" "$TOP/scripts/calltree.stp" -c "$PY311 $K"
grep -q 'Pass 3: translated' "$TMP/err" && fail "calltree.stp: used the precompiled module"
grep -F " in $K:" "$TMP/out" | sed -E 's/^.*: +(=>|<=) ([^ ]*) in .*/\1 \2/; s/^=>/call/; s/^<=/return/' >"$TMP/got"
if cmp -s "$TMP/expect" "$TMP/got"; then
	ok "calltree.stp: the known program's calls and returns in order ($(wc -l <"$TMP/got"))"
else
	fail "calltree.stp: the known program's calls and returns in order"
	diff "$TMP/expect" "$TMP/got" | head -10 | sed 's/^/# /'
fi
grep -E ' => recurse' "$TMP/out" | head -3 | sed 's/^/# /'
check "calltree.stp: indented by depth" grep -qE '^ *[0-9]+ python3.11\([0-9]+\):  +=> recurse' "$TMP/out"

# 3. scripts/top.stp: the most entered functions, every second, on a
#    4-second loop (spin.py, written by the host)
expect_exit "scripts/top.stp runs live" 0 timeout -s INT -k 30 200 \
	stap -I "$HOSTTMP/tapset" "$TOP/scripts/top.stp" -c "$PY311 $HOSTTMP/spin.py"
grep -q 'Pass 3: translated' "$TMP/err" && fail "top.stp: used the precompiled module"
check "top.stp: prints its table" grep -q 'FUNCTION' "$TMP/out"
check "top.stp: the hot function leads with a count" grep -qE "$HOSTTMP/spin.py +[0-9]+ +hot +[1-9][0-9]*" "$TMP/out"
grep -E ' hot ' "$TMP/out" | head -2 | sed 's/^/# /'
done_testing
