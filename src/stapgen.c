/* SystemTap script text from a plan: which markers, in which file, for which
 * processes, printed in pytrace's raw format.
 *
 * Choices the generated scripts make, and why:
 *  - Output is the raw format (raw.h): `probe begin` prints RAW_HEADER, and
 *    every event is one printf with RAW_LINE_FMT itself as the format, so
 *    the stream parser and this generator share one definition of a line.
 *    Strings go through user_string_quoted(): a string the process passed
 *    as NULL or could not be read prints as an unquoted 0x... token, never
 *    a fault.
 *  - Timestamps are ktime_get_ns(): CLOCK_MONOTONIC, coherent across CPUs
 *    and the very clock the bpf engine reads.  local_clock_ns() may drift
 *    between CPUs by up to a jiffy (a call that migrates could end before
 *    it began) and gettimeofday_ns() is wall-clock time that NTP can step.
 *  - Every probe's output is padded with spaces before its newline so
 *    that the bytes one probe hands stap's transport, plus the transport's
 *    8-byte header, are a multiple of 16.  stap 4.8's transport
 *    (runtime/print_flush.c) drops a message when 1-8 bytes remain in a
 *    sub-buffer and leaves those bytes in the stream, after which staprun
 *    loses whole stretches of output, not one message (measured live,
 *    issue #15).  With every write a multiple of 16 the offset in a
 *    sub-buffer stays a multiple of 16 and that gap never occurs.
 *  - The first event of each process is preceded by one "comm" line with
 *    its name.  The set of pids seen is a wrap-around array, so a run with
 *    thousands of processes repeats a comm line instead of aborting.
 *  - Targets: with -x PID, events of that process only, and the script
 *    exits when it ends (stap -x alone would run on).  With -c, the command
 *    and its descendants via the target_set tapset; without --follow, only
 *    the first process of that set that reaches a marker.  With neither,
 *    the script filters on target() when stap is given -c/-x and otherwise
 *    traces every process running the interpreter.
 *  - --pid/--tid filters are pushed down (they only drop whole threads, so
 *    the per-thread stacks downstream stay consistent).  File and function
 *    globs stay in the pipeline: dropping a call in the script would also
 *    drop what the pipeline needs to keep depths and subtrees right.
 *  - CPython 3.11 fires function__entry only while the line marker's
 *    semaphore is raised.  stap raises a semaphore only for a marker it
 *    probes, and elides a probe whose body is empty during pass 2; the
 *    line probe's body is a bare `next`, which survives elaboration and
 *    costs nothing beyond the trap.
 *  - User-supplied strings reach the script only as probe-point paths,
 *    written with stap_literal(); numbers are re-parsed and printed as
 *    numbers.  Comments never contain user strings. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "log.h"
#include "markers.h"
#include "raw.h"
#include "stapgen.h"
#include "xmalloc.h"

char *stap_literal(const char *s, char *err, size_t errlen)
{
	size_t n = strlen(s);
	char *out = xmalloc(2 * n + 3), *o = out;

	if (strchr(s, '\n')) {
		free(out);
		err_set(err, errlen, "a SystemTap string cannot contain a newline");
		return NULL;
	}
	*o++ = '"';
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

bool stap_path_ok(const char *path, char *err, size_t errlen)
{
	const char *bad = strpbrk(path, "*?[");

	if (bad) {
		err_set(err, errlen,
			"stap cannot probe a file whose path contains '%c' (it reads * ? [ in process "
			"paths as a glob): copy the interpreter to a plain path, or use --engine bpf",
			*bad);
		return false;
	}
	if (strchr(path, '\n')) {
		err_set(err, errlen,
			"stap cannot probe a file whose path contains a newline: copy the interpreter "
			"to a plain path, or use --engine bpf");
		return false;
	}
	return true;
}

/* A path as a probe-point literal, or NULL with err filled. */
static char *path_literal(const char *path, char *err, size_t errlen)
{
	if (!stap_path_ok(path, err, errlen))
		return NULL;
	return stap_literal(path, err, errlen);
}

/* The probe-point prefix naming the file with the markers:
 * process("EXE"), process("EXE").library("LIB") or process("LIB"). */
static char *marker_file_point(const struct py_target *t, enum stapgen_lib_form form,
			       char *err, size_t errlen)
{
	char *exe = NULL, *lib = NULL, *point = NULL;

	if (!t->marker_file)
		return err_set(err, errlen, "%s has no python markers to probe",
			       t->exe ? t->exe : "the target"), NULL;
	if (!t->in_library) {
		if ((exe = path_literal(t->marker_file, err, errlen)))
			point = xasprintf("process(%s)", exe);
		free(exe);
		return point;
	}
	if (!(lib = path_literal(t->marker_file, err, errlen)))
		return NULL;
	if (form == STAPGEN_LIB_DIRECT || !t->exe) {
		point = xasprintf("process(%s)", lib);
	} else if ((exe = path_literal(t->exe, err, errlen))) {
		point = xasprintf("process(%s).library(%s)", exe, lib);
	}
	free(exe);
	free(lib);
	return point;
}

/* Output alignment (see the top of this file): stap 4.8's per-message
 * header (struct _stp_trace) is 8 bytes; every probe's output plus that
 * header is padded to a multiple of 16. */
#define STAPGEN_ALIGN 16
#define STAPGEN_HDR   8

int stapgen_pad(size_t used)
{
	return (int)((STAPGEN_ALIGN - (used + STAPGEN_HDR) % STAPGEN_ALIGN) % STAPGEN_ALIGN);
}

const char *stapgen_pad_expr(char *buf, size_t n, const char *len, unsigned more)
{
	snprintf(buf, n, "(%d - (%s + %u) %% %d) %% %d", STAPGEN_ALIGN, len, more + STAPGEN_HDR,
		 STAPGEN_ALIGN, STAPGEN_ALIGN);
	return buf;
}

void stapgen_print_padded(FILE *f, const char *indent)
{
	char pad[STAPGEN_PAD_EXPR];

	fprintf(f, "%sprintf(\"%%s%%s\\n\", s, substr(pytrace_pad, 0, %s))\n", indent,
		stapgen_pad_expr(pad, sizeof(pad), "strlen(s)", 1));
}

void stapgen_pad_global(FILE *f)
{
	fprintf(f, "global pytrace_pad = \"%*s\"", STAPGEN_ALIGN - 1, "");
}

void stapgen_entry_fix(FILE *f, const char *point)
{
	fprintf(f, "# CPython 3.11 fires function__entry only while the line marker's\n"
		   "# semaphore is raised; probing line raises it.  The body must not be\n"
		   "# empty (stap would drop the probe), and `next` is the cheapest one.\n"
		   "probe %s.mark(\"line\") {\n\tnext\n}\n\n", point);
}

#define NO_STR "\"\\\"\\\"\""   /* the stap literal "\"\"": an empty raw string */

/* What a marker prints (markers.c says which argument carries what): NUM,
 * STR1 (function/module/event), STR2 (file). */
struct marker_out {
	char num[16], str1[40], str2[40];
};

static void marker_out_for(enum ev_kind kind, struct marker_out *m)
{
	const struct marker_kind *k = marker_kind(kind);

	if (k->num_arg)
		snprintf(m->num, sizeof(m->num), "$arg%u", k->num_arg);
	else
		snprintf(m->num, sizeof(m->num), "0");
	if (k->func_arg)
		snprintf(m->str1, sizeof(m->str1), "user_string_quoted($arg%u)", k->func_arg);
	else
		snprintf(m->str1, sizeof(m->str1), "%s", NO_STR);
	if (k->file_arg)
		snprintf(m->str2, sizeof(m->str2), "user_string_quoted($arg%u)", k->file_arg);
	else
		snprintf(m->str2, sizeof(m->str2), "%s", NO_STR);
}

/* --pid/--tid values are numbers (the CLI parsed them); a number that is
 * no process id is refused all the same, as it is about to become script
 * text. */
static bool ids_ok(const struct id_list *l, const char *what, char *err, size_t errlen)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] <= 0)
			return err_set(err, errlen, "%s wants a positive number", what), false;
	return true;
}

static void emit_id_set(FILE *f, const char *global, const struct id_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "\t%s[%ld] = 1\n", global, (long)l->v[i]);
}

static void emit_header(FILE *f, const struct trace_plan *plan, const char *fmt_lit)
{
	char pad[STAPGEN_PAD_EXPR];

	fprintf(f, "# pytrace %s: SystemTap script for CPython's markers.\n", PYTRACE_VERSION);
	fprintf(f, "# Prints pytrace's raw format (README, \"The raw format\"); replay its\n"
		   "# output with `pytrace --replay FILE`.  Timestamps: ktime_get_ns().\n");
	if (plan->pid)
		fprintf(f, "# Run with: stap -x PID this.stp  (PID's events only; ends with PID)\n");
	else if (plan->command)
		fprintf(f, "# Run with: stap -c COMMAND this.stp  (COMMAND and its descendants)\n");
	else
		fprintf(f, "# Run with stap -c COMMAND or -x PID to trace that process tree only;\n"
			   "# without either, every process running this interpreter is traced.\n");
	fprintf(f, "\n");
	fprintf(f, "global pytrace_seen%%[8192]   # pids whose comm line was printed\n");
	stapgen_pad_global(f);
	fprintf(f, "  # see pytrace_emit\n");
	fprintf(f, "global pytrace_emitted      # lines emitted, told at the end\n");
	stapgen_filter_globals(f, plan);
	fprintf(f, "\n");

	fprintf(f, "# One event line, padded with spaces so that the probe's whole output\n"
		   "# (`before` bytes already printed, this line, stap's 8-byte message\n"
		   "# header) is a multiple of %d: stap 4.8 loses output when 1-8 bytes\n"
		   "# are left in a transport sub-buffer.  Returns the bytes printed.\n"
		   "function pytrace_emit:long(kind:string, num:long, s1:string, s2:string, before:long) {\n"
		   "\tts = ktime_get_ns()\n"
		   "\tn = before + strlen(kind) + strlen(sprint(ts)) + strlen(sprint(pid())) +\n"
		   "\t    strlen(sprint(tid())) + strlen(sprint(num)) + strlen(s1) + strlen(s2) + 7\n"
		   "\tpad = %s\n"
		   "\tprintf(%s, kind, ts, pid(), tid(), num, s1, s2, substr(pytrace_pad, 0, pad))\n"
		   "\tpytrace_emitted <<< 1\n"
		   "\treturn n - before + pad\n"
		   "}\n\n",
		STAPGEN_ALIGN, stapgen_pad_expr(pad, sizeof(pad), "n", 0), fmt_lit);
	/* `return;` with its semicolon: stap would read a bare `return`
	 * followed by a line break as `return pytrace_seen[pid()] = 1`. */
	fprintf(f, "# The process's name, once per process, before its first event.\n"
		   "function pytrace_comm:long() {\n"
		   "\tif (pid() in pytrace_seen)\n"
		   "\t\treturn 0;\n"
		   "\tpytrace_seen[pid()] = 1;\n"
		   "\treturn pytrace_emit(\"%s\", 0, string_quoted(execname()), %s, 0)\n"
		   "}\n\n", ev_kind_name(EV_COMM), NO_STR);

	stapgen_wanted_fn(f, plan);
}

void stapgen_filter_globals(FILE *f, const struct trace_plan *plan)
{
	if (plan->command && !plan->pid && !plan->follow)
		fprintf(f, "global pytrace_first         # --no-follow: the one process traced\n");
	if (plan->pids.n)
		fprintf(f, "global pytrace_pids          # --pid\n");
	if (plan->tids.n)
		fprintf(f, "global pytrace_tids          # --tid\n");
}

void stapgen_id_sets(FILE *f, const struct trace_plan *plan)
{
	emit_id_set(f, "pytrace_pids", &plan->pids);
	emit_id_set(f, "pytrace_tids", &plan->tids);
}

void stapgen_wanted_fn(FILE *f, const struct trace_plan *plan)
{
	fprintf(f, "function pytrace_wanted:long() {\n");
	if (plan->pid) {
		fprintf(f, "\tif (pid() != target())\n\t\treturn 0\n");
	} else if (plan->command) {
		fprintf(f, "\tif (!target_set_pid(pid()))\n\t\treturn 0\n");
		if (!plan->follow)
			fprintf(f, "\tif (!pytrace_first)\n"
				   "\t\tpytrace_first = pid()\n"
				   "\tif (pid() != pytrace_first)\n"
				   "\t\treturn 0\n");
	} else {
		fprintf(f, "\tif (target() && !target_set_pid(pid()))\n\t\treturn 0\n");
	}
	if (plan->pids.n)
		fprintf(f, "\tif (!(pid() in pytrace_pids))\n\t\treturn 0\n");
	if (plan->tids.n)
		fprintf(f, "\tif (!(tid() in pytrace_tids))\n\t\treturn 0\n");
	fprintf(f, "\treturn 1\n}\n\n");
}

int stapgen_begin(FILE *f, const struct trace_plan *plan, const char *header, char *err,
		  size_t errlen)
{
	char *lit = stap_literal(header, err, errlen);

	if (!lit)
		return -1;
	/* The header line, then a comment line that pads the probe's output. */
	fprintf(f, "probe begin {\n\tprintf(\"%%s\\n#%*s\\n\", %s)\n",
		stapgen_pad(strlen(header) + 1 + 2), "", lit);
	free(lit);
	stapgen_id_sets(f, plan);
	fprintf(f, "}\n\n");
	return 0;
}

/* -c: the engine holds the command (stap -x PID) until stap tracks it.
 * Begin probes run before stap registers its other probes, so the header
 * cannot say it; process.begin for the target fires once stap's process
 * tracking has reached it (at start-up, for a process already running). */
void stapgen_ready(FILE *f, const struct trace_plan *plan)
{
	if (!plan->command || plan->pid)
		return;
	fprintf(f, "# pytrace holds the command it gives stap with -x until this line.\n"
		   "global pytrace_ready\n"
		   "probe process.begin {\n"
		   "\tif (pid() == target() && !pytrace_ready) {\n"
		   "\t\tpytrace_ready = 1\n"
		   "\t\tprintf(\"%s%*s\\n\")\n"
		   "\t}\n"
		   "}\n", RAW_READY, stapgen_pad(strlen(RAW_READY) + 1), "");
}

/* RAW_LINE_FMT as a stap literal, with one more %s (the padding, spaces
 * the parser allows after the last field) before its final newline, which
 * stap's printf format understands as "\n". */
static char *format_literal(void)
{
	const char *fmt = RAW_LINE_FMT;
	size_t n = strlen(fmt);
	char *out = xmalloc(2 * n + 5), *o = out;

	*o++ = '"';
	for (const char *p = fmt; *p; p++) {
		if (*p == '\n') {
			*o++ = '%';
			*o++ = 's';
			*o++ = '\\';
			*o++ = 'n';
		} else {
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = *p;
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* Every refusal of stapgen_script, without writing the script: the
 * probe-point prefix of the marker file, or NULL with err filled. */
char *stapgen_point(const struct trace_plan *plan, const struct stapgen_opts *opts,
		    char *err, size_t errlen)
{
	enum stapgen_lib_form form = opts ? opts->lib_form : STAPGEN_LIB_VIA_EXE;
	const struct py_target *t = &plan->target;
	char *point;

	if (!plan->have_target)
		return err_set(err, errlen, "the stap engine needs to know the python in advance%s%s; "
			       "name it with --python PATH",
			       plan->guess_error[0] ? ": " : "", plan->guess_error), NULL;
	if (!(plan->markers & MARKS_ALL))
		return err_set(err, errlen, "no markers asked for"), NULL;
	if (!ids_ok(&plan->pids, "--pid", err, errlen) || !ids_ok(&plan->tids, "--tid", err, errlen))
		return NULL;
	if (!(point = marker_file_point(t, form, err, errlen)))
		return NULL;
	if (t->sdt) {
		unsigned need = plan->markers | (plan->entry_fix ? MARK(EV_LINE) : 0);
		int missing = marker_first_missing(t, need);

		if (missing >= 0) {
			err_set(err, errlen, "%s has no %s marker", t->marker_file,
				marker_note_name(missing));
			free(point);
			return NULL;
		}
	}
	return point;
}

bool stapgen_plan_ok(const struct trace_plan *plan, const struct stapgen_opts *opts,
		     char *err, size_t errlen)
{
	char *point = stapgen_point(plan, opts, err, errlen);

	free(point);
	return point != NULL;
}

/* After the marker probes: the entry fix, the end count, and the lines
 * the engine reads about the target's life. */
static void emit_tail(FILE *f, const struct trace_plan *plan, const char *point)
{
	if (plan->entry_fix && !(plan->markers & MARK(EV_LINE)))
		stapgen_entry_fix(f, point);
	/* The count lets the engine see a loss the transport did not report
	 * (and its absence, a lost end of the stream). */
	fprintf(f, "# How many lines the probes emitted: the reader counts what was lost.\n"
		   "probe end {\n"
		   "\ts = sprintf(\"%s%%d\", @count(pytrace_emitted))\n", RAW_EMITTED);
	stapgen_print_padded(f, "\t");
	fprintf(f, "}\n\n");
	if (plan->pid)
		fprintf(f, "probe process.end {\n\tif (pid() == target())\n\t\texit()\n}\n");
	stapgen_ready(f, plan);
	if (plan->command && !plan->pid) {
		fprintf(f, "# A traced process replaced its image (exec): its open calls end here,\n"
			   "# and the new image gets its own comm line.\n"
			   "probe process.begin {\n"
			   "\tif (!(pid() in pytrace_seen))\n"
			   "\t\tnext\n"
			   "\tdelete pytrace_seen[pid()]\n"
			   "\ts = sprintf(\"%s%%d %%d\", pid(), ktime_get_ns())\n", RAW_EXEC);
		stapgen_print_padded(f, "\t");
		fprintf(f, "}\n\n");
	}
}

char *stapgen_script(const struct trace_plan *plan, const struct stapgen_opts *opts,
		     char *err, size_t errlen)
{
	char *point, *fmt = NULL, *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc = 0;

	if (!(point = stapgen_point(plan, opts, err, errlen)))
		return NULL;
	fmt = format_literal();
	f = open_memstream(&text, &len);
	if (!f) {
		err_set(err, errlen, "cannot build the script: %s", strerror(errno));
		goto out;
	}
	emit_header(f, plan, fmt);
	rc = stapgen_begin(f, plan, RAW_HEADER, err, errlen);

	for (int k = 0; k < EV__COUNT && rc == 0; k++) {
		struct marker_out m;
		if (!(plan->markers & MARK(k)) || !marker_note_name(k))
			continue;
		marker_out_for(k, &m);
		fprintf(f, "probe %s.mark(\"%s\") {\n"
			   "\tif (!pytrace_wanted())\n\t\tnext\n"
			   "\tpytrace_emit(\"%s\", %s, %s, %s, pytrace_comm())\n"
			   "}\n\n",
			point, marker_note_name(k), ev_kind_name(k), m.num, m.str1, m.str2);
	}
	if (rc == 0)
		emit_tail(f, plan, point);

	if (fclose(f) != 0 && rc == 0)
		rc = err_set(err, errlen, "cannot build the script: %s", strerror(errno));
	if (rc < 0) {
		free(text);
		text = NULL;
	}
out:
	free(point);
	free(fmt);
	return text;
}

int stap_print_script(const struct trace_plan *plan, bool aggregate, FILE *out, char *err,
		      size_t errlen)
{
	char *text = aggregate ? stapgen_agg_script(plan, NULL, 0, err, errlen)
			       : stapgen_script(plan, NULL, err, errlen);

	if (!text)
		return -1;
	if (fputs(text, out) == EOF) {
		free(text);
		return err_set(err, errlen, "cannot write the script: %s", strerror(errno));
	}
	free(text);
	return 0;
}

/* --- the tapset --- */

/* The variables of a tapset alias, from markers.c's names per argument. */
static void put_tapset_vars(FILE *f, const struct marker_kind *k)
{
	for (int i = 0; i < 4 && k->tapset_vars[i]; i++) {
		const char *name = k->tapset_vars[i];

		if (name[0] == '$')
			fprintf(f, "\t%s = user_string($arg%d, \"<unreadable>\")\n", name + 1, i + 1);
		else
			fprintf(f, "\t%s = $arg%d\n", name, i + 1);
	}
}

char *stapgen_tapset(const struct py_target *t, char *err, size_t errlen)
{
	char *point, *text = NULL;
	size_t len = 0;
	bool entry_needs_line;
	int wrote = 0;
	FILE *f;

	if (!(point = marker_file_point(t, STAPGEN_LIB_VIA_EXE, err, errlen)))
		return NULL;
	entry_needs_line = marker_entry_fix_needed(t->health, MARK(EV_CALL)) &&
			   (!t->sdt || sdt_find(t->sdt, PY_PROVIDER, "line"));
	f = open_memstream(&text, &len);
	if (!f) {
		free(point);
		err_set(err, errlen, "cannot build the tapset: %s", strerror(errno));
		return NULL;
	}
	fprintf(f, "// pytrace %s: SystemTap tapset for one CPython interpreter", PYTRACE_VERSION);
	if (t->py_major >= 0)
		fprintf(f, " (%d.%d)", t->py_major, t->py_minor);
	fprintf(f, ".\n"
		   "// Generated by `pytrace tapset PYTHON`; the interpreter is named in the\n"
		   "// probe points below.  Use with: stap -I DIR-OF-THIS-FILE script.stp\n"
		   "//\n"
		   "// The aliases are named pytrace.* because SystemTap itself ships a\n"
		   "// python.stp whose python.function.entry/return would clash with ours.\n"
		   "// A string the interpreter passes as NULL (a name it cannot encode) or\n"
		   "// that cannot be read reads as \"<unreadable>\", never as an error.\n");
	if (entry_needs_line)
		fprintf(f, "//\n"
			   "// CPython 3.11 fires function__entry only while the line marker's\n"
			   "// semaphore is raised: pytrace.function.entry also probes line (and\n"
			   "// skips those hits at once) so that entries fire for every frame.\n");
	fprintf(f, "\n");

	for (int kind = 0; kind < EV__COUNT; kind++) {
		const struct marker_kind *a = marker_kind(kind);
		const char *note = a->note;
		bool fix = kind == EV_CALL && entry_needs_line;

		if (!note)
			continue;   /* meta kinds: no marker */
		if (t->sdt && !sdt_find(t->sdt, PY_PROVIDER, note)) {
			fprintf(f, "// pytrace.%s: this interpreter has no %s marker\n\n",
				a->tapset_alias, note);
			continue;
		}
		fprintf(f, "probe pytrace.%s = %s.mark(\"%s\")", a->tapset_alias, point, note);
		if (fix)
			fprintf(f, ",\n\t%s.mark(\"line\")", point);
		fprintf(f, "\n{\n");
		if (fix)
			fprintf(f, "\tif ($$name == \"line\")\n\t\tnext\n");
		put_tapset_vars(f, a);
		fprintf(f, "}\n\n");
		wrote++;
	}
	free(point);
	if (fclose(f) != 0) {
		free(text);
		err_set(err, errlen, "cannot build the tapset: %s", strerror(errno));
		return NULL;
	}
	if (wrote == 0) {
		free(text);
		err_set(err, errlen, "%s has no python markers to probe", t->marker_file);
		return NULL;
	}
	return text;
}
