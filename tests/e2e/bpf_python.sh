#!/bin/bash
# The bpf engine on real CPython 3.11 (Debian's, with markers): exact call
# trees, threads, libpython embedding, wrappers, children, exit statuses.
. "$TOP/tests/lib.sh"
. "$TOP/tests/e2e/data/bpf_common.sh"

main() {
	bpf_ready || return 0
	local known="$DATA/known_tree.py"

	# The reference: sys.setprofile's view of the same program.
	"$PY311" "$DATA/profile_tree.py" "$known" >"$TMP/expect"
	[ -s "$TMP/expect" ] || { fail "reference tree from sys.setprofile"; return; }

	expect_exit "known program: traced" 0 "$PYTRACE" --engine bpf -f json -c "$PY311 $known"
	calls_of "$known" <"$TMP/out" >"$TMP/got"
	if cmp -s "$TMP/expect" "$TMP/got"; then
		ok "known program: tree equals sys.setprofile's ($(wc -l <"$TMP/got") events)"
	else
		fail "known program: tree equals sys.setprofile's"
		diff "$TMP/expect" "$TMP/got" | head -20 | sed 's/^/# /'
	fi
	check "known program: 500-deep recursion complete" \
		test "$(grep -c '^call recurse$' "$TMP/got")" -eq 501
	check "3.11 entry fix announced once on stderr" \
		test "$(grep -c 'line marker' "$TMP/err")" -eq 1

	# --no-entry-fix: 3.11's function__entry then stays (almost) silent.
	expect_exit "--no-entry-fix: traced" 0 "$PYTRACE" --engine bpf -f json --no-entry-fix \
		-c "$PY311 $known"
	calls_of "$known" <"$TMP/out" >"$TMP/got"
	check "--no-entry-fix: returns without entries" \
		test "$(grep -c '^call' "$TMP/got")" -lt 5 -a "$(grep -c '^return' "$TMP/got")" -gt 500

	# 8 threads, each with its own tree.
	expect_exit "8 threads: traced" 0 "$PYTRACE" --engine bpf -f json \
		-c "$PY311 $DATA/threads_tree.py"
	calls_of "$DATA/threads_tree.py" --per-thread <"$TMP/out" >"$TMP/got"
	if "$PY311" "$DATA/threads_expect.py" <"$TMP/got" >"$TMP/why"; then
		ok "8 threads: each thread's tree exact"
	else
		fail "8 threads: each thread's tree exact"; sed 's/^/# /' "$TMP/why" | head
	fi

	# --enable-shared case: markers in libpython3.11.so.
	if [ -x "$FIXTURES/embed_py" ]; then
		expect_exit "embedded python: traced" 0 "$PYTRACE" --engine bpf -f json \
			-c "$FIXTURES/embed_py"
		calls_of "<embedded>" <"$TMP/out" | tr '\n' ' ' >"$TMP/got"
		check "embedded python: tree through libpython" test "$(cat "$TMP/got")" = \
			"call <module> call outer call inner return inner call inner return inner return outer return <module> "
	else
		skip "embedded python: $FIXTURES/embed_py not built"
	fi

	# Wrappers: env, and a shell script that runs python as a child.
	PATH=/usr/bin:/bin expect_exit "via /usr/bin/env: traced" 0 \
		"$PYTRACE" --engine bpf -f json -c "/usr/bin/env python3.11 $known"
	calls_of "$known" <"$TMP/out" >"$TMP/got"
	check "via /usr/bin/env: tree exact, <module> included" cmp -s "$TMP/expect" "$TMP/got"

	printf '#!/bin/sh\n%s "$@"\necho wrapper-done >&2\n' "$PY311" >"$TMP/wrapper.sh"
	chmod +x "$TMP/wrapper.sh"
	expect_exit "via a shell wrapper: traced" 0 "$PYTRACE" --engine bpf -f json \
		-c "$TMP/wrapper.sh $known"
	calls_of "$known" <"$TMP/out" >"$TMP/got"
	check "via a shell wrapper: tree exact" cmp -s "$TMP/expect" "$TMP/got"
	check "via a shell wrapper: the command's stderr is its own" grep -q wrapper-done "$TMP/err"

	# Children: followed by default, not with --no-follow.
	expect_exit "subprocess child: traced" 0 "$PYTRACE" --engine bpf -f json \
		-c "$PY311 $DATA/parent_child.py"
	check "subprocess child: followed" grep -q '"func":"child_work"' "$TMP/out"
	expect_exit "--no-follow: traced" 0 "$PYTRACE" --engine bpf -f json --no-follow \
		-c "$PY311 $DATA/parent_child.py"
	check "--no-follow: parent traced" grep -q 'parent_child.py' "$TMP/out"
	check "--no-follow: child not traced" sh -c "! grep -q child_tree.py '$TMP/out'"

	expect_exit "multiprocessing (fork): traced" 0 "$PYTRACE" --engine bpf -f json \
		-c "$PY311 $DATA/mp_fork.py"
	check "multiprocessing (fork): child followed" grep -q '"func":"in_child"' "$TMP/out"
	expect_exit "multiprocessing (fork), --no-follow: traced" 0 "$PYTRACE" --engine bpf -f json \
		--no-follow -c "$PY311 $DATA/mp_fork.py"
	check "multiprocessing (fork), --no-follow: child not traced" \
		sh -c "! grep -q '\"func\":\"in_child\"' '$TMP/out'"

	# Exit status passthrough.
	expect_exit "exit status 0" 0 "$PYTRACE" --engine bpf -f raw -c "$PY311 -c pass"
	expect_exit "exit status 3" 3 "$PYTRACE" --engine bpf -f raw \
		-c "$PY311 -c 'import sys; sys.exit(3)'"
	expect_exit "killed by SIGKILL: 128+9" 137 "$PYTRACE" --engine bpf -f raw \
		-c "$PY311 -c 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)'"
	expect_exit "killed by SIGTERM: 128+15" 143 "$PYTRACE" --engine bpf -f raw \
		-c "$PY311 -c 'import os, signal; os.kill(os.getpid(), signal.SIGTERM)'"
}

main
done_testing
