# A loop that prints how many tick() calls it made in each 0.2 s window, so a
# test can compare its untraced rate with its rate after a tracer detached.
# With --per-cpu, the count is scaled to 0.2 s of the process's own CPU time
# (uprobe traps included): a rate that does not fall when other processes
# load the machine, only when the process itself does more work per call.
import sys
import time


def tick():
    return None


per_cpu = "--per-cpu" in sys.argv[1:]
print("ready", flush=True)
while True:
    n = 0
    cpu0 = time.process_time()
    end = time.perf_counter() + 0.2
    while time.perf_counter() < end:
        tick()
        n += 1
    if per_cpu:
        cpu = time.process_time() - cpu0
        if cpu < 0.02:
            continue   # it hardly ran in this window: no rate to tell
        n = int(n * 0.2 / cpu)
    print(n, flush=True)
