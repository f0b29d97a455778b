#!/bin/bash
# What `pytrace -c` costs the rest of the host and each new process.
#  1. A bystander: a python loop running the same interpreter file outside
#     the command (a private copy of CPython 3.11, so no other tracer on the
#     host touches it), its tick rate per 0.2 s untraced, then while
#     `pytrace -c` traces a mostly idle command of that file.  Target: the
#     bystander keeps >= 90% of its rate.
#  2. Attach cost per new process: N pythons started one after another by
#     the command (each exec of a python is held while its semaphores go up),
#     and N forks of a python (nothing to do: the child inherits them),
#     traced minus untraced wall time, divided by N.
# One run each, on whatever else the machine is doing: read the ratios with
# the load average printed below.
cd "$(dirname "$0")/.." || exit 2
PYTRACE=${PYTRACE:-$PWD/build/pytrace}
PY311=${PY:-/usr/bin/python3.11}
DATA=$PWD/tests/e2e/data
N=${BYSTANDER_N:-20}

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (uprobes, BPF)"; exit 0; fi
[ -x "$PY311" ] || { echo "SKIP: $PY311 not installed"; exit 0; }
W=$(mktemp -d /tmp/pytrace-bench.XXXXXX)
trap 'kill "$BY" 2>/dev/null; rm -rf "$W"' EXIT
cp "$PY311" "$W/python3.11"
PY=$W/python3.11

median() { sort -n | awk '{v[NR]=$1} END {print NR ? v[int((NR+1)/2)] : 0}'; }
# rates FROM TO: median of the bystander's rates on output lines FROM..TO
rates() { sed -n "$1,$2p" "$W/by.out" | grep -E '^[0-9]+$' | median; }
nlines() { wc -l <"$W/by.out"; }

"$PY" "$DATA/loop.py" >"$W/by.out" &
BY=$!
sleep 3
a=$(nlines)
sleep 3
b=$(nlines)
"$PYTRACE" --engine bpf -f raw -o "$W/idle.raw" -c "$PY $DATA/idle.py 6" 2>"$W/idle.err" &
tracer=$!
sleep 2
c=$(nlines)
sleep 3
d=$(nlines)
wait "$tracer"
kill "$BY"; wait "$BY" 2>/dev/null
untraced=$(rates "$((a + 1))" "$b")
during=$(rates "$((c + 1))" "$d")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "bystander (same interpreter file, outside the command), ticks per 0.2 s, medians:"
printf '  %-42s %10s\n' "untraced" "$untraced" "while pytrace -c traces an idle command" "$during"
awk -v u="$untraced" -v d="$during" 'BEGIN {
	if (u <= 0) { print "  ratio: n/a"; exit }
	r = 100 * d / u
	printf "  ratio traced-idle/untraced: %.0f%% (target >= 90%%: %s)\n", r, (r >= 90) ? "yes" : "NO" }'

# wall CMD...: seconds (stderr kept in $W/wall.err)
wall() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>"$W/wall.err"
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }'
}
EXECS="for i in \$(seq $N); do $PY -c pass; done"
FORKS="$PY -c 'import os
for i in range($N):
    p = os.fork()
    if p == 0:
        os._exit(0)
    os.waitpid(p, 0)'"
"$PY" -c pass
u_exec=$(wall sh -c "$EXECS")
t_exec=$(PYTRACE_HOLD_STATS=1 wall "$PYTRACE" --engine bpf -f raw -o "$W/e.raw" -c "$EXECS")
held=$(grep -oE 'held [0-9]+ processes, [0-9.]+ ms each' "$W/wall.err")
u_fork=$(wall sh -c "$FORKS")
t_fork=$(wall "$PYTRACE" --engine bpf -f raw -o "$W/f.raw" -c "$FORKS")
# pytrace's own start and stop, with a command that starts no python
t_none=$(wall "$PYTRACE" --engine bpf -f raw -o "$W/n.raw" -c "$PY -c pass")
u_none=$(wall "$PY" -c pass)
echo "attach cost per new process ($N of each; pytrace's own start/stop, $(awk -v a="$t_none" -v b="$u_none" 'BEGIN{printf "%.3f", a-b}') s, subtracted):"
awk -v n="$N" -v ue="$u_exec" -v te="$t_exec" -v uf="$u_fork" -v tf="$t_fork" -v tn="$t_none" -v un="$u_none" 'BEGIN {
	base = tn - un
	printf "  %-42s %8.1f ms (untraced %.1f ms each)\n", "python started by exec (held, raised)", 1000 * (te - ue - base) / n, 1000 * ue / n
	printf "  %-42s %8.1f ms (untraced %.1f ms each)\n", "python fork (inherits the raised counters)", 1000 * (tf - uf - base) / n, 1000 * uf / n }'
echo "  (an exec'd python's figure includes tracing its start-up calls; the hold"
echo "  itself, exec to resume, as pytrace measured it: ${held:-n/a})"
