# Prints lines that are not JSON on stdout (and one on stderr) from a
# traced function: a trace on stdout must not take them in.
import sys


def hello(i):
    print("hello", i, "{not json")


for i in range(3):
    hello(i)
sys.stdout.flush()
print("to stderr", file=sys.stderr)
