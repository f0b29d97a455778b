/* /proc/PID/stat (proc_stat.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proc_stat.h"

const char *proc_stat_fields(pid_t pid, char *buf, size_t len)
{
	char path[64], *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	/* The kernel makes the whole line in one read. */
	n = read(fd, buf, len - 1);
	int read_errno = errno;
	close(fd);
	if (n <= 0) {
		errno = n < 0 ? read_errno : EIO;
		return NULL;
	}
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	if (!paren || paren[1] != ' ' || !paren[2]) {
		errno = EIO;
		return NULL;
	}
	return paren + 2;
}

char proc_state(pid_t pid)
{
	char buf[512];
	const char *f = proc_stat_fields(pid, buf, sizeof(buf));

	return f ? f[0] : 0;
}
