# Engine equivalence workload: two threads with different recursion trees
# (fib(20) and fib(21): 57,312 calls, 114,624 call/return events) plus the
# main thread; each thread's call/return sequence is fixed.
import threading


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def worker(n):
    fib(n)


threads = [threading.Thread(target=worker, args=(n,)) for n in (20, 21)]
for t in threads:
    t.start()
for t in threads:
    t.join()
