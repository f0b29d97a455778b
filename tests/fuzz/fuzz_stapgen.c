/* Fuzz the stap script generator: any string given as a path (executable,
 * library) or as a --pid/--tid value must either be refused with a one-line
 * error or end up in the script as a literal that reads back exactly; the
 * code around the literals must be the same as for a plain path.
 *
 * Input: 4 bytes of switches, then NUL-separated strings: the executable,
 * the library, then --pid/--tid values (byte 3 says which list each joins;
 * only what parse_id accepts becomes a number in the plan).
 * The same plan is generated again with clean paths and ids "1"; the two
 * scripts must agree once literals are set aside (their values compared
 * one by one, the clean paths mapped to the fuzzed ones) and digit runs
 * are folded (ids are numbers in the code).  The tapset for the same
 * target is checked the same way, and stap_literal() on the first string
 * must read back exactly or refuse a newline. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "plan.h"
#include "stapgen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CLEAN_EXE "/clean/bin/python3.11"
#define CLEAN_LIB "/clean/lib/libpython3.11.so.1.0"
#define MAX_IDS 8

struct lexed {
	char *skeleton;     /* the text with each literal as "" and digit runs as 0 */
	char **lits;        /* literal values: \" and \\ read back, other escapes kept */
	size_t n;
};

static void lexed_free(struct lexed *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->lits[i]);
	free(l->lits);
	free(l->skeleton);
}

/* Split a script as stap's lexer would: comments (# // and slash-star)
 * are code, a literal ends at the first unescaped quote and may not hold a
 * newline.  Aborts on a script stap could not lex. */
static void lex(const char *s, struct lexed *out)
{
	size_t len = strlen(s), k = 0;
	char *sk = malloc(len + 1);

	out->lits = malloc((len / 2 + 1) * sizeof(*out->lits));
	out->n = 0;
	for (size_t i = 0; i < len;) {
		if (s[i] == '#' || (s[i] == '/' && s[i + 1] == '/')) {
			while (i < len && s[i] != '\n')
				sk[k++] = s[i++];
		} else if (s[i] == '/' && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");
			if (!e)
				abort();   /* an unclosed comment */
			while (s + i < e + 2)
				sk[k++] = s[i++];
		} else if (s[i] == '"') {
			char *v = malloc(len + 1), *o = v;
			for (i++; i < len && s[i] != '"'; i++) {
				if (s[i] == '\n')
					abort();   /* a newline inside a literal */
				if (s[i] == '\\') {
					if (++i >= len)
						abort();
					if (s[i] != '"' && s[i] != '\\')
						*o++ = '\\';
				}
				*o++ = s[i];
			}
			if (i >= len)
				abort();   /* an unterminated literal */
			i++;
			*o = '\0';
			out->lits[out->n++] = v;
			sk[k++] = '"';
			sk[k++] = '"';
		} else if (s[i] >= '0' && s[i] <= '9') {
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
			sk[k++] = '0';
		} else {
			sk[k++] = s[i++];
		}
	}
	sk[k] = '\0';
	out->skeleton = sk;
}

/* fuzzed and clean are the same script but for the paths: compare. */
static void same_but_paths(const char *fuzzed, const char *clean, const char *exe,
			   const char *lib)
{
	struct lexed a, b;

	lex(fuzzed, &a);
	lex(clean, &b);
	if (strcmp(a.skeleton, b.skeleton) != 0 || a.n != b.n)
		abort();   /* a string changed the code */
	for (size_t i = 0; i < a.n; i++) {
		const char *want = b.lits[i];
		if (strcmp(want, CLEAN_EXE) == 0 && exe)
			want = exe;
		else if (strcmp(want, CLEAN_LIB) == 0 && lib)
			want = lib;
		if (strcmp(a.lits[i], want) != 0)
			abort();   /* a literal did not read back */
	}
	lexed_free(&a);
	lexed_free(&b);
}

static void one_line_error(const char *err)
{
	if (!err[0] || strchr(err, '\n'))
		abort();
}

static void check_literal(const char *s)
{
	char err[256] = "";
	char *lit = stap_literal(s, err, sizeof(err));
	struct lexed l;

	if (!lit) {
		if (!strchr(s, '\n'))
			abort();
		one_line_error(err);
		return;
	}
	lex(lit, &l);
	if (l.n != 1 || strcmp(l.skeleton, "\"\"") != 0 || strcmp(l.lits[0], s) != 0)
		abort();
	lexed_free(&l);
	free(lit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *strs[2 + MAX_IDS] = { NULL };
	struct trace_plan p, pc;
	struct stapgen_opts so;
	char *buf, *script, *clean, err[512] = "", cerr[512] = "";
	size_t nstr = 0;
	uint8_t flags, which;

	if (size < 4)
		return 0;
	flags = data[2];
	which = data[3];
	buf = malloc(size - 4 + 1);
	memcpy(buf, data + 4, size - 4);
	buf[size - 4] = '\0';
	for (char *s = buf; nstr < 2 + MAX_IDS; s += strlen(s) + 1) {
		strs[nstr++] = s;
		if (s + strlen(s) >= buf + size - 4)
			break;
	}

	check_literal(strs[0]);

	memset(&p, 0, sizeof(p));
	/* ids reach the plan as numbers: what parse_id (the CLI's) refuses
	 * never gets there */
	for (size_t i = 2; i < nstr; i++) {
		int32_t id;
		if (parse_id(strs[i], &id) == 0)
			id_list_add(which & (1u << (i - 2)) ? &p.tids : &p.pids, id);
	}
	p.markers = (unsigned)data[0] | (unsigned)(data[1] & 3) << 8;
	p.have_target = flags & 1;
	p.entry_fix = flags & 2;
	p.follow = flags & 4;
	p.target.in_library = flags & 8;
	p.target.exe = (char *)strs[0];
	if (p.target.in_library) {
		p.target.marker_file = (char *)(nstr > 1 ? strs[1] : "");
		p.target.library_name = p.target.marker_file;
		if (flags & 32)
			p.target.exe = NULL;
	} else {
		p.target.marker_file = (char *)strs[0];
	}
	p.target.py_major = flags & 64 ? 3 : -1;
	p.target.py_minor = which;
	p.target.health = (enum marker_health)(data[1] >> 2) % (HEALTH_NO_MARKERS + 1);
	p.command = flags & 128 ? "python3 app.py" : NULL;
	p.pid = (which & 0x80) ? 4242 : 0;
	so.lib_form = flags & 16 ? STAPGEN_LIB_DIRECT : STAPGEN_LIB_VIA_EXE;

	/* the same plan with clean paths and ids */
	pc = p;
	memset(&pc.pids, 0, sizeof(pc.pids));
	memset(&pc.tids, 0, sizeof(pc.tids));
	for (size_t i = 0; i < p.pids.n; i++)
		id_list_add(&pc.pids, 1);
	for (size_t i = 0; i < p.tids.n; i++)
		id_list_add(&pc.tids, 1);
	pc.command = p.command ? "python3 other.py" : NULL;
	if (p.target.exe)
		pc.target.exe = (char *)CLEAN_EXE;
	pc.target.marker_file = (char *)(p.target.in_library ? CLEAN_LIB : CLEAN_EXE);
	pc.target.library_name = pc.target.marker_file;

	script = stapgen_script(&p, &so, err, sizeof(err));
	if (!script) {
		one_line_error(err);
	} else {
		clean = stapgen_script(&pc, &so, cerr, sizeof(cerr));
		if (!clean)
			abort();   /* refused the clean plan, accepted the fuzzed one */
		same_but_paths(script, clean, p.target.exe,
			       p.target.in_library ? p.target.marker_file : NULL);
		free(clean);
		free(script);
	}

	script = stapgen_tapset(&p.target, err, sizeof(err));
	if (!script) {
		one_line_error(err);
	} else {
		clean = stapgen_tapset(&pc.target, cerr, sizeof(cerr));
		if (!clean)
			abort();
		same_but_paths(script, clean, p.target.exe,
			       p.target.in_library ? p.target.marker_file : NULL);
		free(clean);
		free(script);
	}

	free(p.pids.v);
	free(p.tids.v);
	free(pc.pids.v);
	free(pc.tids.v);
	free(buf);
	return 0;
}
