/* One error vocabulary for pytrace: every message starts with "pytrace: ".
 * stdout carries the trace; everything here goes to stderr. */
#ifndef PYTRACE_LOG_H
#define PYTRACE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

extern int log_quiet;   /* --quiet: suppress info_msg, keep warnings/errors */
extern bool log_status_line;   /* a status line is shown (status.c) */

void error_msg(const char *fmt, ...) PRINTF_LIKE(1, 2);
void warn_msg(const char *fmt, ...) PRINTF_LIKE(1, 2);
void info_msg(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* "pytrace: hint: ..." — the way out, printed after an error. */
void hint_msg(const char *fmt, ...) PRINTF_LIKE(1, 2);
_Noreturn void die(int status, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* on: messages wait instead of being drawn over pytrace top's full
 * screen; off: they are written, in order.  die() after a hold writes
 * nothing until an exit handler turns it off. */
void log_hold(bool on);

/* Fill a caller's error buffer (the modules' way of reporting: they never
 * print, main decides). Always returns -1 so call sites can `return err_set(..)`. */
int err_set(char *err, size_t errlen, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
