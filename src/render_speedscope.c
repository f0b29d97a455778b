/* speedscope: speedscope's own file format
 * (https://www.speedscope.app/file-format-schema.json), the format py-spy
 * and austin write. One "evented" profile per thread, named after its
 * process (command line) and thread, in nanoseconds from the start of the
 * trace, every profile spanning the whole trace so threads line up; one
 * shared frame table: a call is its function with file and line (of the
 * function's first call, as in folded), gc is "gc (generation N)", an
 * import "import MODULE". Open ("O") and close ("C") events nest per thread
 * (slices.c); what is still open when the trace ends is closed there.
 * Events are kept per thread until the end, 16 bytes each. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "hmap.h"
#include "picture.h"
#include "render.h"
#include "slices.h"
#include "xmalloc.h"

struct sframe {
	enum slice_kind kind;
	uint32_t func, file;
	int64_t num;          /* call: line; gc: generation; import: 0 */
};

struct sevent {
	uint64_t at;
	uint32_t frame;
	uint32_t open;        /* 1: "O", 0: "C" */
};

struct sthread {
	const struct render_thread *th;
	struct sevent *v;
	size_t n, cap;
};

struct speedscope {
	struct renderer base;
	struct esc_cache esc;
	struct slicer sl;
	struct sframe *frames;
	size_t nframes, frames_cap;
	struct hmap map;      /* frame -> frame index */
	struct sthread *threads;   /* per thread index */
	size_t nthreads;
	struct render_roster roster;   /* processes and shown threads */
};

static const struct slice_ops speedscope_slice_ops;

static struct renderer *speedscope_create(const struct render_ctx *ctx)
{
	struct speedscope *s = xcalloc(1, sizeof(*s));
	s->base.ops = &render_speedscope;
	s->base.ctx = *ctx;
	esc_cache_init(&s->esc, ESC_JSON_STRICT);
	slicer_init(&s->sl, &speedscope_slice_ops, s);
	hmap_init(&s->map, 1024);
	return &s->base;
}

static void speedscope_destroy(struct renderer *r)
{
	struct speedscope *s = (struct speedscope *)r;
	esc_cache_free(&s->esc);
	slicer_free(&s->sl);
	render_roster_free(&s->roster);
	for (size_t i = 0; i < s->nthreads; i++)
		free(s->threads[i].v);
	free(s->threads);
	free(s->frames);
	hmap_free(&s->map);
	free(s);
}

static uint32_t frame_hash(const struct sframe *f)
{
	return hmap_hash3(f->func, f->file, (uint64_t)f->num * 4 + f->kind);
}

static bool same(const struct sframe *a, const struct sframe *b)
{
	return a->kind == b->kind && a->func == b->func && a->file == b->file &&
	       (a->kind != SLICE_GC || a->num == b->num);
}

/* The frame's index; a call's line is that of the first call seen. */
static uint32_t frame_of(struct speedscope *s, const struct slice *x)
{
	struct sframe f = { .kind = x->kind, .func = x->func, .file = x->file,
			    .num = x->kind == SLICE_IMPORT ? 0 : x->num };
	struct sframe key = f;
	if (key.kind == SLICE_CALL)
		key.num = 0;   /* the hash ignores a call's line */
	uint32_t h = frame_hash(&key);
	size_t pos = hmap_pos(&s->map, h);
	for (uint32_t id; (id = hmap_next(&s->map, &pos, h)) != HMAP_NONE;)
		if (same(&s->frames[id], &f))
			return id;
	s->frames = xgrow(s->frames, &s->frames_cap, s->nframes + 1, sizeof(*s->frames));
	s->frames[s->nframes++] = f;
	hmap_insert(&s->map, pos, h, (uint32_t)s->nframes - 1);
	return (uint32_t)s->nframes - 1;
}

static void add(struct speedscope *s, const struct render_thread *th, uint32_t frame, uint64_t at, bool open)
{
	struct sthread *t = render_thread_slot((void **)&s->threads, &s->nthreads, th,
					       sizeof(*s->threads));
	t->th = th;
	if (t->n == t->cap)
		t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n++] = (struct sevent){ .at = at, .frame = frame, .open = open };
}

static void ss_open(void *ctx, const struct render_thread *th, struct slice *x)
{
	struct speedscope *s = ctx;
	x->tag = frame_of(s, x);   /* the close uses it: one lookup per slice */
	add(s, th, x->tag, x->start, true);
}

static void ss_close(void *ctx, const struct render_thread *th, const struct slice *x, uint64_t ts,
		     bool unreturned)
{
	struct speedscope *s = ctx;
	(void)unreturned;
	add(s, th, x->tag, ts, false);
}

static const struct slice_ops speedscope_slice_ops = { .open = ss_open, .close = ss_close };

static void speedscope_event(struct renderer *r, const struct tev *e)
{
	struct speedscope *s = (struct speedscope *)r;
	if (!e->th)
		return;
	slicer_event(&s->sl, e);
}

static void speedscope_meta(struct renderer *r, enum render_meta what,
			    const struct render_proc *proc, const struct render_thread *th)
{
	render_roster_meta(&((struct speedscope *)r)->roster, what, proc, th);
}

static void put_esc(struct out *o, struct speedscope *s, uint32_t id)
{
	const struct esc_entry *x = esc_get(&s->esc, s->base.ctx.in, id);
	out_put(o, x->s, x->len);
}

static void put_frame(struct speedscope *s, const struct sframe *f)
{
	struct out *o = s->base.ctx.out;
	out_str(o, "{\"name\":\"");
	switch (f->kind) {
	case SLICE_CALL:
		put_esc(o, s, f->func);
		out_str(o, "\",\"file\":\"");
		put_esc(o, s, f->file);
		out_str(o, "\",\"line\":");
		out_i64(o, f->num);
		out_char(o, '}');
		return;
	case SLICE_GC:
		out_str(o, "gc (generation ");
		out_i64(o, f->num);
		out_str(o, ")\"}");
		return;
	case SLICE_IMPORT:
		out_str(o, "import ");
		put_esc(o, s, f->func);
		out_str(o, "\"}");
		return;
	}
}

static void speedscope_thread_end(struct renderer *r, const struct render_thread *th)
{
	slicer_thread_end(&((struct speedscope *)r)->sl, th);
}

static void speedscope_finish(struct renderer *r, uint64_t end_ts)
{
	struct speedscope *s = (struct speedscope *)r;
	const struct render_roster *ro = &s->roster;
	struct out *o = r->ctx.out;
	char label[48];

	slicer_finish(&s->sl, end_ts);
	out_str(o, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n"
		"\"exporter\":\"pytrace " PYTRACE_VERSION "\",\"name\":\"");
	if (ro->nprocs)
		put_esc(o, s, picture_proc_name(r->ctx.in, ro->procs[0]));
	else
		out_str(o, "pytrace");
	out_str(o, "\",\"activeProfileIndex\":0,\n\"shared\":{\"frames\":[");
	for (size_t i = 0; i < s->nframes; i++) {
		out_str(o, i ? ",\n" : "\n");
		put_frame(s, &s->frames[i]);
	}
	out_str(o, "\n]},\n\"profiles\":[");
	bool first = true;
	for (size_t k = 0; k < ro->nthreads; k++) {
		const struct render_thread *th = ro->threads[k];
		out_str(o, first ? "\n" : ",\n");
		first = false;
		out_str(o, "{\"type\":\"evented\",\"name\":\"");
		put_esc(o, s, picture_proc_name(r->ctx.in, th->proc));
		out_str(o, " (pid ");
		out_i64(o, th->pid);
		out_str(o, "), ");
		size_t n = thread_label(label, th->pid, th->tid, false);
		out_put(o, label, n);
		out_str(o, "\",\"unit\":\"nanoseconds\",\"startValue\":0,\"endValue\":");
		out_u64(o, end_ts);
		out_str(o, ",\"events\":[");
		const struct sthread *t = th->index < s->nthreads ? &s->threads[th->index] : NULL;
		for (size_t i = 0; t && i < t->n; i++) {
			char *d = out_room(o, 80), *b = d;
			if (i)
				*d++ = ',';
			PUT(d, "\n{\"type\":\"");
			*d++ = t->v[i].open ? 'O' : 'C';
			PUT(d, "\",\"frame\":");
			d += fmt_u64(d, t->v[i].frame);
			PUT(d, ",\"at\":");
			d += fmt_u64(d, t->v[i].at);
			*d++ = '}';
			o->len += (size_t)(d - b);
		}
		out_str(o, "]}");
	}
	out_str(o, "\n]}\n");
}

const struct render_ops render_speedscope = {
	.name = "speedscope",
	.create = speedscope_create,
	.meta = speedscope_meta,
	.event = speedscope_event,
	.thread_end = speedscope_thread_end,
	.finish = speedscope_finish,
	.destroy = speedscope_destroy,
};
