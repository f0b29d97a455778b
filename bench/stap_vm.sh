#!/bin/bash
# The two engines side by side, live in the QEMU guest (tests/vm/stapvm;
# this machine's kernel cannot load stap's module): fib(FIB_N=25, 242,785
# calls) and a realistic workload (regex parsing, dataclasses, json,
# Counter), each untraced, --engine stap and --engine bpf, in one boot.
# The guest runs under TCG emulation where there is no usable KVM: absolute
# times mean little, the ratios between the engines are the result.
# Each workload prints its own run time, so stap's start-up (passes 1-2,
# module load) is not charged to the program; pytrace's wall time is shown.
cd "$(dirname "$0")/.." || exit 2
TOP=$PWD
. bench/lib/common.sh
. bench/lib/workloads.sh
PY=/usr/bin/python3.11
STAPVM=$TOP/tests/vm/stapvm
export STAPVM_STAP_CACHE=${STAPVM_STAP_CACHE:-/var/cache/pytrace-tests/stapvm-cache}

bench_init "the guest shares the host's files over 9p"
"$STAPVM" --setup 2>"$W/stapvm.err"
rc=$?
if [ $rc -eq 77 ]; then echo "SKIP: $(sed -n 's/^stapvm: SKIP: //p' "$W/stapvm.err")"; exit 0; fi
[ $rc -eq 0 ] || { cat "$W/stapvm.err"; exit 1; }
bench_fib "$W/fib.py" wall
bench_mix "$W/realistic.py" wall
# the stap module, compiled on the host for the guest's kernel
"$PYTRACE" --engine stap --print-script -c "$PY -c pass" >"$W/s.stp"
# -x: a process running pytrace itself, as the command pytrace holds is
# (stap hashes the -x process's executable: tests/vm/live_common.sh)
mkfifo "$W/hold"
"$PYTRACE" --replay "$W/hold" -f raw -o /dev/null 2>/dev/null &
holder=$!
sleep 0.2
"$STAPVM" --host-stap -p4 -DSTP_NO_OVERLOAD -DMAXSKIPPED=1000000 -DMAXSTRINGLEN=1024 \
	-x "$holder" "$W/s.stp" >/dev/null 2>"$W/pre.err" || { kill "$holder"; cat "$W/pre.err"; exit 1; }
kill "$holder"; wait "$holder" 2>/dev/null
echo "guest: $("$STAPVM" --kver), $(grep -q -e vmx -e svm /proc/cpuinfo && [ -e /dev/kvm ] && echo "kvm if usable" || echo "TCG emulation"), host load $(cut -d' ' -f1-3 /proc/loadavg)"
STAPVM_RW=$W "$STAPVM" "PYTRACE=$PYTRACE FIB_N=${FIB_N:-25} bash $TOP/tests/vm/guest_bench.sh $W"
