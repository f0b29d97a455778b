# A program for comparing the in-kernel summary with the user-space one
# (tests/live/summary_kernel.test): recursion, generators (exhausted, closed,
# thrown into), an exception through frames, threads, and a call that never
# returns (a daemon thread still asleep at exit).  Most functions nap, so
# their times are tens of ms.  With a FIFO path as argument it first waits
# (one read, no Python call) until a byte comes: tracers attach with -p.
import os
import sys
import threading
import time

NAP = 0.05


def nap():
    time.sleep(NAP)


def rec(n):
    if n == 0:
        nap()
        return 0
    return rec(n - 1) + 1


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def gen(n):
    for i in range(n):
        nap()
        yield i


def gen_closed():
    g = gen(5)
    next(g)
    g.close()


def gen_thrown():
    g = gen(5)
    next(g)
    try:
        g.throw(ValueError("into the generator"))
    except ValueError:
        pass


def boom():
    nap()
    raise KeyError("through two frames")


def middle():
    boom()


def catcher():
    try:
        middle()
    except KeyError:
        return "caught"


def worker(k):
    for _ in range(k):
        nap()
    rec(3)


def stuck():
    time.sleep(3600)


def main():
    threading.Thread(target=stuck, daemon=True).start()
    rec(4)
    fib(12)
    sum(gen(3))
    gen_closed()
    gen_thrown()
    catcher()
    threads = [threading.Thread(target=worker, args=(k,)) for k in (2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if len(sys.argv) > 1:
    print("waiting", flush=True)
    os.read(os.open(sys.argv[1], os.O_RDONLY), 1)
main()
