/* Fuzz the string escapers every format relies on, with the input as a
 * file or function name (any bytes):
 *  - escape_str() stays inside its promised 6*n bytes (the buffer is exact,
 *    so ASan sees one byte too many);
 *  - text and folded output is one line of printable ASCII and valid UTF-8
 *    (folded: no ';') that decodes back to the input;
 *  - JSON output is a valid JSON string body (valid UTF-8, no raw control
 *    byte, quote or stray backslash) that decodes back to the input, invalid
 *    bytes as \udcXX; the strict variant is the same with \ufffd instead;
 *  - raw_quote() output, as the strings of a raw line, parses back to the
 *    input exactly.
 * The UTF-8 check here is written from the standard, not from escape.c. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of the well-formed UTF-8 sequence at s (Unicode table 3-7), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int hexbyte(const char *p)
{
	int a = hexval(p[0]), b = hexval(p[1]);
	return a < 0 || b < 0 ? -1 : a * 16 + b;
}

/* An unescaped character passes through as is: it must be valid UTF-8. */
static void copy_utf8_char(const unsigned char *s, size_t n, size_t *i, unsigned char *out,
			   size_t *o)
{
	size_t k = utf8_len(s + *i, n - *i);

	if (!k)
		abort();
	memcpy(out + *o, s + *i, k);
	*o += k;
	*i += k;
}

/* Decode text/folded output into out; aborts on anything ill-formed. */
static size_t decode_text(const char *e, size_t n, unsigned char *out, bool folded)
{
	const unsigned char *s = (const unsigned char *)e;
	size_t i = 0, o = 0;

	while (i < n) {
		if (s[i] == '\\') {
			if (i + 1 >= n)
				abort();
			char c = (char)s[i + 1];
			if (c == '\\' || c == 'n' || c == 't' || c == 'r') {
				out[o++] = c == '\\' ? '\\' : c == 'n' ? '\n' : c == 't' ? '\t' : '\r';
				i += 2;
			} else if (c == 'x' && i + 3 < n && hexbyte(e + i + 2) >= 0) {
				out[o++] = (unsigned char)hexbyte(e + i + 2);
				i += 4;
			} else {
				abort();
			}
			continue;
		}
		if (s[i] < 0x20 || s[i] == 0x7f || (folded && s[i] == ';'))
			abort();
		copy_utf8_char(s, n, &i, out, &o);
	}
	return o;
}

/* Decode a JSON string body; \udcXX (XX >= 80) stands for the byte XX. */
static size_t decode_json(const char *e, size_t n, unsigned char *out)
{
	const unsigned char *s = (const unsigned char *)e;
	size_t i = 0, o = 0;

	while (i < n) {
		if (s[i] == '\\') {
			if (i + 1 >= n)
				abort();
			const char *m = strchr("\"\\nrtbf", s[i + 1]);
			if (m && s[i + 1]) {
				out[o++] = (unsigned char)"\"\\\n\r\t\b\f"[m - "\"\\nrtbf"];
				i += 2;
			} else if (s[i + 1] == 'u' && i + 5 < n && hexbyte(e + i + 2) >= 0 &&
				   hexbyte(e + i + 4) >= 0) {
				int h = hexbyte(e + i + 2), l = hexbyte(e + i + 4);
				if (h == 0 && l < 0x20)
					out[o++] = (unsigned char)l;
				else if (h == 0xdc && l >= 0x80)
					out[o++] = (unsigned char)l;
				else
					abort();
				i += 6;
			} else {
				abort();
			}
			continue;
		}
		if (s[i] < 0x20 || s[i] == '"')
			abort();
		copy_utf8_char(s, n, &i, out, &o);
	}
	return o;
}

/* The strict output is the lenient one with every \udcXX as \ufffd. */
static void same_but_fffd(const char *strict, size_t ns, const char *lenient, size_t nl)
{
	size_t i = 0, j = 0;

	while (i < ns && j < nl) {
		if (lenient[j] == '\\' && j + 5 < nl && memcmp(lenient + j, "\\udc", 4) == 0) {
			if (i + 6 > ns || memcmp(strict + i, "\\ufffd", 6) != 0)
				abort();
			i += 6;
			j += 6;
		} else if (lenient[j] == '\\') {   /* another escape: the same two bytes on */
			if (strict[i] != '\\' || i + 1 >= ns || j + 1 >= nl || strict[i + 1] != lenient[j + 1])
				abort();
			i += 2;
			j += 2;
		} else {
			if (strict[i++] != lenient[j++])
				abort();
		}
	}
	if (i != ns || j != nl)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char *out[4], *q, *line;
	unsigned char *back = malloc(size + 1);
	size_t len[4];
	char err[256];
	struct event ev;

	for (int st = ESC_TEXT; st <= ESC_FOLDED; st++) {
		out[st] = malloc(6 * size + 1);   /* the promise, and no more */
		len[st] = escape_str((enum esc_style)st, out[st], s, size);
		if (len[st] > 6 * size)
			abort();
	}
	if (decode_text(out[ESC_TEXT], len[ESC_TEXT], back, false) != size ||
	    memcmp(back, data, size) != 0)
		abort();
	if (decode_text(out[ESC_FOLDED], len[ESC_FOLDED], back, true) != size ||
	    memcmp(back, data, size) != 0)
		abort();
	if (decode_json(out[ESC_JSON], len[ESC_JSON], back) != size || memcmp(back, data, size) != 0)
		abort();
	same_but_fffd(out[ESC_JSON_STRICT], len[ESC_JSON_STRICT], out[ESC_JSON], len[ESC_JSON]);
	for (int st = ESC_TEXT; st <= ESC_FOLDED; st++)
		free(out[st]);

	/* raw: a quoted string as both strings of an event line */
	q = malloc(4 * size + 3);
	size_t qn = raw_quote(q, s, size);
	if (qn > 4 * size + 3)
		abort();
	line = malloc(2 * qn + 32);
	size_t ln = (size_t)snprintf(line, 2 * qn + 32, "call 1 2 3 4 %.*s %.*s", (int)qn, q,
				      (int)qn, q);
	size_t scratch_len = 2 * ln + 64;
	char *scratch = malloc(scratch_len);
	if (raw_parse_line(line, ln, &ev, scratch, scratch_len, err, sizeof(err)) < 0)
		abort();
	if (ev.kind != EV_CALL || ev.func_len != size || ev.file_len != size || ev.flags != 0 ||
	    memcmp(ev.func, data, size) != 0 || memcmp(ev.file, data, size) != 0)
		abort();
	free(scratch);
	free(line);
	free(q);
	free(back);
	return 0;
}
