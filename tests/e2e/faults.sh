#!/bin/bash
# Faults around a live trace (bpf engine, real CPython 3.11): the traced
# process killed mid-trace, pytrace itself killed with SIGKILL (nothing may
# remain: probes, semaphores, BPF objects, tracefs events, temp files, a
# process left stopped), SIGINT/SIGTERM during a flood, the interpreter file
# replaced or deleted under a trace, and two pytraces on one process.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

# an array, not a function: "${TRACE[@]}" ... & must leave $! = pytrace's pid
TRACE=("$PYTRACE" --engine bpf)

# report_events ERRFILE: the event count of pytrace's end-of-trace line
report_events() { grep -oE '^pytrace: [0-9]+ events?' "$1" | grep -oE '[0-9]+' | tail -1; }

# raw_complete NAME RAW ERR: the raw trace holds every event received
# (one line each after the header; a "# pytrace-clock" comment line may
# end it), ends with a whole line, and every
# line parses (--replay --strict, nothing skipped)
raw_complete() {
	local name=$1 raw=$2 err=$3 events lines
	events=$(report_events "$err")
	lines=$(($(sed '/^#/d' "$raw" | wc -l) - 1))   # the header; comments (the clock) aside
	check "$name: output flushed (events reported $events, lines written $lines)" \
		test -n "$events" -a "$lines" -eq "${events:--1}"
	check "$name: output ends with a whole line" test "$(tail -c 1 "$raw" | od -An -c | tr -d ' ')" = '\n'
	"$PYTRACE" --replay "$raw" --strict -f json -o /dev/null 2>"$TMP/replay.err"
	local rc=$?
	check "$name: every line parses (--replay --strict, status $rc)" \
		sh -c "[ $rc -eq 0 ] && grep -q ' 0 input lines skipped' '$TMP/replay.err'"
}

target_killed_c() {
	"${TRACE[@]}" -f raw -o "$TMP/k.raw" -c "exec $PYC $DATA/spin.py $TMP/k.pid" 2>"$TMP/k.err" &
	local tp=$! pid
	pid=$(spin_pid "$TMP/k.pid")
	wait_size "$TMP/k.raw" 0 10   # the first MiB of events is out
	kill -KILL "$pid"
	wait_exit "$tp" 15
	check "target SIGKILLed (-c): status 128+9 (got $WAIT_RC)" test "$WAIT_RC" -eq 137
	check "target SIGKILLed (-c): reported with pid and signal" \
		grep -q "^pytrace: warning: PID $pid (python3.11) was killed by signal 9 (SIGKILL)" "$TMP/k.err"
	raw_complete "target SIGKILLed (-c)" "$TMP/k.raw" "$TMP/k.err"
}

target_killed_p() {
	start_spin kp
	local lp=$SPIN_PID tp
	attach_raw kp "$lp"
	tp=$TRACER_PID
	kill -KILL "$lp"
	wait_exit "$tp" 15
	check "target SIGKILLed (-p): pytrace detaches with status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	check "target SIGKILLed (-p): reported with pid and signal" \
		grep -q "^pytrace: warning: PID $lp (python3.11) was killed by signal 9 (SIGKILL)" "$TMP/kp.err"
	raw_complete "target SIGKILLed (-p)" "$TMP/kp.raw" "$TMP/kp.err"
	wait "$lp" 2>/dev/null

	# The target ends by itself while attached.
	start_spin ke 1.5 3
	lp=$SPIN_PID
	"${TRACE[@]}" -f raw -o "$TMP/ke.raw" -p "$lp" 2>"$TMP/ke.err" &
	tp=$!
	wait_exit "$tp" 15
	check "target exits (-p): pytrace notices, status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	check "target exits (-p): reported with its status" \
		grep -q "^pytrace: PID $lp (python3.11) exited with status 3" "$TMP/ke.err"
	raw_complete "target exits (-p)" "$TMP/ke.raw" "$TMP/ke.err"
	wait "$lp" 2>/dev/null
}

# Everything a SIGKILLed tracer TP could leave in process PID; IDS holds
# the BPF objects it had.
nothing_left() {
	local name=$1 tp=$2 pid=$3 ids=$4 left
	left=$(bpf_left "$ids")
	check "$name: its BPF programs, maps and links are gone ($(wc -l <"$ids") checked)" \
		test -s "$ids" -a -z "$left"
	[ -n "$left" ] && diag "left: $left"
	left=$(marker_dirty "$pid")
	check "$name: no breakpoint at a marker site, semaphores back to 0" test -z "$left"
	[ -n "$left" ] && diag "markers: $left"
	left=$(other_leftovers "$tp")
	check "$name: no tracefs uprobe, temp file or pinned object" test -z "$left"
	[ -n "$left" ] && diag "left: $left"
}

# Untraced speed: the loop's rate per CPU second after the tracer died
# against before (loop.py --per-cpu: other load on the host does not count).
speed_back() {
	local name=$1 file=$2 before=$3 from after
	from=$(wc -l <"$file")
	sleep 1.3
	after=$(rate_median "$file" "$((from + 2))" 5)
	diag "$name: loop rate per 0.2 s before $before, after $after"
	# Traced, the loop runs several times slower; half the untraced rate
	# leaves room for a loaded machine and still catches a probe left behind.
	check "$name: the target runs at untraced speed again" test "$after" -ge $((before / 2))
}

tracer_killed_p() {
	"$PYC" "$DATA/loop.py" --per-cpu >"$TMP/lp.out" &
	local lp=$! tp before during
	wait_file "$TMP/lp.out" ready 10
	sleep 1.3
	before=$(rate_median "$TMP/lp.out" 1 5)
	"${TRACE[@]}" -f raw -o /dev/null -p "$lp" 2>"$TMP/tk.err" &
	tp=$!
	wait_file "$TMP/tk.err" 'line marker' 10
	sleep 0.8
	bpf_ids "$tp" >"$TMP/tk.ids"
	check "pytrace SIGKILLed (-p): while attached, the markers are live" marker_raised "$lp"
	during=$(rate_median "$TMP/lp.out" "$(($(wc -l <"$TMP/lp.out") - 2))" 3)
	diag "loop rate per 0.2 s while traced: $during"
	kill -KILL "$tp"
	wait "$tp" 2>/dev/null
	nothing_left "pytrace SIGKILLed (-p)" "$tp" "$lp" "$TMP/tk.ids"
	speed_back "pytrace SIGKILLed (-p)" "$TMP/lp.out" "$before"
	check "pytrace SIGKILLed (-p): the target lives on" kill -0 "$lp"
	kill "$lp"; wait "$lp" 2>/dev/null
}

proc_state() { awk '{sub(/.*\) /, ""); print $1}' "/proc/$1/stat" 2>/dev/null; }

tracer_killed_c() {
	# -c: the untraced reference rate first, from a separate run.
	"$PYC" "$DATA/loop.py" --per-cpu >"$TMP/ref.out" &
	local ref=$! tp pid wd before
	wait_file "$TMP/ref.out" ready 10
	sleep 1.3
	before=$(rate_median "$TMP/ref.out" 1 5)
	kill "$ref"; wait "$ref" 2>/dev/null

	"${TRACE[@]}" -f raw -o /dev/null -c "exec $PYC $DATA/loop.py --per-cpu" >"$TMP/lc.out" 2>"$TMP/tc.err" &
	tp=$!
	wait_file "$TMP/lc.out" ready 10
	sleep 0.5
	pid=$(pgrep -P "$tp" -f loop.py | head -1)
	wd=$(pgrep -P "$tp" -x pytrace-watch | head -1)
	bpf_ids "$tp" >"$TMP/tc.ids"
	check "pytrace SIGKILLed (-c): while attached, the markers are live" marker_raised "${pid:-0}"
	kill -KILL "$tp"
	wait "$tp" 2>/dev/null
	sleep 0.2
	check "pytrace SIGKILLed (-c): the command is not left stopped (state $(proc_state "$pid"))" \
		test -n "$pid" -a "$(proc_state "$pid")" != T
	nothing_left "pytrace SIGKILLed (-c)" "$tp" "$pid" "$TMP/tc.ids"
	speed_back "pytrace SIGKILLed (-c)" "$TMP/lc.out" "$before"
	if [ -n "$wd" ]; then
		local i
		for ((i = 0; i < 50; i++)); do kill -0 "$wd" 2>/dev/null || break; sleep 0.1; done
		check "pytrace SIGKILLed (-c): its watchdog is gone too" sh -c "! kill -0 $wd 2>/dev/null"
	else
		fail "pytrace SIGKILLed (-c): a watchdog was running"
	fi
	kill "$pid" 2>/dev/null

	# The worst moment: a process of the command is held (stopped) at the
	# exec of a file pytrace has not examined yet, and pytrace dies.
	cp /bin/sleep "$TMP/bin/sleep-copy"
	printf 'while [ ! -e %s ]; do sleep 0.05; done\nexec %s 30\n' "$TMP/go" "$TMP/bin/sleep-copy" >"$TMP/gate.sh"
	"${TRACE[@]}" -f raw -o /dev/null -c "sh $TMP/gate.sh" 2>"$TMP/th.err" &
	tp=$!
	sleep 0.8
	kill -STOP "$tp"
	touch "$TMP/go"
	local held="" i
	for ((i = 0; i < 100; i++)); do
		held=$(pgrep -f "$TMP/bin/sleep-copy" | head -1)
		[ -n "$held" ] && [ "$(proc_state "$held")" = T ] && break
		sleep 0.05
	done
	if [ -n "$held" ] && [ "$(proc_state "$held")" = T ]; then
		ok "held at exec: the command's new program waits for pytrace (stopped)"
		kill -KILL "$tp"
		wait "$tp" 2>/dev/null
		for ((i = 0; i < 60; i++)); do
			[ "$(proc_state "$held")" != T ] && break
			sleep 0.05
		done
		check "held at exec, pytrace SIGKILLed: the process is resumed (state $(proc_state "$held"))" \
			test "$(proc_state "$held")" != T
		kill "$held" 2>/dev/null
	else
		fail "held at exec: the command's new program waits for pytrace (state ${held:+$(proc_state "$held")})"
		kill -KILL "$tp"; wait "$tp" 2>/dev/null
		[ -n "$held" ] && kill -CONT "$held" && kill "$held"
	fi
}

# chrome_balanced FILE: the Chrome trace parses and every thread's B/E
# events nest (each E closes the innermost open B of the same name)
chrome_balanced() {
	"$PY311" - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"] if isinstance(d, dict) else d
stacks, n = {}, 0
for e in ev:
    st = stacks.setdefault((e.get("pid"), e.get("tid")), [])
    if e.get("ph") == "B":
        st.append(e["name"]); n += 1
    elif e.get("ph") == "E":
        if not st or ("name" in e and e["name"] != st[-1]):
            sys.exit("unbalanced E %r on %r" % (e, st[-3:]))
        st.pop()
left = {k: v for k, v in stacks.items() if v}
if left:
    sys.exit("unclosed B: %r" % left)
print(n)
PY
}

stop_during_flood() {
	# -c: SIGINT mid-flood, sent to pytrace alone: passed on to the command
	# (as a shell does); pytrace keeps tracing while the command ends (a
	# grace of 1 s, then SIGTERM), so the fixture may finish and say how
	# many events it fired: received + lost must equal that.
	local n=600000 tp fired lost got
	"${TRACE[@]}" --python "$FIX" --buffer-size 16K -f chrome -o "$TMP/fl.json" -c "$FIX flood $n" \
		>"$TMP/fl.out" 2>"$TMP/fl.err" &
	tp=$!
	sleep 0.15
	kill -INT "$tp"
	wait_exit "$tp" 20
	check "SIGINT during a flood (-c): status is the command's, 0, 128+2 or 128+15 (got $WAIT_RC)" \
		test "$WAIT_RC" -eq 0 -o "$WAIT_RC" -eq 130 -o "$WAIT_RC" -eq 143
	if got=$(chrome_balanced "$TMP/fl.json" 2>"$TMP/why"); then
		ok "SIGINT during a flood (-c): the Chrome JSON parses, B/E balanced ($got calls)"
	else
		fail "SIGINT during a flood (-c): the Chrome JSON parses, B/E balanced"; sed 's/^/# /' "$TMP/why" | tail -3
	fi
	lost=$(grep -oE ', [0-9]+ lost,' "$TMP/fl.err" | grep -oE '[0-9]+')
	check "SIGINT during a flood (-c): lost count on stderr (${lost:-none})" test -n "$lost"
	if [ "${lost:-0}" -gt 0 ]; then
		check "SIGINT during a flood (-c): losses warned about" grep -q 'events were lost' "$TMP/fl.err"
	fi
	fired=$(awk '/^fired/ {print $2}' "$TMP/fl.out")
	if [ -n "$fired" ]; then
		# events received: the report's count less the fixture's one
		# process-name event (only a process with marker events has one)
		local recv; recv=$(($(report_events "$TMP/fl.err") - 1))
		diag "flood: fired $fired, received $recv, lost ${lost:-?}"
		check "SIGINT during a flood (-c): received + lost == fired" \
			test $((recv + ${lost:-0})) -eq "$fired"
	fi
	rm -f "$TMP/fl.json"

	# -p: SIGTERM and SIGINT cut the stream; what was received is all out.
	start_spin fp
	local lp=$SPIN_PID
	attach_raw fp "$lp"
	tp=$TRACER_PID
	kill -TERM "$tp"
	wait_exit "$tp" 15
	check "SIGTERM during a flood (-p): clean detach, status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	check "SIGTERM during a flood (-p): lost count on stderr" grep -qE ', [0-9]+ lost,' "$TMP/fp.err"
	raw_complete "SIGTERM during a flood (-p)" "$TMP/fp.raw" "$TMP/fp.err"
	check "SIGTERM during a flood (-p): detached" test -z "$(marker_dirty "$lp")"

	"${TRACE[@]}" -f chrome --buffer-size 8K -o "$TMP/fp.json" -p "$lp" 2>"$TMP/fp.err" &
	tp=$!
	wait_size "$TMP/fp.json" 0 10
	kill -INT "$tp"
	wait_exit "$tp" 15
	check "SIGINT during a flood (-p): clean detach, status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	if got=$(chrome_balanced "$TMP/fp.json" 2>"$TMP/why"); then
		ok "SIGINT during a flood (-p): the Chrome JSON parses, B/E balanced ($got calls)"
	else
		fail "SIGINT during a flood (-p): the Chrome JSON parses, B/E balanced"; sed 's/^/# /' "$TMP/why" | tail -3
	fi
	check "SIGINT during a flood (-p): lost count on stderr" grep -qE ', [0-9]+ lost,' "$TMP/fp.err"
	check "SIGINT during a flood (-p): detached" test -z "$(marker_dirty "$lp")"
	kill "$lp"; wait "$lp" 2>/dev/null
	rm -f "$TMP/fp.json" "$TMP/fp.raw"
}

binary_replaced() {
	mkdir -p "$TMP/rep"
	cp "$PY311" "$TMP/rep/python3.11"
	cp "$PY311" "$TMP/rep/python3.11.new"
	SPIN_PY="$TMP/rep/python3.11" start_spin rp
	local lp=$SPIN_PID tp s1 s2
	attach_raw rp "$lp"
	tp=$TRACER_PID
	mv "$TMP/rep/python3.11.new" "$TMP/rep/python3.11"
	sleep 0.3
	s1=$(stat -c %s "$TMP/rp.raw")
	wait_size "$TMP/rp.raw" "$s1" 10
	s2=$(stat -c %s "$TMP/rp.raw")
	kill -INT "$tp"
	wait_exit "$tp" 15
	check "binary replaced (mv) while traced: events keep coming ($s1 -> $s2 bytes)" test "$s2" -gt "$s1"
	check "binary replaced (mv) while traced: clean detach, status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	check "binary replaced (mv) while traced: no probe or semaphore left" test -z "$(marker_dirty "$lp")"

	# Deleted: attach to a process whose interpreter file is gone.
	rm -f "$TMP/rep/python3.11"
	attach_raw rd "$lp"
	tp=$TRACER_PID
	local live=0
	marker_raised "$lp" && live=1
	kill -INT "$tp"
	wait_exit "$tp" 15
	check "interpreter file deleted: attached, status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0 -a "$live" -eq 1
	check "interpreter file deleted: tick() traced" grep -q '"tick"' "$TMP/rd.raw"
	check "interpreter file deleted: no probe or semaphore left" test -z "$(marker_dirty "$lp")"
	check "interpreter file deleted: the target lives on" kill -0 "$lp"
	kill "$lp"; wait "$lp" 2>/dev/null
	rm -f "$TMP/rp.raw" "$TMP/rd.raw"
}

two_tracers() {
	start_spin 2p
	local lp=$SPIN_PID ta tb sb1 sb2
	attach_raw a "$lp"
	ta=$TRACER_PID
	attach_raw b "$lp"
	tb=$TRACER_PID
	kill -INT "$ta"
	wait_exit "$ta" 15
	check "two -p on one process: the first detaches, status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	check "two -p: the first got the events" grep -q '"tick"' "$TMP/a.raw"
	check "two -p: semaphores stay raised while the second remains" marker_raised "$lp"
	sb1=$(stat -c %s "$TMP/b.raw")
	wait_size "$TMP/b.raw" "$sb1" 10
	sb2=$(stat -c %s "$TMP/b.raw")
	check "two -p: the second keeps getting events ($sb1 -> $sb2 bytes)" test "$sb2" -gt "$sb1"
	kill -INT "$tb"
	wait_exit "$tb" 15
	check "two -p: the second detaches, status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	raw_complete "two -p: the second" "$TMP/b.raw" "$TMP/b.err"
	check "two -p: both gone, no probe or semaphore left" test -z "$(marker_dirty "$lp")"
	kill "$lp"; wait "$lp" 2>/dev/null
	rm -f "$TMP/a.raw" "$TMP/b.raw"

	# One -c and one -p on the same process.
	"${TRACE[@]}" -f raw -o "$TMP/c.raw" -c "exec $PYC $DATA/spin.py $TMP/2c.pid 3" 2>"$TMP/c.err" &
	ta=$!
	lp=$(spin_pid "$TMP/2c.pid")
	attach_raw p "${lp:-0}"
	tb=$TRACER_PID
	bpf_ids "$tb" >"$TMP/p.ids"
	kill -INT "$tb"
	wait_exit "$tb" 15
	check "-c and -p on one process: -p detaches, status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	check "-c and -p: semaphores stay raised for -c" marker_raised "${lp:-0}"
	wait_exit "$ta" 15
	check "-c and -p: -c ends with the command, status 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	check "-c and -p: both got the events" sh -c "grep -q '\"tick\"' '$TMP/c.raw' && grep -q '\"tick\"' '$TMP/p.raw'"
	raw_complete "-c and -p: the -c one" "$TMP/c.raw" "$TMP/c.err"
	check "-c and -p: the -p one's BPF objects are gone" test -z "$(bpf_left "$TMP/p.ids")"
	rm -f "$TMP/c.raw" "$TMP/p.raw"
}

main() {
	bpf_ready || return 0
	have bpftool || { skip "faults: bpftool is not installed"; return 0; }
	have readelf || { skip "faults: readelf is not installed"; return 0; }
	private_python
	target_killed_c
	target_killed_p
	tracer_killed_p
	tracer_killed_c
	stop_during_flood
	binary_replaced
	two_tracers
}

main
done_testing
