/* pytrace top's rows from the engine's cumulative tables (top_model.h). */
#include <stdlib.h>
#include <string.h>

#include "top_model.h"
#include "xmalloc.h"

void top_model_init(struct top_model *m, struct filter *filter)
{
	memset(m, 0, sizeof(*m));
	m->in = intern_new();
	m->filter = filter;
	hmap_init(&m->index, 256);
}

void top_model_free(struct top_model *m)
{
	intern_free(m->in);
	hmap_free(&m->index);
	free(m->rows);
	free(m->order);
	memset(m, 0, sizeof(*m));
}

static uint32_t copy_str(struct top_model *m, const struct intern *from, uint32_t id)
{
	const struct istr *s = intern_str(from, id);
	return intern_id(m->in, s->s, s->len);
}

static uint32_t row_hash(int32_t pid, uint32_t func, uint32_t file, int64_t line)
{
	return hmap_hash64(((uint64_t)(uint32_t)pid << 32) ^ ((uint64_t)func << 16) ^ file ^
			   ((uint64_t)line << 40));
}

/* The row of (pid, func, file, line) — two functions of one name in one
 * file stay apart — added when new. */
static struct top_row *row_for(struct top_model *m, int32_t pid, uint32_t func, uint32_t file,
			       int64_t line)
{
	uint32_t h = row_hash(pid, func, file, line);
	size_t pos = hmap_pos(&m->index, h);

	for (uint32_t id; (id = hmap_next(&m->index, &pos, h)) != HMAP_NONE;) {
		struct agg_row *a = &m->rows[id].a;
		if (a->pid == pid && a->func == func && a->file == file && a->line == line)
			return &m->rows[id];
	}
	m->rows = xgrow(m->rows, &m->cap, m->nrows + 1, sizeof(*m->rows));
	struct top_row *r = &m->rows[m->nrows];
	*r = (struct top_row){ .a = { .pid = pid, .func = func, .file = file, .line = line } };
	hmap_insert(&m->index, pos, h, (uint32_t)m->nrows++);
	return r;
}

/* Per second over dt_ns; the first table's rates are averages since the start. */
static double per_second(uint64_t now, uint64_t before, uint64_t dt_ns)
{
	return dt_ns && now >= before ? (double)(now - before) * 1e9 / (double)dt_ns : 0.0;
}

void top_model_update(struct top_model *m, const struct agg_table *t)
{
	uint64_t dt = t->elapsed_ns > m->prev_elapsed_ns ? t->elapsed_ns - m->prev_elapsed_ns : 0;

	for (size_t i = 0; i < m->nrows; i++)
		m->rows[i].prev_calls = m->rows[i].a.calls;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct agg_row *a = &t->rows[i];
		uint32_t func = copy_str(m, t->in, a->func), file = copy_str(m, t->in, a->file);

		if (m->filter && (!filter_pid_ok(m->filter, a->pid) ||
				  !filter_code_ok(m->filter, m->in, func, file)))
			continue;
		struct top_row *r = row_for(m, a->pid, func, file, a->line);
		r->a = *a;
		r->a.func = func;
		r->a.file = file;
	}
	for (size_t i = 0; i < m->nrows; i++)
		m->rows[i].rate = per_second(m->rows[i].a.calls, m->rows[i].prev_calls, dt);
	m->events_rate = per_second(t->events, m->prev_events, dt);
	m->prev_elapsed_ns = t->elapsed_ns;
	m->prev_events = t->events;
	m->tot = *t;
	m->tot.in = NULL;
	m->tot.rows = NULL;
	m->tot.nrows = m->tot.cap = 0;
	memset(&m->tot.map, 0, sizeof(m->tot.map));
	m->snapshots++;
}

struct sort_ctx {
	const struct top_model *m;
	enum top_sort key;
};

static uint64_t key_of(const struct top_row *r, enum top_sort key)
{
	switch (key) {
	case TOP_SORT_TOTAL: return r->a.total_ns;
	case TOP_SORT_SELF:  return r->a.self_ns;
	case TOP_SORT_CALLS: break;
	}
	return r->a.calls;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b ? 1 : 0;   /* largest first */
}

static int by_key(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *c = arg;
	const struct top_row *a = &c->m->rows[*(const uint32_t *)pa];
	const struct top_row *b = &c->m->rows[*(const uint32_t *)pb];
	int d = cmp_u64(key_of(a, c->key), key_of(b, c->key));

	if (!d)
		d = cmp_u64(a->a.calls, b->a.calls);
	if (!d)
		d = cmp_u64(a->a.total_ns, b->a.total_ns);
	if (!d)
		d = strcmp(intern_str(c->m->in, a->a.func)->s, intern_str(c->m->in, b->a.func)->s);
	if (!d)
		d = a->a.pid < b->a.pid ? -1 : a->a.pid > b->a.pid;
	return d;
}

void top_model_sort(struct top_model *m, enum top_sort key)
{
	struct sort_ctx c = { m, key };

	m->order = xgrow(m->order, &m->order_cap, m->nrows + 1, sizeof(*m->order));
	m->norder = 0;
	for (size_t i = 0; i < m->nrows; i++)
		if (m->rows[i].a.calls || m->rows[i].a.open)
			m->order[m->norder++] = (uint32_t)i;
	qsort_r(m->order, m->norder, sizeof(*m->order), by_key, &c);
}

const char *top_sort_name(enum top_sort key)
{
	switch (key) {
	case TOP_SORT_TOTAL: return "total";
	case TOP_SORT_SELF:  return "self";
	case TOP_SORT_CALLS: break;
	}
	return "calls";
}
