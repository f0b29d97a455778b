# make install puts the binary, man page, tapset and scripts where PREFIX and
# DESTDIR say; --help and the man page describe the same options.
. "$TOP/tests/lib.sh"

dest=$TMP/dest
if make -C "$TOP" -s install BUILD="$BUILD" DESTDIR="$dest" PREFIX=/usr >"$TMP/log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	fail "make install DESTDIR=... PREFIX=/usr"; sed 's/^/# /' "$TMP/log" | tail -5
fi
for f in usr/bin/pytrace usr/share/man/man1/pytrace.1 usr/share/systemtap/tapset/pytrace.stp \
	 usr/share/pytrace/scripts/calltree.stp usr/share/pytrace/scripts/top.stp; do
	check "installed $f" test -s "$dest/$f"
done
check "installed binary runs" "$dest/usr/bin/pytrace" --version
check "installed tapset defines pytrace.function.entry" \
	grep -q 'probe pytrace.function.entry' "$dest/usr/share/systemtap/tapset/pytrace.stp"

if have man; then
	if MANWIDTH=80 man -l "$TOP/man/pytrace.1" >"$TMP/man.txt" 2>"$TMP/man.err" && [ ! -s "$TMP/man.err" ]; then
		ok "man page renders without warnings"
	else
		fail "man page renders without warnings"; sed 's/^/# /' "$TMP/man.err" | head -5
	fi
else
	skip "man page rendering: man is not installed"
fi

# Every long option --help lists is explained in the man page, and back.
"$PYTRACE" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u > "$TMP/help.opts"
# (--with-dtrace is CPython's configure option, not ours)
sed 's/\\-/-/g' "$TOP/man/pytrace.1" | grep -oE -- '--[a-z][a-z-]+' | grep -vx -- --with-dtrace |
	sort -u > "$TMP/man.opts"
missing=$(comm -23 "$TMP/help.opts" "$TMP/man.opts" | tr '\n' ' ')
check "every --help option is in the man page${missing:+ (missing: $missing)}" test -z "$missing"
extra=$(comm -13 "$TMP/help.opts" "$TMP/man.opts" | tr '\n' ' ')
check "every man page option exists in --help${extra:+ (not in --help: $extra)}" test -z "$extra"
# and each one is accepted by the parser (not "unknown option")
for opt in $(cat "$TMP/help.opts"); do
	"$PYTRACE" "$opt" >/dev/null 2>"$TMP/err" </dev/null
	grep -q "unknown option" "$TMP/err" && fail "$opt is documented but unknown to the parser"
done
ok "every documented option is known to the parser"
for cmd in list doctor tapset; do
	check "man page has the $cmd command" grep -q "^\.B $cmd" "$TOP/man/pytrace.1"
done

# The README's order (make as a user, then sudo make check): each check
# target gives $(BUILD) back to SUDO_UID, also when tests fail; not without sudo.
for t in check check-unit check-golden check-live; do
	make -s -n -C "$TOP" "$t" BUILD="$BUILD" SUDO_UID=4321 SUDO_GID=4322 >"$TMP/n" 2>&1
	check "sudo make $t: gives $BUILD back to the sudo user" \
		grep -q "rc=\$?; .*chown -R 4321:4322 $BUILD .*exit \$rc" "$TMP/n"
done
env -u SUDO_UID -u SUDO_GID make -s -n -C "$TOP" check BUILD="$BUILD" >"$TMP/n" 2>&1
check "make check without sudo: no chown" sh -c "! grep -q chown '$TMP/n'"
done_testing
