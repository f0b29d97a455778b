/* Fuzz the ELF/.note.stapsdt reader: the input is a whole file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct sdt_file *f = NULL;
	char err[512];

	if (fd < 0) {
		fd = memfd_create("fuzz-elf", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	if (sdt_file_open(path, &f, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < f->nnotes; i++)
			(void)sdt_find(f, f->notes[i].provider, f->notes[i].name);
		sdt_file_free(f);
	}
	return 0;
}
