/* The raw format: parser (replay, stap stream) and quoting (the -f raw writer).
 *
 * A line is  KIND TS PID TID NUM STR1 STR2  (raw.h). Lines are parsed in
 * place from a large read buffer; a string without escapes is used where it
 * lies, only escaped strings are decoded into scratch. Blank lines and lines
 * starting with '#' are ignored (comments in hand-written traces). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mapped_file.h"
#include "raw.h"
#include "xmalloc.h"

#define READ_CHUNK       (4u << 20)
#define MAX_LINE         (256u << 20)
#define REPORT_SKIPPED   20      /* skipped lines named on stderr, then only counted */
#define RAW_MAX_LOST     (1ll << 40)   /* a larger lost count is a damaged line */

struct cursor {
	const char *p, *end;
};

/* SWAR: are the 8 bytes at p all ASCII digits, and their value. */
static inline bool eight_digits(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return ((v & 0xf0f0f0f0f0f0f0f0ULL) |
		(((v + 0x0606060606060606ULL) & 0xf0f0f0f0f0f0f0f0ULL) >> 4)) == 0x3333333333333333ULL;
}

static inline uint64_t eight_digits_value(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);   /* little endian: the first digit is the low byte */
	v = (v & 0x0f0f0f0f0f0f0f0fULL) * 2561 >> 8;
	v = (v & 0x00ff00ff00ff00ffULL) * 6553601 >> 16;
	return (v & 0x0000ffff0000ffffULL) * 42949672960001ULL >> 32;
}

static int parse_u64(struct cursor *c, uint64_t *out)
{
	const char *p = c->p;
	uint64_t v = 0;
	if (p >= c->end || (unsigned)(*p - '0') > 9)
		return -1;
	/* 19 digits cannot overflow: only a 20th needs checking. Timestamps
	 * have 19 digits, so take them 8 at a time while we can. */
	const char *stop = c->end - p > 19 ? p + 19 : c->end;
	while (stop - p >= 8 && eight_digits(p)) {
		v = v * 100000000 + eight_digits_value(p);
		p += 8;
	}
	while (p < stop && (unsigned)(*p - '0') <= 9)
		v = v * 10 + (unsigned)(*p++ - '0');
	if (p < c->end && (unsigned)(*p - '0') <= 9) {
		unsigned d = (unsigned)(*p++ - '0');
		if (v > (UINT64_MAX - d) / 10 || (p < c->end && (unsigned)(*p - '0') <= 9))
			return -1;
		v = v * 10 + d;
	}
	c->p = p;
	*out = v;
	return 0;
}

static int parse_i64(struct cursor *c, int64_t *out)
{
	bool neg = false;
	uint64_t v;
	if (c->p < c->end && *c->p == '-') {
		neg = true;
		c->p++;
	}
	if (parse_u64(c, &v) < 0)
		return -1;
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int parse_i32(struct cursor *c, int32_t *out)
{
	int64_t v;
	if (parse_i64(c, &v) < 0 || v < INT32_MIN || v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

static int expect_space(struct cursor *c)
{
	if (c->p >= c->end || *c->p != ' ')
		return -1;
	c->p++;
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static size_t utf8_encode(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

struct scratch {
	char *p, *end;
};

/* Decode the escapes of a quoted string body [s, e) into scratch. */
static const char *unescape(const char *s, const char *e, struct scratch *sc,
			    uint32_t *len, const char **why)
{
	char *start = sc->p, *d = sc->p;
	if ((size_t)(sc->end - sc->p) < (size_t)(e - s)) {
		*why = "string too long for the scratch buffer";
		return NULL;
	}
	while (s < e) {
		if (*s != '\\') {
			*d++ = *s++;
			continue;
		}
		s++;
		if (s >= e) {
			*why = "string ends in a lone backslash";
			return NULL;
		}
		char ch = *s++;
		switch (ch) {
		case 'a': *d++ = '\a'; break;
		case 'b': *d++ = '\b'; break;
		case 'f': *d++ = '\f'; break;
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		case 'v': *d++ = '\v'; break;
		case 'e': *d++ = 033; break;
		case '"': case '\\': case '\'': case '?':
			*d++ = ch;
			break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7': {
			unsigned v = (unsigned)(ch - '0');
			for (int k = 0; k < 2 && s < e && *s >= '0' && *s <= '7'; k++)
				v = v * 8 + (unsigned)(*s++ - '0');
			if (v > 0xff) {
				*why = "octal escape above \\377";
				return NULL;
			}
			*d++ = (char)v;
			break;
		}
		case 'x': case 'u': case 'U': {
			int want = ch == 'x' ? 2 : ch == 'u' ? 4 : 8;
			uint32_t v = 0;
			for (int k = 0; k < want; k++) {
				int h = s < e ? hexval(*s) : -1;
				if (h < 0) {
					*why = "bad hex digits in a \\x, \\u or \\U escape";
					return NULL;
				}
				v = v * 16 + (uint32_t)h;
				s++;
			}
			if (ch == 'x') {
				*d++ = (char)v;
			} else if (v > 0x10ffff) {
				*why = "\\U escape beyond U+10FFFF";
				return NULL;
			} else {
				d += utf8_encode(d, v);
			}
			break;
		}
		default:
			*why = "unknown escape";
			return NULL;
		}
	}
	*len = (uint32_t)(d - start);
	sc->p = d;
	return start;
}

/* One STR field: "..."[...] or 0xHEX. */
static int parse_string(struct cursor *c, struct scratch *sc, const char **out,
			uint32_t *outlen, uint32_t *flags, uint32_t trunc_flag,
			uint32_t null_flag, const char **why)
{
	const char *p = c->p;
	if (p < c->end && *p == '"') {
		const char *s = ++p;
		bool escaped = false;
		/* Find the closing quote, skipping escaped characters. */
		const char *q = memchr(p, '"', (size_t)(c->end - p));
		for (;;) {
			if (!q) {
				*why = "unterminated string";
				return -1;
			}
			const char *b = memchr(p, '\\', (size_t)(q - p));
			if (!b) {
				p = q;
				break;
			}
			escaped = true;
			p = b + 2;
			if (p > c->end) {
				*why = "unterminated string";
				return -1;
			}
			if (p > q)
				q = memchr(p, '"', (size_t)(c->end - p));
		}
		if (escaped) {
			*out = unescape(s, p, sc, outlen, why);
			if (!*out)
				return -1;
		} else {
			*out = s;
			*outlen = (uint32_t)(p - s);
		}
		p++;  /* closing quote */
		if (c->end - p >= 3 && memcmp(p, "...", 3) == 0) {
			*flags |= trunc_flag;
			p += 3;
		}
		c->p = p;
		return 0;
	}
	if (c->end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		const char *s = p;
		bool zero = true;
		p += 2;
		if (p >= c->end || hexval(*p) < 0) {
			*why = "bad address token";
			return -1;
		}
		while (p < c->end && hexval(*p) >= 0) {
			if (*p != '0')
				zero = false;
			p++;
		}
		c->p = p;
		if (zero) {
			*flags |= null_flag;
			*out = "<null>";
			*outlen = 6;
			return 0;
		}
		/* A string the tracer could not read: keep its address visible. */
		size_t n = (size_t)(p - s);
		if ((size_t)(sc->end - sc->p) < n + 16) {
			*why = "address token too long";
			return -1;
		}
		int k = snprintf(sc->p, (size_t)(sc->end - sc->p), "<unreadable %.*s>", (int)n, s);
		*out = sc->p;
		*outlen = (uint32_t)k;
		sc->p += k;
		return 0;
	}
	*why = "expected a quoted string or an address";
	return -1;
}

/* Nothing but stap's padding (spaces) is left on the line. */
static bool padded_end(struct cursor *c)
{
	while (c->p < c->end && *c->p == ' ')
		c->p++;
	return c->p == c->end;
}

/* The comment lines a live -f raw writes at its end (raw.h): the wall
 * clock, and each process's command line; and the stap script's count of
 * emitted lines, its ready line and its execs.  Anything else is a
 * comment. */
static void meta_comment(struct raw_lines *l, const char *line, size_t len)
{
	struct cursor c = { line, line + len };
	struct scratch sc = { l->scratch, l->scratch + l->scratch_len };
	size_t n;
	if (len > (n = sizeof(RAW_CLOCK) - 1) && memcmp(line, RAW_CLOCK, n) == 0) {
		int64_t off;
		c.p += n;
		if (parse_i64(&c, &off) == 0 && c.p == c.end)
			pipeline_wall_clock(l->p, off);
	} else if (len > (n = sizeof(RAW_EMITTED) - 1) && memcmp(line, RAW_EMITTED, n) == 0) {
		uint64_t v;
		c.p += n;
		if (parse_u64(&c, &v) == 0 && padded_end(&c)) {
			l->emitted = v;
			l->have_emitted = true;
		}
	} else if (len > (n = sizeof(RAW_EXEC) - 1) && memcmp(line, RAW_EXEC, n) == 0) {
		int32_t pid;
		uint64_t ts;
		c.p += n;
		if (parse_i32(&c, &pid) == 0 && expect_space(&c) == 0 && parse_u64(&c, &ts) == 0 &&
		    padded_end(&c)) {
			if (l->exec)
				l->exec(l->ctx, pid, ts);
			else
				pipeline_exec(l->p, pid, ts);
		}
	} else if (len >= (n = sizeof(RAW_READY) - 1) && memcmp(line, RAW_READY, n) == 0) {
		c.p += n;
		if (padded_end(&c))
			l->ready = true;
	} else if (len > (n = sizeof(RAW_THREAD_END) - 1) && memcmp(line, RAW_THREAD_END, n) == 0) {
		int32_t pid, tid;
		c.p += n;
		if (parse_i32(&c, &pid) == 0 && expect_space(&c) == 0 && parse_i32(&c, &tid) == 0 &&
		    c.p == c.end)
			pipeline_thread_end(l->p, pid, tid);
	} else if (len > (n = sizeof(RAW_CMDLINE) - 1) && memcmp(line, RAW_CMDLINE, n) == 0) {
		int32_t pid;
		const char *s, *why = NULL;
		uint32_t slen, flags = 0;
		c.p += n;
		if (parse_i32(&c, &pid) == 0 && expect_space(&c) == 0 &&
		    parse_string(&c, &sc, &s, &slen, &flags, EVF_FUNC_TRUNC, EVF_FUNC_NULL, &why) == 0 &&
		    c.p == c.end && !(flags & EVF_FUNC_NULL))
			pipeline_proc_cmdline(l->p, pid, s, slen);
	}
}

int raw_parse_line(const char *line, size_t len, struct event *ev,
		   char *scratch, size_t scratch_len, char *err, size_t errlen)
{
	struct cursor c = { line, line + len };
	struct scratch sc = { scratch, scratch + scratch_len };
	const char *why = NULL;
	uint64_t ts;

	memset(ev, 0, sizeof(*ev));
	const char *sp = memchr(line, ' ', len);
	if (!sp)
		return err_set(err, errlen, "expected 7 space-separated fields");
	int kind = ev_kind_from_name(line, (size_t)(sp - line));
	if (kind < 0)
		return err_set(err, errlen, "unknown event kind '%.*s'",
			       (int)((sp - line) > 40 ? 40 : (sp - line)), line);
	ev->kind = (enum ev_kind)kind;
	c.p = sp + 1;
	if (parse_u64(&c, &ts) < 0 || expect_space(&c) < 0)
		return err_set(err, errlen, "bad timestamp");
	ev->ts = ts;
	if (parse_i32(&c, &ev->pid) < 0 || expect_space(&c) < 0 || ev->pid < 0)
		return err_set(err, errlen, "bad pid");
	if (parse_i32(&c, &ev->tid) < 0 || expect_space(&c) < 0 || ev->tid < 0)
		return err_set(err, errlen, "bad tid");
	if (parse_i64(&c, &ev->num) < 0 || expect_space(&c) < 0)
		return err_set(err, errlen, "bad number field");
	/* A damaged (or hostile) count or line number is a damaged line, not
	 * a number to add up or print: CPython's lines are ints (-1: unknown),
	 * and no engine loses 2^40 events between two records. */
	if (ev->kind == EV_LOST && (ev->num < 0 || ev->num > RAW_MAX_LOST))
		return err_set(err, errlen, "bad lost count %" PRId64, ev->num);
	if ((ev->kind == EV_CALL || ev->kind == EV_RETURN || ev->kind == EV_LINE) &&
	    (ev->num < -1 || ev->num > INT32_MAX))
		return err_set(err, errlen, "bad line number %" PRId64, ev->num);
	if (parse_string(&c, &sc, &ev->func, &ev->func_len, &ev->flags,
			 EVF_FUNC_TRUNC, EVF_FUNC_NULL, &why) < 0)
		return err_set(err, errlen, "first string: %s", why);
	if (expect_space(&c) < 0)
		return err_set(err, errlen, "expected a space after the first string");
	if (parse_string(&c, &sc, &ev->file, &ev->file_len, &ev->flags,
			 EVF_FILE_TRUNC, EVF_FILE_NULL, &why) < 0)
		return err_set(err, errlen, "second string: %s", why);
	while (c.p < c.end && (*c.p == ' ' || *c.p == '\r'))
		c.p++;
	if (c.p != c.end)
		return err_set(err, errlen, "unexpected text after the last field");
	return 0;
}

size_t raw_quote(char *dst, const char *s, size_t len)
{
	static const char esc[256] = {
		['\a'] = 'a', ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n',
		['\r'] = 'r', ['\t'] = 't', ['\v'] = 'v', ['"'] = '"', ['\\'] = '\\',
	};
	char *d = dst;
	*d++ = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (esc[c]) {
			*d++ = '\\';
			*d++ = esc[c];
		} else if (c >= 0x20 && c < 0x7f) {
			*d++ = (char)c;
		} else {
			d[0] = '\\';
			d[1] = (char)('0' + (c >> 6));
			d[2] = (char)('0' + ((c >> 3) & 7));
			d[3] = (char)('0' + (c & 7));
			d += 4;
		}
	}
	*d++ = '"';
	return (size_t)(d - dst);
}

/* --- stream reading --- */

void raw_lines_init(struct raw_lines *l, const char *name, struct pipeline *p,
		    void (*emit)(void *ctx, const struct event *ev), void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->name = name;
	l->p = p;
	l->emit = emit;
	l->ctx = ctx;
	l->scratch_len = 64 * 1024;
	l->scratch = xmalloc(l->scratch_len);
}

void raw_lines_free(struct raw_lines *l)
{
	free(l->scratch);
	l->scratch = NULL;
	line_buf_free(&l->in);
}

void raw_lines_skip(struct raw_lines *l, const char *why)
{
	l->st.skipped++;
	pipeline_skipped(l->p, 1);
	if (l->st.skipped <= REPORT_SKIPPED)
		warn_msg("%s:%" PRIu64 ": %s; line skipped", l->name, l->st.lines, why);
	if (l->st.skipped == REPORT_SKIPPED)
		warn_msg("%s: further skipped lines are counted, not shown", l->name);
}

int raw_lines_line(struct raw_lines *l, const char *line, size_t len, bool last,
		   char *err, size_t errlen)
{
	char why[160];
	struct event ev;

	l->st.lines++;
	if (len && line[len - 1] == '\r')
		len--;
	if (!l->header_seen) {
		size_t ml = strlen(RAW_MAGIC);
		if (len < ml + 2 || memcmp(line, RAW_MAGIC, ml) != 0 || line[ml] != ' ')
			return err_set(err, errlen, "%s: not a pytrace raw trace (the first line "
				       "should be \"%s\")", l->name, RAW_HEADER);
		struct cursor c = { line + ml + 1, line + len };
		uint64_t v;
		if (parse_u64(&c, &v) < 0 || (c.p < c.end && *c.p != ' '))
			return err_set(err, errlen, "%s:1: bad version in the header line", l->name);
		if (v != RAW_VERSION)
			return err_set(err, errlen, "%s: raw format version %" PRIu64 " is not "
				       "supported (this pytrace reads version %d); use the pytrace "
				       "that wrote it", l->name, v, RAW_VERSION);
		l->header_seen = true;
		return 0;
	}
	if (len == 0)
		return 0;
	if (len + 64 > l->scratch_len) {
		free(l->scratch);
		l->scratch_len = 2 * len + 64;
		l->scratch = xmalloc(l->scratch_len);
	}
	if (line[0] == '#') {
		if (l->p)
			meta_comment(l, line, len);
		return 0;
	}
	if (raw_parse_line(line, len, &ev, l->scratch, l->scratch_len, why, sizeof(why)) < 0) {
		if (last) {
			char w2[200];
			snprintf(w2, sizeof(w2), "truncated last line (%s)", why);
			raw_lines_skip(l, w2);
		} else {
			raw_lines_skip(l, why);
		}
		return 0;
	}
	l->st.events++;
	if (l->emit)
		l->emit(l->ctx, &ev);
	else
		pipeline_push(l->p, &ev);
	return 0;
}

enum raw_read line_buf_read(struct line_buf *b, int fd, const char *name, line_fn *fn,
			    void *ctx, char *err, size_t errlen)
{
	if (!b->buf) {
		b->cap = READ_CHUNK;
		b->buf = xmalloc(b->cap);
	}
	if (b->start > 0 && (b->cap - b->fill < b->cap / 4 || b->start == b->fill)) {
		memmove(b->buf, b->buf + b->start, b->fill - b->start);
		b->fill -= b->start;
		b->scan = b->scan > b->start ? b->scan - b->start : 0;
		b->start = 0;
	}
	if (b->fill == b->cap) {
		if (b->cap >= MAX_LINE) {
			err_set(err, errlen, "%s:%" PRIu64 ": line longer than %u MiB",
				name, b->lines + 1, MAX_LINE >> 20);
			return RAW_ERROR;
		}
		b->cap *= 2;
		b->buf = xrealloc(b->buf, b->cap);
	}
	ssize_t n;
	do
		n = read(fd, b->buf + b->fill, b->cap - b->fill);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_set(err, errlen, "cannot read %s: %s", name, strerror(errno));
		return errno == EAGAIN || errno == EWOULDBLOCK ? RAW_AGAIN : RAW_ERROR;
	}
	if (n == 0)
		return RAW_EOF;
	b->fill += (size_t)n;
	/* Search only bytes not searched before: a line longer than one read
	 * must not be rescanned from its start on every read (quadratic). */
	const char *nl;
	size_t from = b->scan > b->start ? b->scan : b->start;
	b->searched += b->fill - from;
	while ((nl = memchr(b->buf + from, '\n', b->fill - from))) {
		size_t len = (size_t)(nl - (b->buf + b->start));
		b->lines++;
		if (fn(ctx, b->buf + b->start, len, err, errlen) < 0)
			return RAW_ERROR;
		b->start += len + 1;
		from = b->start;
	}
	b->scan = b->fill;
	return RAW_DATA;
}

size_t line_buf_pending(const struct line_buf *b)
{
	return b->fill - b->start;
}

const char *line_buf_rest(struct line_buf *b, size_t *len)
{
	const char *rest;

	if (!(*len = line_buf_pending(b)))
		return NULL;
	rest = b->buf + b->start;
	b->start = b->fill;
	b->lines++;
	return rest;
}

void line_buf_free(struct line_buf *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

/* line_buf_read's fn for a raw stream: a whole line, not the last. */
static int whole_line(void *ctx, const char *line, size_t len, char *err, size_t errlen)
{
	return raw_lines_line(ctx, line, len, false, err, errlen);
}

enum raw_read raw_lines_read(struct raw_lines *l, int fd, char *err, size_t errlen)
{
	return line_buf_read(&l->in, fd, l->name, whole_line, l, err, errlen);
}

size_t raw_lines_pending(const struct raw_lines *l)
{
	return line_buf_pending(&l->in);
}

int raw_lines_end(struct raw_lines *l, char *err, size_t errlen)
{
	size_t n;
	const char *rest = line_buf_rest(&l->in, &n);

	if (!n)
		return 0;
	return raw_lines_line(l, rest, n, true, err, errlen);
}

static bool should_stop(struct pipeline *p, bool (*stop)(void))
{
	if (pipeline_output_closed(p))
		return true;
	return stop && stop();
}

/* A regular file is mapped and parsed where it lies: no copy through read().
 * A file that shrinks meanwhile reads as zeros from the fault on
 * (mapped_file.h): checked after finding each line and after parsing it,
 * so a line holding those zeros is never taken for the file's. */
static int read_mapped(struct raw_lines *l, const struct mapped_file *m, bool (*stop)(void),
		       char *err, size_t errlen)
{
	const char *p = m->data, *end = m->data + m->size;
	uint64_t n = 0;
	while (p < end) {
		if ((++n & 0xffff) == 0 && should_stop(l->p, stop))
			return 0;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		if (mapped_file_shrunk(m))
			break;
		if (raw_lines_line(l, p, len, !nl, err, errlen) < 0)
			return -1;
		if (mapped_file_shrunk(m))
			break;
		p += len + 1;
	}
	if (mapped_file_shrunk(m))
		return err_set(err, errlen, "%s shrank while being read (it was %zu bytes; another "
			       "program truncated or rewrote it): the trace shown ends at line %" PRIu64
			       "; replay a copy that nothing writes to", l->name, m->size, l->st.lines);
	return 0;
}

/* Anything else (a pipe, stdin) is read in chunks; a line may span them. */
static int read_buffered(struct raw_lines *l, int fd, bool (*stop)(void), char *err, size_t errlen)
{
	for (;;) {
		if (should_stop(l->p, stop))
			return 0;
		switch (raw_lines_read(l, fd, err, errlen)) {
		case RAW_DATA:
			break;
		case RAW_EOF:
			return raw_lines_end(l, err, errlen);
		case RAW_AGAIN:      /* a non-blocking stdin: not ours to wait on */
		case RAW_ERROR:
			return -1;
		}
	}
}

int raw_read_stream(int fd, const char *name, struct pipeline *p, bool (*stop)(void),
		    struct raw_stats *st, char *err, size_t errlen)
{
	struct raw_lines l;
	struct stat sb;
	struct mapped_file map = { 0 };
	int rc;

	raw_lines_init(&l, name, p, NULL, NULL);
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    (uint64_t)sb.st_size < SIZE_MAX / 2 &&
	    mapped_file_open(&map, fd, (size_t)sb.st_size) == 0) {
		madvise((void *)map.data, map.size, MADV_SEQUENTIAL);
		rc = read_mapped(&l, &map, stop, err, errlen);
		mapped_file_close(&map);
	} else {
		rc = read_buffered(&l, fd, stop, err, errlen);
	}
	/* A stop before the header is no damage; no header at all is. */
	if (rc == 0 && !l.header_seen && !should_stop(p, stop))
		rc = err_set(err, errlen, "%s: empty input, not a pytrace raw trace", name);
	*st = l.st;
	raw_lines_free(&l);
	return rc;
}
