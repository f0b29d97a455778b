# Runs INSIDE the stapvm guest (bench/stap_vm.sh starts it): each workload
# untraced, with --engine stap and with --engine bpf, one run each, in one
# boot.  Prints one table; the workloads time themselves (the time the
# program took, without stap's start-up), pytrace's wall time is shown too.
# $1: the host's shared directory holding the workloads.
W=$1
PY=/usr/bin/python3.11
PYTRACE=${PYTRACE:?}
# run NAME ENGINE CMD: workload seconds (its own stderr line), wall seconds
run() {
	local t0 t1 wl
	t0=$(date +%s%N)
	if [ "$2" = none ]; then
		$3 >/dev/null 2>"$W/err"
	else
		"$PYTRACE" --engine "$2" -f raw -o /dev/null -c "$3" 2>"$W/err"
	fi
	t1=$(date +%s%N)
	wl=$(sed -n 's/^workload: //p' "$W/err" | tail -1)
	lost=$(sed -n 's/^pytrace: .* \([0-9]*\) lost,.*/\1/p' "$W/err")
	calls=$(sed -n 's/^pytrace: [0-9]* events, \([0-9]*\) calls.*/\1/p' "$W/err")
	echo "$1 $2 $wl $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }') ${calls:--} ${lost:--}"
}
for w in "fib $PY $W/fib.py ${FIB_N:-25}" "realistic $PY $W/realistic.py"; do
	name=${w%% *} cmd=${w#* }
	for e in none stap bpf; do run "$name" "$e" "$cmd"; done
done >"$W/results"
awk '
	{ wl[$1, $2] = $3; wall[$1, $2] = $4; calls[$1, $2] = $5; lost[$1, $2] = $6; if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
	END {
		printf "%-10s %-6s %10s %8s %10s %8s %8s\n", "workload", "engine", "program_s", "ratio", "wall_s", "calls", "lost"
		for (i = 0; i < n; i++) {
			w = order[i]
			split("none stap bpf", es, " ")
			for (j = 1; j <= 3; j++) {
				e = es[j]
				r = wl[w, "none"] > 0 ? sprintf("%.1fx", wl[w, e] / wl[w, "none"]) : "-"
				printf "%-10s %-6s %10s %8s %10s %8s %8s\n", w, e == "none" ? "-" : e, wl[w, e], r, wall[w, e], calls[w, e], lost[w, e]
			}
			if (wl[w, "bpf"] > 0)
				printf "%-10s stap/bpf: %.2f\n", w, wl[w, "stap"] / wl[w, "bpf"]
		}
	}' "$W/results"
