/* The summary table's printer (summary_table.h).  Columns:
 *   calls  completed calls
 *   total  time inside the function, a recursive call counted once
 *   self   total minus the time of the calls it made
 *   mean   average duration of one call (every call, recursion included)
 *   max    longest call
 * Times in microseconds, to the nanosecond.  A row with activations never
 * returned says "[N never returned]"; with no completed call its mean and
 * max are "-". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "summary_table.h"
#include "xmalloc.h"

static const struct agg_row *sort_base;

static int by_self(const void *a, const void *b)
{
	const struct agg_row *x = &sort_base[*(const uint32_t *)a];
	const struct agg_row *y = &sort_base[*(const uint32_t *)b];

	if (x->self_ns != y->self_ns)
		return x->self_ns > y->self_ns ? -1 : 1;
	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
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

void summary_table_print(struct out *o, const struct agg_table *t, enum summary_format fmt)
{
	bool md = fmt == SUMMARY_MARKDOWN;
	char line[512], tot[32], self[32], mean[32], max[32];
	struct esc_cache esc;
	uint32_t *order = xmalloc((t->nrows ? t->nrows : 1) * sizeof(*order));
	size_t n = 0;

	esc_cache_init(&esc, ESC_TEXT);
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].calls || t->rows[i].open)
			order[n++] = (uint32_t)i;
	sort_base = t->rows;
	qsort(order, n, sizeof(*order), by_self);

	if (md)
		out_str(o, "| function | file | calls | total (us) | self (us) | mean (us) | max (us) |\n"
			   "|---|---|---:|---:|---:|---:|---:|\n");
	else
		out_str(o, "     calls       total us        self us        mean us         max us  function\n");
	for (size_t k = 0; k < n; k++) {
		const struct agg_row *f = &t->rows[order[k]];
		const struct esc_entry *func = esc_get(&esc, t->in, f->func);
		const struct esc_entry *file = esc_get(&esc, t->in, f->file);

		agg_us_text(tot, sizeof(tot), f->total_ns);
		agg_us_text(self, sizeof(self), f->self_ns);
		if (f->calls) {
			agg_us_text(mean, sizeof(mean), f->sum_ns / f->calls);
			agg_us_text(max, sizeof(max), f->max_ns);
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
	esc_cache_free(&esc);
}
