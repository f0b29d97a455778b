# Calls marker_fn once, writes the time it returned to argv[1], then
# sleeps argv[2] seconds: a trace that is live shows marker_fn's lines
# long before the program ends.
import sys
import time


def marker_fn():
    return 1


marker_fn()
with open(sys.argv[1], "w") as f:
    f.write("%.6f\n" % time.time())
time.sleep(float(sys.argv[2]))
