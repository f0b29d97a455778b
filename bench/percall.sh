#!/bin/bash
# Per-event tracing against its physical limit (issue #16), CPython 3.11:
# fib(FIB_N=25) and a realistic stdlib workload (regex, dataclasses, json,
# Counter), each timed by the program itself: the CPU time its process
# spent on the work (time.process_time: where the traps and BPF programs
# land; steadier than wall time on a shared host; start-up and attaching
# not charged), BENCH_RUNS=5 rounds of every configuration in turn, the
# median of each, as a slowdown against untraced:
#   untraced | the floor (pytrace's own BPF program with empty bodies on
#   entry+return, the 3.11 semaphore raised without a line probe:
#   PYTRACE_FLOOR=1, for this bench only; FLOOR_PYTRACE: another build's
#   floor, for a build without it) | pytrace -f raw, -f json, -f text
#   to a file | bpftrace printing each entry/return, and its floor (empty
#   probes; it must probe `line` to raise that semaphore) | an in-process
#   sys.setprofile tracer writing each call and return to a file.
# "vs floor" is pytrace's overhead over untraced divided by the floor's
# (goal: -f raw within 1.3).  Then the bytes each event takes in the ring
# (PYTRACE_RING_STATS), beside what the per-event-strings records used
# before code ids took (computed from the raw trace's strings), and the SDT
# fixture's flood (entry+return only, FLOOD_N=2M events): events/s end to
# end and events lost at the default buffer size.
cd "$(dirname "$0")/.." || exit 2
. bench/lib/common.sh
. bench/lib/workloads.sh
N=${FIB_N:-25}
RUNS=${BENCH_RUNS:-5}
bench_init
# Each workload writes its own CPU time (seconds) to the file named by
# $BENCH_TIME.
bench_fib "$W/fib.py" cpu
bench_mix "$W/mix.py" cpu
# The in-process peer: sys.setprofile writing one line per call and return.
cat >"$W/setprofile.py" <<'PYEOF'
import os, sys
out = open(os.environ["BENCH_TRACE"], "w", buffering=1 << 20)
def profiler(frame, event, arg):
    if event == "call" or event == "return":
        co = frame.f_code
        out.write("%s %s %s:%d\n" % (event, co.co_name, co.co_filename, frame.f_lineno))
script = sys.argv[1]
sys.argv = sys.argv[1:]
code = compile(open(script).read(), script, "exec")
sys.setprofile(profiler)
exec(code, {"__name__": "__main__", "__file__": script})
sys.setprofile(None)
out.close()
PYEOF
. bench/lib/bpftrace_scripts.sh
bpftrace_scripts "$PY" "$W"

have_bpftrace=false
command -v bpftrace >/dev/null && have_bpftrace=true
declare -A T TIMES calls events after before
# run NAME CMD...: one run of a workload by CMD, its in-process time added
# to NAME's (stdout/stderr of the last run in $W/NAME.*)
run() {
	local name=$1; shift
	rm -f "$W/time"
	BENCH_TIME=$W/time BENCH_TRACE=$W/setprofile.trace "$@" >"$W/$name.out" 2>"$W/$name.err"
	[ -s "$W/time" ] && TIMES[$name]+="$(cat "$W/time") "
}

slowdown() { awk -v t="${T[$1]}" -v u="${T[$2]}" 'BEGIN { if (t == "" || u <= 0) print "-"; else printf "%.1fx", t / u }'; }
vs_floor() { over_floor "${T[$1]}" "${T[$2]}" "${T[$3]}" -; }

# Rounds of every configuration in turn, so that a change in the host's
# load (it is shared) falls on all of them alike; the median of each.
for wl in fib mix; do
	args=$W/$wl.py
	[ $wl = fib ] && args="$W/fib.py $N"
	BENCH_TIME=/dev/null $PY $args   # warm the page cache
done
for ((round = 0; round < RUNS; round++)); do
	for wl in fib mix; do
		args=$W/$wl.py
		[ $wl = fib ] && args="$W/fib.py $N"
		CMD="$PY $args"
		run "$wl.untraced" $CMD
		run "$wl.floor" env PYTRACE_FLOOR=1 "${FLOOR_PYTRACE:-$PYTRACE}" --engine bpf -f raw -o /dev/null -c "$CMD"
		run "$wl.raw" env PYTRACE_RING_STATS=1 "$PYTRACE" --engine bpf -f raw -o "$W/$wl.raw" -c "$CMD"
		run "$wl.json" "$PYTRACE" --engine bpf -f json -o "$W/$wl.json" -c "$CMD"
		run "$wl.text" "$PYTRACE" --engine bpf -f text -o "$W/$wl.txt" -c "$CMD"
		if $have_bpftrace; then
			run "$wl.btflow" bpftrace "$W/flow.bt" -c "$CMD"
			run "$wl.btfloor" bpftrace "$W/empty.bt" -c "$CMD"
		fi
		run "$wl.setprofile" "$PY" "$W/setprofile.py" $args
	done
done
for name in "${!TIMES[@]}"; do
	T[$name]=$(printf '%s\n' ${TIMES[$name]} | sort -g | awk '{ v[NR] = $1 } END {
		if (NR) print v[int((NR + 1) / 2)] }')
done
for wl in fib mix; do
	calls[$wl]=$(grep -cE '^call ' "$W/$wl.raw")
	events[$wl]=$(grep -cE '^(call|return) ' "$W/$wl.raw")
	# Bytes per event in the ring: this build's (its own count), and what
	# records carrying both strings per event took (header 32 bytes, the
	# strings, 8-byte aligned, plus the ring's 8-byte header).
	after[$wl]=$(grep -oE '[0-9.]+ bytes per event' "$W/$wl.raw.err" | grep -oE '^[0-9.]+' || echo "-")
	before[$wl]=$(awk '/^(call|return) / {
		f = $6; g = $7; s = 32 + length(f) - 2 + length(g) - 2
		t += int((s + 7) / 8) * 8 + 8; n++ } END { if (n) printf "%.1f", t / n }' "$W/$wl.raw")
	rm -f "$W/$wl.raw" "$W/$wl.json" "$W/$wl.txt" "$W/setprofile.trace"
done

echo "workloads: fib($N) and the stdlib mix under $PY; the workload's CPU time, median of $RUNS"
echo "           (fib: ${calls[fib]} calls, mix: ${calls[mix]} calls in pytrace's raw trace)"
printf '%-40s %10s %8s %10s %8s %8s %10s %8s %8s\n' "tracer" "fib (s)" "slowdown" "vs floor" "lost" \
	"mix (s)" "slowdown" "vs floor" "lost"
row() {   # LABEL NAME LOST?
	local label=$1 n=$2 lf=- lm=-
	[ "${3:-}" = lost ] && { lf=$(lost_of "fib.$n"); lm=$(lost_of "mix.$n"); }
	printf '%-40s %10s %8s %10s %8s %8s %10s %8s %8s\n' "$label" "${T[fib.$n]:--}" \
		"$(slowdown "fib.$n" fib.untraced)" "$(vs_floor "fib.$n" fib.floor fib.untraced)" "$lf" \
		"${T[mix.$n]:--}" "$(slowdown "mix.$n" mix.untraced)" \
		"$(vs_floor "mix.$n" mix.floor mix.untraced)" "$lm"
}
row "untraced" untraced
row "pytrace floor (empty BPF bodies)" floor
row "pytrace -f raw -o file" raw lost
row "pytrace -f json -o file" json lost
row "pytrace -f text -o file" text lost
if $have_bpftrace; then
	row "bpftrace flow (printf each entry/return)" btflow
	row "bpftrace floor (empty entry/return/line)" btfloor
	for wl in fib mix; do
		printed=$(grep -cE ' (->|<-) ' "$W/$wl.btflow.out")
		blost=$(grep -oE 'Lost [0-9]+' "$W/$wl.btflow.out" "$W/$wl.btflow.err" | grep -oE '[0-9]+' |
			paste -sd+ | bc 2>/dev/null)
		echo "bpftrace flow, $wl: printed $printed of ${events[$wl]} events (${blost:-0} lost, last run)"
	done
else
	echo "bpftrace not installed (make deps installs it): no bpftrace rows"
fi
row "in-process sys.setprofile writer" setprofile
for wl in fib mix; do
	echo "ring bytes per event, $wl: ${after[$wl]} (per-event strings, before #16: ${before[$wl]})"
done
awk -v r="$(vs_floor fib.raw fib.floor fib.untraced)" -v m="$(vs_floor mix.raw mix.floor mix.untraced)" \
	-v p="${T[fib.raw]}" -v s="${T[fib.setprofile]}" 'BEGIN {
	printf "-f raw within 1.3x of the floor: fib %s, mix %s; below the setprofile writer on fib: %s\n",
		(r != "-" && r <= 1.3) ? "yes" : "NO", (m != "-" && m <= 1.3) ? "yes" : "NO",
		(p != "" && p < s) ? "yes" : "NO" }'

# The SDT fixture's flood: entry+return only, no interpreter in the way.
FIX=${FIXTURES:-$PWD/build/fixtures}/sdt_calls
FN=${FLOOD_N:-2000000}
if [ -x "$FIX" ]; then
	t0=$(date +%s%N)
	PYTRACE_RING_STATS=1 "$PYTRACE" --engine bpf --python "$FIX" -f raw -o "$W/flood.raw" \
		-c "$FIX flood $FN" >"$W/flood.out" 2>"$W/flood.err"
	t1=$(date +%s%N)
	got=$(grep -cE '^(call|return) ' "$W/flood.raw")
	fired=$(awk '/^fired/ { print $2 }' "$W/flood.out")
	echo "SDT fixture flood: fired ${fired:-?}, received $got, lost $(lost_of flood) (default buffer);" \
		"$(awk -v n="$got" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f M events/s end to end (%.2f s)", n / ((b - a) / 1e9) / 1e6, (b - a) / 1e9 }')"
	reader=$(grep -oE '[0-9.]+ M events per CPU second' "$W/flood.err")
	[ -n "$reader" ] && echo "  pytrace's own CPU (reader, -f raw writer): $reader"
	rm -f "$W/flood.raw"
fi
