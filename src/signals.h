/* Stop requests of a live trace: SIGINT/SIGTERM/SIGHUP and --duration. */
#ifndef PYTRACE_SIGNALS_H
#define PYTRACE_SIGNALS_H

#include <pthread.h>
#include <stdbool.h>

/* Set by SIGINT/SIGTERM/SIGHUP handlers and by request_stop(). */
bool stop_requested(void);
/* Ask the running engine to detach cleanly (--duration, a closed output). */
void request_stop(void);
/* The stop signal a process sent to pytrace alone (kill, timeout), which
 * the -c command did not get, or 0 (none, or a terminal's, which reached
 * the command's process group too). */
int stop_signal_sent(void);
/* fn (async-signal-safe) runs when a second SIGINT makes a stuck pytrace
 * killable by the next one: what must be undone even then (top's terminal). */
void signals_set_last_resort(void (*fn)(void));
/* Install SIGINT/SIGTERM/SIGHUP/SIGPIPE handling for a trace. */
void signals_install(void);
/* pthread_create with every signal blocked in the new thread: signals are
 * the event loop's business (the main thread's), not a helper thread's.
 * Returns pthread_create's result. */
int signals_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
