/* The bpf engine's aggregate mode, user side (kernel side: bpf_agg.bpf.h):
 * names the function ids the kernel hands out (BEV_FN records), closes a
 * process's open calls when it replaces its image, and turns the kernel's
 * maps into agg_tables (agg.h) for the sink, every interval and once at
 * the end.  Calls open when a table is taken are in it as never returned
 * (time up to then), as the user-space summary shows them. */
#ifndef PYTRACE_BPF_AGG_H
#define PYTRACE_BPF_AGG_H

#include <stdbool.h>
#include <stdint.h>

#include "agg.h"
#include "plan.h"

struct engine_bpf;
struct bpf_event;
struct bpf_agg;

/* Sets the skeleton's aggregate switch and sizes its maps (--pid/--tid
 * are counted in the kernel): call between open and load. */
void bpf_agg_configure(struct engine_bpf *skel, const struct trace_plan *plan);
/* Or shrinks its maps to nothing when the engine traces events. */
void bpf_agg_unused(struct engine_bpf *skel);

/* After load: fills the --pid/--tid set. */
struct bpf_agg *bpf_agg_new(const struct agg_sink *sink, struct engine_bpf *skel,
			    const struct trace_plan *plan, uint64_t start_ns);
void bpf_agg_free(struct bpf_agg *a);

/* A record of the ring in aggregate mode: BEV_FN (a new function),
 * EV_COMM (a new process). */
void bpf_agg_record(struct bpf_agg *a, const struct bpf_event *rec);

/* Process pid replaced its image at ts: its calls open then end there, as
 * never returned (the user-space pipeline's pipeline_exec). */
void bpf_agg_exec(struct bpf_agg *a, int32_t pid, uint64_t ts);

/* A table for the sink when its interval passed; false when the sink
 * asked to stop. */
bool bpf_agg_tick(struct bpf_agg *a, uint64_t now);

/* The final table (its calls open end at end_ns), once. */
void bpf_agg_final(struct bpf_agg *a, uint64_t end_ns);

/* Entries and returns aggregated so far (after a table was taken). */
uint64_t bpf_agg_events(const struct bpf_agg *a);

#endif
