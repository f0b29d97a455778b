# Ticks for argv[2] seconds, then execs itself once (same interpreter), then
# execs argv[1] (another interpreter file) which ticks and exits 0.  Writes
# its pid to argv[3] at the start of the first image.
import os
import sys
import time


def tick():
    return 1


other, secs, pidfile = sys.argv[1], float(sys.argv[2]), sys.argv[3]
stage = int(sys.argv[4]) if len(sys.argv) > 4 else 0
if stage == 0:
    with open(pidfile, "w") as f:
        f.write("%d\n" % os.getpid())
# With EXEC_CHAIN_GO set to a path, the first image ticks until that file
# exists before its argv[2] seconds start (a tracer attaches first).
go = os.environ.get("EXEC_CHAIN_GO")
if stage == 0 and go:
    while not os.path.exists(go):
        tick()
end = time.monotonic() + secs
while time.monotonic() < end:
    tick()
if stage == 0:
    os.execv(sys.executable, [sys.executable, __file__, other, str(secs), pidfile, "1"])
elif stage == 1:
    os.execv(other, [other, __file__, other, str(secs), pidfile, "2"])
