#!/bin/bash
# Tracing overhead of the bpf engine on a call-heavy workload (recursive fib,
# FIB_N=27: 635,621 calls) under CPython 3.11, one run each:
#   untraced | pytrace > /dev/null (text) | pytrace -f raw to a file |
#   a bpftrace script printing the same flow (entry/return, tid, depth) |
#   bpftrace with empty actions on the same probes (the uprobe cost floor).
# bpftrace cannot raise the `line` semaphore without probing the line site,
# so its scripts probe `line` too (needed on 3.11 for function__entry).
# Targets: pytrace's overhead above untraced within 1.3x the floor's; pytrace
# faster than the bpftrace flow script; no events lost.
# The CPython floor traps every line (bpftrace's only way to raise the line
# semaphore) while pytrace raises it without a probe, so a second table runs
# the SDT fixture's flood (entry/return only, no line marker): there both
# tools pay for exactly the same two probes.
cd "$(dirname "$0")/.." || exit 2
. bench/lib/common.sh
. bench/lib/workloads.sh
N=${FIB_N:-27}
bench_init
bench_fib "$W/fib.py"
. bench/lib/bpftrace_scripts.sh
bpftrace_scripts "$PY" "$W"

CMD="$PY $W/fib.py $N"
declare -A T
# wall NAME CMD...: wall time in seconds of CMD (stdout/stderr to $W/NAME.*)
wall() {
	local name=$1; shift
	local t0 t1
	t0=$(date +%s%N)
	"$@" >"$W/$name.out" 2>"$W/$name.err"
	t1=$(date +%s%N)
	T[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
}

$CMD                                   # warm the page cache
wall untraced $CMD
wall pytrace_null "$PYTRACE" --engine bpf -o /dev/null -c "$CMD"
wall pytrace_raw "$PYTRACE" --engine bpf -f raw -o "$W/trace.raw" -c "$CMD"
if command -v bpftrace >/dev/null; then
	wall bpftrace_flow bpftrace "$W/flow.bt" -c "$CMD"
	wall bpftrace_empty bpftrace "$W/empty.bt" -c "$CMD"
fi

ratio() { over_floor "$1" "$2" "${T[untraced]}"; }

calls=$("$PY" -c "
def c(n): return 1 if n < 2 else 1 + c(n-1) + c(n-2)
print(c($N))")
echo "workload: fib($N) = $calls calls under $PY"
printf '%-34s %9s %12s %8s\n' "configuration" "wall (s)" "overhead/floor" "lost"
printf '%-34s %9s %12s %8s\n' "untraced" "${T[untraced]}" "-" "-"
printf '%-34s %9s %12s %8s\n' "pytrace (text) > /dev/null" "${T[pytrace_null]}" \
	"$(ratio "${T[pytrace_null]}" "${T[bpftrace_empty]:-0}")" "$(lost_of pytrace_null)"
printf '%-34s %9s %12s %8s\n' "pytrace -f raw > file" "${T[pytrace_raw]}" \
	"$(ratio "${T[pytrace_raw]}" "${T[bpftrace_empty]:-0}")" "$(lost_of pytrace_raw)"
if [ -n "${T[bpftrace_flow]:-}" ]; then
	blost=$(grep -oE 'Lost [0-9]+' "$W/bpftrace_flow.out" "$W/bpftrace_flow.err" | grep -oE '[0-9]+' | paste -sd+ | bc 2>/dev/null)
	printf '%-34s %9s %12s %8s\n' "bpftrace flow script" "${T[bpftrace_flow]}" \
		"$(ratio "${T[bpftrace_flow]}" "${T[bpftrace_empty]}")" "${blost:-0}"
	printf '%-34s %9s %12s %8s\n' "bpftrace empty actions (floor)" "${T[bpftrace_empty]}" "1.00" "-"
	flow_events=$(grep -cE ' (->|<-) ' "$W/bpftrace_flow.out")
	echo "bpftrace flow printed $flow_events events; pytrace raw wrote $(grep -cE '^(call|return) ' "$W/trace.raw")"
	verdict=$(awk -v p="${T[pytrace_null]}" -v f="${T[bpftrace_flow]}" -v r="$(ratio "${T[pytrace_null]}" "${T[bpftrace_empty]}")" \
		'BEGIN { printf "overhead within 1.3x floor: %s; faster than bpftrace flow: %s", (r != "n/a" && r <= 1.3) ? "yes" : "NO", (p < f) ? "yes" : "NO" }')
	echo "$verdict"
else
	echo "bpftrace not installed: no comparison"
fi

# Same two probes, no line marker: the SDT fixture's flood.
FIX=${FIXTURES:-$PWD/build/fixtures}/sdt_calls
FN=${FLOOD_N:-2000000}
if [ -x "$FIX" ] && command -v bpftrace >/dev/null; then
	cat >"$W/fix_empty.bt" <<BTEOF
usdt:$FIX:python:function__entry { }
usdt:$FIX:python:function__return { }
BTEOF
	unset 'T[untraced]'
	wall untraced "$FIX" flood "$FN"
	wall fix_pytrace "$PYTRACE" --engine bpf -o /dev/null -c "$FIX flood $FN"
	wall fix_raw "$PYTRACE" --engine bpf -f raw -o "$W/fix.raw" -c "$FIX flood $FN"
	wall fix_empty bpftrace "$W/fix_empty.bt" -c "$FIX flood $FN"
	echo
	echo "workload: SDT fixture flood, $FN entry/return events (no line marker)"
	printf '%-34s %9s %12s %8s\n' "configuration" "wall (s)" "overhead/floor" "lost"
	printf '%-34s %9s %12s %8s\n' "untraced" "${T[untraced]}" "-" "-"
	printf '%-34s %9s %12s %8s\n' "pytrace (text) > /dev/null" "${T[fix_pytrace]}" \
		"$(ratio "${T[fix_pytrace]}" "${T[fix_empty]}")" "$(lost_of fix_pytrace)"
	printf '%-34s %9s %12s %8s\n' "pytrace -f raw > file" "${T[fix_raw]}" \
		"$(ratio "${T[fix_raw]}" "${T[fix_empty]}")" "$(lost_of fix_raw)"
	printf '%-34s %9s %12s %8s\n' "bpftrace empty actions (floor)" "${T[fix_empty]}" "1.00" "-"
	awk -v r="$(ratio "${T[fix_pytrace]}" "${T[fix_empty]}")" \
		'BEGIN { printf "fixture: overhead within 1.3x floor: %s\n", (r != "n/a" && r <= 1.3) ? "yes" : "NO" }'
fi
