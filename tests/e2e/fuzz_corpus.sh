#!/bin/bash
# suite: unit
# Every fuzz target (tests/fuzz/fuzz_*.c) replayed over its checked-in corpus
# (tests/fuzz/corpus/NAME) with the normal compiler and tests/fuzz/replay.c
# instead of libFuzzer: the seeds and every input a fuzzer ever crashed on
# stay regression tests.  In the SANITIZE build the replay runs under ASan +
# UBSan as well.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
CC=${CC:-cc}
san=()
case "$BUILD" in *san*) san=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined);; esac
if [ ! -f "$BUILD/libpytrace.a" ]; then
	skip "fuzz corpus: $BUILD/libpytrace.a is missing (make check builds it)"
	done_testing; exit 0
fi
for f in tests/fuzz/fuzz_*.c; do
	name=$(basename "${f%.c}")
	target=${name#fuzz_}
	corpus=tests/fuzz/corpus/$target
	if [ ! -d "$corpus" ]; then
		fail "$target: no corpus in $corpus"; continue
	fi
	if ! $CC -g -O1 -std=gnu11 -D_GNU_SOURCE -Isrc -I"$BUILD" -DPYTRACE_VERSION='"fuzz"' \
		"${san[@]}" -o "$TMP/$name" "$f" tests/fuzz/replay.c "$BUILD/libpytrace.a" \
		-lbpf -lelf -lz -lm 2>"$TMP/cc.err"; then
		fail "$target: the replay binary did not build"; sed 's/^/# /' "$TMP/cc.err" | head -5
		continue
	fi
	extra=()   # the real inputs tests/fuzz/run seeds with
	case $target in
	sdt_note) for b in "$BUILD"/fixtures/*; do [ -f "$b" ] && [ -x "$b" ] && extra+=("$b"); done;;
	raw) extra=(tests/golden/replay/*.raw);;
	esac
	if "$TMP/$name" "$corpus" "${extra[@]}" >"$TMP/out" 2>"$TMP/err"; then
		ok "$target: $(cat "$TMP/out") (from $corpus${extra[0]:+ and ${#extra[@]} real inputs})"
	else
		fail "$target: an input of $corpus failed"
		grep -m5 -E 'ERROR|runtime error|SUMMARY|Aborted|refused' "$TMP/err" | sed 's/^/# /'
	fi
done
done_testing
