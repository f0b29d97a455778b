# A mostly idle traced program: sleeps argv[1] seconds in small steps
# (default 3), writing its pid to argv[2] first when given.
import os
import sys
import time

if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        f.write("%d\n" % os.getpid())
end = time.monotonic() + (float(sys.argv[1]) if len(sys.argv) > 1 else 3)
while time.monotonic() < end:
    time.sleep(0.05)
