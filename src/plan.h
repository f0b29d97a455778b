/* One value that says what to trace; both engines are built from it. */
#ifndef PYTRACE_PLAN_H
#define PYTRACE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "options.h"
#include "target.h"

struct trace_plan {
	unsigned markers;          /* MARK() bits of the markers to probe */
	struct py_target target;   /* resolved interpreter (guessed for -c) */
	bool have_target;          /* false: -c whose python could not be guessed */
	pid_t pid;                 /* -p, else 0 */
	const char *command;       /* -c, else NULL */
	bool entry_fix;            /* raise line's semaphore so 3.11 entry fires */
	bool follow;               /* trace child pythons of -c */
	bool command_out_to_err;   /* -c with the trace on stdout: the command's
				    * stdout is pytrace's stderr, never the trace */
	double duration;           /* seconds, 0 = unbounded */
	size_t buffer_size;        /* bytes, engine default when 0 */
	const struct options *opts;/* filters to push down (globs, pids) */
	char guess_error[256];     /* -c: why the python could not be guessed */
};

/* Resolve the target and decide the marker set. On failure fills err and
 * returns the exit status to use (EXIT_NO_MARKERS, EXIT_USAGE, ...). */
int plan_build(const struct options *o, struct trace_plan *plan, char *err, size_t errlen);
void plan_free(struct trace_plan *plan);

#endif
