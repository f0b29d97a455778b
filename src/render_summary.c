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

#include "agg.h"
#include "render.h"
#include "summary_table.h"
#include "xmalloc.h"

struct active {       /* (thread, function) -> open activations */
	uint64_t key;     /* thread index << 32 | row index + 1 */
	uint32_t count;
};

struct tstack {
	uint32_t *v;
	size_t cap;
};

struct summary {
	struct renderer base;
	struct agg_table t;    /* one row per (func, file), pid 0 */
	struct active *act;
	size_t nact, act_cap;
	struct hmap act_map;   /* key -> act index */
	struct tstack *stacks; /* per thread index: row at each depth */
	size_t nstacks;
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
	agg_table_free(&s->t);
	hmap_free(&s->act_map);
	free(s->act);
	free(s);
}

static uint32_t fn_for(struct summary *s, const struct tev *e)
{
	return (uint32_t)(agg_table_row(&s->t, 0, e->func, e->file, e->num) - s->t.rows);
}

/* The count of open activations of row id on thread th (0 when new). */
static uint32_t *active_slot(struct summary *s, const struct render_thread *th, uint32_t id)
{
	uint64_t key = (uint64_t)th->index << 32 | (id + 1);
	uint32_t h = hmap_hash64(key);
	size_t pos = hmap_pos(&s->act_map, h);
	for (uint32_t k; (k = hmap_next(&s->act_map, &pos, h)) != HMAP_NONE;)
		if (s->act[k].key == key)
			return &s->act[k].count;
	s->act = xgrow(s->act, &s->act_cap, s->nact + 1, sizeof(*s->act));
	s->act[s->nact] = (struct active){ .key = key, .count = 0 };
	hmap_insert(&s->act_map, pos, h, (uint32_t)s->nact);
	return &s->act[s->nact++].count;
}

static struct tstack *tstack_for(struct summary *s, const struct render_thread *th, size_t depth)
{
	struct tstack *ts = render_thread_slot((void **)&s->stacks, &s->nstacks, th,
					       sizeof(*s->stacks));
	if (depth >= ts->cap)
		ts->v = xgrow_zero(ts->v, &ts->cap, depth + 1, sizeof(*ts->v));
	return ts;
}

static void summary_event(struct renderer *r, const struct tev *e)
{
	struct summary *s = (struct summary *)r;
	size_t depth = (size_t)e->depth;
	if (e->kind == EV_CALL) {
		struct tstack *ts = tstack_for(s, e->th, depth);
		uint32_t id = fn_for(s, e);
		ts->v[depth] = id + 1;
		(*active_slot(s, e->th, id))++;
	} else if (e->kind == EV_RETURN && e->has_dur) {
		struct tstack *ts = tstack_for(s, e->th, depth);
		if (!ts->v[depth])
			return;
		uint32_t id = ts->v[depth] - 1;
		struct agg_row *f = &s->t.rows[id];
		uint32_t *act = active_slot(s, e->th, id);
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
	uint32_t id = ts->v[depth] - 1;
	uint32_t *act = active_slot(s, call->th, id);
	if (*act)
		(*act)--;
	if (*act == 0 && end_ts > call->ts)
		s->t.rows[id].total_ns += end_ts - call->ts;
	s->t.rows[id].open++;
	s->t.rows[id].self_ns += call->self;
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
	.finish = summary_finish,
	.destroy = summary_destroy,
};
