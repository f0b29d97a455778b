/* folded: one line per distinct call path, "frame;frame;frame count",
 * weighted by self time in microseconds (rounded per path, paths that
 * round to 0 are left out), for flamegraph.pl, speedscope and inferno.
 * A frame is "func (file:line)" with the line of the function's first
 * call; ';' inside a name is written \x3b. Paths merge across threads and
 * processes, unless --flame-by puts a "NAME (pid N)" frame (and a thread
 * frame, "main (tid N)" or "tid N") at their root. Calls that returned
 * carry their self time; calls never returned carry theirs up to the end
 * of the trace on a path of their own whose last frame is marked
 * "[never returned]" (a program stuck in one function shows it); returns
 * whose call was not seen have no self time to give. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "flame.h"
#include "picture.h"
#include "render.h"
#include "xmalloc.h"

struct folded {
	struct renderer base;
	struct esc_cache esc;
	struct flame fl;
	struct render_roster roster;   /* process names for --flame-by */
};

static struct renderer *folded_create(const struct render_ctx *ctx)
{
	struct folded *f = xcalloc(1, sizeof(*f));
	f->base.ops = &render_folded;
	f->base.ctx = *ctx;
	esc_cache_init(&f->esc, ESC_FOLDED);
	flame_init(&f->fl, ctx->set.flame_by);
	return &f->base;
}

static void folded_destroy(struct renderer *r)
{
	struct folded *f = (struct folded *)r;
	esc_cache_free(&f->esc);
	flame_free(&f->fl);
	render_roster_free(&f->roster);
	free(f);
}

static void folded_event(struct renderer *r, const struct tev *e)
{
	struct folded *f = (struct folded *)r;
	flame_event(&f->fl, e);
}

static void folded_meta(struct renderer *r, enum render_meta what, const struct render_proc *proc,
			const struct render_thread *th)
{
	render_roster_meta(&((struct folded *)r)->roster, what, proc, th);
}

/* One frame of node nd, then sep. */
static void put_frame(struct folded *f, const struct flame_node *nd, char sep)
{
	struct render_ctx *ctx = &f->base.ctx;
	struct out *o = ctx->out;
	char *d, *s;
	if (nd->root == FLAME_CALL) {
		const struct esc_entry *func = esc_get(&f->esc, ctx->in, nd->func);
		const struct esc_entry *file = esc_get(&f->esc, ctx->in, nd->file);
		d = s = out_room(o, (size_t)func->len + file->len + 32);
		memcpy(d, func->s, func->len);
		d += func->len;
		memcpy(d, " (", 2);
		d += 2;
		memcpy(d, file->s, file->len);
		d += file->len;
		*d++ = ':';
		d += fmt_i64(d, nd->line);
		*d++ = ')';
	} else if (nd->root == FLAME_PROC) {
		struct render_proc proc = render_roster_proc(&f->roster, (int32_t)nd->line);
		uint32_t id = picture_proc_name(ctx->in, &proc);
		const struct esc_entry *name = esc_get(&f->esc, ctx->in, id);
		d = s = out_room(o, (size_t)name->len + 40);
		memcpy(d, name->s, name->len);
		d += name->len;
		memcpy(d, " (pid ", 6);
		d += 6;
		d += fmt_i64(d, nd->line);
		*d++ = ')';
	} else {
		d = s = out_room(o, 48);
		d += thread_label(d, (int32_t)f->fl.nodes[nd->parent].line, (int32_t)nd->line, false);
	}
	*d++ = sep;
	o->len += (size_t)(d - s);
}

static void folded_thread_end(struct renderer *r, const struct render_thread *th)
{
	flame_thread_end(&((struct folded *)r)->fl, th);
}

static void folded_unreturned(struct renderer *r, const struct tev *call, uint64_t end_ts)
{
	(void)end_ts;
	flame_unreturned(&((struct folded *)r)->fl, call);
}

/* The path to node i, then the marker (or ""), then us. */
static void put_path(struct folded *f, size_t i, const char *mark, uint64_t us,
		     uint32_t **path, size_t *path_cap)
{
	struct out *o = f->base.ctx.out;
	size_t n = 0;

	for (uint32_t k = (uint32_t)i; k; k = f->fl.nodes[k].parent) {
		*path = xgrow(*path, path_cap, n + 1, sizeof(**path));
		(*path)[n++] = k;
	}
	while (n-- > 0)
		put_frame(f, &f->fl.nodes[(*path)[n]], n ? ';' : ' ');
	out_str(o, mark);
	out_u64(o, us);
	out_char(o, '\n');
}

static void folded_finish(struct renderer *r, uint64_t end_ts)
{
	struct folded *f = (struct folded *)r;
	uint32_t *path = NULL;
	size_t path_cap = 0;
	(void)end_ts;
	for (size_t i = 1; i < f->fl.nnodes; i++) {
		uint64_t us = flame_self_us(&f->fl, i);
		uint64_t open_us = flame_open_us(&f->fl, i);

		if (us)
			put_path(f, i, "", us, &path, &path_cap);
		if (open_us)
			put_path(f, i, "[never returned] ", open_us, &path, &path_cap);
	}
	free(path);
}

const struct render_ops render_folded = {
	.name = "folded",
	.create = folded_create,
	.event = folded_event,
	.unreturned = folded_unreturned,
	.thread_end = folded_thread_end,
	.meta = folded_meta,
	.finish = folded_finish,
	.destroy = folded_destroy,
};
