# The start of a test that drives pytrace in a real terminal (tmux),
# sourced after tests/lib.sh, tests/lib/bpf.sh and tests/lib/faults.sh by
# tests/e2e/status_line.sh and tests/e2e/top_screen.sh.

# terminal_test WHAT NAME: skip the test (WHAT names it) without tmux or
# the bpf engine; a private python ($PYC); the tmux session's name in S
# (pytrace-NAME-PID); tmux's server killed and $TMP removed at exit.
terminal_test() {
	have tmux || { skip "$1: tmux is not installed (make deps installs it)"; done_testing; exit 0; }
	bpf_ready || { done_testing; exit 0; }
	private_python
	S=pytrace-$2-$$
	trap 'tmux kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
}
