/* Reading SystemTap SDT notes (USDT markers) out of an ELF file.
 *
 * What a marker is.  <sys/sdt.h>'s STAP_PROBE macros compile to a single
 * `nop` at the probe site, plus an ELF note that tells a tracer where that
 * nop is and where the probe's arguments live at that instant.  The notes
 * sit in a non-allocated section, `.note.stapsdt`; each one is an ordinary
 * ELF note (namesz, descsz, type, name, desc, each padded to 4 bytes) with
 * name "stapsdt" and type 3.  On a 64-bit ELF its desc holds:
 *
 *     u64 pc          link-time address of the nop
 *     u64 base        link-time address of the .stapsdt.base section
 *     u64 semaphore   link-time address of the probe's semaphore, or 0
 *     provider\0 name\0 args\0
 *
 * CPython's provider is "python", its names "function__entry", "line", ...
 * and args the operand spec parsed by sdt_arg.c ("8@%rbp 8@%r12 -4@%eax").
 *
 * The base adjustment.  The addresses in a note are written at link time.
 * A tool like prelink may later move the whole object to another address
 * without rewriting the (non-allocated) notes.  To make that detectable,
 * sdt.h also emits a one-byte allocated section `.stapsdt.base` and records
 * its address in every note.  If the file still has that section, the
 * object moved by (section address - recorded base), and the probe address
 * is adjusted by the same amount: pc += sh_addr(.stapsdt.base) - note.base.
 * libbpf, GDB and SystemTap all do this for the pc; the semaphore lives in
 * the same image and moved by the same amount, so SystemTap and GDB adjust
 * it too, and so do we (libbpf leaves it alone; for a never-prelinked file,
 * i.e. every file today, the delta is 0 and all three agree).
 *
 * Semaphores.  A probe built with _SDT_HAS_SEMAPHORES has a 16-bit counter
 * (conventionally in a `.probes` section, named PROVIDER_NAME_semaphore).
 * The program tests it (PyDTrace_LINE_ENABLED() in CPython) and skips the
 * work of computing the arguments while it is zero.  A tracer raises it
 * while probing: the kernel's uprobe "reference counter" (ref_ctr_offset)
 * increments it in every process that maps the file, and lowers it when the
 * uprobe goes.  CPython 3.11 only fires function__entry while the line
 * semaphore is up, which is why pytrace cares about semaphores at all.
 *
 * Addresses to file offsets.  A uprobe is placed at a file offset, and the
 * ref_ctr at a file offset too.  Both are found through the PT_LOAD program
 * header that covers the virtual address: offset = vaddr - p_vaddr +
 * p_offset.  This is the same for ET_EXEC (absolute link addresses, e.g.
 * Debian's non-PIE /usr/bin/python3.11) and ET_DYN (PIE executables and
 * shared libraries, addresses relative to a load base of 0); note that the
 * writable segment usually sits at a different offset than its address
 * (libpython3.11's .probes: vaddr 0x760c60, file offset 0x75fc60).
 *
 * CPython version, detected from the ELF without running it, first match:
 *   1. the exported constant Py_Version (3.11+), an unsigned long (8 bytes
 *      on x86-64) whose value is PY_VERSION_HEX, 0x030B02F0 = 3.11.2: the
 *      value fits in 32 bits, so its low 4 bytes (little endian) are read
 *      from the section that holds it;
 *   2. DT_SONAME "libpython3.X..." (a libpython itself);
 *   3. DT_NEEDED "libpython3.X..." (an executable linked to libpython);
 *   4. a NUL-terminated "python3.X" or "lib/python3.X" in .rodata, the
 *      VERSION that getpath uses for sys.path (static builds <= 3.10).
 * Otherwise the version is unknown (-1).
 *
 * Everything read from the file is bounds-checked: a truncated or corrupt
 * file yields a one-line error naming the file, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "sdt.h"
#include "xmalloc.h"

#define STAPSDT_NOTE_NAME "stapsdt"
#define STAPSDT_NOTE_TYPE 3

struct load_seg {
	uint64_t vaddr, filesz, memsz, offset;
	bool exec;
};

struct reader {
	const char *path;
	Elf *elf;
	off_t file_size;
	size_t shstrndx;
	struct load_seg *segs;
	size_t nsegs;
	Elf_Scn *notes, *base, *dynamic, *dynsym, *rodata;
	char *err;
	size_t errlen;
};

static int corrupt(struct reader *r, const char *what)
{
	return err_set(r->err, r->errlen,
		       "%s: truncated or corrupt ELF file (%s); use an intact copy of the binary",
		       r->path, what);
}

static const struct load_seg *seg_for(const struct reader *r, uint64_t vaddr, bool memsz)
{
	for (size_t i = 0; i < r->nsegs; i++) {
		const struct load_seg *s = &r->segs[i];
		uint64_t len = memsz ? s->memsz : s->filesz;
		if (vaddr >= s->vaddr && vaddr - s->vaddr < len)
			return s;
	}
	return NULL;
}

static int open_checks(struct reader *r, int fd)
{
	struct stat st;
	char ident[EI_NIDENT];
	ssize_t got;

	if (fstat(fd, &st) < 0)
		return err_set(r->err, r->errlen, "%s: %s", r->path, strerror(errno));
	r->file_size = st.st_size;
	got = pread(fd, ident, sizeof(ident), 0);
	if (got < SELFMAG || memcmp(ident, ELFMAG, SELFMAG) != 0)
		return err_set(r->err, r->errlen,
			       "%s is not an ELF file (a script or data?); give the python "
			       "interpreter binary, e.g. /usr/bin/python3.11", r->path);
	if (got < EI_NIDENT)
		return corrupt(r, "shorter than an ELF header");
	if (ident[EI_CLASS] == ELFCLASS32)
		return err_set(r->err, r->errlen,
			       "%s is a 32-bit ELF file; pytrace traces 64-bit x86-64 programs only",
			       r->path);
	if (ident[EI_CLASS] != ELFCLASS64 || ident[EI_DATA] != ELFDATA2LSB)
		return corrupt(r, "unknown ELF class or byte order");
	return 0;
}

static int read_headers(struct reader *r)
{
	GElf_Ehdr eh;
	size_t phnum, shnum;

	if (!gelf_getehdr(r->elf, &eh))
		return corrupt(r, "unreadable ELF header");
	if (eh.e_machine != EM_X86_64)
		return err_set(r->err, r->errlen,
			       "%s is not an x86-64 ELF file (machine %u); pytrace traces x86-64 only",
			       r->path, eh.e_machine);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return err_set(r->err, r->errlen,
			       "%s is not an executable or shared library (ELF type %u)",
			       r->path, eh.e_type);
	if (elf_getphdrnum(r->elf, &phnum) != 0 ||
	    eh.e_phoff + (uint64_t)phnum * eh.e_phentsize > (uint64_t)r->file_size)
		return corrupt(r, "program headers past the end of the file");
	if (elf_getshdrnum(r->elf, &shnum) != 0 ||
	    eh.e_shoff + (uint64_t)shnum * eh.e_shentsize > (uint64_t)r->file_size)
		return corrupt(r, "section headers past the end of the file");
	if (shnum > 0 && elf_getshdrstrndx(r->elf, &r->shstrndx) != 0)
		return corrupt(r, "no section name table");

	r->segs = xcalloc(phnum ? phnum : 1, sizeof(*r->segs));
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(r->elf, (int)i, &ph))
			return corrupt(r, "unreadable program header");
		if (ph.p_type != PT_LOAD)
			continue;
		r->segs[r->nsegs++] = (struct load_seg){
			.vaddr = ph.p_vaddr, .filesz = ph.p_filesz, .memsz = ph.p_memsz,
			.offset = ph.p_offset, .exec = (ph.p_flags & PF_X) != 0,
		};
	}
	return 0;
}

static int find_sections(struct reader *r)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(r->elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			return corrupt(r, "unreadable section header");
		if (sh.sh_type != SHT_NOBITS && sh.sh_offset + sh.sh_size > (uint64_t)r->file_size)
			return corrupt(r, "a section extends past the end of the file");
		name = elf_strptr(r->elf, r->shstrndx, sh.sh_name);
		if (!name)
			return corrupt(r, "bad section name");
		if (strcmp(name, ".note.stapsdt") == 0 && sh.sh_type == SHT_NOTE)
			r->notes = scn;
		else if (strcmp(name, ".stapsdt.base") == 0)
			r->base = scn;
		else if (strcmp(name, ".rodata") == 0 && sh.sh_type == SHT_PROGBITS)
			r->rodata = scn;
		else if (sh.sh_type == SHT_DYNAMIC)
			r->dynamic = scn;
		else if (sh.sh_type == SHT_DYNSYM)
			r->dynsym = scn;
	}
	return 0;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));   /* x86-64 ELF: little-endian, like us */
	return v;
}

/* One NUL-terminated string at *pos inside [0, end); advances *pos. */
static char *take_string(const unsigned char *d, size_t *pos, size_t end)
{
	const unsigned char *nul;

	if (*pos >= end)
		return NULL;
	nul = memchr(d + *pos, '\0', end - *pos);
	if (!nul)
		return NULL;
	char *s = xstrdup((const char *)d + *pos);
	*pos = (size_t)(nul - d) + 1;
	return s;
}

static int parse_one_note(struct reader *r, struct sdt_note *n, const unsigned char *d,
			  size_t desc, size_t descsz, uint64_t base_addr, bool have_base)
{
	size_t pos = desc + 24, end = desc + descsz;
	const struct load_seg *seg;
	char aerr[200];

	if (descsz < 24 + 3)
		return err_set(r->err, r->errlen,
			       "%s: corrupt .note.stapsdt (a note of %zu bytes is too short); "
			       "use an intact copy of the binary", r->path, descsz);
	n->pc = get_u64(d + desc);
	n->base = get_u64(d + desc + 8);
	n->semaphore = get_u64(d + desc + 16);
	n->provider = take_string(d, &pos, end);
	n->name = take_string(d, &pos, end);
	n->args = take_string(d, &pos, end);
	if (!n->provider || !n->name || !n->args)
		return err_set(r->err, r->errlen,
			       "%s: corrupt .note.stapsdt (unterminated provider, name or "
			       "arguments); use an intact copy of the binary", r->path);
	if (have_base) {
		uint64_t delta = base_addr - n->base;
		n->pc += delta;
		if (n->semaphore)
			n->semaphore += delta;
	}
	seg = seg_for(r, n->pc, false);
	if (!seg || !seg->exec)
		return err_set(r->err, r->errlen,
			       "%s: corrupt .note.stapsdt (%s:%s at 0x%" PRIx64
			       " is outside the executable segments); use an intact copy of the binary",
			       r->path, n->provider, n->name, n->pc);
	n->pc_offset = n->pc - seg->vaddr + seg->offset;
	if (n->semaphore) {
		seg = seg_for(r, n->semaphore, true);
		if (!seg || seg->exec)
			return err_set(r->err, r->errlen,
				       "%s: corrupt .note.stapsdt (semaphore of %s:%s at 0x%" PRIx64
				       " is outside the data segments); use an intact copy of the binary",
				       r->path, n->provider, n->name, n->semaphore);
		n->semaphore_offset = n->semaphore - seg->vaddr + seg->offset;
	}
	n->nargs = sdt_args_parse(n->args, n->argv, SDT_MAX_ARGS, aerr, sizeof(aerr));
	if (n->nargs < 0)
		n->args_error = xstrdup(aerr);
	return 0;
}

static int read_notes(struct reader *r, struct sdt_file *f)
{
	Elf_Data *data;
	const unsigned char *d;
	size_t size, off = 0, cap = 0;
	uint64_t base_addr = 0;
	bool have_base = false;

	if (!r->notes)
		return 0;
	if (r->base) {
		GElf_Shdr sh;
		if (!gelf_getshdr(r->base, &sh))
			return corrupt(r, "unreadable .stapsdt.base header");
		base_addr = sh.sh_addr;
		have_base = true;
	}
	data = elf_rawdata(r->notes, NULL);
	if (!data || (!data->d_buf && data->d_size))
		return corrupt(r, "unreadable .note.stapsdt");
	d = data->d_buf;
	size = data->d_size;

	while (off < size) {
		uint32_t namesz, descsz, type;
		size_t name, desc, next;

		if (size - off < 12)
			return err_set(r->err, r->errlen,
				       "%s: corrupt .note.stapsdt (note header at offset %zu is cut off); "
				       "use an intact copy of the binary", r->path, off);
		memcpy(&namesz, d + off, 4);
		memcpy(&descsz, d + off + 4, 4);
		memcpy(&type, d + off + 8, 4);
		name = off + 12;
		desc = name + (((size_t)namesz + 3) & ~(size_t)3);
		next = desc + (((size_t)descsz + 3) & ~(size_t)3);
		if (desc < name || next < desc || desc > size || desc + descsz > size)
			return err_set(r->err, r->errlen,
				       "%s: corrupt .note.stapsdt (note at offset %zu overruns the "
				       "section); use an intact copy of the binary", r->path, off);
		if (type == STAPSDT_NOTE_TYPE && namesz == sizeof(STAPSDT_NOTE_NAME) &&
		    memcmp(d + name, STAPSDT_NOTE_NAME, namesz) == 0) {
			f->notes = xgrow(f->notes, &cap, f->nnotes + 1, sizeof(*f->notes));
			struct sdt_note *n = &f->notes[f->nnotes++];
			memset(n, 0, sizeof(*n));
			if (parse_one_note(r, n, d, desc, descsz, base_addr, have_base) < 0)
				return -1;
		}
		off = next > size ? size : next;
	}
	return 0;
}

static void add_needed(struct sdt_file *f, const char *s, size_t *cap)
{
	f->needed = xgrow(f->needed, cap, f->nneeded + 1, sizeof(*f->needed));
	f->needed[f->nneeded++] = xstrdup(s);
}

static int read_dynamic(struct reader *r, struct sdt_file *f)
{
	GElf_Shdr sh;
	Elf_Data *data;
	size_t cap = 0;

	if (!r->dynamic)
		return 0;
	if (!gelf_getshdr(r->dynamic, &sh) || !(data = elf_getdata(r->dynamic, NULL)))
		return corrupt(r, "unreadable .dynamic");
	if (sh.sh_entsize == 0)
		return corrupt(r, "bad .dynamic entry size");
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Dyn dyn;
		const char *s;

		if (!gelf_getdyn(data, (int)i, &dyn))
			return corrupt(r, "unreadable .dynamic entry");
		if (dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH && dyn.d_tag != DT_RPATH &&
		    dyn.d_tag != DT_SONAME)
			continue;
		s = elf_strptr(r->elf, sh.sh_link, dyn.d_un.d_val);
		if (!s)
			return corrupt(r, "bad string in .dynamic");
		switch (dyn.d_tag) {
		case DT_NEEDED:  add_needed(f, s, &cap); break;
		case DT_RUNPATH: free(f->runpath); f->runpath = xstrdup(s); break;
		case DT_RPATH:   free(f->rpath); f->rpath = xstrdup(s); break;
		case DT_SONAME:  free(f->soname); f->soname = xstrdup(s); break;
		}
	}
	return 0;
}

/* Py_Version's value: read from the bytes of the section that holds it. */
static int read_py_version(struct reader *r, const GElf_Sym *sym, int *major, int *minor)
{
	Elf_Scn *scn = elf_getscn(r->elf, sym->st_shndx);
	GElf_Shdr sh;
	Elf_Data *data;
	uint64_t off;
	unsigned char buf[8] = {0};

	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
		return -1;
	if (sym->st_value < sh.sh_addr || sym->st_value - sh.sh_addr + 4 > sh.sh_size)
		return -1;
	off = sym->st_value - sh.sh_addr;
	data = elf_rawdata(scn, NULL);
	if (!data || !data->d_buf || off + 4 > data->d_size)
		return -1;
	memcpy(buf, (const unsigned char *)data->d_buf + off, 4);   /* low 32 bits hold the hex */
	uint32_t hex = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
		       (uint32_t)buf[3] << 24;
	if ((hex >> 24) < 2 || (hex >> 24) > 9)
		return -1;
	*major = (int)(hex >> 24);
	*minor = (int)((hex >> 16) & 0xff);
	return 0;
}

static int read_dynsym(struct reader *r, struct sdt_file *f)
{
	GElf_Shdr sh;
	Elf_Data *data;

	if (!r->dynsym)
		return 0;
	if (!gelf_getshdr(r->dynsym, &sh) || !(data = elf_getdata(r->dynsym, NULL)))
		return corrupt(r, "unreadable .dynsym");
	if (sh.sh_entsize == 0)
		return corrupt(r, "bad .dynsym entry size");
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym))
			return corrupt(r, "unreadable .dynsym entry");
		name = elf_strptr(r->elf, sh.sh_link, sym.st_name);
		if (!name)
			continue;
		/* Release builds compile assert() away (NDEBUG). */
		if (strcmp(name, "__assert_fail") == 0)
			f->asserts = true;
		if (sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
			continue;
		uint64_t *at = strcmp(name, "Py_FinalizeEx") == 0 ? &f->finalize_offset :
			       strcmp(name, "_Py_MakeCoro") == 0 ? &f->makecoro_offset :
			       strcmp(name, "_PyEval_EvalFrameDefault") == 0 ? &f->evalframe_offset :
			       NULL;
		if (at && GELF_ST_TYPE(sym.st_info) == STT_FUNC) {
			const struct load_seg *seg = seg_for(r, sym.st_value, false);
			if (seg && seg->exec)
				*at = sym.st_value - seg->vaddr + seg->offset;
		} else if (strcmp(name, "Py_Version") == 0 && f->py_major < 0) {
			read_py_version(r, &sym, &f->py_major, &f->py_minor);
		}
	}
	return 0;
}

/* "libpython3.11.so.1.0", "libpython3.6m.so" -> 3, 11 / 3, 6 */
static bool version_from_libname(const char *s, int *major, int *minor)
{
	const char *p = strstr(s, "libpython");
	int ma, mi, n = 0;

	if (!p || sscanf(p, "libpython%d.%d%n", &ma, &mi, &n) != 2 || n == 0)
		return false;
	*major = ma;
	*minor = mi;
	return true;
}

/* CPython 3.11's eval loop asserts cframe.use_tracing on its tracing path,
 * which a raised line semaphore takes: the assertion's own text in .rodata
 * marks a build that aborts then (a static one too, where __assert_fail is
 * no import). */
static void asserts_from_rodata(struct reader *r, struct sdt_file *f)
{
	static const char text[] = "cframe.use_tracing";
	Elf_Data *data;

	if (f->asserts || !r->rodata || !(data = elf_rawdata(r->rodata, NULL)) || !data->d_buf)
		return;
	if (memmem(data->d_buf, data->d_size, text, sizeof(text)))   /* with its NUL */
		f->asserts = true;
}

/* Exactly "pythonX.Y" or "lib/pythonX.Y" between two NULs in .rodata. */
static void version_from_rodata(struct reader *r, struct sdt_file *f)
{
	Elf_Data *data;
	const char *d;
	size_t size;

	if (!r->rodata || !(data = elf_rawdata(r->rodata, NULL)) || !data->d_buf)
		return;
	d = data->d_buf;
	size = data->d_size;
	for (size_t i = 0; i + 9 < size; i++) {
		const char *s = d + i;
		const char *nul;
		int ma, mi, n = 0;

		if (i > 0 && d[i - 1] != '\0')
			continue;
		if (*s != 'p' && *s != 'l')
			continue;
		nul = memchr(s, '\0', size - i > 32 ? 32 : size - i);
		if (!nul)
			continue;
		if (strncmp(s, "lib/", 4) == 0)
			s += 4;
		if (sscanf(s, "python%1d.%2d%n", &ma, &mi, &n) == 2 && s + n == nul &&
		    (ma == 2 || ma == 3)) {
			f->py_major = ma;
			f->py_minor = mi;
			return;
		}
	}
}

static void detect_version(struct reader *r, struct sdt_file *f)
{
	if (f->py_major >= 0)
		return;   /* Py_Version, read with the dynamic symbols */
	if (f->soname && version_from_libname(f->soname, &f->py_major, &f->py_minor))
		return;
	for (size_t i = 0; i < f->nneeded; i++)
		if (version_from_libname(f->needed[i], &f->py_major, &f->py_minor))
			return;
	version_from_rodata(r, f);
}

static int describe_open_error(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return err_set(err, errlen, "%s: no such file; give the path of a python "
				       "interpreter, e.g. /usr/bin/python3.11", path);
		if (errno == EACCES)
			return err_set(err, errlen, "%s: permission denied; run pytrace as root "
				       "or make the file readable", path);
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return err_set(err, errlen, "%s is a directory, not a python interpreter; name "
			       "the executable, e.g. %s/bin/python3", path, path);
	if (!S_ISREG(st.st_mode))
		return err_set(err, errlen, "%s is not a regular file; name the python "
			       "interpreter binary", path);
	return 0;
}

int sdt_file_open(const char *path, struct sdt_file **out, char *err, size_t errlen)
{
	struct reader r = {.path = path, .err = err, .errlen = errlen};
	struct sdt_file *f;
	int fd, rc = -1;

	*out = NULL;
	if (describe_open_error(path, err, errlen) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EACCES)
			return err_set(err, errlen, "%s: permission denied; run pytrace as root "
				       "or make the file readable", path);
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (open_checks(&r, fd) < 0) {
		close(fd);
		return -1;
	}
	elf_version(EV_CURRENT);
	r.elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!r.elf || elf_kind(r.elf) != ELF_K_ELF) {
		corrupt(&r, r.elf ? "libelf does not recognise it" : elf_errmsg(-1));
		goto out;
	}

	f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	f->py_major = f->py_minor = -1;
	if (read_headers(&r) < 0 || find_sections(&r) < 0 || read_notes(&r, f) < 0 ||
	    read_dynamic(&r, f) < 0 || read_dynsym(&r, f) < 0) {
		sdt_file_free(f);
		goto out;
	}
	{
		GElf_Ehdr eh;
		gelf_getehdr(r.elf, &eh);
		f->e_type = eh.e_type;
	}
	detect_version(&r, f);
	asserts_from_rodata(&r, f);
	*out = f;
	rc = 0;
out:
	if (r.elf)
		elf_end(r.elf);
	free(r.segs);
	close(fd);
	return rc;
}

void sdt_file_free(struct sdt_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nnotes; i++) {
		free(f->notes[i].provider);
		free(f->notes[i].name);
		free(f->notes[i].args);
		free(f->notes[i].args_error);
	}
	free(f->notes);
	for (size_t i = 0; i < f->nneeded; i++)
		free(f->needed[i]);
	free(f->needed);
	free(f->runpath);
	free(f->rpath);
	free(f->soname);
	free(f->path);
	free(f);
}

const struct sdt_note *sdt_find(const struct sdt_file *f, const char *provider, const char *name)
{
	for (size_t i = 0; f && i < f->nnotes; i++)
		if (strcmp(f->notes[i].provider, provider) == 0 && strcmp(f->notes[i].name, name) == 0)
			return &f->notes[i];
	return NULL;
}

size_t sdt_count_provider(const struct sdt_file *f, const char *provider)
{
	size_t n = 0;

	for (size_t i = 0; f && i < f->nnotes; i++)
		if (strcmp(f->notes[i].provider, provider) == 0)
			n++;
	return n;
}
