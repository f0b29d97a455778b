# Sourced by the benches: the python programs they time, written to files.
#   bench_fib FILE [HOW]     recursive fib(argv[1]) (fib(25): 242,785 calls)
#   bench_mix FILE [HOW]     a realistic stdlib mix: regex parsing,
#                            dataclasses, json, Counter
#   bench_stdlib FILE        json, re, difflib, dataclasses, collections,
#                            textwrap: the calls of a small real program
# HOW: the program times its own work (start-up and a tracer's attaching not
# charged): cpu, time.process_time() written as seconds to the file named by
# $BENCH_TIME (where the traps and BPF programs land); wall,
# time.perf_counter() printed as "workload: S" on stderr; none (the
# default), untimed.

# _bench_clock HOW start|end: the program's line that starts or ends the clock
_bench_clock() {
	case $1:$2 in
	cpu:start) echo 't0 = time.process_time()' ;;
	cpu:end) echo 'open(os.environ["BENCH_TIME"], "w").write("%.6f\n" % (time.process_time() - t0))' ;;
	wall:start) echo 't0 = time.perf_counter()' ;;
	wall:end) echo 'print("workload: %.3f" % (time.perf_counter() - t0), file=sys.stderr)' ;;
	esac
}

bench_fib() {
	local file=$1 how=${2:-none} imports=sys
	case $how in cpu) imports="os, sys, time" ;; wall) imports="sys, time" ;; esac
	{
		echo "import $imports"
		echo 'def fib(n):'
		echo '    return n if n < 2 else fib(n - 1) + fib(n - 2)'
		_bench_clock "$how" start
		echo 'fib(int(sys.argv[1]))'
		_bench_clock "$how" end
	} >"$file"
}

bench_mix() {
	local file=$1 how=${2:-none} os=""
	[ "$how" = cpu ] && os="os, "
	{
		echo "import collections, dataclasses, json, ${os}re, sys, time"
		cat <<'PYEOF'

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

PYEOF
		_bench_clock "$how" start
		echo 'text = " ".join("item%d=%d" % (i, i * 7 % 97) for i in range(3000))'
		echo 'for _ in range(5):'
		echo '    report(parse(text))'
		_bench_clock "$how" end
	} >"$file"
}

bench_stdlib() {
	cat >"$1" <<'PYEOF'
import collections, dataclasses, difflib, json, re, textwrap

@dataclasses.dataclass
class Item:
    name: str
    size: int
    tags: list

def make(n):
    return [Item(f"item{i}", i * 7 % 101, [f"t{i % 5}", f"g{i % 3}"]) for i in range(n)]

def roundtrip(items):
    text = json.dumps([dataclasses.asdict(i) for i in items], indent=1)
    return [Item(**d) for d in json.loads(text)], text

def words(text):
    return collections.Counter(re.findall(r"[a-z]+[0-9]*", text))

def diff(a, b):
    return sum(1 for _ in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm=""))

for round_ in range(3):
    items = make(400)
    back, text = roundtrip(items)
    counts = words(text)
    wrapped = textwrap.fill(" ".join(sorted(counts)), 60)
    diff(text, text.replace("item1", "item_one"))
PYEOF
}
