/* pytrace top's plain table (top_table.h). */
#include <stdlib.h>

#include "escape.h"
#include "top_table.h"
#include "xmalloc.h"

void top_lost_text(char *buf, size_t len, const struct top_model *m)
{
	int n = snprintf(buf, len, "%llu lost", (unsigned long long)m->tot.lost);

	if (n > 0 && (size_t)n < len && (m->tot.stack_overflow || m->tot.map_full))
		snprintf(buf + n, len - (size_t)n, " (%llu deeper than the kept stack, %llu map full)",
			 (unsigned long long)m->tot.stack_overflow, (unsigned long long)m->tot.map_full);
}

static void put_us(FILE *f, uint64_t ns)
{
	char b[32];

	agg_us_text(b, sizeof(b), ns);
	fprintf(f, " %14s", b);
}

/* An interned name escaped for one line of text. */
static void put_name(FILE *f, struct esc_cache *esc, const struct intern *in, uint32_t id)
{
	const struct esc_entry *e = esc_get(esc, in, id);

	fwrite(e->s, 1, e->len, f);
}

int top_table_print(FILE *f, const struct top_model *m, struct esc_cache *esc,
		    enum top_sort key, bool final)
{
	char lost[96];
	uint64_t el = m->tot.elapsed_ns;

	top_lost_text(lost, sizeof(lost), m);
	fprintf(f, "# pytrace top%s: %llu.%03llu s, %u %s, %.0f events/s, %s, sorted by %s\n",
		final ? " (final)" : "", (unsigned long long)(el / 1000000000ull),
		(unsigned long long)(el / 1000000ull % 1000), m->tot.nprocs,
		m->tot.nprocs == 1 ? "process" : "processes",
		final && el ? (double)m->tot.events * 1e9 / (double)el : m->events_rate, lost,
		top_sort_name(key));
	fputs("     calls    calls/s       total us        self us        mean us         max us"
	      "      pid  function (file:line)\n", f);
	for (size_t k = 0; k < m->norder; k++) {
		const struct top_row *r = &m->rows[m->order[k]];
		double rate = final ? (el ? (double)r->a.calls * 1e9 / (double)el : 0.0) : r->rate;

		fprintf(f, "%10llu %10.0f", (unsigned long long)r->a.calls, rate);
		put_us(f, r->a.total_ns);
		put_us(f, r->a.self_ns);
		if (r->a.calls) {
			put_us(f, r->a.sum_ns / r->a.calls);
			put_us(f, r->a.max_ns);
		} else {
			fprintf(f, " %14s %14s", "-", "-");
		}
		fprintf(f, " %8d  ", (int)r->a.pid);
		put_name(f, esc, m->in, r->a.func);
		fputs(" (", f);
		put_name(f, esc, m->in, r->a.file);
		fprintf(f, ":%lld)", (long long)r->a.line);
		if (final && r->a.open)
			fprintf(f, " [%llu never returned]", (unsigned long long)r->a.open);
		fputc('\n', f);
	}
	fputc('\n', f);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
