#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "signals.h"
#include "status.h"
#include "xmalloc.h"

#define REDRAW_NS  (250ull * 1000000ull)   /* at most 4 times a second */
#define RATE_NS    (1000ull * 1000000ull)  /* events/s over the last second or so */

struct status {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	uint64_t events, lost, procs;   /* written by the event loop (atomics) */
	uint64_t start;
};

bool status_wanted(int out_fd)
{
	const char *term = getenv("TERM");

	return !log_quiet && isatty(STDERR_FILENO) && !isatty(out_fd) &&
	       !(term && strcmp(term, "dumb") == 0);
}

/* 1234567 -> "1,234,567" */
static void grouped(char *d, size_t len, uint64_t v)
{
	char raw[24];
	int n = snprintf(raw, sizeof(raw), "%llu", (unsigned long long)v);
	size_t o = 0;

	for (int i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			d[o++] = ',';
		d[o++] = raw[i];
	}
	d[o] = '\0';
}

static void draw(struct status *s, uint64_t now, uint64_t rate)
{
	char line[256], ev[32], rt[32], lost[32], body[200];
	struct winsize ws;
	uint64_t el = now - s->start;
	size_t width = 80, n;

	grouped(ev, sizeof(ev), __atomic_load_n(&s->events, __ATOMIC_RELAXED));
	grouped(rt, sizeof(rt), rate);
	grouped(lost, sizeof(lost), __atomic_load_n(&s->lost, __ATOMIC_RELAXED));
	uint64_t procs = __atomic_load_n(&s->procs, __ATOMIC_RELAXED);
	snprintf(body, sizeof(body), "pytrace: %llu.%llu s  %s events  %s/s  %s lost  %llu %s",
		 (unsigned long long)(el / 1000000000ull),
		 (unsigned long long)(el / 100000000ull % 10), ev, rt, lost,
		 (unsigned long long)procs, procs == 1 ? "process" : "processes");
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col;
	n = strlen(body);
	if (n > width - 1)
		n = width - 1;   /* never wrap: \r could not go back */
	/* Erase the line, draw; the cursor stays at its end, so a line the
	 * program prints meanwhile is whole (after the status text). */
	n = (size_t)snprintf(line, sizeof(line), "\r\033[K%.*s", (int)n, body);
	if (write(STDERR_FILENO, line, n) < 0) {
		/* stderr went away: nothing to draw on */
	}
}

static void *status_main(void *arg)
{
	struct status *s = arg;
	uint64_t last_ev = 0, last_t = s->start, rate = 0;

	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		struct timespec until;
		uint64_t now;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)REDRAW_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cv, &s->mu, &until);
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->mu);
		now = now_ns();
		if (now - last_t >= RATE_NS) {
			uint64_t ev = __atomic_load_n(&s->events, __ATOMIC_RELAXED);

			rate = (ev - last_ev) * 1000000000ull / (now - last_t);
			last_ev = ev;
			last_t = now;
		} else if (last_t == s->start && now > s->start) {
			/* the first second: the average so far */
			rate = __atomic_load_n(&s->events, __ATOMIC_RELAXED) * 1000000000ull /
			       (now - s->start);
		}
		draw(s, now, rate);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

struct status *status_start(void)
{
	struct status *s = xcalloc(1, sizeof(*s));
	int rc;

	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->start = now_ns();
	rc = signals_thread_create(&s->thread, status_main, s);
	if (rc != 0) {
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		free(s);
		return NULL;
	}
	log_status_line = true;
	return s;
}

void status_update(struct status *s, uint64_t events, uint64_t lost, uint64_t procs)
{
	__atomic_store_n(&s->events, events, __ATOMIC_RELAXED);
	__atomic_store_n(&s->lost, lost, __ATOMIC_RELAXED);
	__atomic_store_n(&s->procs, procs, __ATOMIC_RELAXED);
}

void status_stop(struct status *s)
{
	static const char erase[] = "\r\033[K";

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
	log_status_line = false;
	if (write(STDERR_FILENO, erase, sizeof(erase) - 1) < 0) {
		/* nothing to erase on */
	}
}
