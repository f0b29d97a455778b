/* USDT semaphores in a process's own memory (see sema.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "sema.h"

void sema_set_init(struct sema_set *set, const struct stat *st)
{
	memset(set, 0, sizeof(*set));
	set->dev = ((uint64_t)major(st->st_dev) << 20) | minor(st->st_dev);
	set->ino = st->st_ino;
}

void sema_set_add(struct sema_set *set, uint64_t off)
{
	if (!off)
		return;
	for (uint32_t i = 0; i < set->n; i++)
		if (set->off[i] == off)
			return;
	if (set->n < SEMA_MAX)
		set->off[set->n++] = off;
}

/* The address of each counter of set in pid, 0 where its page is not
 * mapped private and writable from the file.  Returns how many were found,
 * or -1 when pid's maps cannot be read. */
static int locate(pid_t pid, const struct sema_set *set, uint64_t *addr)
{
	char path[64], line[4096];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	memset(addr, 0, sizeof(*addr) * set->n);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, pgoff, ino;
		unsigned major, minor;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &start, &end, perms, &pgoff,
			   &major, &minor, &ino) != 7)
			continue;
		/* A file page can be mapped twice (the last page of read-only data
		 * and the first of the writable data): the counter is the copy in
		 * the private writable mapping. */
		if (ino != set->ino || (((uint64_t)major << 20) | minor) != set->dev ||
		    perms[1] != 'w' || perms[3] != 'p')
			continue;
		for (uint32_t i = 0; i < set->n; i++)
			if (!addr[i] && set->off[i] >= pgoff && set->off[i] + 2 <= pgoff + (end - start)) {
				addr[i] = start + (set->off[i] - pgoff);
				found++;
			}
	}
	fclose(f);
	return found;
}

/* One 16-bit counter of pid, through process_vm_readv/writev: they need
 * only the right to ptrace pid, not write access to /proc/PID/mem's file
 * (which is its owner's), and the counter's page is writable anyway. */
static int rw_counter(pid_t pid, uint64_t addr, uint16_t *v, bool write, char *err, size_t errlen)
{
	struct iovec local = { v, sizeof(*v) };
	struct iovec remote = { (void *)(uintptr_t)addr, sizeof(*v) };
	ssize_t n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
			  : process_vm_readv(pid, &local, 1, &remote, 1, 0);
	int e = errno;

	if (n == (ssize_t)sizeof(*v))
		return 0;
	if (err)
		err_set(err, errlen, "PID %d: cannot %s the semaphore at 0x%" PRIx64 ": %s",
			(int)pid, write ? "write" : "read", addr, strerror(e));
	errno = e;   /* the caller tells ESRCH (gone) from EPERM */
	return -1;
}

int sema_adjust(pid_t pid, const struct sema_set *set, int delta, char *err, size_t errlen)
{
	uint64_t addr[SEMA_MAX];
	int found;

	if (set->n > SEMA_MAX)
		return err_set(err, errlen, "too many semaphores (%u)", set->n);
	found = locate(pid, set, addr);
	if (found < 0) {
		int e = errno == ENOENT ? ESRCH : errno;   /* no /proc/PID: gone */

		err_set(err, errlen, "PID %d: cannot read its memory map: %s", (int)pid, strerror(e));
		errno = e;
		return -1;
	}
	for (uint32_t i = 0; i < set->n; i++) {
		uint16_t v;

		if (!addr[i])
			continue;
		if (rw_counter(pid, addr[i], &v, false, err, errlen) < 0)
			return -1;
		if (delta < 0 && v == 0)
			continue;   /* not ours to lower (already lowered, or a new image) */
		v = (uint16_t)(v + delta);
		if (rw_counter(pid, addr[i], &v, true, err, errlen) < 0)
			return -1;
	}
	return found;
}
