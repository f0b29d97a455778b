/* The raw format: pytrace's replayable output and the stap engine's stream.
 *
 *   pytrace-raw 1
 *   KIND TS PID TID NUM STR1 STR2
 *
 * KIND is ev_kind_name(); TS ns; NUM the line number / gc generation /
 * collected / import found / lost count; STR1 the function (module for
 * imports, audit event name, process name for comm); STR2 the file.
 * Strings use SystemTap's string_quoted() syntax: "..." with \a \b \f \n
 * \r \t \v \" \\ \ooo \uXXXX \UXXXXXXXX escapes, a trailing ... after the
 * closing quote when truncated; an unquoted 0x... token is an address the
 * tracer could not read (0x0: NULL). A comment line
 *   # pytrace-clock realtime-monotonic-ns N
 * (written by -f raw at the end of a live trace) gives CLOCK_REALTIME minus
 * CLOCK_MONOTONIC when it was recorded: the wall-clock time of an event is
 * TS + N; and one line per process
 *   # pytrace-cmdline PID STR
 * its command line; where a thread ended (a live bpf trace knows),
 *   # pytrace-thread-end PID TID
 * so that a replay frees what it kept for it too. See README "The raw
 * format". */
#ifndef PYTRACE_RAW_H
#define PYTRACE_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "pipeline.h"

#define RAW_MAGIC    "pytrace-raw"
#define RAW_VERSION  1
#define RAW_HEADER   "pytrace-raw 1"
#define RAW_CLOCK    "# pytrace-clock realtime-monotonic-ns "
#define RAW_CMDLINE  "# pytrace-cmdline "
#define RAW_THREAD_END "# pytrace-thread-end "
/* The stap engine's script ends its stream with how many lines it emitted
 * (comm and events), so the engine can count what the transport lost. */
#define RAW_EMITTED  "# pytrace-emitted "
/* The stap engine's -c script says stap's process tracking has reached the
 * command (begin probes run before stap registers its other probes): the
 * engine lets the held command start then. */
#define RAW_READY    "# pytrace-ready"
/* ... and "# pytrace-exec PID TS" when a traced process replaced its image
 * at TS: the calls open in the old image end there (raw_lines.exec). */
#define RAW_EXEC     "# pytrace-exec "

/* An event line's layout as a printf format. The stap generator uses it
 * verbatim (%s arguments being user_string_quoted()). The -f raw writer
 * (render_raw.c) formats the same fields by hand, without printf, for speed;
 * the golden replay tests (raw in, raw out) keep the two in step. */
#define RAW_LINE_FMT "%s %d %d %d %d %s %s\n"

struct raw_stats {
	uint64_t lines;      /* lines read, header included */
	uint64_t events;     /* events pushed */
	uint64_t skipped;    /* malformed lines skipped (reported on stderr) */
};

/* Read a raw stream from fd until EOF, a closed output, or stop() (NULL:
 * never), pushing events into p. Malformed lines are reported on stderr
 * with their line numbers as "NAME:LINE: reason" and counted. Returns 0, or
 * -1 with err filled when the stream cannot be used at all (read error,
 * unknown version). */
int raw_read_stream(int fd, const char *name, struct pipeline *p, bool (*stop)(void),
		    struct raw_stats *st, char *err, size_t errlen);

enum raw_read {
	RAW_DATA,    /* bytes read, every whole line handled */
	RAW_AGAIN,   /* a non-blocking fd has nothing now (err says so) */
	RAW_EOF,     /* end of the stream (the unfinished last line may be left) */
	RAW_ERROR,   /* err filled: read error, unusable header, line too long */
};

/* Lines from an fd, one read(2) at a time: the buffer under raw_lines_read,
 * shared with a reader of other lines (stap_agg_stream.c).  A line may span
 * reads; each byte read is searched for its newline once. */
struct line_buf {
	char *buf;
	size_t cap, start, fill;
	size_t scan;                 /* buf[start..scan) holds no newline */
	uint64_t searched;           /* bytes searched for newlines: each read byte once */
	uint64_t lines;              /* lines handed out */
};

/* One line without its newline; 0, or -1 with err filled to stop reading. */
typedef int line_fn(void *ctx, const char *line, size_t len, char *err, size_t errlen);

/* One read(2) from fd (NAME in messages), then every whole line to fn. */
enum raw_read line_buf_read(struct line_buf *b, int fd, const char *name, line_fn *fn,
			    void *ctx, char *err, size_t errlen);
/* Bytes of an unfinished last line. */
size_t line_buf_pending(const struct line_buf *b);
/* That line, taken out of the buffer (its length in *len; 0: none). */
const char *line_buf_rest(struct line_buf *b, size_t *len);
void line_buf_free(struct line_buf *b);

/* The line reader under raw_read_stream, for a caller that owns its loop
 * (the stap engine polls its stream with a non-blocking read): the header,
 * comments, parsing, and skipped lines reported as above. */
struct raw_lines {
	const char *name;            /* in messages: "NAME:LINE: reason" */
	struct pipeline *p;          /* skipped lines are counted there */
	/* Each event, its strings valid until the next line; NULL: pushed
	 * into p. */
	void (*emit)(void *ctx, const struct event *ev);
	/* A RAW_EXEC line (NULL: pipeline_exec at once). */
	void (*exec)(void *ctx, int32_t pid, uint64_t ts);
	void *ctx;
	struct raw_stats st;
	bool header_seen;
	bool ready;                  /* a RAW_READY line was read */
	bool have_emitted;           /* a RAW_EMITTED line was read: */
	uint64_t emitted;            /* its count */
	char *scratch;
	size_t scratch_len;
	struct line_buf in;          /* raw_lines_read(): read, not yet handled */
};

void raw_lines_init(struct raw_lines *l, const char *name, struct pipeline *p,
		    void (*emit)(void *ctx, const struct event *ev), void *ctx);
void raw_lines_free(struct raw_lines *l);
/* One line without its newline; last: the stream ended without one.
 * Returns 0, or -1 with err filled when the stream cannot be used. */
int raw_lines_line(struct raw_lines *l, const char *line, size_t len, bool last,
		   char *err, size_t errlen);
/* One read(2) from fd into the reader's buffer, then every whole line. */
enum raw_read raw_lines_read(struct raw_lines *l, int fd, char *err, size_t errlen);
/* Bytes of an unfinished last line. */
size_t raw_lines_pending(const struct raw_lines *l);
/* At EOF: the unfinished last line as a line of its own. */
int raw_lines_end(struct raw_lines *l, char *err, size_t errlen);
/* Count a skipped line and name it on stderr (the first few). */
void raw_lines_skip(struct raw_lines *l, const char *why);

/* Parse one line (without its newline) into ev. Strings are unescaped into
 * scratch (at least 2*len+64 bytes). Returns 0, or -1 with err filled. */
int raw_parse_line(const char *line, size_t len, struct event *ev,
		   char *scratch, size_t scratch_len, char *err, size_t errlen);

/* Quote s for the raw format into dst (needs 4*len+3 bytes); returns length. */
size_t raw_quote(char *dst, const char *s, size_t len);

#endif
