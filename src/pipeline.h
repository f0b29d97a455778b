/* From a stream of marker events to what the user reads:
 *   events -> per-thread stacks -> filters -> renderer.
 * Engine independent: the stap stream parser, the bpf engine and --replay
 * all push into the same pipeline. */
#ifndef PYTRACE_PIPELINE_H
#define PYTRACE_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "filter.h"
#include "render.h"

struct intern;

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* What the pipeline is built from (borrowed: it outlives the pipeline). */
struct pipeline_config {
	const struct filter_spec *filter;
	unsigned markers;                 /* MARK() bits of the kinds shown; 0: all */
	const struct render_ops *format;  /* the renderer of the trace */
	struct render_settings render;
	const char *output;               /* -o FILE; NULL or "-": standard output */
	bool live;                        /* a live trace, not --replay: a writer
					   * thread flushes the output (out_go_live) */
	enum color_mode color;            /* text only */
	bool summary;                     /* --summary: the table on stderr as well */
	const char *summary_file;         /* --summary-file: appended there instead */
	bool hide_startup;                /* text: a process's start-up in one line */
	bool strict;                      /* lost events / skipped lines fail finish */
};

struct pipeline;

/* Opens the output (-o) at once, so an unwritable path fails before any
 * tracing starts. Returns NULL and fills err on failure. */
struct pipeline *pipeline_new(const struct pipeline_config *c, char *err, size_t errlen);

/* Push one event. Strings are copied (interned); ev may be reused after. */
void pipeline_push(struct pipeline *p, const struct event *ev);

/* pipeline_push for an engine that interned ev's function and file into
 * pipeline_strings() itself (once per code, not per event): func and file
 * are their ids, ev's strings are not read.  The NULL flags still apply. */
void pipeline_push_interned(struct pipeline *p, const struct event *ev, uint32_t func,
			    uint32_t file);
struct intern *pipeline_strings(struct pipeline *p);

/* CPython 3.15's markers (a yield fires function__return, a generator
 * thrown into fires a return without an entry): from now on a return is
 * matched to its call by function and file.  A return whose call is deeper
 * in the thread's stack closes the calls above it (entries that never got
 * a return, at the same moment); a return with no call on the stack is
 * shown as a call and its return at that moment.  Depth never drifts. */
void pipeline_match_returns(struct pipeline *p);

/* The traced interpreter's stdlib directories, for --no-stdlib (a build
 * tree's Lib/, which the lib/pythonX.Y/ rule does not catch). */
struct py_target;
void pipeline_target_stdlib(struct pipeline *p, const struct py_target *t);

/* The engine lost n events (ring buffer full, stap transport warning). */
void pipeline_lost(struct pipeline *p, uint64_t n);

/* The engine lost events it cannot count (the lost count is only a lower
 * bound): the end-of-trace report says "the trace is incomplete: WHY", and
 * --strict fails. */
void pipeline_incomplete(struct pipeline *p, const char *why);

/* The wall clock of the trace: CLOCK_REALTIME - CLOCK_MONOTONIC in ns when
 * it was recorded (a raw file's "# pytrace-clock" line, raw.h). */
void pipeline_wall_clock(struct pipeline *p, int64_t offset_ns);

/* The command line of process pid (a raw file's "# pytrace-cmdline" line),
 * for a process the trace has events of. */
void pipeline_proc_cmdline(struct pipeline *p, int32_t pid, const char *s, size_t len);

/* The input skipped n malformed lines (replay/stap stream). */
void pipeline_skipped(struct pipeline *p, uint64_t n);

/* Flush, close open calls, write trailers (chrome), print the end-of-trace
 * report on stderr. Returns 0, or -1 with err filled (write failure; with
 * --strict, lost events or skipped input). */
int pipeline_finish(struct pipeline *p, char *err, size_t errlen);

/* The engine stopped tracing at engine time ts: calls never returned
 * last until then, not only until the last event (a program stuck in one
 * function sends none). */
void pipeline_end_at(struct pipeline *p, uint64_t ts);

/* Process pid replaced its image (exec) at engine time ts: its threads'
 * open calls end there (shown as never returned), and the new image starts
 * at depth 0. */
void pipeline_exec(struct pipeline *p, int32_t pid, uint64_t ts);

/* Thread tid of process pid ended (pid == tid: the process): what was
 * kept for it is freed when no call of it is open (held or pending
 * included); a reused tid starts afresh. */
void pipeline_thread_end(struct pipeline *p, int32_t pid, int32_t tid);

/* Live engines call this every few ms: output older than the flush
 * interval goes to the writer (a line shows within 100 ms on a terminal). */
void pipeline_tick(struct pipeline *p);

/* True once the output can no longer be written (EPIPE): engines stop. */
int pipeline_output_closed(const struct pipeline *p);

void pipeline_free(struct pipeline *p);

/* Marker events received (before filters; process names and lost
 * counts are not python events). */
uint64_t pipeline_python_events(const struct pipeline *p);

/* True when events were lost or input lines skipped: with --strict, the
 * caller exits EXIT_DATA_LOSS when pipeline_finish fails and this is set. */
int pipeline_data_lost(const struct pipeline *p);

/* The output failed with a write error other than EPIPE (full disk...):
 * -1 with err filled ("error writing FILE: REASON"); otherwise 0. */
int pipeline_output_error(const struct pipeline *p, char *err, size_t errlen);

#endif
