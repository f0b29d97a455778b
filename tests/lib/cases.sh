#!/bin/bash
# The runner of declarative live cases (tests/live/*.test), in the style of
# bpftrace's runtime tests.  tests/run runs it once per file:
#     bash tests/lib/cases.sh tests/live/NAME.test
# and it prints TAP, one line per assertion, like the tests/e2e scripts.
#
# A file is a list of cases.  A case starts at NAME; each other line is one
# directive; blank lines and lines starting with # are ignored; a line ending
# in a backslash continues on the next one.
#
#   NAME text          the case's name, which starts it (every TAP line of
#                      the case begins with it)
#   REQUIRES cmd       skip the case, with a printed reason, unless cmd
#                      succeeds; the reason is cmd's last output line (the
#                      helpers below print one), else the command itself
#   BEFORE cmd         start cmd in the background before RUN and wait (10 s
#                      at most) until it printed its first line on stdout;
#                      it is killed when the case ends.  {{BEFORE_PID}} and
#                      {{BEFORE_OUT}} are the first BEFORE's pid and stdout
#   SETUP cmd          run after the BEFOREs, before RUN; must succeed
#   RUN cmd            the command under test (sh syntax, run by bash -c);
#                      stdout in {{OUT}}, stderr in {{ERR}}; exactly one
#   TIMEOUT seconds    RUN's bound (default 120); then SIGTERM, 5 s later
#                      SIGKILL to everything it started, and a failure
#   EXIT n             RUN's expected exit status (default 0); always checked
#   KILL_WHEN SIG cmd  send SIG to RUN once cmd succeeds (polled while RUN
#                      runs); RUN must then be one simple command, so that
#                      bash execs it and the signal reaches it
#   DURING cmd         passes if cmd succeeds at some point while RUN runs
#                      (polled every 0.1 s)
#   EXPECT text               a line of stdout is exactly text
#   EXPECT_REGEX re           a line of stdout matches re (grep -E)
#   EXPECT_JSON {...}         stdout holds a JSON object (a JSON line, or an
#                             object inside a JSON document) with at least
#                             these keys and values
#   EXPECT_LINES n re         exactly n lines of stdout match re
#   ..._NONE                  EXPECT_NONE, EXPECT_REGEX_NONE, EXPECT_JSON_NONE:
#                             no line / object matches
#   EXPECT_STDERR...          the same on stderr: EXPECT_STDERR,
#                             EXPECT_STDERR_REGEX, EXPECT_STDERR_LINES, ..._NONE
#   CHECK cmd          after RUN: cmd succeeds (for what a line match cannot
#                      say: a tree compared with a reference, a process's
#                      semaphores, a rate)
#
# REQUIRES, SETUP, DURING, KILL_WHEN and CHECK run in the runner's shell, so
# the helpers of tests/lib.sh, tests/lib/bpf.sh, tests/lib/faults.sh and
# tests/lib/top.sh are
# there (REQUIRES: bpf_engine, root, installed CMD, fixture NAME, python311;
# CHECK: pytrace_error, usage_error, tree_is, calls_of, marker_dirty,
# marker_raised, ...); RUN and BEFORE get the environment only.  Every command and
# expectation has these substituted first (an unknown {{...}} is an error):
#   {{PYTRACE}} the binary under test     {{PY}}   this file's private copy
#   {{DATA}}    tests/e2e/data                     of /usr/bin/python3.11
#   {{FIX}}     the SDT fixture sdt_calls {{PY311}} /usr/bin/python3.11 itself
#   {{FIXTURES}} the built fixtures       {{TMP}}  this file's temp directory
#   {{OUT}} {{ERR}} RUN's stdout/stderr   {{TOP}}  the source tree
#   {{BEFORE_PID}} {{BEFORE_OUT}}
# RUN and BEFORE find the private copy first on PATH as python3.11.
#
# Why {{PY}}: a tracer elsewhere on the host that probes
# /usr/bin/python3.11 (any `pytrace -c`: its uprobes have no pid filter)
# raises semaphores and plants breakpoints in every process of that file.
# A copy is another inode: nothing but this file's own traces touch it.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"
. "$TOP/tests/lib/top.sh"

FILE=$1
[ -r "$FILE" ] || { fail "cannot read case file $FILE"; done_testing; exit 1; }
PYC=""
[ -x "$PY311" ] && private_python
# Readable by all: a case may run {{PY}} or read {{TMP}} as another user.
chmod 755 "$TMP"

# --- parse -----------------------------------------------------------------
C_NAME=()                       # case number -> NAME
D_CASE=() D_KEY=() D_ARG=() D_LINE=()   # directives, in file order
nc=-1 lineno=0 bad=0
parse_error() { fail "$FILE:$1: $2"; bad=1; }
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1)); first=$lineno
	while [[ $line == *\\ ]] && IFS= read -r more; do
		lineno=$((lineno + 1))
		line="${line%\\} ${more#"${more%%[![:space:]]*}"}"
	done
	line=${line#"${line%%[![:space:]]*}"}
	case $line in ''|'#'*) continue;; esac
	key=${line%%[[:space:]]*}
	arg=${line#"$key"}; arg=${arg#"${arg%%[![:space:]]*}"}
	if [ "$key" = NAME ]; then
		nc=$((nc + 1)); C_NAME[nc]=$arg; continue
	fi
	if [ $nc -lt 0 ]; then parse_error "$first" "$key before the first NAME"; continue; fi
	case $key in
	RUN|BEFORE|REQUIRES|SETUP|CHECK|DURING) ;;
	TIMEOUT|EXIT) [[ $arg =~ ^[0-9]+$ ]] || parse_error "$first" "$key needs a number";;
	KILL_WHEN) [[ $arg =~ ^[A-Z0-9]+\ .+ ]] || parse_error "$first" "KILL_WHEN needs SIGNAL COMMAND";;
	EXPECT_LINES|EXPECT_STDERR_LINES)
		[[ $arg =~ ^[0-9]+\ .+ ]] || parse_error "$first" "$key needs COUNT REGEX";;
	EXPECT|EXPECT_NONE|EXPECT_REGEX|EXPECT_REGEX_NONE|EXPECT_JSON|EXPECT_JSON_NONE) ;;
	EXPECT_STDERR|EXPECT_STDERR_NONE|EXPECT_STDERR_REGEX|EXPECT_STDERR_REGEX_NONE) ;;
	*) parse_error "$first" "unknown directive $key"; continue;;
	esac
	D_CASE+=("$nc") D_KEY+=("$key") D_ARG+=("$arg") D_LINE+=("$first")
done <"$FILE"
for ((i = 0; i <= nc; i++)); do
	runs=0
	for j in "${!D_CASE[@]}"; do
		[ "${D_CASE[j]}" = "$i" ] && [ "${D_KEY[j]}" = RUN ] && runs=$((runs + 1))
	done
	[ $runs -eq 1 ] || parse_error "case '${C_NAME[i]}'" "has $runs RUN lines, wants one"
done
[ $nc -ge 0 ] || parse_error 0 "no case (no NAME line)"
if [ $bad -ne 0 ]; then done_testing; exit 1; fi

# --- run -------------------------------------------------------------------
# subst TEXT: TEXT with the {{...}} placeholders of the current case filled
# in; false (and the text unchanged) when one is unknown.
subst() {
	local s=$1 k
	local -A v=([PYTRACE]=$PYTRACE [PY]=$PYC [PY311]=$PY311 [DATA]=$DATA [FIX]=$FIX
		[FIXTURES]=$FIXTURES [TMP]=$TMP [TOP]=$TOP [OUT]=$OUT [ERR]=$ERR
		[BEFORE_PID]=$BEFORE_PID [BEFORE_OUT]=$BEFORE_OUT)
	for k in "${!v[@]}"; do
		s=${s//"{{$k}}"/"${v[$k]}"}
	done
	printf '%s' "$s"
	[[ $s != *'{{'*'}}'* ]]
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# json_has FILE JSON: FILE (JSON lines or one JSON document) holds an object
# with at least JSON's keys and values (nested objects compared the same way)
json_has() {
	"${PYC:-$PY311}" - "$1" "$2" <<'PY'
import json, sys
want = json.loads(sys.argv[2])
def sub(w, d):
    if isinstance(w, dict):
        return isinstance(d, dict) and all(k in d and sub(v, d[k]) for k, v in w.items())
    return w == d
def objects(v):
    if isinstance(v, dict):
        yield v
        for x in v.values():
            yield from objects(x)
    elif isinstance(v, list):
        for x in v:
            yield from objects(x)
text = open(sys.argv[1], encoding="utf-8", errors="surrogateescape").read()
try:
    docs = [json.loads(text)]
except ValueError:
    docs = []
    for line in text.splitlines():
        try:
            docs.append(json.loads(line))
        except ValueError:
            pass
sys.exit(0 if any(sub(want, o) for d in docs for o in objects(d)) else 1)
PY
}

# expect KEY ARG: one EXPECT* assertion against $OUT or $ERR
expect() {
	local key=$1 arg=$2 file=$OUT n re got
	[[ $key == EXPECT_STDERR* ]] && file=$ERR
	case $key in
	*_LINES)
		n=${arg%% *}; re=${arg#* }
		got=$(grep -cE -- "$re" "$file")
		EXPECT_NOTE=" (got $got)"
		[ "$got" -eq "$n" ]
		return;;
	*_REGEX*) grep -qE -- "$arg" "$file";;
	*_JSON*)  json_has "$file" "$arg";;
	*)        grep -qxF -- "$arg" "$file";;
	esac
	local found=$?
	[ $found -le 1 ] || return 2   # grep's own error: a bad regex
	if [[ $key == *_NONE ]]; then [ $found -ne 0 ]; else [ $found -eq 0 ]; fi
}

# show FILE LABEL: the head of FILE as TAP comments
show() { [ -s "$1" ] && sed "s/^/# $2: /" "$1" | head -"${3:-10}"; }

run_case() {
	local i=$1 name=${C_NAME[$1]} j key arg cmd k
	local -a mine=()
	for j in "${!D_CASE[@]}"; do [ "${D_CASE[j]}" = "$i" ] && mine+=("$j"); done
	OUT=$TMP/case$i.out ERR=$TMP/case$i.err BEFORE_PID="" BEFORE_OUT=""

	# REQUIRES, in the runner's shell
	for j in "${mine[@]}"; do
		[ "${D_KEY[j]}" = REQUIRES ] || continue
		cmd=$(subst "${D_ARG[j]}") || { fail "$name: REQUIRES: unknown placeholder in '${D_ARG[j]}'"; return; }
		{ eval "$cmd"; } >"$TMP/case$i.req" 2>&1 && continue
		local why; why=$(grep . "$TMP/case$i.req" | tail -1)
		skip "$name: ${why:-REQUIRES ${D_ARG[j]} failed}"
		return
	done

	# BEFORE: in the background, each until its first line
	local -a bpids=()
	local timeout=120 want=0 killsig="" killcmd="" runcmd="" nb=0
	for j in "${mine[@]}"; do
		key=${D_KEY[j]}
		case $key in
		TIMEOUT) timeout=${D_ARG[j]};;
		EXIT) want=${D_ARG[j]};;
		BEFORE)
			if ! cmd=$(subst "${D_ARG[j]}"); then
				fail "$name: BEFORE: unknown placeholder in '${D_ARG[j]}'"
				[ ${#bpids[@]} -gt 0 ] && { kill -KILL "${bpids[@]}" 2>/dev/null; wait "${bpids[@]}" 2>/dev/null; }
				return
			fi
			PATH="$TMP/bin:$PATH" bash -c "$cmd" >"$TMP/case$i.before$nb" 2>"$TMP/case$i.before$nb.err" </dev/null &
			bpids+=($!)
			[ -z "$BEFORE_PID" ] && BEFORE_PID=$! BEFORE_OUT=$TMP/case$i.before$nb
			if ! wait_file "$TMP/case$i.before$nb" '' 10; then
				fail "$name: BEFORE ${D_ARG[j]}: printed nothing in 10 s"
				show "$TMP/case$i.before$nb.err" before
				kill -KILL "${bpids[@]}" 2>/dev/null; wait "${bpids[@]}" 2>/dev/null
				return
			fi
			nb=$((nb + 1));;
		esac
	done

	# SETUP, in the runner's shell
	for j in "${mine[@]}"; do
		[ "${D_KEY[j]}" = SETUP ] || continue
		if ! cmd=$(subst "${D_ARG[j]}"); then
			fail "$name: SETUP: unknown placeholder in '${D_ARG[j]}'"
		elif { eval "$cmd"; } >"$TMP/case$i.setup" 2>&1; then
			continue
		else
			fail "$name: SETUP ${D_ARG[j]}"; show "$TMP/case$i.setup" setup
		fi
		[ ${#bpids[@]} -gt 0 ] && { kill -KILL "${bpids[@]}" 2>/dev/null; wait "${bpids[@]}" 2>/dev/null; }
		return
	done

	# RUN, watched: DURING and KILL_WHEN polled, the timeout enforced
	local -a during=() dok=()
	for j in "${mine[@]}"; do
		key=${D_KEY[j]}
		case $key in
		RUN) runcmd=$(subst "${D_ARG[j]}") || { fail "$name: unknown placeholder in RUN"; return; };;
		DURING) during+=("$j"); dok[j]=0;;
		KILL_WHEN) killsig=${D_ARG[j]%% *}; killcmd=$(subst "${D_ARG[j]#* }");;
		esac
	done
	# setsid: RUN and what it starts are one process group, to kill on timeout
	PATH="$TMP/bin:$PATH" setsid bash -c "$runcmd" >"$OUT" 2>"$ERR" </dev/null &
	local rp=$! start; start=$(now_ms)
	local timed_out=0
	while kill -0 "$rp" 2>/dev/null; do
		for j in "${during[@]}"; do
			[ "${dok[j]}" = 1 ] && continue
			cmd=$(subst "${D_ARG[j]}")
			{ eval "$cmd"; } >/dev/null 2>&1 && dok[j]=1
		done
		if [ -n "$killcmd" ] && { eval "$killcmd"; } >/dev/null 2>&1; then
			kill -"$killsig" "$rp" 2>/dev/null
			killcmd=""
		fi
		if [ $(($(now_ms) - start)) -gt $((timeout * 1000)) ]; then
			timed_out=1
			kill -TERM "$rp" 2>/dev/null
			wait_exit "$rp" 5 || kill -KILL -- -"$rp" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$rp" 2>/dev/null
	local rc=$?
	[ $timed_out -eq 1 ] && rc=${WAIT_RC:-124}
	kill -KILL -- -"$rp" 2>/dev/null   # anything RUN left behind

	# the assertions, in file order after the exit status
	if [ $timed_out -eq 1 ]; then
		fail "$name: exit status $want (timed out after $timeout s)"
		show "$ERR" stderr
	elif [ "$rc" -eq "$want" ]; then
		ok "$name: exit status $want"
	else
		fail "$name: exit status $want (got $rc)"
		show "$ERR" stderr
	fi
	for j in "${mine[@]}"; do
		key=${D_KEY[j]} arg=${D_ARG[j]}
		case $key in
		EXPECT*)
			local what; EXPECT_NOTE=""
			if ! what=$(subst "$arg"); then fail "$name: $key: unknown placeholder in '$arg'"; continue; fi
			if expect "$key" "$what"; then
				ok "$name: $key $arg"
			else
				fail "$name: $key $arg$EXPECT_NOTE"
				if [[ $key == EXPECT_STDERR* ]]; then show "$ERR" stderr 15
				else show "$OUT" stdout 15; show "$ERR" stderr 5; fi
			fi;;
		CHECK)
			if ! cmd=$(subst "$arg"); then fail "$name: CHECK: unknown placeholder in '$arg'"; continue; fi
			if { eval "$cmd"; } >"$TMP/case$i.check" 2>&1; then
				ok "$name: CHECK $arg"
			else
				fail "$name: CHECK $arg"
				show "$TMP/case$i.check" check 15; show "$ERR" stderr 5
			fi;;
		DURING)
			check "$name: DURING $arg" test "${dok[j]}" = 1;;
		esac
	done
	[ ${#bpids[@]} -gt 0 ] && { kill -KILL "${bpids[@]}" 2>/dev/null; wait "${bpids[@]}" 2>/dev/null; }
	return 0
}

for ((i = 0; i <= nc; i++)); do
	run_case "$i"
done
done_testing
