/* The stap script generator: golden scripts for each variant, hostile
 * strings that must stay literals (parsed back and compared), and the
 * agreement between the scripts' printf format and the raw parser. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "event.h"
#include "markers.h"
#include "options.h"
#include "plan.h"
#include "raw.h"
#include "stapgen.h"
#include "xmalloc.h"

#define GOLDEN_DIR "tests/golden/stapgen"
#define EXE "/usr/bin/python3.11"
#define LIB "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0"

/* --- plans built by hand: no ELF is read (sdt == NULL skips the marker
 * checks), so the scripts depend on nothing but the plan --- */

static void plan_exe(struct trace_plan *p, const char *exe, unsigned markers)
{
	memset(p, 0, sizeof(*p));
	p->have_target = true;
	p->markers = markers;
	p->target.exe = (char *)exe;
	p->target.marker_file = (char *)exe;
	p->target.py_major = 3;
	p->target.py_minor = 11;
	p->target.health = HEALTH_ENTRY_NEEDS_LINE;
	p->follow = true;
}

static void plan_lib(struct trace_plan *p, unsigned markers)
{
	plan_exe(p, "/usr/bin/embedding-app", markers);
	p->target.marker_file = (char *)LIB;
	p->target.in_library = true;
	p->target.library_name = (char *)"libpython3.11.so.1.0";
}

static char *gen(const struct trace_plan *p, enum stapgen_lib_form form)
{
	struct stapgen_opts o = { .lib_form = form };
	char err[512] = "";
	char *s = stapgen_script(p, &o, err, sizeof(err));
	if (!s)
		fail_msg("stapgen_script failed: %s", err);
	return s;
}

/* The version is in the first line; goldens hold "VERSION" instead. */
static char *normalize(const char *s)
{
	const char *v = strstr(s, PYTRACE_VERSION);
	if (!v)
		return xstrdup(s);
	return xasprintf("%.*sVERSION%s", (int)(v - s), s, v + strlen(PYTRACE_VERSION));
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	if (!f)
		return NULL;
	FILE *m = open_memstream(&buf, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

/* Compare with tests/golden/stapgen/NAME.stp; UPDATE_GOLDEN=1 rewrites it. */
static void golden(const char *name, const char *script)
{
	char *path = xasprintf(GOLDEN_DIR "/%s.stp", name);
	char *want, *got = normalize(script);

	if (getenv("UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	}
	want = slurp(path);
	if (!want)
		fail_msg("missing golden file %s (UPDATE_GOLDEN=1 writes it)", path);
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "--- %s\n%s\n--- generated\n%s\n", path, want, got);
		fail_msg("%s differs from the generated script", path);
	}
	free(want);
	free(got);
	free(path);
}

/* --- a small stap lexer: enough to find literals, comments, identifiers --- */

struct lit {
	char *text;       /* un-escaped value (path-literal rules: \" and \\ only) */
	size_t at;        /* offset of the opening quote */
	size_t end;       /* offset after the closing quote */
};

/* Parse the literal starting at s[i] == '"'. Returns its value. */
static char *parse_literal(const char *s, size_t i, size_t *end)
{
	char *out = xmalloc(strlen(s + i) + 1), *o = out;
	assert_int_equal(s[i], '"');
	for (i++; s[i] && s[i] != '"'; i++) {
		if (s[i] == '\n')
			fail_msg("newline inside a stap literal");
		if (s[i] == '\\') {
			i++;
			assert_true(s[i] != '\0');
			if (s[i] == 'n')
				*o++ = '\n';
			else
				*o++ = s[i];
			continue;
		}
		*o++ = s[i];
	}
	assert_int_equal(s[i], '"');
	*o = '\0';
	*end = i + 1;
	return out;
}

/* Every identifier outside comments and literals, space-separated. */
static char *code_identifiers(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	for (size_t i = 0; s[i];) {
		if (s[i] == '#' || (s[i] == '/' && s[i + 1] == '/')) {
			while (s[i] && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");
			assert_non_null(e);
			i = (size_t)(e - s) + 2;
		} else if (s[i] == '"') {
			size_t end;
			free(parse_literal(s, i, &end));
			i = end;
		} else if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_') {
			size_t j = i;
			while ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
			       (s[j] >= '0' && s[j] <= '9') || s[j] == '_')
				j++;
			fprintf(m, " %.*s", (int)(j - i), s + i);
			i = j;
		} else {
			i++;
		}
	}
	fputc(' ', m);
	fclose(m);
	return buf;
}

/* The literals that follow `process(` and `.library(` in order. */
static size_t probe_paths(const char *s, char **out, size_t max)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, "process(\"")) || 0;) {
		size_t end;
		char *v = parse_literal(s, (size_t)(p - s) + 8, &end);
		assert_int_equal(s[end], ')');
		if (n < max)
			out[n++] = v;
		else
			free(v);
		if (strncmp(s + end, ").library(\"", 11) == 0) {
			char *l = parse_literal(s, end + 10, &end);
			assert_int_equal(s[end], ')');
			if (n < max)
				out[n++] = l;
			else
				free(l);
		}
		p = s + end;
	}
	return n;
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* --- golden scripts, one per variant --- */

static void test_golden_exe_command(void **state)
{
	(void)state;
	struct trace_plan p;
	plan_exe(&p, EXE, MARKS_CALLS);
	p.command = "python3 app.py";
	char *s = gen(&p, STAPGEN_LIB_VIA_EXE);
	golden("exe_calls_command", s);
	assert_true(strstr(s, "target_set_pid(pid())") != NULL);
	assert_null(strstr(s, "mark(\"line\")"));
	free(s);
}

static void test_golden_exe_command_nofollow(void **state)
{
	(void)state;
	struct trace_plan p;
	plan_exe(&p, EXE, MARKS_CALLS);
	p.command = "python3 app.py";
	p.follow = false;
	char *s = gen(&p, STAPGEN_LIB_VIA_EXE);
	golden("exe_calls_command_nofollow", s);
	assert_true(strstr(s, "pytrace_first = pid()") != NULL);
	free(s);
}

static void test_golden_exe_pid(void **state)
{
	(void)state;
	struct trace_plan p;
	plan_exe(&p, EXE, MARKS_CALLS);
	p.pid = 4242;
	char *s = gen(&p, STAPGEN_LIB_VIA_EXE);
	golden("exe_calls_pid", s);
	assert_true(strstr(s, "if (pid() != target())") != NULL);
	assert_true(strstr(s, "probe process.end") != NULL);
	assert_null(strstr(s, "target_set_pid"));
	/* the pid itself is stap's -x argument, not script text */
	assert_null(strstr(s, "4242"));
	free(s);
}

static void test_golden_entry_fix(void **state)
{
	(void)state;
	struct trace_plan p;
	plan_exe(&p, EXE, MARKS_CALLS);
	p.command = "python3 app.py";
	p.entry_fix = true;
	char *s = gen(&p, STAPGEN_LIB_VIA_EXE);
	golden("exe_calls_command_entry_fix", s);
	/* one line probe whose body is a bare `next`: not empty, so stap keeps it */
	assert_int_equal(count(s, ".mark(\"line\")"), 1);
	assert_true(strstr(s, ".mark(\"line\") {\n\tnext\n}") != NULL);
	free(s);

	/* lines asked for: the line probe prints them, no second probe */
	plan_exe(&p, EXE, MARKS_CALLS | MARKS_LINES);
	p.command = "python3 app.py";
	p.entry_fix = true;
	s = gen(&p, STAPGEN_LIB_VIA_EXE);
	assert_int_equal(count(s, ".mark(\"line\")"), 1);
	assert_null(strstr(s, "{\n\tnext\n}"));
	free(s);
}

static void test_golden_all_markers_free(void **state)
{
	(void)state;
	struct trace_plan p;
	plan_exe(&p, EXE, MARKS_ALL);
	char *s = gen(&p, STAPGEN_LIB_VIA_EXE);
	golden("exe_all_untargeted", s);
	assert_true(strstr(s, "if (target() && !target_set_pid(pid()))") != NULL);
	free(s);
}

static void test_golden_library(void **state)
{
	(void)state;
	struct trace_plan p;
	plan_lib(&p, MARKS_CALLS);
	p.pid = 7;
	char *s = gen(&p, STAPGEN_LIB_VIA_EXE);
	golden("lib_via_exe_pid", s);
	assert_true(strstr(s, "process(\"/usr/bin/embedding-app\").library(\"" LIB "\").mark(") != NULL);
	free(s);

	plan_lib(&p, MARKS_CALLS);
	p.command = "embedding-app";
	p.entry_fix = true;
	s = gen(&p, STAPGEN_LIB_DIRECT);
	golden("lib_direct_command_entry_fix", s);
	assert_true(strstr(s, "probe process(\"" LIB "\").mark(\"function__entry\")") != NULL);
	assert_null(strstr(s, ".library("));
	free(s);
}

static void test_golden_pid_tid_filters(void **state)
{
	(void)state;
	struct trace_plan p;
	plan_exe(&p, EXE, MARKS_GC | MARKS_IMPORTS | MARKS_AUDIT);
	p.command = "python3 app.py";
	id_list_add(&p.pids, 123);
	id_list_add(&p.pids, 456);
	id_list_add(&p.tids, 789);
	char *s = gen(&p, STAPGEN_LIB_VIA_EXE);
	golden("exe_gc_imports_audit_filters", s);
	assert_true(strstr(s, "\tpytrace_pids[123] = 1\n\tpytrace_pids[456] = 1\n") != NULL);
	assert_true(strstr(s, "\tpytrace_tids[789] = 1\n") != NULL);
	assert_true(strstr(s, "if (!(tid() in pytrace_tids))") != NULL);
	free(s);
	free(p.pids.v);
	free(p.tids.v);
}

/* Each marker alone: exactly one probe, on that marker, printing its kind. */
static void test_each_marker_alone(void **state)
{
	(void)state;
	for (int k = 0; k < EV__COUNT; k++) {
		const char *note = marker_note_name(k);
		if (!note)
			continue;
		struct trace_plan p;
		plan_exe(&p, EXE, MARK(k));
		p.pid = 1;
		char *s = gen(&p, STAPGEN_LIB_VIA_EXE);
		char *want = xasprintf(".mark(\"%s\")", note);
		char *kind = xasprintf("pytrace_emit(\"%s\", ", ev_kind_name(k));
		assert_int_equal(count(s, ".mark(\""), 1);
		assert_int_equal(count(s, want), 1);
		assert_int_equal(count(s, kind), 1);
		free(want);
		free(kind);
		free(s);
	}
}

/* --- hostile strings --- */

static const char *const hostile_paths[] = {
	"/opt/q\"uote/python3.11",
	"/opt/back\\slash/python3.11",
	"/opt/trailing-backslash\\",
	"/opt/x\"); system(\"id\"); printf(\"/python3.11",
	"/opt/pct%d %s %n/python3.11",
	"/opt/dollar$1 @1 $$name/python3.11",
	"/opt/\xc3\xbcn\xc3\xaf \xf0\x9f\x90\x8d/python3.11",
	"/opt/tab\there\rcr\x01/python3.11",
	"/opt/comment # // %{ embedded C %} %( 1 %: y %) @1 $1/python3.11",
	"/opt/'single'/python3.11",
	"/opt/\"\"\"/\\\\\\\"/python3.11",
};

static void test_hostile_paths_round_trip(void **state)
{
	(void)state;
	const char *ids_clean;
	struct trace_plan p;

	plan_exe(&p, EXE, MARKS_ALL & ~MARKS_LINES);
	p.command = "python3 app.py";
	p.entry_fix = true;
	char *clean = gen(&p, STAPGEN_LIB_VIA_EXE);
	char *clean_ids = code_identifiers(clean);
	ids_clean = clean_ids;

	for (size_t i = 0; i < sizeof(hostile_paths) / sizeof(hostile_paths[0]); i++) {
		const char *path = hostile_paths[i];
		char *paths[32];

		/* as the executable */
		plan_exe(&p, path, MARKS_ALL & ~MARKS_LINES);
		p.command = "python3 app.py";
		p.entry_fix = true;
		char *s = gen(&p, STAPGEN_LIB_VIA_EXE);
		size_t n = probe_paths(s, paths, 32);
		assert_int_equal(n, 8);   /* 7 markers + the 3.11 line probe */
		for (size_t j = 0; j < n; j++) {
			assert_string_equal(paths[j], path);
			free(paths[j]);
		}
		/* the code around the literals is the same as for a clean path */
		char *ids = code_identifiers(s);
		assert_string_equal(ids, ids_clean);
		assert_null(strstr(ids, " system "));
		free(ids);
		free(s);

		/* as the library, and as the executable in front of it */
		plan_lib(&p, MARKS_CALLS);
		p.target.exe = (char *)path;
		p.target.marker_file = (char *)path;
		p.pid = 9;
		s = gen(&p, STAPGEN_LIB_VIA_EXE);
		n = probe_paths(s, paths, 32);
		assert_int_equal(n, 4);
		for (size_t j = 0; j < n; j++) {
			assert_string_equal(paths[j], path);
			free(paths[j]);
		}
		free(s);
	}
	free(clean);
	free(clean_ids);
}

static void test_literal_quoting(void **state)
{
	(void)state;
	char err[256];
	struct {
		const char *in, *out;
	} cases[] = {
		{ "", "\"\"" },
		{ "plain", "\"plain\"" },
		{ "a\"b", "\"a\\\"b\"" },
		{ "a\\b", "\"a\\\\b\"" },
		{ "\\\"", "\"\\\\\\\"\"" },
		{ "%s\t\xc3\xa9", "\"%s\t\xc3\xa9\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *l = stap_literal(cases[i].in, err, sizeof(err));
		assert_non_null(l);
		assert_string_equal(l, cases[i].out);
		size_t end;
		char *back = parse_literal(l, 0, &end);
		assert_string_equal(back, cases[i].in);
		assert_int_equal(end, strlen(l));
		free(back);
		free(l);
	}
	assert_null(stap_literal("a\nb", err, sizeof(err)));
	assert_non_null(strstr(err, "newline"));
}

static void test_unrepresentable_paths_refused(void **state)
{
	(void)state;
	const char *bad[] = { "/opt/new\nline/python3", "/opt/st*r/python3", "/opt/q?/python3",
			      "/opt/br[k/python3" };
	char err[512];
	struct trace_plan p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		plan_exe(&p, bad[i], MARKS_CALLS);
		p.pid = 1;
		err[0] = '\0';
		assert_null(stapgen_script(&p, NULL, err, sizeof(err)));
		assert_non_null(strstr(err, "stap cannot probe"));
		assert_non_null(strstr(err, "--engine bpf"));
		assert_null(strchr(err, '\n'));
		plan_lib(&p, MARKS_CALLS);
		p.target.marker_file = (char *)bad[i];
		p.pid = 1;
		assert_null(stapgen_script(&p, NULL, err, sizeof(err)));
		/* the tapset refuses the same paths */
		assert_null(stapgen_tapset(&p.target, err, sizeof(err)));
	}
}

/* Globs are filtered by the pipeline: they never reach the script.  The
 * plan has no place for them; build it from options that carry hostile
 * globs, as a trace does, and compare with the plan without them. */
static void test_globs_stay_out_of_the_script(void **state)
{
	(void)state;
	const char *glob = "x\"); system(\"id\"); printf(\"";
	struct options o;
	struct trace_plan p;
	char err[512];

	if (access(EXE, R_OK) != 0) {
		printf("# SKIP %s is not installed\n", EXE);
		skip();
	}
	memset(&o, 0, sizeof(o));
	o.python = EXE;
	o.command_line = "python3 app.py";
	o.markers = MARKS_CALLS;
	o.follow = true;
	o.filter.max_depth = -1;
	assert_int_equal(plan_build(&o, &p, err, sizeof(err)), 0);
	char *plain = gen(&p, STAPGEN_LIB_VIA_EXE);
	plan_free(&p);
	str_list_add(&o.filter.functions, glob);
	str_list_add(&o.filter.include, glob);
	str_list_add(&o.filter.exclude, "*\\\n%s");
	assert_int_equal(plan_build(&o, &p, err, sizeof(err)), 0);
	char *with = gen(&p, STAPGEN_LIB_VIA_EXE);
	plan_free(&p);
	assert_string_equal(plain, with);
	assert_null(strstr(with, "system"));
	free(plain);
	free(with);
	filter_spec_free(&o.filter);
}

static void test_bad_ids_refused(void **state)
{
	(void)state;
	const char *bad[] = { "12; exit()", "-1", "0", "1e3", "", "99999999999" };
	const int32_t bad_ids[] = { -1, 0, INT32_MIN };
	char err[256];
	struct trace_plan p;
	int32_t id;

	/* --pid/--tid text becomes a number once (parse_id, the CLI's), and
	 * these are refused there */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_id(bad[i], &id), -1);
	/* a number that is no process id is refused by the generator too */
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		plan_exe(&p, EXE, MARKS_CALLS);
		p.pid = 1;
		id_list_add(i % 2 ? &p.tids : &p.pids, bad_ids[i]);
		assert_null(stapgen_script(&p, NULL, err, sizeof(err)));
		free(p.pids.v);
		free(p.tids.v);
	}
}

static void test_no_target(void **state)
{
	(void)state;
	char err[512];
	struct trace_plan p;

	plan_exe(&p, EXE, MARKS_CALLS);
	p.have_target = false;
	p.command = "./run.sh";
	snprintf(p.guess_error, sizeof(p.guess_error), "./run.sh chooses its python at run time");
	assert_null(stapgen_script(&p, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "--python"));
	assert_non_null(strstr(err, "chooses its python"));
}

/* --- the printf format and the raw parser agree --- */

/* SystemTap's string_quoted(), as the runtime writes it (stp_string.c):
 * printable ASCII as is, short escapes, valid UTF-8 as \uXXXX/\UXXXXXXXX
 * (upper-case hex), anything else as a 3-digit octal escape. */
static char *stap_string_quoted(const char *s, size_t n)
{
	char *out = xmalloc(10 * n + 3), *o = out;
	const unsigned char *u = (const unsigned char *)s;
	*o++ = '"';
	for (size_t i = 0; i < n;) {
		unsigned c = u[i];
		int len = 1;
		uint32_t cp = c;
		if ((c & 0xE0) == 0xC0 && n - i >= 2)
			len = 2, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0 && n - i >= 3)
			len = 3, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0 && n - i >= 4)
			len = 4, cp = c & 0x07;
		if (len > 1) {
			bool ok = true;
			for (int k = 1; k < len; k++) {
				if ((u[i + k] & 0xC0) != 0x80)
					ok = false;
				cp = (cp << 6) | (u[i + k] & 0x3F);
			}
			if (!ok || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || cp < 0x80 ||
			    (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
				len = 1, cp = c;
		}
		i += (size_t)len;
		if (len > 1) {
			o += sprintf(o, cp <= 0xFFFF ? "\\u%04X" : "\\U%08X", cp);
			continue;
		}
		const char *esc = strchr("\a\b\f\n\r\t\v\"\\", (int)c);
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			*o++ = (char)c;
		else if (c && esc)
			o += sprintf(o, "\\%c", "abfnrtv\"\\"[esc - "\a\b\f\n\r\t\v\"\\"]);
		else
			o += sprintf(o, "\\%03o", c);
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* A tiny printf as stap's: %s takes a string, %d a 64-bit number. */
struct arg {
	const char *s;
	int64_t d;
};

static char *render(const char *fmt, const struct arg *args, size_t nargs)
{
	char *buf = NULL;
	size_t len = 0, a = 0;
	FILE *m = open_memstream(&buf, &len);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			fputc(*p, m);
			continue;
		}
		p++;
		assert_true(a < nargs);
		if (*p == 's')
			fputs(args[a++].s, m);
		else if (*p == 'd')
			fprintf(m, "%lld", (long long)args[a++].d);
		else
			fail_msg("unexpected conversion %%%c in the script's format", *p);
	}
	assert_int_equal(a, nargs);
	fclose(m);
	return buf;
}

/* The format literal of the one event printf in script s (pytrace_emit's):
 * RAW_LINE_FMT with a padding %s before its newline. */
static char *format_of_emit(const char *s)
{
	const char *fn = strstr(s, "function pytrace_emit:long(");
	assert_non_null(fn);
	const char *pf = strstr(fn, "\tprintf(\"");
	assert_non_null(pf);
	assert_int_equal(count(s, "printf("), 4);   /* pytrace_emit's, the header's, the end count's (and its sprintf) */
	size_t end;
	return parse_literal(s, (size_t)(pf - s) + 8, &end);
}

static void test_format_matches_parser(void **state)
{
	(void)state;
	struct trace_plan p;
	plan_exe(&p, EXE, MARKS_ALL);
	p.pid = 1;
	char *s = gen(&p, STAPGEN_LIB_VIA_EXE);
	const char *strings[] = {
		"plain", "", "q\"uote \\ back", "new\nline\ttab\r\a\b\f\v", "\x01\x7f\xff\xfe",
		"\xc3\xbc \xe2\x82\xac \xf0\x9f\x90\x8d", "\xed\xa0\x80 surrogate", "%s %d %n",
		"trailing\\",
	};
	char scratch[4096], err[256];

	/* the header, then a comment line padding it: 14 + 10 bytes, plus
	 * stap's 8-byte message header, make 32 */
	assert_true(strstr(s, "probe begin {\n\tprintf(\"%s\\n#        \\n\", \"" RAW_HEADER "\")") != NULL);

	char *fmt = format_of_emit(s);
	char *want_fmt = xasprintf("%.*s%%s\n", (int)strlen(RAW_LINE_FMT) - 1, RAW_LINE_FMT);
	assert_string_equal(fmt, want_fmt);
	free(want_fmt);
	const char *pads[] = { "", " ", "               " };
	for (int k = 0; k <= EV_COMM; k++) {
		for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
			const char *str = strings[i];
			char *q = stap_string_quoted(str, strlen(str));
			struct arg args[] = {
				{ .s = ev_kind_name(k) }, { .d = 123456789012345 }, { .d = 4242 },
				{ .d = 4243 }, { .d = -1 }, { .s = q }, { .s = q }, { .s = pads[i % 3] },
			};
			char *line = render(fmt, args, 8);
			size_t len = strlen(line);
			assert_true(len > 0 && line[len - 1] == '\n');
			struct event ev;
			if (raw_parse_line(line, len - 1, &ev, scratch, sizeof(scratch), err, sizeof(err)) < 0)
				fail_msg("raw_parse_line rejected %s: %s", line, err);
			assert_int_equal(ev.kind, k);
			assert_int_equal(ev.ts, 123456789012345ull);
			assert_int_equal(ev.pid, 4242);
			assert_int_equal(ev.tid, 4243);
			assert_int_equal(ev.num, -1);   /* signed: a line CPython does not know */
			assert_int_equal(ev.func_len, strlen(str));
			assert_memory_equal(ev.func, str, strlen(str));
			assert_int_equal(ev.file_len, strlen(str));
			assert_memory_equal(ev.file, str, strlen(str));
			assert_int_equal(ev.flags, 0);
			free(line);
			free(q);
		}
		/* user_string_quoted() on NULL prints 0x0 */
		struct arg nul[] = {
			{ .s = ev_kind_name(k) }, { .d = 1 }, { .d = 2 }, { .d = 2 }, { .d = 0 },
			{ .s = "0x0" }, { .s = "0x7ffd1234" }, { .s = "   " },
		};
		char *line = render(fmt, nul, 8);
		struct event ev;
		assert_int_equal(raw_parse_line(line, strlen(line) - 1, &ev, scratch, sizeof(scratch),
						err, sizeof(err)), 0);
		assert_true(ev.flags & EVF_FUNC_NULL);
		assert_false(ev.flags & EVF_FILE_NULL);
		free(line);
	}
	free(fmt);
	/* the empty-string argument the script passes for unused fields */
	assert_true(strstr(s, "pytrace_emit(\"gc-start\", $arg1, \"\\\"\\\"\", \"\\\"\\\"\", pytrace_comm())") != NULL);
	/* A bare `return` at the end of a line swallows the next line as its
	 * value in stap (`return pytrace_seen[pid()] = 1`, issue #15). */
	assert_null(strstr(s, "return\n"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_exe_command),
		cmocka_unit_test(test_golden_exe_command_nofollow),
		cmocka_unit_test(test_golden_exe_pid),
		cmocka_unit_test(test_golden_entry_fix),
		cmocka_unit_test(test_golden_all_markers_free),
		cmocka_unit_test(test_golden_library),
		cmocka_unit_test(test_golden_pid_tid_filters),
		cmocka_unit_test(test_each_marker_alone),
		cmocka_unit_test(test_hostile_paths_round_trip),
		cmocka_unit_test(test_literal_quoting),
		cmocka_unit_test(test_unrepresentable_paths_refused),
		cmocka_unit_test(test_globs_stay_out_of_the_script),
		cmocka_unit_test(test_bad_ids_refused),
		cmocka_unit_test(test_no_target),
		cmocka_unit_test(test_format_matches_parser),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
