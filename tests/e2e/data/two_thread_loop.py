"""Two threads calling step() -> inner() forever, 10 ms a step; prints ready."""
import sys
import threading
import time


def inner():
    time.sleep(0.005)


def step():
    for _ in range(2):
        inner()


def loop():
    while True:
        step()


for _ in range(2):
    threading.Thread(target=loop, daemon=True).start()
print("ready", flush=True)
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 30)
