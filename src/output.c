#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "output.h"
#include "xmalloc.h"

#define OUT_BUF_SIZE (1u << 20)

static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

size_t fmt_u64(char *dst, uint64_t v)
{
	char tmp[20];
	char *p = tmp + sizeof(tmp);
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		p -= 2;
		memcpy(p, digits2 + 2 * r, 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, digits2 + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	size_t n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(dst, p, n);
	return n;
}

size_t fmt_milli(char *dst, uint64_t v)
{
	size_t n = fmt_u64(dst, v / 1000);
	unsigned r = (unsigned)(v % 1000);

	dst[n] = '.';
	dst[n + 1] = (char)('0' + r / 100);
	dst[n + 2] = (char)('0' + r / 10 % 10);
	dst[n + 3] = (char)('0' + r % 10);
	return n + 4;
}

size_t fmt_i64(char *dst, int64_t v)
{
	if (v < 0) {
		dst[0] = '-';
		return 1 + fmt_u64(dst + 1, (uint64_t)0 - (uint64_t)v);
	}
	return fmt_u64(dst, (uint64_t)v);
}

static void init(struct out *o, int fd, const char *name, bool owns)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->owns_fd = owns;
	o->name = xstrdup(name);
	o->cap = OUT_BUF_SIZE;
	o->buf = xmalloc(o->cap);
}

int out_open(struct out *o, const char *path, char *err, size_t errlen)
{
	if (!path || strcmp(path, "-") == 0) {
		init(o, STDOUT_FILENO, "standard output", false);
		return 0;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return err_set(err, errlen, "cannot write %s: %s", path, strerror(errno));
	init(o, fd, path, true);
	if (out_gz_wanted(path))
		out_gz_start(o);
	return 0;
}

void out_init_fd(struct out *o, int fd, const char *name)
{
	init(o, fd, name, false);
}

void out_write_all(struct out *o, const char *p, size_t len)
{
	size_t off = 0;
	while (off < len && !o->closed) {
		ssize_t n = write(o->fd, p + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			o->closed = true;
			if (errno == EPIPE)
				o->broken_pipe = true;
			else
				o->err = errno;
			break;
		}
		off += (size_t)n;
	}
}

void out_flush(struct out *o)
{
	if (o->gz)
		out_gz_write(o, false);
	else
		out_write_all(o, o->buf, o->len);
	o->len = 0;
}

void out_make_room(struct out *o, size_t n)
{
	out_flush(o);
	if (n > o->cap) {
		o->cap = n;
		o->buf = xrealloc(o->buf, o->cap);
	}
}

int out_close(struct out *o, char *err, size_t errlen)
{
	int rc = 0;
	if (!o->buf)
		return 0;
	if (o->gz)
		out_gz_write(o, true);   /* the rest of the buffer, then the trailer */
	else
		out_flush(o);
	o->len = 0;
	if (o->owns_fd && close(o->fd) < 0 && !o->err && !o->broken_pipe)
		o->err = errno;
	if (o->err)
		rc = err_set(err, errlen, "error writing %s: %s", o->name, strerror(o->err));
	free(o->buf);
	free(o->name);
	o->buf = NULL;
	o->name = NULL;
	return rc;
}
