/* pytrace top's full-screen frame (top_screen.h): ANSI escapes only —
 * home, erase to end of line and of screen, bold, reverse video. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "top_screen.h"
#include "top_table.h"
#include "xmalloc.h"

#define NUM_COLS 7                /* calls .. pid */
static const struct {
	const char *name;
	int width;
} cols_spec[NUM_COLS] = {
	{ "CALLS", 10 }, { "CALLS/S", 9 }, { "TOTAL", 9 }, { "SELF", 9 },
	{ "MEAN", 9 }, { "MAX", 9 }, { "PID", 8 },
};
#define NUMS_WIDTH (10 + 9 * 5 + 8 + NUM_COLS)   /* the columns and a space each */

void top_screen_init(struct top_screen *s)
{
	memset(s, 0, sizeof(*s));
	esc_cache_init(&s->esc, ESC_TEXT);
}

void top_screen_free(struct top_screen *s)
{
	esc_cache_free(&s->esc);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

static void put(struct top_screen *s, const char *p, size_t n)
{
	s->buf = xgrow(s->buf, &s->cap, s->len + n + 1, 1);
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

static void puts_(struct top_screen *s, const char *p)
{
	put(s, p, strlen(p));
}

static void putf(struct top_screen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct top_screen *s, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(s, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Terminal cells of UTF-8 text (one per code point: ESC_TEXT leaves no
 * control bytes; wide characters are rare in Python names). */
static size_t cells(const char *p, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)p[i] & 0xc0) != 0x80;
	return c;
}

/* The byte offset of the first cell after skipping k cells of p. */
static size_t skip_cells(const char *p, size_t n, size_t k)
{
	size_t i = 0;
	while (i < n && k) {
		i++;
		while (i < n && ((unsigned char)p[i] & 0xc0) == 0x80)
			i++;
		k--;
	}
	return i;
}

/* p in exactly width cells: padded, or cut — at the end, or (tail) at the
 * start so a long path keeps its file name — with "..." marking the cut. */
static void put_fit(struct top_screen *s, const char *p, size_t n, size_t width, bool tail)
{
	size_t c = cells(p, n);

	if (c <= width) {
		put(s, p, n);
		for (; c < width; c++)
			put(s, " ", 1);
		return;
	}
	if (width < 4) {
		put(s, p, skip_cells(p, n, width));
		return;
	}
	if (tail) {
		size_t from = skip_cells(p, n, c - (width - 3));
		put(s, "...", 3);
		put(s, p + from, n - from);
	} else {
		put(s, p, skip_cells(p, n, width - 3));
		put(s, "...", 3);
	}
}

/* A duration in at most 9 cells: 850ns, 12.3us, 1.25ms, 3.40s, 1234s. */
static void fmt_dur(char *b, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(b, len, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(b, len, "%.3gus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(b, len, "%.3gms", (double)ns / 1e6);
	else if (ns < 1000000000000ull)
		snprintf(b, len, "%.2fs", (double)ns / 1e9);
	else
		snprintf(b, len, "%llus", (unsigned long long)(ns / 1000000000ull));
}

/* Erase the rest of the line and go to the next one. */
static void eol(struct top_screen *s)
{
	puts_(s, "\033[K\r\n");
}

static void header(struct top_screen *s, const struct top_model *m, const struct top_view *v,
		   size_t width)
{
	char line[512], lost[96];
	uint64_t el = m->tot.elapsed_ns;

	top_lost_text(lost, sizeof(lost), m);
	int n = snprintf(line, sizeof(line), "pytrace top  %llu.%llu s  %u %s  %.0f events/s  %s"
			 "  sort: %s%s  ", (unsigned long long)(el / 1000000000ull),
			 (unsigned long long)(el / 100000000ull % 10), m->tot.nprocs,
			 m->tot.nprocs == 1 ? "process" : "processes", m->events_rate, lost,
			 top_sort_name(v->sort), v->stopping ? "  [stopping]" :
			 v->ended ? "  [tracing ended]" : v->paused ? "  [paused]" : "");
	if (n < 0)
		n = 0;
	snprintf(line + n, sizeof(line) - (size_t)n, "%s", v->what);
	puts_(s, "\033[1m");
	put_fit(s, line, strlen(line), width, false);
	puts_(s, "\033[0m");
	eol(s);
	snprintf(line, sizeof(line), "keys: c calls  t total  s self  p %s  q quit",
		 v->paused ? "resume" : "pause");
	put_fit(s, line, strlen(line), width, false);
	eol(s);
}

/* Cut what was put since start (text without escapes) to width cells:
 * a narrow terminal gets the left part of a line, never a wrapped one. */
static void clip(struct top_screen *s, size_t start, size_t width)
{
	s->len = start + skip_cells(s->buf + start, s->len - start, width);
}

/* Column names in reverse video over the whole width, the sort key's
 * marked with '*'. */
static void column_names(struct top_screen *s, enum top_sort sort, size_t width, size_t fw)
{
	int key = sort == TOP_SORT_TOTAL ? 2 : sort == TOP_SORT_SELF ? 3 : 0;
	size_t start;
	char rest[64];

	puts_(s, "\033[7m");
	start = s->len;
	for (int i = 0; i < NUM_COLS; i++) {
		char name[16];
		snprintf(name, sizeof(name), "%s%s", cols_spec[i].name, i == key ? "*" : "");
		putf(s, "%*s ", cols_spec[i].width, name);
	}
	if (width > NUMS_WIDTH) {
		snprintf(rest, sizeof(rest), "%-*s FILE:LINE", (int)fw, "FUNCTION");
		put_fit(s, rest, strlen(rest), width - NUMS_WIDTH, false);
	}
	clip(s, start, width);
	puts_(s, "\033[0m");
	eol(s);
}

/* The function column's width: the longest shown name, within [8, 40],
 * leaving the file 16 cells or a third of the room, whichever is less. */
static size_t func_width(struct top_screen *s, const struct top_model *m, size_t shown,
			 size_t width)
{
	size_t fw = 8, room = width > NUMS_WIDTH ? width - NUMS_WIDTH : 0;

	for (size_t k = 0; k < shown; k++) {
		const struct esc_entry *e = esc_get(&s->esc, m->in, m->rows[m->order[k]].a.func);
		size_t c = cells(e->s, e->len);
		if (c > fw)
			fw = c;
	}
	size_t most = room > 17 ? room - 17 : 0;
	if (most < room * 2 / 3)
		most = room * 2 / 3;
	if (fw > 40)
		fw = 40;
	return fw < most ? fw : most;
}

static void row(struct top_screen *s, const struct top_model *m, const struct top_row *r,
		size_t width, size_t fw)
{
	char tot[16], self[16], mean[16], max[16], fileline[64];

	fmt_dur(tot, sizeof(tot), r->a.total_ns);
	fmt_dur(self, sizeof(self), r->a.self_ns);
	if (r->a.calls) {
		fmt_dur(mean, sizeof(mean), r->a.sum_ns / r->a.calls);
		fmt_dur(max, sizeof(max), r->a.max_ns);
	} else {
		strcpy(mean, "-");
		strcpy(max, "-");
	}
	size_t start = s->len;
	putf(s, "%10llu %9.0f %9s %9s %9s %9s %8d ", (unsigned long long)r->a.calls, r->rate, tot,
	     self, mean, max, (int)r->a.pid);
	if (width <= NUMS_WIDTH) {
		clip(s, start, width);
		return;
	}
	size_t room = width - NUMS_WIDTH;
	const struct esc_entry *fn = esc_get(&s->esc, m->in, r->a.func);
	put_fit(s, fn->s, fn->len, fw < room ? fw : room, false);
	if (room <= fw + 1)
		return;
	put(s, " ", 1);
	const struct esc_entry *file = esc_get(&s->esc, m->in, r->a.file);
	snprintf(fileline, sizeof(fileline), ":%lld", (long long)r->a.line);
	/* file:line as one string, cut from the left */
	size_t n = file->len + strlen(fileline);
	char *fl = xmalloc(n + 1);
	memcpy(fl, file->s, file->len);
	memcpy(fl + file->len, fileline, strlen(fileline) + 1);
	size_t fc = cells(fl, n), w = room - fw - 1;
	put_fit(s, fl, n, fc < w ? fc : w, true);
	free(fl);
}

int top_screen_draw(struct top_screen *s, const struct top_model *m, const struct top_view *v,
		    int cols, int rows)
{
	size_t width = cols > 1 ? (size_t)cols : 80, height = rows > 4 ? (size_t)rows : 4;
	size_t room = height - 3, shown = m->norder;

	s->len = 0;
	puts_(s, "\033[H");
	header(s, m, v, width);
	if (shown > room)
		shown = room - 1;   /* the last line says how many more */
	size_t fw = func_width(s, m, shown, width);
	column_names(s, v->sort, width, fw);
	if (!m->norder) {
		size_t start = s->len;
		puts_(s, m->snapshots ? "no python calls yet" : "starting...");
		clip(s, start, width);
		eol(s);
	}
	for (size_t k = 0; k < shown; k++) {
		row(s, m, &m->rows[m->order[k]], width, fw);
		/* the last line has no newline: a full screen must not scroll */
		if (k + 1 < shown || shown < m->norder)
			eol(s);
		else
			puts_(s, "\033[K");
	}
	if (shown < m->norder) {
		size_t start = s->len;
		putf(s, "  ... %zu more functions", m->norder - shown);
		clip(s, start, width);
		puts_(s, "\033[K");
	}
	puts_(s, "\033[J");
	const char *p = s->buf;
	size_t left = s->len;
	while (left) {
		ssize_t w = write(STDOUT_FILENO, p, left);
		if (w <= 0)
			return -1;
		p += w;
		left -= (size_t)w;
	}
	return 0;
}
