/* summary: one row per function (name and file), sorted by self time:
 *   calls  completed calls
 *   total  time inside the function, a recursive call counted once
 *          (only the outermost activation on each thread adds)
 *   self   total minus the time of the shown calls it made
 *   mean   average duration of one call (every call, recursion included)
 *   max    longest call
 * Times in microseconds, to the nanosecond. --summary-format markdown prints a GitHub table
 * (CI step summaries); the table's printer (summary_table.c) also prints
 * the in-kernel summary (agg.h), from the same rows. A call never returned is not a completed call (calls,
 * mean and max leave it out), but its time up to the end of the trace is
 * time inside the function: it adds to self, an outermost one to total, and
 * the row says "[N never returned]" (a function stuck forever is the first
 * row, not missing). */
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "render.h"
#include "summary_table.h"
#include "xmalloc.h"

struct active {       /* (thread, function) -> open activations */
	uint64_t key;     /* thread slot << 32 | row index + 1 */
	uint32_t count;
};

/* A thread's slot in the keys of act: a thread that ended gives its slot
 * (all its counts back at 0) to the next new thread, so 40,000 short
 * threads use a few slots' entries, not 40,000. */
struct tstack {
	uint32_t *v;          /* at each shown depth: act index + 1 of the call */
	size_t cap;
	uint32_t slot1;       /* slot + 1; 0: none yet */
};

struct summary {
	struct renderer base;
	struct agg_table t;    /* one row per (func, file), pid 0 */
	struct active *act;
	size_t nact, act_cap;
	struct hmap act_map;   /* key -> act index */
	struct tstack *stacks; /* per thread index */
	size_t nstacks;
	uint32_t *free_slots;  /* of threads that ended */
	size_t nfree, free_cap;
	uint32_t nslots;
};

static struct renderer *summary_create(const struct render_ctx *ctx)
{
	struct summary *s = xcalloc(1, sizeof(*s));
	s->base.ops = &render_summary;
	s->base.ctx = *ctx;
	agg_table_init(&s->t, ctx->in);
	hmap_init(&s->act_map, 1024);
	return &s->base;
}

static void summary_destroy(struct renderer *r)
{
	struct summary *s = (struct summary *)r;
	for (size_t i = 0; i < s->nstacks; i++)
		free(s->stacks[i].v);
	free(s->stacks);
	free(s->free_slots);
	agg_table_free(&s->t);
	hmap_free(&s->act_map);
	free(s->act);
	free(s);
}

static uint32_t fn_for(struct summary *s, const struct tev *e)
{
	return (uint32_t)(agg_table_row(&s->t, 0, e->func, e->file, e->num) - s->t.rows);
}

/* The act index of row id on the thread of ts (count 0 when new). */
static uint32_t active_index(struct summary *s, const struct tstack *ts, uint32_t id)
{
	uint64_t key = (uint64_t)(ts->slot1 - 1) << 32 | (id + 1);
	uint32_t h = hmap_hash64(key);
	size_t pos = hmap_pos(&s->act_map, h);
	for (uint32_t k; (k = hmap_next(&s->act_map, &pos, h)) != HMAP_NONE;)
		if (s->act[k].key == key)
			return k;
	s->act = xgrow(s->act, &s->act_cap, s->nact + 1, sizeof(*s->act));
	s->act[s->nact] = (struct active){ .key = key, .count = 0 };
	hmap_insert(&s->act_map, pos, h, (uint32_t)s->nact);
	return (uint32_t)s->nact++;
}

/* The row of the call whose act index + 1 is a (a tstack entry). */
static uint32_t row_of(const struct summary *s, uint32_t a)
{
	return (uint32_t)s->act[a - 1].key - 1;
}

static struct tstack *tstack_for(struct summary *s, const struct render_thread *th, size_t depth)
{
	struct tstack *ts = render_thread_slot((void **)&s->stacks, &s->nstacks, th,
					       sizeof(*s->stacks));
	if (depth >= ts->cap)
		ts->v = xgrow_zero(ts->v, &ts->cap, depth + 1, sizeof(*ts->v));
	if (!ts->slot1)
		ts->slot1 = 1 + (s->nfree ? s->free_slots[--s->nfree] : s->nslots++);
	return ts;
}

static void summary_event(struct renderer *r, const struct tev *e)
{
	struct summary *s = (struct summary *)r;
	size_t depth = (size_t)e->depth;
	if (e->kind == EV_CALL) {
		struct tstack *ts = tstack_for(s, e->th, depth);
		uint32_t k = active_index(s, ts, fn_for(s, e));
		ts->v[depth] = k + 1;
		s->act[k].count++;
	} else if (e->kind == EV_RETURN && e->has_dur) {
		/* The call left its act index on the stack: no lookup here. */
		struct tstack *ts = tstack_for(s, e->th, depth);
		if (!ts->v[depth])
			return;
		struct agg_row *f = &s->t.rows[row_of(s, ts->v[depth])];
		uint32_t *act = &s->act[ts->v[depth] - 1].count;
		if (*act)
			(*act)--;
		f->calls++;
		f->self_ns += e->self;
		f->sum_ns += e->dur;
		if (e->dur > f->max_ns)
			f->max_ns = e->dur;
		if (*act == 0)
			f->total_ns += e->dur;
	}
}

/* A call still open at the end (innermost first).  Without this, a
 * recursion whose outer call never returned (attached mid-call, stopped
 * early) would show inner calls in self and max but nothing in total. */
static void summary_unreturned(struct renderer *r, const struct tev *call, uint64_t end_ts)
{
	struct summary *s = (struct summary *)r;
	size_t depth = (size_t)call->depth;
	struct tstack *ts = tstack_for(s, call->th, depth);

	if (!ts->v[depth])
		return;
	uint32_t id = row_of(s, ts->v[depth]);
	uint32_t *act = &s->act[ts->v[depth] - 1].count;
	if (*act)
		(*act)--;
	if (*act == 0 && end_ts > call->ts)
		s->t.rows[id].total_ns += end_ts - call->ts;
	s->t.rows[id].open++;
	s->t.rows[id].self_ns += call->self;
}

/* No call of th is open: its counts are all 0, its slot can serve the next
 * new thread. */
static void summary_thread_end(struct renderer *r, const struct render_thread *th)
{
	struct summary *s = (struct summary *)r;
	struct tstack *ts = th->index < s->nstacks ? &s->stacks[th->index] : NULL;

	if (!ts)
		return;
	if (ts->slot1) {
		s->free_slots = xgrow(s->free_slots, &s->free_cap, s->nfree + 1,
				      sizeof(*s->free_slots));
		s->free_slots[s->nfree++] = ts->slot1 - 1;
	}
	free(ts->v);
	memset(ts, 0, sizeof(*ts));
}

static void summary_finish(struct renderer *r, uint64_t end_ts)
{
	struct summary *s = (struct summary *)r;
	(void)end_ts;

	summary_table_print(r->ctx.out, &s->t, r->ctx.set.summary_format);
}

const struct render_ops render_summary = {
	.name = "summary",
	.create = summary_create,
	.event = summary_event,
	.unreturned = summary_unreturned,
	.thread_end = summary_thread_end,
	.finish = summary_finish,
	.destroy = summary_destroy,
};
