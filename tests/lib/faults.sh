# Shared by tests/e2e/faults*.sh, hostile.sh and the case runner (sourced
# after tests/lib.sh and tests/lib/bpf.sh): waiting with a bound, a private
# interpreter, and looking for anything a tracer could leave behind.

# wait_file FILE REGEX SECONDS: true once FILE has a line matching REGEX
wait_file() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		grep -qaE "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_size FILE BYTES SECONDS: true once FILE holds more than BYTES
wait_size() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -gt "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# wait_exit PID SECONDS: wait for a child; its status in $WAIT_RC (124 and
# SIGKILL after SECONDS, so no test hangs)
wait_exit() {
	local i
	WAIT_RC=255
	case $1 in ''|0|-*) return 1;; esac   # never kill -0 0: that is the whole group
	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		WAIT_RC=124
		return 1
	fi
	wait "$1" 2>/dev/null
	WAIT_RC=$?
	return 0
}

# A private copy of the interpreter: its own inode, so another test's -c
# (which probes /usr/bin/python3.11 for every process) cannot touch it.
private_python() {
	mkdir -p "$TMP/bin"
	[ -x "$TMP/bin/python3.11" ] || cp "$PY311" "$TMP/bin/python3.11"
	PYC=$TMP/bin/python3.11
}

# spin_pid FILE: the pid data/spin.py wrote (waits up to 10 s)
spin_pid() {
	wait_file "$1" '^[0-9]+$' 10 && head -1 "$1"
}

# start_spin TAG [ARGS...]: data/spin.py (run by $SPIN_PY, default $PYC) in
# the background, once it spins; its pid is left in SPIN_PID.
start_spin() {
	local tag=$1; shift
	"${SPIN_PY:-$PYC}" "$DATA/spin.py" "$TMP/$tag.pid" "$@" &
	SPIN_PID=$!
	spin_pid "$TMP/$tag.pid" >/dev/null
}

# attach_raw NAME PID: pytrace -p PID -f raw -o $TMP/NAME.raw (stderr in
# $TMP/NAME.err) in the background, once its first events are out; its pid
# is left in TRACER_PID.
attach_raw() {
	"${TRACE[@]}" -f raw -o "$TMP/$1.raw" -p "$2" 2>"$TMP/$1.err" &
	TRACER_PID=$!
	wait_size "$TMP/$1.raw" 0 10
}

# bpf_ids PID: "prog N", "map N", "link N" for the BPF objects PID holds
bpf_ids() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		awk '/^link_id:/ {l = $2} /^prog_id:/ {p = $2} /^map_id:/ {m = $2}
		     END { if (l) print "link", l; else if (p) print "prog", p; else if (m) print "map", m }' \
			"$f" 2>/dev/null
	done | sort -u
}

# bpf_left FILE: the objects of FILE (bpf_ids) that still exist after 5 s
bpf_left() {
	local i type id left
	for ((i = 0; i < 50; i++)); do
		left=$(while read -r type id; do
			bpftool "$type" show id "$id" >/dev/null 2>&1 && echo "$type $id"
		done <"$1")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "$left"
}

# marker_dirty PID: marker sites still holding a breakpoint or semaphores
# still raised (nothing printed when clean)
marker_dirty() {
	"${PYC:-$PY311}" "$DATA/marker_state.py" "$1" | awk '$3 != 0 || $4 == "cc"'
}

# marker_raised PID: true while the function__entry semaphore is raised
marker_raised() {
	"${PYC:-$PY311}" "$DATA/marker_state.py" "$1" | awk '$1 == "function__entry" && $3 != 0 {f = 1} END {exit !f}'
}

# other_leftovers TRACER-PID: tracefs uprobes, temp files, pinned objects
# of a dead tracer (nothing printed when clean)
other_leftovers() {
	local d
	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -r "$d/uprobe_events" ] &&
			grep -aE "libbpf_$1_|$TMP|pytrace" "$d/uprobe_events" | sed "s|^|$d/uprobe_events: |"
	done
	ls -d /tmp/pytrace-stap.* /dev/shm/*pytrace* /dev/shm/*libbpf* /sys/fs/bpf/*pytrace* 2>/dev/null
}

# rate_median FILE FROM-LINE N: median of the last N rates data/loop.py
# printed after line FROM-LINE
rate_median() {
	tail -n +"$2" "$1" | grep -E '^[0-9]+$' | tail -n "$3" | sort -n |
		awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : 0}'
}

# marker_state PID: "NAME ADDRESS SEMAPHORE FIRST-BYTE" for each marker site
marker_state() { "${PYC:-$PY311}" "$DATA/marker_state.py" "$1"; }

# markers_as FILE PID: PID's marker sites and semaphores are those in FILE
# (a marker_state from before); the differences printed when not
markers_as() {
	marker_state "$2" | diff "$1" - && return 0
	return 1
}

# no_semaphore PID: no marker semaphore of PID is raised (else the list)
no_semaphore() { ! marker_state "$1" | awk '$3 != 0' | grep .; }

# rate_back FILE BEFORE: data/loop.py --per-cpu (stdout in FILE) runs at
# least at half its untraced rate BEFORE again: the median of its next 10 rates (2.2 s)
rate_back() {
	local from after
	from=$(wc -l <"$1")
	sleep 2.2
	after=$(rate_median "$1" "$((from + 1))" 10)
	# Traced, the loop runs many times slower; half the untraced rate leaves
	# room for a noisy machine and still catches a probe left behind.
	echo "loop rate per 0.2 s: before $2, after detach $after"
	[ "$after" -ge $(($2 / 2)) ]
}

# freezer_make DIR: a cgroup v1 freezer group in FREEZER (one mounted
# already, or a mount of the freezer hierarchy at DIR); false with the
# reason in FREEZER_WHY.  A frozen task sleeps uninterruptibly (state D)
# and SIGKILL does not end it until thawed: a process stuck in the kernel.
freezer_make() {
	local root
	root=$(awk '$3 == "cgroup" && $4 ~ /(^|,)freezer(,|$)/ { print $2; exit }' /proc/mounts)
	if [ -z "$root" ]; then
		mkdir -p "$1" && mount -t cgroup -o freezer pytrace-freezer "$1" 2>/dev/null && root=$1
	fi
	if [ -z "$root" ]; then
		FREEZER_WHY="no cgroup v1 freezer here (none mounted, and mounting one failed)"
		return 1
	fi
	FREEZER_MOUNT=$([ "$root" = "$1" ] && echo "$1")
	FREEZER="$root/pytrace-test.$$"
	mkdir "$FREEZER" 2>/dev/null && [ -w "$FREEZER/freezer.state" ] ||
		{ FREEZER_WHY="cannot create a freezer group in $root"; return 1; }
}
# freezer_hold PID: freeze PID (true once it is frozen)
freezer_hold() {
	echo "$1" >"$FREEZER/cgroup.procs" && echo FROZEN >"$FREEZER/freezer.state" &&
		wait_file "$FREEZER/freezer.state" '^FROZEN$' 10
}
# freezer_end: thaw (a SIGKILL pending ends the process then), remove the
# group once empty, unmount what freezer_make mounted
freezer_end() {
	echo THAWED >"$FREEZER/freezer.state"
	local i
	for ((i = 0; i < 200; i++)); do
		[ -z "$(cat "$FREEZER/cgroup.procs" 2>/dev/null)" ] && break
		sleep 0.05
	done
	rmdir "$FREEZER" 2>/dev/null
	[ -n "$FREEZER_MOUNT" ] && umount "$FREEZER_MOUNT" 2>/dev/null
	return 0
}

# stuck_command PYTHON PYTRACE-ARGS...: a -c command SIGKILL cannot end
# (PYTHON running data/spin.py, frozen once it runs) and a SIGINT to
# pytrace: checks that pytrace still ends, with status 128+SIGKILL, and
# names the process with its state (SKIP without a freezer)
stuck_command() {
	local py=$1 tracer spin=; shift
	if ! freezer_make "$TMP/freezer"; then
		skip "stuck command: $FREEZER_WHY"
		return
	fi
	rm -f "$TMP/fz.pid"
	"$PYTRACE" "$@" -f raw -o "$TMP/fz.raw" -c "exec $py $DATA/spin.py $TMP/fz.pid 120" 2>"$TMP/fz.err" &
	tracer=$!
	wait_file "$TMP/fz.pid" '^[0-9]+$' 120 && spin=$(head -1 "$TMP/fz.pid")
	if [ -z "$spin" ] || ! freezer_hold "$spin"; then
		kill -KILL "$tracer" 2>/dev/null; wait "$tracer" 2>/dev/null
		freezer_end
		fail "stuck command: the command was frozen"
		return
	fi
	kill -INT "$tracer"
	wait_exit "$tracer" 90
	freezer_end
	grep -v '^pytrace: engine' "$TMP/fz.err" | head -5 | sed 's/^/# /'
	check "stuck command: SIGINT ends pytrace, status 128+SIGKILL (got $WAIT_RC)" test "$WAIT_RC" -eq 137
	check "stuck command: named, with its state" grep -q \
		"the command (PID $spin) has not ended 5 s after SIGKILL (state D.*stuck in the kernel" "$TMP/fz.err"
}
