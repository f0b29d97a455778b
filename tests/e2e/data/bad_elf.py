# Damaged ELF files for `pytrace list`'s error tests:
#   bad_elf.py notes SRC OUT   SRC copied to OUT with the first .note.stapsdt
#                              note's descsz made huge (0x7fffffff)
#   bad_elf.py elf32 OUT       a bare 32-bit ELF header
import shutil
import struct
import sys

if sys.argv[1] == "elf32":
    h = b"\x7fELF\x01\x01\x01" + bytes(9) + (2).to_bytes(2, "little") + (3).to_bytes(2, "little") + bytes(32)
    open(sys.argv[2], "wb").write(h)
    sys.exit(0)

src, out = sys.argv[2], sys.argv[3]
shutil.copyfile(src, out)
with open(out, "r+b") as f:
    elf = f.read()
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    def section(i):
        name, _, _, _, off = struct.unpack_from("<IIQQQ", elf, shoff + i * shentsize)
        return name, off
    strtab = section(shstrndx)[1]
    for i in range(shnum):
        name, off = section(i)
        if elf[strtab + name:].split(b"\0", 1)[0] == b".note.stapsdt":
            f.seek(off + 4)
            f.write((0x7FFFFFFF).to_bytes(4, "little"))
            sys.exit(0)
sys.exit("no .note.stapsdt in " + src)
