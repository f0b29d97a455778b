"""Compare two summary tables (pytrace -f summary): the in-kernel one and
the user-space one (--no-kernel-summary).

    summary_compare.py KERNEL.txt USER.txt [--same-run]

Always: the same rows (function, file:line, "[N never returned]") and the
same calls, exactly.  With --same-run (both tables traced one run of the
program, two tracers attached with -p): times too (total, self, mean,
max), within 1% or 0.2 ms, whichever is larger; the two tracers stamp each
event a few microseconds apart.  Rows with calls never returned are not
compared on time: that time runs to the end of each tracer's trace.  Exit 1
with the differences listed."""
import re
import sys

ROW = re.compile(r"^\s*(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+|-)\s+([\d.]+|-)\s+(.*)$")
REL, ABS_MS = 0.01, 0.2


def table(path):
    rows = {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().splitlines()
    if not lines or not lines[0].lstrip().startswith("calls"):
        sys.exit(f"{path}: not a summary table")
    for line in lines[1:]:
        m = ROW.match(line)
        if not m:
            sys.exit(f"{path}: not a summary row: {line!r}")
        key = m.group(6)
        if key in rows:
            sys.exit(f"{path}: row twice: {key}")
        num = lambda s: None if s == "-" else float(s) / 1000.0   # ms
        rows[key] = (int(m.group(1)), num(m.group(2)), num(m.group(3)), num(m.group(4)),
                     num(m.group(5)))
    return rows


def main():
    args = [a for a in sys.argv[1:] if a != "--same-run"]
    same_run = "--same-run" in sys.argv[1:]
    k, u = table(args[0]), table(args[1])
    bad = []
    for key in sorted(set(k) | set(u)):
        if key not in u:
            bad.append(f"only in the kernel's: {key}")
            continue
        if key not in k:
            bad.append(f"only in the user-space one: {key}")
            continue
        if k[key][0] != u[key][0]:
            bad.append(f"calls {k[key][0]} != {u[key][0]}: {key}")
        if not same_run or "never returned" in key:
            continue
        for i, col in enumerate(("total", "self", "mean", "max"), start=1):
            a, b = k[key][i], u[key][i]
            if a is None or b is None:
                if a != b:
                    bad.append(f"{col} {a} != {b}: {key}")
            elif abs(a - b) > max(REL * max(a, b), ABS_MS):
                bad.append(f"{col} {a:.3f} ms vs {b:.3f} ms: {key}")
    for b in bad:
        print(b)
    print(f"{len(k)} rows, {len(bad)} differences")
    return 1 if bad else 0


sys.exit(main())
