/* Kind names shared by the raw and json formats. */
#include <stddef.h>
#include <string.h>

#include "event.h"

static const char *const kind_names[EV__COUNT] = {
	[EV_CALL] = "call",
	[EV_RETURN] = "return",
	[EV_LINE] = "line",
	[EV_GC_START] = "gc-start",
	[EV_GC_DONE] = "gc-done",
	[EV_IMPORT_START] = "import-start",
	[EV_IMPORT_DONE] = "import-done",
	[EV_AUDIT] = "audit",
	[EV_COMM] = "comm",
	[EV_LOST] = "lost",
};

const char *ev_kind_name(enum ev_kind kind)
{
	if ((unsigned)kind >= EV__COUNT)
		return "unknown";
	return kind_names[kind];
}

int ev_kind_from_name(const char *name, size_t len)
{
	/* The two hot kinds first: a raw trace is mostly calls and returns. */
	if (len == 4 && memcmp(name, "call", 4) == 0)
		return EV_CALL;
	if (len == 6 && memcmp(name, "return", 6) == 0)
		return EV_RETURN;
	for (int k = 0; k < EV__COUNT; k++)
		if (strlen(kind_names[k]) == len && memcmp(kind_names[k], name, len) == 0)
			return k;
	return -1;
}
