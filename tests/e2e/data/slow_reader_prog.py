# fib(argv[3]) (many events), then runs argv[2] (a program the tracer has
# not seen: the bpf engine holds it at exec until it looked at it) and
# writes "FIB_SECONDS RUN_SECONDS" to argv[1].
import subprocess
import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


t0 = time.time()
fib(int(sys.argv[3]))
t1 = time.time()
subprocess.run([sys.argv[2]])
t2 = time.time()
with open(sys.argv[1], "w") as f:
    f.write("%.3f %.3f\n" % (t1 - t0, t2 - t1))
