#!/bin/bash
# In-kernel aggregation (-f summary alone, pytrace top) against the floor,
# under CPython 3.11, on two workloads: recursive fib (FIB_N=25: 242,785
# calls) and a stdlib mix (json, re, difflib, dataclasses, collections:
# the calls of a small real program).  One table per workload:
#   untraced | floor: the marker probes with empty programs, the 3.11 entry
#   fix by semaphore (PYTRACE_FLOOR=1, for benches only) | -f json -o FILE |
#   -f summary (in the kernel) | -f summary --no-kernel-summary | top
# Times are the traced program's CPU time (user+sys, where the probes'
# cost lands: steadier than wall time on a shared machine), best of RUNS,
# and wall time.  "overhead/floor" = (config - untraced) / (floor -
# untraced) in CPU time.  Target: in-kernel summary and top within 1.15x.
cd "$(dirname "$0")/.." || exit 2
. bench/lib/common.sh
. bench/lib/workloads.sh
N=${FIB_N:-25}
RUNS=${RUNS:-3}
bench_init
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time not installed (apt-get install time)"; exit 0; }
bench_fib "$W/fib.py"
bench_stdlib "$W/stdlib.py"

declare -A CPU WALL
# run NAME CMD...: CMD traces "$TARGET" (the program runs under /usr/bin/time)
run() {
	local name=$1; shift
	local i t0 t1 cpu best=""
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		"$@" >"$W/$name.out" 2>"$W/$name.err"
		t1=$(date +%s%N)
		cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$W/cpu")
		if [ -z "$best" ] || awk -v a="$cpu" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$cpu
			WALL[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		fi
	done
	CPU[$name]=$best
}
ratio() { over_floor "${CPU[$1]}" "${CPU[floor]}" "${CPU[untraced]}"; }

# The floor needs pytrace's PYTRACE_FLOOR switch.
has_floor=0
grep -q PYTRACE_FLOOR "$PYTRACE" && has_floor=1
has_top=0
"$PYTRACE" top --help >/dev/null 2>&1 && has_top=1

bench() {
	local label=$1 prog=$2
	local TARGET="/usr/bin/time -f '%U %S' -o $W/cpu $prog"
	$prog >/dev/null                          # warm the page cache and .pyc files
	CPU=() WALL=()
	run untraced bash -c "$TARGET"
	if [ $has_floor = 1 ]; then
		run floor env PYTRACE_FLOOR=1 "$PYTRACE" --engine bpf -f raw -o /dev/null -c "$TARGET"
	fi
	run json "$PYTRACE" --engine bpf -f json -o "$W/trace.json" -c "$TARGET"
	run summary "$PYTRACE" --engine bpf -f summary -c "$TARGET"
	run user "$PYTRACE" --engine bpf -f summary --no-kernel-summary -c "$TARGET"
	[ $has_top = 1 ] && run top "$PYTRACE" top --engine bpf -c "$TARGET"
	grep -q "aggregated in the kernel" "$W/summary.err" ||
		echo "WARNING: -f summary did not aggregate in the kernel: $(tail -1 "$W/summary.err")"
	echo "workload: $label under $PY, best CPU of $RUNS runs"
	printf '%-36s %9s %9s %14s %8s\n' "configuration" "CPU (s)" "wall (s)" "overhead/floor" "lost"
	printf '%-36s %9s %9s %14s %8s\n' "untraced" "${CPU[untraced]}" "${WALL[untraced]}" "-" "-"
	[ $has_floor = 1 ] &&
		printf '%-36s %9s %9s %14s %8s\n' "floor (empty probes)" "${CPU[floor]}" "${WALL[floor]}" "1.00" "-"
	local f=floor; [ $has_floor = 1 ] || f=""
	for c in json summary user top; do
		[ -n "${CPU[$c]:-}" ] || continue
		case $c in
		json) name="pytrace -f json -o FILE" ;;
		summary) name="pytrace -f summary (in the kernel)" ;;
		user) name="pytrace -f summary --no-kernel-summary" ;;
		top) name="pytrace top (plain tables)" ;;
		esac
		printf '%-36s %9s %9s %14s %8s\n' "$name" "${CPU[$c]}" "${WALL[$c]}" \
			"$([ -n "$f" ] && ratio $c || echo n/a)" "$(lost_of $c -)"
	done
	if [ $has_floor = 1 ]; then
		awk -v s="$(ratio summary)" -v t="$( [ -n "${CPU[top]:-}" ] && ratio top || echo n/a)" 'BEGIN {
			printf "in-kernel summary within 1.15x floor: %s", (s != "n/a" && s <= 1.15) ? "yes" : "NO"
			if (t != "n/a") printf "; top: %s", (t <= 1.15) ? "yes" : "NO"
			printf "\n" }'
	else
		echo "no floor: this pytrace has no PYTRACE_FLOOR switch"
	fi
	echo
}

bench "fib($N)" "$PY $W/fib.py $N"
bench "stdlib mix (json, re, difflib, dataclasses)" "$PY $W/stdlib.py"
