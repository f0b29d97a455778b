#!/bin/bash
# An --enable-shared CPython run from its build directory, reproduced without
# building CPython: a directory holding a private copy of Debian's
# libpython3.11.so.1.0 (its own inode: a uprobe on Debian's file would not
# fire in it) and a ./python made of CPython's Programs/python.c equivalent
# (Py_BytesMain) linked against it.  pytrace must probe the libpython the
# process loads: LD_LIBRARY_PATH=. (as an assignment, through env, through
# export), RUNPATH $ORIGIN, absolute RPATH, and -p.  `list` says which
# libpython will be loaded and warns about the other one.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib/bpf.sh"
. "$TOP/tests/lib/faults.sh"

LIB=/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0
EXPECT="call <module> call f call g return g return f return <module> "

# make_tree DIR [LDFLAGS...]: DIR/python + DIR/libpython3.11.so.1.0 + DIR/t.py
make_tree() {
	local dir=$1; shift
	mkdir -p "$dir"
	cp "$LIB" "$dir/"
	printf '#include <Python.h>\nint main(int argc, char **argv) { return Py_BytesMain(argc, argv); }\n' \
		>"$dir/python.c"
	gcc -I/usr/include/python3.11 -o "$dir/python" "$dir/python.c" -L"$dir" \
		-l:libpython3.11.so.1.0 "$@" || return 1
	printf 'def g():\n    return 1\n\n\ndef f():\n    return g()\n\n\nf()\n' >"$dir/t.py"
}

# traced NAME DIR COMMAND [TREE]: pytrace -c COMMAND run in DIR, tree of
# TREE/t.py (TREE defaults to DIR)
traced() {
	local name=$1 dir=$2 cmd=$3 tree=${4:-$2} got
	(cd "$dir" && "$PYTRACE" --engine bpf -f json -c "$cmd") >"$TMP/out" 2>"$TMP/err"
	got=$(calls_of "$tree/t.py" <"$TMP/out" | tr '\n' ' ')
	if [ "$got" = "$EXPECT" ]; then
		ok "$name: the loaded libpython is probed, tree exact"
	else
		fail "$name: the loaded libpython is probed, tree exact (got '$got')"
		sed 's/^/# err: /' "$TMP/err" | head -5
	fi
}

main() {
	bpf_ready || return 0
	[ -r "$LIB" ] && [ -r /usr/include/python3.11/Python.h ] ||
		{ skip "build tree: $LIB or Python.h missing (make deps: libpython3.11-dev)"; return 0; }
	local A=$TMP/plain B=$TMP/runpath C=$TMP/rpath
	make_tree "$A" || { fail "build tree: compile ./python"; return; }
	make_tree "$B" -Wl,--enable-new-dtags,-rpath,'$ORIGIN' || { fail "RUNPATH tree"; return; }
	make_tree "$C" -Wl,--disable-new-dtags,-rpath,"$C" || { fail "RPATH tree"; return; }
	check "the copy is its own file (inode)" bash -c \
		'[ "$(stat -c %d:%i "$1")" != "$(stat -c %d:%i "$2")" ]' _ "$A/libpython3.11.so.1.0" "$LIB"

	traced "LD_LIBRARY_PATH=. ./python" "$A" "LD_LIBRARY_PATH=. ./python t.py"
	traced "env LD_LIBRARY_PATH=. ./python" "$A" "env LD_LIBRARY_PATH=. ./python t.py"
	traced "export LD_LIBRARY_PATH=.; ./python" "$A" "export LD_LIBRARY_PATH=.; ./python t.py"
	traced "RUNPATH \$ORIGIN" "$B" "./python t.py"
	traced "absolute RPATH, run from elsewhere" "$TMP" "$C/python $C/t.py" "$C"
	check "the system's libpython carries the same markers (so only the inode tells)" \
		bash -c '"$1" list "$2" | grep -q "function__entry"' _ "$PYTRACE" "$LIB"

	# -p: a process started in the tree; what it maps is the truth.
	(cd "$A" && LD_LIBRARY_PATH=. exec ./python "$DATA/spin.py" "$TMP/spin.pid" 20) &
	local spin=$! pid
	pid=$(spin_pid "$TMP/spin.pid")
	if [ -n "$pid" ]; then
		"$PYTRACE" list -p "$pid" >"$TMP/list" 2>&1
		check "-p: list names the tree's libpython" \
			grep -q "^markers in: *$A/libpython3.11.so.1.0 (shared library)" "$TMP/list"
		"$PYTRACE" --engine bpf -f json --duration 1 -p "$pid" >"$TMP/out" 2>"$TMP/err"
		check "-p: calls traced in the tree's libpython ($(grep -c '"func":"tick"' "$TMP/out") tick events)" \
			test "$(grep -c '"func":"tick"' "$TMP/out")" -gt 100
	else
		fail "-p: the spinning python did not start"
	fi
	kill "$spin" 2>/dev/null; wait "$spin" 2>/dev/null

	# --no-stdlib: a build tree's stdlib is its Lib/ (here ../Lib: Debian's
	# libpython was built out of tree, VPATH=..), found by pybuilddir.txt.
	local S=$TMP/src
	make_tree "$S/build" || { fail "out-of-tree build: compile ./python"; return; }
	ln -s /usr/lib/python3.11 "$S/Lib"
	mkdir -p "$S/build/build"
	ln -s /usr/lib/python3.11/lib-dynload "$S/build/build/lib.linux-x86_64-3.11"
	echo build/lib.linux-x86_64-3.11 >"$S/build/pybuilddir.txt"
	printf 'import json\n\n\ndef f():\n    return json.dumps([1])\n\n\nf()\n' >"$S/build/t.py"
	(cd "$S/build" && "$PYTRACE" --engine bpf -f json -c "LD_LIBRARY_PATH=. ./python t.py") \
		>"$TMP/out" 2>"$TMP/err"
	local n_lib; n_lib=$(grep -c "\"file\":\"$S/Lib/" "$TMP/out")
	check "build tree: its stdlib runs from $S/Lib ($n_lib events)" test "$n_lib" -gt 100
	(cd "$S/build" && "$PYTRACE" --engine bpf -f json --no-stdlib \
		-c "LD_LIBRARY_PATH=. ./python t.py") >"$TMP/out" 2>"$TMP/err"
	check "build tree: --no-stdlib hides Lib/ ($(grep -c "\"file\":\"$S/Lib/" "$TMP/out") left)" \
		bash -c '! grep -q "\"file\":\"$1/Lib/" "$2" && grep -q "\"func\":\"f\"" "$2"' _ "$S" "$TMP/out"

	# list: which libpython loads, and a warning about the other one.
	(cd "$A" && "$PYTRACE" list ./python) >"$TMP/out" 2>"$TMP/err"
	check "list ./python: the libpython ld.so loads here (Debian's, no LD_LIBRARY_PATH)" \
		grep -q "^libpython: *$LIB\|^libpython: */lib/x86_64-linux-gnu/libpython3.11.so.1.0" "$TMP/out"
	check "list ./python: warns that ./libpython3.11.so.1.0 also carries markers" \
		grep -q "warning: .*$A/libpython3.11.so.1.0 beside .* also carries markers.*LD_LIBRARY_PATH=" "$TMP/err"
	(cd "$A" && LD_LIBRARY_PATH=. "$PYTRACE" list ./python) >"$TMP/out" 2>"$TMP/err"
	check "LD_LIBRARY_PATH=. list ./python: the tree's libpython, no warning" \
		bash -c 'grep -q "^libpython: *$1/libpython3.11.so.1.0" "$2" && ! grep -q warning "$3"' \
		_ "$A" "$TMP/out" "$TMP/err"
	(cd "$A" && "$PYTRACE" list ./libpython3.11.so.1.0) >"$TMP/out" 2>"$TMP/err"
	check "list ./libpython3.11.so.1.0: a shared library, not an executable" \
		bash -c 'grep -q "(shared library)" "$1" && ! grep -q "(executable)" "$1"' _ "$TMP/out"
	(cd "$B" && "$PYTRACE" list ./python) >"$TMP/out" 2>"$TMP/err"
	check "list on the RUNPATH \$ORIGIN tree: its own libpython" \
		grep -q "^markers in: *$B/libpython3.11.so.1.0" "$TMP/out"
}
main
done_testing
