/* plan_build: from the command line to one value both engines read.
 * Resolves the interpreter, checks that every marker asked for exists, and
 * decides the 3.11 entry fix. */
#include <stdio.h>
#include <string.h>

#include "exitcodes.h"
#include "log.h"
#include "markers.h"
#include "options.h"
#include "plan.h"

/* Explain why a target lacks the markers the trace needs (*cp: the check). */
static int missing_markers(const struct trace_plan *plan, struct marker_check *cp,
			   char *err, size_t errlen)
{
	const struct py_target *t = &plan->target;
	const char *file = t->marker_file ? t->marker_file : t->exe;
	struct marker_check c = *cp = marker_check(t, plan->markers);

	switch (c.fit) {
	case FIT_OK:
		return 0;
	case FIT_NOT_PYTHON:
		return err_set(err, errlen,
			       "%s is not a python interpreter (no python markers, no libpython); "
			       "%s", file, plan->pid ? "attach to a python process"
						     : "point --python at a python interpreter");
	case FIT_NO_MARKERS:
		return err_set(err, errlen,
			       "%s has no python markers: it was built without --with-dtrace; "
			       "trace an interpreter built with it (Debian's /usr/bin/python3.11 is) "
			       "or point --python at one", file);
	case FIT_LINE_ABORTS:
		return err_set(err, errlen,
			       "%s is a CPython 3.11 build with assertions, which aborts when the line "
			       "marker is enabled (Assertion 'cframe.use_tracing' failed): --lines "
			       "cannot be traced on it; drop --lines, or trace a release build", file);
	case FIT_MISSING:
		break;
	}
	if (c.removed)
		return err_set(err, errlen, "%s has no %s marker: CPython %d.%d removed it (%s); %s",
			       file, marker_note_name(c.missing), t->py_major, t->py_minor,
			       c.removed->absent_why, c.removed->absent_advice);
	return err_set(err, errlen, "%s has no %s marker; drop the option that asks for it",
		       file, marker_note_name(c.missing));
}

/* CPython 3.12-3.14 kept gc, import and audit markers: asked for any of
 * them, the trace is of those events alone (calls, returns and lines
 * dropped, said once).  A summary or folded stacks need calls: refused. */
static int events_only(const struct options *o, struct trace_plan *plan, char *err,
		       size_t errlen)
{
	const struct py_target *t = &plan->target;
	unsigned have = 0;

	if (t->health != HEALTH_NO_CALL_MARKERS ||
	    !(plan->markers & (MARKS_GC | MARKS_IMPORTS | MARKS_AUDIT)))
		return 0;
	have = marker_present(t, MARKS_ALL);
	if (o->format == &render_summary || o->format == &render_folded || o->summary)
		return err_set(err, errlen, "%s needs call markers, which CPython %d.%d lacks "
			       "(3.12-3.14 removed them); its gc, import and audit events show with "
			       "-f text, json, chrome or raw",
			       o->summary && o->format != &render_summary ? "--summary" :
			       o->format == &render_folded ? "-f folded" : "-f summary",
			       t->py_major, t->py_minor);
	plan->markers &= have;
	plan->events_only = true;
	char kinds[64] = "";
	static const struct { unsigned bits; const char *name; } groups[] = {
		{ MARKS_GC, "gc" }, { MARKS_IMPORTS, "import" }, { MARKS_AUDIT, "audit" },
	};
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (plan->markers & groups[i].bits)
			snprintf(kinds + strlen(kinds), sizeof(kinds) - strlen(kinds), "%s%s",
				 kinds[0] ? ", " : "", groups[i].name);
	if (!kinds[0])
		return err_set(err, errlen, "%s has none of the gc, import and audit markers asked "
			       "for", t->marker_file ? t->marker_file : t->exe);
	info_msg("CPython %d.%d has no call markers (3.12-3.14 removed them): tracing its %s "
		 "events only", t->py_major, t->py_minor, kinds);
	return 0;
}

/* --python X -p PID: PID must run X (its executable or its markers' file). */
static int pid_running(const struct options *o, struct trace_plan *plan, char *err, size_t errlen)
{
	struct py_target want;

	if (target_from_path(o->python, &want, err, errlen) < 0)
		return -1;
	if (target_from_pid(o->pid, &plan->target, err, errlen) < 0) {
		target_free(&want);
		return -1;
	}
	if (!target_same_file(want.marker_file, plan->target.marker_file) &&
	    !target_same_file(want.exe, plan->target.exe)) {
		err_set(err, errlen, "PID %d runs %s, not %s; drop --python, or give the PID of a "
			"process running it", (int)o->pid, plan->target.exe, o->python);
		target_free(&want);
		target_free(&plan->target);
		memset(&plan->target, 0, sizeof(plan->target));
		return -1;
	}
	target_free(&want);
	return 0;
}

static int resolve_target(const struct options *o, struct trace_plan *plan, char *err, size_t errlen)
{
	if (o->python && o->pid)
		return pid_running(o, plan, err, errlen);
	if (o->python)
		return target_from_path(o->python, &plan->target, err, errlen);
	if (o->pid)
		return target_from_pid(o->pid, &plan->target, err, errlen);
	if (o->command_line)
		return target_from_command(o->command_line, &plan->target, err, errlen);
	return err_set(err, errlen, "nothing to trace: give -c, -p or --python");
}

int plan_build(const struct options *o, struct trace_plan *plan, char *err, size_t errlen)
{
	struct marker_check check;

	memset(plan, 0, sizeof(*plan));
	plan->markers = o->markers;
	plan->entry_fix_allowed = o->entry_fix;
	plan->pids = o->filter.pids;
	plan->tids = o->filter.tids;
	plan->pid = o->pid;
	plan->command = o->command_line;
	plan->follow = o->follow;
	plan->command_out_to_err = o->command_line && (!o->output || strcmp(o->output, "-") == 0);
	plan->user = o->user;
	plan->duration = o->duration;
	plan->buffer_size = o->buffer_size;

	if (resolve_target(o, plan, err, errlen) < 0) {
		/* -c without --python: the live engine decides at exec time; keep the
		 * reason so an engine that needs the target up front can say it. */
		if (o->command_line && !o->python) {
			snprintf(plan->guess_error, sizeof(plan->guess_error), "%s", err);
			target_free(&plan->target);
			memset(&plan->target, 0, sizeof(plan->target));
			return 0;
		}
		return EXIT_NO_MARKERS;
	}
	plan->have_target = true;
	if (events_only(o, plan, err, errlen) < 0) {
		plan_free(plan);
		return EXIT_NO_MARKERS;
	}
	if (missing_markers(plan, &check, err, errlen) < 0) {
		if (o->command_line && !o->python && plan->target.guessed) {
			/* The guess may be wrong (the command can exec another python);
			 * an unhelpful guess is not fatal, but one whose CPython
			 * version removed the markers (3.12-3.14) is a near-certain
			 * dead end worth stopping for. */
			if (!check.removed && check.fit != FIT_LINE_ABORTS) {
				snprintf(plan->guess_error, sizeof(plan->guess_error), "%s", err);
				target_free(&plan->target);
				memset(&plan->target, 0, sizeof(plan->target));
				plan->have_target = false;
				return 0;
			}
		}
		plan_free(plan);   /* the caller frees nothing after a failure */
		return EXIT_NO_MARKERS;
	}
	plan->entry_fix = plan_entry_fix(plan, &plan->target);
	return 0;
}

bool plan_entry_fix(const struct trace_plan *plan, const struct py_target *t)
{
	return plan->entry_fix_allowed && marker_entry_fix_needed(t->health, plan->markers) &&
	       !marker_line_aborts(t);
}

void plan_free(struct trace_plan *plan)
{
	if (plan->have_target)
		target_free(&plan->target);
	memset(plan, 0, sizeof(*plan));
}
