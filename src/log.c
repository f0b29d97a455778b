#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int log_quiet;
bool log_status_line;

/* Messages held while a full screen is up (log_hold). */
static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;
static bool holding;
static char *held;
static size_t held_len, held_cap;

void log_hold(bool on)
{
	pthread_mutex_lock(&held_mu);
	holding = on;
	if (!on && held_len) {
		fwrite(held, 1, held_len, stderr);
		fflush(stderr);
		held_len = 0;
	}
	if (!on) {
		free(held);
		held = NULL;
		held_cap = 0;
	}
	pthread_mutex_unlock(&held_mu);
}

static void emit(const char *buf, size_t n)
{
	pthread_mutex_lock(&held_mu);
	if (holding) {
		/* realloc, not xgrow: its failure would log, under this lock */
		if (held_len + n > held_cap) {
			size_t cap = (held_len + n) * 2;
			char *p = realloc(held, cap);
			if (p) {
				held = p;
				held_cap = cap;
			}
		}
		if (held_len + n <= held_cap) {
			memcpy(held + held_len, buf, n);
			held_len += n;
		}
	} else {
		fwrite(buf, 1, n, stderr);
	}
	pthread_mutex_unlock(&held_mu);
}

/* One write per message, so a status line drawn by its own thread never
 * lands inside one; while it is shown, a message erases it first.
 * Control bytes in the text (a hostile trace's names, a command line) are
 * written as \xHH: a message never drives the terminal. */
static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	static const char hex[] = "0123456789abcdef";
	char text[2048], buf[sizeof(text) * 4 + 32];
	int m = vsnprintf(text, sizeof(text), fmt, ap);
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%spytrace: %s",
				    log_status_line ? "\r\033[K" : "", prefix);

	if (m < 0)
		text[0] = '\0';
	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (*s < 0x20 || *s == 0x7f) {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[*s >> 4];
			buf[n++] = hex[*s & 15];
		} else {
			buf[n++] = (char)*s;
		}
	}
	buf[n++] = '\n';
	emit(buf, n);
}

void error_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

void warn_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint("warning: ", fmt, ap);
	va_end(ap);
}

void info_msg(const char *fmt, ...)
{
	va_list ap;
	if (log_quiet)
		return;
	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

void hint_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint("hint: ", fmt, ap);
	va_end(ap);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
	exit(status);
}

int err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}
