# A known call mix for pytrace top: f 1000 calls, g 10, slow 2, outer 1,
# then for argv[1] seconds nap() every 0.1 s (f, g, slow and outer stay as
# they are while a screen is read, nap's calls/s is above 0).  Orders: by calls f g slow outer; by total outer slow g f (outer
# holds both slow calls); by self slow g f outer (g does its own work).
import sys
import time


def f(i):
    return i * 2


def g():
    for i in range(100):
        f(i)
    sum(range(300000))   # g's own time: well above all of f's together


def slow():
    time.sleep(0.3)


def outer():
    slow()
    slow()


def nap():
    time.sleep(0.1)


for _ in range(10):
    g()
outer()
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    nap()
