/* The one reader of /proc/PID/stat: the process's state and the fields
 * after its name (the name, in parentheses, may hold anything, ')' and
 * spaces too, so the fields start after the last ')'). */
#ifndef PYTRACE_PROC_STAT_H
#define PYTRACE_PROC_STAT_H

#include <stddef.h>
#include <sys/types.h>

/* /proc/PID/stat read into buf; returns its fields after the name, the
 * state letter first ("S 1 1 ..."), or NULL when it cannot be read (errno
 * says why: ENOENT for a pid that is gone). */
const char *proc_stat_fields(pid_t pid, char *buf, size_t len);

/* PID's state letter (R, S, D, T, t, Z, ...), 0 when it cannot be read
 * (errno as above). */
char proc_state(pid_t pid);

#endif
