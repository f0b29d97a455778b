#include <errno.h>
#include <unistd.h>

#include "pipe_byte.h"

bool pipe_byte_wait(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1;
}

int pipe_byte_send(int fd)
{
	ssize_t n;

	do
		n = write(fd, "g", 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}
