/* pytrace top's terminal: raw keys (no echo, no line buffering, Ctrl-C a
 * key rather than a signal to the traced command's process group), the
 * alternate screen and a hidden cursor — and the way back on every exit
 * path: a normal return, exit(), a stop signal, a crash. */
#ifndef PYTRACE_TOP_TERM_H
#define PYTRACE_TOP_TERM_H

#include <stdbool.h>

/* Is there a terminal to draw on and read keys from (stdin and stdout,
 * TERM not "dumb")? */
bool top_term_usable(void);

/* Switch to the full screen; 0, or -1 (then nothing changed). */
int top_term_enter(void);

/* Back to the terminal as it was: cursor shown, main screen, saved modes.
 * Async-signal-safe and idempotent; a no-op when not entered. */
void top_term_leave(void);

/* The terminal's size (defaults 80x24 when unknown). */
void top_term_size(int *cols, int *rows);

#endif
