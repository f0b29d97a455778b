/* chrome: Chrome Trace Event JSON (Perfetto, chrome://tracing).
 * A shown call is a "B" event, its return an "E" event on the same
 * pid/tid; calls still open at the end are closed there with
 * args.unreturned. Lines, gc, imports, audit events and returns whose call
 * was not seen are thread-scoped instant events ("i"). Process and thread
 * names come last as "M" metadata events. ts is in µs with ns precision. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render.h"
#include "xmalloc.h"

struct chrome {
	struct renderer base;
	struct esc_cache esc;
	bool first;
};

#define PUT(d, lit) (memcpy((d), (lit), sizeof(lit) - 1), (d) += sizeof(lit) - 1)

static struct renderer *chrome_create(const struct render_ctx *ctx)
{
	struct chrome *c = xcalloc(1, sizeof(*c));
	c->base.ops = &render_chrome;
	c->base.ctx = *ctx;
	c->first = true;
	esc_cache_init(&c->esc, ESC_JSON_STRICT);
	out_str(ctx->out, "{\"traceEvents\":[\n");
	return &c->base;
}

static void chrome_destroy(struct renderer *r)
{
	struct chrome *c = (struct chrome *)r;
	esc_cache_free(&c->esc);
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

static void chrome_event(struct renderer *r, const struct tev *e)
{
	struct chrome *c = (struct chrome *)r;
	struct out *o = r->ctx.out;

	if (e->kind == EV_COMM)
		return;
	const struct esc_entry *func = esc_get(&c->esc, r->ctx.in, e->func);
	const struct esc_entry *file = esc_get(&c->esc, r->ctx.in, e->file);
	char *d = out_room(o, 256 + 2 * ((size_t)func->len + file->len));
	char *s = d;

	switch (e->kind) {
	case EV_CALL:
		d = head(c, d, 'B', e->pid, e->tid, e->ts);
		PUT(d, ",\"cat\":\"call\",\"name\":\"");
		d = put_call_body(d, func, file, e->num);
		break;
	case EV_RETURN:
		if (e->has_dur) {
			d = head(c, d, 'E', e->pid, e->tid, e->ts);
			PUT(d, ",\"args\":{\"return_line\":");
			d += fmt_i64(d, e->num);
			PUT(d, "}}");
			break;
		}
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
	case EV_GC_START:
	case EV_GC_DONE:
		d = head(c, d, 'i', e->pid, e->tid, e->ts);
		if (e->kind == EV_GC_START)
			PUT(d, ",\"s\":\"t\",\"cat\":\"gc\",\"name\":\"gc start\",\"args\":{\"generation\":");
		else
			PUT(d, ",\"s\":\"t\",\"cat\":\"gc\",\"name\":\"gc done\",\"args\":{\"collected\":");
		d += fmt_i64(d, e->num);
		PUT(d, "}}");
		break;
	case EV_IMPORT_START:
	case EV_IMPORT_DONE:
		d = head(c, d, 'i', e->pid, e->tid, e->ts);
		PUT(d, ",\"s\":\"t\",\"cat\":\"import\",\"name\":\"import ");
		d = put_esc(d, func);
		if (e->kind == EV_IMPORT_START) {
			PUT(d, "\"}");
			break;
		}
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
	case EV_LOST:
		d = head(c, d, 'i', e->pid, e->tid, e->ts);
		PUT(d, ",\"s\":\"g\",\"cat\":\"pytrace\",\"name\":\"");
		d += fmt_i64(d, e->num);
		PUT(d, " events lost\"}");
		break;
	default:
		break;
	}
	o->len += (size_t)(d - s);
}

static void chrome_unreturned(struct renderer *r, const struct tev *call, uint64_t end_ts)
{
	struct chrome *c = (struct chrome *)r;
	char *d = out_room(r->ctx.out, 160);
	char *s = d;
	d = head(c, d, 'E', call->pid, call->tid, end_ts);
	PUT(d, ",\"args\":{\"unreturned\":true}}");
	r->ctx.out->len += (size_t)(d - s);
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

static void chrome_finish(struct renderer *r, uint64_t end_ts)
{
	struct chrome *c = (struct chrome *)r;
	const struct stacks *st = r->ctx.st;
	char name[64];
	(void)end_ts;
	for (size_t i = 0; i < st->nprocs; i++) {
		const struct proc *p = st->procs[i];
		bool any = false;
		for (size_t k = 0; k < st->nthreads && !any; k++)
			any = st->threads[k]->proc == p && st->threads[k]->selected > 0;
		if (!any)
			continue;
		if (p->comm) {
			const struct esc_entry *comm = esc_get(&c->esc, r->ctx.in, p->comm);
			meta(c, "process_name", p->pid, p->pid, comm->s, comm->len);
		} else {
			meta(c, "process_name", p->pid, p->pid, "python", 6);
		}
	}
	for (size_t k = 0; k < st->nthreads; k++) {
		const struct thread *th = st->threads[k];
		if (th->selected <= 0)
			continue;
		size_t n;
		if (th->tid == th->pid) {
			memcpy(name, "main", 4);
			n = 4;
		} else {
			memcpy(name, "thread ", 7);
			n = 7 + fmt_i64(name + 7, th->tid);
		}
		meta(c, "thread_name", th->pid, th->tid, name, n);
	}
	out_str(r->ctx.out, "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"generator\":\"pytrace\"}}\n");
}

const struct render_ops render_chrome = {
	.name = "chrome",
	.create = chrome_create,
	.event = chrome_event,
	.unreturned = chrome_unreturned,
	.finish = chrome_finish,
	.destroy = chrome_destroy,
};
