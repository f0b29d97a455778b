/* From the command line's options to the pipeline's config: the one place
 * that maps option values onto what the layers below take. */
#include "options.h"

static const struct render_ops *format_ops(enum format f)
{
	switch (f) {
	case FMT_TEXT: return &render_text;
	case FMT_JSON: return &render_json;
	case FMT_CHROME: return &render_chrome;
	case FMT_FOLDED: return &render_folded;
	case FMT_SUMMARY: return &render_summary;
	case FMT_RAW: return &render_raw;
	case FMT_SPEEDSCOPE: return &render_speedscope;
	case FMT_SVG: return &render_svg;
	}
	return NULL;
}

void options_pipeline_config(const struct options *o, struct pipeline_config *c)
{
	*c = (struct pipeline_config){
		.filter = &o->filter,
		.markers = o->markers,
		.format = format_ops(o->format),
		.render = {
			.live = o->command != CMD_REPLAY,
			.summary_format = o->summary_format,
			.flame_by = o->flame_by,
		},
		.output = o->output,
		.live = !o->replay,
		.color = o->color,
		.summary = o->summary,
		.summary_file = o->summary_file,
		.strict = o->strict,
	};
}
