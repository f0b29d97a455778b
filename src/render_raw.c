/* raw: the replayable stream (raw.h, README "The raw format"): the header,
 * then one line per shown event with the engine's own timestamps, plus
 * process names (comm) and lost-event counts, so a filtered raw trace
 * replays to the same output. Any byte sequence round-trips: raw_quote()
 * writes \ooo for every byte that is not printable ASCII. */
#include <stdlib.h>
#include <string.h>

#include "raw.h"
#include "render.h"
#include "xmalloc.h"

struct rawr {
	struct renderer base;
	char **quoted;      /* per intern id: the quoted string, cached */
	uint32_t *qlen;
	size_t cap;
	struct render_roster roster;   /* the processes, for their command lines */
};

static struct renderer *raw_create(const struct render_ctx *ctx)
{
	struct rawr *w = xcalloc(1, sizeof(*w));
	w->base.ops = &render_raw;
	w->base.ctx = *ctx;
	out_put(ctx->out, RAW_HEADER "\n", sizeof(RAW_HEADER));
	return &w->base;
}

static void raw_destroy(struct renderer *r)
{
	struct rawr *w = (struct rawr *)r;
	for (size_t i = 0; i < w->cap; i++)
		free(w->quoted[i]);
	free(w->quoted);
	free(w->qlen);
	render_roster_free(&w->roster);
	free(w);
}

static char *put_quoted(struct rawr *w, char *d, uint32_t id, bool trunc, bool null)
{
	if (null) {
		memcpy(d, "0x0", 3);
		return d + 3;
	}
	if (id >= w->cap) {
		size_t old = w->cap, cap2 = w->cap;
		w->quoted = xgrow(w->quoted, &cap2, (size_t)id + 1, sizeof(*w->quoted));
		w->qlen = xrealloc(w->qlen, cap2 * sizeof(*w->qlen));
		memset(w->quoted + old, 0, (cap2 - old) * sizeof(*w->quoted));
		w->cap = cap2;
	}
	if (!w->quoted[id]) {
		const struct istr *s = intern_str(w->base.ctx.in, id);
		char *q = xmalloc(4 * (size_t)s->len + 3);
		w->qlen[id] = (uint32_t)raw_quote(q, s->s, s->len);
		w->quoted[id] = q;
	}
	memcpy(d, w->quoted[id], w->qlen[id]);
	d += w->qlen[id];
	if (trunc) {
		memcpy(d, "...", 3);
		d += 3;
	}
	return d;
}

static uint32_t qlen_of(struct rawr *w, uint32_t id)
{
	if (id < w->cap && w->quoted[id])
		return w->qlen[id];
	return 4 * intern_str(w->base.ctx.in, id)->len + 3;
}

static void raw_event(struct renderer *r, const struct tev *e)
{
	struct rawr *w = (struct rawr *)r;
	struct out *o = r->ctx.out;
	size_t need = 128 + qlen_of(w, e->func) + qlen_of(w, e->file);
	char *d = out_room(o, need);
	char *s = d;
	const char *k = ev_kind_name(e->kind);
	size_t kl = strlen(k);
	memcpy(d, k, kl);
	d += kl;
	*d++ = ' ';
	d += fmt_u64(d, e->engine_ts);
	*d++ = ' ';
	d += fmt_i64(d, e->pid);
	*d++ = ' ';
	d += fmt_i64(d, e->tid);
	*d++ = ' ';
	d += fmt_i64(d, e->num);
	*d++ = ' ';
	d = put_quoted(w, d, e->func, e->flags & EVF_FUNC_TRUNC, e->flags & EVF_FUNC_NULL);
	*d++ = ' ';
	d = put_quoted(w, d, e->file, e->flags & EVF_FILE_TRUNC, e->flags & EVF_FILE_NULL);
	*d++ = '\n';
	o->len += (size_t)(d - s);
}

static void raw_meta(struct renderer *r, enum render_meta what, const struct render_proc *proc,
		     const struct render_thread *th)
{
	render_roster_meta(&((struct rawr *)r)->roster, what, proc, th);
}

/* Where a thread ended, a comment (raw.h): a replay frees it there too. */
static void raw_thread_end(struct renderer *r, const struct render_thread *th)
{
	struct out *o = r->ctx.out;
	char *d = out_room(o, sizeof(RAW_THREAD_END) + 48), *s = d;

	memcpy(d, RAW_THREAD_END, sizeof(RAW_THREAD_END) - 1);
	d += sizeof(RAW_THREAD_END) - 1;
	d += fmt_i64(d, th->pid);
	*d++ = ' ';
	d += fmt_i64(d, th->tid);
	*d++ = '\n';
	o->len += (size_t)(d - s);
}

/* At the end, as comments (raw.h): each process's command line and the
 * wall clock, when known, so that a replay of the file names processes
 * and anchors its chrome output as the live trace did. */
static void raw_finish(struct renderer *r, uint64_t end_ts)
{
	struct rawr *w = (struct rawr *)r;
	struct out *o = r->ctx.out;
	(void)end_ts;
	for (size_t i = 0; i < w->roster.nprocs; i++) {
		const struct render_proc *p = w->roster.procs[i];
		if (!p->cmdline)
			continue;
		const struct istr *c = intern_str(r->ctx.in, p->cmdline);
		char *d = out_room(o, sizeof(RAW_CMDLINE) + 24 + 4 * (size_t)c->len + 8), *s = d;
		memcpy(d, RAW_CMDLINE, sizeof(RAW_CMDLINE) - 1);
		d += sizeof(RAW_CMDLINE) - 1;
		d += fmt_i64(d, p->pid);
		*d++ = ' ';
		d = put_quoted(w, d, p->cmdline, false, false);
		*d++ = '\n';
		o->len += (size_t)(d - s);
	}
	if (*r->ctx.wall_offset) {
		out_str(o, RAW_CLOCK);
		out_i64(o, *r->ctx.wall_offset);
		out_char(o, '\n');
	}
}

const struct render_ops render_raw = {
	.name = "raw",
	.create = raw_create,
	.event = raw_event,
	.lost = raw_event,      /* a "lost" line where it happened */
	.meta = raw_meta,
	.thread_end = raw_thread_end,
	.finish = raw_finish,
	.destroy = raw_destroy,
};
