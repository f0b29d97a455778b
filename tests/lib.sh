# TAP helpers for end-to-end tests: source it, call ok/fail/skip, then done_testing.
# Each test script runs the real built binary ($PYTRACE).
set -u
: "${PYTRACE:?run through tests/run or make check}"
PY311=/usr/bin/python3.11
_n=0
TMP=$(mktemp -d /tmp/pytrace-e2e.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ok()   { _n=$((_n+1)); echo "ok $_n - $*"; }
fail() { _n=$((_n+1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n+1)); echo "ok $_n # SKIP $*"; }
diag() { echo "# $*"; }
# check NAME CONDITION-COMMAND...: ok when the command succeeds
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }
done_testing() { echo "1..$_n"; }

is_root() { [ "$(id -u)" -eq 0 ]; }
need_root() { is_root || { skip "$1: needs root (uprobes, BPF)"; return 1; }; }
have() { command -v "$1" >/dev/null 2>&1; }

# expect_exit NAME STATUS CMD...: run CMD, check its exit status, keep
# stdout in $TMP/out and stderr in $TMP/err.
expect_exit() {
	local name=$1 want=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else
		fail "$name (exit $rc, wanted $want)"; sed 's/^/# err: /' "$TMP/err" | head -5; fi
}
# one_line_error NAME: stderr of the last expect_exit is one line naming pytrace
one_line_error() {
	local n; n=$(grep -c . "$TMP/err")
	if [ "$n" -ge 1 ] && head -1 "$TMP/err" | grep -q '^pytrace: '; then ok "$1: one-line error"; else
		fail "$1: one-line error"; sed 's/^/# err: /' "$TMP/err" | head -5; fi
}
# pytrace_error FILE: FILE (a stderr) starts with a line naming pytrace (the
# one-line error); a CHECK helper for tests/live cases
pytrace_error() { grep -q . "$1" && head -1 "$1" | grep -q '^pytrace: '; }
# usage_error OUT ERR: a usage error's shape: one line on stderr naming
# pytrace and pointing at --help, nothing on stdout (a CHECK helper)
usage_error() {
	[ "$(wc -l <"$2")" -eq 1 ] && grep -q '^pytrace: .*see pytrace --help' "$2" && [ ! -s "$1" ]
}
# tmux ARGS...: tmux on this test's own server (a socket in $TMP): another
# test or user ending the default server's last session must not end ours
tmux() { command tmux -S "$TMP/tmux.sock" "$@"; }
