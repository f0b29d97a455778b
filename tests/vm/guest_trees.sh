# Runs INSIDE the stapvm guest (tests/e2e/stap_live.sh starts it): pytrace
# --engine stap, built on the host, traces real programs with the kernel
# module loaded.  TAP on stdout.  $HOSTTMP is the host test's $TMP, shared.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/faults.sh"
DATA="$TOP/tests/e2e/data"
K="$DATA/known_tree.py"
calls_of() { "$PY311" "$DATA/calls_of.py" "$@"; }
# st NAME STATUS PYTRACE-ARGS...: one stap run (2 min at most)
st() {
	local name=$1 want=$2; shift 2
	expect_exit "$name" "$want" timeout -s INT -k 30 120 "$PYTRACE" --engine stap "$@"
	if grep -q 'compiling the probe module' "$TMP/err"; then
		fail "$name: used the module precompiled on the host (stap compiled in the guest)"
	fi
	grep '^pytrace: [0-9]* events' "$TMP/err" | sed 's/^/# /'
}
# same_tree NAME EXPECT-FILE TRACE-FILE: the trace's calls equal the file's
same_tree() {
	if cmp -s "$2" "$3"; then
		ok "$1 ($(wc -l <"$3") events)"
	else
		fail "$1"
		diff "$2" "$3" | head -10 | sed 's/^/# /'
	fi
}

"$PY311" "$DATA/profile_tree.py" "$K" >"$TMP/expect"

# 1. the known program: recursion 500 deep, a class, a generator, an
#    exception through frames, a lambda, a comprehension
st "known program: traced" 0 -f raw -o "$TMP/known.raw" -c "$PY311 $K"
check "known program: no event lost" grep -q ' 0 lost, 0 input lines skipped' "$TMP/err"
check "known program: the script's end count arrived (not incomplete)" sh -c "! grep -q incomplete '$TMP/err'"
check "known program: 3.11 entry fix announced" grep -q 'line marker' "$TMP/err"
"$PYTRACE" --replay "$TMP/known.raw" -f json 2>/dev/null | calls_of "$K" >"$TMP/got"
same_tree "known program: tree equals sys.setprofile's" "$TMP/expect" "$TMP/got"
check "known program: 500-deep recursion complete" test "$(grep -c '^call recurse$' "$TMP/got")" -eq 501
check "one comm line per process (stapgen's return; fix)" test "$(grep -c '^comm ' "$TMP/known.raw")" -eq 1
awk '{ print $1 }' "$TMP/known.raw" | sort | uniq -c | sed 's/^/# kinds: /'

# 1b. -f summary from stap aggregates (stapgen_agg.c) against the user-space
#     summary of another run: the same rows and calls
st "in-kernel summary: stap aggregates" 0 -f summary -o "$TMP/kagg.txt" -c "$PY311 $DATA/agg_prog.py"
check "in-kernel summary: computed in the kernel" grep -q 'aggregated in the kernel.* 0 lost' "$TMP/err"
st "user-space summary of the same program" 0 -f summary --no-kernel-summary -o "$TMP/uagg.txt" \
	-c "$PY311 $DATA/agg_prog.py"
if "$PY311" "$DATA/summary_compare.py" "$TMP/kagg.txt" "$TMP/uagg.txt" >"$TMP/why"; then
	ok "in-kernel summary equals the user-space one ($(tail -1 "$TMP/why"))"
else
	fail "in-kernel summary equals the user-space one"; sed 's/^/# /' "$TMP/why" | head
fi
check "in-kernel summary: the call never returned" grep -q 'stuck (.*) \[1 never returned\]' "$TMP/kagg.txt"

# 2. 8 threads, each with its own tree
st "8 threads: traced" 0 -f json -c "$PY311 $DATA/threads_tree.py"
calls_of "$DATA/threads_tree.py" --per-thread <"$TMP/out" >"$TMP/got"
if "$PY311" "$DATA/threads_expect.py" <"$TMP/got" >"$TMP/why"; then
	ok "8 threads: each thread's tree exact"
else
	fail "8 threads: each thread's tree exact"; sed 's/^/# /' "$TMP/why" | head
fi

# 3. embedded libpython (markers in libpython3.11.so: process().library())
if [ -x "$FIXTURES/embed_py" ]; then
	st "embedded python: traced" 0 -f json -c "$FIXTURES/embed_py"
	calls_of "<embedded>" <"$TMP/out" | tr '\n' ' ' >"$TMP/got"
	check "embedded python: tree through libpython" test "$(cat "$TMP/got")" = \
		"call <module> call outer call inner return inner call inner return inner return outer return <module> "
else
	skip "embedded python: $FIXTURES/embed_py not built"
fi

# 4. wrappers: a shell script starting python (stap needs --python), env
printf '#!/bin/sh\n%s "$@"\necho wrapper-done >&2\n' "$PY311" >"$TMP/wrapper.sh"
chmod +x "$TMP/wrapper.sh"
st "via a shell wrapper (--python): traced" 0 -f json --python "$PY311" -c "$TMP/wrapper.sh $K"
calls_of "$K" <"$TMP/out" >"$TMP/got"
same_tree "via a shell wrapper: tree exact" "$TMP/expect" "$TMP/got"
check "via a shell wrapper: the command's stderr is its own" grep -q '^wrapper-done$' "$TMP/err"
PATH=/usr/bin:/bin st "via /usr/bin/env: traced" 0 -f json -c "/usr/bin/env python3.11 $K"
calls_of "$K" <"$TMP/out" >"$TMP/got"
same_tree "via /usr/bin/env: tree exact" "$TMP/expect" "$TMP/got"

# 5. exit status passthrough (0: every run above)
st "exit status 3" 3 -f raw -c "$PY311 -c 'import sys; sys.exit(3)'"
st "killed by SIGKILL: 128+9" 137 -f raw \
	-c "$PY311 -c 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)'"
st "killed by SIGTERM: 128+15" 143 -f raw \
	-c "$PY311 -c 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)'"

# 5b. the command's life is pytrace's, as with the bpf engine (supervise.h):
#     --duration stops stap and lets the command run to its end
st "--duration 1 -c: the command ran to its end, its status (7)" 7 -f raw --duration 1 \
	-c "$PY311 -c 'import time; time.sleep(4); raise SystemExit(7)'"
check "--duration: says the command runs on untraced" grep -q "runs on untraced" "$TMP/err"
#     SIGTERM to pytrace reaches the command's group, not a setsid daemon;
#     one ignoring SIGTERM is ended by the escalation; the daemon is named
cat >"$TMP/ignore.py" <<'PY'
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
open(sys.argv[1], "w").write("%d\n" % os.getpid())
time.sleep(120)
PY
"$PYTRACE" --engine stap -f raw -o "$TMP/term.raw" --python "$PY311" \
	-c "setsid $PY311 $DATA/spin.py $TMP/daemon.pid 120 & $PY311 $TMP/ignore.py $TMP/ignorer.pid & sleep 120" \
	2>"$TMP/term.err" &
tpid=$!
for _ in $(seq 600); do [ -s "$TMP/daemon.pid" ] && [ -s "$TMP/ignorer.pid" ] && break; sleep 0.2; done
daemon=$(cat "$TMP/daemon.pid" 2>/dev/null)
ignorer=$(cat "$TMP/ignorer.pid" 2>/dev/null)
sleep 1
kill -TERM "$tpid"
timeout 60 sh -c "while kill -0 $tpid 2>/dev/null; do sleep 0.2; done"
wait "$tpid"
rc=$?
grep -v '^pytrace: engine' "$TMP/term.err" | head -5 | sed 's/^/# /'
check "SIGTERM: pytrace exits with the command's status (143, got $rc)" test "$rc" -eq 143
check "SIGTERM: the setsid daemon lives on" kill -0 "${daemon:-0}"
check "SIGTERM: the process ignoring SIGTERM was ended by the escalation" \
	sh -c "[ -n '$ignorer' ] && ! grep -qE '^[^)]*\\) [^Z]' /proc/$ignorer/stat 2>/dev/null"
check "SIGTERM: the daemon still running is reported" grep -q "still run" "$TMP/term.err"
[ -n "$daemon" ] && kill "$daemon" 2>/dev/null

# 5c. exec: each image starts with an empty stack (the old image's calls
#     end there), as with the bpf engine
st "-c through two execs: traced" 0 -f json -c "$PY311 $DATA/exec_chain.py $PY311 0.05 $TMP/ex.pid"
check "-c exec: the three images' <module> calls all at depth 0" test "$(grep '"kind":"call"' "$TMP/out" |
	grep -c '"depth":0,"func":"<module>","file":"[^"]*exec_chain.py"')" -eq 3

# 5d. a command SIGKILL cannot end (stuck in the kernel: a frozen cgroup v1
#     freezer group holds it in state D): SIGINT still ends pytrace once the
#     escalation is over, naming the process, and stap is stopped (pytrace
#     waited on such a command without end, deaf to SIGINT)
stuck_command "$PY311" --engine stap --python "$PY311"

# 6. -p PID on a running loop, Ctrl-C (SIGINT) detaches
"$PY311" "$DATA/loop.py" >"$TMP/loop.out" &
lpid=$!
for _ in $(seq 100); do grep -q ready "$TMP/loop.out" && break; sleep 0.1; done
"$PYTRACE" --engine stap -f json -p "$lpid" >"$TMP/pid.out" 2>"$TMP/pid.err" &
tpid=$!
for _ in $(seq 240); do grep -q '"tick"' "$TMP/pid.out" 2>/dev/null && break; sleep 0.5; done
sleep 1
kill -INT "$tpid"
timeout 60 sh -c "while kill -0 $tpid 2>/dev/null; do sleep 0.2; done"
wait "$tpid"
rc=$?
check "-p PID, Ctrl-C: pytrace exits 0 after detaching (got $rc)" test "$rc" -eq 0
check "-p PID: the loop's calls were traced" grep -q '"func":"tick"' "$TMP/pid.out"
check "-p PID: the process lives on after detach" kill -0 "$lpid"
grep -q 'compiling the probe module' "$TMP/pid.err" && fail "-p PID: used the precompiled module"
grep '^pytrace: [0-9]* events' "$TMP/pid.err" | sed 's/^/# /'
lines=$(wc -l <"$TMP/loop.out")
for _ in $(seq 50); do [ "$(wc -l <"$TMP/loop.out")" -gt "$lines" ] && break; sleep 0.2; done
check "-p PID: the loop still runs after detach" test "$(wc -l <"$TMP/loop.out")" -gt "$lines"
kill "$lpid"; wait "$lpid" 2>/dev/null

# 7. the stap 4.8 / kernel 6.1.192 incompatibility, recognised: an
#    unpatched copy of stap's runtime (the guest's is fixed by stapvm)
if [ -d "$HOSTTMP/runtime-unpatched" ]; then
	SYSTEMTAP_RUNTIME=$HOSTTMP/runtime-unpatched "$PYTRACE" doctor >"$TMP/doc" 2>&1
	check "doctor names the stap 4.8 task_work incompatibility" \
		grep -q 'FAIL  stap vs kernel .*task_work_cancel.*systemtap 5.2' "$TMP/doc"
	check "doctor: --engine auto then picks bpf" grep -q 'auto will use: bpf' "$TMP/doc"
	grep 'stap vs kernel' "$TMP/doc" | sed 's/^/# /'
	SYSTEMTAP_RUNTIME=$HOSTTMP/runtime-unpatched expect_exit "--engine stap with the unpatched runtime: exit 5" 5 \
		"$PYTRACE" --engine stap -c "$PY311 -c pass"
	check "--engine stap: says what it is and how to fix it" grep -q 'task_work_cancel.*systemtap 5.2' "$TMP/err"
fi
"$PYTRACE" doctor >"$TMP/doc" 2>&1
check "doctor in the guest: stap can run, auto picks stap" grep -q 'auto will use: stap' "$TMP/doc"

# 8. lost events: a reader that stalls while a busy program runs fills
#    stap's buffers (--buffer-size 1 MiB); the loss is reported, the trace
#    is marked incomplete, and --strict fails with status 6
cat >"$TMP/busy.py" <<'PY'
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
fib(22)
PY
timeout -k 30 300 sh -c "'$PYTRACE' --engine stap --strict --buffer-size 1 -f raw -c '$PY311 $TMP/busy.py' 2>'$TMP/lost.err'; echo \$? > '$TMP/lost.rc'" |
	{ sleep 30; cat >"$TMP/lost.raw"; }
rc=$(cat "$TMP/lost.rc")
grep -E '^pytrace: ([0-9]+ events|the trace|stap: WARNING)' "$TMP/lost.err" | sed 's/^/# /'
calls=$(grep -c '^call .*"fib"' "$TMP/lost.raw")
diag "stalled reader: $calls of 57313 fib calls delivered"
if [ "$calls" -lt 57313 ]; then
	check "losses: --strict exits 6 (got $rc)" test "$rc" -eq 6
	check "losses: reported as lost" grep -Eq '[1-9][0-9]* (events|event) lost|at least [1-9]' "$TMP/lost.err"
else
	check "no loss with a stalled reader: --strict exits 0 (got $rc)" test "$rc" -eq 0
	skip "losses reported: the stalled reader lost nothing here"
fi
done_testing
