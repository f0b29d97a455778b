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
}

void top_model_free(struct top_model *m)
{
	intern_free(m->in);
	free(m->rows);
	free(m->of_engine);
	free(m->order);
	memset(m, 0, sizeof(*m));
}

static uint32_t copy_str(struct top_model *m, const struct intern *from, uint32_t id)
{
	const struct istr *s = intern_str(from, id);
	return intern_id(m->in, s->s, s->len);
}

/* Where engine row a goes: a new row with its strings in m->in, or
 * TOP_HIDDEN when the filter hides it.  The engine's rows are unique by
 * (pid, func, file), so a new one is never a row already here. */
static uint32_t take_row(struct top_model *m, const struct intern *from, const struct agg_row *a)
{
	uint32_t func = copy_str(m, from, a->func), file = copy_str(m, from, a->file);

	if (m->filter && (!filter_pid_ok(m->filter, a->pid) ||
			  !filter_code_ok(m->filter, m->in, func, file)))
		return TOP_HIDDEN;
	m->rows = xgrow(m->rows, &m->cap, m->nrows + 1, sizeof(*m->rows));
	m->rows[m->nrows] = (struct top_row){ .a = { .pid = a->pid, .func = func, .file = file,
						     .line = a->line } };
	return (uint32_t)m->nrows++;
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
	if (t->in != m->engine_in || t->nrows < m->nseen) {
		/* Not the table taken in before (no engine does this): anew. */
		m->nrows = m->nseen = 0;
		m->engine_in = t->in;
	}
	if (t->nrows > m->nseen)
		m->of_engine = xgrow(m->of_engine, &m->seen_cap, t->nrows, sizeof(*m->of_engine));
	for (; m->nseen < t->nrows; m->nseen++)
		m->of_engine[m->nseen] = take_row(m, t->in, &t->rows[m->nseen]);
	for (size_t i = 0; i < t->nrows; i++) {
		if (m->of_engine[i] == TOP_HIDDEN)
			continue;
		struct agg_row *r = &m->rows[m->of_engine[i]].a;
		uint32_t func = r->func, file = r->file;

		*r = t->rows[i];
		r->func = func;
		r->file = file;
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
