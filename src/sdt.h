/* Reading SystemTap SDT notes (.note.stapsdt) with libelf.  See sdt.c for
 * the note layout, the .stapsdt.base prelink adjustment and semaphores. */
#ifndef PYTRACE_SDT_H
#define PYTRACE_SDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdt_arg.h"

#define SDT_MAX_ARGS 12

struct sdt_note {
	char *provider;            /* "python" */
	char *name;                /* "function__entry" */
	uint64_t pc;               /* probe address, adjusted for .stapsdt.base */
	uint64_t base;             /* .stapsdt.base address recorded in the note */
	uint64_t semaphore;        /* semaphore virtual address, 0 = none */
	uint64_t pc_offset;        /* file offset of the probe (what a uprobe needs) */
	uint64_t semaphore_offset; /* file offset of the semaphore, 0 = none */
	char *args;                /* argument spec string as written ("8@%rbp ...") */
	int nargs;                 /* -1 when the spec did not parse (args_error says why) */
	struct sdt_arg argv[SDT_MAX_ARGS];
	char *args_error;
};

struct sdt_file {
	char *path;
	int e_type;                /* ET_EXEC or ET_DYN */
	struct sdt_note *notes;
	size_t nnotes;
	char **needed;             /* DT_NEEDED entries */
	size_t nneeded;
	char *runpath, *rpath;     /* DT_RUNPATH, DT_RPATH (unexpanded), may be NULL */
	char *soname;
	int py_major, py_minor;    /* CPython version detected from the ELF, -1 unknown */
	bool asserts;              /* built with C assertions: imports __assert_fail or
				    * carries CPython 3.11's "cframe.use_tracing" check */
	uint64_t finalize_offset;  /* file offset of Py_FinalizeEx, 0 = not exported here */
	uint64_t makecoro_offset;  /* file offset of _Py_MakeCoro (3.11+: creates every
				    * generator and coroutine), 0 = not exported here */
	uint64_t evalframe_offset; /* file offset of _PyEval_EvalFrameDefault, 0 = not
				    * exported here */
};

/* Open path and read its notes. Returns 0, or -1 with a one-line message in
 * err (missing file, directory, not ELF, 32-bit ELF, truncated/corrupt). An
 * ELF without notes is not an error: nnotes == 0. */
int sdt_file_open(const char *path, struct sdt_file **out, char *err, size_t errlen);
void sdt_file_free(struct sdt_file *f);

/* The note provider:name, or NULL. */
const struct sdt_note *sdt_find(const struct sdt_file *f, const char *provider,
				const char *name);
/* Number of notes with the given provider. */
size_t sdt_count_provider(const struct sdt_file *f, const char *provider);

#endif
