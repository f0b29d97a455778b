/* chrome: Chrome Trace Event JSON (Perfetto, chrome://tracing, speedscope,
 * the Firefox Profiler).
 *
 * Slices are "B"/"E" pairs on the thread's pid/tid, and an "E" carries the
 * same name and args as its "B": speedscope and the Firefox Profiler match
 * them by name (and speedscope by args too). Complete "X" events would be
 * smaller, but a consumer computes their end as ts + dur in floating point,
 * and a call that ends when its caller does (the calls closed at the end
 * of a trace) can then end a rounding step after it: speedscope warns and
 * leaves the caller open. B/E keep every timestamp a printed decimal, and
 * the output streams in time order per thread.
 *
 * A shown call is a slice named after its function, args {file, line}; gc
 * is a slice "gc" {generation}; an import a slice "import MODULE" (slices.c).
 * Calls (and gc, imports) still open when the trace ends are closed there,
 * their "E" with cat "unreturned", followed by an instant naming how many
 * calls on that thread never returned. Lines, gc done {collected}, import
 * done {found}, audit events and returns whose call was not seen are
 * thread-scoped instants ("i"); lost events are global instants. Process
 * and thread names come last as "M" metadata: the process's command line
 * (picture.h) and "main" or "tid N". otherData anchors the clock:
 * the engine's CLOCK_MONOTONIC timestamp of ts 0 and, in a live trace, its
 * wall-clock time (a replay has it when the raw file recorded it). ts is in
 * µs with ns precision. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "picture.h"
#include "render.h"
#include "slices.h"
#include "xmalloc.h"

struct chrome {
	struct renderer base;
	struct esc_cache esc;
	struct slicer sl;
	struct render_roster roster;   /* processes and shown threads, for the names */
	bool first;
	bool have_t0;
	uint64_t t0;            /* engine timestamp of ts 0 */
	uint64_t *unreturned;   /* per thread index: calls closed at the end */
	size_t nunreturned;
};

static const struct slice_ops chrome_slice_ops;

static struct renderer *chrome_create(const struct render_ctx *ctx)
{
	struct chrome *c = xcalloc(1, sizeof(*c));
	c->base.ops = &render_chrome;
	c->base.ctx = *ctx;
	c->first = true;
	esc_cache_init(&c->esc, ESC_JSON_STRICT);
	slicer_init(&c->sl, &chrome_slice_ops, c);
	out_str(ctx->out, "{\"traceEvents\":[\n");
	return &c->base;
}

static void chrome_destroy(struct renderer *r)
{
	struct chrome *c = (struct chrome *)r;
	esc_cache_free(&c->esc);
	slicer_free(&c->sl);
	render_roster_free(&c->roster);
	free(c->unreturned);
	free(c);
}

/* ",\n" between events, then {"ph":"X","pid":P,"tid":T,"ts":U */
static char *head(struct chrome *c, char *d, char ph, int32_t pid, int32_t tid, uint64_t ts)
{
	if (!c->first)
		PUT(d, ",\n");
	c->first = false;
	PUT(d, "{\"ph\":\"");
	*d++ = ph;
	PUT(d, "\",\"pid\":");
	d += fmt_i64(d, pid);
	PUT(d, ",\"tid\":");
	d += fmt_i64(d, tid);
	PUT(d, ",\"ts\":");
	return d + fmt_milli(d, ts);   /* µs with ns precision */
}

static char *put_esc(char *d, const struct esc_entry *s)
{
	memcpy(d, s->s, s->len);
	return d + s->len;
}

/* "NAME","args":{"file":"FILE","line":N}} — a call and an orphan return. */
static char *put_call_body(char *d, const struct esc_entry *func, const struct esc_entry *file,
			   int64_t line)
{
	d = put_esc(d, func);
	PUT(d, "\",\"args\":{\"file\":\"");
	d = put_esc(d, file);
	PUT(d, "\",\"line\":");
	d += fmt_i64(d, line);
	PUT(d, "}}");
	return d;
}

/* A slice's B or E: the same name and args on both. */
static void slice_event(struct chrome *c, const struct render_thread *th, const struct slice *s,
			char ph, uint64_t ts, const char *cat)
{
	struct out *o = c->base.ctx.out;
	const struct esc_entry *func = esc_get(&c->esc, c->base.ctx.in, s->func);
	const struct esc_entry *file = esc_get(&c->esc, c->base.ctx.in, s->file);
	char *d = out_room(o, 256 + (size_t)func->len + file->len);
	char *start = d;

	d = head(c, d, ph, th->pid, th->tid, ts);
	PUT(d, ",\"cat\":\"");
	memcpy(d, cat, strlen(cat));
	d += strlen(cat);
	PUT(d, "\",\"name\":\"");
	switch (s->kind) {
	case SLICE_CALL:
		d = put_call_body(d, func, file, s->num);
		break;
	case SLICE_GC:
		PUT(d, "gc\",\"args\":{\"generation\":");
		d += fmt_i64(d, s->num);
		PUT(d, "}}");
		break;
	case SLICE_IMPORT:
		PUT(d, "import ");
		d = put_esc(d, func);
		PUT(d, "\"}");
		break;
	}
	o->len += (size_t)(d - start);
}

static const char *slice_cat(const struct slice *s)
{
	return s->kind == SLICE_CALL ? "call" : s->kind == SLICE_GC ? "gc" : "import";
}

static void chrome_open(void *ctx, const struct render_thread *th, struct slice *s)
{
	slice_event(ctx, th, s, 'B', s->start, slice_cat(s));
}

static void chrome_close(void *ctx, const struct render_thread *th, const struct slice *s, uint64_t ts,
			 bool unreturned)
{
	struct chrome *c = ctx;
	slice_event(c, th, s, 'E', ts, unreturned ? "unreturned" : slice_cat(s));
	if (unreturned && s->kind == SLICE_CALL) {
		uint64_t *n = render_thread_slot((void **)&c->unreturned, &c->nunreturned, th,
						 sizeof(*c->unreturned));
		(*n)++;
	}
}

static const struct slice_ops chrome_slice_ops = { .open = chrome_open, .close = chrome_close };

static void chrome_event(struct renderer *r, const struct tev *e)
{
	struct chrome *c = (struct chrome *)r;
	struct out *o = r->ctx.out;

	if (e->kind == EV_COMM)
		return;
	if (!c->have_t0) {
		c->t0 = e->engine_ts - e->ts;
		c->have_t0 = true;
	}
	/* The done instants first: inside the slice they close. */
	if (e->kind != EV_GC_DONE && e->kind != EV_IMPORT_DONE && slicer_event(&c->sl, e))
		return;
	const struct esc_entry *func = esc_get(&c->esc, r->ctx.in, e->func);
	const struct esc_entry *file = esc_get(&c->esc, r->ctx.in, e->file);
	char *d = out_room(o, 256 + 2 * ((size_t)func->len + file->len));
	char *s = d;

	switch (e->kind) {
	case EV_RETURN:
		d = head(c, d, 'i', e->pid, e->tid, e->ts);
		PUT(d, ",\"s\":\"t\",\"cat\":\"return-without-call\",\"name\":\"");
		d = put_call_body(d, func, file, e->num);
		break;
	case EV_LINE:
		d = head(c, d, 'i', e->pid, e->tid, e->ts);
		PUT(d, ",\"s\":\"t\",\"cat\":\"line\",\"name\":\"line ");
		d += fmt_i64(d, e->num);
		PUT(d, "\",\"args\":{\"func\":\"");
		d = put_esc(d, func);
		PUT(d, "\",\"file\":\"");
		d = put_esc(d, file);
		PUT(d, "\"}}");
		break;
	case EV_GC_DONE:
		d = head(c, d, 'i', e->pid, e->tid, e->ts);
		PUT(d, ",\"s\":\"t\",\"cat\":\"gc\",\"name\":\"gc done\",\"args\":{\"collected\":");
		d += fmt_i64(d, e->num);
		PUT(d, "}}");
		break;
	case EV_IMPORT_DONE:
		d = head(c, d, 'i', e->pid, e->tid, e->ts);
		PUT(d, ",\"s\":\"t\",\"cat\":\"import\",\"name\":\"import ");
		d = put_esc(d, func);
		PUT(d, " done\",\"args\":{\"found\":");
		d += fmt_i64(d, e->num);
		PUT(d, "}}");
		break;
	case EV_AUDIT:
		d = head(c, d, 'i', e->pid, e->tid, e->ts);
		PUT(d, ",\"s\":\"t\",\"cat\":\"audit\",\"name\":\"audit ");
		d = put_esc(d, func);
		PUT(d, "\"}");
		break;
	default:
		break;
	}
	o->len += (size_t)(d - s);
	if (e->kind == EV_GC_DONE || e->kind == EV_IMPORT_DONE)
		slicer_event(&c->sl, e);
}

/* Lost events: a global instant where they were lost. */
static void chrome_lost(struct renderer *r, const struct tev *e)
{
	struct chrome *c = (struct chrome *)r;
	struct out *o = r->ctx.out;
	char *d = out_room(o, 256), *s = d;

	d = head(c, d, 'i', e->pid, e->tid, e->ts);
	PUT(d, ",\"s\":\"g\",\"cat\":\"pytrace\",\"name\":\"");
	d += fmt_i64(d, e->num);
	PUT(d, " events lost\",\"args\":{\"lost\":");
	d += fmt_i64(d, e->num);
	PUT(d, "}}");
	o->len += (size_t)(d - s);
}

static void chrome_meta(struct renderer *r, enum render_meta what, const struct render_proc *proc,
			const struct render_thread *th)
{
	render_roster_meta(&((struct chrome *)r)->roster, what, proc, th);
}

static void meta(struct chrome *c, const char *what, int32_t pid, int32_t tid,
		 const char *name, size_t len)
{
	struct out *o = c->base.ctx.out;
	char *d = out_room(o, 160 + len);
	char *s = d;
	if (!c->first)
		PUT(d, ",\n");
	c->first = false;
	PUT(d, "{\"ph\":\"M\",\"pid\":");
	d += fmt_i64(d, pid);
	PUT(d, ",\"tid\":");
	d += fmt_i64(d, tid);
	PUT(d, ",\"name\":\"");
	memcpy(d, what, strlen(what));
	d += strlen(what);
	PUT(d, "\",\"args\":{\"name\":\"");
	memcpy(d, name, len);
	d += len;
	PUT(d, "\"}}");
	o->len += (size_t)(d - s);
}

static void chrome_thread_end(struct renderer *r, const struct render_thread *th)
{
	slicer_thread_end(&((struct chrome *)r)->sl, th);
}

static void chrome_finish(struct renderer *r, uint64_t end_ts)
{
	struct chrome *c = (struct chrome *)r;
	const struct render_roster *ro = &c->roster;
	struct out *o = r->ctx.out;
	char name[64];

	slicer_finish(&c->sl, end_ts);
	/* Thread indexes count every thread; only shown ones closed calls. */
	for (size_t k = 0; k < ro->nthreads; k++) {
		const struct render_thread *th = ro->threads[k];
		if (th->index >= c->nunreturned || !c->unreturned[th->index])
			continue;
		uint64_t unreturned = c->unreturned[th->index];
		char *d = out_room(o, 200), *s = d;
		d = head(c, d, 'i', th->pid, th->tid, end_ts);
		PUT(d, ",\"s\":\"t\",\"cat\":\"unreturned\",\"name\":\"");
		d += fmt_u64(d, unreturned);
		if (unreturned == 1)
			PUT(d, " call never returned\"");
		else
			PUT(d, " calls never returned\"");
		PUT(d, ",\"args\":{\"closed_at_end\":");
		d += fmt_u64(d, unreturned);
		PUT(d, "}}");
		o->len += (size_t)(d - s);
	}
	for (size_t i = 0; i < ro->nprocs; i++) {
		const struct render_proc *p = ro->procs[i];
		if (!ro->proc_shown[i])
			continue;
		uint32_t id = picture_proc_name(r->ctx.in, p);
		const struct esc_entry *pname = esc_get(&c->esc, r->ctx.in, id);
		meta(c, "process_name", p->pid, p->pid, pname->s, pname->len);
	}
	for (size_t k = 0; k < ro->nthreads; k++) {
		const struct render_thread *th = ro->threads[k];
		meta(c, "thread_name", th->pid, th->tid, name, thread_label(name, th->pid, th->tid, true));
	}
	out_str(o, "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"pytrace "
		PYTRACE_VERSION "\",\"clock\":\"CLOCK_MONOTONIC\"");
	if (c->have_t0) {
		out_str(o, ",\"ts0_monotonic_ns\":");
		out_u64(o, c->t0);
		if (*r->ctx.wall_offset) {
			int64_t wall = (int64_t)c->t0 + *r->ctx.wall_offset;
			char *d = out_room(o, 80), *s = d;
			PUT(d, ",\"ts0_unix_ns\":");
			d += fmt_i64(d, wall);
			PUT(d, ",\"ts0_utc\":\"");
			d += fmt_utc(d, wall);
			*d++ = '"';
			o->len += (size_t)(d - s);
		}
	}
	out_str(o, "}}\n");
}

const struct render_ops render_chrome = {
	.name = "chrome",
	.create = chrome_create,
	.event = chrome_event,
	.lost = chrome_lost,
	.meta = chrome_meta,
	.thread_end = chrome_thread_end,
	.finish = chrome_finish,
	.destroy = chrome_destroy,
};
