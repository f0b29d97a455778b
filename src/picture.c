#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "picture.h"
#include "xmalloc.h"

#define CMDLINE_MAX 4096

/* /proc/PID/cmdline with the NULs between arguments as spaces; NULL when
 * unreadable or empty (a zombie, a kernel thread). */
static char *read_cmdline(int32_t pid)
{
	char path[64], buf[CMDLINE_MAX];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	return n ? xstrndup(buf, (size_t)n) : NULL;
}

uint32_t proc_cmdline_id(struct intern *in, int32_t pid)
{
	char *s = read_cmdline(pid);
	uint32_t id = s ? intern_id(in, s, strlen(s)) : 0;
	free(s);
	return id;
}

uint32_t picture_proc_name(struct intern *in, const struct render_proc *proc)
{
	if (proc->cmdline)
		return proc->cmdline;
	if (proc->comm)
		return proc->comm;
	return intern_id(in, "python", 6);
}

size_t thread_label(char *buf, int32_t pid, int32_t tid, bool short_form)
{
	int n;
	if (tid == pid && short_form)
		n = snprintf(buf, 40, "main");
	else
		n = snprintf(buf, 40, tid == pid ? "main (tid %d)" : "tid %d", (int)tid);
	return n > 0 ? (size_t)n : 0;
}

int64_t wall_clock_offset_ns(bool live)
{
	struct timespec mono, wall;
	if (!live)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	return ((int64_t)wall.tv_sec - mono.tv_sec) * 1000000000 + (wall.tv_nsec - mono.tv_nsec);
}

size_t fmt_utc(char *buf, int64_t unix_ns)
{
	time_t sec = (time_t)(unix_ns / 1000000000);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	int k = snprintf(buf + n, 40 - n, ".%09dZ", (int)(unix_ns % 1000000000));
	return n + (k > 0 ? (size_t)k : 0);
}
