#include <stdlib.h>
#include <string.h>

#include "flame.h"
#include "xmalloc.h"

static uint32_t node_hash(uint32_t parent, uint32_t func, uint32_t file, enum flame_root root)
{
	return hmap_hash3(func, file, parent * 4ULL + root);
}

void flame_init(struct flame *f, enum flame_by by)
{
	memset(f, 0, sizeof(*f));
	f->by = by;
	f->nodes = xgrow(NULL, &f->nodes_cap, 1024, sizeof(*f->nodes));
	f->nnodes = 1;
	memset(&f->nodes[0], 0, sizeof(f->nodes[0]));
	hmap_init(&f->map, 2048);
}

void flame_free(struct flame *f)
{
	for (size_t i = 0; i < f->nstacks; i++)
		free(f->stacks[i].v);
	free(f->stacks);
	free(f->nodes);
	hmap_free(&f->map);
	memset(f, 0, sizeof(*f));
}

/* The child of parent for (root, func, file), created on first sight with
 * line. Process and thread frames use func 0 and file = pid or tid. */
static uint32_t child(struct flame *f, uint32_t parent, enum flame_root root,
		      uint32_t func, uint32_t file, int64_t line)
{
	uint32_t h = node_hash(parent, func, file, root);
	size_t pos = hmap_pos(&f->map, h);
	for (uint32_t id; (id = hmap_next(&f->map, &pos, h)) != HMAP_NONE;) {
		const struct flame_node *n = &f->nodes[id];
		if (n->parent == parent && n->func == func && n->file == file && n->root == root)
			return id;
	}
	f->nodes = xgrow(f->nodes, &f->nodes_cap, f->nnodes + 1, sizeof(*f->nodes));
	uint32_t id = (uint32_t)f->nnodes++;
	f->nodes[id] = (struct flame_node){ .parent = parent, .func = func, .file = file,
					    .line = line, .root = root };
	hmap_insert(&f->map, pos, h, id);
	return id;
}

static struct flame_stack *stack_for(struct flame *f, const struct render_thread *th, size_t depth)
{
	struct flame_stack *s = render_thread_slot((void **)&f->stacks, &f->nstacks, th,
						   sizeof(*f->stacks));
	if (depth >= s->cap)
		s->v = xgrow_zero(s->v, &s->cap, depth + 1, sizeof(*s->v));
	if (!s->base && f->by != FLAME_BY_NONE) {
		s->base = child(f, 0, FLAME_PROC, 0, (uint32_t)th->pid, th->pid);
		if (f->by == FLAME_BY_THREAD)
			s->base = child(f, s->base, FLAME_THREAD, 0, (uint32_t)th->tid, th->tid);
	}
	return s;
}

void flame_thread_end(struct flame *f, const struct render_thread *th)
{
	if (th->index < f->nstacks) {
		free(f->stacks[th->index].v);
		f->stacks[th->index].v = NULL;
		f->stacks[th->index].cap = 0;   /* base stays: the thread's root frame */
	}
}

void flame_unreturned(struct flame *f, const struct tev *call)
{
	struct flame_stack *s = stack_for(f, call->th, (size_t)call->depth);
	uint32_t n = s->v[call->depth];

	if (n)
		f->nodes[n].open_ns += call->self;
}

void flame_event(struct flame *f, const struct tev *e)
{
	size_t depth = (size_t)e->depth;
	if (e->kind == EV_CALL) {
		struct flame_stack *s = stack_for(f, e->th, depth);
		uint32_t parent = depth ? s->v[depth - 1] : s->base;
		s->v[depth] = child(f, parent, FLAME_CALL, e->func, e->file, e->num);
	} else if (e->kind == EV_RETURN && e->has_dur) {
		struct flame_stack *s = stack_for(f, e->th, depth);
		uint32_t n = s->v[depth];
		if (n) {
			f->nodes[n].self_ns += e->self;
			f->nodes[n].calls++;
		}
	}
}
