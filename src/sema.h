/* USDT semaphores raised in one process's own memory.
 *
 * A marker guarded by a semaphore (CPython guards all of its markers) runs
 * only while the 16-bit counter at the semaphore's address is non-zero.
 * The counter lives in the writable data of the file that carries the
 * markers, so each process has its own.  pytrace raises it in the processes
 * it traces (process_vm_writev: the right to ptrace them is enough), and lowers it again when it is done:
 * a process it does not trace keeps every counter at zero and never reaches
 * a probe, even one planted in its pages. */
#ifndef PYTRACE_SEMA_H
#define PYTRACE_SEMA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>


#define SEMA_MAX 10   /* counters per marker file: one per marker is plenty */

/* A marker file (executable or libpython) and the file offsets of the
 * semaphores to raise in it.  dev is the kernel's encoding
 * (major << 20 | minor), as /proc/PID/maps and the BPF side see it. */
struct sema_set {
	uint64_t dev, ino;
	uint64_t off[SEMA_MAX];
	uint32_t n, pad;
};

/* An empty set for the file st describes. */
void sema_set_init(struct sema_set *set, const struct stat *st);

/* Add the semaphore at file offset off (0: none) unless already there. */
void sema_set_add(struct sema_set *set, uint64_t off);

/* Add delta (+1 or -1) to each counter of set as mapped (private, writable)
 * in pid.  A counter already at 0 is never lowered.  Returns how many
 * counters were found mapped (0: the file's data is not mapped in pid), or
 * -1 with err and errno (ESRCH: the process is gone; EPERM: we may not
 * ptrace it). */
int sema_adjust(pid_t pid, const struct sema_set *set, int delta, char *err, size_t errlen);

#endif
