#!/bin/bash
# Output faults (bpf engine, real CPython 3.11): a reader that goes away
# (| head) and a full disk.  Decided behaviour
# (README): EPIPE ends tracing quietly and detaches; with -c the command
# runs on untraced to its end and pytrace exits with its status; with -p
# the status is 0.  A write error is said at once and pytrace exits 1,
# never a silently short file.  (An unwritable -o: tests/live/output_errors.test.
# These stay scripts: each is a sequence of processes, pipes and mounts.)
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

TRACE=("$PYTRACE" --engine bpf)
MNT=""
cleanup() { [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

no_error_text() { ! grep -qiE 'error|warning|broken pipe|signal' "$1"; }

head_p() {
	start_spin h
	local lp=$SPIN_PID rc
	# The pipeline's status is pytrace's (PIPESTATUS), bounded by timeout.
	timeout -k 5 20 "${TRACE[@]}" -p "$lp" 2>"$TMP/h.err" | head -5 >"$TMP/h.out"
	rc=${PIPESTATUS[0]}
	check "-p | head -5: status 0 (got $rc)" test "$rc" -eq 0
	check "-p | head -5: five lines through" test "$(wc -l <"$TMP/h.out")" -eq 5
	check "-p | head -5: no error text on stderr" no_error_text "$TMP/h.err"
	sed 's/^/# stderr: /' "$TMP/h.err"
	check "-p | head -5: detached, no probe or semaphore left" test -z "$(marker_dirty "$lp")"
	kill "$lp"; wait "$lp" 2>/dev/null
}

head_c() {
	local rc t0 t1 pid
	t0=$(date +%s.%N)
	timeout -k 5 30 "${TRACE[@]}" -c "exec $PYC $DATA/spin.py $TMP/hc.pid 2.5 7" 2>"$TMP/hc.err" |
		{ head -5 >"$TMP/hc.out"
		  exec <&-   # head was the only reader: now pytrace sees EPIPE
		  pid=$(spin_pid "$TMP/hc.pid")
		  # tracing stops at the next drain after EPIPE: the probes go
		  # at once, but allow a loaded machine 5 s
		  for _ in $(seq 50); do [ -z "$(marker_dirty "$pid")" ] && break; sleep 0.1; done
		  # the command runs on, untraced: not stopped, no probe left
		  { awk '{sub(/.*\) /, ""); print $1}' "/proc/$pid/stat"; marker_dirty "$pid"; } >"$TMP/hc.state"
		}
	rc=${PIPESTATUS[0]}
	t1=$(date +%s.%N)
	check "-c | head -5: the command's status (got $rc, want 7)" test "$rc" -eq 7
	check "-c | head -5: five lines through" test "$(wc -l <"$TMP/hc.out")" -eq 5
	check "-c | head -5: no error text on stderr" no_error_text "$TMP/hc.err"
	sed "s/^/# state: /" "$TMP/hc.state"
	check "-c | head -5: the command ran on untraced (state: $(head -1 "$TMP/hc.state"))" \
		sh -c "[ \$(wc -l <'$TMP/hc.state') -eq 1 ] && grep -qE '^[RS]' '$TMP/hc.state'"
	check "-c | head -5: pytrace waited for the command to finish" \
		awk -v a="$t0" -v b="$t1" 'BEGIN {exit !(b - a >= 2.4)}'
}

full_disk() {
	MNT=$TMP/full
	mkdir -p "$MNT"
	if ! mount -t tmpfs -o size=64k tmpfs "$MNT" 2>"$TMP/mount.err"; then
		MNT=""
		skip "full disk: cannot mount a tmpfs ($(head -1 "$TMP/mount.err"))"
		return
	fi
	# The trace outgrows 64 KiB: the error at the last flush.
	expect_exit "full disk, error at the end: status 1" 1 "${TRACE[@]}" -f raw -o "$MNT/t.raw" \
		-c "$PYC $DATA/known_tree.py"
	check "full disk, error at the end: said with the file and the reason" \
		grep -q "^pytrace: error writing $MNT/t.raw: No space left on device" "$TMP/err"
	rm -f "$MNT/t.raw"

	# A long trace: the first failed write stops tracing and is said at
	# once, while the command still runs; then status 1, not the command's.
	"${TRACE[@]}" -f json -o "$MNT/t.json" -c "exec $PYC $DATA/spin.py $TMP/fd.pid 3" 2>"$TMP/fd.err" &
	local tp=$!
	local early=no
	wait_file "$TMP/fd.err" "No space left" 2 && kill -0 "$tp" 2>/dev/null && early=yes
	wait_exit "$tp" 20
	check "full disk mid-trace: status 1 (got $WAIT_RC)" test "$WAIT_RC" -eq 1
	check "full disk mid-trace: said at once, while the command runs ($early)" test "$early" = yes
	check "full disk mid-trace: said with the file and the reason" \
		grep -q "^pytrace: error writing $MNT/t.json: No space left on device" "$TMP/fd.err"
	sed 's/^/# stderr: /' "$TMP/fd.err"
	umount "$MNT" && MNT=""
}

main() {
	bpf_ready || return 0
	have readelf || { skip "output faults: readelf is not installed"; return 0; }
	private_python
	head_p
	head_c
	full_disk
}

main
done_testing
