#!/bin/bash
# tools/fetch-python: Debian's packaged CPython of another suite through a
# private apt configuration (the system's sources untouched), unpacked and
# patched onto the suite's own loader; reused from the cache the second
# time; a clear exit 3 when the archive lacks the package. `pytrace list`
# detects each version from the ELF.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/pythons.sh"

FETCH=$TOP/tools/fetch-python
[ "$BUILD" = build-san ] && skip_all "foreign interpreters run in the normal build only (BUILD=$BUILD)"
have patchelf || skip_all "patchelf not installed (make deps)"

sources_sum() { cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | md5sum; }
before=$(sources_sum)

for v in 3.9 3.13 3.15; do
	if ! foreign_python "$v"; then
		skip "CPython $v: $FPY_WHY"
		continue
	fi
	check "$v: fetched to a cache outside the tree ($FPY)" \
		bash -c '[[ $1 == /* && $1 != "$2"/* && -x $1 ]]' _ "$FPY" "$TOP"
	# Second time: from the cache, the same path, without apt (an apt-get
	# first on PATH that leaves a mark if it is run; no timing: another
	# fetch may hold the cache's lock on a loaded host).
	mkdir -p "$TMP/spy"
	printf '#!/bin/sh\ntouch "%s/spy/called"\nexit 1\n' "$TMP" >"$TMP/spy/apt-get"
	chmod +x "$TMP/spy/apt-get"
	rm -f "$TMP/spy/called"
	again=$(PATH=$TMP/spy:/usr/bin:/bin "$FETCH" "$v" 2>&1)
	check "$v: a second fetch reuses the cache (same path, apt-get not run)" \
		test "$again" = "$FPY" -a ! -e "$TMP/spy/called"
	# It runs on its own suite's loader, and /proc/PID/exe is the python.
	exe=$("$FPY" -c 'import os; print(os.readlink("/proc/self/exe"))')
	check "$v: /proc/PID/exe is the python itself" test "$exe" = "$FPY"
	interp=$(readelf -lW "$FPY" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	root=${FPY%/usr/bin/*}
	check "$v: its loader is the suite's ($interp)" bash -c '[[ $1 == "$2"/* ]]' _ "$interp" "$root"
	got=$("$FPY" -c 'import sys, ssl, sqlite3, ctypes; print("%d.%d" % sys.version_info[:2])' 2>&1)
	check "$v: runs, with its extension modules (got '$got')" test "$got" = "$v"
	expect_exit "$v: pytrace list" 0 "$PYTRACE" list "$FPY"
	if grep -q "^version: *CPython $v\$" "$TMP/out"; then ok "$v: list detects CPython $v"; else
		fail "$v: list detects CPython $v"; sed 's/^/# /' "$TMP/out" | head -5; fi
done

# A version no suite has: exit 3 and one line naming it.
"$FETCH" --suite bookworm 3.15 >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a package the suite lacks: exit 3 with the reason (exit $rc: $(head -1 "$TMP/err"))" \
	bash -c '[ "$1" -eq 3 ] && [ ! -s "$2" ] && grep -q "no python3.15-minimal in .bookworm." "$3"' \
	_ "$rc" "$TMP/out" "$TMP/err"
expect_exit "usage error: exit 2" 2 "$FETCH" 3
check "the system's apt sources are unchanged" test "$(sources_sum)" = "$before"
done_testing
