/* Running the -c command the way `stap -c` does: through /bin/sh -c, held
 * back until the tracer is ready, so nothing it runs escapes the trace. */
#ifndef PYTRACE_SPAWN_H
#define PYTRACE_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* -u USER, resolved in the tracer (the child may only call what is safe
 * after fork in a threaded process): ids, groups, and the environment
 * with the user's HOME, USER and LOGNAME. */
struct spawn_user {
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int ngroups;
	char **envp;
};

/* 0, or -1 with err (no such user; not root). */
int spawn_user_resolve(const char *name, struct spawn_user *u, char *err, size_t errlen);
void spawn_user_free(struct spawn_user *u);

struct spawn {
	pid_t pid;        /* the /bin/sh running the command */
	int go_fd;        /* write end of the child's start pipe, -1 once used */
	bool reaped;
	bool given_up;    /* still there after SIGKILL: no longer waited for */
	int wstatus;      /* valid once reaped (given up: killed by SIGKILL) */
};

/* Fork a child that waits, then runs /bin/sh -c cmd with pytrace's stdin,
 * stdout and stderr and default signal dispositions; with out_to_err its
 * stdout is pytrace's stderr (the trace has stdout); with user (may be
 * NULL) it runs as that user.  It does not start
 * before spawn_release(); if the tracer gives up (spawn_abort or exit) the
 * child exits 127 without running anything.  Returns 0, or -1 with err. */
int spawn_command(const char *cmd, bool out_to_err, const struct spawn_user *user,
		  struct spawn *s, char *err, size_t errlen);

/* Let the command start.  Returns 0, or -1 with err. */
int spawn_release(struct spawn *s, char *err, size_t errlen);

/* The child never started (setup failed): make it exit and reap it,
 * killing it after SPAWN_ABORT_GRACE_NS and giving up on it (a warning)
 * SPAWN_GIVEUP_NS after that: never a wait without end. */
void spawn_abort(struct spawn *s);

/* Reap the child if it ended; true once it has, or was given up. */
bool spawn_poll(struct spawn *s);

/* Stop waiting for a child that SIGKILL did not end (stuck in the kernel,
 * /proc names where): its status is then 128+SIGKILL, the signal it has
 * pending.  Says so, with what (names the process: "the command"). */
void spawn_give_up(struct spawn *s, const char *what);

/* A process not gone this long after SIGKILL is stuck in the kernel (an
 * uninterruptible sleep): waiting longer only makes pytrace hang with it. */
#define SPAWN_GIVEUP_NS      5000000000ull
#define SPAWN_ABORT_GRACE_NS 1000000000ull   /* a held child exits at once */

/* The warning of a process SIGKILL did not end (what: "the command",
 * "stap"), with its state and kernel wait point from /proc. */
void spawn_say_stuck(pid_t pid, const char *what);

/* The command's status as a shell would report it: the exit code, or
 * 128+N when it was killed by signal N. */
int spawn_exit_code(const struct spawn *s);

#endif
