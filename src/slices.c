#include <stdlib.h>
#include <string.h>

#include "slices.h"
#include "xmalloc.h"

void slicer_init(struct slicer *sl, const struct slice_ops *ops, void *ctx)
{
	memset(sl, 0, sizeof(*sl));
	sl->ops = ops;
	sl->ctx = ctx;
}

void slicer_free(struct slicer *sl)
{
	for (size_t i = 0; i < sl->nstacks; i++)
		free(sl->stacks[i].v);
	free(sl->stacks);
	memset(sl, 0, sizeof(*sl));
}

void slicer_thread_end(struct slicer *sl, const struct render_thread *th)
{
	struct slice_stack *s = th->index < sl->nstacks ? &sl->stacks[th->index] : NULL;

	if (s && s->n == 0) {   /* a gc or import slice still open stays */
		free(s->v);
		s->v = NULL;
		s->cap = 0;
	}
}

static struct slice_stack *stack_of(struct slicer *sl, const struct render_thread *th)
{
	struct slice_stack *s = render_thread_slot((void **)&sl->stacks, &sl->nstacks, th,
						   sizeof(*sl->stacks));
	s->th = th;
	return s;
}

static void push(struct slicer *sl, struct slice_stack *s, const struct slice *x)
{
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n] = *x;
	sl->ops->open(sl->ctx, s->th, &s->v[s->n++]);
}

static void pop(struct slicer *sl, struct slice_stack *s, uint64_t ts, bool unreturned)
{
	s->n--;
	sl->ops->close(sl->ctx, s->th, &s->v[s->n], ts, unreturned);
}

/* The index of the innermost open slice of kind (and func, for imports),
 * or -1. */
static ptrdiff_t find(const struct slice_stack *s, enum slice_kind kind, uint32_t func)
{
	for (size_t i = s->n; i-- > 0;) {
		if (s->v[i].kind == kind && (kind != SLICE_IMPORT || s->v[i].func == func))
			return (ptrdiff_t)i;
		if (s->v[i].kind == SLICE_CALL)
			return -1;   /* gc and imports do not outlive the call they began in */
	}
	return -1;
}

bool slicer_event(struct slicer *sl, const struct tev *e)
{
	struct slice_stack *s;
	ptrdiff_t at;

	switch (e->kind) {
	case EV_CALL:
		s = stack_of(sl, e->th);
		/* A call at depth d with a call slice at depth >= d still open:
		 * that one ended without a return (its process exec'd). */
		for (at = 0; at < (ptrdiff_t)s->n; at++)
			if (s->v[at].kind == SLICE_CALL && s->v[at].depth >= e->depth)
				break;
		while ((ptrdiff_t)s->n > at)
			pop(sl, s, e->ts, true);
		push(sl, s, &(struct slice){ .kind = SLICE_CALL, .func = e->func, .file = e->file,
					     .num = e->num, .start = e->ts, .depth = e->depth });
		return true;
	case EV_RETURN:
		if (!e->has_dur)
			return false;
		s = stack_of(sl, e->th);
		/* Close down to the call at this depth (what a filter hid in
		 * between cannot leave anything open, but stay balanced). */
		for (at = (ptrdiff_t)s->n - 1; at >= 0; at--)
			if (s->v[at].kind == SLICE_CALL && s->v[at].depth == e->depth)
				break;
		if (at < 0)
			return false;
		while ((ptrdiff_t)s->n > at)
			pop(sl, s, e->ts, false);
		return true;
	case EV_GC_START:
	case EV_IMPORT_START:
		s = stack_of(sl, e->th);
		push(sl, s, &(struct slice){ .kind = e->kind == EV_GC_START ? SLICE_GC : SLICE_IMPORT,
					     .func = e->func, .num = e->num, .start = e->ts,
					     .depth = e->depth });
		return true;
	case EV_GC_DONE:
	case EV_IMPORT_DONE:
		s = stack_of(sl, e->th);
		at = find(s, e->kind == EV_GC_DONE ? SLICE_GC : SLICE_IMPORT, e->func);
		if (at < 0)
			return false;
		while ((ptrdiff_t)s->n > at)
			pop(sl, s, e->ts, false);
		return true;
	default:
		return false;
	}
}

uint64_t slicer_finish(struct slicer *sl, uint64_t end)
{
	uint64_t calls = 0;
	for (size_t i = 0; i < sl->nstacks; i++) {
		struct slice_stack *s = &sl->stacks[i];
		while (s->n) {
			calls += s->v[s->n - 1].kind == SLICE_CALL;
			pop(sl, s, end, true);
		}
	}
	return calls;
}
