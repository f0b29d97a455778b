# Reduce a pytrace json trace (stdin) to the call/return sequence of one file:
# "call FUNC" / "return FUNC" lines, in trace order.  --per-thread prefixes
# each line with a thread number (threads numbered in order of appearance).
import json
import sys

path = sys.argv[1]
per_thread = "--per-thread" in sys.argv[2:]
threads = {}
for line in sys.stdin:
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    if ev.get("kind") not in ("call", "return") or ev.get("file") != path:
        continue
    text = "%s %s" % (ev["kind"], ev["func"])
    if per_thread:
        n = threads.setdefault(ev["tid"], len(threads))
        text = "%d %s" % (n, text)
    print(text)
