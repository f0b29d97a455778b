# A Python program with a known call tree, for the bpf engine's end-to-end
# tests: nested calls, recursion 500 deep, an exception propagating through
# frames, a generator, a class with methods, a lambda and a comprehension.
# The expected tree comes from sys.setprofile in a separate run (profile_tree.py).


def leaf(x):
    return x + 1


def nested(n):
    return leaf(n) * 2


def recurse(n):
    if n == 0:
        return 0
    return 1 + recurse(n - 1)


def thrower():
    raise ValueError("through two frames")


def middle():
    thrower()


def catcher():
    try:
        middle()
    except ValueError:
        return "caught"


def countdown(n):
    while n > 0:
        yield n
        n -= 1


class Counter:
    def __init__(self):
        self.n = 0

    def bump(self):
        self.n += 1
        return self.n


def main():
    nested(3)
    recurse(500)
    catcher()
    total = sum(countdown(3))
    c = Counter()
    c.bump()
    c.bump()
    square = lambda v: v * v
    square(total)
    return [leaf(i) for i in range(3)]


main()
