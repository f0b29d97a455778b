/* The stap engine's stream and its reorder heap (stap_stream.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "stap_stream.h"
#include "xmalloc.h"

#define REORDER_WINDOW  (300ull * 1000000ull)   /* ns */
#define HELD_EXEC       0xff   /* a held "event" that is a RAW_EXEC line */

/* A parsed event waiting for its turn; its strings live in `strings`. */
struct held {
	struct event ev;
	uint64_t seq, arrival;
	char *strings;
};

static bool held_before(const struct held *a, const struct held *b)
{
	return a->ev.ts < b->ev.ts || (a->ev.ts == b->ev.ts && a->seq < b->seq);
}

/* Keep ev past the parse: its strings point into the reused scratch. */
static struct held hold(const struct event *ev, uint64_t seq)
{
	struct held h = { .ev = *ev, .seq = seq, .arrival = now_ns() };

	h.strings = xmalloc((size_t)ev->func_len + ev->file_len + 1);
	if (ev->func) {
		memcpy(h.strings, ev->func, ev->func_len);
		h.ev.func = h.strings;
	}
	if (ev->file) {
		memcpy(h.strings + ev->func_len, ev->file, ev->file_len);
		h.ev.file = h.strings + ev->func_len;
	}
	return h;
}

static void heap_push(struct stap_stream *s, struct held h)
{
	size_t i;

	s->heap = xgrow(s->heap, &s->capheap, s->nheap + 1, sizeof(*s->heap));
	i = s->nheap++;
	while (i > 0 && held_before(&h, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = h;
}

static struct held heap_pop(struct stap_stream *s)
{
	struct held top = s->heap[0], last = s->heap[--s->nheap];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && held_before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!held_before(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->nheap)
		s->heap[i] = last;
	return top;
}

void stap_stream_release(struct stap_stream *s, bool all)
{
	uint64_t now = now_ns();

	while (s->nheap) {
		const struct held *top = &s->heap[0];
		if (!all && top->ev.ts + REORDER_WINDOW > s->newest_ts &&
		    top->arrival + REORDER_WINDOW > now)
			break;
		struct held h = heap_pop(s);
		if (h.ev.kind == HELD_EXEC)
			pipeline_exec(s->p, h.ev.pid, h.ev.ts);
		else
			pipeline_push(s->p, &h.ev);
		free(h.strings);
	}
}

/* raw_lines' emit: into the heap instead of the pipeline. */
static void stream_event(void *ctx, const struct event *ev)
{
	struct stap_stream *s = ctx;

	if (ev->ts > s->newest_ts)
		s->newest_ts = ev->ts;
	heap_push(s, hold(ev, s->seq++));
}

/* raw_lines' exec: in time order with the events around it (an old
 * image's last events can still be in the heap). */
static void stream_exec(void *ctx, int32_t pid, uint64_t ts)
{
	struct stap_stream *s = ctx;
	struct event ev = { .kind = HELD_EXEC, .pid = pid, .ts = ts };

	heap_push(s, hold(&ev, s->seq++));
}

void stap_stream_init(struct stap_stream *s, struct pipeline *p)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	raw_lines_init(&s->lines, "stap", p, stream_event, s);
	s->lines.exec = stream_exec;
}

bool stap_stream_header_seen(const struct stap_stream *s)
{
	return s->lines.header_seen;
}

bool stap_stream_ready(const struct stap_stream *s)
{
	return s->lines.ready;
}

void stap_stream_drain(struct stap_stream *s, int fd, bool final)
{
	char err[256];

	while (!s->bad) {
		enum raw_read rr = raw_lines_read(&s->lines, fd, err, sizeof(err));

		if (rr == RAW_DATA) {
			s->started = true;
			if (!s->start_ns && s->lines.header_seen)
				s->start_ns = now_ns();
			continue;
		}
		/* EOF before stap opened the FIFO only means "no writer yet". */
		if (rr == RAW_EOF && s->started)
			s->eof = true;
		if (rr == RAW_ERROR) {
			s->bad = true;
			if (!s->lines.header_seen)
				snprintf(s->bad_why, sizeof(s->bad_why),
					 "the stap script's output does not start with \"%s\"", RAW_HEADER);
			else
				snprintf(s->bad_why, sizeof(s->bad_why), "%s", err);
		}
		break;
	}
	/* stap ended in the middle of a line (killed while writing). */
	if ((final || s->eof) && raw_lines_pending(&s->lines) && !s->bad) {
		size_t n;

		raw_lines_skip(&s->lines, "truncated last line");
		line_buf_rest(&s->lines.in, &n);
	}
}

void stap_stream_free(struct stap_stream *s)
{
	for (size_t i = 0; i < s->nheap; i++)
		free(s->heap[i].strings);
	free(s->heap);
	raw_lines_free(&s->lines);
	memset(s, 0, sizeof(*s));
}
