#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcodes.h"
#include "log.h"
#include "xmalloc.h"

static void *check(void *p)
{
	if (!p)
		die(EXIT_PYTRACE_ERROR, "out of memory");
	return p;
}

void *xmalloc(size_t n)
{
	return check(malloc(n ? n : 1));
}

void *xcalloc(size_t nmemb, size_t size)
{
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
	return check(realloc(p, n ? n : 1));
}

void *xgrow(void *p, size_t *nmemb, size_t want, size_t size)
{
	size_t n = *nmemb ? *nmemb : 8;
	if (want <= *nmemb)
		return p;
	while (n < want) {
		if (n > SIZE_MAX / 2)
			die(EXIT_PYTRACE_ERROR, "out of memory (an array of %zu elements)", want);
		n *= 2;
	}
	if (size && n > SIZE_MAX / size)
		die(EXIT_PYTRACE_ERROR, "out of memory (%zu elements of %zu bytes)", n, size);
	p = xrealloc(p, n * size);
	*nmemb = n;
	return p;
}

void *xgrow_zero(void *p, size_t *nmemb, size_t want, size_t size)
{
	size_t old = *nmemb;

	p = xgrow(p, nmemb, want, size);
	if (*nmemb > old)
		memset((char *)p + old * size, 0, (*nmemb - old) * size);
	return p;
}

char *xstrdup(const char *s)
{
	return check(strdup(s));
}

char *xstrndup(const char *s, size_t n)
{
	return check(strndup(s, n));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return check(s);
}
