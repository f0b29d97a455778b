#!/bin/bash
# What the bpf engine needs, measured per capability set with setpriv: a
# trace works, or pytrace exits 5 before anything runs with a hint that
# fits.  On this kernel CAP_BPF+CAP_PERFMON load the programs but creating
# uprobes needs CAP_SYS_ADMIN, which alone is enough.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"

# as_nobody CAPS CMD...: run CMD as nobody with only CAPS (setpriv syntax,
# "+bpf,+perfmon") inheritable and ambient.
as_nobody() {
	local caps=$1; shift
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="-all$caps" \
		--ambient-caps="-all$caps" "$@"
}

main() {
	bpf_ready || return 0
	have setpriv || { skip "privileges: setpriv (util-linux) not installed"; return 0; }
	# nobody must reach the binary and the script
	chmod 755 "$TMP"
	cp "$PYTRACE" "$TMP/pytrace"
	# the command writes its effective capabilities where nobody may write
	cat >"$TMP/p.py" <<'PY'
import sys
def f():
    return 1
f()
caps = [l for l in open("/proc/self/status") if l.startswith("CapEff")]
open(sys.argv[1], "w").write(caps[0] if caps else "?")
sys.exit(3)
PY
	mkdir -m 777 "$TMP/w"
	chmod 644 "$TMP/p.py"
	local run="$PY311 $TMP/p.py $TMP/w/ran"

	rm -f "$TMP/w/ran"
	expect_exit "nobody +bpf,+perfmon: exits 5" 5 as_nobody ",+bpf,+perfmon" \
		"$TMP/pytrace" --engine bpf -f json -c "$run"
	check "nobody +bpf,+perfmon: the hint names CAP_SYS_ADMIN and sudo" \
		grep -q "CAP_SYS_ADMIN.*sudo" "$TMP/err"
	check "nobody +bpf,+perfmon: the command did not run" test ! -e "$TMP/w/ran"
	expect_exit "nobody +bpf,+perfmon: doctor (no engine: 5)" 5 as_nobody ",+bpf,+perfmon" "$TMP/pytrace" doctor
	check "doctor agrees: privileges FAIL for bpf" grep -qE "FAIL +privileges .*CAP_SYS_ADMIN" "$TMP/out"

	rm -f "$TMP/w/ran"
	expect_exit "nobody +sys_admin: traces, the command's status (3)" 3 as_nobody ",+sys_admin" \
		"$TMP/pytrace" --engine bpf -f json -c "$run"
	check "nobody +sys_admin: the call is traced" grep -q '"func":"f"' "$TMP/out"
	check "nobody +sys_admin: the command ran without pytrace's capabilities" \
		grep -qE 'CapEff:[[:space:]]+0+$' "$TMP/w/ran"

	rm -f "$TMP/w/ran"
	expect_exit "root without capabilities: exits 5" 5 setpriv --inh-caps=-all --ambient-caps=-all \
		--bounding-set=-all "$TMP/pytrace" --engine bpf -f json -c "$run"
	check "root without capabilities: the hint is for a container (--cap-add)" \
		grep -q -- "--cap-add SYS_ADMIN" "$TMP/err"
	check "root without capabilities: the command did not run" test ! -e "$TMP/w/ran"
	expect_exit "doctor: status 0" 0 "$PYTRACE" doctor
	check "doctor: BTF is a requirement, not a remark" grep -qE "ok +BTF +/sys/kernel/btf/vmlinux" "$TMP/out"
	done_testing
}
main
