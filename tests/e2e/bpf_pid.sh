#!/bin/bash
# The bpf engine's -p on a running CPython 3.11 loop: its calls appear while
# attached; after detach the process lives on at its untraced speed, with no
# semaphore left raised and no breakpoint left in its code.  The loop runs
# on a private copy of python3.11, which no other tracer on the host probes.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

# median of the last N numbers printed by the loop since line START
rate_since() {
	tail -n +"$1" "$TMP/loop.out" | grep -E '^[0-9]+$' | tail -n "$2" | sort -n |
		awk '{v[NR]=$1} END {print NR ? v[int((NR+1)/2)] : 0}'
}

# The words at the semaphores and probe sites of the markers in the
# process's memory, as "NAME SEMAPHORE FIRST-BYTE" lines.
marker_state() {
	"$PYC" - "$1" <<'PY'
import re, subprocess, sys
pid = sys.argv[1]
exe = "/proc/%s/exe" % pid
real = subprocess.run(["readlink", "-f", exe], capture_output=True, text=True).stdout.strip()
notes = subprocess.run(["readelf", "-n", real], capture_output=True, text=True).stdout
base = 0   # ET_EXEC: note addresses are absolute
if open(real, "rb").read(18)[16] == 3:   # ET_DYN: relative to where offset 0 is mapped
    for line in open("/proc/%s/maps" % pid):
        f = line.split()
        if len(f) >= 6 and f[5] == real and int(f[2], 16) == 0:
            base = int(f[0].split("-")[0], 16)
            break
mem = open("/proc/%s/mem" % pid, "rb")
for m in re.finditer(r"Name: (function__entry|function__return|line)\s+Location: (0x[0-9a-f]+), Base: 0x[0-9a-f]+, Semaphore: (0x[0-9a-f]+)", notes):
    name, loc, sem = m.group(1), int(m.group(2), 16), int(m.group(3), 16)
    mem.seek(base + sem); s = int.from_bytes(mem.read(2), "little")
    mem.seek(base + loc); b = mem.read(1).hex()
    print(name, s, b)
PY
}

main() {
	bpf_ready || return 0
	private_python

	"$PYC" "$DATA/loop.py" >"$TMP/loop.out" &
	local lpid=$!
	for _ in $(seq 50); do grep -q ready "$TMP/loop.out" && break; sleep 0.1; done
	sleep 2.2
	local before; before=$(rate_since 1 10)
	marker_state "$lpid" >"$TMP/state.before"
	# Attached: the semaphores are raised and the sites hold breakpoints.
	"$PYTRACE" --engine bpf -f raw -p "$lpid" --duration 3 >/dev/null 2>&1 &
	local tpid=$!
	sleep 1.5
	marker_state "$lpid" >"$TMP/state.during"
	wait "$tpid"
	check "-p: attached, the markers are live" grep -q '^function__entry [1-9]' "$TMP/state.during"
	sed 's/^/# during: /' "$TMP/state.during"

	expect_exit "-p for 2 s: status 0" 0 "$PYTRACE" --engine bpf -f json -p "$lpid" --duration 2
	local lines; lines=$(wc -l <"$TMP/loop.out")
	check "-p: the loop's calls were traced" grep -q '"func":"tick"' "$TMP/out"
	check "-p: the process is still alive after detach" kill -0 "$lpid"

	sleep 2.2
	local after; after=$(rate_since "$((lines + 1))" 10)
	marker_state "$lpid" >"$TMP/state.after"
	diag "loop rate per 0.2 s: before $before, after detach $after"
	# Traced, the loop runs many times slower; half the untraced rate leaves
	# room for a noisy machine and still catches a probe left behind.
	check "-p: loop rate back to untraced after detach" test "$after" -ge $((before / 2))
	check "-p: semaphores and probe sites as before" cmp -s "$TMP/state.before" "$TMP/state.after"
	check "-p: no semaphore raised after detach" sh -c "! awk '\$2 != 0' '$TMP/state.after' | grep -q ."
	sed 's/^/# after: /' "$TMP/state.after"

	# SIGTERM detaches too.
	"$PYTRACE" --engine bpf -f raw -p "$lpid" >"$TMP/out" 2>"$TMP/err" &
	local tpid=$!
	sleep 1.5
	kill -TERM "$tpid"
	wait "$tpid"
	check "-p: SIGTERM detaches with status 0" test $? -eq 0
	check "-p: calls before SIGTERM" grep -q '"tick"' "$TMP/out"
	check "-p: still alive after SIGTERM detach" kill -0 "$lpid"
	kill "$lpid"; wait "$lpid" 2>/dev/null
}

main
done_testing
