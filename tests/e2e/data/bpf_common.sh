# Shared by tests/e2e/bpf_*.sh (sourced after tests/lib.sh).
DATA="$TOP/tests/e2e/data"
FIX="$FIXTURES/sdt_calls"

# bpf_ready: true when the bpf engine can trace here; otherwise one SKIP
# with the reason and false.
bpf_ready() {
	need_root "bpf engine" || return 1
	[ -x "$PY311" ] || { skip "bpf engine: $PY311 is not installed"; return 1; }
	[ -x "$FIX" ] || { skip "bpf engine: $FIX not built (make check builds it)"; return 1; }
	"$PYTRACE" --engine bpf --python "$FIX" -f raw -c "$FIX tree" >"$TMP/ready.out" 2>"$TMP/ready.err"
	local rc=$?
	if [ $rc -eq 5 ]; then
		skip "bpf engine cannot run here: $(head -1 "$TMP/ready.err")"
		return 1
	fi
	return 0
}

# calls_of FILE [--per-thread]: json trace on stdin -> "call F"/"return F"
# lines for the events of FILE (per thread: "TID call F", ...).
calls_of() { "$PY311" "$DATA/calls_of.py" "$@"; }
