#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "xmalloc.h"

static const char hex[] = "0123456789abcdef";

size_t utf8_valid_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;   /* continuation byte, overlong lead, or beyond U+10FFFF */
	if (c < 0xe0) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c < 0xf0) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;   /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;   /* UTF-16 surrogate */
		return 3;
	}
	if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
		return 0;
	if (c == 0xf0 && s[1] < 0x90)
		return 0;
	if (c == 0xf4 && s[1] >= 0x90)
		return 0;
	return 4;
}

static size_t esc_byte_x(char *d, unsigned char c)
{
	d[0] = '\\';
	d[1] = 'x';
	d[2] = hex[c >> 4];
	d[3] = hex[c & 15];
	return 4;
}

static size_t esc_text(char *dst, const char *src, size_t n, bool folded)
{
	const unsigned char *s = (const unsigned char *)src;
	char *d = dst;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7f) {
			if (c == '\\') {
				*d++ = '\\';
				*d++ = '\\';
			} else if (folded && c == ';') {
				d += esc_byte_x(d, c);
			} else {
				*d++ = (char)c;
			}
			i++;
			continue;
		}
		if (c == '\n' || c == '\t' || c == '\r') {
			*d++ = '\\';
			*d++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
			i++;
			continue;
		}
		size_t k = c >= 0x80 ? utf8_valid_len(s + i, n - i) : 0;
		if (k) {
			memcpy(d, s + i, k);
			d += k;
			i += k;
		} else {
			d += esc_byte_x(d, c);
			i++;
		}
	}
	return (size_t)(d - dst);
}

static size_t esc_json(char *dst, const char *src, size_t n, bool strict)
{
	const unsigned char *s = (const unsigned char *)src;
	char *d = dst;
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80) {
			if (c == '"' || c == '\\')
				*d++ = '\\';
			*d++ = (char)c;
			i++;
			continue;
		}
		if (c < 0x20) {
			*d++ = '\\';
			switch (c) {
			case '\n': *d++ = 'n'; break;
			case '\t': *d++ = 't'; break;
			case '\r': *d++ = 'r'; break;
			case '\b': *d++ = 'b'; break;
			case '\f': *d++ = 'f'; break;
			default:
				memcpy(d, "u00", 3);
				d[3] = hex[c >> 4];
				d[4] = hex[c & 15];
				d += 5;
			}
			i++;
			continue;
		}
		size_t k = utf8_valid_len(s + i, n - i);
		if (k) {
			memcpy(d, s + i, k);
			d += k;
			i += k;
		} else if (strict) {
			memcpy(d, "\\ufffd", 6);
			d += 6;
			i++;
		} else {
			memcpy(d, "\\udc", 4);
			d[4] = hex[c >> 4];
			d[5] = hex[c & 15];
			d += 6;
			i++;
		}
	}
	return (size_t)(d - dst);
}

size_t escape_str(enum esc_style style, char *dst, const char *s, size_t n)
{
	switch (style) {
	case ESC_TEXT:
		return esc_text(dst, s, n, false);
	case ESC_FOLDED:
		return esc_text(dst, s, n, true);
	case ESC_JSON:
		return esc_json(dst, s, n, false);
	case ESC_JSON_STRICT:
		return esc_json(dst, s, n, true);
	}
	return 0;
}

void esc_cache_init(struct esc_cache *c, enum esc_style style)
{
	memset(c, 0, sizeof(*c));
	c->style = style;
}

void esc_cache_free(struct esc_cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		if (c->v[i])
			free(c->v[i]->s);
		free(c->v[i]);
	}
	free(c->v);
	c->v = NULL;
	c->cap = 0;
}

const struct esc_entry *esc_cache_slow(struct esc_cache *c, const struct intern *in, uint32_t id)
{
	if (id >= c->cap) {
		size_t old = c->cap;
		c->v = xgrow(c->v, &c->cap, (size_t)id + 1, sizeof(*c->v));
		memset(c->v + old, 0, (c->cap - old) * sizeof(*c->v));
	}
	const struct istr *is = intern_str(in, id);
	char *tmp = xmalloc((size_t)is->len * 6 + 1);
	size_t n = escape_str(c->style, tmp, is->s, is->len);
	tmp[n] = '\0';
	struct esc_entry *e = xmalloc(sizeof(*e));
	e->s = xrealloc(tmp, n + 1);
	e->len = (uint32_t)n;
	c->v[id] = e;
	return e;
}
