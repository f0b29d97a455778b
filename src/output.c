#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "output.h"
#include "signals.h"
#include "xmalloc.h"

#define OUT_BUF_SIZE (1u << 20)
#define FLUSH_TTY_NS  (50ull * 1000000ull)
#define FLUSH_FILE_NS (200ull * 1000000ull)
/* A handed-off buffer less full than this is copied, not swapped. */
#define COPY_BELOW    (OUT_BUF_SIZE / 8)

struct out_chunk {
	struct out_chunk *next;
	char *data;
	size_t len;
};

struct out_writer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct out_chunk *head, *tail;
	size_t queued;          /* bytes in the queue (atomic reads) */
	bool wait_room;         /* a regular file: wait for it, never drop */
	pthread_cond_t room;    /* wait_room: the writer took a chunk */
	char *spare;            /* an OUT_BUF_SIZE buffer to swap in */
	bool stop;
	uint64_t interval, last_handoff;
};

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

int out_open_append(struct out *o, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);

	if (fd < 0)
		return err_set(err, errlen, "cannot write %s: %s", path, strerror(errno));
	init(o, fd, path, true);
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
			if (errno == EPIPE)
				o->broken_pipe = true;
			else
				o->err = errno;
			/* Live: the writer thread's word to the event loop. */
			__atomic_store_n(&o->closed, true, __ATOMIC_RELEASE);
			break;
		}
		off += (size_t)n;
	}
}

bool out_is_closed(const struct out *o)
{
	return __atomic_load_n(&o->closed, __ATOMIC_ACQUIRE);
}

bool out_behind(struct out *o)
{
	struct out_writer *w = o->w;

	if (!w || __atomic_load_n(&w->queued, __ATOMIC_RELAXED) <= OUT_QUEUE_LIMIT)
		return false;
	if (!w->wait_room)
		return true;
	/* A regular file: a disk always catches up, so the trace waits for
	 * it (the engine's buffer takes up the slack) rather than dropping. */
	pthread_mutex_lock(&w->mu);
	while (w->queued > OUT_QUEUE_LIMIT)
		pthread_cond_wait(&w->room, &w->mu);
	pthread_mutex_unlock(&w->mu);
	return false;
}

static void *writer_main(void *arg)
{
	struct out *o = arg;
	struct out_writer *w = o->w;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct out_chunk *c;

		while (!w->head && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		c = w->head;
		if (!c)
			break;   /* stopped and drained */
		w->head = c->next;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->mu);
		if (!out_is_closed(o))
			out_write_all(o, c->data, c->len);
		pthread_mutex_lock(&w->mu);
		__atomic_store_n(&w->queued, w->queued - c->len, __ATOMIC_RELAXED);
		if (w->wait_room)
			pthread_cond_signal(&w->room);
		if (!w->spare && c->len > COPY_BELOW) {
			w->spare = c->data;
			c->data = NULL;
		}
		free(c->data);
		free(c);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Queue what the buffer holds for the writer; the caller keeps a buffer. */
static void handoff(struct out *o)
{
	struct out_writer *w = o->w;
	struct out_chunk *c;

	w->last_handoff = now_ns();
	if (!o->len)
		return;
	if (out_is_closed(o)) {
		o->len = 0;
		return;
	}
	c = xmalloc(sizeof(*c));
	c->next = NULL;
	c->len = o->len;
	if (o->len < COPY_BELOW || o->cap != OUT_BUF_SIZE) {
		c->data = xmalloc(o->len);
		memcpy(c->data, o->buf, o->len);
	} else {
		c->data = o->buf;
		o->buf = NULL;
	}
	pthread_mutex_lock(&w->mu);
	if (!o->buf) {
		o->buf = w->spare;
		w->spare = NULL;
	}
	if (w->tail)
		w->tail->next = c;
	else
		w->head = c;
	w->tail = c;
	__atomic_store_n(&w->queued, w->queued + c->len, __ATOMIC_RELAXED);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (!o->buf)
		o->buf = xmalloc(o->cap);
	o->len = 0;
}

int out_go_live(struct out *o, char *err, size_t errlen)
{
	struct out_writer *w;
	struct stat st;
	int rc;

	/* A .gz file deflates in large blocks on this thread: a file has no
	 * reader to wait for, and a compressed stream is no live view. */
	if (o->gz)
		return 0;
	w = xcalloc(1, sizeof(*w));

	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->room, NULL);
	w->wait_room = fstat(o->fd, &st) == 0 && S_ISREG(st.st_mode);
	w->interval = isatty(o->fd) ? FLUSH_TTY_NS : FLUSH_FILE_NS;
	w->last_handoff = now_ns();
	o->w = w;
	rc = signals_thread_create(&w->thread, writer_main, o);
	if (rc != 0) {
		o->w = NULL;
		pthread_cond_destroy(&w->room);
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return err_set(err, errlen, "cannot start the output thread: %s", strerror(rc));
	}
	return 0;
}

void out_tick(struct out *o)
{
	if (o->w && o->len && now_ns() - o->w->last_handoff >= o->w->interval)
		handoff(o);
}

/* Live: write everything queued, end the writer thread. */
static void writer_stop(struct out *o)
{
	struct out_writer *w = o->w;

	handoff(o);
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->room);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->spare);
	free(w);
	o->w = NULL;
}

void out_flush(struct out *o)
{
	if (o->w) {
		handoff(o);
		return;
	}
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
	if (o->w)
		writer_stop(o);
	else if (o->gz)
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
