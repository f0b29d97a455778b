/* CPython's markers: the kind table, the version table, and the one check
 * whether an interpreter can serve a plan's markers (markers.h). */
#include <stddef.h>
#include <string.h>

#include "markers.h"
#include "target.h"

/* CPython's notes, provider "python":
 *   function__entry, function__return, line (const char *filename,
 *     const char *funcname, int lineno)
 *   gc__start (int generation), gc__done (Py_ssize_t collected)
 *   import__find__load__start (const char *modulename)
 *   import__find__load__done (const char *modulename, int found)
 *   audit (const char *event, PyObject *args)
 * The meta kinds come from the engines, not from a note. */
static const struct marker_kind kinds[EV__COUNT] = {
	[EV_CALL] = { "call", "function__entry", "function.entry", 2, 1, 3, NUM_LINE, true,
		      { "$filename", "$funcname", "lineno" } },
	[EV_RETURN] = { "return", "function__return", "function.return", 2, 1, 3, NUM_LINE, true,
			{ "$filename", "$funcname", "lineno" } },
	[EV_LINE] = { "line", "line", "line", 2, 1, 3, NUM_LINE, true,
		      { "$filename", "$funcname", "lineno" } },
	[EV_GC_START] = { "gc-start", "gc__start", "gc.start", 0, 0, 1, NUM_VALUE, false,
			  { "generation" } },
	[EV_GC_DONE] = { "gc-done", "gc__done", "gc.done", 0, 0, 1, NUM_VALUE, false,
			 { "collected" } },
	[EV_IMPORT_START] = { "import-start", "import__find__load__start", "import.find_load.start",
			      1, 0, 0, NUM_NONE, true, { "$modulename" } },
	[EV_IMPORT_DONE] = { "import-done", "import__find__load__done", "import.find_load.done",
			     1, 0, 2, NUM_VALUE, true, { "$modulename", "found" } },
	[EV_AUDIT] = { "audit", "audit", "audit", 1, 0, 0, NUM_NONE, true, { "$event", "args" } },
	[EV_COMM] = { "comm", NULL, NULL, 0, 0, 0, NUM_NONE, true, { NULL } },
	[EV_LOST] = { "lost", NULL, NULL, 0, 0, 0, NUM_META, false, { NULL } },
};

const struct marker_kind *marker_kind(enum ev_kind kind)
{
	if ((unsigned)kind >= EV__COUNT)
		return NULL;
	return &kinds[kind];
}

const char *marker_note_name(enum ev_kind kind)
{
	if ((unsigned)kind >= EV__COUNT)
		return NULL;
	return kinds[kind].note;
}

/* Kind names shared by the raw and json formats. */
const char *ev_kind_name(enum ev_kind kind)
{
	if ((unsigned)kind >= EV__COUNT)
		return "unknown";
	return kinds[kind].raw_name;
}

int ev_kind_from_name(const char *name, size_t len)
{
	/* The two hot kinds first: a raw trace is mostly calls and returns. */
	if (len == 4 && memcmp(name, "call", 4) == 0)
		return EV_CALL;
	if (len == 6 && memcmp(name, "return", 6) == 0)
		return EV_RETURN;
	for (int k = 0; k < EV__COUNT; k++)
		if (strlen(kinds[k].raw_name) == len && memcmp(kinds[k].raw_name, name, len) == 0)
			return k;
	return -1;
}

/* ---- CPython versions (DESIGN.md's marker health table) ---- */

#define PYV(major, minor) ((major) * 1000 + (minor))

static const struct {
	int from, to;              /* PYV() bounds, inclusive */
	struct marker_version v;
} versions[] = {
	{ PYV(0, 0), PYV(3, 10), { "<= 3.10", HEALTH_FULL, 0, NULL, NULL, NULL } },
	{ PYV(3, 11), PYV(3, 11), { "3.11", HEALTH_ENTRY_NEEDS_LINE, 0,
	  "CPython 3.11: function__entry fires only while the line marker's semaphore "
	  "is raised; pytrace raises it (turn off with --no-entry-fix)", NULL, NULL } },
	{ PYV(3, 12), PYV(3, 14), { "3.12-3.14", HEALTH_NO_CALL_MARKERS,
	  MARKS_CALLS | MARKS_LINES,
	  "CPython 3.12–3.14 removed function__entry/return and line; only gc, import "
	  "and audit markers remain",
	  "3.12-3.14 keep only gc, import and audit markers",
	  "a call tree needs CPython <= 3.11 or >= 3.15, and --gc, --imports or --audit "
	  "trace those events alone" } },
	{ PYV(3, 15), PYV(99, 999), { ">= 3.15", HEALTH_RETURN_ON_YIELD, MARKS_LINES,
	  "CPython 3.15+: function__entry/return are back, but a yield shows as a "
	  "return, creating a generator or coroutine fires an entry and a generator "
	  "thrown into fires only its return (the bpf engine mends both through "
	  "_Py_MakeCoro and _PyEval_EvalFrameDefault), and there is no line marker",
	  NULL, NULL } },
};

const struct marker_version *marker_version_of(int major, int minor)
{
	if (major < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (PYV(major, minor) >= versions[i].from && PYV(major, minor) <= versions[i].to)
			return &versions[i].v;
	return NULL;
}

bool has_python_markers(const struct sdt_file *f)
{
	return f && sdt_count_provider(f, PY_PROVIDER) > 0;
}

enum marker_health marker_health_for(int major, int minor, const struct sdt_file *f)
{
	const struct marker_version *v;

	if (f && !has_python_markers(f))
		return HEALTH_NO_MARKERS;
	v = marker_version_of(major, minor);
	return v ? v->health : HEALTH_UNKNOWN;
}

const char *marker_health_name(enum marker_health h)
{
	static const char *const names[] = {
		[HEALTH_UNKNOWN] = "unknown",
		[HEALTH_FULL] = "full",
		[HEALTH_ENTRY_NEEDS_LINE] = "entry_needs_line",
		[HEALTH_NO_CALL_MARKERS] = "no_call_markers",
		[HEALTH_RETURN_ON_YIELD] = "return_on_yield",
		[HEALTH_NO_MARKERS] = "no_markers",
	};

	if ((unsigned)h >= sizeof(names) / sizeof(names[0]) || !names[h])
		return "unknown";
	return names[h];
}

const char *marker_health_caveat(enum marker_health h)
{
	switch (h) {
	case HEALTH_UNKNOWN:
		return "CPython version not detected: pytrace trusts the markers the file carries";
	case HEALTH_NO_MARKERS:
		return "built without --with-dtrace: no markers";
	default:
		break;
	}
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (versions[i].v.health == h)
			return versions[i].v.caveat;
	return NULL;
}

bool marker_entry_fix_needed(enum marker_health h, unsigned markers)
{
	return h == HEALTH_ENTRY_NEEDS_LINE && (markers & MARK(EV_CALL));
}

bool marker_line_aborts(const struct py_target *t)
{
	return t->health == HEALTH_ENTRY_NEEDS_LINE && t->sdt && t->sdt->asserts;
}

const char *marker_line_aborts_caveat(const struct py_target *t)
{
	if (!marker_line_aborts(t))
		return NULL;
	return "a CPython 3.11 build with assertions (--with-pydebug, --with-assertions, "
	       "python3.11-dbg): it aborts when the line marker's semaphore is raised, so "
	       "pytrace never raises it: no --lines, and no entry fix, so calls show only "
	       "as returns (\"call not seen\"); a release build of the same code traces fully";
}

/* ---- the check ---- */

unsigned marker_present(const struct py_target *t, unsigned markers)
{
	unsigned have = 0;

	for (int k = 0; k < EV__COUNT; k++)
		if ((markers & MARK(k)) && kinds[k].note && t->sdt &&
		    sdt_find(t->sdt, PY_PROVIDER, kinds[k].note))
			have |= MARK(k);
	return have;
}

int marker_first_missing(const struct py_target *t, unsigned markers)
{
	unsigned missing = markers & ~marker_present(t, markers);

	for (int k = 0; k < EV__COUNT; k++)
		if ((missing & MARK(k)) && kinds[k].note)
			return k;
	return -1;
}

struct marker_check marker_check(const struct py_target *t, unsigned markers)
{
	struct marker_check c = { FIT_OK, marker_first_missing(t, markers), NULL };
	bool python = has_python_markers(t->sdt);

	if (!python && t->py_major < 0) {
		c.fit = FIT_NOT_PYTHON;
	} else if (t->health == HEALTH_NO_MARKERS || !python) {
		c.fit = FIT_NO_MARKERS;
	} else if (c.missing >= 0) {
		const struct marker_version *v = marker_version_of(t->py_major, t->py_minor);

		c.fit = FIT_MISSING;
		if (v && (v->absent & MARK(c.missing)) && v->absent_why)
			c.removed = v;
	} else if ((markers & MARK(EV_LINE)) && marker_line_aborts(t)) {
		c.fit = FIT_LINE_ABORTS;
	}
	return c;
}
