/* What pytrace knows about CPython's markers, in one place: per event kind
 * the raw name, the SDT note, which note argument carries which field; per
 * CPython version which markers exist and with what caveat; and the one
 * check whether an interpreter can serve a set of markers.
 *
 * A new CPython version is a row in markers.c's version table (its marker
 * health, the markers it lacks, its caveat); a marker whose arguments move
 * is an edit of its argument positions, which both engines read from here
 * (the bpf engine passes them to its kernel side in its `sites` map,
 * engine_bpf.h). */
#ifndef PYTRACE_MARKERS_H
#define PYTRACE_MARKERS_H

#include <stdbool.h>
#include <stdint.h>

#include "event.h"
#include "sdt.h"

#define PY_PROVIDER "python"

/* What a CPython version's markers can do (DESIGN.md's table). */
enum marker_health {
	HEALTH_UNKNOWN,            /* version not detected: trust the notes */
	HEALTH_FULL,               /* <= 3.10: entry/return for every frame, line */
	HEALTH_ENTRY_NEEDS_LINE,   /* 3.11: entry fires only while line's semaphore is raised */
	HEALTH_NO_CALL_MARKERS,    /* 3.12-3.14: entry/return/line removed */
	HEALTH_RETURN_ON_YIELD,    /* 3.15+: restored, a yield shows as a return, no line */
	HEALTH_NO_MARKERS,         /* built without --with-dtrace */
};

/* What an event's NUM field means. */
enum num_role {
	NUM_NONE,                  /* nothing (0) */
	NUM_LINE,                  /* a line number ("line" in json) */
	NUM_VALUE,                 /* a value: generation, collected, found ("value") */
	NUM_META,                  /* meta kinds: the lost count */
};

struct marker_kind {
	const char *raw_name;      /* the kind in the raw and json formats: "call" */
	const char *note;          /* the SDT note name, NULL for meta kinds */
	const char *tapset_alias;  /* pytrace.<alias> in the generated tapset */
	/* Which note argument (1-based; 0: none) carries each field. */
	uint8_t func_arg, file_arg, num_arg;
	enum num_role num;
	bool has_func;             /* STR1 means something (meta kinds too) */
	/* The tapset's variable per note argument (NULL ends); a name starting
	 * with '$' is a string: user_string($argN) under the name after it. */
	const char *tapset_vars[4];
};

/* The row of kind (EV_CALL .. EV_LOST); NULL when out of range. */
const struct marker_kind *marker_kind(enum ev_kind kind);

/* The note name of the marker behind kind ("function__entry"), or NULL for
 * the meta kinds (EV_COMM, EV_LOST). */
const char *marker_note_name(enum ev_kind kind);

/* A range of CPython versions and what their markers can do. */
struct marker_version {
	const char *label;         /* "3.12-3.14" */
	enum marker_health health;
	unsigned absent;           /* MARK() bits of the markers these versions lack */
	const char *caveat;        /* `list`'s caveat line; NULL: none */
	/* Why an absent marker is missing and the way out, for errors; NULL:
	 * a plain "has no X marker" is said. */
	const char *absent_why, *absent_advice;
};

/* The row of CPython major.minor, or NULL when the version is unknown. */
const struct marker_version *marker_version_of(int major, int minor);
/* The health of CPython major.minor (-1: unknown) whose notes are f. */
enum marker_health marker_health_for(int major, int minor, const struct sdt_file *f);
/* The health as `list --json` names it: "entry_needs_line". */
const char *marker_health_name(enum marker_health h);
/* One-line caveat for the health, or NULL when there is none. */
const char *marker_health_caveat(enum marker_health h);
/* Does tracing `markers` on an interpreter of this health need the 3.11
 * entry fix (raising line's semaphore)? */
bool marker_entry_fix_needed(enum marker_health h, unsigned markers);

struct py_target;

/* CPython 3.11 built with assertions (--with-pydebug, --with-assertions,
 * Debian's python3.11-dbg) aborts as soon as the line marker's semaphore is
 * raised (ceval.c: Assertion 'cframe.use_tracing' failed): neither --lines
 * nor the entry fix may raise it there. */
bool marker_line_aborts(const struct py_target *t);
/* f (may be NULL) carries markers of provider "python". */
bool has_python_markers(const struct sdt_file *f);
/* `list`'s caveat for such a build (what a trace lacks), or NULL. */
const char *marker_line_aborts_caveat(const struct py_target *t);

/* Can an interpreter serve a set of markers?  One check for plan, both
 * engines and list; each says the outcome in its own words. */
enum marker_fit {
	FIT_OK,
	FIT_NOT_PYTHON,            /* no python markers and no detected version */
	FIT_NO_MARKERS,            /* a python built without --with-dtrace */
	FIT_MISSING,               /* `missing` is asked for but absent */
	FIT_LINE_ABORTS,           /* line asked for on a build it would abort */
};

struct marker_check {
	enum marker_fit fit;
	int missing;               /* first asked kind the notes lack, or -1 */
	/* FIT_MISSING because the target's CPython version removed it (a row
	 * with absent_why); NULL otherwise. */
	const struct marker_version *removed;
};

struct marker_check marker_check(const struct py_target *t, unsigned markers);
/* Which of `markers` (MARK() bits) t's notes carry. */
unsigned marker_present(const struct py_target *t, unsigned markers);
/* The first of `markers` whose note t lacks (marker_check's `missing`,
 * without its other look at the notes), or -1. */
int marker_first_missing(const struct py_target *t, unsigned markers);

#endif
