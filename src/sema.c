/* USDT semaphores in a process's own memory (see sema.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
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

static int open_mem(pid_t pid, int flags, char *err, size_t errlen)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errlen, "cannot open %s: %s", path, strerror(errno));
	return fd;
}

int sema_adjust(pid_t pid, const struct sema_set *set, int delta, char *err, size_t errlen)
{
	uint64_t addr[SEMA_MAX];
	int found, fd;

	if (set->n > SEMA_MAX)
		return err_set(err, errlen, "too many semaphores (%u)", set->n);
	found = locate(pid, set, addr);
	if (found < 0)
		return err_set(err, errlen, "PID %d: cannot read its memory map: %s", (int)pid,
			       strerror(errno));
	if (found == 0)
		return 0;
	fd = open_mem(pid, O_RDWR, err, errlen);
	if (fd < 0)
		return -1;
	for (uint32_t i = 0; i < set->n; i++) {
		uint16_t v;

		if (!addr[i])
			continue;
		if (pread(fd, &v, sizeof(v), (off_t)addr[i]) != (ssize_t)sizeof(v)) {
			int e = errno;

			close(fd);
			return err_set(err, errlen, "PID %d: cannot read the semaphore at 0x%" PRIx64
				       ": %s", (int)pid, addr[i], strerror(e));
		}
		if (delta < 0 && v == 0)
			continue;   /* not ours to lower (already lowered, or a new image) */
		v = (uint16_t)(v + delta);
		if (pwrite(fd, &v, sizeof(v), (off_t)addr[i]) != (ssize_t)sizeof(v)) {
			int e = errno;

			close(fd);
			return err_set(err, errlen, "PID %d: cannot write the semaphore at 0x%" PRIx64
				       ": %s", (int)pid, addr[i], strerror(e));
		}
	}
	close(fd);
	return found;
}

int sema_read(pid_t pid, const struct sema_set *set, uint16_t *val, char *err, size_t errlen)
{
	uint64_t addr[SEMA_MAX];
	int found, fd;

	if (set->n > SEMA_MAX)
		return err_set(err, errlen, "too many semaphores (%u)", set->n);
	found = locate(pid, set, addr);
	if (found <= 0)
		return found < 0 ? err_set(err, errlen, "PID %d: cannot read its memory map: %s",
					   (int)pid, strerror(errno)) : 0;
	fd = open_mem(pid, O_RDONLY, err, errlen);
	if (fd < 0)
		return -1;
	for (uint32_t i = 0; i < set->n; i++) {
		val[i] = 0;
		if (addr[i] && pread(fd, &val[i], sizeof(val[i]), (off_t)addr[i]) != (ssize_t)sizeof(val[i]))
			val[i] = 0;
	}
	close(fd);
	return found;
}
