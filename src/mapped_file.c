/* A read-only file mapping that survives the file shrinking (mapped_file.h). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mapped_file.h"

/* The mapping the handler guards; set before the handler is installed. */
static uintptr_t guard_base, guard_end, guard_page;
static struct mapped_file *guard_file;
static struct sigaction guard_prev;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	uintptr_t page = a & ~(guard_page - 1);

	(void)uc;
	/* Zeros from the faulting page to the end: one fault, not one per
	 * page, and the returning instruction reads them. (mmap is a plain
	 * system call, safe here.) */
	if (guard_end && a >= guard_base && a < guard_end &&
	    mmap((void *)page, guard_end - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) != MAP_FAILED) {
		guard_file->shrunk = 1;
		return;
	}
	/* Not ours: the default action (terminate with a core) on return. */
	signal(sig, SIG_DFL);
}

int mapped_file_open(struct mapped_file *m, int fd, size_t size)
{
	struct sigaction sa;
	void *p;

	memset(m, 0, sizeof(*m));
	if (guard_end) {
		errno = EBUSY;
		return -1;
	}
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	m->data = p;
	m->size = size;
	guard_file = m;
	guard_base = (uintptr_t)p;
	guard_end = guard_base + size;
	guard_page = (uintptr_t)sysconf(_SC_PAGESIZE);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &guard_prev);
	return 0;
}

void mapped_file_close(struct mapped_file *m)
{
	if (!m->data)
		return;
	sigaction(SIGBUS, &guard_prev, NULL);
	munmap((void *)m->data, m->size);   /* the zero pages too */
	guard_base = guard_end = 0;
	guard_file = NULL;
	m->data = NULL;
}
