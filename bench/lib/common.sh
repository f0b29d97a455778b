# Sourced by the benches after `cd` to the top of the tree: what they all
# start with and how they read their runs.

# bench_init [WHY-ROOT]: PYTRACE (this tree's build unless set), PY (CPython
# 3.11 unless set), W (a work directory, removed at exit); a SKIP line and
# exit 0 without root (WHY-ROOT says what for) or without PY.
bench_init() {
	PYTRACE=${PYTRACE:-$PWD/build/pytrace}
	PY=${PY:-/usr/bin/python3.11}
	if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (${1:-uprobes, BPF})"; exit 0; fi
	[ -x "$PY" ] || { echo "SKIP: $PY not installed"; exit 0; }
	W=$(mktemp -d /tmp/pytrace-bench.XXXXXX)
	trap 'rm -rf "$W"' EXIT
}

# lost_of NAME [NONE]: the events run NAME lost, from pytrace's report on
# $W/NAME.err or top's final table header in $W/NAME.out; NONE ("?")
# when neither says.
lost_of() {
	{ grep -oE '[0-9]+ (events )?lost' "$W/$1.err"; grep -sE '^# pytrace top \(final\)' "$W/$1.out" |
		grep -oE '[0-9]+ lost'; } | head -1 | grep -oE '^[0-9]+' || echo "${2:-?}"
}

# over_floor T FLOOR UNTRACED [NONE]: a tracer's overhead as a multiple of
# the floor's, (T - UNTRACED) / (FLOOR - UNTRACED); NONE ("n/a") without a
# time or a floor above untraced.
over_floor() {
	awk -v t="$1" -v f="$2" -v u="$3" -v none="${4:-n/a}" 'BEGIN {
		if (t == "" || f == "" || f - u <= 0) print none; else printf "%.2f", (t - u) / (f - u) }'
}
