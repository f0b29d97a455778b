# 8 threads, each with its own known tree: thread i (1..8) calls
# worker -> chain(i) recursing i deep (i+1 chain frames), then leaf i times.
# They start together (a barrier), so their events interleave.
import threading


def leaf():
    return None


def chain(n):
    if n:
        chain(n - 1)


def worker(i, barrier):
    barrier.wait()
    chain(i)
    for _ in range(i):
        leaf()


barrier = threading.Barrier(8)
threads = [threading.Thread(target=worker, args=(i, barrier)) for i in range(1, 9)]
for t in threads:
    t.start()
for t in threads:
    t.join()
