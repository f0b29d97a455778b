# Reading pytrace top's tables and screens (sourced after tests/lib.sh by
# tests/lib/cases.sh and tests/e2e/top_screen.sh).  A plain table row and a
# screen row have the same fields: 1 calls, 2 calls/s, 3-6 total self mean
# max, 7 pid, 8 function, 9 file:line ("(/path/x.py:9)" in a table,
# "...th/x.py:9" on a screen).

# top_last FILE: FILE's last table (from its last "# pytrace top" line), or
# all of FILE when it has none (a screen)
top_last() {
	awk '/^# pytrace top/ { n = NR } { l[NR] = $0 } END { for (i = n > 0 ? n : 1; i <= NR; i++) print l[i] }' "$1"
}

# top_field FILE FUNC N: field N of the row of FUNC in top_mix.py in FILE's
# last table (nothing: no such row)
top_field() {
	top_last "$1" | awk -v f="$2" -v n="$3" '$8 == f && $9 ~ /top_mix\.py:[0-9]+\)?$/ { print $n; exit }'
}

# top_calls_are FILE FUNC=N...: in FILE's last table each FUNC of top_mix.py
# has N calls (the differences printed)
top_calls_are() {
	local file=$1 ok=0 kv have; shift
	for kv in "$@"; do
		have=$(top_field "$file" "${kv%%=*}" 1)
		[ "$have" = "${kv#*=}" ] || { echo "${kv%%=*}: ${have:-no row}, wanted ${kv#*=}"; ok=1; }
	done
	return $ok
}

# top_order FILE NAME...: the NAMEs (functions of top_mix.py) in the order
# of FILE's last table's rows, one line
top_order() {
	local file=$1; shift
	top_last "$file" | awk -v names=" $* " '$9 ~ /top_mix\.py:[0-9]+\)?$/ && index(names, " " $8 " ") {
		printf "%s%s", sep, $8; sep = " " } END { print "" }'
}

# top_order_is FILE "NAMES": top_order is exactly NAMES (else printed)
top_order_is() {
	local have names
	read -ra names <<<"$2"
	have=$(top_order "$1" "${names[@]}")
	[ "$have" = "$2" ] || { echo "order: $have, wanted $2"; return 1; }
}

# top_parseable FILE: every line of FILE is a table's header ("# pytrace
# top..."), its column names, a row (7 numbers or "-", then "function
# (file:line)"), or the blank line after a table; prints the first other line
top_parseable() {
	awk '
	/^# pytrace top( \(final\))?: [0-9]+\.[0-9]+ s, [0-9]+ process(es)?, [0-9]+ events\/s, [0-9]+ lost/ { next }
	/^ +calls +calls\/s +total us +self us +mean us +max us +pid +function \(file:line\)$/ { next }
	/^$/ { next }
	$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+\.[0-9][0-9][0-9]$/ && $4 ~ /^[0-9]+\.[0-9][0-9][0-9]$/ &&
	$5 ~ /^([0-9]+\.[0-9][0-9][0-9]|-)$/ && $6 ~ /^([0-9]+\.[0-9][0-9][0-9]|-)$/ && $7 ~ /^[0-9]+$/ &&
	$0 ~ / \(.*:-?[0-9]+\)( \[[0-9]+ never returned\])?$/ { next }
	{ print "not a table line: " $0; bad = 1; exit }
	END { exit bad }' "$1"
}
