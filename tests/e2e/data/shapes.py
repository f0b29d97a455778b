# Every shape of call a tracer must get right, for the tests on each CPython
# (3.9 to 3.15): recursion, a class, generators created and never run,
# exhausted, closed while suspended, thrown into (also with a try/finally
# that calls a function), an exception through two
# frames, async functions, and threads (run one after the other, so the
# trace's order is fixed).  The reference tree is sys.setprofile's
# (profile_tree.py); the program runs unchanged on every version.
import asyncio
import threading


def recurse(n):
    return 0 if n == 0 else 1 + recurse(n - 1)


class Shape:
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side * self.side


def gen(n):
    for i in range(n):
        yield i


def gen_created():
    gen(3)


def gen_exhausted():
    return sum(gen(3))


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


def cleanup():
    return 0


def gen_finally(n):
    try:
        for i in range(n):
            yield i
    finally:
        cleanup()


def gen_finally_closed():
    g = gen_finally(5)
    next(g)
    g.close()


def gen_finally_thrown():
    g = gen_finally(5)
    next(g)
    try:
        g.throw(ValueError("into try/finally"))
    except ValueError:
        pass


def thrower():
    raise KeyError("through two frames")


def middle():
    thrower()


def catcher():
    try:
        middle()
    except KeyError:
        return "caught"


async def leaf_async(x):
    return x * 2


async def main_async():
    return await leaf_async(1) + await leaf_async(2)


def worker(n):
    return recurse(n)


def threads():
    for n in (3, 4):
        t = threading.Thread(target=worker, args=(n,))
        t.start()
        t.join()


def main():
    recurse(5)
    Shape(3).area()
    gen_created()
    gen_exhausted()
    gen_closed()
    gen_thrown()
    gen_finally_closed()
    gen_finally_thrown()
    catcher()
    asyncio.run(main_async())
    threads()


main()
