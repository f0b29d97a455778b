/* `pytrace list [PYTHON | -p PID | -c "CMD"] [--json]`: the interpreter,
 * the file that carries its markers, its version, every marker with its
 * address, file offset, semaphore and arguments, and the caveats. */
#include <dirent.h>
#include <elf.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exitcodes.h"
#include "log.h"
#include "target.h"
#include "xmalloc.h"

static void describe_arg(const struct sdt_arg *a, char *buf, size_t len)
{
	const char *sign = a->is_signed ? "signed" : "unsigned";
	char spec[64], *written;

	sdt_arg_format(a, spec, sizeof(spec));
	written = strchr(spec, '%');   /* the register as the note names it */
	if (written)
		written[strcspn(written, ")")] = '\0';

	switch (a->type) {
	case SDT_ARG_CONST:
		snprintf(buf, len, "%s %d-bit constant %" PRId64, sign, a->size * 8, a->value);
		break;
	case SDT_ARG_REG:
		if (a->reg_width == 8)
			snprintf(buf, len, "%s %d-bit, register %s (DWARF %d)", sign, a->size * 8,
				 a->reg_name, a->reg);
		else
			snprintf(buf, len, "%s %d-bit, register %s = low %d bytes of %s (DWARF %d)",
				 sign, a->size * 8, written ? written + 1 : "?", a->reg_width,
				 a->reg_name, a->reg);
		break;
	case SDT_ARG_MEM:
		snprintf(buf, len, "%s %d-bit, memory at %s%+" PRId64 " (DWARF %d)", sign,
			 a->size * 8, a->reg_name, a->disp, a->reg);
		break;
	}
}

/* The file given is a shared library (a libpython), not an executable. */
static bool listed_library(const struct py_target *t)
{
	return t->in_library || (t->sdt && t->sdt->e_type == ET_DYN && t->sdt->soname);
}

/* A build tree (--enable-shared): warn about every libpython beside the
 * executable that carries markers but is not the one it loads here. */
static void warn_other_libpythons(const struct py_target *t)
{
	char *dir, *slash;
	DIR *d;
	struct dirent *e;

	if (t->pid || !t->exe || (t->marker_file && !t->in_library))
		return;   /* markers in the executable itself: no libpython involved */
	dir = xstrdup(t->exe);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	d = opendir(slash ? dir : ".");
	while (d && (e = readdir(d))) {
		char *path, err[256];
		struct sdt_file *f;

		if (strncmp(e->d_name, "libpython", 9) != 0 || !strstr(e->d_name, ".so"))
			continue;
		path = xasprintf("%s/%s", slash ? dir : ".", e->d_name);
		if (!target_same_file(path, t->marker_file) && sdt_file_open(path, &f, err, sizeof(err)) == 0) {
			if (has_python_markers(f))
				warn_msg("%s beside %s also carries markers, but %s loads %s here; run "
					 "it with LD_LIBRARY_PATH=%s (pytrace -c follows the command's own "
					 "environment)", path, t->exe, t->exe,
					 t->marker_file ? t->marker_file : "a libpython without markers",
					 slash ? dir : ".");
			sdt_file_free(f);
		}
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
}

/* ---- text ---- */

static void print_text(const struct py_target *t, const char *how)
{
	const struct sdt_file *f = t->sdt;
	const char *caveat = marker_line_aborts_caveat(t) ? marker_line_aborts_caveat(t)
							   : marker_health_caveat(t->health);

	printf("interpreter: %s\n", t->exe);
	if (t->pid)
		printf("pid:         %d%s%s\n", (int)t->pid, t->root ? ", root " : "",
		       t->root ? t->root : "");
	if (t->guessed)
		printf("from:        %s (a guess: the engines decide at exec time)\n", how);
	printf("markers in:  %s (%s)\n", t->marker_file,
	       listed_library(t) ? "shared library" : "executable");
	if (t->in_library && !t->pid)
		printf("libpython:   %s (the one ld.so loads for it in this environment: "
		       "LD_LIBRARY_PATH, RUNPATH/RPATH, the cache)\n", t->marker_file);
	else if (!t->in_library && listed_library(t))
		printf("note:        a shared library: trace the python that loads it "
		       "(-c or -p); pytrace list PYTHON tells which libpython it loads\n");
	if (t->py_major >= 0)
		printf("version:     CPython %d.%d\n", t->py_major, t->py_minor);
	else
		printf("version:     unknown\n");
	if (f->finalize_offset)
		printf("Py_FinalizeEx: file offset 0x%" PRIx64 "\n", f->finalize_offset);
	printf("markers:     %zu\n\n", sdt_count_provider(f, PY_PROVIDER));

	printf("%-34s %-12s %-12s %-12s %-12s %s\n", "MARKER", "ADDRESS", "OFFSET", "SEMAPHORE",
	       "SEM.OFFSET", "ARGUMENTS");
	for (size_t i = 0; i < f->nnotes; i++) {
		const struct sdt_note *n = &f->notes[i];
		char pn[160], sem[24] = "-", semoff[24] = "-";

		snprintf(pn, sizeof(pn), "%s:%s", n->provider, n->name);
		if (n->semaphore) {
			snprintf(sem, sizeof(sem), "0x%" PRIx64, n->semaphore);
			snprintf(semoff, sizeof(semoff), "0x%" PRIx64, n->semaphore_offset);
		}
		printf("%-34s 0x%-10" PRIx64 " 0x%-10" PRIx64 " %-12s %-12s %s\n", pn, n->pc,
		       n->pc_offset, sem, semoff, n->args);
		if (n->nargs < 0) {
			printf("    arguments not understood: %s\n", n->args_error);
			continue;
		}
		for (int a = 0; a < n->nargs; a++) {
			char spec[64], desc[160];
			sdt_arg_format(&n->argv[a], spec, sizeof(spec));
			describe_arg(&n->argv[a], desc, sizeof(desc));
			printf("    arg%d  %-16s %s\n", a + 1, spec, desc);
		}
	}
	if (caveat)
		printf("\ncaveats:\n  %s\n", caveat);
}

/* ---- json ---- */

static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		default:
			if (*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);   /* UTF-8 passes through */
		}
	}
	putchar('"');
}

static void json_key(const char *k, bool first)
{
	if (!first)
		putchar(',');
	json_str(k);
	putchar(':');
}

static void json_arg(const struct sdt_arg *a)
{
	static const char *const types[] = {"const", "reg", "mem"};
	char spec[64];

	sdt_arg_format(a, spec, sizeof(spec));
	putchar('{');
	json_key("spec", true);
	json_str(spec);
	json_key("type", false);
	json_str(types[a->type]);
	printf(",\"size\":%d,\"signed\":%s", a->size, a->is_signed ? "true" : "false");
	if (a->type == SDT_ARG_CONST) {
		printf(",\"value\":%" PRId64, a->value);
	} else {
		json_key("register", false);
		json_str(a->reg_name);
		printf(",\"dwarf_reg\":%d,\"reg_width\":%d", a->reg, a->reg_width);
		if (a->type == SDT_ARG_MEM)
			printf(",\"disp\":%" PRId64, a->disp);
	}
	putchar('}');
}

static void print_json(const struct py_target *t, const char *how)
{
	const struct sdt_file *f = t->sdt;
	const char *caveat = marker_line_aborts_caveat(t) ? marker_line_aborts_caveat(t)
							   : marker_health_caveat(t->health);

	putchar('{');
	json_key("interpreter", true);
	json_str(t->exe);
	json_key("marker_file", false);
	json_str(t->marker_file);
	printf(",\"in_library\":%s", t->in_library ? "true" : "false");
	printf(",\"shared_library\":%s", listed_library(t) ? "true" : "false");
	json_key("library_name", false);
	json_str(t->library_name);
	if (t->pid)
		printf(",\"pid\":%d", (int)t->pid);
	else
		printf(",\"pid\":null");
	json_key("root", false);
	json_str(t->root);
	printf(",\"guessed\":%s", t->guessed ? "true" : "false");
	json_key("command", false);
	json_str(t->guessed ? how : NULL);
	if (t->py_major >= 0)
		printf(",\"version\":\"%d.%d\",\"py_major\":%d,\"py_minor\":%d", t->py_major,
		       t->py_minor, t->py_major, t->py_minor);
	else
		printf(",\"version\":null,\"py_major\":null,\"py_minor\":null");
	json_key("health", false);
	json_str(marker_health_name(t->health));
	printf(",\"finalize_offset\":%" PRIu64, f->finalize_offset);
	printf(",\"marker_count\":%zu", sdt_count_provider(f, PY_PROVIDER));
	json_key("markers", false);
	putchar('[');
	for (size_t i = 0; i < f->nnotes; i++) {
		const struct sdt_note *n = &f->notes[i];
		if (i)
			putchar(',');
		putchar('{');
		json_key("provider", true);
		json_str(n->provider);
		json_key("name", false);
		json_str(n->name);
		printf(",\"address\":%" PRIu64 ",\"file_offset\":%" PRIu64 ",\"base\":%" PRIu64
		       ",\"semaphore\":%" PRIu64 ",\"semaphore_offset\":%" PRIu64,
		       n->pc, n->pc_offset, n->base, n->semaphore, n->semaphore_offset);
		json_key("args", false);
		json_str(n->args);
		json_key("arguments", false);
		if (n->nargs < 0) {
			fputs("null", stdout);
		} else {
			putchar('[');
			for (int a = 0; a < n->nargs; a++) {
				if (a)
					putchar(',');
				json_arg(&n->argv[a]);
			}
			putchar(']');
		}
		json_key("args_error", false);
		json_str(n->args_error);
		putchar('}');
	}
	putchar(']');
	printf(",\"assertions\":%s", f->asserts ? "true" : "false");
	json_key("caveats", false);
	putchar('[');
	if (caveat)
		json_str(caveat);
	fputs("]}\n", stdout);
}

/* ---- command ---- */

static int no_markers(const struct py_target *t, enum marker_fit fit, const char *what)
{
	if (fit == FIT_NOT_PYTHON) {
		error_msg("%s is not a python interpreter (no python markers, no libpython)", what);
		hint_msg("give a CPython binary built with --with-dtrace, e.g. /usr/bin/python3.11");
	} else if (t->py_major >= 0) {
		error_msg("%s (CPython %d.%d) has no python markers: built without --with-dtrace",
			  what, t->py_major, t->py_minor);
		hint_msg("use a python built with --with-dtrace, e.g. Debian's /usr/bin/python3.11");
	} else {
		error_msg("%s has no python markers: built without --with-dtrace", what);
		hint_msg("use a python built with --with-dtrace, e.g. Debian's /usr/bin/python3.11");
	}
	return EXIT_NO_MARKERS;
}

int cmd_list(const struct options *o)
{
	struct py_target t;
	char err[512], what[600];
	const char *how = NULL;
	int rc;

	if (o->list_target) {
		/* `list python3` finds python3 as `list -c python3` does (PATH,
		 * pyenv shims, symlinks); a path is taken as it is. */
		if (strchr(o->list_target, '/'))
			rc = target_from_path(o->list_target, &t, err, sizeof(err));
		else
			rc = target_from_command(o->list_target, &t, err, sizeof(err));
		snprintf(what, sizeof(what), "%s", o->list_target);
	} else if (o->pid) {
		rc = target_from_pid(o->pid, &t, err, sizeof(err));
		snprintf(what, sizeof(what), "PID %d", (int)o->pid);
	} else if (o->command_line || !o->python) {
		how = o->command_line ? o->command_line : "python3";
		rc = target_from_command(how, &t, err, sizeof(err));
		snprintf(what, sizeof(what), "the python of '%s'", how);
	} else {
		rc = target_from_path(o->python, &t, err, sizeof(err));
		snprintf(what, sizeof(what), "%s", o->python);
	}
	if (rc < 0) {
		/* Not found, not readable, not ELF: the target cannot be traced,
		 * the same status a trace of it exits with. */
		error_msg("%s", err);
		return EXIT_NO_MARKERS;
	}
	if (o->pid && t.exe)
		snprintf(what, sizeof(what), "PID %d (%s)", (int)o->pid, t.exe);
	else if (how && t.exe)
		snprintf(what, sizeof(what), "%s (what '%s' runs)", t.exe, how);

	warn_other_libpythons(&t);
	/* Any python markers at all (markers.c's check, with none asked for). */
	struct marker_check c = marker_check(&t, 0);
	if (c.fit != FIT_OK) {
		rc = no_markers(&t, c.fit, what);
		target_free(&t);
		return rc;
	}
	if (o->json)
		print_json(&t, how);
	else
		print_text(&t, how);
	target_free(&t);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error_msg("cannot write the listing to stdout");
		return EXIT_PYTRACE_ERROR;
	}
	return EXIT_OK;
}
