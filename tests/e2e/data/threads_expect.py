# Check the per-thread trees of threads_tree.py: stdin is calls_of.py
# --per-thread output.  The main thread runs <module> (with the list
# comprehension that makes the threads); every other thread's sequence must
# be exactly the tree of one i in 1..8, and each i must appear once.
# Prints what differs.
import sys
from collections import defaultdict


def expected(i):
    seq = ["call worker"]
    seq += ["call chain"] * (i + 1) + ["return chain"] * (i + 1)
    seq += ["call leaf", "return leaf"] * i
    seq.append("return worker")
    return seq


got = defaultdict(list)
for line in sys.stdin:
    n, rest = line.rstrip("\n").split(" ", 1)
    got[n].append(rest)
MAIN = ["call <module>", "call <listcomp>", "return <listcomp>", "return <module>"]
seen = []
ok = True
mains = [n for n, seq in got.items() if seq[:1] == ["call <module>"]]
if len(mains) != 1 or got[mains[0]] != MAIN:
    print("main thread: wanted %s, got %s" % (MAIN, [got[n] for n in mains]))
    ok = False
for n, seq in got.items():
    if n in mains:
        continue
    i = seq.count("call leaf")
    if seq != expected(i):
        print("thread %s: not the tree of i=%d: %s" % (n, i, " ".join(seq)[:300]))
        ok = False
    seen.append(i)
if sorted(seen) != list(range(1, 9)):
    print("threads seen: %s, wanted 1..8 once each" % sorted(seen))
    ok = False
sys.exit(0 if ok else 1)
