# Runs code from files with hostile names and functions with hostile names,
# and writes what a tracer must report as a JSON list of [func, file]
# (the real names) to argv[2].  Files are created under argv[1].
import json
import os
import sys
import types

top = sys.argv[1]
FILES = ["sp ace.py", 'quo"te.py', "back\\slash.py", "new\nline.py", "tab\there.py",
         "ctl\x01\x7f.py", "caf\u00e9 \U0001f40d.py", "x" * 200 + ".py"]
FUNCS = ["with space", 'q"uote', "back\\slash", "new\nline", "tab\t", "ctl\x01\x7f",
         "caf\u00e9 \U0001f40d", "y" * 300]
SRC = "def f():\n    return 1\nf()\n"

# a path of about 4 KiB (PATH_MAX is 4096)
deep = top
while len(deep) < 3800:
    deep = os.path.join(deep, "d" * 200)
os.makedirs(deep, exist_ok=True)
paths = [os.path.join(top, n) for n in FILES] + [os.path.join(deep, "deep.py")]

expect = []
for p in paths:
    with open(p, "w") as f:
        f.write(SRC)
    with open(p) as f:
        exec(compile(f.read(), p, "exec"), {})
    expect += [["<module>", p], ["f", p]]


def g():
    return 2


for name in FUNCS:
    types.FunctionType(g.__code__.replace(co_name=name), {})()
    expect.append([name, g.__code__.co_filename])

with open(sys.argv[2], "w") as f:
    json.dump(expect, f)
