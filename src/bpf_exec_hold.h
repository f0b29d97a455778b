/* The bpf engine's holds (-c).
 *
 * Semaphores are raised in each traced process's own memory (sema.h), so a
 * traced process that starts a python image is stopped (SIGSTOP) by the
 * kernel side until that is done: at exec (a BEV_EXEC record), or, when
 * its markers live in libpython, when ld.so maps the library's writable
 * data (BEV_MAP).  uprobes are inode based: only interpreter files known
 * before the command starts are probed up front, so an exec of a file
 * nobody predicted is examined here: a python with the markers the plan
 * needs gets its marker file attached.  Each hold is dealt with as soon as
 * its record is read, ahead of the rest of the drain.  bpf_watchdog.c
 * resumes held processes if pytrace dies in between. */
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
	/* Is exe a python we already attached to? */
	bool (*known_python)(void *ctx, const struct stat *exe);
	/* pid's executable (exe) was examined; python: it is now traced. */
	void (*examined)(void *ctx, pid_t pid, const struct stat *exe, bool python);
	/* pid runs a traced python: raise its semaphores; at_exec: its
	 * libpython may not be mapped yet. */
	void (*raise)(void *ctx, pid_t pid, bool at_exec);
	/* pid may go on (SIGCONT follows). */
	void (*resume)(void *ctx, pid_t pid);
};

/* pid is stopped: at exec (at_exec) or at the mapping of libpython.  Deal
 * with it and resume it; while detaching (only_resume), just resume it. */
void exec_hold_handle(struct exec_hold *h, pid_t pid, bool at_exec, bool only_resume);

#endif
