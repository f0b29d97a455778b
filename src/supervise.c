/* The stop policy of supervise.h, for every engine. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>

#include "clock.h"
#include "log.h"
#include "pipeline.h"
#include "signals.h"
#include "supervise.h"

void escalation_begin(struct escalation *e, uint64_t now)
{
	e->since = now ? now : 1;
	e->step = 0;
}

int escalation_due(struct escalation *e, uint64_t now)
{
	if (!e->since || now < e->since)
		return 0;
	if (e->step == 0 && now - e->since >= SUPERVISE_GRACE_NS) {
		e->step = 1;
		return SIGTERM;
	}
	if (e->step == 1 && now - e->since >= SUPERVISE_GRACE_NS + SUPERVISE_KILL_NS) {
		e->step = 2;
		return SIGKILL;
	}
	return 0;
}

bool escalation_hopeless(const struct escalation *e, uint64_t now)
{
	return e->step == 2 && now >= e->since &&
	       now - e->since >= SUPERVISE_GRACE_NS + SUPERVISE_KILL_NS + SPAWN_GIVEUP_NS;
}

void supervise_init(struct supervisor *s, struct spawn *child, double duration,
		    supervise_others_fn others, void *ctx)
{
	*s = (struct supervisor){ .child = child, .others = others, .ctx = ctx,
				  .duration = duration };
}

void supervise_started(struct supervisor *s, uint64_t now)
{
	if (s->duration > 0)
		s->deadline = now + (uint64_t)(s->duration * 1e9);
}

static int others(struct supervisor *s, bool group_only, int sig, char *some, size_t len)
{
	if (some && len)
		some[0] = '\0';
	return s->others ? s->others(s->ctx, group_only, sig, some, len) : 0;
}

/* Ask the command to end, as a shell would: its main process and those
 * still in its process group. */
static void signal_command(struct supervisor *s, int sig)
{
	if (!s->child->reaped)
		kill(s->child->pid, sig);
	others(s, true, sig, NULL, 0);
}

/* A stop signal came: start the escalation.  One sent to pytrace alone
 * (kill, timeout) goes on to the command, as a shell passes it on; a
 * terminal's reached the command's group already. */
static void begin_stop(struct supervisor *s, struct run_result *res, uint64_t now)
{
	s->stopping = true;
	escalation_begin(&s->esc, now);
	res->interrupted = true;
	if (s->child && stop_signal_sent())
		signal_command(s, stop_signal_sent());
}

/* The command's main process ended: say which of its processes run on. */
static void report_left(struct supervisor *s)
{
	char some[96];
	int n = others(s, false, 0, some, sizeof(some));

	if (n > 0)
		info_msg("the command's main process ended; %d of its processes still run%s%s%s: "
			 "their traces are cut here, they run on untraced", n, " (PID ", some,
			 n > 5 ? ", ...)" : ")");
}

enum supervise_verdict supervise_tick(struct supervisor *s, struct pipeline *p,
				      struct run_result *res, uint64_t now)
{
	if (!s->timed && s->deadline && now >= s->deadline) {
		s->timed = true;
		/* -c: stop tracing, let the command finish (supervise_wait). */
		if (s->child && !s->stopping) {
			info_msg("--duration %g s reached: tracing stopped; the command runs on "
				 "untraced to its end", s->duration);
			res->interrupted = true;
			return SUP_DETACH;
		}
		request_stop();
	}
	/* Nobody reads the trace any more (| head), or it cannot be written:
	 * stop tracing, but a -c command still gets to finish.  A write error
	 * is said at once, not only when that command ends. */
	if (p && pipeline_output_closed(p)) {
		char why[512];

		if (pipeline_output_error(p, why, sizeof(why)) < 0)
			warn_msg("%s: tracing stopped%s", why,
				 s->child ? "; the command runs on untraced" : "");
		return SUP_DETACH;
	}
	if (stop_requested() && !s->stopping)
		begin_stop(s, res, now);
	if (!s->child)
		return s->stopping ? SUP_DETACH : SUP_TRACE;
	if (spawn_poll(s->child)) {
		/* After a stop, the rest of the command's group gets the same
		 * escalation before pytrace leaves. */
		if (!s->stopping || s->esc.step == 2 || others(s, true, 0, NULL, 0) == 0) {
			res->target_exited = true;
			report_left(s);
			return SUP_DONE;
		}
	}
	if (s->stopping) {
		int sig = escalation_due(&s->esc, now);

		if (sig)
			signal_command(s, sig);
		if (escalation_hopeless(&s->esc, now)) {
			spawn_give_up(s->child, "the command");
			res->target_exited = true;
			return SUP_DONE;
		}
	}
	return SUP_TRACE;
}

void supervise_wait(struct supervisor *s, struct run_result *res)
{
	if (!s->child)
		return;
	while (!spawn_poll(s->child)) {
		uint64_t now = now_ns();

		if (stop_requested() && !s->stopping)
			begin_stop(s, res, now);
		if (s->stopping) {
			int sig = escalation_due(&s->esc, now);

			if (sig)
				signal_command(s, sig);
			if (escalation_hopeless(&s->esc, now)) {
				spawn_give_up(s->child, "the command");
				break;
			}
		}
		/* A signal cuts the sleep short (no SA_RESTART): seen at once. */
		poll(NULL, 0, SUPERVISE_POLL_MS);
	}
}
