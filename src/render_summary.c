/* summary: one row per function (name and file), sorted by self time:
 *   calls  completed calls
 *   total  time inside the function, a recursive call counted once
 *          (only the outermost activation on each thread adds)
 *   self   total minus the time of the shown calls it made
 *   mean   average duration of one call (every call, recursion included)
 *   max    longest call
 * Times in microseconds, to the nanosecond. --summary-format markdown prints a GitHub table
 * (CI step summaries). A call never returned is not a completed call (calls,
 * mean and max leave it out), but its time up to the end of the trace is
 * time inside the function: it adds to self, an outermost one to total, and
 * the row says "[N never returned]" (a function stuck forever is the first
 * row, not missing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "hmap.h"
#include "render.h"
#include "xmalloc.h"

struct fn {
	uint32_t func, file;
	int64_t line;
	uint64_t calls, total, self, sum, max;
	uint64_t open;        /* calls never returned */
};

struct active {       /* (thread, function) -> open activations */
	uint64_t key;     /* thread index << 32 | fn index + 1 */
	uint32_t count;
};

struct tstack {
	uint32_t *v;
	size_t cap;
};

struct summary {
	struct renderer base;
	struct esc_cache esc;
	struct fn *fns;
	size_t nfns, fns_cap;
	struct hmap map;       /* (func, file) -> fn index */
	struct active *act;
	size_t nact, act_cap;
	struct hmap act_map;   /* key -> act index */
	struct tstack *stacks; /* per thread index: fn at each depth */
	size_t nstacks;
};

static struct renderer *summary_create(const struct render_ctx *ctx)
{
	struct summary *s = xcalloc(1, sizeof(*s));
	s->base.ops = &render_summary;
	s->base.ctx = *ctx;
	esc_cache_init(&s->esc, ESC_TEXT);
	hmap_init(&s->map, 1024);
	hmap_init(&s->act_map, 1024);
	return &s->base;
}

static void summary_destroy(struct renderer *r)
{
	struct summary *s = (struct summary *)r;
	esc_cache_free(&s->esc);
	for (size_t i = 0; i < s->nstacks; i++)
		free(s->stacks[i].v);
	free(s->stacks);
	free(s->fns);
	hmap_free(&s->map);
	hmap_free(&s->act_map);
	free(s->act);
	free(s);
}

static uint32_t fn_for(struct summary *s, const struct tev *e)
{
	uint32_t h = hmap_hash64((uint64_t)e->func << 32 | e->file);
	size_t pos = hmap_pos(&s->map, h);
	for (uint32_t id; (id = hmap_next(&s->map, &pos, h)) != HMAP_NONE;)
		if (s->fns[id].func == e->func && s->fns[id].file == e->file)
			return id;
	s->fns = xgrow(s->fns, &s->fns_cap, s->nfns + 1, sizeof(*s->fns));
	uint32_t id = (uint32_t)s->nfns++;
	s->fns[id] = (struct fn){ .func = e->func, .file = e->file, .line = e->num };
	hmap_insert(&s->map, pos, h, id);
	return id;
}

/* The count of open activations of fn id on thread th (0 when new). */
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
		struct fn *f = &s->fns[id];
		uint32_t *act = active_slot(s, e->th, id);
		if (*act)
			(*act)--;
		f->calls++;
		f->self += e->self;
		f->sum += e->dur;
		if (e->dur > f->max)
			f->max = e->dur;
		if (*act == 0)
			f->total += e->dur;
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
		s->fns[id].total += end_ts - call->ts;
	s->fns[id].open++;
	s->fns[id].self += call->self;
}

static const struct fn *sort_base;

static int by_self(const void *a, const void *b)
{
	const struct fn *x = &sort_base[*(const uint32_t *)a], *y = &sort_base[*(const uint32_t *)b];
	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static void put_us(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%llu.%03llu", (unsigned long long)(ns / 1000),
		 (unsigned long long)(ns % 1000));
}

/* Markdown: backslash-escape the characters that would start formatting. */
static void put_md(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strchr("\\`*_[]<>|#~", s[i]))
			out_char(o, '\\');
		out_char(o, s[i]);
	}
}

static void summary_finish(struct renderer *r, uint64_t end_ts)
{
	struct summary *s = (struct summary *)r;
	struct out *o = r->ctx.out;
	bool md = r->ctx.set.summary_format == SUMMARY_MARKDOWN;
	char line[512], tot[32], self[32], mean[32], max[32];
	(void)end_ts;

	uint32_t *order = xmalloc((s->nfns ? s->nfns : 1) * sizeof(*order));
	size_t n = 0;
	for (size_t i = 0; i < s->nfns; i++)
		if (s->fns[i].calls || s->fns[i].open)
			order[n++] = (uint32_t)i;
	sort_base = s->fns;
	qsort(order, n, sizeof(*order), by_self);

	if (md)
		out_str(o, "| function | file | calls | total (us) | self (us) | mean (us) | max (us) |\n"
			   "|---|---|---:|---:|---:|---:|---:|\n");
	else
		out_str(o, "     calls       total us        self us        mean us         max us  function\n");
	for (size_t k = 0; k < n; k++) {
		const struct fn *f = &s->fns[order[k]];
		const struct esc_entry *func = esc_get(&s->esc, r->ctx.in, f->func);
		const struct esc_entry *file = esc_get(&s->esc, r->ctx.in, f->file);
		put_us(tot, sizeof(tot), f->total);
		put_us(self, sizeof(self), f->self);
		if (f->calls) {
			put_us(mean, sizeof(mean), f->sum / f->calls);
			put_us(max, sizeof(max), f->max);
		} else {
			strcpy(mean, "-");
			strcpy(max, "-");
		}
		char mark[48] = "";
		if (f->open)
			snprintf(mark, sizeof(mark), " [%llu never returned]", (unsigned long long)f->open);
		if (md) {
			out_str(o, "| ");
			put_md(o, func->s, func->len);
			out_str(o, mark);
			out_str(o, " | ");
			put_md(o, file->s, file->len);
			snprintf(line, sizeof(line), ":%lld | %llu | %s | %s | %s | %s |\n",
				 (long long)f->line, (unsigned long long)f->calls, tot, self,
				 mean, max);
			out_str(o, line);
		} else {
			snprintf(line, sizeof(line), "%10llu %14s %14s %14s %14s  ",
				 (unsigned long long)f->calls, tot, self, mean, max);
			out_str(o, line);
			out_put(o, func->s, func->len);
			out_str(o, " (");
			out_put(o, file->s, file->len);
			snprintf(line, sizeof(line), ":%lld)%s\n", (long long)f->line, mark);
			out_str(o, line);
		}
	}
	free(order);
}

const struct render_ops render_summary = {
	.name = "summary",
	.create = summary_create,
	.event = summary_event,
	.unreturned = summary_unreturned,
	.finish = summary_finish,
	.destroy = summary_destroy,
};
