/* One value that says what to trace; both engines are built from it. */
#ifndef PYTRACE_PLAN_H
#define PYTRACE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "filter.h"
#include "target.h"

struct options;

/* Resolved values only: engines and stapgen read nothing else. */
struct trace_plan {
	unsigned markers;          /* MARK() bits of the markers to probe */
	struct py_target target;   /* resolved interpreter (guessed for -c) */
	bool have_target;          /* false: -c whose python could not be guessed */
	pid_t pid;                 /* -p, else 0 */
	const char *command;       /* -c, else NULL */
	bool entry_fix;            /* raise line's semaphore so 3.11 entry fires */
	bool events_only;          /* 3.12-3.14: gc/import/audit without calls */
	bool follow;               /* trace child pythons of -c */
	bool command_out_to_err;   /* -c with the trace on stdout: the command's
				    * stdout is pytrace's stderr, never the trace */
	const char *user;          /* -u: run the -c command as this user */
	double duration;           /* seconds, 0 = unbounded */
	size_t buffer_size;        /* bytes, engine default when 0 */
	bool entry_fix_allowed;    /* --no-entry-fix not given (pythons found at exec) */
	/* --pid/--tid, pushed down by the stap engine (borrowed from the
	 * caller's filter spec, which outlives the plan) */
	struct id_list pids, tids;
	char guess_error[256];     /* -c: why the python could not be guessed */
};

/* Resolve the target and decide the marker set. On failure fills err and
 * returns the exit status to use (EXIT_NO_MARKERS, EXIT_USAGE, ...). */
int plan_build(const struct options *o, struct trace_plan *plan, char *err, size_t errlen);
void plan_free(struct trace_plan *plan);

/* Does tracing t (the planned target, or a python found at exec) get the
 * CPython 3.11 entry fix?  The one place that decides. */
bool plan_entry_fix(const struct trace_plan *plan, const struct py_target *t);

#endif
