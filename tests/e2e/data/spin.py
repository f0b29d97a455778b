# A tight loop of tick() calls for fault tests: writes its pid to argv[1],
# runs argv[2] seconds (default 30), then exits with status argv[3].
import os
import sys
import time


def tick():
    return None


with open(sys.argv[1], "w") as f:
    f.write("%d\n" % os.getpid())
end = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 30)
while time.monotonic() < end:
    for _ in range(1000):
        tick()
sys.exit(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
