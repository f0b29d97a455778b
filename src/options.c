/* From the command line's options to the pipeline's config: the one place
 * that maps option values onto what the layers below take. */
#include "options.h"

void options_pipeline_config(const struct options *o, struct pipeline_config *c)
{
	*c = (struct pipeline_config){
		.filter = &o->filter,
		.markers = o->markers,
		.format = o->format,
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
		.hide_startup = o->command_line && !o->show_startup,
		.strict = o->strict,
	};
}
