/* Each thread's latest call record, held back (bpf_call_hold.h).  Threads are
 * few: a linear table, one slot per thread seen, reused. */
#include <stdlib.h>
#include <string.h>

#include "bpf_call_hold.h"
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
