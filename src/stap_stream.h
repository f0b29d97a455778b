/* The stap engine's event stream: what the generated script prints (the
 * raw format, raw.h) through the FIFO stap writes, read without blocking
 * and released into the pipeline in timestamp order.
 *
 * stap's transport keeps one buffer per CPU and its reader writes them out
 * buffer by buffer, so lines of different CPUs interleave out of time order
 * (CPython's own test_dtrace sorts stap output by time).  A thread that
 * migrates could show its return before its call.  Events are therefore
 * held in a heap and released in timestamp order once they are
 * REORDER_WINDOW older than the newest one seen, or have waited that long;
 * everything left is released when stap ends.
 *
 * The stream is drained by the engine's own loop rather than by
 * raw_read_stream(), which returns as soon as a stop is requested: stap's
 * last buffers arrive after that.  Lines go through the same raw line
 * reader (raw_lines), so the parser and skipped-line reports are one. */
#ifndef PYTRACE_STAP_STREAM_H
#define PYTRACE_STAP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline.h"
#include "raw.h"

struct stap_stream {
	struct pipeline *p;
	struct raw_lines lines;   /* named "stap" in skipped-line reports */
	bool started;             /* stap opened the FIFO and wrote to it */
	bool eof;
	bool bad;                 /* not a stream we can read: bad_why says why */
	char bad_why[256];
	uint64_t start_ns;        /* when the stream's header arrived (0: not yet) */
	struct held *heap;        /* events waiting to be released in ts order */
	size_t nheap, capheap;
	uint64_t seq, newest_ts;
};

void stap_stream_init(struct stap_stream *s, struct pipeline *p);
/* Read what fd (the FIFO, non-blocking) has; final: stap has exited, so an
 * unfinished last line is damage. */
void stap_stream_drain(struct stap_stream *s, int fd, bool final);
/* Push the held events that can no longer be overtaken (all: every one). */
void stap_stream_release(struct stap_stream *s, bool all);
bool stap_stream_header_seen(const struct stap_stream *s);
/* The script's RAW_READY line arrived (-c: stap tracks the command). */
bool stap_stream_ready(const struct stap_stream *s);
void stap_stream_free(struct stap_stream *s);

#endif
