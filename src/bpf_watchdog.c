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

#include "engine_bpf.h"
#include "bpf_watchdog.h"
#include "proc_stat.h"
#include "log.h"
#include "pipe_byte.h"
#include "sema.h"

#define RESUME_ROUNDS   10          /* look again: probes go away a moment after pytrace */
#define RESUME_PAUSE_NS 100000000L

/* 'T' in /proc/PID/stat: stopped by a signal (ours), not traced ('t'). */
static bool stopped(pid_t pid)
{
	return proc_state(pid) == 'T';
}

_Static_assert(sizeof(struct sema_set) == BPF_SEMA_VALUE_SIZE, "marker_files value = sema_set");

/* Resume the processes of the map that we stopped and that are still
 * stopped; one the user stopped (SIGSTOP, Ctrl-Z) stays stopped. */
static void resume_held(int procs_fd)
{
	struct timespec pause = { 0, RESUME_PAUSE_NS };

	for (int round = 0; round < RESUME_ROUNDS; round++) {
		__u32 key, next;
		void *prev = NULL;

		while (bpf_map_get_next_key(procs_fd, prev, &next) == 0) {
			struct bpf_proc v;

			if (bpf_map_lookup_elem(procs_fd, &next, &v) == 0 && v.held && stopped((pid_t)next))
				kill((pid_t)next, SIGCONT);
			key = next;
			prev = &key;
		}
		nanosleep(&pause, NULL);
	}
}

int bpf_lower_raised(int procs_fd, int files_fd)
{
	int lowered = 0;

	/* A fork while we go copies raised counters (and the map entry says
	 * so): look again until no process is left raised. */
	for (int round = 0; round < 4; round++) {
		__u32 key, next;
		void *prev = NULL;
		bool any = false;

		while (bpf_map_get_next_key(procs_fd, prev, &next) == 0) {
			struct bpf_proc v;

			key = next;
			prev = &key;
			if (bpf_map_lookup_elem(procs_fd, &key, &v) < 0 || !v.raised)
				continue;
			struct bpf_file_key fk, fnext;
			void *fprev = NULL;

			while (bpf_map_get_next_key(files_fd, fprev, &fnext) == 0) {
				struct sema_set set;
				char err[256];

				fk = fnext;
				fprev = &fk;
				if (bpf_map_lookup_elem(files_fd, &fk, &set) == 0)
					sema_adjust((pid_t)key, &set, -1, err, sizeof(err));
			}
			/* After the memory: a fork in between is seen next round. */
			v.raised = 0;
			bpf_map_update_elem(procs_fd, &key, &v, BPF_EXIST);
			any = true;
			lowered++;
		}
		if (!any)
			break;
	}
	return lowered;
}

/* Keep only stdin/out/err (on /dev/null), the pipe and the maps: no BPF
 * program, link or ring buffer of pytrace's survives in the watchdog. */
static void keep_only(int a, int b, int c)
{
	int keep[3] = { a, b, c };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	unsigned lo = 3;

	if (null >= 0) {
		for (int fd = 0; fd <= 2; fd++)
			if (fd != null)
				dup2(null, fd);
		if (null > 2 && null != a && null != b && null != c)
			close(null);
	}
	/* Sort the three, then close the gaps between them. */
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[j];
				keep[j] = t;
			}
	for (int i = 0; i < 3; i++) {
		if ((unsigned)keep[i] > lo)
			close_range(lo, (unsigned)keep[i] - 1, 0);
		lo = (unsigned)keep[i] + 1;
	}
	close_range(lo, ~0u, 0);
}

static _Noreturn void watch(int rfd, int map_fd, int files_fd)
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
	if (files_fd < 3)
		files_fd = fcntl(files_fd, F_DUPFD, 3);
	keep_only(rfd, map_fd, files_fd);
	if (!pipe_byte_wait(rfd)) {   /* EOF: pytrace is gone */
		bpf_lower_raised(map_fd, files_fd);
		resume_held(map_fd);
	}
	_exit(0);
}

int bpf_watchdog_start(struct bpf_watchdog *w, int procs_map_fd, int files_map_fd,
		       char *err, size_t errlen)
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
		watch(fds[0], procs_map_fd, files_map_fd);
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
