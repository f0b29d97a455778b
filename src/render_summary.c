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
#include "render.h"
#include "xmalloc.h"

struct fn {
	uint32_t func, file;
	int64_t line;
	uint64_t calls, total, self, sum, max;
	uint64_t open;        /* calls never returned */
};

struct active {       /* (thread, function) -> open activations */
	uint64_t key;     /* thread index << 32 | fn index + 1; 0 = empty */
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
	uint32_t *map;         /* fn index + 1 */
	size_t mask;
	struct active *act;
	size_t act_mask, nact;
	struct tstack *stacks; /* per thread index: fn at each depth */
	size_t nstacks;
};

static uint32_t h64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (uint32_t)k;
}

static struct renderer *summary_create(const struct render_ctx *ctx)
{
	struct summary *s = xcalloc(1, sizeof(*s));
	s->base.ops = &render_summary;
	s->base.ctx = *ctx;
	esc_cache_init(&s->esc, ESC_TEXT);
	s->mask = 1024 - 1;
	s->map = xcalloc(s->mask + 1, sizeof(*s->map));
	s->act_mask = 1024 - 1;
	s->act = xcalloc(s->act_mask + 1, sizeof(*s->act));
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
	free(s->map);
	free(s->act);
	free(s);
}

static uint32_t fn_for(struct summary *s, const struct tev *e)
{
	uint64_t key = (uint64_t)e->func << 32 | e->file;
	size_t j = h64(key) & s->mask;
	while (s->map[j]) {
		const struct fn *f = &s->fns[s->map[j] - 1];
		if (f->func == e->func && f->file == e->file)
			return s->map[j] - 1;
		j = (j + 1) & s->mask;
	}
	s->fns = xgrow(s->fns, &s->fns_cap, s->nfns + 1, sizeof(*s->fns));
	uint32_t id = (uint32_t)s->nfns++;
	s->fns[id] = (struct fn){ .func = e->func, .file = e->file, .line = e->num };
	s->map[j] = id + 1;
	if (s->nfns * 2 > s->mask + 1) {
		size_t size = (s->mask + 1) * 2;
		uint32_t *m = xcalloc(size, sizeof(*m));
		for (size_t i = 0; i < s->nfns; i++) {
			size_t k = h64((uint64_t)s->fns[i].func << 32 | s->fns[i].file) & (size - 1);
			while (m[k])
				k = (k + 1) & (size - 1);
			m[k] = (uint32_t)i + 1;
		}
		free(s->map);
		s->map = m;
		s->mask = size - 1;
	}
	return id;
}

static uint32_t *active_slot(struct summary *s, uint64_t key)
{
	size_t j = h64(key) & s->act_mask;
	while (s->act[j].key && s->act[j].key != key)
		j = (j + 1) & s->act_mask;
	if (!s->act[j].key) {
		s->act[j].key = key;
		s->act[j].count = 0;
		if (++s->nact * 2 > s->act_mask + 1) {
			size_t size = (s->act_mask + 1) * 2;
			struct active *a = xcalloc(size, sizeof(*a));
			for (size_t i = 0; i <= s->act_mask; i++) {
				if (!s->act[i].key)
					continue;
				size_t k = h64(s->act[i].key) & (size - 1);
				while (a[k].key)
					k = (k + 1) & (size - 1);
				a[k] = s->act[i];
			}
			free(s->act);
			s->act = a;
			s->act_mask = size - 1;
			return active_slot(s, key);
		}
	}
	return &s->act[j].count;
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
		(*active_slot(s, (uint64_t)e->th->index << 32 | (id + 1)))++;
	} else if (e->kind == EV_RETURN && e->has_dur) {
		struct tstack *ts = tstack_for(s, e->th, depth);
		if (!ts->v[depth])
			return;
		uint32_t id = ts->v[depth] - 1;
		struct fn *f = &s->fns[id];
		uint32_t *act = active_slot(s, (uint64_t)e->th->index << 32 | (id + 1));
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
	uint32_t *act = active_slot(s, (uint64_t)call->th->index << 32 | (id + 1));
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
