#!/bin/bash
# `pytrace doctor`: each engine's verdict agrees with what this machine
# exports, the reasons name the missing piece, the auto choice follows
# "stap where it can run, else bpf", and the exit status says whether any
# engine can run.
. "$(dirname "$0")/../lib.sh"
EXIT_NO_ENGINE=5

"$PYTRACE" doctor >"$TMP/out" 2>"$TMP/err"
rc=$?
sed 's/^/# /' "$TMP/out"

check "doctor: reports the stap engine" grep -q '^engine stap: \(can run\|cannot run\)$' "$TMP/out"
check "doctor: reports the bpf engine" grep -q '^engine bpf: \(can run\|cannot run\)$' "$TMP/out"
check "doctor: says what --engine auto picks" grep -q '^--engine auto will use: ' "$TMP/out"

stap_ok=0; grep -q '^engine stap: can run' "$TMP/out" && stap_ok=1
bpf_ok=0; grep -q '^engine bpf: can run' "$TMP/out" && bpf_ok=1

# exit status: 0 when an engine can run, EXIT_NO_ENGINE otherwise
if [ $stap_ok -eq 1 ] || [ $bpf_ok -eq 1 ]; then want=0; else want=$EXIT_NO_ENGINE; fi
check "doctor: exit status $want (got $rc)" [ "$rc" -eq "$want" ]

# the auto choice
if [ $stap_ok -eq 1 ]; then
	check "auto picks stap when it can run" grep -q '^--engine auto will use: stap' "$TMP/out"
elif [ $bpf_ok -eq 1 ]; then
	check "auto picks bpf when stap cannot run, and says why" \
		grep -q '^--engine auto will use: bpf (stap cannot run: .\+)' "$TMP/out"
else
	check "auto picks none" grep -q '^--engine auto will use: none' "$TMP/out"
fi

# stap's verdict against the machine
if ! have stap; then
	check "stap missing: FAIL names it" grep -q 'FAIL.*stap missing (not on PATH)' "$TMP/out"
else
	check "stap found on PATH" sh -c "sed -n '/^engine stap:/,/^\$/p' '$TMP/out' | grep -q 'ok .*stap on PATH'"
fi
if [ ! -e /proc/modules ]; then
	check "no /proc/modules: stap cannot run, CONFIG_MODULES named" \
		sh -c "grep -q '^engine stap: cannot run' '$TMP/out' && grep -q 'FAIL.*CONFIG_MODULES' '$TMP/out'"
elif [ "$(cat /proc/sys/kernel/modules_disabled 2>/dev/null)" = 1 ]; then
	check "modules_disabled: stap cannot run, reason named" \
		sh -c "grep -q '^engine stap: cannot run' '$TMP/out' && grep -q 'FAIL.*modules_disabled' '$TMP/out'"
else
	skip "module loading works here: the modules check has nothing to report"
fi
if [ ! -e "/lib/modules/$(uname -r)/build" ]; then
	check "no kernel build tree: named with its path" \
		grep -q "FAIL.*no kernel build tree (/lib/modules/$(uname -r)/build)" "$TMP/out"
	# the headers package to suggest exists only for a packaged kernel
	rel=$(uname -r)
	if ls /var/lib/dpkg/info/linux-image-"$rel".list /var/lib/dpkg/info/linux-image-"$rel"-unsigned.list \
		/var/lib/dpkg/info/linux-image-unsigned-"$rel".list >/dev/null 2>&1; then
		check "packaged kernel: suggests linux-headers-$rel" grep -q "install linux-headers-$rel" "$TMP/out"
	else
		check "custom kernel: no made-up linux-headers-$rel package suggested" \
			sh -c "! grep -q 'install linux-headers-$rel' '$TMP/out'"
		check "custom kernel: says it is not from a package and how to give stap a tree" \
			grep -q "FAIL.*was not installed from a package (no linux-image-$rel here).*make modules_prepare" "$TMP/out"
	fi
else
	check "kernel build tree found" grep -q "ok .*kernel build tree" "$TMP/out"
fi

# bpf's verdict against the machine
if [ -e /sys/bus/event_source/devices/uprobe/type ]; then
	check "uprobe PMU present: uprobes ok" sh -c "sed -n '/^engine bpf:/,/^\$/p' '$TMP/out' | grep -q 'ok .*uprobes'"
else
	skip "no uprobe PMU here"
fi
if [ -e /sys/kernel/btf/vmlinux ]; then
	check "BTF reported present" grep -q 'ok .*BTF .*/sys/kernel/btf/vmlinux present' "$TMP/out"
else
	check "BTF reported absent, as a requirement" grep -q 'FAIL .*BTF .*CONFIG_DEBUG_INFO_BTF' "$TMP/out"
fi
check "libbpf version reported" grep -q 'libbpf  *libbpf [0-9]\+\.[0-9]\+' "$TMP/out"

if is_root && [ -e /sys/bus/event_source/devices/uprobe/format/ref_ctr_offset ]; then
	check "root with uprobes and ref_ctr: bpf can run" grep -q '^engine bpf: can run' "$TMP/out"
else
	skip "bpf verdict: not root or no ref_ctr_offset support"
fi

# without privileges: both engines refuse and say why (run as nobody)
if is_root && have setpriv && id nobody >/dev/null 2>&1; then
	cp "$PYTRACE" "$TMP/pytrace-copy" && chmod 755 "$TMP" "$TMP/pytrace-copy"
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$TMP/pytrace-copy" doctor >"$TMP/out2" 2>"$TMP/err2"
	rc2=$?
	sed 's/^/# nobody: /' "$TMP/out2"
	check "as nobody: bpf cannot run, CAP_SYS_ADMIN named" \
		sh -c "grep -q '^engine bpf: cannot run' '$TMP/out2' && grep -q 'FAIL.*not root and no CAP_SYS_ADMIN' '$TMP/out2'"
	check "as nobody: stap names 'not root'" grep -q 'FAIL.*not root' "$TMP/out2"
	check "as nobody: exit $EXIT_NO_ENGINE and one error line (got $rc2)" \
		sh -c "[ $rc2 -eq $EXIT_NO_ENGINE ] && head -1 '$TMP/err2' | grep -q '^pytrace: '"
	# stdout and stderr into one pipe: the verdict comes after the lines it names
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$TMP/pytrace-copy" doctor 2>&1 | cat >"$TMP/both"
	check "as nobody, 2>&1 | cat: 'fix one of the FAIL lines above' comes last" \
		sh -c "tail -1 '$TMP/both' | grep -q 'fix one of the FAIL lines above'"
else
	skip "unprivileged doctor: needs root, setpriv and user nobody"
fi

# tracefs mounted but root-only (mode 0700, the usual case): a non-root
# doctor says it is mounted and unreadable, not "not mounted". A private
# mount namespace keeps the host's mounts as they are.
if is_root && have setpriv && have unshare && id nobody >/dev/null 2>&1 &&
	unshare -m sh -c 'mount -t tracefs -o mode=700 nodev /sys/kernel/tracing' 2>/dev/null; then
	unshare -m sh -c 'mount -t tracefs -o mode=700 nodev /sys/kernel/tracing &&
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$1" doctor' \
		sh "$TMP/pytrace-copy" >"$TMP/out3" 2>&1
	grep tracefs "$TMP/out3" | sed 's/^/# nobody, tracefs 0700: /'
	check "as nobody, tracefs mounted 0700: says mounted but unreadable, names the way out" \
		grep -q 'tracefs is mounted at /sys/kernel/tracing but this user cannot read it (root only); run pytrace with sudo' "$TMP/out3"
	unshare -m sh -c 'mount -t tracefs -o mode=700 nodev /sys/kernel/tracing && "$1" doctor' \
		sh "$TMP/pytrace-copy" >"$TMP/out4" 2>&1
	check "as root, tracefs mounted: ok with its path" grep -q 'ok .*tracefs mounted at /sys/kernel/tracing' "$TMP/out4"
else
	skip "tracefs wording: needs root, setpriv, unshare, user nobody and a mountable tracefs"
fi

expect_exit "doctor --json: refused, not ignored" 2 "$PYTRACE" doctor --json
check "doctor --json: says why" grep -q 'doctor has no --json output' "$TMP/err"

done_testing
