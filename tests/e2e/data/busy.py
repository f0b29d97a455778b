# Calls tick() in a loop for argv[1] seconds (sleeping a little between
# bursts), so a long trace has events flowing the whole time.
import sys
import time


def tick():
    return None


end = time.time() + float(sys.argv[1])
while time.time() < end:
    for _ in range(200):
        tick()
    time.sleep(0.01)
