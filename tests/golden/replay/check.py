#!/usr/bin/python3.11
"""Independent checks of pytrace's outputs, used by tests/e2e/replay_golden.sh.

  check.py json FILE            every line is a JSON object with exactly the documented keys
  check.py chrome FILE          Chrome Trace Event JSON: parses, valid ph values, every B
                                has a matching E on the same pid/tid in order, with the same
                                name and args (speedscope and the Firefox Profiler match them),
                                ts monotonic per thread, metadata names every pid/tid that
                                has events, otherData names the clock of ts 0
  check.py speedscope FILE [JSON]  speedscope's file format: evented profiles, frames in the
                                shared table, O/C nest per profile in time order; with JSON,
                                each profile opens exactly the calls json shows on its thread
  check.py svg SVG FOLDED       the svg is well-formed XML whose frames are folded's paths and
                                their prefixes, each as wide (data-w, µs) as its subtree there,
                                but for those narrower than data-min-px
  check.py mindur FULL CUT NS   CUT (json with --min-duration NS) is FULL (json without it)
                                minus every call shorter than NS and everything inside it,
                                thread by thread in order; a call never returned counts
                                as lasting until the last event of the trace
  check.py folded JSON FOLDED   folded stacks equal the self times recomputed from the json
                                output (per path, rounded to µs, zero paths left out)
Exit status 0 when the check passes; the reason on stderr otherwise."""
import json
import sys
from collections import defaultdict

BASE = ["ts", "pid", "tid", "kind", "depth", "func", "file", "line"]
KINDS = {"call", "return", "line", "gc-start", "gc-done", "import-start", "import-done", "audit",
         "lost"}


def fail(msg):
    print("check.py: " + msg, file=sys.stderr)
    sys.exit(1)


def load_jsonl(path):
    out = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                out.append(json.loads(raw))
            except ValueError as e:
                fail(f"{path}:{n}: not JSON: {e}")
    return out


def check_json(path):
    for n, ev in enumerate(load_jsonl(path), 1):
        keys = list(ev)
        if keys[:8] != BASE:
            fail(f"{path}:{n}: keys {keys}")
        extra = keys[8:]
        want = []
        if ev["kind"] == "return" and "dur" in ev:
            want.append("dur")
        if ev["kind"] in ("gc-start", "gc-done", "import-done", "lost"):
            want.append("value")
        # the strings the engine cut at its bound, when there are any
        if "truncated" in ev:
            want.append("truncated")
            if ev["truncated"] not in (["func"], ["file"], ["func", "file"]):
                fail(f"{path}:{n}: truncated {ev['truncated']}")
        if extra != want or ev["kind"] not in KINDS:
            fail(f"{path}:{n}: kind {ev['kind']} with extra keys {extra}")
        if not isinstance(ev["ts"], int) or ev["ts"] < 0 or ev["depth"] < 0:
            fail(f"{path}:{n}: bad ts/depth")


def check_chrome(path):
    with open(path, "rb") as f:
        doc = json.load(f)
    evs = doc["traceEvents"]
    open_stack = defaultdict(list)
    last_ts = {}
    named_p, named_t, seen = set(), set(), set()
    for i, e in enumerate(evs):
        ph = e.get("ph")
        if ph not in ("B", "E", "i", "X", "M"):
            fail(f"event {i}: ph {ph!r}")
        if not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int):
            fail(f"event {i}: pid/tid")
        key = (e["pid"], e["tid"])
        if ph == "M":
            if e["name"] == "process_name":
                named_p.add(e["pid"])
            elif e["name"] == "thread_name":
                named_t.add(key)
            else:
                fail(f"event {i}: metadata {e['name']}")
            if not isinstance(e["args"]["name"], str):
                fail(f"event {i}: metadata name")
            continue
        ts = e["ts"]
        if not isinstance(ts, (int, float)):
            fail(f"event {i}: ts")
        if key in last_ts and ts < last_ts[key]:
            fail(f"event {i}: ts {ts} goes back on {key} (was {last_ts[key]})")
        last_ts[key] = ts
        if ph == "i" and e.get("s") not in ("t", "p", "g"):
            fail(f"event {i}: instant scope")
        if ph == "B":
            if not isinstance(e.get("name"), str):
                fail(f"event {i}: B without a name")
            open_stack[key].append(e)
            seen.add(key)
        elif ph == "E":
            if not open_stack[key]:
                fail(f"event {i}: E without a B on {key}")
            b = open_stack[key].pop()
            if (b.get("name"), b.get("args")) != (e.get("name"), e.get("args")):
                fail(f"event {i}: E {e.get('name')!r} {e.get('args')} ends B {b.get('name')!r} {b.get('args')}")
        elif ph != "M" and e.get("s") != "g":
            seen.add(key)
    for key, st in open_stack.items():
        if st:
            fail(f"{len(st)} B events never ended on {key}")
    for key in seen:
        if key[0] not in named_p or key not in named_t:
            fail(f"no process/thread name for {key}")
    other = doc.get("otherData", {})
    if other.get("clock") != "CLOCK_MONOTONIC" or (evs and not isinstance(other.get("ts0_monotonic_ns"), int)):
        fail(f"otherData does not anchor the clock: {other}")


def check_speedscope(path, json_path=None):
    with open(path, "rb") as f:
        doc = json.load(f)
    if doc.get("$schema") != "https://www.speedscope.app/file-format-schema.json":
        fail("$schema")
    frames = doc["shared"]["frames"]
    for fr in frames:
        if not isinstance(fr.get("name"), str) or set(fr) - {"name", "file", "line", "col"}:
            fail(f"frame {fr}")
    opened = {}
    for p in doc["profiles"]:
        if p["type"] != "evented" or p["unit"] != "nanoseconds" or not isinstance(p["name"], str):
            fail(f"profile {p.get('name')}: type/unit/name")
        st, last, names = [], p["startValue"], []
        for ev in p["events"]:
            if ev["at"] < last or ev["at"] > p["endValue"]:
                fail(f"profile {p['name']}: at {ev['at']} out of order or range")
            last = ev["at"]
            if not 0 <= ev["frame"] < len(frames):
                fail(f"profile {p['name']}: frame {ev['frame']}")
            if ev["type"] == "O":
                st.append(ev["frame"])
                names.append(frames[ev["frame"]]["name"])
            elif ev["type"] == "C":
                if not st or st.pop() != ev["frame"]:
                    fail(f"profile {p['name']}: C of frame {ev['frame']} does not close the top")
            else:
                fail(f"profile {p['name']}: event type {ev['type']}")
        if st:
            fail(f"profile {p['name']}: {len(st)} frames never closed")
        tid = int(p["name"].rpartition("tid ")[2].rstrip(")"))
        pid = int(p["name"].rpartition("(pid ")[2].partition(")")[0])
        opened[(pid, tid)] = names
    if json_path:
        want = defaultdict(list)
        for ev in load_jsonl(json_path):
            if ev["kind"] == "call":
                want[(ev["pid"], ev["tid"])].append(ev["func"] if ev["func"] is not None else "<null>")
        got = {k: [n for n in v if not n.startswith(("gc (", "import "))] for k, v in opened.items()}
        if dict(want) != {k: v for k, v in got.items() if v}:
            fail("calls per thread differ from the json output's")


def check_folded(json_path, folded_path):
    want = defaultdict(int)
    stacks = defaultdict(list)     # (pid, tid) -> [[frame, time of shown children]] by depth
    for ev in load_jsonl(json_path):
        st = stacks[(ev["pid"], ev["tid"])]
        if ev["kind"] == "call":
            del st[ev["depth"]:]
            st.append([(ev["func"], ev["file"], ev["line"]), 0, ev["ts"]])
        elif ev["kind"] == "return" and "dur" in ev:
            d = ev["depth"]
            path = tuple(fr[0] for fr in st[: d + 1])
            want[path] += ev["dur"] - st[d][1]
            if d > 0:
                st[d - 1][1] += ev["dur"]
            del st[d:]
    # calls never returned: their self time up to the trace's last event,
    # on a path of their own marked "[never returned]"
    events = load_jsonl(json_path)
    end = max((ev["ts"] for ev in events), default=0)
    want_open = defaultdict(int)
    for st in stacks.values():
        inner = 0
        for d in range(len(st) - 1, -1, -1):
            path = tuple(fr[0] for fr in st[: d + 1])
            start = st[d][2] if len(st[d]) > 2 else None
            if start is None:
                continue
            dur = end - start
            want_open[path] += max(dur - st[d][1] - inner, 0)
            inner = dur
    total_want = sum((ns + 500) // 1000 for ns in want.values())
    open_want = sum((ns + 500) // 1000 for ns in want_open.values())
    total_got, open_got, lines, open_lines = 0, 0, 0, 0
    with open(folded_path, "rb") as f:
        for raw in f:
            frames, _, count = raw.rstrip(b"\n").rpartition(b" ")
            if frames.endswith(b" [never returned]"):
                open_got += int(count)
                open_lines += 1
            else:
                total_got += int(count)
                lines += 1
    nonzero = sum(1 for ns in want.values() if (ns + 500) // 1000)
    open_nonzero = sum(1 for ns in want_open.values() if (ns + 500) // 1000)
    if total_got != total_want or lines != nonzero:
        fail(f"folded total {total_got} µs in {lines} paths, json says {total_want} µs in {nonzero}")
    if open_got != open_want or open_lines != open_nonzero:
        fail(f"folded never-returned {open_got} µs in {open_lines} paths, "
             f"json says {open_want} µs in {open_nonzero}")


def check_svg(svg_path, folded_path):
    import xml.etree.ElementTree as ET
    ns = "{http://www.w3.org/2000/svg}"
    try:
        root = ET.parse(svg_path).getroot()
    except ET.ParseError as e:
        fail(f"{svg_path}: not XML: {e}")
    want = defaultdict(int)
    with open(folded_path, "rb") as f:
        for raw in f:
            frames, _, count = raw.decode().rstrip("\n").rpartition(" ")
            parts = frames.split(";")
            for i in range(1, len(parts) + 1):
                want[";".join(parts[:i])] += int(count)
    got, stack = {}, []
    for g in root.iter(ns + "g"):
        if "f" not in g.get("class", "").split():
            continue
        d = int(g.get("data-d"))
        del stack[d:]
        # folded writes ';' in a name as \x3b; the svg's title has the name as is
        stack.append(g.find(ns + "title").text.split("\n")[0].replace(";", "\\x3b"))
        got[";".join(stack)] = int(g.get("data-w"))
    # frames narrower than data-min-px pixels are left out (the svg's
    # drawing width is 1200 - 2 * 10 px, shared by every µs of the trace)
    total = sum(v for k, v in want.items() if ";" not in k)
    min_px = float(root.get("data-min-px"))
    want = {k: v for k, v in want.items() if total and v * (1180 / total) >= min_px}
    if got != dict(want):
        diff = sorted(set(got.items()) ^ set(want.items()))[:4]
        fail(f"svg frames differ from folded's tree ({len(got)} vs {len(want)}): {diff}")
    if int(root.get("data-frames")) != len(got):
        fail("data-frames")


def check_mindur(full_path, cut_path, ns):
    full = load_jsonl(full_path)
    end = max(ev["ts"] for ev in full)
    # duration of each call, found by matching returns per thread
    open_calls = defaultdict(list)
    dur = {}
    for i, ev in enumerate(full):
        key = (ev["pid"], ev["tid"])
        if ev["kind"] == "call":
            open_calls[key].append(i)
        elif ev["kind"] == "return" and "dur" in ev:
            dur[open_calls[key].pop()] = ev["dur"]
    for key, st in open_calls.items():
        for i in st:
            dur[i] = end - full[i]["ts"]
    want = defaultdict(list)
    stack = defaultdict(list)       # per thread: kept flags of the open calls
    for i, ev in enumerate(full):
        key = (ev["pid"], ev["tid"])
        inside = all(stack[key])
        if ev["kind"] == "call":
            keep = inside and dur[i] >= ns
            stack[key].append(keep)
        elif ev["kind"] == "return" and "dur" in ev:
            keep = stack[key].pop()
        elif ev["kind"] == "return":
            keep = ev["ts"] >= ns        # lasted at least since the trace began
        else:
            keep = inside
        if keep:
            want[key].append(ev)
    got = defaultdict(list)
    for ev in load_jsonl(cut_path):
        got[(ev["pid"], ev["tid"])].append(ev)
    for key in set(want) | set(got):
        if want[key] != got[key]:
            w, g = want[key], got[key]
            n = next((k for k in range(min(len(w), len(g))) if w[k] != g[k]), min(len(w), len(g)))
            fail(f"thread {key}: event {n} differs: want {w[n] if n < len(w) else None}, "
                 f"got {g[n] if n < len(g) else None} ({len(w)} vs {len(g)} events)")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "json":
        check_json(sys.argv[2])
    elif cmd == "chrome":
        check_chrome(sys.argv[2])
    elif cmd == "mindur":
        check_mindur(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "folded":
        check_folded(sys.argv[2], sys.argv[3])
    elif cmd == "svg":
        check_svg(sys.argv[2], sys.argv[3])
    elif cmd == "speedscope":
        check_speedscope(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        fail("unknown check " + cmd)
