#!/bin/bash
# -u USER (issue #11): the -c command runs as USER with its uid, groups,
# HOME, USER and LOGNAME (like strace -u) and is traced; an unknown user is
# a usage error; -u without -c is refused.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"

TRACE=("$PYTRACE" --engine bpf -q)
bpf_ready || { done_testing; exit 0; }
id nobody >/dev/null 2>&1 || { skip "-u: no user 'nobody' here"; done_testing; exit 0; }
want="$(id -u nobody) $(id -g nobody) $(id -G nobody | tr ' ' ',') $(getent passwd nobody | cut -d: -f6) nobody nobody"

# What the command sees, printed by python itself (to stderr: the trace has stdout).
CODE='import os; print(os.getuid(), os.getgid(), ",".join(map(str, sorted(os.getgroups()))), os.environ["HOME"], os.environ["USER"], os.environ["LOGNAME"])'
"${TRACE[@]}" -u nobody -f json -c "$PY311 -c '$CODE'" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "-u nobody: status 0 (got $rc)" test "$rc" -eq 0
got=$(grep -v '^pytrace' "$TMP/err" | tail -1)
diag "command saw: $got (want: $want)"
check "-u nobody: uid, gid, groups, HOME, USER, LOGNAME are nobody's" test "$got" = "$want"
check "-u nobody: traced" grep -q '"func":"<module>","file":"<string>"' "$TMP/out"

expect_exit "-u with an unknown user: usage error" 2 "${TRACE[@]}" -u no-such-user-xyz -c true
check "-u unknown: said" grep -q 'no-such-user-xyz: no such user' "$TMP/err"
expect_exit "-u without -c: usage error" 2 "$PYTRACE" -u nobody -p 1
done_testing
