/* folded: one line per distinct call path, "frame;frame;frame count",
 * weighted by self time in microseconds (rounded per path, paths that
 * round to 0 are left out), for flamegraph.pl, speedscope and inferno.
 * A frame is "func (file:line)" with the line of the function's first
 * call; ';' inside a name is written \x3b. Paths merge across threads and
 * processes. Only calls that returned carry weight: calls never returned
 * and returns whose call was not seen have no self time to give. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render.h"
#include "xmalloc.h"

struct node {
	uint32_t parent;   /* node index; 0 is the root */
	uint32_t func, file;
	int64_t line;
	uint64_t self_ns;
};

struct tstack {
	uint32_t *v;
	size_t cap;
};

struct folded {
	struct renderer base;
	struct esc_cache esc;
	struct node *nodes;
	size_t nnodes, nodes_cap;
	uint32_t *map;      /* node index, 0 = empty (the root is never looked up) */
	size_t mask;
	struct tstack *stacks;   /* per thread index: node at each depth */
	size_t nstacks;
};

static uint32_t node_hash(uint32_t parent, uint32_t func, uint32_t file)
{
	uint64_t h = ((uint64_t)func << 32 | file) * 0x9e3779b97f4a7c15ULL;
	h ^= parent * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 31;
	return (uint32_t)(h * 0xff51afd7ed558ccdULL >> 32);
}

static struct renderer *folded_create(const struct render_ctx *ctx)
{
	struct folded *f = xcalloc(1, sizeof(*f));
	f->base.ops = &render_folded;
	f->base.ctx = *ctx;
	esc_cache_init(&f->esc, ESC_FOLDED);
	f->nodes = xgrow(NULL, &f->nodes_cap, 1024, sizeof(*f->nodes));
	f->nnodes = 1;
	memset(&f->nodes[0], 0, sizeof(f->nodes[0]));
	f->mask = 2048 - 1;
	f->map = xcalloc(f->mask + 1, sizeof(*f->map));
	return &f->base;
}

static void folded_destroy(struct renderer *r)
{
	struct folded *f = (struct folded *)r;
	esc_cache_free(&f->esc);
	for (size_t i = 0; i < f->nstacks; i++)
		free(f->stacks[i].v);
	free(f->stacks);
	free(f->nodes);
	free(f->map);
	free(f);
}

static void grow_map(struct folded *f)
{
	size_t size = (f->mask + 1) * 2;
	uint32_t *m = xcalloc(size, sizeof(*m));
	for (size_t i = 1; i < f->nnodes; i++) {
		const struct node *n = &f->nodes[i];
		size_t j = node_hash(n->parent, n->func, n->file) & (size - 1);
		while (m[j])
			j = (j + 1) & (size - 1);
		m[j] = (uint32_t)i;
	}
	free(f->map);
	f->map = m;
	f->mask = size - 1;
}

static uint32_t child(struct folded *f, uint32_t parent, const struct tev *e)
{
	size_t j = node_hash(parent, e->func, e->file) & f->mask;
	while (f->map[j]) {
		const struct node *n = &f->nodes[f->map[j]];
		if (n->parent == parent && n->func == e->func && n->file == e->file)
			return f->map[j];
		j = (j + 1) & f->mask;
	}
	f->nodes = xgrow(f->nodes, &f->nodes_cap, f->nnodes + 1, sizeof(*f->nodes));
	uint32_t id = (uint32_t)f->nnodes++;
	f->nodes[id] = (struct node){ .parent = parent, .func = e->func, .file = e->file, .line = e->num };
	f->map[j] = id;
	if (f->nnodes * 2 > f->mask + 1)
		grow_map(f);
	return id;
}

static struct tstack *tstack_for(struct folded *f, const struct thread *th, size_t depth)
{
	if (th->index >= f->nstacks) {
		size_t old = f->nstacks;
		f->stacks = xgrow(f->stacks, &f->nstacks, (size_t)th->index + 1, sizeof(*f->stacks));
		memset(f->stacks + old, 0, (f->nstacks - old) * sizeof(*f->stacks));
	}
	struct tstack *ts = &f->stacks[th->index];
	if (depth >= ts->cap) {
		size_t old = ts->cap;
		ts->v = xgrow(ts->v, &ts->cap, depth + 1, sizeof(*ts->v));
		memset(ts->v + old, 0, (ts->cap - old) * sizeof(*ts->v));
	}
	return ts;
}

static void folded_event(struct renderer *r, const struct tev *e)
{
	struct folded *f = (struct folded *)r;
	size_t depth = (size_t)e->depth;
	if (e->kind == EV_CALL) {
		struct tstack *ts = tstack_for(f, e->th, depth);
		uint32_t parent = depth ? ts->v[depth - 1] : 0;
		ts->v[depth] = child(f, parent, e);
	} else if (e->kind == EV_RETURN && e->has_dur) {
		struct tstack *ts = tstack_for(f, e->th, depth);
		if (ts->v[depth])
			f->nodes[ts->v[depth]].self_ns += e->self;
	}
}

static void folded_finish(struct renderer *r, uint64_t end_ts)
{
	struct folded *f = (struct folded *)r;
	struct out *o = r->ctx.out;
	uint32_t *path = NULL;
	size_t path_cap = 0;
	(void)end_ts;
	for (size_t i = 1; i < f->nnodes; i++) {
		uint64_t us = (f->nodes[i].self_ns + 500) / 1000;
		if (!us)
			continue;
		size_t n = 0;
		for (uint32_t k = (uint32_t)i; k; k = f->nodes[k].parent) {
			path = xgrow(path, &path_cap, n + 1, sizeof(*path));
			path[n++] = k;
		}
		while (n-- > 0) {
			const struct node *nd = &f->nodes[path[n]];
			const struct esc_entry *func = esc_get(&f->esc, r->ctx.in, nd->func);
			const struct esc_entry *file = esc_get(&f->esc, r->ctx.in, nd->file);
			char *d = out_room(o, (size_t)func->len + file->len + 32);
			char *s = d;
			memcpy(d, func->s, func->len);
			d += func->len;
			memcpy(d, " (", 2);
			d += 2;
			memcpy(d, file->s, file->len);
			d += file->len;
			*d++ = ':';
			d += fmt_i64(d, nd->line);
			*d++ = ')';
			*d++ = n ? ';' : ' ';
			o->len += (size_t)(d - s);
		}
		out_u64(o, us);
		out_char(o, '\n');
	}
	free(path);
}

const struct render_ops render_folded = {
	.name = "folded",
	.create = folded_create,
	.event = folded_event,
	.finish = folded_finish,
	.destroy = folded_destroy,
};
