"""code_bytes.py PID FILE SYMBOL...: for each function SYMBOL of FILE (an
ELF that PID maps), print "SYMBOL same" when the first 16 bytes of its code
in PID's memory equal the file's, "SYMBOL changed" when they differ (a
uprobe's breakpoint planted in that process), "SYMBOL unmapped" otherwise."""
import os
import subprocess
import sys

pid, path, syms = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
real = os.path.realpath(path)
st = os.stat(real)

def readelf(flag):
    return subprocess.run(["readelf", "-W", flag, real], capture_output=True,
                          text=True, check=True).stdout.splitlines()

addr = {}
for line in readelf("-s"):
    f = line.split()
    if len(f) >= 8 and f[3] == "FUNC" and f[7] in syms:
        addr[f[7]] = int(f[1], 16)
loads = []  # (vaddr, file offset, file size)
for line in readelf("-l"):
    f = line.split()
    if f and f[0] == "LOAD":
        loads.append((int(f[2], 16), int(f[1], 16), int(f[4], 16)))
maps = []   # (start, end, file offset) of PID's mappings of the file
with open(f"/proc/{pid}/maps") as m:
    for line in m:
        f = line.split()
        if len(f) >= 6 and f[4] == str(st.st_ino):
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            maps.append((lo, hi, int(f[2], 16)))

with open(real, "rb") as fh, open(f"/proc/{pid}/mem", "rb") as mem:
    for sym in syms:
        state = "unmapped"
        va = addr.get(sym)
        off = next((o + va - v for v, o, n in loads if va is not None and v <= va < v + n), None)
        where = next((lo + off - mo for lo, hi, mo in maps
                      if off is not None and mo <= off < mo + hi - lo), None)
        if where is not None:
            fh.seek(off)
            mem.seek(where)
            state = "same" if fh.read(16) == mem.read(16) else "changed"
        print(sym, state)
