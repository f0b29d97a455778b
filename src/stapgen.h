/* The stap engine's script generator: pure functions from a plan (or a
 * target) to SystemTap script text.  Nothing here runs stap or touches the
 * file system; engine_stap.c and cmd_tapset.c do. */
#ifndef PYTRACE_STAPGEN_H
#define PYTRACE_STAPGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "plan.h"
#include "target.h"

/* How to name a libpython that carries the markers. */
enum stapgen_lib_form {
	STAPGEN_LIB_VIA_EXE,   /* process("EXE").library("LIB"): only that interpreter */
	STAPGEN_LIB_DIRECT,    /* process("LIB"): every process that maps LIB (embedders) */
};

struct stapgen_opts {
	enum stapgen_lib_form lib_form;
};

/* The script for plan, as a malloc'd string; NULL with err filled when the
 * plan cannot be expressed (no target, a path stap cannot name, a marker
 * the file lacks). */
char *stapgen_script(const struct trace_plan *plan, const struct stapgen_opts *opts,
		     char *err, size_t errlen);

/* Can stapgen_script write a script for plan?  false with err filled, as
 * stapgen_script would refuse it; the script itself is not written. */
bool stapgen_plan_ok(const struct trace_plan *plan, const struct stapgen_opts *opts,
		     char *err, size_t errlen);

/* The aggregate script (stapgen_agg.c): per function sums in stap
 * aggregates, a table every interval_ms (0: only at the end). */
char *stapgen_agg_script(const struct trace_plan *plan, const struct stapgen_opts *opts,
			 unsigned interval_ms, char *err, size_t errlen);

/* Pieces both scripts share.  The probe-point prefix of the plan's marker
 * file, NULL with err filled for every plan stapgen refuses: */
char *stapgen_point(const struct trace_plan *plan, const struct stapgen_opts *opts,
		    char *err, size_t errlen);
/* the globals the process filter needs, */
void stapgen_filter_globals(FILE *f, const struct trace_plan *plan);
/* its function pytrace_wanted() (1: this event's process is traced), */
void stapgen_wanted_fn(FILE *f, const struct trace_plan *plan);
/* the lines of a `probe begin` that fill the --pid/--tid sets, */
void stapgen_id_sets(FILE *f, const struct trace_plan *plan);
/* and, for -c, the probe that prints RAW_READY (raw.h) once stap tracks
 * the command the engine holds. */
void stapgen_ready(FILE *f, const struct trace_plan *plan);
/* The `probe begin` that prints header (a padded line) and fills the
 * --pid/--tid sets; -1 with err filled if header cannot be a literal. */
int stapgen_begin(FILE *f, const struct trace_plan *plan, const char *header, char *err,
		  size_t errlen);
/* CPython 3.11's entry fix: the probe on line that raises its semaphore. */
void stapgen_entry_fix(FILE *f, const char *point);

/* Output alignment (the top of stapgen.c says why): every probe's output,
 * plus stap 4.8's 8-byte message header, is padded with spaces to a
 * multiple of 16.  The spaces for `used` bytes known here; */
int stapgen_pad(size_t used);
/* the same as a stap expression, for `len` (stap) plus `more` bytes, into
 * buf (STAPGEN_PAD_EXPR bytes) and returned; */
#define STAPGEN_PAD_EXPR 80
const char *stapgen_pad_expr(char *buf, size_t n, const char *len, unsigned more);
/* a statement printing the script's string s as one padded line; */
void stapgen_print_padded(FILE *f, const char *indent);
/* and the global those spaces are cut from (no newline: a comment may follow). */
void stapgen_pad_global(FILE *f);

/* `pytrace --engine stap --print-script`: write the script to out (the
 * aggregate one, tables at the end only, for an in-kernel -f summary). */
int stap_print_script(const struct trace_plan *plan, bool aggregate, FILE *out, char *err,
		      size_t errlen);

/* The python tapset (probe aliases pytrace.function.entry, ...) for the
 * interpreter t, as a malloc'd string; NULL with err filled. */
char *stapgen_tapset(const struct py_target *t, char *err, size_t errlen);

/* s as a stap string literal, quotes included (malloc'd).  Only '"' and
 * '\' are escaped: stap un-escapes just those two in probe-point strings,
 * and keeps every other byte (UTF-8, tab, '%', '$') as written.  A newline
 * cannot be written in a stap literal at all: NULL with err filled. */
char *stap_literal(const char *s, char *err, size_t errlen);

/* stap reads '*', '?' and '[' in a process path as a glob, with no escape;
 * false (err filled) for a path stap cannot name exactly. */
bool stap_path_ok(const char *path, char *err, size_t errlen);

#endif
