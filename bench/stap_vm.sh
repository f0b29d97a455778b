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
PYTRACE=${PYTRACE:-$PWD/build/pytrace}
PY=/usr/bin/python3.11
STAPVM=$TOP/tests/vm/stapvm
export STAPVM_STAP_CACHE=${STAPVM_STAP_CACHE:-/var/cache/pytrace-tests/stapvm-cache}

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root (the guest shares the host's files over 9p)"; exit 0; fi
[ -x "$PY" ] || { echo "SKIP: $PY not installed"; exit 0; }
"$STAPVM" --setup 2>/tmp/pytrace-bench-stapvm.err
rc=$?
if [ $rc -eq 77 ]; then echo "SKIP: $(sed -n 's/^stapvm: SKIP: //p' /tmp/pytrace-bench-stapvm.err)"; exit 0; fi
[ $rc -eq 0 ] || { cat /tmp/pytrace-bench-stapvm.err; exit 1; }
W=$(mktemp -d /tmp/pytrace-bench.XXXXXX)
trap 'rm -rf "$W" /tmp/pytrace-bench-stapvm.err' EXIT

cat >"$W/fib.py" <<'PYEOF'
import sys, time
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
t0 = time.perf_counter()
fib(int(sys.argv[1]))
print("workload: %.3f" % (time.perf_counter() - t0), file=sys.stderr)
PYEOF
cat >"$W/realistic.py" <<'PYEOF'
import collections, dataclasses, json, re, sys, time

@dataclasses.dataclass
class Item:
    name: str
    qty: int
    tags: list

def parse(text):
    return [Item(m.group(1), int(m.group(2)), [m.group(1)[:3]]) for m in re.finditer(r"(\w+)=(\d+)", text)]

def report(items):
    by_qty = collections.Counter(i.qty % 10 for i in items)
    rows = [dataclasses.asdict(i) for i in items[:300]]
    return json.loads(json.dumps({"counts": by_qty, "rows": rows}, sort_keys=True))

t0 = time.perf_counter()
text = " ".join("item%d=%d" % (i, i * 7 % 97) for i in range(3000))
for _ in range(5):
    report(parse(text))
print("workload: %.3f" % (time.perf_counter() - t0), file=sys.stderr)
PYEOF
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
