/* The holds: examine a process stopped at exec, attach to it if it runs a
 * python the plan can trace, raise its semaphores, resume it
 * (bpf_exec_hold.h). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "bpf_exec_hold.h"
#include "log.h"
#include "markers.h"

/* Does t carry every marker the plan asks for?  If not, say why once. */
static bool usable_python(const struct trace_plan *plan, const struct py_target *t, pid_t pid)
{
	struct marker_check c = marker_check(t, plan->markers);

	if (!t->marker_file || c.fit == FIT_NOT_PYTHON || c.fit == FIT_NO_MARKERS)
		return false;   /* not a python, or one without markers: not ours */
	if (c.fit == FIT_OK)
		return true;
	if (c.fit == FIT_LINE_ABORTS)
		warn_msg("PID %d runs %s, a CPython 3.11 build with assertions, which aborts when "
			 "the line marker is enabled: not traced (--lines)", (int)pid, t->marker_file);
	else if (c.removed)
		warn_msg("PID %d runs %s (CPython %d.%d), which has no %s marker "
			 "(%s removed it): not traced", (int)pid, t->marker_file,
			 t->py_major, t->py_minor, marker_note_name(c.missing), c.removed->label);
	else
		warn_msg("PID %d runs %s, which has no %s marker: not traced",
			 (int)pid, t->marker_file, marker_note_name(c.missing));
	return false;
}

/* Inspect a process stopped at exec of a file not known as a python;
 * attach if it runs a new python.  Returns true when it runs a traced one. */
static bool examine_exec(struct exec_hold *h, pid_t pid, const struct stat *st)
{
	const struct trace_plan *plan = h->plan;
	char err[512];
	struct py_target t;
	bool python = false;

	/* At exec, ld.so has not mapped libpython yet: target_from_pid resolves
	 * the one it will load with the process's own environment, cwd and
	 * executable (LD_LIBRARY_PATH, RUNPATH/RPATH $ORIGIN, the cache). */
	if (target_from_pid(pid, &t, err, sizeof(err)) == 0) {
		if (usable_python(plan, &t, pid)) {
			if (h->attach(h->ctx, &t, plan_entry_fix(plan, &t), err, sizeof(err)) == 0)
				python = true;
			else
				warn_msg("PID %d: %s; not traced", (int)pid, err);
		}
		target_free(&t);
	}
	h->examined(h->ctx, pid, st, python);
	return python;
}

void exec_hold_handle(struct exec_hold *h, pid_t pid, bool at_exec, bool only_resume)
{
	if (!only_resume) {
		bool python = true;

		if (at_exec) {
			char exe[64];
			struct stat st;

			snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
			if (stat(exe, &st) < 0)
				return;   /* gone already */
			if (!h->known_python(h->ctx, &st))
				python = examine_exec(h, pid, &st);
		}
		if (python)
			h->raise(h->ctx, pid, at_exec);
	}
	h->resume(h->ctx, pid);
	kill(pid, SIGCONT);
}
