/* Helpers of the picture formats (chrome, speedscope, svg, folded
 * --flame-by).
 *
 * Process and thread names: a live trace reads each process's
 * command line from /proc when its first event arrives (it is running
 * then); a replay, or a process gone before that, falls back to the
 * process name the engine reported (comm), then to "python". */
#ifndef PYTRACE_PICTURE_H
#define PYTRACE_PICTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intern.h"
#include "render.h"

struct proc_name {
	int32_t pid;
	char *cmdline;        /* NULL when unknown */
};

struct picture_names {
	bool live;
	struct proc_name *v;
	size_t n, cap;
	int32_t last_pid;     /* the pid of the previous lookup: the fast path */
	bool have_last;
};

void picture_names_init(struct picture_names *pn, bool live);
void picture_names_free(struct picture_names *pn);

/* Called on events: a live trace reads PID's command line once. */
void picture_names_see_slow(struct picture_names *pn, int32_t pid);
static inline void picture_names_see(struct picture_names *pn, int32_t pid)
{
	if (!pn->have_last || pn->last_pid != pid)
		picture_names_see_slow(pn, pid);
}

/* The intern id of the process's name: command line, comm or "python". */
uint32_t picture_names_id(const struct picture_names *pn, struct intern *in,
			  const struct render_proc *proc);

/* A thread frame's name: "main (tid N)" for the thread whose tid is the
 * pid, else "tid N"; short (a chrome thread_name, to which consumers add
 * the tid): "main" or "tid N". Returns the length written into buf (at
 * least 40 bytes). */
size_t thread_label(char *buf, int32_t pid, int32_t tid, bool short_form);

/* CLOCK_REALTIME minus CLOCK_MONOTONIC now, in ns: both engines stamp
 * events with CLOCK_MONOTONIC, so an event's wall-clock time is its engine
 * timestamp plus this. 0 for a replay (which reads it from the raw file's
 * "# pytrace-clock" line, if any). */
int64_t wall_clock_offset_ns(bool live);

/* ns since the epoch as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" into buf (40 bytes). */
size_t fmt_utc(char *buf, int64_t unix_ns);

#endif
