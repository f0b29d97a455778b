/* Per-function aggregates computed where the events happen (BPF maps, stap
 * aggregates) instead of from every event in user space: what `-f summary`
 * alone and `pytrace top` show.  An engine that can aggregate fills an
 * agg_table and hands the cumulative table to a sink every interval and
 * once at the end. */
#ifndef PYTRACE_AGG_H
#define PYTRACE_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "intern.h"

/* One function of one process, cumulative since the trace began. */
struct agg_row {
	int32_t pid;
	uint32_t func, file;  /* intern ids in agg_table.in */
	int64_t line;         /* the line its entries report */
	uint64_t calls;       /* completed calls */
	uint64_t total_ns;    /* outermost activations only: recursion counts once */
	uint64_t self_ns;     /* total minus its callees' time */
	uint64_t max_ns;      /* longest completed call */
	uint64_t sum_ns;      /* every completed call's duration (mean = sum / calls) */
	uint64_t open;        /* activations not returned when the table was taken */
};

struct agg_table {
	struct intern *in;    /* the rows' strings */
	struct agg_row *rows;
	size_t nrows, cap;
	uint64_t elapsed_ns;  /* since tracing began */
	uint64_t events;      /* entries and returns aggregated */
	uint64_t lost;        /* events that could not be aggregated, all causes: */
	uint64_t stack_overflow;  /* deeper than the per-thread stack kept */
	uint64_t map_full;        /* a new function or thread found its map full */
	uint32_t nprocs;      /* processes traced so far */
	struct hmap map;      /* (pid, func, file) -> row: agg_table_row */
};

/* A table with no rows, its strings in in (borrowed). */
void agg_table_init(struct agg_table *t, struct intern *in);
void agg_table_free(struct agg_table *t);
/* Every row's counters back to 0 (rows and their order stay). */
void agg_table_clear(struct agg_table *t);
/* The row of (pid, func, file), added (with line) when new. */
struct agg_row *agg_table_row(struct agg_table *t, int32_t pid, uint32_t func, uint32_t file,
			      int64_t line);
/* Add from's counters to to's (max: the larger). */
void agg_row_add(struct agg_row *to, const struct agg_row *from);

/* ns as the summary tables print times: microseconds to the nanosecond
 * ("1234.567"). */
void agg_us_text(char *buf, size_t len, uint64_t ns);
/* out (initialized here): t's rows folded across processes, one per
 * (func, file) with pid 0, in order of first appearance; the counts of t. */
void agg_table_fold_pids(const struct agg_table *t, struct agg_table *out);

/* A call open on a thread when a table is taken, as an engine keeps it. */
struct agg_open {
	uint64_t start;       /* entry time */
	uint64_t child;       /* time of its callees that returned */
	uint32_t fn;          /* the engine's function id */
	bool outer;           /* no activation of fn below it on the thread */
};
/* A thread's open calls f[0..n) (outermost first) at end into by_id[fn]
 * (fn < nids; others are skipped): each is an activation never returned,
 * its time up to end in self (minus its callees', the open one's too) and,
 * outermost, in total: the user-space summary's arithmetic. */
void agg_add_open(const struct agg_open *f, size_t n, uint64_t end, struct agg_row *by_id,
		  size_t nids);

/* Where an aggregating engine delivers its tables. */
struct agg_sink {
	uint64_t interval_ns; /* a snapshot every interval; 0: only the final one */
	/* The cumulative table (valid during the call only); final is true
	 * once, at the end.  Returning false asks the engine to stop.  Every
	 * call hands the same table: a row keeps its place (and its strings'
	 * ids in t->in), new rows come after the old (pytrace top reads only
	 * those anew). */
	bool (*snapshot)(void *arg, const struct agg_table *t, bool final);
	void *arg;
};

#endif
