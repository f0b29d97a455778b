/* An open-addressing index (linear probing, load <= 1/2) from a 32-bit hash
 * to dense entry ids the caller keeps in an array of its own: the one hash
 * table of interned strings, threads, processes, flame nodes, summary rows
 * and speedscope frames.  The caller hashes and compares; lookups inline:
 *
 *   size_t pos = hmap_pos(&m, h);
 *   for (uint32_t id; (id = hmap_next(&m, &pos, h)) != HMAP_NONE;)
 *           if (entry id is the key)
 *                   return id;
 *   id = (append the new entry);
 *   hmap_insert(&m, pos, h, id);
 */
#ifndef PYTRACE_HMAP_H
#define PYTRACE_HMAP_H

#include <stddef.h>
#include <stdint.h>

#define HMAP_NONE UINT32_MAX

struct hmap_slot {
	uint32_t hash;
	uint32_t id1;         /* id + 1; 0: empty */
};

struct hmap {
	struct hmap_slot *slots;
	size_t mask;          /* slots - 1 (a power of two) */
	size_t n;
};

/* size: the initial number of slots, a power of two. */
void hmap_init(struct hmap *m, size_t size);
void hmap_free(struct hmap *m);

static inline size_t hmap_pos(const struct hmap *m, uint32_t hash)
{
	return hash & m->mask;
}

/* The next id stored with this hash from *pos on, or HMAP_NONE at the first
 * empty slot (where *pos stays, for hmap_insert). */
static inline uint32_t hmap_next(const struct hmap *m, size_t *pos, uint32_t hash)
{
	for (;;) {
		const struct hmap_slot *s = &m->slots[*pos];
		if (!s->id1)
			return HMAP_NONE;
		*pos = (*pos + 1) & m->mask;
		if (s->hash == hash)
			return s->id1 - 1;
	}
}

/* Store id at pos (where hmap_next ended); the table grows as it fills. */
void hmap_insert(struct hmap *m, size_t pos, uint32_t hash, uint32_t id);

/* A 64-bit key mixed down to a hash. */
static inline uint32_t hmap_hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (uint32_t)k;
}

/* Three values mixed down to a hash: two 32-bit ids and a third value
 * (flame nodes: func, file, parent and root; speedscope frames: func,
 * file, line or generation and kind). */
static inline uint32_t hmap_hash3(uint32_t a, uint32_t b, uint64_t c)
{
	uint64_t h = ((uint64_t)a << 32 | b) * 0x9e3779b97f4a7c15ULL;
	h ^= c * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 31;
	return (uint32_t)(h * 0xff51afd7ed558ccdULL >> 32);
}

#endif
