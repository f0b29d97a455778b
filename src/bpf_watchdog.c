/* The watchdog of processes held at exec (see bpf_watchdog.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf_watchdog.h"
#include "log.h"
#include "pipe_byte.h"

#define RESUME_ROUNDS   10          /* look again: probes go away a moment after pytrace */
#define RESUME_PAUSE_NS 100000000L

/* 'T' in /proc/PID/stat: stopped by a signal (ours), not traced ('t'). */
static bool stopped(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');   /* the name may hold anything, even ") T" */
	return p && p[1] == ' ' && p[2] == 'T';
}

static void resume_stopped(int map_fd)
{
	struct timespec pause = { 0, RESUME_PAUSE_NS };

	for (int round = 0; round < RESUME_ROUNDS; round++) {
		__u32 key, next;
		void *prev = NULL;

		while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
			if (stopped((pid_t)next))
				kill((pid_t)next, SIGCONT);
			key = next;
			prev = &key;
		}
		nanosleep(&pause, NULL);
	}
}

/* Keep only stdin/out/err (on /dev/null), the pipe and the map: no BPF
 * program, link or ring buffer of pytrace's survives in the watchdog. */
static void keep_only(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		for (int fd = 0; fd <= 2; fd++)
			if (fd != null)
				dup2(null, fd);
		if (null > 2 && null != a && null != b)
			close(null);
	}
	if (lo > 3)
		close_range(3, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0u, 0);
}

static _Noreturn void watch(int rfd, int map_fd)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP };
	sigset_t none;

	/* Ctrl-C reaches the whole process group; only pytrace's end matters. */
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "pytrace-watch", 0, 0, 0);
	if (rfd < 3)   /* pytrace started with a closed stdin/out/err */
		rfd = fcntl(rfd, F_DUPFD, 3);
	if (map_fd < 3)
		map_fd = fcntl(map_fd, F_DUPFD, 3);
	keep_only(rfd, map_fd);
	if (!pipe_byte_wait(rfd))
		resume_stopped(map_fd);   /* EOF: pytrace is gone */
	_exit(0);
}

int bpf_watchdog_start(struct bpf_watchdog *w, int procs_map_fd, char *err, size_t errlen)
{
	int fds[2];

	w->pid = 0;
	w->fd = -1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(err, errlen, "cannot create the watchdog's pipe: %s", strerror(errno));
	w->pid = fork();
	if (w->pid < 0) {
		w->pid = 0;
		close(fds[0]);
		close(fds[1]);
		return err_set(err, errlen, "cannot fork the watchdog: %s", strerror(errno));
	}
	if (w->pid == 0) {
		close(fds[1]);
		watch(fds[0], procs_map_fd);
	}
	close(fds[0]);
	w->fd = fds[1];
	return 0;
}

void bpf_watchdog_stop(struct bpf_watchdog *w)
{
	if (w->pid <= 0)
		return;
	pipe_byte_send(w->fd);   /* stand down: nothing to resume */
	close(w->fd);
	w->fd = -1;
	while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
}
