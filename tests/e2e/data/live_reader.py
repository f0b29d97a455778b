# Reads a trace as it is written and writes the time the first line
# containing PATTERN arrived to OUTFILE, then reads on to the end.
#   live_reader.py PATTERN OUTFILE              the trace on stdin (a pipe)
#   live_reader.py PATTERN OUTFILE --pty CMD..  CMD's stdout is a terminal
#                                               (its stderr: OUTFILE.err)
import os
import pty
import subprocess
import sys
import time

pattern, outfile = sys.argv[1].encode(), sys.argv[2]
seen = None
buf = b""


def feed(data):
    global seen, buf
    buf += data
    if seen is None and pattern in buf:
        seen = time.time()
        with open(outfile, "w") as f:
            f.write("%.6f\n" % seen)
    buf = buf[-len(pattern):]


if sys.argv[3:4] == ["--pty"]:
    master, slave = pty.openpty()
    with open(outfile + ".err", "w") as err:
        proc = subprocess.Popen(sys.argv[4:], stdout=slave, stderr=err)
    os.close(slave)
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:   # EIO: the terminal's last writer is gone
            break
        if not data:
            break
        feed(data)
    sys.exit(proc.wait())
else:
    while True:
        data = os.read(0, 65536)
        if not data:
            break
        feed(data)
