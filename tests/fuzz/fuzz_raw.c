/* Fuzz the raw/stap stream parser and, behind it, the whole pipeline: the
 * input is a stream; it is rendered to every format into /dev/null, with
 * filters on, so stacks, filters and renderers see hostile events too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pipeline.h"
#include "raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct render_ops *const formats[] = {
	&render_text, &render_json, &render_chrome, &render_folded, &render_summary, &render_raw,
};

static void render(int fd, const struct render_ops *fmt, int filtered)
{
	struct filter_spec filter;
	struct pipeline_config c;
	struct raw_stats st = { 0 };
	struct pipeline *p;
	char err[512];
	static const char *inc[] = { "*a*" };

	memset(&filter, 0, sizeof(filter));
	filter.max_depth = filtered ? 3 : -1;
	if (filtered) {
		filter.include.v = inc;
		filter.include.n = 1;
		filter.min_duration_ns = 1000;
		filter.no_stdlib = 1;
	}
	c = (struct pipeline_config){
		.filter = &filter, .markers = 0xffffffffu, .format = fmt,
		.output = "/dev/null", .live = true, .summary = fmt == &render_text,
	};
	if (lseek(fd, 0, SEEK_SET) < 0)
		abort();
	p = pipeline_new(&c, err, sizeof(err));
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
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		render(fd, formats[i], i & 1);
	return 0;
}
