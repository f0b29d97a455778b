# Print the call/return sequence sys.setprofile sees for the Python frames of
# one file, as "call FUNC" / "return FUNC" lines: the reference a tracer's
# tree (filtered to that file) must equal.  Threads started by the program
# are profiled too (threading.setprofile).
import sys
import threading

path = sys.argv[1]
out = []


def profiler(frame, event, arg):
    if event in ("call", "return") and frame.f_code.co_filename == path:
        out.append("%s %s" % (event, frame.f_code.co_name))


code = compile(open(path).read(), path, "exec")
sys.setprofile(profiler)
threading.setprofile(profiler)
exec(code, {"__name__": "__main__", "__file__": path})
sys.setprofile(None)
threading.setprofile(None)
print("\n".join(out))
