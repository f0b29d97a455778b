/* A guard for the processes the bpf engine stops and whose semaphores it
 * raises.
 *
 * The kernel side stops (SIGSTOP) a traced process that starts a python
 * until pytrace has raised its semaphores (sema.h).  If pytrace dies
 * abruptly (SIGKILL, OOM), the kernel detaches every probe, but nobody
 * would resume a stopped process or lower the counters, and a process
 * with raised counters keeps running CPython's slower tracing path.  The
 * watchdog is a small child process that keeps the traced-process map and
 * the marker-file map open and waits on a pipe: EOF without a goodbye means
 * pytrace died; it lowers the counters it raised and resumes the processes
 * it stopped (not one the user stopped), then exits. */
#ifndef PYTRACE_BPF_WATCHDOG_H
#define PYTRACE_BPF_WATCHDOG_H

#include <stddef.h>
#include <sys/types.h>

struct bpf_watchdog {
	pid_t pid;     /* 0: not running */
	int fd;        /* write end of the pipe the watchdog reads */
};

/* Fork the watchdog; procs_map_fd is the BPF map of traced pids (keys are
 * __u32 tgids, values struct bpf_proc), files_map_fd the marker files
 * (values struct sema_set).  Returns 0, or -1 with err. */
int bpf_watchdog_start(struct bpf_watchdog *w, int procs_map_fd, int files_map_fd,
		       char *err, size_t errlen);

/* Lower the semaphores of every process of the map marked raised (and
 * clear the mark).  Returns how many processes were lowered. */
int bpf_lower_raised(int procs_fd, int files_fd);

/* A normal end: tell the watchdog there is nothing to do, and reap it. */
void bpf_watchdog_stop(struct bpf_watchdog *w);

#endif
