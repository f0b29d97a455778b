# Shared by the tests on other CPythons (sourced after lib.sh): Debian's
# packaged interpreters of other suites, fetched by tools/fetch-python into a
# cache outside the tree. Heavy: they run in the normal build only.

# foreign_python VERSION: the fetched interpreter's path in FPY, or false
# with the reason in FPY_WHY (a test skips with it).
foreign_python() {
	FPY="" FPY_WHY=""
	if [ "${BUILD:-build}" = build-san ]; then
		FPY_WHY="foreign interpreters run in the normal build only (BUILD=$BUILD)"
		return 1
	fi
	if ! have patchelf; then
		FPY_WHY="patchelf not installed (make deps)"
		return 1
	fi
	if ! FPY=$("$TOP/tools/fetch-python" "$1" 2>"$TMP/fetch.err"); then
		FPY_WHY="CPython $1 not available: $(tail -1 "$TMP/fetch.err")"
		FPY=""
		return 1
	fi
	return 0
}

# skip_all REASON: one skip line and the end of the test
skip_all() {
	skip "$1"
	done_testing
	exit 0
}
