"""Print "NAME SEMAPHORE FIRST-BYTE" for each CPython marker site of a process:
the semaphore word and the first byte of each probe site (cc while a uprobe
is inserted), read from /proc/PID/mem."""
import os, re, subprocess, sys
pid = sys.argv[1]
real = os.path.realpath("/proc/%s/exe" % pid)
if real.endswith(" (deleted)"):
    real = real[:-len(" (deleted)")]
exe = "/proc/%s/exe" % pid   # readable even when the file was replaced
notes = subprocess.run(["readelf", "-n", exe], capture_output=True, text=True).stdout
base = 0
with open(exe, "rb") as f:
    et = f.read(18)[16]
if et == 3:
    for line in open("/proc/%s/maps" % pid):
        f = line.split(None, 5)
        if len(f) == 6 and f[5].rstrip("\n").replace(" (deleted)", "") == real and int(f[2], 16) == 0:
            base = int(f[0].split("-")[0], 16)
            break
mem = open("/proc/%s/mem" % pid, "rb")
for m in re.finditer(r"Name: (\w+)\s+Location: (0x[0-9a-f]+), Base: 0x[0-9a-f]+, Semaphore: (0x[0-9a-f]+)", notes):
    name, loc, sem = m.group(1), int(m.group(2), 16), int(m.group(3), 16)
    s = 0
    if sem:
        mem.seek(base + sem); s = int.from_bytes(mem.read(2), "little")
    mem.seek(base + loc); b = mem.read(1).hex()
    print(name, hex(loc), s, b)
