/* The bpf engine's aggregate mode, user side (bpf_agg.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_agg.h"
#include "bpf_attach.h"
#include "engine_bpf.h"
#include "event.h"
#include "intern.h"
#include "xmalloc.h"

#include "engine_bpf.skel.h"

struct fn_name {
	int32_t pid;
	uint32_t func, file;   /* intern ids */
	int64_t line;          /* of its first entry */
	bool named;            /* its BEV_FN record came */
};

struct bpf_agg {
	const struct agg_sink *sink;
	struct engine_bpf *skel;
	struct intern *in;
	struct agg_table t;        /* the table handed to the sink */
	struct fn_name *names;     /* by kernel function id */
	size_t cap_names;
	struct agg_row *closed;    /* by id: calls ended by an exec (never returned) */
	size_t cap_closed;
	struct agg_row *cur;       /* by id: scratch for a table */
	size_t cap_cur;
	int32_t *pids;             /* processes seen (EV_COMM) */
	size_t npids, cap_pids;
	uint32_t null_id, lost_id;
	size_t max_fns;            /* the fn_stats map's room */
	int ncpu;
	struct agg_stat *per_cpu;  /* STATS_BATCH fn_stats values, ncpu each */
	__u32 *keys;               /* their ids */
	bool no_batch;             /* the kernel refused a batch lookup */
	uint64_t start, last;
	uint64_t events;
	/* Counted in the thread stacks: of those read (each_stack), and of
	 * those removed at an exec. */
	uint64_t read_events, read_overflow, gone_events, gone_overflow;
	bool final_done;
};

/* fn_stats is per CPU: its memory is bounded, not its function count. */
#define STATS_BYTES (64u << 20)
/* Ids read from fn_stats per system call (bpf_map_lookup_batch). */
#define STATS_BATCH 256u

void bpf_agg_configure(struct engine_bpf *skel, const struct trace_plan *plan)
{
	int ncpu = libbpf_num_possible_cpus();
	size_t fns = AGG_MAX_FNS, ids = plan->pids.n + plan->tids.n;

	if (ncpu > 0 && fns * sizeof(struct agg_stat) * (size_t)ncpu > STATS_BYTES)
		fns = STATS_BYTES / (sizeof(struct agg_stat) * (size_t)ncpu);
	/* The tests' way to fill the map (not for users). */
	if (getenv("PYTRACE_AGG_FNS") && atoi(getenv("PYTRACE_AGG_FNS")) > 0)
		fns = (size_t)atoi(getenv("PYTRACE_AGG_FNS"));
	skel->rodata->aggregate = true;
	skel->rodata->agg_select = ids > 0;
	bpf_map__set_max_entries(skel->maps.agg_ids, ids ? (__u32)ids : 1);
	bpf_map__set_max_entries(skel->maps.fn_stats, (__u32)fns);
	bpf_map__set_max_entries(skel->maps.fn_ids, (__u32)fns);
}

void bpf_agg_unused(struct engine_bpf *skel)
{
	bpf_map__set_max_entries(skel->maps.fn_ids, 1);
	bpf_map__set_max_entries(skel->maps.agg_ids, 1);
	bpf_map__set_max_entries(skel->maps.fn_stats, 1);
	bpf_map__set_max_entries(skel->maps.stacks, 1);
}

/* --pid/--tid into the kernel's agg_ids (agg_selected). */
static void select_ids(struct engine_bpf *skel, const struct id_list *l)
{
	__u8 one = 1;

	for (size_t i = 0; i < l->n; i++) {
		__u32 id = (__u32)l->v[i];

		bpf_map__update_elem(skel->maps.agg_ids, &id, sizeof(id), &one, sizeof(one), BPF_ANY);
	}
}

struct bpf_agg *bpf_agg_new(const struct agg_sink *sink, struct engine_bpf *skel,
			    const struct trace_plan *plan, uint64_t start_ns)
{
	struct bpf_agg *a = xcalloc(1, sizeof(*a));

	select_ids(skel, &plan->pids);
	select_ids(skel, &plan->tids);

	a->sink = sink;
	a->skel = skel;
	a->in = intern_new();
	agg_table_init(&a->t, a->in);
	a->null_id = intern_id(a->in, "<null>", 6);
	/* A BEV_FN record the full ring turned away (counted, reported). */
	a->lost_id = intern_id(a->in, "<name lost>", 11);
	a->start = a->last = start_ns;
	a->max_fns = bpf_map__max_entries(skel->maps.fn_stats);
	a->ncpu = libbpf_num_possible_cpus();
	if (a->ncpu < 1)
		a->ncpu = 1;
	a->per_cpu = xcalloc((size_t)a->ncpu * STATS_BATCH, sizeof(*a->per_cpu));
	a->keys = xcalloc(STATS_BATCH, sizeof(*a->keys));
	return a;
}

void bpf_agg_free(struct bpf_agg *a)
{
	if (!a)
		return;
	agg_table_free(&a->t);
	intern_free(a->in);
	free(a->names);
	free(a->closed);
	free(a->cur);
	free(a->pids);
	free(a->per_cpu);
	free(a->keys);
	free(a);
}

void bpf_agg_record(struct bpf_agg *a, const struct bpf_event *rec)
{
	const char *strings = (const char *)rec + sizeof(*rec);

	if (rec->kind == EV_COMM) {
		for (size_t i = 0; i < a->npids; i++)
			if (a->pids[i] == (int32_t)rec->pid)
				return;
		a->pids = xgrow(a->pids, &a->cap_pids, a->npids + 1, sizeof(*a->pids));
		a->pids[a->npids++] = (int32_t)rec->pid;
		return;
	}
	if (rec->kind != BEV_FN || (uint64_t)rec->num >> 32 >= a->max_fns)
		return;
	size_t id = (size_t)((uint64_t)rec->num >> 32);
	if (id >= a->cap_names)
		a->names = xgrow_zero(a->names, &a->cap_names, id + 1, sizeof(*a->names));
	struct fn_name *n = &a->names[id];
	n->pid = (int32_t)rec->pid;
	n->func = (rec->flags & EVF_FUNC_NULL) ? a->null_id : intern_id(a->in, strings, rec->func_len);
	n->file = (rec->flags & EVF_FILE_NULL) ? a->null_id
		  : intern_id(a->in, strings + rec->func_len, rec->file_len);
	n->line = (int32_t)(uint32_t)rec->num;
	n->named = true;
}

/* The calls open on a stack at end into by_id (agg_add_open). */
static void add_open(const struct agg_stack *st, uint64_t end, struct agg_row *by_id, size_t n)
{
	size_t kept = st->depth < AGG_DEPTH ? st->depth : AGG_DEPTH;
	struct agg_open f[AGG_DEPTH];

	for (size_t i = 0; i < kept; i++)
		f[i] = (struct agg_open){ .start = st->f[i].start, .child = st->f[i].child,
					  .fn = st->f[i].fn, .outer = st->f[i].outer };
	agg_add_open(f, kept, end, by_id, n);
}

/* Every thread stack (of process pid, or all when pid is 0) into by_id;
 * with remove, those stacks leave the map. */
static void each_stack(struct bpf_agg *a, int32_t pid, uint64_t end, struct agg_row *by_id,
		       size_t n, bool remove)
{
	struct bpf_map *map = a->skel->maps.stacks;
	struct agg_stack *st = xmalloc(sizeof(*st));
	__u32 key, next, *prev = NULL;
	__u32 *gone = NULL;
	size_t ngone = 0, capgone = 0;

	while (bpf_map__get_next_key(map, prev, &next, sizeof(next)) == 0) {
		key = next;
		prev = &key;
		if (bpf_map__lookup_elem(map, &key, sizeof(key), st, sizeof(*st), 0) < 0)
			continue;
		if (pid && (int32_t)st->tgid != pid)
			continue;
		add_open(st, end, by_id, n);
		a->read_events += st->events;
		a->read_overflow += st->overflow;
		if (remove) {
			gone = xgrow(gone, &capgone, ngone + 1, sizeof(*gone));
			gone[ngone++] = key;
		}
	}
	for (size_t i = 0; i < ngone; i++)
		bpf_map__delete_elem(map, &gone[i], sizeof(gone[i]), 0);
	free(gone);
	free(st);
}

/* Function ids handed out so far (some wasted by a race: never named). */
static size_t ids_used(const struct bpf_agg *a)
{
	uint32_t n = __atomic_load_n(&a->skel->bss->next_fn_id, __ATOMIC_RELAXED);

	return n < a->max_fns ? n : a->max_fns;
}

void bpf_agg_exec(struct bpf_agg *a, int32_t pid, uint64_t ts)
{
	size_t n = ids_used(a);

	if (n > a->cap_closed)
		a->closed = xgrow_zero(a->closed, &a->cap_closed, n, sizeof(*a->closed));
	a->read_events = a->read_overflow = 0;
	each_stack(a, pid, ts, a->closed, n, true);
	a->gone_events += a->read_events;
	a->gone_overflow += a->read_overflow;
}

static uint64_t counter(struct bpf_agg *a, __u32 slot)
{
	return bpf_percpu_sum(a->skel->maps.agg_counts, slot);
}

/* One id's per-CPU sums s[0..ncpu) added to r. */
static void add_stat(struct agg_row *r, const struct agg_stat *s, int ncpu)
{
	for (int c = 0; c < ncpu; c++) {
		r->calls += s[c].calls;
		r->total_ns += s[c].total;
		r->self_ns += s[c].self;
		r->sum_ns += s[c].sum;
		if (s[c].max > r->max_ns)
			r->max_ns = s[c].max;
	}
}

/* fn_stats of ids [0, n) added to a->cur: STATS_BATCH ids a system call
 * (bpf_map_lookup_batch), or one id a call where the kernel refuses
 * batches (before 5.6) or a batch fails. */
static void read_stats(struct bpf_agg *a, size_t n)
{
	const struct bpf_map *map = a->skel->maps.fn_stats;
	__u32 from, next, *in = NULL;
	size_t done = 0;

	while (done < n && !a->no_batch) {
		__u32 count = (__u32)(n - done < STATS_BATCH ? n - done : STATS_BATCH);
		int err = bpf_map_lookup_batch(bpf_map__fd(map), in, &next, a->keys, a->per_cpu,
					       &count, NULL);

		if (err < 0 && err != -ENOENT) {
			a->no_batch = done == 0;   /* refused: one at a time from now on */
			break;
		}
		for (__u32 i = 0; i < count; i++)
			if (a->keys[i] < n)
				add_stat(&a->cur[a->keys[i]], a->per_cpu + (size_t)i * (size_t)a->ncpu,
					 a->ncpu);
		done += count;
		if (err < 0 || count == 0)
			return;   /* the map's end */
		from = next;
		in = &from;
	}
	for (size_t id = done; id < n; id++) {
		__u32 key = (__u32)id;

		if (bpf_map__lookup_elem(map, &key, sizeof(key), a->per_cpu,
					 sizeof(*a->per_cpu) * (size_t)a->ncpu, 0) == 0)
			add_stat(&a->cur[id], a->per_cpu, a->ncpu);
	}
}

/* The cumulative table at now (calls open end there) in a->t. */
static void take(struct bpf_agg *a, uint64_t now)
{
	size_t n = ids_used(a);

	if (n > a->cap_cur)
		a->cur = xgrow(a->cur, &a->cap_cur, n, sizeof(*a->cur));
	for (size_t id = 0; id < n; id++) {
		memset(&a->cur[id], 0, sizeof(a->cur[id]));
		if (id < a->cap_closed)
			a->cur[id] = a->closed[id];
	}
	read_stats(a, n);
	a->read_events = a->read_overflow = 0;
	each_stack(a, 0, now, a->cur, n, false);

	agg_table_clear(&a->t);
	for (size_t id = 0; id < n; id++) {
		const struct agg_row *r = &a->cur[id];
		const struct fn_name *nm = id < a->cap_names && a->names[id].named ? &a->names[id]
										    : NULL;

		if (!r->calls && !r->open)
			continue;   /* a wasted id, or a function not back yet */
		agg_row_add(agg_table_row(&a->t, nm ? nm->pid : 0, nm ? nm->func : a->lost_id,
					  nm ? nm->file : a->lost_id, nm ? nm->line : 0), r);
	}
	a->t.elapsed_ns = now > a->start ? now - a->start : 0;
	a->t.events = a->events = counter(a, AGG_EVENTS) + a->gone_events + a->read_events;
	a->t.stack_overflow = counter(a, AGG_OVERFLOW) + a->gone_overflow + a->read_overflow;
	a->t.map_full = counter(a, AGG_MAP_FULL);
	a->t.lost = a->t.stack_overflow + a->t.map_full;
	a->t.nprocs = (uint32_t)a->npids;
}

bool bpf_agg_tick(struct bpf_agg *a, uint64_t now)
{
	if (!a->sink->interval_ns || now - a->last < a->sink->interval_ns)
		return true;
	a->last = now;
	take(a, now);
	return a->sink->snapshot(a->sink->arg, &a->t, false);
}

void bpf_agg_final(struct bpf_agg *a, uint64_t end_ns)
{
	if (a->final_done)
		return;
	a->final_done = true;
	take(a, end_ns);
	a->sink->snapshot(a->sink->arg, &a->t, true);
}

uint64_t bpf_agg_events(const struct bpf_agg *a)
{
	return a->events;
}
