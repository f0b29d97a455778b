#include <stdio.h>
#include <stdlib.h>

#include "log.h"

int log_quiet;
bool log_status_line;

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
	fwrite(buf, 1, n, stderr);
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
