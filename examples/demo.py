"""A small program with a known call tree: pytrace's bundled example.

    sudo ./build/pytrace -c "/usr/bin/python3.11 examples/demo.py" --include '*demo.py'
"""


class Inventory:
    def __init__(self):
        self.items = {}

    def add(self, name, count):
        self.items[name] = self.items.get(name, 0) + count

    def total(self):
        return sum(self.items.values())


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def squares(limit):
    for i in range(limit):
        yield i * i


def risky(x):
    if x < 0:
        raise ValueError("negative")
    return x


def main():
    inv = Inventory()
    inv.add("apples", 3)
    inv.add("pears", fib(5))
    try:
        risky(-1)
    except ValueError:
        pass
    print("total:", inv.total(), "squares:", list(squares(3)))


if __name__ == "__main__":
    main()
