/* text: the indented call tree, one line per event:
 *
 *   <µs since start> <comm>(<pid>/<tid>): <indent>=> <func> in <file>:<line>
 *   <µs since start> <comm>(<pid>/<tid>): <indent><= <func> in <file>:<line> (<duration>)
 *
 * Indentation is two spaces a level for MAX_INDENT levels; deeper lines
 * carry "[depth N] " after it.
 * The tid is always there, also in a single-threaded process: a stream
 * cannot know whether a second thread will come, and one prefix form per
 * trace keeps grep patterns working when one does. Names are escaped onto one line
 * (\n, \t, \\, \xHH for control bytes and invalid UTF-8) once per distinct
 * string; everything else is formatted by hand into the output buffer. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render.h"
#include "xmalloc.h"

#define C_DIM    "\033[2m"
#define C_BOLD   "\033[1m"
#define C_CALL   "\033[32m"
#define C_RET    "\033[36m"
#define C_DUR    "\033[33m"
#define C_MARK   "\033[35m"
#define C_LOST   "\033[31m"
#define C_OFF    "\033[0m"
#define TIME_WIDTH 8
#define MAX_INDENT 100   /* levels indented; deeper lines say their depth */

struct prefix {
	char *s;
	uint32_t len;
	uint32_t names;       /* text.names when built */
	bool built;
};

struct text {
	struct renderer base;
	struct esc_cache esc;
	struct prefix *prefixes;   /* per thread index */
	size_t nprefixes;
	uint32_t names;            /* bumped by every process name (comm) */
};

static struct renderer *text_create(const struct render_ctx *ctx)
{
	struct text *t = xcalloc(1, sizeof(*t));
	t->base.ops = &render_text;
	t->base.ctx = *ctx;
	esc_cache_init(&t->esc, ESC_TEXT);
	return &t->base;
}

static void text_destroy(struct renderer *r)
{
	struct text *t = (struct text *)r;
	esc_cache_free(&t->esc);
	for (size_t i = 0; i < t->nprefixes; i++)
		free(t->prefixes[i].s);
	free(t->prefixes);
	free(t);
}

/* "comm(pid/tid): ", rebuilt when a process's name changes. */
static const struct prefix *prefix_for(struct text *t, const struct render_thread *th)
{
	struct prefix *pf = render_thread_slot((void **)&t->prefixes, &t->nprefixes, th,
					       sizeof(*t->prefixes));
	if (pf->built && pf->names == t->names)
		return pf;
	const struct esc_entry *comm = th->proc->comm ? esc_get(&t->esc, t->base.ctx.in, th->proc->comm) : NULL;
	const char *name = comm ? comm->s : "python";
	size_t nlen = comm ? comm->len : 6;
	free(pf->s);
	pf->s = xmalloc(nlen + 64);
	char *d = pf->s;
	memcpy(d, name, nlen);
	d += nlen;
	*d++ = '(';
	d += fmt_i64(d, th->pid);
	*d++ = '/';
	d += fmt_i64(d, th->tid);
	memcpy(d, "): ", 3);
	d += 3;
	pf->len = (uint32_t)(d - pf->s);
	pf->names = t->names;
	pf->built = true;
	return pf;
}

/* 850ns, 12.345us, 4.560ms, 1.250s */
static size_t put_dur(char *d, uint64_t ns)
{
	size_t n;
	if (ns < 1000) {
		n = fmt_u64(d, ns);
		memcpy(d + n, "ns", 2);
		return n + 2;
	}
	if (ns < 1000000) {
		n = fmt_milli(d, ns);
		memcpy(d + n, "us", 2);
		return n + 2;
	}
	if (ns < 1000000000) {
		n = fmt_milli(d, ns / 1000);
		memcpy(d + n, "ms", 2);
		return n + 2;
	}
	n = fmt_milli(d, ns / 1000000);
	d[n] = 's';
	return n + 1;
}

static char *put_time(char *d, uint64_t ts, bool color)
{
	char num[24];
	size_t n = fmt_u64(num, ts / 1000);
	if (color)
		PUT(d, C_DIM);
	for (size_t i = n; i < TIME_WIDTH; i++)
		*d++ = ' ';
	memcpy(d, num, n);
	d += n;
	if (color)
		PUT(d, C_OFF);
	*d++ = ' ';
	return d;
}

static char *put_name(char *d, const struct esc_entry *s, bool trunc)
{
	memcpy(d, s->s, s->len);
	d += s->len;
	if (trunc)
		PUT(d, "...");
	return d;
}

static void text_lost(struct renderer *r, const struct tev *e)
{
	struct out *o = r->ctx.out;
	bool color = r->ctx.color;
	char *d = out_room(o, 128);
	char *s = d;

	d = put_time(d, e->ts, color);
	PUT(d, "pytrace: ");
	if (color)
		PUT(d, C_LOST);
	PUT(d, "!! ");
	d += fmt_i64(d, e->num);
	PUT(d, " events lost here");
	if (color)
		PUT(d, C_OFF);
	*d++ = '\n';
	o->len += (size_t)(d - s);
}

static void text_event(struct renderer *r, const struct tev *e)
{
	struct text *t = (struct text *)r;
	struct out *o = r->ctx.out;
	bool color = r->ctx.color;

	if (e->kind == EV_COMM) {
		t->names++;
		return;
	}
	const struct prefix *pf = prefix_for(t, e->th);
	const struct esc_entry *func = esc_get(&t->esc, r->ctx.in, e->func);
	const struct esc_entry *file = esc_get(&t->esc, r->ctx.in, e->file);
	/* Two spaces a level up to MAX_INDENT levels, then "[depth N] ": a
	 * 20,000-deep recursion must not make the output quadratic. */
	size_t indent = 2 * (size_t)(e->depth < MAX_INDENT ? e->depth : MAX_INDENT);
	size_t need = 64 + TIME_WIDTH + 24 + pf->len + indent + func->len + file->len + 128;
	char *d = out_room(o, need);
	char *s = d;

	d = put_time(d, e->ts, color);
	memcpy(d, pf->s, pf->len);
	d += pf->len;
	memset(d, ' ', indent);
	d += indent;
	if (e->depth >= MAX_INDENT) {
		PUT(d, "[depth ");
		d += fmt_i64(d, e->depth);
		PUT(d, "] ");
	}

	switch (e->kind) {
	case EV_CALL:
	case EV_RETURN:
	case EV_LINE:
		if (e->kind == EV_CALL) {
			if (color)
				PUT(d, C_CALL "=>" C_OFF " " C_BOLD);
			else
				PUT(d, "=> ");
		} else if (e->kind == EV_RETURN) {
			if (color)
				PUT(d, C_RET "<=" C_OFF " " C_BOLD);
			else
				PUT(d, "<= ");
		} else {
			if (color)
				PUT(d, C_MARK "--" C_OFF " line " C_BOLD);
			else
				PUT(d, "-- line ");
		}
		d = put_name(d, func, e->flags & EVF_FUNC_TRUNC);
		if (color)
			PUT(d, C_OFF);
		PUT(d, " in ");
		d = put_name(d, file, e->flags & EVF_FILE_TRUNC);
		*d++ = ':';
		d += fmt_i64(d, e->num);
		if (e->kind == EV_RETURN) {
			PUT(d, " (");
			if (color)
				PUT(d, C_DUR);
			if (e->has_dur)
				d += put_dur(d, e->dur);
			else
				PUT(d, "call not seen");
			if (color)
				PUT(d, C_OFF);
			*d++ = ')';
		}
		break;
	default:
		if (color)
			PUT(d, C_MARK "**" C_OFF " ");
		else
			PUT(d, "** ");
		switch (e->kind) {
		case EV_GC_START:
			PUT(d, "gc start, generation ");
			d += fmt_i64(d, e->num);
			break;
		case EV_GC_DONE:
			PUT(d, "gc done, ");
			d += fmt_i64(d, e->num);
			PUT(d, " collected");
			break;
		case EV_IMPORT_START:
			PUT(d, "import ");
			d = put_name(d, func, e->flags & EVF_FUNC_TRUNC);
			break;
		case EV_IMPORT_DONE:
			PUT(d, "import ");
			d = put_name(d, func, e->flags & EVF_FUNC_TRUNC);
			if (e->num)
				PUT(d, " done");
			else
				PUT(d, ": not found");
			break;
		case EV_AUDIT:
			PUT(d, "audit ");
			d = put_name(d, func, e->flags & EVF_FUNC_TRUNC);
			break;
		default:
			break;
		}
		break;
	}
	*d++ = '\n';
	o->len += (size_t)(d - s);
}

static void text_thread_end(struct renderer *r, const struct render_thread *th)
{
	struct text *t = (struct text *)r;

	if (th->index < t->nprefixes) {
		free(t->prefixes[th->index].s);
		memset(&t->prefixes[th->index], 0, sizeof(t->prefixes[th->index]));
	}
}

static void text_finish(struct renderer *r, uint64_t end_ts)
{
	(void)r;
	(void)end_ts;
}

const struct render_ops render_text = {
	.name = "text",
	.create = text_create,
	.event = text_event,
	.lost = text_lost,
	.thread_end = text_thread_end,
	.finish = text_finish,
	.destroy = text_destroy,
};
