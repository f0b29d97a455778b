/* pytrace top: a live per-function view of a command or a process, from
 * the engine's in-kernel aggregation (engine_ops.aggregate, agg.h).  On a
 * terminal a full screen redrawn every --interval with keys to sort and
 * pause; without one (a pipe, a file, a CI log) one plain table per
 * interval.  Either way the final table goes to stdout at the end. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "engine.h"
#include "exitcodes.h"
#include "log.h"
#include "plan.h"
#include "signals.h"
#include "summary_kernel.h"
#include "top_keys.h"
#include "top_model.h"
#include "top_screen.h"
#include "top_table.h"
#include "top_term.h"

struct top {
	pthread_mutex_t mu;       /* the engine's thread and the keys' */
	struct top_model model;
	struct top_screen screen;
	struct top_view view;
	bool tty;                 /* full screen; else plain tables */
	long iterations;          /* -n, 0: no limit */
	long taken;               /* interval tables taken in */
	bool have_final;
	bool out_closed;          /* stdout cannot be written: tables stop */
};

static void draw_locked(struct top *t)
{
	int cols, rows;

	if (t->out_closed)
		return;
	top_model_sort(&t->model, t->view.sort);
	top_term_size(&cols, &rows);
	if (top_screen_draw(&t->screen, &t->model, &t->view, cols, rows) < 0) {
		t->out_closed = true;   /* the terminal is gone: stop */
		request_stop();
	}
}

static bool on_snapshot(void *arg, const struct agg_table *tab, bool final)
{
	struct top *t = arg;
	bool go_on = true;

	pthread_mutex_lock(&t->mu);
	if (final) {
		top_model_update(&t->model, tab);
		t->have_final = true;
		pthread_mutex_unlock(&t->mu);
		return false;
	}
	t->taken++;
	if (!(t->tty && t->view.paused)) {
		top_model_update(&t->model, tab);
		if (t->tty) {
			draw_locked(t);
		} else if (!t->out_closed) {
			top_model_sort(&t->model, t->view.sort);
			if (top_table_print(stdout, &t->model, &t->screen.esc, t->view.sort, false) < 0)
				t->out_closed = true;
		}
	}
	if ((t->iterations && t->taken >= t->iterations) || t->out_closed)
		go_on = false;
	if (!go_on && t->tty && !t->out_closed) {
		/* a -c command runs on untraced until it ends (or q) */
		t->view.ended = true;
		draw_locked(t);
	}
	pthread_mutex_unlock(&t->mu);
	return go_on;
}

static void on_key(void *arg, enum top_key key)
{
	struct top *t = arg;

	pthread_mutex_lock(&t->mu);
	switch (key) {
	case TOP_KEY_SORT_CALLS: t->view.sort = TOP_SORT_CALLS; break;
	case TOP_KEY_SORT_TOTAL: t->view.sort = TOP_SORT_TOTAL; break;
	case TOP_KEY_SORT_SELF:  t->view.sort = TOP_SORT_SELF; break;
	case TOP_KEY_PAUSE:      t->view.paused = !t->view.paused; break;
	case TOP_KEY_QUIT:
		/* As a terminal's Ctrl-C ends a trace: the keys' thread blocks
		 * signals, so the engine's thread gets it and, seeing it sent to
		 * pytrace alone, passes it on to the -c command at once. */
		if (!t->view.stopping)
			kill(getpid(), SIGINT);
		t->view.stopping = true;
		break;
	case TOP_KEY_RESIZE: case TOP_KEY_REDRAW: case TOP_KEY_NONE:
		break;
	}
	if (key == TOP_KEY_REDRAW && !t->out_closed &&
	    write(STDOUT_FILENO, "\033[2J", 4) < 0)
		t->out_closed = true;
	draw_locked(t);
	pthread_mutex_unlock(&t->mu);
}

/* exit() while the screen is up (a die() deep down): the terminal is given
 * back first (top_term's own handler, registered later, runs earlier), then
 * the messages held meanwhile are written. */
static void release_log(void)
{
	top_term_leave();
	log_hold(false);
}

/* Caveats of the interpreter known before the run. */
static void say_caveats(const struct trace_plan *plan)
{
	if (!plan->have_target)
		return;
	if (plan->target.health == HEALTH_RETURN_ON_YIELD)
		info_msg("CPython %d.%d: a yield shows as a return, so each resumption of a "
			 "generator or coroutine counts as one call", plan->target.py_major,
			 plan->target.py_minor);
	else if (plan->target.health == HEALTH_ENTRY_NEEDS_LINE && !plan->entry_fix)
		warn_msg("CPython %d.%d without the entry fix (--no-entry-fix): function__entry "
			 "almost never fires, so calls cannot be timed and top stays empty",
			 plan->target.py_major, plan->target.py_minor);
}

/* The screen's "what is traced" words. */
static void describe(const struct options *o, char *buf, size_t len)
{
	if (o->command_line)
		snprintf(buf, len, "%s", o->command_line);
	else
		snprintf(buf, len, "PID %d", (int)o->pid);
}

static struct filter *top_filter(const struct options *o, const struct trace_plan *plan)
{
	char err[256] = "";
	struct filter *f = filter_new(&o->filter, err, sizeof(err));

	if (f && plan->have_target)
		filter_add_target_stdlib(f, &plan->target);
	if (!f)
		error_msg("%s", err);
	return f;
}

int cmd_top(const struct options *o)
{
	struct trace_plan plan;
	struct run_result res = { 0 };
	struct top t = { .iterations = o->iterations };
	struct top_keys *keys = NULL;
	char err[512] = "", what[256];
	int code, rc;

	/* The engine first: without privileges, looking at the target fails
	 * too, and the real problem is the engine. */
	if (!engine_choose(o->engine, true, NULL, &code, NULL, 0))
		return code;
	rc = plan_build(o, &plan, err, sizeof(err));
	if (rc != 0) {
		error_msg("%s", err);
		return rc;
	}
	const struct engine_ops *engine = engine_choose(o->engine, true, &plan, &code, NULL, 0);
	if (!engine) {
		plan_free(&plan);
		return code;
	}
	struct filter *filter = top_filter(o, &plan);
	if (!filter) {
		plan_free(&plan);
		return EXIT_USAGE;
	}
	say_caveats(&plan);
	describe(o, what, sizeof(what));
	pthread_mutex_init(&t.mu, NULL);
	top_model_init(&t.model, filter_code_all(filter) && !o->filter.pids.n ? NULL : filter);
	top_screen_init(&t.screen);
	t.view = (struct top_view){ .sort = o->top_sort, .what = what };
	t.tty = top_term_usable();

	signals_install();
	if (t.tty) {
		if (isatty(STDERR_FILENO)) {
			log_hold(true);
			atexit(release_log);
		}
		if (top_term_enter() < 0) {
			log_hold(false);
			t.tty = false;
		}
	}
	if (t.tty) {
		draw_locked(&t);
		keys = top_keys_start(on_key, &t);
	}
	struct agg_sink sink = { .interval_ns = o->interval_ns, .snapshot = on_snapshot, .arg = &t };
	code = EXIT_PYTRACE_ERROR;
	rc = engine->aggregate(&plan, &sink, &res, &code, err, sizeof(err));
	top_keys_stop(keys);
	top_term_leave();
	log_hold(false);
	if (rc < 0)
		error_msg("%s", err[0] ? err : "tracing failed");

	/* The final table: once, unless -n's last table was the end already. */
	if (t.have_final && !t.out_closed && !(!t.tty && t.iterations && t.taken >= t.iterations)) {
		top_model_sort(&t.model, t.view.sort);
		if (top_table_print(stdout, &t.model, &t.screen.esc, t.view.sort, true) < 0 && rc == 0) {
			error_msg("cannot write the table to standard output");
			rc = -1;
			code = EXIT_PYTRACE_ERROR;
		}
	}
	if (rc == 0 && o->strict && t.model.tot.lost) {
		error_msg("%llu events lost (--strict makes this an error)",
			  (unsigned long long)t.model.tot.lost);
		rc = -1;
		code = EXIT_DATA_LOSS;
	}
	top_screen_free(&t.screen);
	top_model_free(&t.model);
	filter_free(filter);
	pthread_mutex_destroy(&t.mu);
	plan_free(&plan);
	if (rc < 0)
		return code;
	return o->command_line ? res.exit_status : EXIT_OK;
}
