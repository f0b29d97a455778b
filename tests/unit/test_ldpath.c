/* ldpath_resolve: the ld.so search order, $ORIGIN/$LIB expansion, the
 * ld.so.cache format (crafted and the system's), roots, wrong-class files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <limits.h>
#include <elf.h>
#include <glob.h>

#include <cmocka.h>

#include "target.h"

static char tmp[64];

#define SKIP(...) do { printf("# SKIP " __VA_ARGS__); printf("\n"); skip(); } while (0)

static char *path_in(const char *rel)
{
	static char buf[8][PATH_MAX];
	static int k;
	char *p = buf[k++ % 8];
	snprintf(p, PATH_MAX, "%s/%s", tmp, rel);
	return p;
}

static void mkdirs(const char *path)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* A minimal file that passes for a 64-bit (or 32-bit) ELF. */
static void put_elf(const char *rel, int cls)
{
	unsigned char h[64] = {0x7f, 'E', 'L', 'F', (unsigned char)cls, ELFDATA2LSB, EV_CURRENT};
	char *p = path_in(rel), dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", p);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fwrite(h, 1, sizeof(h), f);
	fclose(f);
}

static void expect_path(char *got, const char *want)
{
	char a[PATH_MAX], b[PATH_MAX];
	if (!got)
		fail_msg("resolved nothing, wanted %s", want);
	if (!realpath(got, a) || !realpath(want, b) || strcmp(a, b) != 0)
		fail_msg("resolved %s, wanted %s", got, want);
	free(got);
}

static void test_origin_runpath(void **state)
{
	(void)state;
	put_elf("app/lib/libone.so.1", ELFCLASS64);
	put_elf("app/bin/exe", ELFCLASS64);
	struct sdt_file from = {.path = path_in("app/bin/exe"), .runpath = (char *)"$ORIGIN/../lib"};
	expect_path(ldpath_resolve("libone.so.1", &from, NULL), path_in("app/lib/libone.so.1"));
	from.runpath = (char *)"/nowhere:${ORIGIN}/../lib";
	expect_path(ldpath_resolve("libone.so.1", &from, NULL), path_in("app/lib/libone.so.1"));
	assert_null(ldpath_resolve("libmissing.so.7", &from, NULL));
}

static void test_lib_platform(void **state)
{
	(void)state;
	put_elf("d/lib/x86_64-linux-gnu/libdeb.so", ELFCLASS64);
	put_elf("d/lib64/libother.so", ELFCLASS64);
	put_elf("d/x86_64/libplat.so", ELFCLASS64);
	char rp[PATH_MAX];
	snprintf(rp, sizeof(rp), "%s/d/$LIB:%s/d/$PLATFORM", tmp, tmp);
	struct sdt_file from = {.path = path_in("d/exe"), .runpath = rp};
	expect_path(ldpath_resolve("libdeb.so", &from, NULL), path_in("d/lib/x86_64-linux-gnu/libdeb.so"));
	expect_path(ldpath_resolve("libother.so", &from, NULL), path_in("d/lib64/libother.so"));
	expect_path(ldpath_resolve("libplat.so", &from, NULL), path_in("d/x86_64/libplat.so"));
}

/* RPATH (without RUNPATH) < LD_LIBRARY_PATH < RUNPATH; RPATH ignored with RUNPATH. */
static void test_search_order(void **state)
{
	(void)state;
	put_elf("o/rpath/libo.so", ELFCLASS64);
	put_elf("o/env/libo.so", ELFCLASS64);
	put_elf("o/runpath/libo.so", ELFCLASS64);
	struct sdt_file from = {.path = path_in("o/exe")};

	setenv("LD_LIBRARY_PATH", path_in("o/env"), 1);
	from.rpath = path_in("o/rpath");
	expect_path(ldpath_resolve("libo.so", &from, NULL), path_in("o/rpath/libo.so"));
	from.runpath = path_in("o/runpath");
	expect_path(ldpath_resolve("libo.so", &from, NULL), path_in("o/env/libo.so"));
	unsetenv("LD_LIBRARY_PATH");
	expect_path(ldpath_resolve("libo.so", &from, NULL), path_in("o/runpath/libo.so"));
}

/* Another process's environment: its LD_LIBRARY_PATH, not ours; a relative
 * entry ("." in a build tree) from its cwd, not ours; a RUNPATH still loses
 * to it and the cache and defaults follow. */
static void test_process_env(void **state)
{
	(void)state;
	put_elf("p/build/libp.so", ELFCLASS64);
	put_elf("p/ours/libp.so", ELFCLASS64);
	put_elf("p/runpath/libp.so", ELFCLASS64);
	struct sdt_file from = {.path = path_in("p/build/python")};
	char *r;

	setenv("LD_LIBRARY_PATH", path_in("p/ours"), 1);
	expect_path(ldpath_resolve_env("libp.so", &from, NULL, ".", path_in("p/build")),
		    path_in("p/build/libp.so"));
	from.runpath = path_in("p/runpath");
	expect_path(ldpath_resolve_env("libp.so", &from, NULL, ".", path_in("p/build")),
		    path_in("p/build/libp.so"));
	/* unset in the process: its RUNPATH, never our LD_LIBRARY_PATH */
	expect_path(ldpath_resolve_env("libp.so", &from, NULL, NULL, path_in("p/build")),
		    path_in("p/runpath/libp.so"));
	from.runpath = NULL;
	r = ldpath_resolve_env("libp.so", &from, NULL, NULL, path_in("p/build"));
	assert_null(r);
	unsetenv("LD_LIBRARY_PATH");
}

/* A 32-bit library earlier in the path is skipped, as ld.so does. */
static void test_wrong_class(void **state)
{
	(void)state;
	put_elf("w/a/libw.so", ELFCLASS32);
	put_elf("w/b/libw.so", ELFCLASS64);
	char rp[PATH_MAX];
	snprintf(rp, sizeof(rp), "%s/w/a:%s/w/b", tmp, tmp);
	struct sdt_file from = {.path = path_in("w/exe"), .runpath = rp};
	expect_path(ldpath_resolve("libw.so", &from, NULL), path_in("w/b/libw.so"));
	/* a name with a slash is a path */
	expect_path(ldpath_resolve(path_in("w/b/libw.so"), NULL, NULL), path_in("w/b/libw.so"));
	assert_null(ldpath_resolve(path_in("w/a/libw.so"), NULL, NULL));
}

static void put_u32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }

/* Write ROOT/etc/ld.so.cache in the new format (optionally after an empty
 * old-format table) mapping key -> value. */
static void write_cache(const char *root_rel, const char *key, const char *value, bool old_prefix)
{
	unsigned char buf[1024] = {0};
	size_t start = 0;
	if (old_prefix) {
		memcpy(buf, "ld.so-1.7.0", 11);
		put_u32(buf + 12, 0);     /* nlibs */
		start = 16;
	}
	unsigned char *h = buf + start;
	memcpy(h, "glibc-ld.so.cache1.1", 20);
	put_u32(h + 20, 2);          /* nlibs: one i386 decoy, one x86-64 */
	size_t strings = 48 + 2 * 24;
	size_t klen = strlen(key) + 1, vlen = strlen(value) + 1;
	put_u32(h + 24, (uint32_t)(klen + vlen));
	/* entry 0: same key, i386 libc6 flags (0x0003 without 0x0300): must be ignored */
	put_u32(h + 48, 0x0003);
	put_u32(h + 52, (uint32_t)strings);
	put_u32(h + 56, (uint32_t)strings);
	/* entry 1: x86-64 */
	put_u32(h + 72, 0x0303);
	put_u32(h + 76, (uint32_t)strings);
	put_u32(h + 80, (uint32_t)(strings + klen));
	memcpy(h + strings, key, klen);
	memcpy(h + strings + klen, value, vlen);

	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/etc", path_in(root_rel));
	mkdirs(dir);
	strcat(dir, "/ld.so.cache");
	FILE *f = fopen(dir, "wb");
	assert_non_null(f);
	fwrite(buf, 1, start + strings + klen + vlen, f);
	fclose(f);
}

static void test_cache_crafted(void **state)
{
	(void)state;
	put_elf("r1/opt/fake/libfake.so.1", ELFCLASS64);
	write_cache("r1", "libfake.so.1", "/opt/fake/libfake.so.1", false);
	expect_path(ldpath_resolve("libfake.so.1", NULL, path_in("r1")),
		    path_in("r1/opt/fake/libfake.so.1"));
	assert_null(ldpath_resolve("libother.so.1", NULL, path_in("r1")));

	put_elf("r2/opt/old/libfake.so.1", ELFCLASS64);
	write_cache("r2", "libfake.so.1", "/opt/old/libfake.so.1", true);
	expect_path(ldpath_resolve("libfake.so.1", NULL, path_in("r2")),
		    path_in("r2/opt/old/libfake.so.1"));
}

/* Default directories under a root that has no cache. */
static void test_default_dirs(void **state)
{
	(void)state;
	put_elf("r3/usr/lib/x86_64-linux-gnu/libdef.so.2", ELFCLASS64);
	expect_path(ldpath_resolve("libdef.so.2", NULL, path_in("r3")),
		    path_in("r3/usr/lib/x86_64-linux-gnu/libdef.so.2"));
	put_elf("r3/lib/libdef2.so", ELFCLASS64);
	expect_path(ldpath_resolve("libdef2.so", NULL, path_in("r3")), path_in("r3/lib/libdef2.so"));
}

/* The system's cache: libc.so.6 is what the dynamic loader would load. */
static void test_system(void **state)
{
	(void)state;
	if (access("/etc/ld.so.cache", R_OK) != 0)
		SKIP("no /etc/ld.so.cache");
	expect_path(ldpath_resolve("libc.so.6", NULL, NULL), "/lib/x86_64-linux-gnu/libc.so.6");
	struct sdt_file from = {.path = (char *)"/usr/bin/python3.11"};
	expect_path(ldpath_resolve("libm.so.6", &from, NULL), "/lib/x86_64-linux-gnu/libm.so.6");
}

/* Pythons built --enable-shared find their libpython through DT_RUNPATH:
 * the fixture tests/fixtures/nomarker/ ($ORIGIN), and pyenv's builds when
 * $PYENV_ROOT names a pyenv. */
static void test_runpath(void **state)
{
	(void)state;
	const char *fx = getenv("FIXTURES"), *root = getenv("PYENV_ROOT");
	char exe[PATH_MAX], lib[PATH_MAX], pattern[PATH_MAX];
	size_t checked = 0;
	glob_t g;

	snprintf(exe, sizeof(exe), "%s/nomarker/python3.12", fx ? fx : "build/fixtures");
	snprintf(lib, sizeof(lib), "%s/nomarker/libpython3.12.so.1.0", fx ? fx : "build/fixtures");
	if (access(exe, X_OK) == 0) {
		char real[PATH_MAX];
		assert_non_null(realpath(lib, real));
		struct sdt_file from = {.path = exe, .runpath = (char *)"$ORIGIN"};
		expect_path(ldpath_resolve("libpython3.12.so.1.0", &from, NULL), real);
		checked++;
	}
	snprintf(pattern, sizeof(pattern), "%s/versions/3.*/lib/libpython3.*.so.1.0", root ? root : "");
	if (root && *root && glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++, checked++) {
			char dir[PATH_MAX], *libdir = dir, *base;
			snprintf(dir, sizeof(dir), "%s", g.gl_pathv[i]);
			base = strrchr(dir, '/');
			*base++ = '\0';
			struct sdt_file from = {.path = (char *)"/opt/pyenv/x/bin/python", .runpath = libdir};
			expect_path(ldpath_resolve(base, &from, NULL), g.gl_pathv[i]);
		}
		globfree(&g);
	}
	if (!checked)
		SKIP("no --enable-shared python: %s not built, and no pyenv in $PYENV_ROOT", exe);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/pytrace-test-ldpath.XXXXXX");
	unsetenv("LD_LIBRARY_PATH");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_origin_runpath),
		cmocka_unit_test(test_lib_platform),
		cmocka_unit_test(test_search_order),
		cmocka_unit_test(test_process_env),
		cmocka_unit_test(test_wrong_class),
		cmocka_unit_test(test_cache_crafted),
		cmocka_unit_test(test_default_dirs),
		cmocka_unit_test(test_system),
		cmocka_unit_test(test_runpath),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
