#!/bin/bash
# --include and the events that are not calls (issue #11): with a file or
# function filter, gc/import/audit events show only inside a shown call;
# those outside every shown call (start-up, excluded code) are hidden.
. "$TOP/tests/lib.sh"

cat >"$TMP/t.raw" <<'RAW'
pytrace-raw 1
call 1000 7 7 1 "<module>" "<frozen importlib._bootstrap>"
import-start 1100 7 7 0 "encodings" ""
import-done 1200 7 7 1 "encodings" ""
gc-start 1300 7 7 0 "" ""
gc-done 1400 7 7 5 "" ""
audit 1500 7 7 0 "os.listdir" ""
return 1600 7 7 2 "<module>" "<frozen importlib._bootstrap>"
call 2000 7 7 1 "<module>" "/srv/app.py"
import-start 2100 7 7 0 "json" ""
call 2200 7 7 1 "dumps" "/usr/lib/python3.11/json/__init__.py"
gc-start 2300 7 7 2 "" ""
gc-done 2400 7 7 3 "" ""
return 2500 7 7 9 "dumps" "/usr/lib/python3.11/json/__init__.py"
import-done 2600 7 7 1 "json" ""
audit 2700 7 7 0 "open" ""
return 2800 7 7 9 "<module>" "/srv/app.py"
RAW
"$PYTRACE" -q --replay "$TMP/t.raw" --all --include app.py >"$TMP/out" 2>"$TMP/err"
rc=$?
sed 's/^/# /' "$TMP/out"
check "--all --include app.py: exit 0 (got $rc)" test "$rc" -eq 0
check "start-up's import, gc and audit are hidden" \
	sh -c "! grep -qE 'import encodings|5 collected|gc start, generation 0|audit os.listdir' '$TMP/out'"
check "the app's import, its gc and audit show" \
	sh -c "grep -q 'import json' '$TMP/out' && grep -q 'gc start, generation 2' '$TMP/out' && grep -q 'audit open' '$TMP/out'"
"$PYTRACE" -q --replay "$TMP/t.raw" --all >"$TMP/all" 2>/dev/null
check "without a filter every event shows" \
	sh -c "grep -q 'import encodings' '$TMP/all' && grep -q 'audit os.listdir' '$TMP/all'"
done_testing
