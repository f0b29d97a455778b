#!/bin/bash
# suite: unit
# Static analysis as a test: `make lint` (cppcheck on src/) finds nothing.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
if ! have cppcheck; then
	skip "make lint: cppcheck is not installed (apt-get install cppcheck)"
elif make -s lint >"$TMP/out" 2>&1; then
	ok "make lint: cppcheck finds nothing in src/"
else
	fail "make lint: cppcheck findings"
	sed 's/^/# /' "$TMP/out" | head -30
fi
done_testing
