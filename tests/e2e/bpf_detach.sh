#!/bin/bash
# Where a live trace ends and where it loses events:
# - detaching (--duration, Ctrl-C) cuts the trace at one point in time: the
#   probes go one by one, but no return may show up after the calls stopped;
# - events the full ring dropped are reported where the gap is, not only in
#   one record at the end;
# - -p on a process that is not a python says so.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

main() {
	bpf_ready || return 0
	private_python   # a python no other tracer on the host probes

	# --- detach point ---
	"$PYC" "$DATA/two_thread_loop.py" 30 > "$TMP/loop.out" &
	local pypid=$!
	for _ in $(seq 50); do grep -q ready "$TMP/loop.out" && break; sleep 0.1; done
	timeout 20 "$PYTRACE" -q -p "$pypid" --duration 1 -f json > "$TMP/d.json" 2>"$TMP/d.err"
	local rc=$?
	kill "$pypid" 2>/dev/null; wait "$pypid" 2>/dev/null
	check "-p --duration 1 exits 0" test "$rc" -eq 0
	# Attached mid-call, a thread's first returns have no call (the loop's
	# steps take 10 ms); after that, every return must have its call.
	"$PY311" - "$TMP/d.json" > "$TMP/d.check" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
late = [e for e in ev if e["kind"] == "return" and "dur" not in e and e["ts"] > 100e6]
calls = [e["ts"] for e in ev if e["kind"] == "call"]
print("late_orphans", len(late))
print("calls", len(calls))
print("last_ms", int(max(e["ts"] for e in ev) / 1e6))
PY
	diag "$(tr '\n' ' ' < "$TMP/d.check")"
	check "detach: the loop's calls were traced" awk '$1=="calls" && $2 > 50 {f=1} END {exit !f}' "$TMP/d.check"
	check "detach: no return without its call after the first 100 ms" \
		grep -qx "late_orphans 0" "$TMP/d.check"
	check "detach: the trace ends at --duration (<= 1.2 s after its start)" \
		awk '$1=="last_ms" && $2 <= 1200 {f=1} END {exit !f}' "$TMP/d.check"

	# --- losses located ---
	"$PYTRACE" -q --python "$FIX" --buffer-size 4K -f raw -o "$TMP/flood.raw" \
		-c "$FIX flood 600000" > "$TMP/flood.out" 2>"$TMP/flood.err"
	local nlost; nlost=$(grep -c '^lost ' "$TMP/flood.raw")
	diag "flood at 4K: $nlost lost records; $(tail -1 "$TMP/flood.err")"
	if [ "$nlost" -eq 0 ]; then
		skip "losses located: the 4K buffer lost nothing this time"
	else
		# some lost record is followed by marker events: it sits in the gap
		check "losses located: a lost record comes before later events" \
			awk '/^lost /{l=1; next} l && /^(call|return) /{f=1} END {exit !f}' "$TMP/flood.raw"
		local sum; sum=$(awk '/^lost /{s+=$5} END {print s+0}' "$TMP/flood.raw")
		check "losses located: lost records add up to the reported count ($sum)" \
			grep -q "$sum events were lost" "$TMP/flood.err"
	fi

	# --- not a python ---
	sleep 30 & local sp=$!
	expect_exit "-p on sleep: exit 4" 4 "$PYTRACE" -p "$sp"
	kill "$sp" 2>/dev/null; wait "$sp" 2>/dev/null
	check "-p on sleep: says it is not a python" grep -q "is not a python interpreter" "$TMP/err"
	check "-p on sleep: no engine line before the error" test "$(grep -c . "$TMP/err")" -eq 1
}
main
done_testing
