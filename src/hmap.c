/* The one open-addressing index (hmap.h). */
#include <stdlib.h>

#include "hmap.h"
#include "xmalloc.h"

void hmap_init(struct hmap *m, size_t size)
{
	m->slots = xcalloc(size, sizeof(*m->slots));
	m->mask = size - 1;
	m->n = 0;
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->mask = m->n = 0;
}

static void grow(struct hmap *m)
{
	size_t size = (m->mask + 1) * 2;
	struct hmap_slot *slots = xcalloc(size, sizeof(*slots));

	for (size_t i = 0; i <= m->mask; i++) {
		struct hmap_slot s = m->slots[i];
		if (!s.id1)
			continue;
		size_t j = s.hash & (size - 1);
		while (slots[j].id1)
			j = (j + 1) & (size - 1);
		slots[j] = s;
	}
	free(m->slots);
	m->slots = slots;
	m->mask = size - 1;
}

void hmap_insert(struct hmap *m, size_t pos, uint32_t hash, uint32_t id)
{
	m->slots[pos].hash = hash;
	m->slots[pos].id1 = id + 1;
	if (++m->n * 2 > m->mask + 1)
		grow(m);
}
