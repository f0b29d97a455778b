/* -f summary computed by the engine where the events happen
 * (engine_ops.aggregate): only the table crosses into pytrace, not every
 * call and return.  The table is printed by the user-space summary's own
 * printer (summary_table.h). */
#ifndef PYTRACE_SUMMARY_KERNEL_H
#define PYTRACE_SUMMARY_KERNEL_H

#include <stdbool.h>

#include "engine.h"
#include "options.h"
#include "plan.h"

/* Does this trace get the in-kernel summary?  -f summary alone (no
 * --summary-file), no filter but --pid/--tid (the user-space summary's self
 * time leaves out hidden callees only), an engine that aggregates, a
 * target it can aggregate, and no --no-kernel-summary. */
bool summary_kernel_fits(const struct options *o, const struct engine_ops *e,
			 const struct trace_plan *plan);

/* Does e's aggregate op count this plan's interpreter right?  (-f summary
 * and pytrace top ask; the one place that knows which engine mends what.) */
bool summary_kernel_follows(const struct engine_ops *e, const struct trace_plan *plan);

/* The plan narrowed to what a table needs: calls and returns. */
void summary_kernel_plan(struct trace_plan *plan);

/* Trace per plan (its markers narrowed to calls and returns) with e's
 * aggregate op, print the table, report as a trace does.  Returns the exit
 * status (the command's with -c). */
int summary_kernel_run(const struct options *o, struct trace_plan *plan,
		       const struct engine_ops *e);

#endif
