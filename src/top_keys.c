/* pytrace top's key reader (top_keys.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "signals.h"
#include "top_keys.h"
#include "top_term.h"
#include "xmalloc.h"

#define POLL_MS 200   /* how soon a resized window is redrawn */

struct top_keys {
	pthread_t thread;
	int wake[2];          /* top_keys_stop writes here */
	volatile bool stop;   /* and sets this (seen within POLL_MS) */
	top_key_fn fn;
	void *arg;
};

enum top_key top_key_of(unsigned char c)
{
	switch (c) {
	case 'c': case 'C': return TOP_KEY_SORT_CALLS;
	case 't': case 'T': return TOP_KEY_SORT_TOTAL;
	case 's': case 'S': return TOP_KEY_SORT_SELF;
	case 'p': case 'P': case ' ': return TOP_KEY_PAUSE;
	case 'q': case 'Q': case 0x03: case 0x04: return TOP_KEY_QUIT;
	case 0x0c: return TOP_KEY_REDRAW;
	default: return TOP_KEY_NONE;
	}
}

/* Bytes typed: each one's action.  An escape sequence (an arrow key, a
 * function key) is skipped whole, so its letters are not taken as keys. */
static void feed(struct top_keys *k, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] == 0x1b) {
			if (i + 1 < n && (b[i + 1] == '[' || b[i + 1] == 'O')) {
				for (i += 2; i < n && !(b[i] >= 0x40 && b[i] <= 0x7e); i++)
					;
			}
			continue;
		}
		enum top_key key = top_key_of(b[i]);
		if (key != TOP_KEY_NONE)
			k->fn(k->arg, key);
	}
}

static void *keys_main(void *arg)
{
	struct top_keys *k = arg;
	bool input = true;
	int cols0, rows0;

	top_term_size(&cols0, &rows0);
	while (!k->stop) {
		struct pollfd p[2] = { { .fd = k->wake[0], .events = POLLIN },
				       { .fd = STDIN_FILENO, .events = POLLIN } };
		int rc = poll(p, input ? 2 : 1, POLL_MS);

		if (rc < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (input && p[1].revents) {
			unsigned char b[64];
			ssize_t n = read(STDIN_FILENO, b, sizeof(b));
			if (n > 0)
				feed(k, b, (size_t)n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				input = false;   /* the terminal closed: no more keys */
		}
		int cols, rows;
		top_term_size(&cols, &rows);
		if (cols != cols0 || rows != rows0) {
			cols0 = cols;
			rows0 = rows;
			k->fn(k->arg, TOP_KEY_RESIZE);
		}
	}
	return NULL;
}

struct top_keys *top_keys_start(top_key_fn fn, void *arg)
{
	struct top_keys *k = xcalloc(1, sizeof(*k));
	int rc;

	k->fn = fn;
	k->arg = arg;
	if (pipe2(k->wake, O_CLOEXEC) < 0) {
		free(k);
		return NULL;
	}
	/* Signals stay with the main thread (the engine's loop sees them). */
	rc = signals_thread_create(&k->thread, keys_main, k);
	if (rc != 0) {
		close(k->wake[0]);
		close(k->wake[1]);
		free(k);
		return NULL;
	}
	return k;
}

void top_keys_stop(struct top_keys *k)
{
	if (!k)
		return;
	k->stop = true;
	if (write(k->wake[1], "x", 1) < 0) {
		/* the flag ends the thread within POLL_MS */
	}
	pthread_join(k->thread, NULL);
	close(k->wake[0]);
	close(k->wake[1]);
	free(k);
}
