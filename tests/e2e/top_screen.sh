#!/bin/bash
# pytrace top in a real terminal (tmux): the screen's rows and counts are
# the program's (data/top_mix.py: f 1000 calls, g 10, slow 2, outer 1),
# the keys c/t/s re-sort it and p pauses it, and the terminal comes back as
# it was (main screen, cursor shown, the same stty modes, the shell's prompt)
# after q, after SIGTERM to pytrace and after the target ends by itself —
# each time with the final table printed once on stdout.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"
. "$TOP/tests/lib/terminal.sh"
. "$TOP/tests/lib/top.sh"

terminal_test "top screen" top
# outer returned (before, its row shows it running with 0 calls): every
# count of top_mix.py is final
OUTER_DONE='^ +1 +[0-9]+ .* outer +.*top_mix\.py:[0-9]+ *$'
HEADER_RE='^pytrace top +[0-9]+\.[0-9] s +1 process +[0-9]+ events/s +[0-9]+ lost +sort: '

# screen FILE: the visible screen into FILE
screen() { tmux capture-pane -t "$S" -p >"$1"; }
# wait_screen REGEX [SECONDS]: until the screen has a line matching REGEX
# (default 60 s: an ASan build on a loaded host starts slowly; a pass
# waits only as long as it takes); the screen is left in $TMP/screen
wait_screen() {
	local i
	for ((i = 0; i < ${2:-60} * 10; i++)); do
		screen "$TMP/screen"
		grep -qE "$1" "$TMP/screen" && return 0
		sleep 0.1
	done
	diag "screen never showed /$1/:"
	sed 's/^/# | /' "$TMP/screen"
	return 1
}
# start_top SECONDS ARGS...: a shell in a 160x30 terminal whose modes are
# saved, then pytrace top ARGS on top_mix.py napping SECONDS (its file's
# functions only: the interpreter's start-up has more calls than fit); the
# shell says TOP-DONE and the exit status when pytrace ends
start_top() {
	local secs=$1; shift
	tmux kill-session -t "$S" 2>/dev/null
	tmux new-session -d -s "$S" -x 160 -y 30 "env PS1='shell> ' bash --norc --noprofile"
	tmux send-keys -t "$S" "stty -g >$TMP/stty.before" Enter
	tmux send-keys -t "$S" "clear; $(printf '%q ' "$PYTRACE" top --engine bpf --include top_mix.py "$@" \
		-c "${TOP_PY:-$PYC} $DATA/top_mix.py $secs"); echo TOP-DONE rc=\$?" Enter
}
# fresh_screen: the reused shell's screen and history emptied, so waiting
# for TOP-DONE cannot match the previous command's line
fresh_screen() {
	local i
	tmux send-keys -t "$S" "clear" Enter
	for ((i = 0; i < 300; i++)); do
		screen "$TMP/screen"
		grep -q '^TOP-DONE' "$TMP/screen" || break
		sleep 0.1
	done
	tmux clear-history -t "$S"
}
# terminal_back WHAT: pytrace ended and the terminal is as before
terminal_back() {
	local what=$1
	if wait_screen '^TOP-DONE rc=' 90; then ok "$what: pytrace ended"; else fail "$what: pytrace ended"; fi
	check "$what: the main screen is back" test "$(tmux display -p -t "$S" '#{alternate_on}')" = 0
	check "$what: the cursor is shown" test "$(tmux display -p -t "$S" '#{cursor_flag}')" = 1
	rm -f "$TMP/stty.after"   # not the last case's
	tmux send-keys -t "$S" "stty -g >$TMP/stty.after; echo STTY-SAVED" Enter
	wait_screen '^STTY-SAVED' 30 >/dev/null
	check "$what: the terminal modes are as before (echo, canonical, signals)" \
		cmp -s "$TMP/stty.before" "$TMP/stty.after"
	# the shell ran that line and prompts again (the prompt follows the
	# echo by a moment; a long final table can scroll the line itself off)
	if wait_screen '^shell> *$' 30 >/dev/null; then
		ok "$what: the shell's prompt is back"
	else
		fail "$what: the shell's prompt is back"
	fi
}
# restored WHAT: terminal_back, and the final table was printed once with
# the program's counts
restored() {
	local what=$1
	terminal_back "$what"
	tmux capture-pane -t "$S" -p -J -S -200 >"$TMP/history"
	check "$what: the final table printed once" \
		test "$(grep -c '^# pytrace top (final)' "$TMP/history")" = 1
	check "$what: no table drawn on the main screen" \
		sh -c "! grep -q '^pytrace top  ' '$TMP/history'"
	if top_calls_are "$TMP/history" f=1000 g=10 slow=2 outer=1; then
		ok "$what: the final table's counts"
	else
		fail "$what: the final table's counts"
		grep . "$TMP/history" | sed 's/^/# history: /'
	fi
}

# The screen: rows and counts of the program, sorted by calls.
start_top 60
if wait_screen '^ +1000 .* f +.*top_mix\.py:[0-9]+ *$' && wait_screen "$OUTER_DONE"; then
	sleep 1.2   # one more refresh: nap's calls/s covers a whole interval
	screen "$TMP/screen"
	ok "the screen shows the program's rows"
else
	fail "the screen shows the program's rows"
fi
cp "$TMP/screen" "$TMP/screen.calls"
sed 's/^/# screen: /' "$TMP/screen.calls" | head -16
check "header: elapsed, processes, events/s, lost, sort" grep -qE "${HEADER_RE}calls" "$TMP/screen.calls"
check "the counts on screen are the program's" top_calls_are "$TMP/screen.calls" f=1000 g=10 slow=2 outer=1
check "sorted by calls: f g slow outer" top_order_is "$TMP/screen.calls" "f g slow outer"
check "calls/s: f's 0 in the last interval" test "$(top_field "$TMP/screen.calls" f 2)" = 0
check "calls/s: nap's above 0" test "$(top_field "$TMP/screen.calls" nap 2)" -gt 0

tmux send-keys -t "$S" t
wait_screen "${HEADER_RE}total" 20 >/dev/null
check "t: sorted by total: outer slow g f" top_order_is "$TMP/screen" "outer slow g f"
tmux send-keys -t "$S" s
wait_screen "${HEADER_RE}self" 20 >/dev/null
check "s: sorted by self: slow g f outer" top_order_is "$TMP/screen" "slow g f outer"
tmux send-keys -t "$S" c
wait_screen "${HEADER_RE}calls" 20 >/dev/null
check "c: sorted by calls again" top_order_is "$TMP/screen" "f g slow outer"

# p: the screen stops changing (nap's calls stay), p again resumes
tmux send-keys -t "$S" p
if wait_screen '\[paused\]' 20; then ok "p: paused"; else fail "p: paused"; fi
n1=$(top_field "$TMP/screen" nap 1)
sleep 1.5
screen "$TMP/screen"
check "p: the paused screen does not change (nap $n1 calls)" test "$(top_field "$TMP/screen" nap 1)" = "$n1"
tmux send-keys -t "$S" p
resumed=no
for ((i = 0; i < 100; i++)); do
	screen "$TMP/screen"
	[ "$(top_field "$TMP/screen" nap 1)" -gt "$n1" ] && { resumed=yes; break; }
	sleep 0.1
done
check "p again: resumed (nap above $n1 calls)" test $resumed = yes

# Arrow keys are not letters: an escape sequence changes nothing
tmux send-keys -t "$S" Up
sleep 0.3
screen "$TMP/screen"
check "an arrow key does not re-sort" grep -qE "${HEADER_RE}calls" "$TMP/screen"

tmux send-keys -t "$S" q
restored "q"
check "q: the command got SIGINT at once, as from a trace's Ctrl-C (status 130)" \
	grep -q '^TOP-DONE rc=130$' "$TMP/screen"

# SIGTERM to pytrace: the same way back
start_top 60
if wait_screen "$OUTER_DONE"; then
	pid=$(pgrep -f -- "^$PYTRACE top .*$PYC" | head -1)
	check "SIGTERM: pytrace found" test -n "$pid"
	[ -n "$pid" ] && kill -TERM "$pid"
else
	fail "SIGTERM: the screen came up"
fi
restored "SIGTERM"

# The target ends by itself: the view ends, the command's status
start_top 1
restored "the target ended"
check "the target ended: pytrace exits with the command's status" grep -q '^TOP-DONE rc=0$' "$TMP/screen"

# Ctrl-C is a key: the command does not get the terminal's SIGINT first
start_top 60
wait_screen "$OUTER_DONE" >/dev/null
tmux send-keys -t "$S" C-c
restored "Ctrl-C"
check "Ctrl-C: status 130" grep -q '^TOP-DONE rc=130$' "$TMP/screen"

# TERM=dumb: no full screen on that terminal, plain tables instead
fresh_screen
tmux send-keys -t "$S" "clear; TERM=dumb $(printf '%q ' "$PYTRACE" top --engine bpf --include top_mix.py \
	--interval 0.5 -n 2 -c "$PYC $DATA/top_mix.py 4"); echo TOP-DONE rc=\$?" Enter
wait_screen '^TOP-DONE rc=' 90 >/dev/null
tmux capture-pane -t "$S" -p -J -S -200 >"$TMP/history"
if [ "$(grep -c '^# pytrace top: ' "$TMP/history")" = 2 ]; then
	ok "TERM=dumb: two plain tables on the terminal"
else
	fail "TERM=dumb: two plain tables on the terminal"
	grep . "$TMP/history" | sed 's/^/# history: /'
fi
check "TERM=dumb: no full screen was drawn" sh -c "! grep -q '^keys: c calls' '$TMP/history'"

# An error once the screen is up (-u names no user: found when the engine
# starts the command): the terminal comes back, then the error is on it
fresh_screen
tmux send-keys -t "$S" "clear; $(printf '%q ' "$PYTRACE" top --engine bpf -u nosuchuser-pytrace-top \
	-c "$PYC $DATA/top_mix.py 1"); echo TOP-DONE rc=\$?" Enter
terminal_back "an engine error"
tmux capture-pane -t "$S" -p -J -S -200 >"$TMP/history"
check "an engine error: its message is on the main screen" \
	grep -q '^pytrace: -u nosuchuser-pytrace-top: no such user$' "$TMP/history"
check "an engine error: status 2" grep -q '^TOP-DONE rc=2$' "$TMP/screen"
done_testing
