# A loop that prints how many tick() calls it made in each 0.2 s window, so a
# test can compare its untraced rate with its rate after a tracer detached.
import sys
import time


def tick():
    return None


print("ready", flush=True)
while True:
    n = 0
    end = time.perf_counter() + 0.2
    while time.perf_counter() < end:
        tick()
        n += 1
    print(n, flush=True)
