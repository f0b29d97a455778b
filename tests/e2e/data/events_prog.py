# Known numbers of the events CPython 3.12-3.14 still marks: 3 explicit gc
# collections, imports of modules not loaded at startup, and 3 audit events
# of our own ("pytrace.test"), for the events-only trace.
import gc
import sys

for _ in range(3):
    gc.collect()
import fractions  # noqa: E402,F401
import csv  # noqa: E402,F401
for i in range(3):
    sys.audit("pytrace.test", i)
