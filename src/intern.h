/* String interning: a trace has millions of events but a few thousand
 * distinct function and file names. Each distinct byte string gets a small
 * dense id (0 is the empty string); the bytes live until intern_free, so
 * renderers can cache per-id work (escaping) in plain arrays. */
#ifndef PYTRACE_INTERN_H
#define PYTRACE_INTERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hmap.h"

struct istr {
	const char *s;     /* NUL-terminated copy (the string may hold NULs too) */
	uint32_t len;
};

struct intern {
	struct istr *strs;
	uint32_t n;
	size_t strs_cap;
	struct hmap map;   /* hash -> id */
	char *arena;       /* current chunk */
	size_t arena_left;
	char **chunks;
	size_t nchunks, chunks_cap;
};

struct intern *intern_new(void);
void intern_free(struct intern *in);

/* The id of s[0..len), adding it when new. */
uint32_t intern_id(struct intern *in, const char *s, size_t len);

/* intern_id, trying first the id the caller expects (the string of the
 * call a return closes, the file of the caller): no hashing when right. */
static inline uint32_t intern_id_hint(struct intern *in, const char *s, size_t len, uint32_t hint)
{
	const struct istr *h = &in->strs[hint];
	if (h->len == len && memcmp(h->s, s, len) == 0)
		return hint;
	return intern_id(in, s, len);
}

static inline const struct istr *intern_str(const struct intern *in, uint32_t id)
{
	return &in->strs[id];
}

static inline uint32_t intern_count(const struct intern *in)
{
	return in->n;
}

#endif
