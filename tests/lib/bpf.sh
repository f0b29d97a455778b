# Shared by the bpf engine's live tests: tests/e2e/bpf_*.sh (sourced after
# tests/lib.sh) and the case runner (tests/lib/cases.sh).
DATA="$TOP/tests/e2e/data"
FIX="$FIXTURES/sdt_calls"

# bpf_engine: true when the bpf engine can trace here; otherwise false with
# the reason on stdout (a REQUIRES helper).  Decided once per test file.
bpf_engine() {
	if [ -z "${_BPF_WHY+set}" ]; then
		_BPF_WHY=""
		if ! is_root; then
			_BPF_WHY="bpf engine: needs root (uprobes, BPF)"
		elif [ ! -x "$PY311" ]; then
			_BPF_WHY="bpf engine: $PY311 is not installed"
		elif [ ! -x "$FIX" ]; then
			_BPF_WHY="bpf engine: $FIX not built (make check builds it)"
		else
			"$PYTRACE" --engine bpf --python "$FIX" -f raw -c "$FIX tree" \
				>"$TMP/ready.out" 2>"$TMP/ready.err"
			[ $? -eq 5 ] && _BPF_WHY="bpf engine cannot run here: $(head -1 "$TMP/ready.err")"
		fi
	fi
	[ -z "$_BPF_WHY" ] || { echo "$_BPF_WHY"; return 1; }
}

# bpf_ready: true when the bpf engine can trace here; otherwise one SKIP
# with the reason and false.
bpf_ready() {
	bpf_engine >"$TMP/why" || { skip "$(cat "$TMP/why")"; return 1; }
}

# root: true as root, else the reason (a REQUIRES helper)
root() { is_root || { echo "needs root"; return 1; }; }
# installed CMD: true when CMD is on PATH, else the reason
installed() { have "$1" || { echo "$1 is not installed"; return 1; }; }
# fixture NAME: true when the fixture NAME is built, else the reason
fixture() { [ -x "$FIXTURES/$1" ] || { echo "$FIXTURES/$1 not built (make check builds it)"; return 1; }; }

# calls_of FILE [--per-thread]: json trace on stdin -> "call F"/"return F"
# lines for the events of FILE (per thread: "TID call F", ...).
calls_of() { "${PYC:-$PY311}" "$DATA/calls_of.py" "$@"; }

# reference_tree PROG OUT: the call/return sequence sys.setprofile sees for
# PROG (the reference a traced tree must equal) into OUT; false when empty
reference_tree() {
	"${PYC:-$PY311}" "$DATA/profile_tree.py" "$1" >"$2" && [ -s "$2" ]
}

# tree_is EXPECTED FILE TRACE: the json TRACE's calls and returns in FILE
# are exactly those of EXPECTED (the differences printed when not)
tree_is() {
	calls_of "$2" <"$3" >"$3.calls"
	cmp -s "$1" "$3.calls" && return 0
	diff "$1" "$3.calls" | head -20
	return 1
}

# calls_line FILE TRACE: the json TRACE's calls and returns in FILE on one
# line ("call f0 call f1 return f1 ...")
calls_line() { calls_of "$1" <"$2" | tr '\n' ' ' | sed 's/ $//'; }

# fixture_thread_exact I TRACE: thread tI of "sdt_calls threads N" made
# exactly its tree (tI, then I+1 leafI calls) in the json TRACE
fixture_thread_exact() {
	local i=$1 want have n
	calls_of fixture.py --per-thread <"$2" | sort -s -n -k1,1 >"$2.threads"
	want="call t$i$(for _ in $(seq 0 "$i"); do printf ' call leaf%d return leaf%d' "$i" "$i"; done) return t$i"
	n=$(grep -E " (call|return) (t$i|leaf$i)\$" "$2.threads" | cut -d' ' -f1 | sort -u)
	have=$(grep "^$n " "$2.threads" | cut -d' ' -f2- | tr '\n' ' ' | sed 's/ $//')
	[ "$have" = "$want" ] || { echo "thread $i: got: $have"; return 1; }
}

# flood_accounted RAW OUT ERR: "sdt_calls flood N" traced into RAW (its
# stdout in OUT, pytrace's stderr in ERR): every event fired was received
# or reported lost.  RAW is removed (it is large).
flood_accounted() {
	local fired received lost
	fired=$(awk '/^fired/{print $2}' "$2")
	received=$(grep -cE '^(call|return) ' "$1")
	lost=$(grep -oE '[0-9]+ (events )?lost' "$3" | head -1 | grep -oE '^[0-9]+')
	lost=${lost:-0}
	rm -f "$1"
	echo "fired $fired, received $received, lost $lost"
	test -n "$fired" && [ "$fired" -gt 0 ] && [ $((received + lost)) -eq "$fired" ]
}

# flood_lost ERR: pytrace's stderr ERR reports lost events (else the reason)
flood_lost() {
	local lost
	lost=$(grep -oE '[0-9]+ (events )?lost' "$1" | head -1 | grep -oE '^[0-9]+')
	[ "${lost:-0}" -gt 0 ] ||
		{ echo "flood (4K buffer): nothing was lost this time; loss accounting not exercised"; return 1; }
}

# detach_stat NAME TRACE: from the json TRACE of a -p --duration 1 on
# data/two_thread_loop.py: "calls" (how many), "late_orphans" (returns
# without their call after the first 100 ms) or "last_ms" (the last event)
detach_stat() {
	"${PYC:-$PY311}" - "$1" "$2" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[2])]
late = [e for e in ev if e["kind"] == "return" and "dur" not in e and e["ts"] > 100e6]
calls = [e["ts"] for e in ev if e["kind"] == "call"]
print({"late_orphans": len(late), "calls": len(calls),
       "last_ms": int(max(e["ts"] for e in ev) / 1e6)}[sys.argv[1]])
PY
}
# python311: true when Debian's python3.11 is installed, else the reason
python311() { [ -x "$PY311" ] || { echo "$PY311 is not installed (apt-get install python3.11)"; return 1; }; }
