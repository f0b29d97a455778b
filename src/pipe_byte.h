/* One byte over a pipe: how pytrace tells a child it forked to go on (the
 * -c command) or to stand down (the watchdog).  The child sees either that
 * byte or EOF, which means the parent closed the pipe or died. */
#ifndef PYTRACE_PIPE_BYTE_H
#define PYTRACE_PIPE_BYTE_H

#include <stdbool.h>

/* Block until a byte comes (true) or the writer is gone (false). */
bool pipe_byte_wait(int fd);

/* Send the byte; 0, or -1 with errno set. */
int pipe_byte_send(int fd);

#endif
