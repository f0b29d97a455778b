#!/bin/bash
# -o FILE never drops what a regular file would take (issue #11): when the
# disk falls more than the 32 MiB output queue behind, pytrace waits for it,
# where a pipe nobody reads gets events dropped (live_output). A frozen
# filesystem (fsfreeze on a loop-mounted ext4) for 8 s under an SDT flood
# stands in for a slow disk: no "dropped because ... was not read fast
# enough", and every event fired is in the file or counted lost (by the
# engine's ring buffer, which takes up the slack while pytrace waits).
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

MNT=""
cleanup() {
	if [ -n "$MNT" ]; then
		fsfreeze --unfreeze "$MNT" 2>/dev/null
		umount "$MNT" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

main() {
	bpf_ready || return 0
	local t
	for t in fsfreeze mkfs.ext4; do
		have $t || { skip "file output under a frozen disk: $t is not installed"; return 0; }
	done
	truncate -s 600M "$TMP/fs.img" && mkfs.ext4 -q -F "$TMP/fs.img" && mkdir "$TMP/mnt" ||
		{ skip "file output under a frozen disk: cannot make an ext4 image"; return 0; }
	if ! mount -o loop "$TMP/fs.img" "$TMP/mnt" 2>"$TMP/mount.err"; then
		skip "file output under a frozen disk: cannot mount a loop device ($(head -1 "$TMP/mount.err"))"
		return 0
	fi
	MNT=$TMP/mnt

	"$PYTRACE" --engine bpf --python "$FIX" -f raw -o "$MNT/t.raw" -c "$FIX flood 2000000" \
		>"$TMP/flood.out" 2>"$TMP/flood.err" &
	local pid=$!
	wait_size "$MNT/t.raw" 0 20
	fsfreeze --freeze "$MNT"
	sleep 8
	fsfreeze --unfreeze "$MNT"
	wait_exit "$pid" 180
	sed 's/^/# /' "$TMP/flood.err"
	check "frozen disk under a flood: exit 0 (got $WAIT_RC)" test "$WAIT_RC" -eq 0
	check "frozen disk: nothing dropped for the file (pytrace waited for it)" \
		sh -c "! grep -q 'dropped because' '$TMP/flood.err'"
	check "frozen disk: every event fired is in the file or counted lost" \
		flood_accounted "$MNT/t.raw" "$TMP/flood.out" "$TMP/flood.err"
	umount "$MNT" && MNT=""
}

main
done_testing
