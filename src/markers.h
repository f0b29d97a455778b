/* Event kinds <-> CPython's SDT marker names (provider "python"). */
#ifndef PYTRACE_MARKERS_H
#define PYTRACE_MARKERS_H

#include "event.h"

#define PY_PROVIDER "python"

/* The note name of the marker behind kind ("function__entry"), or NULL for
 * the meta kinds (EV_COMM, EV_LOST). */
const char *marker_note_name(enum ev_kind kind);

#endif
