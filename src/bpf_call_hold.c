/* Each thread's latest call record, held back (bpf_call_hold.h).  Threads are
 * few: a linear table, one slot per thread seen, reused. */
#include <stdlib.h>
#include <string.h>

#include "bpf_call_hold.h"
#include "engine_bpf.h"
#include "event.h"
#include "xmalloc.h"

struct held_call *call_hold_find(struct call_hold *h, uint32_t tid)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].tid == tid)
			return h->v[i].size ? &h->v[i] : NULL;
	return NULL;
}

void call_hold_put(struct call_hold *h, uint32_t tid, uint64_t ts, const void *rec, size_t size)
{
	struct held_call *c = NULL;

	for (size_t i = 0; i < h->n && !c; i++)
		if (h->v[i].tid == tid || h->v[i].size == 0)
			c = &h->v[i];
	if (!c) {
		h->v = xgrow(h->v, &h->cap, h->n + 1, sizeof(*h->v));
		c = &h->v[h->n++];
		memset(c, 0, sizeof(*c));
	}
	c->tid = tid;
	c->ts = ts;
	if (size > c->cap)
		c->rec = xgrow(c->rec, &c->cap, size, 1);
	memcpy(c->rec, rec, size);
	c->size = size;
}

void call_hold_free(struct call_hold *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].rec);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* ---- thrown-into frames ---- */

struct thrown *throw_hold_find(struct throw_hold *h, uint32_t tid)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].tid == tid)
			return h->v[i].nmarks ? &h->v[i] : NULL;
	return NULL;
}

void throw_hold_mark(struct throw_hold *h, uint32_t tid, uint64_t ts)
{
	struct thrown *t = NULL;

	for (size_t i = 0; i < h->n && !t; i++)
		if (h->v[i].tid == tid)
			t = &h->v[i];
	for (size_t i = 0; i < h->n && !t; i++)
		if (h->v[i].nmarks == 0) {
			t = &h->v[i];
			t->tid = tid;
		}
	if (!t) {
		h->v = xgrow(h->v, &h->cap, h->n + 1, sizeof(*h->v));
		t = &h->v[h->n++];
		memset(t, 0, sizeof(*t));
		t->tid = tid;
	}
	if (t->nmarks == 0)
		t->depth = 0;
	t->marks = xgrow(t->marks, &t->capmarks, t->nmarks + 1, sizeof(*t->marks));
	t->marks[t->nmarks++] = (struct throw_mark){ .ts = ts, .pos = t->nrecs, .depth = t->depth };
}

static unsigned char *copy_rec(const struct bpf_event *rec)
{
	size_t size = bpf_record_size(rec);
	unsigned char *c = xmalloc(size);

	memcpy(c, rec, size);
	return c;
}

bool throw_hold_take(struct thrown *t, const struct bpf_event *rec)
{
	struct throw_mark *m = &t->marks[t->nmarks - 1];

	t->recs = xgrow(t->recs, &t->caprecs, t->nrecs + 2, sizeof(*t->recs));
	t->recs[t->nrecs++] = copy_rec(rec);
	if (rec->kind == EV_CALL) {
		t->depth++;
	} else if (rec->kind == EV_RETURN) {
		if (t->depth > m->depth) {
			t->depth--;
			return false;
		}
		/* the thrown frame's return: its call goes in at the mark */
		struct bpf_event *call = (struct bpf_event *)copy_rec(rec);
		call->kind = EV_CALL;
		call->ts = m->ts;
		memmove(t->recs + m->pos + 1, t->recs + m->pos,
			(t->nrecs - m->pos) * sizeof(*t->recs));
		t->recs[m->pos] = (unsigned char *)call;
		t->nrecs++;
		t->nmarks--;
		return t->nmarks == 0;
	}
	return false;
}

void throw_hold_done(struct thrown *t)
{
	for (size_t i = 0; i < t->nrecs; i++)
		free(t->recs[i]);
	t->nrecs = 0;
	t->nmarks = 0;
	t->depth = 0;
}

void throw_hold_free(struct throw_hold *h)
{
	for (size_t i = 0; i < h->n; i++) {
		throw_hold_done(&h->v[i]);
		free(h->v[i].recs);
		free(h->v[i].marks);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}
