/* Allocators that die on out-of-memory, so call sites stay clean. */
#ifndef PYTRACE_XMALLOC_H
#define PYTRACE_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of nmemb elements of size bytes to at least want elements. */
void *xgrow(void *p, size_t *nmemb, size_t want, size_t size);
/* xgrow, with the new elements zeroed. */
void *xgrow_zero(void *p, size_t *nmemb, size_t want, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
