/* The stap aggregate stream's reader (stap_agg_stream.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "event.h"
#include "intern.h"
#include "log.h"
#include "raw.h"
#include "stap_agg_stream.h"
#include "xmalloc.h"

#define REPORT_SKIPPED 5

struct open_frame {
	uint64_t tid, depth;
	struct agg_open f;
};

void stap_agg_stream_init(struct stap_agg_stream *s, const struct agg_sink *sink)
{
	memset(s, 0, sizeof(*s));
	s->sink = sink;
	s->in = intern_new();
	agg_table_init(&s->t, s->in);
	s->null_id = intern_id(s->in, "<null>", 6);
}

void stap_agg_stream_free(struct stap_agg_stream *s)
{
	agg_table_free(&s->t);
	intern_free(s->in);
	free(s->names);
	free(s->cur);
	free(s->open);
	line_buf_free(&s->lines);
	memset(s, 0, sizeof(*s));
}

static void skip_line(struct stap_agg_stream *s, const char *why)
{
	if (++s->skipped <= REPORT_SKIPPED)
		warn_msg("stap: %s; line skipped", why);
}

/* n unsigned numbers separated by spaces, then only spaces. */
static bool numbers(const char *p, const char *end, uint64_t *v, int n)
{
	for (int i = 0; i < n; i++) {
		char *e;

		while (p < end && *p == ' ')
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return false;
		errno = 0;
		v[i] = strtoull(p, &e, 10);
		if (errno || e > end)
			return false;
		p = e;
	}
	while (p < end && *p == ' ')
		p++;
	return p == end;
}

static void define(struct stap_agg_stream *s, const char *line, size_t len)
{
	char why[160];
	struct event ev;
	char *scratch = xmalloc(2 * len + 64);

	if (raw_parse_line(line, len, &ev, scratch, 2 * len + 64, why, sizeof(why)) < 0 ||
	    ev.kind != EV_CALL || ev.tid <= 0 || ev.tid > AGG_STAP_FNS) {
		skip_line(s, "a function line the reader does not understand");
		free(scratch);
		return;
	}
	size_t id = (size_t)ev.tid;
	if (id >= s->cap_names)
		s->names = xgrow_zero(s->names, &s->cap_names, id + 1, sizeof(*s->names));
	struct stap_agg_name *n = &s->names[id];
	n->pid = ev.pid;
	n->line = ev.num;
	n->func = (ev.flags & EVF_FUNC_NULL) ? s->null_id : intern_id(s->in, ev.func, ev.func_len);
	n->file = (ev.flags & EVF_FILE_NULL) ? s->null_id : intern_id(s->in, ev.file, ev.file_len);
	n->named = true;
	free(scratch);
}

static int by_thread(const void *a, const void *b)
{
	const struct open_frame *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

static int by_pid(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Processes that named a function so far. */
static uint32_t distinct_pids(const struct stap_agg_stream *s)
{
	int32_t *pids = xmalloc((s->cap_names ? s->cap_names : 1) * sizeof(*pids));
	size_t n = 0;
	uint32_t distinct = 0;

	for (size_t id = 0; id < s->cap_names; id++)
		if (s->names[id].named)
			pids[n++] = s->names[id].pid;
	qsort(pids, n, sizeof(*pids), by_pid);
	for (size_t i = 0; i < n; i++)
		distinct += i == 0 || pids[i] != pids[i - 1];
	free(pids);
	return distinct;
}

/* The table is complete: its open calls, its rows, to the sink. */
static void table_done(struct stap_agg_stream *s)
{
	const uint64_t *head = s->head;

	size_t nids = s->cap_cur;

	if (s->nopen)
		qsort(s->open, s->nopen, sizeof(*s->open), by_thread);
	for (size_t i = 0, j; i < s->nopen; i = j) {
		struct agg_open f[AGG_STAP_DEPTH];
		size_t n = 0;

		for (j = i; j < s->nopen && s->open[j].tid == s->open[i].tid; j++)
			if (n < AGG_STAP_DEPTH)
				f[n++] = s->open[j].f;
		agg_add_open(f, n, s->now, s->cur, nids);
	}
	agg_table_clear(&s->t);
	for (size_t id = 0; id < nids; id++) {
		const struct agg_row *r = &s->cur[id];
		const struct stap_agg_name *nm = id < s->cap_names && s->names[id].named
						 ? &s->names[id] : NULL;

		if (!nm || (!r->calls && !r->open))
			continue;
		agg_row_add(agg_table_row(&s->t, nm->pid, nm->func, nm->file, nm->line), r);
	}
	s->t.elapsed_ns = s->start_ns && s->now > s->start_ns ? s->now - s->start_ns : 0;
	s->t.events = head[1];
	s->t.stack_overflow = head[2];
	s->t.map_full = head[3];
	s->t.lost = head[2] + head[3];
	s->t.nprocs = distinct_pids(s);
	s->tables++;
	if (head[4])
		s->final_seen = true;
	if (!s->sink->snapshot(s->sink->arg, &s->t, head[4] != 0))
		s->stop = true;
}

/* An R or O line of the table being read: its six numbers into v, the
 * function id v[id] within the script's bound and room for it in cur;
 * false (the line skipped, why said) otherwise. */
static bool table_numbers(struct stap_agg_stream *s, const char *line, size_t len, uint64_t *v,
			  int id, const char *why)
{
	if (!s->in_table || !numbers(line + 1, line + len, v, 6) || v[id] > AGG_STAP_FNS) {
		skip_line(s, why);
		return false;
	}
	if (v[id] >= s->cap_cur)
		s->cur = xgrow_zero(s->cur, &s->cap_cur, v[id] + 1, sizeof(*s->cur));
	return true;
}

void stap_agg_stream_line(struct stap_agg_stream *s, const char *line, size_t len)
{
	uint64_t *head = s->head, v[6];

	while (len && (line[len - 1] == ' ' || line[len - 1] == '\r'))
		len--;
	if (len == strlen(RAW_READY) && memcmp(line, RAW_READY, len) == 0) {
		s->ready = true;   /* -c: stap tracks the command (stapgen_ready) */
		return;
	}
	if (len == 0 || line[0] == '#' || s->bad)
		return;
	if (!s->header_seen) {
		if (len != strlen(AGG_STREAM_HEADER) || memcmp(line, AGG_STREAM_HEADER, len) != 0) {
			s->bad = true;
			snprintf(s->bad_why, sizeof(s->bad_why), "stap's stream is not an aggregate "
				 "table (the first line should be \"%s\")", AGG_STREAM_HEADER);
			return;
		}
		s->header_seen = true;
		s->start_ns = now_ns();
		return;
	}
	if (len > 5 && memcmp(line, "call ", 5) == 0) {
		define(s, line, len);
		return;
	}
	switch (line[0]) {
	case 'T':
		if (!numbers(line + 1, line + len, head, 5)) {
			skip_line(s, "a bad table line");
			return;
		}
		s->now = head[0];
		if (s->cap_cur)
			memset(s->cur, 0, s->cap_cur * sizeof(*s->cur));
		s->nopen = 0;
		s->in_table = true;
		return;
	case 'R':
		if (!table_numbers(s, line, len, v, 0, "a bad row line"))
			return;
		s->cur[v[0]] = (struct agg_row){ .calls = v[1], .total_ns = v[2], .self_ns = v[3],
						 .sum_ns = v[4], .max_ns = v[5] };
		return;
	case 'O':
		if (!table_numbers(s, line, len, v, 2, "a bad open-call line"))
			return;
		s->open = xgrow(s->open, &s->cap_open, s->nopen + 1, sizeof(*s->open));
		s->open[s->nopen++] = (struct open_frame){ .tid = v[0], .depth = v[1],
			.f = { .fn = (uint32_t)v[2], .start = v[3], .child = v[4], .outer = v[5] != 0 } };
		return;
	case 'E':
		if (!s->in_table || len != 1) {
			skip_line(s, "a bad table end");
			return;
		}
		s->in_table = false;
		table_done(s);
		return;
	default:
		skip_line(s, "a line the reader does not understand");
	}
}

/* line_buf_read's fn: every line is the stream's (its errors are counted). */
static int agg_line(void *ctx, const char *line, size_t len, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	stap_agg_stream_line(ctx, line, len);
	return 0;
}

void stap_agg_stream_drain(struct stap_agg_stream *s, int fd, bool final)
{
	char err[sizeof(s->bad_why)];
	enum raw_read r;
	const char *rest;
	size_t n;

	while ((r = line_buf_read(&s->lines, fd, "stap", agg_line, s, err, sizeof(err))) == RAW_DATA)
		;
	if (r == RAW_EOF)
		s->eof = true;
	if (r == RAW_ERROR && !s->bad) {
		s->bad = true;
		snprintf(s->bad_why, sizeof(s->bad_why), "%s", err);
	}
	if (final && (rest = line_buf_rest(&s->lines, &n)))
		stap_agg_stream_line(s, rest, n);
}
