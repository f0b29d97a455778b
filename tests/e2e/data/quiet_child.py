# --no-follow with a forked child: the parent (traced) writes its pid to
# argv[1].parent, forks a child (not traced) that writes its pid to argv[1]
# and calls tick() for argv[2] seconds; the parent waits for it.
import os
import sys
import time


def tick():
    return None


def in_parent():
    with open(sys.argv[1] + ".parent", "w") as f:
        f.write("%d\n" % os.getpid())


pid = os.fork()
if pid == 0:
    with open(sys.argv[1], "w") as f:
        f.write("%d\n" % os.getpid())
    end = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < end:
        for _ in range(1000):
            tick()
    os._exit(0)
in_parent()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
