#!/bin/bash
# Threads that ended cost little (issue #11): the bpf engine reports each
# thread's end and pytrace frees its stacks then. A program that starts and
# joins N short threads is traced: every thread's call shows (text, json,
# summary), and pytrace's peak RSS tracing 30,000 threads stays within
# 5 MiB of tracing 2,000 (before: 13.6 MiB more, about 500 bytes per
# thread; now what a thread keeps fits in memory freed after start-up).
# A small ring buffer (1M) keeps the ring's own pages out of the difference.
# -f raw records the thread ends (# pytrace-thread-end), so a replay frees
# them too.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

main() {
	bpf_ready || return 0
	private_python
	cat >"$TMP/threads.py" <<'PY'
import sys
import threading


def work(i):
    return i + 1


for i in range(int(sys.argv[1])):
    t = threading.Thread(target=work, args=(i,))
    t.start()
    t.join()
PY
	local f n
	for f in text json; do
		"$PYTRACE" --engine bpf -f $f -c "$PYC $TMP/threads.py 300" >"$TMP/t.$f" 2>"$TMP/t.err"
		check "300 threads, $f: exit 0, nothing lost" sh -c "[ $? -eq 0 ] && grep -q ' 0 lost' '$TMP/t.err'"
	done
	n=$(grep -c '=> work in .*threads.py' "$TMP/t.text")
	check "text: 300 calls of work (got $n)" test "$n" -eq 300
	n=$(grep -c '<= work in .*threads.py' "$TMP/t.text")
	check "text: 300 returns of work (got $n)" test "$n" -eq 300
	check "json: 300 calls and returns of work, one per thread" "$PYC" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
w = [e for e in ev if e["kind"] in ("call", "return") and e["func"] == "work"]
assert len(w) == 600, len(w)
assert all(e["tid"] != e["pid"] for e in w)
' "$TMP/t.json"
	"$PYTRACE" --engine bpf -f summary --no-kernel-summary -c "$PYC $TMP/threads.py 300" \
		>"$TMP/t.sum" 2>/dev/null
	check "summary (user space): work has 300 calls" grep -qE '^ *300 .* work \(' "$TMP/t.sum"

	# -f raw says where each thread ended; a replay frees there too and
	# shows the same calls.
	"$PYTRACE" --engine bpf -f raw -o "$TMP/t.raw" -c "$PYC $TMP/threads.py 300" 2>/dev/null
	# The last worker's kernel exit can come after the main thread's
	# exit_group (join returns when its Python code is done): then the
	# process's end is that thread's end too, and it has no line of its own.
	n=$(grep -c '^# pytrace-thread-end [0-9]* [0-9]*$' "$TMP/t.raw")
	check "raw: a thread-end line for each of the 300 threads (the last may end with the process) and the main one (got $n)" \
		test "$n" -eq 301 -o "$n" -eq 300
	check "raw: the main thread's end is one of them" \
		test "$(awk '$1 == "#" && $2 == "pytrace-thread-end" && $3 == $4' "$TMP/t.raw" | wc -l)" -eq 1
	"$PYTRACE" -q --replay "$TMP/t.raw" -f text >"$TMP/r.text"
	n=$(grep -c '=> work in .*threads.py' "$TMP/r.text")
	check "raw replayed: 300 calls of work (got $n)" test "$n" -eq 300

	rss() {   # peak RSS (KiB) of pytrace tracing $1 threads
		"$PYC" -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
			"$PYTRACE" --engine bpf --buffer-size 1M -f json -o /dev/null \
			-c "$PYC $TMP/threads.py $1"
	}
	case "$BUILD" in *san*)
		skip "peak RSS: $BUILD is an ASan build (its quarantine keeps freed memory)"
		return 0;;
	esac
	local small big
	small=$(rss 2000)
	big=$(rss 30000)
	diag "peak RSS: 2,000 threads ${small} KiB, 30,000 threads ${big} KiB"
	check "28,000 more threads cost < 5 MiB (got $(((big - small) / 1024)) MiB)" \
		test $((big - small)) -lt 5120
}
main
done_testing
