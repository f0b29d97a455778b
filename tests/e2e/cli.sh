# The command line's contract: usage errors exit 2 with one line naming the
# problem; --help and --version work; nothing is traced on a usage error.
. "$TOP/tests/lib.sh"

expect_exit "--help exits 0" 0 "$PYTRACE" --help
check "--help lists the exit statuses" grep -q "Exit status" "$TMP/out"
check "--help names every format" grep -q "text (default), json, chrome, folded, summary, raw" "$TMP/out"
expect_exit "--version exits 0" 0 "$PYTRACE" --version
check "--version prints the version" grep -Eq '^pytrace [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"

usage_case() {   # NAME ARGS... : exit 2, one line on stderr, nothing on stdout
	local name=$1; shift
	expect_exit "$name: exit 2" 2 "$PYTRACE" "$@"
	if [ "$(wc -l < "$TMP/err")" -eq 1 ] && grep -q '^pytrace: .*see pytrace --help' "$TMP/err" &&
	   [ ! -s "$TMP/out" ]; then
		ok "$name: one line on stderr, nothing on stdout"
	else
		fail "$name: one line on stderr, nothing on stdout"; sed 's/^/# /' "$TMP/err"
	fi
}

usage_case "no target"                 
usage_case "unknown long option"       --frobnicate
usage_case "unknown short option"      -Z
usage_case "missing argument"          -c
usage_case "-c with -p"                -c true -p 1
usage_case "-c twice"                  -c true -c false
usage_case "-p twice"                  -p 1 -p 2
usage_case "bad pid"                   -p abc
usage_case "negative pid"              -p -5
usage_case "bad format"                -f xml -c true
usage_case "bad engine"                --engine dtrace -c true
usage_case "bad color"                 --color sometimes -c true
usage_case "duration without unit"     --min-duration 5 -c true
usage_case "bad duration"              --min-duration 3parsecs -c true
usage_case "negative duration"         --min-duration -3ms -c true
usage_case "bad glob"                  --include '[abc' -c true
usage_case "empty glob"                --function '' -c true
usage_case "bad max depth"             --max-depth 0 -c true
usage_case "bad buffer size"           --buffer-size lots -c true
usage_case "bad --duration"            --duration never -c true
usage_case "replay with -c"            --replay x.raw -c true
usage_case "replay with --duration"    --replay x.raw --duration 5
usage_case "replay with --engine"      --replay x.raw --engine stap
usage_case "replay with --buffer-size" --replay x.raw --buffer-size 64M
usage_case "stray argument"            python3 app.py
check "the stray-argument error shows how to quote a command" grep -q 'quote it: -c "python3' "$TMP/err"
usage_case "list with two targets"     list /usr/bin/python3.11 -p 1
usage_case "doctor with a target"      doctor -p 1
usage_case "print-script with bpf"     --print-script --engine bpf -c true

done_testing
