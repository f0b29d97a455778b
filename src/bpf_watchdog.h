/* A guard for the processes the bpf engine stops at exec (-c).
 *
 * The kernel side stops (SIGSTOP) a traced process that execs an unknown
 * file until pytrace has looked at it.  If pytrace dies abruptly (SIGKILL,
 * OOM) in that window, the kernel detaches every probe, but nobody would
 * ever resume the stopped process.  The watchdog is a small child process
 * that keeps the traced-process map open and waits on a pipe: EOF without
 * a goodbye means pytrace died, and it resumes every process of the map
 * that is stopped, then exits. */
#ifndef PYTRACE_BPF_WATCHDOG_H
#define PYTRACE_BPF_WATCHDOG_H

#include <stddef.h>
#include <sys/types.h>

struct bpf_watchdog {
	pid_t pid;     /* 0: not running */
	int fd;        /* write end of the pipe the watchdog reads */
};

/* Fork the watchdog; procs_map_fd is the BPF map of traced pids (keys are
 * __u32 tgids).  Returns 0, or -1 with err. */
int bpf_watchdog_start(struct bpf_watchdog *w, int procs_map_fd, char *err, size_t errlen);

/* A normal end: tell the watchdog there is nothing to do, and reap it. */
void bpf_watchdog_stop(struct bpf_watchdog *w);

#endif
