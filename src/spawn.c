/* The -c child: forked early (before any BPF object exists, so it inherits
 * none of the tracer's descriptors), parked on a pipe until the tracer has
 * attached, then exec'd as /bin/sh -c CMD. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "pipe_byte.h"
#include "proc_stat.h"
#include "spawn.h"
#include "xmalloc.h"

extern char **environ;

int spawn_user_resolve(const char *name, struct spawn_user *u, char *err, size_t errlen)
{
	struct passwd *pw;
	size_t n = 0, k = 0;

	memset(u, 0, sizeof(*u));
	errno = 0;
	pw = getpwnam(name);
	if (!pw) {
		char *end;
		long id = strtol(name, &end, 10);

		if (*name && !*end && id >= 0)
			pw = getpwuid((uid_t)id);
	}
	if (!pw)
		return err_set(err, errlen, "-u %s: no such user", name);
	if (geteuid() != 0 && pw->pw_uid != geteuid())
		return err_set(err, errlen, "-u %s: running the command as another user needs root "
			       "(run pytrace with sudo)", name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	u->ngroups = 16;
	u->groups = xmalloc(sizeof(*u->groups) * (size_t)u->ngroups);
	if (getgrouplist(pw->pw_name, pw->pw_gid, u->groups, &u->ngroups) < 0) {
		u->groups = xrealloc(u->groups, sizeof(*u->groups) * (size_t)u->ngroups);
		if (getgrouplist(pw->pw_name, pw->pw_gid, u->groups, &u->ngroups) < 0)
			u->ngroups = 0;
	}
	/* pytrace's environment, with the user's HOME, USER and LOGNAME. */
	while (environ[n])
		n++;
	u->envp = xcalloc(n + 4, sizeof(*u->envp));
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "HOME=", 5) && strncmp(environ[i], "USER=", 5) &&
		    strncmp(environ[i], "LOGNAME=", 8))
			u->envp[k++] = xstrdup(environ[i]);
	u->envp[k++] = xasprintf("HOME=%s", pw->pw_dir);
	u->envp[k++] = xasprintf("USER=%s", pw->pw_name);
	u->envp[k++] = xasprintf("LOGNAME=%s", pw->pw_name);
	return 0;
}

void spawn_user_free(struct spawn_user *u)
{
	if (u->envp)
		for (char **e = u->envp; *e; e++)
			free(*e);
	free(u->envp);
	free(u->groups);
	memset(u, 0, sizeof(*u));
}

/* A message from the child: write(2) only. */
static void child_say(const char *a, const char *b)
{
	if (write(STDERR_FILENO, a, strlen(a)) < 0 || write(STDERR_FILENO, b, strlen(b)) < 0)
		return;
}

static void child_wait_and_exec(const char *cmd, bool out_to_err, const struct spawn_user *user,
				int rfd)
{
	static const int reset[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD };
	sigset_t none;

	/* The command's signals are its own: undo what pytrace installed or
	 * ignored (SIG_IGN survives exec). */
	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		signal(reset[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Capabilities pytrace was given as ambient ones (setpriv, a service
	 * unit) are for tracing, not for the command. */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

	if (!pipe_byte_wait(rfd))
		_exit(127);   /* the tracer gave up: run nothing */
	close(rfd);
	if (out_to_err && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(127);
	if (user) {
		if (setgroups((size_t)user->ngroups, user->groups) < 0 ||
		    setresgid(user->gid, user->gid, user->gid) < 0 ||
		    setresuid(user->uid, user->uid, user->uid) < 0) {
			child_say("pytrace: -u: cannot become the user: ", strerror(errno));
			child_say("\n", "");
			_exit(126);
		}
		execle("/bin/sh", "sh", "-c", cmd, (char *)NULL, user->envp);
		_exit(127);
	}
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

int spawn_command(const char *cmd, bool out_to_err, const struct spawn_user *user,
		  struct spawn *s, char *err, size_t errlen)
{
	int fds[2];

	memset(s, 0, sizeof(*s));
	s->go_fd = -1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set(err, errlen, "cannot create a pipe for the -c command: %s", strerror(errno));
	s->pid = fork();
	if (s->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_set(err, errlen, "cannot fork for the -c command: %s", strerror(errno));
	}
	if (s->pid == 0) {
		close(fds[1]);
		child_wait_and_exec(cmd, out_to_err, user, fds[0]);
	}
	close(fds[0]);
	s->go_fd = fds[1];
	return 0;
}

int spawn_release(struct spawn *s, char *err, size_t errlen)
{
	int rc = pipe_byte_send(s->go_fd), e = errno;

	close(s->go_fd);
	s->go_fd = -1;
	if (rc < 0)
		return err_set(err, errlen, "cannot start the -c command: %s", strerror(e));
	return 0;
}

void spawn_abort(struct spawn *s)
{
	uint64_t since = now_ns();
	bool killed = false;

	if (s->go_fd >= 0) {
		close(s->go_fd);
		s->go_fd = -1;
	}
	/* It reads EOF and exits at once; one that does not (stopped, or held
	 * by a tracer) is killed, and never waited for without end. */
	while (!spawn_poll(s)) {
		uint64_t now = now_ns();

		if (!killed && now - since >= SPAWN_ABORT_GRACE_NS) {
			kill(s->pid, SIGKILL);
			killed = true;
			since = now;
		} else if (killed && now - since >= SPAWN_GIVEUP_NS) {
			spawn_give_up(s, "the held command");
			break;
		}
		poll(NULL, 0, 20);
	}
}

bool spawn_poll(struct spawn *s)
{
	if (!s->reaped && !s->given_up && waitpid(s->pid, &s->wstatus, WNOHANG) == s->pid)
		s->reaped = true;
	return s->reaped || s->given_up;
}

/* "state D in wchan_function" for pid, from /proc (empty when gone). */
static void proc_state_text(pid_t pid, char *buf, size_t len)
{
	char path[64], wchan[128] = "", state = proc_state(pid);
	ssize_t n;
	int fd;

	buf[0] = '\0';
	if (!state)
		return;
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, wchan, sizeof(wchan) - 1);
		close(fd);
		wchan[n > 0 ? n : 0] = '\0';
	}
	snprintf(buf, len, "state %c%s%s", state, wchan[0] && strcmp(wchan, "0") ? " in " : "",
		 strcmp(wchan, "0") ? wchan : "");
}

void spawn_say_stuck(pid_t pid, const char *what)
{
	char state[192];

	proc_state_text(pid, state, sizeof(state));
	warn_msg("%s (PID %d) has not ended %llu s after SIGKILL%s%s%s: it is stuck in the kernel; "
		 "pytrace stops waiting for it", what, (int)pid, SPAWN_GIVEUP_NS / 1000000000ull,
		 state[0] ? " (" : "", state, state[0] ? ")" : "");
}

void spawn_give_up(struct spawn *s, const char *what)
{
	spawn_say_stuck(s->pid, what);
	s->given_up = true;
	s->wstatus = SIGKILL;   /* as if killed: the signal it has pending */
}

int spawn_exit_code(const struct spawn *s)
{
	if (WIFEXITED(s->wstatus))
		return WEXITSTATUS(s->wstatus);
	if (WIFSIGNALED(s->wstatus))
		return 128 + WTERMSIG(s->wstatus);
	return 1;
}
