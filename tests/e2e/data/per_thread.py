# Canonical per-thread sequences: stdin is calls_of.py --per-thread output
# ("N call F" lines, N numbered by first appearance, which can differ between
# runs); prints each thread's sequence, threads in sorted order of their
# sequences, as "K call F" lines with K the thread's rank.  Two traces of
# the same program print the same text when every thread saw the same
# calls and returns in the same order.
import sys
from collections import defaultdict

seqs = defaultdict(list)
for line in sys.stdin:
    n, rest = line.rstrip("\n").split(" ", 1)
    seqs[n].append(rest)
for k, seq in enumerate(sorted(seqs.values())):
    for item in seq:
        print(k, item)
