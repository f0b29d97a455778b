/* How a trace ends, and what happens to the -c command then: the one
 * policy every engine follows.
 *
 * Tracing ends when the target ends, on a stop request (SIGINT, SIGTERM or
 * SIGHUP to pytrace), at --duration, or when the trace can no longer be
 * written (a closed or failing output).
 *
 * With -c the command is the user's program, and it is treated as a shell
 * would treat it:
 *  - --duration and a closed output stop tracing only.  The command runs on
 *    untraced to its end and pytrace exits with its status; a signal that
 *    reaches pytrace meanwhile is handled as below.
 *  - A stop signal reaches the command the way a terminal's would: a
 *    terminal's Ctrl-C has reached the command's process group already; a
 *    signal sent to pytrace alone (kill, timeout) is passed on to the
 *    command's main process and to its processes still in its process
 *    group.  A process that left the group on purpose (setsid: a daemon)
 *    is left alone, as a terminal would leave it.
 *  - Tracing goes on while the command ends, so its last calls are in the
 *    trace.  What has not ended SUPERVISE_GRACE_NS after the request gets
 *    SIGTERM (the main process and the group), and SUPERVISE_KILL_NS later
 *    SIGKILL.
 *  - When the main process has ended, the command's processes that still
 *    run are named: their traces are cut there.
 *  - A main process still there SPAWN_GIVEUP_NS after SIGKILL is stuck in
 *    the kernel: pytrace says so and stops waiting for it (status
 *    128+SIGKILL), so a stop request always ends pytrace within seconds.
 * An engine's own helper process (stap) is stopped by the same clock: asked
 * (SIGINT), SIGTERM after SUPERVISE_GRACE_NS, SIGKILL SUPERVISE_KILL_NS
 * later (struct escalation). */
#ifndef PYTRACE_SUPERVISE_H
#define PYTRACE_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "spawn.h"

#define SUPERVISE_GRACE_NS  1000000000ull   /* asked to stop: time to end on its own */
#define SUPERVISE_KILL_NS   5000000000ull   /* after SIGTERM: time before SIGKILL */
#define SUPERVISE_POLL_MS   50              /* the final wait's tick */

/* The escalation of one stop request. */
struct escalation {
	uint64_t since;   /* when the stop was asked (0: not asked) */
	int step;         /* 0 asked, 1 SIGTERM sent, 2 SIGKILL sent */
};

void escalation_begin(struct escalation *e, uint64_t now);
/* The signal due at now (SIGTERM once SUPERVISE_GRACE_NS have passed,
 * SIGKILL SUPERVISE_KILL_NS after that), each once; 0 when none is due. */
int escalation_due(struct escalation *e, uint64_t now);
/* SIGKILL was sent SPAWN_GIVEUP_NS before now: what is still there will
 * not end (spawn.h). */
bool escalation_hopeless(const struct escalation *e, uint64_t now);

/* The -c command's processes besides its main one, as the engine knows its
 * tree (bpf: the kernel's fork/exit events; stap: /proc, proc_tree.h).
 * Sends sig (0: none) to each, to those still in the command's process
 * group only when group_only, and returns how many there are; the first
 * few pids go into some (may be NULL). */
typedef int (*supervise_others_fn)(void *ctx, bool group_only, int sig, char *some, size_t len);

struct supervisor {
	struct spawn *child;          /* -c: the command; NULL with -p */
	supervise_others_fn others;   /* may be NULL: the main process only */
	void *ctx;
	double duration;              /* --duration in seconds (0: none) */
	uint64_t deadline;            /* set by supervise_started */
	bool stopping;                /* a stop signal came: the command is ending */
	bool timed;                   /* --duration has passed */
	struct escalation esc;
};

enum supervise_verdict {
	SUP_TRACE,    /* trace on */
	SUP_DETACH,   /* stop tracing; with -c, supervise_wait() for the command */
	SUP_DONE,     /* -c: the command ended (and, after a stop, its group) */
};

void supervise_init(struct supervisor *s, struct spawn *child, double duration,
		    supervise_others_fn others, void *ctx);
/* Tracing has begun (probes in place): --duration counts from now. */
void supervise_started(struct supervisor *s, uint64_t now);
/* One turn of an engine's loop at time now.  p (may be NULL) is asked
 * whether the trace can still be written.  Sets res->interrupted on a stop
 * or --duration, res->target_exited when the command ended.  With -p only
 * stops are decided here: the engine watches its target itself. */
enum supervise_verdict supervise_tick(struct supervisor *s, struct pipeline *p,
				      struct run_result *res, uint64_t now);
/* Tracing has stopped: wait for the -c command to end, passing stop
 * signals on and escalating as above.  Nothing to do with -p. */
void supervise_wait(struct supervisor *s, struct run_result *res);

#endif
