#include <stdio.h>
#include <stdlib.h>

#include "log.h"

int log_quiet;
bool log_status_line;

/* One write per message, so a status line drawn by its own thread never
 * lands inside one; while it is shown, a message erases it first. */
static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048];
	int n = snprintf(buf, sizeof(buf), "%spytrace: %s", log_status_line ? "\r\033[K" : "",
			 prefix);
	int m = vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);

	if (m < 0)
		m = 0;
	if ((size_t)n + (size_t)m > sizeof(buf) - 2)
		m = (int)(sizeof(buf) - 2 - (size_t)n);
	buf[n + m] = '\n';
	fwrite(buf, 1, (size_t)n + (size_t)m + 1, stderr);
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
