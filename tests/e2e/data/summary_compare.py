"""Compare two summary tables (pytrace -f summary): the in-kernel one and
the user-space one (--no-kernel-summary) of two runs of one program.

    summary_compare.py KERNEL.txt USER.txt [FILE]

The same rows (function, file:line, "[N never returned]"), the same calls,
exactly.  Times (total, self, mean, max) of FILE's rows are compared where
either side is at least 10 ms: within 20% or 10 ms, whichever is larger (two
runs of a program that naps: run-to-run noise, not the method, is what
differs).  Rows with calls never returned are not compared on time: that
time runs to the end of each trace.  Exit 1 with the differences listed."""
import re
import sys

ROW = re.compile(r"^\s*(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+|-)\s+([\d.]+|-)\s+(.*)$")


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
    k, u = table(sys.argv[1]), table(sys.argv[2])
    only = sys.argv[3] if len(sys.argv) > 3 else None
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
        if not only or only not in key or "never returned" in key:
            continue
        for i, col in enumerate(("total", "self", "mean", "max"), start=1):
            a, b = k[key][i], u[key][i]
            if a is None or b is None:
                if a != b:
                    bad.append(f"{col} {a} != {b}: {key}")
                continue
            if max(a, b) < 10:
                continue
            if abs(a - b) > max(0.2 * max(a, b), 10):
                bad.append(f"{col} {a:.3f} ms vs {b:.3f} ms: {key}")
    for b in bad:
        print(b)
    print(f"{len(k)} rows, {len(bad)} differences")
    return 1 if bad else 0


sys.exit(main())
