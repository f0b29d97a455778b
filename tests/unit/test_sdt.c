/* sdt: notes, base adjustment, semaphores, file offsets, DT_* entries,
 * Py_FinalizeEx and version detection on real binaries, the fixture and
 * broken copies.  Expected values come from readelf (binutils), not from
 * our own reader: notes from `readelf -n`, offsets from `readelf -l`'s
 * PT_LOAD headers, the base section from `readelf -S`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glob.h>
#include <limits.h>
#include <elf.h>

#include <cmocka.h>

#include "sdt.h"

#define PY311 "/usr/bin/python3.11"
#define LIBPY311 "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"

static const char *const python_markers[8] = {
	"function__entry", "function__return", "line", "gc__start", "gc__done",
	"import__find__load__start", "import__find__load__done", "audit",
};

static char tmpdir[64];
static char fixture[512];

#define SKIP(...) do { printf("# SKIP " __VA_ARGS__); printf("\n"); skip(); } while (0)

/* ---- readelf as the independent reference ---- */

struct ref_note {
	char provider[64], name[64], args[256];
	uint64_t pc, base, sem;
};

struct ref_seg {
	uint64_t off, vaddr, filesz, memsz;
};

static size_t ref_notes(const char *path, struct ref_note *out, size_t max)
{
	char cmd[600], line[1024];
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf -nW '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *s = line + strspn(line, " ");
		s[strcspn(s, "\n")] = '\0';
		char *prov = strstr(s, "Provider: ");   /* -W puts it on the note's line */
		if (prov && n < max) {
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].provider, sizeof(out[n].provider), "%s", prov + 10);
			n++;
		} else if (n && strncmp(s, "Name: ", 6) == 0) {
			snprintf(out[n - 1].name, sizeof(out[n - 1].name), "%s", s + 6);
		} else if (n && strncmp(s, "Location: ", 10) == 0) {
			sscanf(s, "Location: %lx, Base: %lx, Semaphore: %lx", &out[n - 1].pc,
			       &out[n - 1].base, &out[n - 1].sem);
		} else if (n && strncmp(s, "Arguments:", 10) == 0) {
			snprintf(out[n - 1].args, sizeof(out[n - 1].args), "%s",
				 s + 10 + strspn(s + 10, " "));
		}
	}
	pclose(p);
	return n;
}

static size_t ref_loads(const char *path, struct ref_seg *out, size_t max)
{
	char cmd[600], line[1024];
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf -lW '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		uint64_t paddr;
		if (n < max && sscanf(line, " LOAD 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx", &out[n].off,
				      &out[n].vaddr, &paddr, &out[n].filesz, &out[n].memsz) == 5)
			n++;
	}
	pclose(p);
	return n;
}

/* Address of .stapsdt.base per readelf -S, 0 when absent. */
static uint64_t ref_base_section(const char *path)
{
	char cmd[600], line[1024];
	uint64_t addr = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf -SW '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *s = strstr(line, ".stapsdt.base");
		if (s)
			sscanf(s + strlen(".stapsdt.base"), " PROGBITS %lx", &addr);
	}
	pclose(p);
	return addr;
}

static uint64_t ref_offset(const struct ref_seg *segs, size_t n, uint64_t vaddr)
{
	for (size_t i = 0; i < n; i++)
		if (vaddr >= segs[i].vaddr && vaddr < segs[i].vaddr + segs[i].memsz)
			return vaddr - segs[i].vaddr + segs[i].off;
	fail_msg("readelf: no PT_LOAD covers 0x%lx", vaddr);
	return 0;
}

/* Every note of f equals readelf's, with offsets computed from readelf -l. */
static void cross_check(const char *path, const struct sdt_file *f)
{
	struct ref_note ref[64];
	struct ref_seg segs[16];
	size_t nref = ref_notes(path, ref, 64), nsegs = ref_loads(path, segs, 16);
	uint64_t base_sec = ref_base_section(path);

	assert_int_equal(f->nnotes, nref);
	assert_true(nsegs > 0);
	for (size_t i = 0; i < nref; i++) {
		const struct sdt_note *n = &f->notes[i];
		uint64_t delta = base_sec ? base_sec - ref[i].base : 0;
		assert_string_equal(n->provider, ref[i].provider);
		assert_string_equal(n->name, ref[i].name);
		assert_string_equal(n->args, ref[i].args);
		assert_true(n->base == ref[i].base);
		assert_true(n->pc == ref[i].pc + delta);
		assert_true(n->pc_offset == ref_offset(segs, nsegs, ref[i].pc + delta));
		if (ref[i].sem) {
			assert_true(n->semaphore == ref[i].sem + delta);
			assert_true(n->semaphore_offset == ref_offset(segs, nsegs, ref[i].sem + delta));
		} else {
			assert_true(n->semaphore == 0);
			assert_true(n->semaphore_offset == 0);
		}
	}
}

static struct sdt_file *open_ok(const char *path)
{
	struct sdt_file *f = NULL;
	char err[512] = "";
	if (sdt_file_open(path, &f, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	assert_non_null(f);
	return f;
}

static void open_fails(const char *path, const char *needle)
{
	struct sdt_file *f = (struct sdt_file *)1;
	char err[512] = "";
	if (sdt_file_open(path, &f, err, sizeof(err)) != -1)
		fail_msg("%s opened but should fail (%s)", path, needle);
	assert_null(f);
	if (!strstr(err, needle) || !strstr(err, path) || strchr(err, '\n'))
		fail_msg("%s: error '%s' should be one line naming the file and '%s'", path, err,
			 needle);
}

static void check_python_markers(const struct sdt_file *f)
{
	assert_int_equal(sdt_count_provider(f, "python"), 8);
	for (int i = 0; i < 8; i++) {
		const struct sdt_note *n = sdt_find(f, "python", python_markers[i]);
		if (!n)
			fail_msg("%s: no python:%s", f->path, python_markers[i]);
		assert_true(n->semaphore != 0);
		assert_true(n->nargs >= 1);
	}
	/* entry/return carry (file, function, line) */
	const struct sdt_note *e = sdt_find(f, "python", "function__entry");
	assert_int_equal(e->nargs, 3);
	assert_int_equal(e->argv[0].size, 8);
	assert_int_equal(e->argv[2].size, 4);
	assert_true(e->argv[2].is_signed);
}

/* ---- real binaries ---- */

static void test_python311(void **state)
{
	(void)state;
	if (access(PY311, R_OK) != 0)
		SKIP("%s not installed (apt-get install python3.11)", PY311);
	struct sdt_file *f = open_ok(PY311);
	assert_int_equal(f->e_type, ET_EXEC);
	check_python_markers(f);
	cross_check(PY311, f);
	assert_int_equal(f->py_major, 3);
	assert_int_equal(f->py_minor, 11);
	assert_true(f->finalize_offset != 0);
	assert_null(f->soname);
	assert_true(f->nneeded > 0);
	/* the non-PIE exe: a probe's file offset is its address minus the 0x400000 base */
	const struct sdt_note *line = sdt_find(f, "python", "line");
	assert_true(line->pc - line->pc_offset == 0x400000);
	sdt_file_free(f);
}

static void test_libpython311(void **state)
{
	(void)state;
	if (access(LIBPY311, R_OK) != 0)
		SKIP("%s not installed (apt-get install libpython3.11)", LIBPY311);
	struct sdt_file *f = open_ok(LIBPY311);
	assert_int_equal(f->e_type, ET_DYN);
	check_python_markers(f);
	cross_check(LIBPY311, f);
	assert_int_equal(f->py_major, 3);
	assert_int_equal(f->py_minor, 11);
	assert_non_null(f->soname);
	assert_string_equal(f->soname, "libpython3.11.so.1.0");
	assert_true(f->finalize_offset != 0);
	/* the writable segment sits at a different file offset than its address */
	const struct sdt_note *e = sdt_find(f, "python", "function__entry");
	assert_true(e->semaphore != e->semaphore_offset);
	assert_true(e->pc == e->pc_offset);
	sdt_file_free(f);
}

static void test_fixture(void **state)
{
	(void)state;
	if (access(fixture, R_OK) != 0)
		SKIP("fixture %s not built (make)", fixture);
	struct sdt_file *f = open_ok(fixture);
	assert_int_equal(f->e_type, ET_DYN);
	check_python_markers(f);
	cross_check(fixture, f);
	assert_int_equal(sdt_count_provider(f, "fixture"), 3);
	/* version from the "python3.10" string in .rodata */
	assert_int_equal(f->py_major, 3);
	assert_int_equal(f->py_minor, 10);

	const struct sdt_note *c = sdt_find(f, "fixture", "consts");
	assert_non_null(c);
	assert_int_equal(c->nargs, 3);
	assert_int_equal(c->argv[0].type, SDT_ARG_CONST);
	assert_int_equal(c->argv[0].value, 42);
	assert_int_equal(c->argv[1].value, -5);
	assert_true(c->argv[2].value == (int64_t)1 << 40);
	assert_int_equal(c->argv[2].size, 8);

	const struct sdt_note *s = sdt_find(f, "fixture", "stack");
	assert_non_null(s);
	assert_int_equal(s->nargs, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(s->argv[i].size, 8);
		assert_true(s->argv[i].is_signed);
	}
	/* the compiler picks the operands (a sanitizer build differs): every
	 * parsed argument prints back as the note wrote it, and the fixture has
	 * at least one memory operand */
	size_t mem = 0;
	for (size_t i = 0; i < f->nnotes; i++) {
		const struct sdt_note *n = &f->notes[i];
		char joined[256] = "";
		for (int a = 0; a < n->nargs; a++) {
			char one[64];
			sdt_arg_format(&n->argv[a], one, sizeof(one));
			if (a)
				strcat(joined, " ");
			strcat(joined, one);
			mem += n->argv[a].type == SDT_ARG_MEM;
		}
		if (n->nargs >= 0)
			assert_string_equal(joined, n->args);
	}
	assert_true(mem >= 1);
	/* a rip-relative global is reported, not guessed */
	const struct sdt_note *g = sdt_find(f, "fixture", "global");
	assert_non_null(g);
	assert_int_equal(g->nargs, -1);
	assert_non_null(g->args_error);
	assert_non_null(strstr(g->args_error, "fixture_global_value"));
	assert_null(sdt_find(f, "python", "nope"));
	sdt_file_free(f);
}

/* A python built without --with-dtrace, EXE with its libpython LIB: no
 * markers; version MAJ.MIN from DT_NEEDED (exe) or DT_SONAME (lib). */
static void check_nomarker(const char *exe, const char *lib, int maj, int min)
{
	struct sdt_file *f = open_ok(exe);
	assert_int_equal(sdt_count_provider(f, "python"), 0);
	cross_check(exe, f);
	assert_int_equal(f->py_major, maj);
	assert_int_equal(f->py_minor, min);
	assert_non_null(f->runpath);
	sdt_file_free(f);
	if (!lib)
		return;
	f = open_ok(lib);
	assert_int_equal(sdt_count_provider(f, "python"), 0);
	assert_int_equal(f->py_major, maj);
	assert_int_equal(f->py_minor, min);
	if (maj == 3)   /* Py_FinalizeEx exists since 3.6 */
		assert_true(f->finalize_offset != 0);
	sdt_file_free(f);
}

/* Pythons without markers: the fixture tests/fixtures/nomarker/ (a
 * python3.12 linked to a stand-in libpython3.12), and pyenv's builds when
 * $PYENV_ROOT names a pyenv. */
static void test_nomarker(void **state)
{
	(void)state;
	const char *fx = getenv("FIXTURES"), *root = getenv("PYENV_ROOT");
	char exe[PATH_MAX], lib[PATH_MAX];
	glob_t g;
	size_t checked = 0;

	snprintf(exe, sizeof(exe), "%s/nomarker/python3.12", fx ? fx : "build/fixtures");
	snprintf(lib, sizeof(lib), "%s/nomarker/libpython3.12.so.1.0", fx ? fx : "build/fixtures");
	if (access(exe, X_OK) == 0) {
		check_nomarker(exe, lib, 3, 12);
		checked++;
	}
	char pattern[PATH_MAX];
	snprintf(pattern, sizeof(pattern), "%s/versions/*/bin/python[0-9].*[0-9]", root ? root : "");
	if (root && *root && glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *path = g.gl_pathv[i];
			int maj, min;
			const char *v = strstr(path, "/versions/");
			if (!v || sscanf(v, "/versions/%d.%d", &maj, &min) != 2)
				continue;
			char lpattern[PATH_MAX + 64];
			glob_t lg;
			snprintf(lpattern, sizeof(lpattern), "%.*s/lib/libpython%d.%d*.so.1.0",
				 (int)(v - path) + (int)strcspn(v + 10, "/") + 10, path, maj, min);
			bool have_lib = glob(lpattern, 0, NULL, &lg) == 0;
			check_nomarker(path, have_lib ? lg.gl_pathv[0] : NULL, maj, min);
			if (have_lib)
				globfree(&lg);
			checked++;
		}
		globfree(&g);
	}
	if (!checked)
		SKIP("no python without markers: %s not built, and no pyenv in $PYENV_ROOT", exe);
}

static void test_not_python(void **state)
{
	(void)state;
	struct sdt_file *f = open_ok("/bin/sh");
	assert_int_equal(f->nnotes, 0);
	assert_int_equal(f->py_major, -1);
	assert_int_equal(f->finalize_offset, 0);
	sdt_file_free(f);
}

/* ---- bad input ---- */

static char *tmp_path(const char *name)
{
	static char buf[4][256];
	static int k;
	char *p = buf[k++ % 4];
	snprintf(p, 256, "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc(*len);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

/* Section header of the named section in an ELF image in memory. */
static Elf64_Shdr *find_shdr(unsigned char *img, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + eh->e_shoff);
	const char *strtab = (const char *)img + sh[eh->e_shstrndx].sh_offset;
	for (int i = 0; i < eh->e_shnum; i++)
		if (strcmp(strtab + sh[i].sh_name, name) == 0)
			return &sh[i];
	fail_msg("no section %s", name);
	return NULL;
}

static void test_errors(void **state)
{
	(void)state;
	open_fails("/nonexistent/python3", "no such file");
	open_fails(tmpdir, "is a directory");
	write_file(tmp_path("script.py"), "#!/usr/bin/python3\nprint(1)\n", 28);
	open_fails(tmp_path("script.py"), "not an ELF file");
	write_file(tmp_path("empty"), "", 0);
	open_fails(tmp_path("empty"), "not an ELF file");
	write_file(tmp_path("magic-only"), "\177ELF", 4);
	open_fails(tmp_path("magic-only"), "truncated or corrupt");

	/* a 32-bit ELF header (i386 executable) */
	unsigned char e32[52] = {0x7f, 'E', 'L', 'F', ELFCLASS32, ELFDATA2LSB, EV_CURRENT};
	e32[16] = ET_EXEC;
	e32[18] = EM_386;
	write_file(tmp_path("elf32"), e32, sizeof(e32));
	open_fails(tmp_path("elf32"), "32-bit");
}

static void test_truncated_and_corrupt(void **state)
{
	(void)state;
	size_t len;
	unsigned char *img;

	if (access(fixture, R_OK) != 0)
		SKIP("fixture %s not built (make)", fixture);
	img = read_all(fixture, &len);

	/* cut: the ELF header only, then half the file */
	write_file(tmp_path("cut64"), img, 64);
	open_fails(tmp_path("cut64"), "truncated or corrupt");
	write_file(tmp_path("cut-half"), img, len / 2);
	open_fails(tmp_path("cut-half"), "truncated or corrupt");

	/* a note whose descsz runs past the section */
	unsigned char *bad = malloc(len);
	memcpy(bad, img, len);
	Elf64_Shdr *notes = find_shdr(bad, ".note.stapsdt");
	uint32_t huge = 0x100000;
	memcpy(bad + notes->sh_offset + 4, &huge, 4);
	write_file(tmp_path("bad-descsz"), bad, len);
	open_fails(tmp_path("bad-descsz"), ".note.stapsdt");

	/* a note cut in the middle of its header: section size not a whole note */
	memcpy(bad, img, len);
	notes = find_shdr(bad, ".note.stapsdt");
	notes->sh_size = 6;
	write_file(tmp_path("bad-notesize"), bad, len);
	open_fails(tmp_path("bad-notesize"), ".note.stapsdt");

	/* strings without their NUL */
	memcpy(bad, img, len);
	notes = find_shdr(bad, ".note.stapsdt");
	{
		uint32_t namesz, descsz;
		memcpy(&namesz, bad + notes->sh_offset, 4);
		memcpy(&descsz, bad + notes->sh_offset + 4, 4);
		size_t desc = notes->sh_offset + 12 + ((namesz + 3) & ~3u);
		memset(bad + desc + 24, 'x', descsz - 24);
	}
	write_file(tmp_path("bad-strings"), bad, len);
	open_fails(tmp_path("bad-strings"), "unterminated");

	/* a probe address outside every executable segment */
	memcpy(bad, img, len);
	notes = find_shdr(bad, ".note.stapsdt");
	{
		uint32_t namesz;
		memcpy(&namesz, bad + notes->sh_offset, 4);
		size_t desc = notes->sh_offset + 12 + ((namesz + 3) & ~3u);
		uint64_t pc = 0x7fff0000;
		memcpy(bad + desc, &pc, 8);
	}
	write_file(tmp_path("bad-pc"), bad, len);
	open_fails(tmp_path("bad-pc"), "outside the executable segments");

	/* section headers past the end of the file */
	memcpy(bad, img, len);
	((Elf64_Ehdr *)bad)->e_shoff = len + 4096;
	write_file(tmp_path("bad-shoff"), bad, len);
	open_fails(tmp_path("bad-shoff"), "truncated or corrupt");

	free(bad);
	free(img);
}

/* .stapsdt.base moved (as prelink would): pc and semaphore follow by the
 * delta.  -0x10 keeps the fixture's probes and semaphores inside their
 * segments. */
static void test_base_adjustment(void **state)
{
	(void)state;
	size_t len;
	unsigned char *img;

	if (access(fixture, R_OK) != 0)
		SKIP("fixture %s not built (make)", fixture);
	img = read_all(fixture, &len);
	struct sdt_file *orig = open_ok(fixture);
	Elf64_Shdr *base = find_shdr(img, ".stapsdt.base");
	base->sh_addr -= 0x10;
	write_file(tmp_path("moved"), img, len);
	struct sdt_file *moved = open_ok(tmp_path("moved"));
	cross_check(tmp_path("moved"), moved);   /* readelf-based expectation applies the delta */
	assert_int_equal(moved->nnotes, orig->nnotes);
	for (size_t i = 0; i < orig->nnotes; i++) {
		assert_true(moved->notes[i].pc == orig->notes[i].pc - 0x10);
		assert_true(moved->notes[i].pc_offset == orig->notes[i].pc_offset - 0x10);
		assert_true(moved->notes[i].semaphore == orig->notes[i].semaphore - 0x10);
		assert_true(moved->notes[i].base == orig->notes[i].base);
	}
	sdt_file_free(orig);
	sdt_file_free(moved);
	free(img);
}

static int setup(void **state)
{
	(void)state;
	const char *fx = getenv("FIXTURES");
	snprintf(fixture, sizeof(fixture), "%s/sdt_notes", fx ? fx : "build/fixtures");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pytrace-test-sdt.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python311),
		cmocka_unit_test(test_libpython311),
		cmocka_unit_test(test_fixture),
		cmocka_unit_test(test_nomarker),
		cmocka_unit_test(test_not_python),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_truncated_and_corrupt),
		cmocka_unit_test(test_base_adjustment),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
