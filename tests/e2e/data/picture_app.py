# A small program for the picture formats (chrome, speedscope, svg): two
# threads, recursion, the standard library (json, re) and a known number
# of calls of each of its own functions.
import json
import re
import threading

WORDS = "the quick brown fox jumps over the lazy dog".split()


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def tokenize(text):
    return re.findall(r"[a-z]+", text)


def count_words(lines):
    counts = {}
    for line in lines:
        for w in tokenize(line):
            counts[w] = counts.get(w, 0) + 1
    return counts


def encode(counts):
    return json.dumps(counts, sort_keys=True)


def report():
    lines = [" ".join(WORDS[i:] + WORDS[:i]) for i in range(len(WORDS))]
    return encode(count_words(lines * 20))


def worker():
    for _ in range(3):
        fib(14)


def main():
    t = threading.Thread(target=worker, name="fib-worker")
    t.start()
    for _ in range(5):
        report()
    fib(16)
    t.join()


if __name__ == "__main__":
    main()
