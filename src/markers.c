#include <stddef.h>

#include "markers.h"

static const char *const note_names[EV__COUNT] = {
	[EV_CALL]         = "function__entry",
	[EV_RETURN]       = "function__return",
	[EV_LINE]         = "line",
	[EV_GC_START]     = "gc__start",
	[EV_GC_DONE]      = "gc__done",
	[EV_IMPORT_START] = "import__find__load__start",
	[EV_IMPORT_DONE]  = "import__find__load__done",
	[EV_AUDIT]        = "audit",
};

const char *marker_note_name(enum ev_kind kind)
{
	if ((unsigned)kind >= EV__COUNT)
		return NULL;
	return note_names[kind];
}
