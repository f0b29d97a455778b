/* The status line: while a live trace goes to a file or a pipe and stderr
 * is a terminal, one line on stderr redrawn in place four times a second
 * (elapsed time, events, events/s, lost, processes), erased at the end.
 * A thread of its own draws it, so a terminal paused with Ctrl-S holds
 * that thread, never the event loop. */
#ifndef PYTRACE_STATUS_H
#define PYTRACE_STATUS_H

#include <stdbool.h>
#include <stdint.h>

struct status;

/* Should a trace written to out_fd show one (stderr a terminal, the trace
 * not on a terminal, not --quiet)? */
bool status_wanted(int out_fd);
/* Start drawing; NULL when the thread cannot start (no status line). */
struct status *status_start(void);
/* The event loop's latest counts (cheap: stores for the drawing thread). */
void status_update(struct status *s, uint64_t events, uint64_t lost, uint64_t procs);
/* Erase the line and end the thread; s may be NULL. */
void status_stop(struct status *s);

#endif
