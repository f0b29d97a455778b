# nonutf8_check.py FORMAT TRACE: the replay (json or chrome) of a raw trace
# whose function is b"f\xffn" in file b"/t/b\xfed.py" shows them right:
# json as \udcXX (back to the exact bytes with surrogateescape), chrome as
# valid UTF-8 JSON with U+FFFD.
import json
import sys

fmt, path = sys.argv[1], sys.argv[2]
if fmt == "json":
    e = json.loads(open(path).readline())
    assert e["func"].encode("utf-8", "surrogateescape") == b"f\xffn", e
    assert e["file"].encode("utf-8", "surrogateescape") == b"/t/b\xfed.py", e
else:
    d = json.load(open(path, encoding="utf-8"))
    ev = d["traceEvents"] if isinstance(d, dict) else d
    assert any(e.get("ph") == "B" and e["name"] == "f\ufffdn" for e in ev), ev
