/* pytrace top's rows: the engine's cumulative per-function tables (agg.h)
 * turned into what the view shows — a new row's strings copied into top's
 * own intern (a table is valid only during its snapshot call) and the
 * file/function filters applied to it, once; calls/s from the difference
 * of two snapshots, and an order by calls, total or self time. */
#ifndef PYTRACE_TOP_MODEL_H
#define PYTRACE_TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "filter.h"
#include "intern.h"

enum top_sort { TOP_SORT_CALLS, TOP_SORT_TOTAL, TOP_SORT_SELF };

#define TOP_HIDDEN UINT32_MAX   /* an engine row the filter hides */

struct top_row {
	struct agg_row a;        /* the engine's row, func and file ids in top_model.in */
	uint64_t prev_calls;     /* calls at the snapshot before */
	double rate;             /* calls per second over the last interval */
};

struct top_model {
	struct intern *in;
	struct filter *filter;   /* borrowed; NULL: every row */
	struct top_row *rows;
	size_t nrows, cap;
	/* The engine's rows taken in so far: an engine's table keeps each
	 * row in its place (agg_sink), so its row i is rows[of_engine[i]]
	 * here (TOP_HIDDEN: filtered out) and only rows past nseen are new. */
	uint32_t *of_engine;
	size_t nseen, seen_cap;
	const struct intern *engine_in;   /* the engine table's strings */
	uint32_t *order;         /* shown rows, sorted by top_model_sort */
	size_t norder, order_cap;
	/* the latest table's totals (elapsed_ns, events, lost, nprocs...;
	 * its in, rows and map are not kept) */
	struct agg_table tot;
	double events_rate;      /* events per second over the last interval */
	uint64_t snapshots;      /* tables taken in */
	uint64_t prev_elapsed_ns, prev_events;
};

void top_model_init(struct top_model *m, struct filter *filter);
void top_model_free(struct top_model *m);

/* Take in the engine's cumulative table t: rows and totals, and the rates
 * against the table taken in before. */
void top_model_update(struct top_model *m, const struct agg_table *t);

/* Fill m->order with the rows that had calls or are running, by key,
 * largest first (ties: calls, total, then function name). */
void top_model_sort(struct top_model *m, enum top_sort key);

const char *top_sort_name(enum top_sort key);

#endif
