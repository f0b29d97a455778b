/* Building agg_tables (agg.h): rows found by (pid, func, file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "xmalloc.h"

void agg_table_init(struct agg_table *t, struct intern *in)
{
	memset(t, 0, sizeof(*t));
	t->in = in;
	hmap_init(&t->map, 256);
}

void agg_table_free(struct agg_table *t)
{
	free(t->rows);
	hmap_free(&t->map);
	memset(t, 0, sizeof(*t));
}

/* The same rows again, counters zeroed (the table keeps its strings). */
void agg_table_clear(struct agg_table *t)
{
	for (size_t i = 0; i < t->nrows; i++) {
		struct agg_row *r = &t->rows[i];

		*r = (struct agg_row){ .pid = r->pid, .func = r->func, .file = r->file,
				       .line = r->line };
	}
}

static uint32_t row_hash(int32_t pid, uint32_t func, uint32_t file)
{
	return hmap_hash64(((uint64_t)func << 32 | file) ^ ((uint64_t)(uint32_t)pid * 0x9e3779b97f4a7c15ull));
}

struct agg_row *agg_table_row(struct agg_table *t, int32_t pid, uint32_t func, uint32_t file,
			      int64_t line)
{
	uint32_t h = row_hash(pid, func, file);
	size_t pos = hmap_pos(&t->map, h);

	for (uint32_t id; (id = hmap_next(&t->map, &pos, h)) != HMAP_NONE;)
		if (t->rows[id].pid == pid && t->rows[id].func == func && t->rows[id].file == file)
			return &t->rows[id];
	t->rows = xgrow(t->rows, &t->cap, t->nrows + 1, sizeof(*t->rows));
	t->rows[t->nrows] = (struct agg_row){ .pid = pid, .func = func, .file = file, .line = line };
	hmap_insert(&t->map, pos, h, (uint32_t)t->nrows);
	return &t->rows[t->nrows++];
}

void agg_row_add(struct agg_row *to, const struct agg_row *from)
{
	to->calls += from->calls;
	to->total_ns += from->total_ns;
	to->self_ns += from->self_ns;
	to->sum_ns += from->sum_ns;
	to->open += from->open;
	if (from->max_ns > to->max_ns)
		to->max_ns = from->max_ns;
}

void agg_table_fold_pids(const struct agg_table *t, struct agg_table *out)
{
	agg_table_init(out, t->in);
	out->elapsed_ns = t->elapsed_ns;
	out->events = t->events;
	out->lost = t->lost;
	out->stack_overflow = t->stack_overflow;
	out->map_full = t->map_full;
	out->nprocs = t->nprocs;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct agg_row *r = &t->rows[i];

		agg_row_add(agg_table_row(out, 0, r->func, r->file, r->line), r);
	}
}

void agg_add_open(const struct agg_open *f, size_t n, uint64_t end, struct agg_row *by_id,
		  size_t nids)
{
	uint64_t inner = 0;

	for (size_t i = n; i-- > 0;) {
		uint64_t dur = end > f[i].start ? end - f[i].start : 0, used = f[i].child + inner;

		inner = dur;
		if (f[i].fn >= nids)
			continue;
		by_id[f[i].fn].open++;
		by_id[f[i].fn].self_ns += dur > used ? dur - used : 0;
		if (f[i].outer)
			by_id[f[i].fn].total_ns += dur;
	}
}

void agg_us_text(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%llu.%03llu", (unsigned long long)(ns / 1000),
		 (unsigned long long)(ns % 1000));
}
