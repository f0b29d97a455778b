/* Interchangeable engines behind one small ops struct.  A new engine is an
 * engine_X.c that fills one, plus a line in engines[] (engine.c): the CLI's
 * --engine, --engine auto, doctor and trace.c all go through that list. */
#ifndef PYTRACE_ENGINE_H
#define PYTRACE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "agg.h"
#include "pipeline.h"
#include "plan.h"
#include "probe_checks.h"

struct run_result {
	int exit_status;           /* -c: command's status (128+sig if killed); -p: 0 */
	bool target_exited;        /* the traced process(es) ended */
	bool interrupted;          /* stopped by SIGINT/SIGTERM/--duration */
};

struct engine_ops {
	const char *name;
	/* The way out, said when --engine NAME cannot run here. */
	const char *unavailable_hint;
	/* Can this engine run here, and (plan not NULL) trace this plan?  false
	 * with a one-line reason in why.  Asked twice by --engine auto: with
	 * NULL before the plan is built (without privileges, looking at the
	 * target fails too, and the engine is the real problem), then with
	 * the plan, so a plan the first engine cannot express (a -c python it
	 * cannot know in advance) goes to the next (engine_fallback). */
	bool (*available)(const struct trace_plan *plan, char *why, size_t len);
	/* Every check doctor prints for this engine; returns how many. */
	size_t (*checks)(struct probe_check *out, size_t max);
	/* Trace per plan, pushing events into p until the target exits or a stop
	 * is requested (stop_requested(), signals.h). Returns 0, or -1 with err filled and
	 * *exit_code set to one of exitcodes.h. */
	int (*run)(const struct trace_plan *plan, struct pipeline *p,
		   struct run_result *res, int *exit_code, char *err, size_t errlen);
	/* Optional: trace per plan like run, but aggregate per function where
	 * the events happen and deliver tables to sink (agg.h) instead of
	 * pushing events.  NULL: this engine cannot aggregate. */
	int (*aggregate)(const struct trace_plan *plan, const struct agg_sink *sink,
			 struct run_result *res, int *exit_code, char *err, size_t errlen);
};

/* An interpreter is traced (the plan's, or one found at exec): tell the
 * pipeline what its version and layout mean for the tree (3.15's return
 * matching, a build tree's stdlib for --no-stdlib).  In trace.c. */
void engine_target_seen(struct pipeline *p, const struct py_target *t);

extern const struct engine_ops engine_stap;
extern const struct engine_ops engine_bpf;

/* Every engine, in --engine auto's order of preference (the reference
 * engine first), NULL-terminated. */
extern const struct engine_ops *const engines[];

/* The engine a command runs: wanted (--engine NAME), or with NULL (auto)
 * the first of engines[] that can; NULL with the reasons printed and
 * *exit_code set.  for_top: pytrace top's, which must aggregate in the
 * kernel and, once plan exists (NULL before it is built, as available()
 * is asked), follow its interpreter's markers.  When auto passes over the
 * reference engine, note (unless NULL) says why, to be said later. */
const struct engine_ops *engine_choose(const struct engine_ops *wanted, bool for_top,
				       const struct trace_plan *plan, int *exit_code,
				       char *note, size_t notelen);

/* --engine auto chose e before the plan existed.  When e cannot trace the
 * plan (why says why), the next engine of list (NULL-terminated, in order
 * of preference) that is available for it; else NULL. */
const struct engine_ops *engine_fallback(const struct engine_ops *const *list,
					 const struct engine_ops *e,
					 const struct trace_plan *plan, char *why, size_t len);

#endif
