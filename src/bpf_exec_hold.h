/* The bpf engine's exec hold (-c).
 *
 * uprobes are inode based: only interpreter files known before the command
 * starts are probed up front.  A traced process that execs a file nobody
 * predicted is stopped (SIGSTOP) by the kernel side, which sends a BEV_EXEC
 * record; the engine adds the pid here, and after each drain round the
 * held processes are examined: a python with the markers the plan needs
 * gets its marker file attached, then every held process is resumed.
 * bpf_watchdog.c resumes them if pytrace dies in between. */
#ifndef PYTRACE_BPF_EXEC_HOLD_H
#define PYTRACE_BPF_EXEC_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "plan.h"

struct exec_hold {
	const struct trace_plan *plan;
	void *ctx;
	/* Probe t's marker file for every process (the BPF side filters);
	 * 0, or -1 with err. */
	int (*attach)(void *ctx, const struct py_target *t, bool entry_fix,
		      char *err, size_t errlen);
	/* pid's executable (exe) was examined; python: it is now traced. */
	void (*examined)(void *ctx, pid_t pid, const struct stat *exe, bool python);
	pid_t *held;                  /* stopped at exec, waiting for us */
	size_t nheld, capheld;
};

/* pid is stopped at exec (a BEV_EXEC record). */
void exec_hold_add(struct exec_hold *h, pid_t pid);
/* Resume every held process, examining each first when examine is set
 * (after a drain round; not at teardown). */
void exec_hold_release(struct exec_hold *h, bool examine);
void exec_hold_free(struct exec_hold *h);

#endif
