/* An index (hmap.h) over an arena of string copies. The hash reads 8 bytes at a time: file paths are long and
 * every event hashes two of them. */
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "xmalloc.h"

#define CHUNK_SIZE (64 * 1024)

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xc4ceb9fe1a85ec53ULL);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h = (h << 29) | (h >> 35);
		s += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;
		memcpy(&w, s, n);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	return (uint32_t)mix(h);
}

static char *arena_copy(struct intern *in, const char *s, size_t len)
{
	char *dst;
	if (len + 1 > in->arena_left) {
		size_t size = len + 1 > CHUNK_SIZE / 4 ? len + 1 : CHUNK_SIZE;
		in->chunks = xgrow(in->chunks, &in->chunks_cap, in->nchunks + 1, sizeof(*in->chunks));
		dst = xmalloc(size);
		in->chunks[in->nchunks++] = dst;
		if (size == CHUNK_SIZE) {
			in->arena = dst + len + 1;
			in->arena_left = size - len - 1;
		}
	} else {
		dst = in->arena;
		in->arena += len + 1;
		in->arena_left -= len + 1;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
	return dst;
}

struct intern *intern_new(void)
{
	struct intern *in = xcalloc(1, sizeof(*in));
	hmap_init(&in->map, 4096);
	intern_id(in, "", 0);   /* id 0 */
	return in;
}

void intern_free(struct intern *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->nchunks; i++)
		free(in->chunks[i]);
	free(in->chunks);
	hmap_free(&in->map);
	free(in->strs);
	free(in);
}

uint32_t intern_id(struct intern *in, const char *s, size_t len)
{
	uint32_t h = hash_bytes(s, len);
	size_t pos = hmap_pos(&in->map, h);
	for (uint32_t id; (id = hmap_next(&in->map, &pos, h)) != HMAP_NONE;) {
		const struct istr *is = &in->strs[id];
		if (is->len == len && memcmp(is->s, s, len) == 0)
			return id;
	}
	uint32_t id = in->n;
	in->strs = xgrow(in->strs, &in->strs_cap, (size_t)id + 1, sizeof(*in->strs));
	in->strs[id].s = arena_copy(in, s, len);
	in->strs[id].len = (uint32_t)len;
	in->n++;
	hmap_insert(&in->map, pos, h, id);
	return id;
}
