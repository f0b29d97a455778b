/* What the stap engine's aggregate script (stapgen_agg.c) prints, and the
 * reader that turns it into agg_tables for a sink (agg.h).  The lines:
 *
 *   pytrace-agg 1                         the header
 *   call 0 PID ID LINE FUNC FILE          a new function: a raw-format call
 *                                         line (raw.h) whose TID field is its id
 *   T NOW EVENTS OVERFLOW FULL FINAL      a table begins, taken at NOW (ns)
 *   R ID CALLS TOTAL SELF SUM MAX         a function's sums (ns)
 *   O TID DEPTH ID START CHILD OUTER      a call open at NOW
 *   E                                     the table ends
 *
 * Lines may end in spaces (the script pads for stap's transport), and
 * lines of spaces come between them. */
#ifndef PYTRACE_STAP_AGG_STREAM_H
#define PYTRACE_STAP_AGG_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "raw.h"

#define AGG_STREAM_HEADER "pytrace-agg 1"

/* The script's bounds (stap arrays have a fixed room). */
#define AGG_STAP_DEPTH   128     /* calls kept per thread */
#define AGG_STAP_FNS     32768   /* function ids */
#define AGG_STAP_THREADS 256     /* threads with calls open at once */
#define AGG_STAP_FRAMES  (AGG_STAP_THREADS * AGG_STAP_DEPTH)

struct stap_agg_name {
	int32_t pid;
	uint32_t func, file;   /* intern ids */
	int64_t line;
	bool named;
};

struct stap_agg_stream {
	const struct agg_sink *sink;
	struct intern *in;
	struct agg_table t;
	struct stap_agg_name *names;   /* by id */
	size_t cap_names;
	struct agg_row *cur;           /* by id: the table being read */
	size_t cap_cur;
	struct open_frame *open;       /* its open calls */
	size_t nopen, cap_open;
	uint64_t head[5];              /* the T line: now, events, overflow, full, final */
	uint64_t now, start_ns;        /* the table's moment; the header's arrival */
	bool in_table;
	bool header_seen, bad, final_seen;
	bool eof;                      /* stap closed the stream */
	bool ready;                    /* the RAW_READY line came (-c) */
	bool stop;                     /* the sink asked to stop */
	char bad_why[160];
	uint64_t tables, skipped;
	struct line_buf lines;         /* bytes read, not yet a whole line */
	uint32_t null_id;
};

void stap_agg_stream_init(struct stap_agg_stream *s, const struct agg_sink *sink);
void stap_agg_stream_free(struct stap_agg_stream *s);
/* Read what fd (non-blocking) has, and handle every whole line; final:
 * the writer is gone, a last line without its newline counts too. */
void stap_agg_stream_drain(struct stap_agg_stream *s, int fd, bool final);
/* One line, without its newline (for the tests too). */
void stap_agg_stream_line(struct stap_agg_stream *s, const char *line, size_t len);

#endif
