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
 * tracer could not read (0x0: NULL). See README "The raw format". */
#ifndef PYTRACE_RAW_H
#define PYTRACE_RAW_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "pipeline.h"

#define RAW_MAGIC    "pytrace-raw"
#define RAW_VERSION  1
#define RAW_HEADER   "pytrace-raw 1"

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

/* Read a raw stream from fd until EOF (or stop_requested()), pushing events
 * into p. Malformed lines are reported on stderr with their line numbers as
 * "NAME:LINE: reason" and counted. Returns 0, or -1 with err filled when the
 * stream cannot be used at all (read error, unknown version). */
int raw_read_stream(int fd, const char *name, struct pipeline *p,
		    struct raw_stats *st, char *err, size_t errlen);

/* Parse one line (without its newline) into ev. Strings are unescaped into
 * scratch (at least 2*len+64 bytes). Returns 0, or -1 with err filled. */
int raw_parse_line(const char *line, size_t len, struct event *ev,
		   char *scratch, size_t scratch_len, char *err, size_t errlen);

/* Quote s for the raw format into dst (needs 4*len+3 bytes); returns length. */
size_t raw_quote(char *dst, const char *s, size_t len);

#endif
