/* A buffered writer for the trace: one large buffer, write(2) directly.
 * A reader that goes away (EPIPE) closes the output quietly; any other
 * write error is kept and reported with the file's name at out_close.
 *
 * Live traces (out_go_live) never write from the caller's thread: a full
 * buffer, or one older than the flush interval (out_tick: 50 ms on a
 * terminal, 200 ms otherwise), is handed to a writer thread, so a slow or
 * paused reader (a pipe nobody drains, a terminal stopped with Ctrl-S)
 * never holds the event loop.  What waits for that reader is bounded
 * (OUT_QUEUE_LIMIT); out_behind() says when it is full, and the caller
 * drops events (and counts them lost) until the reader catches up.  A
 * regular file is no reader that can pause for good: out_behind() waits
 * for the disk instead, and nothing written to a file is dropped.
 * The inline helpers format integers by hand: printf is too slow for
 * millions of lines. */
#ifndef PYTRACE_OUTPUT_H
#define PYTRACE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct out_writer;

/* Bytes waiting for the reader of a live output before events are dropped. */
#define OUT_QUEUE_LIMIT (32u << 20)

struct out {
	int fd;
	bool owns_fd;
	bool closed;       /* EPIPE or write error: nothing more is written
			    * (live: set by the writer thread, read with out_is_closed) */
	bool broken_pipe;  /* closed because the reader went away */
	int err;           /* errno of a write error other than EPIPE */
	char *name;        /* for messages: the -o path or "standard output" */
	char *buf;
	size_t len, cap;
	struct out_writer *w;  /* live: the writer thread and its queue */
	struct out_gz *gz; /* -o FILE.gz: the buffer is deflated on its way out */
};

/* path NULL or "-": standard output. Returns 0, or -1 with err filled. */
int out_open(struct out *o, const char *path, char *err, size_t errlen);
/* path opened for appending (--summary-file). 0, or -1 with err. */
int out_open_append(struct out *o, const char *path, char *err, size_t errlen);
/* Wrap an fd the caller keeps open (stderr for --summary). */
void out_init_fd(struct out *o, int fd, const char *name);
/* Write from a thread of its own from now on.  Returns 0, or -1 with err. */
int out_go_live(struct out *o, char *err, size_t errlen);
/* Live: hand what is buffered to the writer when the flush interval passed. */
void out_tick(struct out *o);
/* Live: the reader is OUT_QUEUE_LIMIT behind (drop, do not add); for a
 * regular file, waits until it is not and says false. */
bool out_behind(struct out *o);
bool out_is_closed(const struct out *o);
void out_flush(struct out *o);
/* Flush and close; -1 with err filled when a write failed (not EPIPE). */
int out_close(struct out *o, char *err, size_t errlen);

void out_make_room(struct out *o, size_t n);

/* write(2) all of p, noting EPIPE or another error in o (out_gz.c). */
void out_write_all(struct out *o, const char *p, size_t n);

/* gzip (out_gz.c): a path ending in ".gz" is written compressed. */
bool out_gz_wanted(const char *path);
void out_gz_start(struct out *o);
/* Deflate o->buf[0..len) and write what comes out; finish: end the stream. */
void out_gz_write(struct out *o, bool finish);

/* A pointer to at least n writable bytes at the end of the buffer; the
 * caller advances o->len by what it wrote. */
static inline char *out_room(struct out *o, size_t n)
{
	if (o->cap - o->len < n)
		out_make_room(o, n);
	return o->buf + o->len;
}

static inline void out_put(struct out *o, const void *s, size_t n)
{
	memcpy(out_room(o, n), s, n);
	o->len += n;
}

static inline void out_str(struct out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

static inline void out_char(struct out *o, char c)
{
	*out_room(o, 1) = c;
	o->len++;
}

/* Copy a string literal to d and advance d past it (formatting by hand
 * into out_room()'s buffer). */
#define PUT(d, lit) (memcpy((d), (lit), sizeof(lit) - 1), (d) += sizeof(lit) - 1)

/* Decimal digits of v into dst (needs 20 bytes); returns the length. */
size_t fmt_u64(char *dst, uint64_t v);
size_t fmt_i64(char *dst, int64_t v);

static inline void out_u64(struct out *o, uint64_t v)
{
	o->len += fmt_u64(out_room(o, 20), v);
}

static inline void out_i64(struct out *o, int64_t v)
{
	o->len += fmt_i64(out_room(o, 21), v);
}

/* v/1000 "." v%1000 with three digits (ns as µs, µs as ms...); returns
 * the length written at dst (at most 24 bytes). */
size_t fmt_milli(char *dst, uint64_t v);

static inline void out_milli(struct out *o, uint64_t v)
{
	o->len += fmt_milli(out_room(o, 24), v);
}

#endif
