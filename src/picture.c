#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "picture.h"
#include "xmalloc.h"

#define CMDLINE_MAX 4096

void picture_names_init(struct picture_names *pn, bool live)
{
	memset(pn, 0, sizeof(*pn));
	pn->live = live;
}

void picture_names_free(struct picture_names *pn)
{
	for (size_t i = 0; i < pn->n; i++)
		free(pn->v[i].cmdline);
	free(pn->v);
	memset(pn, 0, sizeof(*pn));
}

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

static const struct proc_name *find(const struct picture_names *pn, int32_t pid)
{
	for (size_t i = 0; i < pn->n; i++)
		if (pn->v[i].pid == pid)
			return &pn->v[i];
	return NULL;
}

void picture_names_see_slow(struct picture_names *pn, int32_t pid)
{
	pn->last_pid = pid;
	pn->have_last = true;
	if (!pn->live || find(pn, pid))
		return;
	pn->v = xgrow(pn->v, &pn->cap, pn->n + 1, sizeof(*pn->v));
	pn->v[pn->n++] = (struct proc_name){ .pid = pid, .cmdline = read_cmdline(pid) };
}

uint32_t picture_names_id(const struct picture_names *pn, struct intern *in,
			  const struct render_proc *proc)
{
	const struct proc_name *p = find(pn, proc->pid);
	if (p && p->cmdline)
		return intern_id(in, p->cmdline, strlen(p->cmdline));
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
