/* The summary table (-f summary, --summary, --summary-file): one printer
 * for the table the user-space summary builds from every event
 * (render_summary.c) and the one an engine aggregates where the events
 * happen (agg.h), so both look alike to the byte. */
#ifndef PYTRACE_SUMMARY_TABLE_H
#define PYTRACE_SUMMARY_TABLE_H

#include "agg.h"
#include "output.h"
#include "render.h"

/* Rows with calls or open activations, sorted by self time (then total,
 * calls, order of appearance), as a plain or a markdown table.  Rows are
 * printed as they are: fold processes first for the summary's one row per
 * function (agg_table_fold_pids). */
void summary_table_print(struct out *o, const struct agg_table *t, enum summary_format fmt);

#endif
