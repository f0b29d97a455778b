# Functions created, called and destroyed in a loop, each with its own name
# and file: CPython reuses the memory of a freed name (or file name) for the
# next one, so the same string address carries many different names.  A
# tracer that remembers names by address must notice (the bpf engine's code
# ids, issue #16).  Then the process forks: the child has the parent's
# addresses, and its events are its own (lines start with the process: 0
# the parent, 1 the child).
#   reused_names.py            run; on stderr how many addresses carried more
#                              than one name ("shared N")
#   reused_names.py --profile  run under sys.setprofile: the reference,
#                              "call|return NAME FILE" for the generated code
#   reused_names.py --from-trace <TRACE.json: the same lines from a trace
import gc
import json
import sys

import os

ROUNDS = 600
CHILD_ROUNDS = 200
PREFIX = "gen_"
out = []
who = "0"


def names(i):
    # one length, different names; a long shared prefix (only the end
    # differs); only the middle differs; and lengths that vary
    return ["fn_%06d" % i,
            "function_with_a_rather_long_common_prefix_%06d" % i,
            "a%06dz" % i,
            "v" * (1 + i % 37) + "_%d" % i]


# a calls b and c, b calls d, d recurses: calls, returns and recursion of
# names at reused addresses
def one_round(i, seen):
    a, b, c, d = names(i)
    src = ("def %s():\n    return %s() + %s()\n"
           "def %s():\n    return %s()\n"
           "def %s():\n    return 1\n"
           "def %s(n=3):\n    return 2 if n == 0 else %s(n - 1)\n") % (a, b, c, b, d, c, d, d)
    code = compile(src, "%s%06d.py" % (PREFIX, i), "exec")
    ns = {}
    exec(code, ns)
    for _ in range(2):
        ns[a]()
    for co in code.co_consts:
        if hasattr(co, "co_name"):
            # bytes copies: the names themselves must be freed
            seen.setdefault(id(co.co_name), set()).add(co.co_name.encode())
            seen.setdefault(id(co.co_filename), set()).add(co.co_filename.encode())
    del ns, code, co
    gc.collect()


def flush():
    if out:
        print("\n".join(out), flush=True)
        del out[:]


def run():
    global who
    seen = {}
    kept = {}
    exec(compile("def kept_across_fork():\n    return 0\n", PREFIX + "kept.py", "exec"), kept)
    kept["kept_across_fork"]()
    for i in range(ROUNDS):
        one_round(i, seen)
    shared = sum(1 for v in seen.values() if len(v) > 1)
    print("names %d, addresses %d, shared %d" %
          (sum(len(v) for v in seen.values()), len(seen), shared), file=sys.stderr)
    flush()
    pid = os.fork()
    if pid == 0:
        who = "1"
        kept["kept_across_fork"]()
        for i in range(ROUNDS, ROUNDS + CHILD_ROUNDS):
            one_round(i, seen)
        flush()
        os._exit(0)
    os.waitpid(pid, 0)


def profile():
    def profiler(frame, event, arg):
        f = frame.f_code.co_filename
        if event in ("call", "return") and f.startswith(PREFIX):
            out.append("%s %s %s %s" % (who, event, frame.f_code.co_name, f))

    sys.setprofile(profiler)
    run()
    sys.setprofile(None)


def from_trace():
    procs = {}
    for line in sys.stdin:
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if ev.get("kind") in ("call", "return") and str(ev.get("file")).startswith(PREFIX):
            n = procs.setdefault(ev["pid"], len(procs))
            print("%d %s %s %s" % (n, ev["kind"], ev["func"], ev["file"]))


if __name__ == "__main__":
    {"--profile": profile, "--from-trace": from_trace}.get(sys.argv[1] if sys.argv[1:] else "",
                                                             run)()
