/* The in-kernel summary (summary_kernel.h). */
#include <stdio.h>
#include <string.h>

#include "exitcodes.h"
#include "log.h"
#include "markers.h"
#include "output.h"
#include "signals.h"
#include "summary_kernel.h"
#include "summary_table.h"

bool summary_kernel_fits(const struct options *o, const struct engine_ops *e,
			 const struct trace_plan *plan)
{
	const struct filter_spec *f = &o->filter;

	if (o->format != &render_summary || o->summary_file || !o->kernel_summary ||
	    !e->aggregate || !(plan->markers & MARK(EV_CALL)))
		return false;
	/* --pid/--tid keep or drop whole threads: the engines count only
	 * those (bpf: agg_ids, stap: pytrace_wanted). */
	if (f->include.n || f->exclude.n || f->functions.n || f->no_stdlib || f->max_depth >= 0 ||
	    f->min_duration_ns)
		return false;
	return summary_kernel_follows(e, plan);
}

bool summary_kernel_follows(const struct engine_ops *e, const struct trace_plan *plan)
{
	/* 3.15 fires function__entry when a generator is created and none
	 * when one is thrown into: the bpf engine's kernel side mends both
	 * (bpf_agg.bpf.h), the stap script does not. */
	return !(plan->have_target && plan->target.health == HEALTH_RETURN_ON_YIELD &&
		 e != &engine_bpf);
}

void summary_kernel_plan(struct trace_plan *plan)
{
	/* A table needs calls and returns only (and the 3.11 entry fix). */
	plan->markers &= MARKS_CALLS;
	if (plan->have_target)
		plan->entry_fix = plan_entry_fix(plan, &plan->target);
}

struct printer {
	struct out *out;
	enum summary_format fmt;
	uint64_t events, calls, open, overflow, map_full;
};

static bool print_final(void *arg, const struct agg_table *t, bool final)
{
	struct printer *pr = arg;
	struct agg_table folded;

	if (!final)
		return true;
	agg_table_fold_pids(t, &folded);
	summary_table_print(pr->out, &folded, pr->fmt);
	agg_table_free(&folded);
	pr->events = t->events;
	pr->overflow = t->stack_overflow;
	pr->map_full = t->map_full;
	for (size_t i = 0; i < t->nrows; i++) {
		/* Entries, as a trace's report counts them. */
		pr->calls += t->rows[i].calls + t->rows[i].open;
		pr->open += t->rows[i].open;
	}
	return true;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* What the table misses, said (and with --strict an error). */
static int report(const struct options *o, const struct printer *pr)
{
	uint64_t lost = pr->overflow + pr->map_full;

	info_msg("%llu %s aggregated in the kernel, %llu %s, %llu %s never returned, %llu lost",
		 (unsigned long long)pr->events, plural(pr->events, "event", "events"),
		 (unsigned long long)pr->calls, plural(pr->calls, "call", "calls"),
		 (unsigned long long)pr->open, plural(pr->open, "call", "calls"),
		 (unsigned long long)lost);
	if (!lost)
		return 0;
	char why[320] = "";
	if (pr->overflow)
		snprintf(why, sizeof(why), "%llu deeper than the calls the engine keeps per thread",
			 (unsigned long long)pr->overflow);
	if (pr->map_full)
		snprintf(why + strlen(why), sizeof(why) - strlen(why),
			 "%s%llu of functions or threads that found the engine's map full",
			 why[0] ? ", " : "", (unsigned long long)pr->map_full);
	if (o->strict) {
		error_msg("%llu %s not counted in the table: %s (--strict makes this an error)",
			  (unsigned long long)lost, plural(lost, "event was", "events were"), why);
		return -1;
	}
	warn_msg("%llu %s not counted in the table: %s; --no-kernel-summary counts every "
		 "event in pytrace", (unsigned long long)lost,
		 plural(lost, "event was", "events were"), why);
	return 0;
}

int summary_kernel_run(const struct options *o, struct trace_plan *plan,
		       const struct engine_ops *e)
{
	struct out out;
	struct printer pr = { .out = &out, .fmt = o->summary_format };
	struct agg_sink sink = { .interval_ns = 0, .snapshot = print_final, .arg = &pr };
	struct run_result res = { 0 };
	char err[512] = "";
	int code = EXIT_PYTRACE_ERROR, rc;

	summary_kernel_plan(plan);
	if (out_open(&out, o->output, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		return EXIT_PYTRACE_ERROR;
	}
	signals_install();
	rc = e->aggregate(plan, &sink, &res, &code, err, sizeof(err));
	if (rc < 0)
		error_msg("%s", err[0] ? err : "tracing failed");
	err[0] = '\0';
	if (out_close(&out, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		return EXIT_PYTRACE_ERROR;
	}
	if (rc < 0)
		return code;
	if (report(o, &pr) < 0)
		return EXIT_DATA_LOSS;
	if (o->strict && pr.events == 0) {
		error_msg("no python event was captured (--strict makes this an error)");
		return EXIT_NO_EVENTS;
	}
	return o->command_line ? res.exit_status : EXIT_OK;
}
