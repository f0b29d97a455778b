/* Helpers of the picture formats (chrome, speedscope, svg, folded
 * --flame-by).
 *
 * Process and thread names: a process is named by its command line (the
 * pipeline reads it when a live trace first sees the process; a replay
 * has it from the raw file), else by the name the engine reported (comm),
 * else "python". */
#ifndef PYTRACE_PICTURE_H
#define PYTRACE_PICTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intern.h"
#include "render.h"

/* The intern id of /proc/PID/cmdline, arguments joined by spaces; 0 when
 * unreadable (the process is gone, a zombie). */
uint32_t proc_cmdline_id(struct intern *in, int32_t pid);

/* A process's name in the pictures: its command line, else the name the
 * engine reported (comm), else "python". */
uint32_t picture_proc_name(struct intern *in, const struct render_proc *proc);

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
