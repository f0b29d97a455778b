/* Fuzz the raw/stap stream parser and, behind it, the whole pipeline: the
 * input is a stream; it is rendered to every format into /dev/null, with
 * filters on, so stacks, filters and renderers see hostile events too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "options.h"
#include "pipeline.h"
#include "raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render(int fd, enum format fmt, int filtered)
{
	struct options o;
	struct raw_stats st = { 0 };
	struct pipeline *p;
	char err[512];
	static const char *inc[] = { "*a*" };

	memset(&o, 0, sizeof(o));
	o.command = CMD_REPLAY;
	o.markers = 0xffffffffu;
	o.max_depth = filtered ? 3 : -1;
	o.format = fmt;
	o.output = "/dev/null";
	o.quiet = 1;
	o.summary = fmt == FMT_TEXT;
	if (filtered) {
		o.include.v = inc;
		o.include.n = 1;
		o.min_duration_ns = 1000;
		o.no_stdlib = 1;
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		abort();
	p = pipeline_new(&o, err, sizeof(err));
	if (!p)
		abort();
	(void)raw_read_stream(fd, "fuzz", p, NULL, &st, err, sizeof(err));
	(void)pipeline_finish(p, err, sizeof(err));
	pipeline_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char scratch[8192], err[256];
	struct event ev;

	if (fd < 0 && (fd = memfd_create("fuzz-raw", 0)) < 0)
		abort();
	if (size * 2 + 64 <= sizeof(scratch))
		(void)raw_parse_line((const char *)data, size, &ev, scratch, sizeof(scratch),
				     err, sizeof(err));
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	for (int fmt = FMT_TEXT; fmt <= FMT_RAW; fmt++)
		render(fd, fmt, fmt & 1);
	return 0;
}
