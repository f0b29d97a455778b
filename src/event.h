/* The one event struct every engine produces and every renderer consumes. */
#ifndef PYTRACE_EVENT_H
#define PYTRACE_EVENT_H

#include <stdint.h>

enum ev_kind {
	EV_CALL,          /* function__entry: func, file, num = line            */
	EV_RETURN,        /* function__return: func, file, num = line           */
	EV_LINE,          /* line: func, file, num = line                       */
	EV_GC_START,      /* gc__start: num = generation                        */
	EV_GC_DONE,       /* gc__done: num = objects collected                  */
	EV_IMPORT_START,  /* import__find__load__start: func = module name      */
	EV_IMPORT_DONE,   /* import__find__load__done: func = module, num = found */
	EV_AUDIT,         /* audit: func = audit event name                     */
	EV_COMM,          /* meta: func = process name (comm) of pid            */
	EV_LOST,          /* meta: num = events the engine lost                 */
	EV__COUNT
};

/* Marker sets asked for on the command line (bit per kind). */
#define MARK(kind)     (1u << (kind))
#define MARKS_CALLS    (MARK(EV_CALL) | MARK(EV_RETURN))
#define MARKS_LINES    MARK(EV_LINE)
#define MARKS_GC       (MARK(EV_GC_START) | MARK(EV_GC_DONE))
#define MARKS_IMPORTS  (MARK(EV_IMPORT_START) | MARK(EV_IMPORT_DONE))
#define MARKS_AUDIT    MARK(EV_AUDIT)
#define MARKS_ALL      (MARKS_CALLS | MARKS_LINES | MARKS_GC | MARKS_IMPORTS | MARKS_AUDIT)

/* Flags on an event's strings. */
#define EVF_FUNC_TRUNC  0x1  /* func was cut at the engine's bound     */
#define EVF_FILE_TRUNC  0x2  /* file was cut at the engine's bound     */
#define EVF_FUNC_NULL   0x4  /* the traced process passed NULL for func */
#define EVF_FILE_NULL   0x8  /* the traced process passed NULL for file */

/* Strings are borrowed for the duration of the push: they need not be
 * NUL-terminated and may contain any byte; the pipeline interns them. */
struct event {
	enum ev_kind kind;
	uint32_t flags;
	uint64_t ts;          /* ns, engine clock (monotonic); made relative by the pipeline */
	int32_t pid, tid;
	int64_t num;
	const char *func;
	uint32_t func_len;
	const char *file;
	uint32_t file_len;
};

/* Kind names as used by the raw and json formats ("call", "gc-start", ...). */
const char *ev_kind_name(enum ev_kind kind);
/* Reverse lookup; returns -1 when the name is unknown. */
int ev_kind_from_name(const char *name, size_t len);

#endif
