# hostile_check.py FORMAT TRACE EXPECT.json: every [func, file] of EXPECT
# shows as a call in TRACE (json, chrome or text), escaped as the format
# says and cut at the bpf engine's bounds (func 256, file 512 bytes) with
# the format's mark.  Prints what is missing; exit 1 if anything is.
import json
import sys

FUNC_MAX, FILE_MAX = 256, 512
fmt, trace, expect = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))


def cut(s, bound):
    b = s.encode("utf-8", "surrogateescape")
    return (b[:bound].decode("utf-8", "surrogateescape"), True) if len(b) > bound else (s, False)


def text_esc(s):
    out = []
    for ch in s:
        if ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append("\\x%02x" % ord(ch))
        elif 0xdc80 <= ord(ch) <= 0xdcff:
            out.append("\\x%02x" % (ord(ch) - 0xdc00))
        else:
            out.append(ch)
    return "".join(out)


seen = set()
if fmt == "json":
    for line in open(trace, encoding="utf-8", errors="surrogateescape"):
        e = json.loads(line)
        if e["kind"] == "call":
            seen.add((e["func"], e["file"], tuple(e.get("truncated", []))))
elif fmt == "chrome":
    d = json.load(open(trace))
    for e in d["traceEvents"] if isinstance(d, dict) else d:
        if e.get("ph") == "B":
            seen.add((e["name"], e.get("args", {}).get("file"), None))
elif fmt == "text":
    text = open(trace, encoding="utf-8", errors="surrogateescape").read()
missing = 0
for func, file in expect:
    f, fcut = cut(func, FUNC_MAX)
    p, pcut = cut(file, FILE_MAX)
    if fmt == "json":
        trunc = tuple(n for n, c in (("func", fcut), ("file", pcut)) if c)
        ok = (f, p, trunc) in seen
    elif fmt == "chrome":
        ok = (f, p, None) in seen
    else:
        ok = ("=> %s%s in %s%s:" % (text_esc(f), "..." if fcut else "",
                                    text_esc(p), "..." if pcut else "")) in text
    if not ok:
        missing += 1
        print("missing: %r in %r%s" % (func[:60], file[:80], " (cut)" if fcut or pcut else ""))
print("%d of %d found" % (len(expect) - missing, len(expect)))
sys.exit(1 if missing else 0)
