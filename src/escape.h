/* Escaping interned strings for the human and JSON formats, cached per
 * intern id: a few thousand names are escaped once, not once per event. */
#ifndef PYTRACE_ESCAPE_H
#define PYTRACE_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "intern.h"

enum esc_style {
	ESC_TEXT,        /* one line, readable: \n \t \\ \xHH for control and invalid UTF-8 */
	ESC_JSON,        /* JSON string body; invalid UTF-8 bytes as \udcXX (Python's surrogateescape) */
	ESC_JSON_STRICT, /* JSON string body; invalid UTF-8 bytes as U+FFFD (Chrome/Perfetto) */
	ESC_FOLDED,      /* like TEXT, and ';' (the frame separator) as \x3b */
};

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when invalid. */
size_t utf8_valid_len(const unsigned char *s, size_t n);

/* Escape s into dst (room for 6*n bytes); returns the length written. */
size_t escape_str(enum esc_style style, char *dst, const char *s, size_t n);

struct esc_entry {
	char *s;
	uint32_t len;
};

struct esc_cache {
	enum esc_style style;
	struct esc_entry **v;   /* per id; entries never move, so pointers stay valid */
	size_t cap;
};

void esc_cache_init(struct esc_cache *c, enum esc_style style);
void esc_cache_free(struct esc_cache *c);
const struct esc_entry *esc_cache_slow(struct esc_cache *c, const struct intern *in, uint32_t id);

static inline const struct esc_entry *esc_get(struct esc_cache *c, const struct intern *in, uint32_t id)
{
	if (id < c->cap && c->v[id])
		return c->v[id];
	return esc_cache_slow(c, in, id);
}

#endif
