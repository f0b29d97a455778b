/* Fuzz the SDT reader with well-formed ELF files whose notes carry fuzzed
 * strings: the argument-spec parser as the reader drives it, and the note
 * walker with notes of every length (padding, odd sizes).
 *
 * Input: byte 0 says whether a .stapsdt.base section exists and how far
 * the notes' recorded base is off it (prelink); the rest is NUL-separated
 * strings, three per note (provider, name, arguments).  The file is a
 * minimal x86-64 executable: a text PT_LOAD, a data PT_LOAD and the
 * sections.  sdt_file_open() must accept it and hand back every note as
 * written, with the pc/semaphore adjusted and translated to file offsets,
 * and with the arguments parsed exactly as sdt_args_parse() parses them. */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TEXT_VADDR 0x400000u
#define DATA_VADDR 0x600000u
#define SEG_SIZE   0x10000u
#define BASE_ADDR  (TEXT_VADDR + 0x800u)
#define MAX_NOTES  64

struct note_in {
	const char *provider, *name, *args;
	uint64_t pc, sem;   /* as the reader must report them */
};

static size_t put(unsigned char *img, size_t at, const void *p, size_t n)
{
	memcpy(img + at, p, n);
	return at + n;
}

/* Lay out the executable; returns its size. */
static size_t build_elf(unsigned char *img, const struct note_in *notes, size_t nnotes,
			bool have_base, int64_t prelink)
{
	static const char shstr[] = "\0.note.stapsdt\0.stapsdt.base\0.shstrtab\0.stapsdt.none";
	size_t off = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);
	size_t notes_at = off, shstr_at, sh_at;
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph[2] = { { 0 } };
	Elf64_Shdr sh[5] = { { 0 } };

	for (size_t i = 0; i < nnotes; i++) {
		const struct note_in *n = &notes[i];
		size_t lp = strlen(n->provider) + 1, ln = strlen(n->name) + 1, la = strlen(n->args) + 1;
		uint32_t hdr[3] = { 8, (uint32_t)(24 + lp + ln + la), 3 };
		/* the note records the link-time base; the reader adds the difference */
		uint64_t rec[3] = { n->pc - (uint64_t)prelink * have_base, BASE_ADDR - (uint64_t)prelink,
				    n->sem ? n->sem - (uint64_t)prelink * have_base : 0 };
		off = put(img, off, hdr, sizeof(hdr));
		off = put(img, off, "stapsdt", 8);
		off = put(img, off, rec, sizeof(rec));
		off = put(img, off, n->provider, lp);
		off = put(img, off, n->name, ln);
		off = put(img, off, n->args, la);
		while (off % 4)
			img[off++] = 0;
	}
	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_NOTE, .sh_offset = notes_at,
			      .sh_size = off - notes_at, .sh_addralign = 4 };
	sh[2] = (Elf64_Shdr){ .sh_name = have_base ? 15 : 39, .sh_type = SHT_PROGBITS,
			      .sh_addr = BASE_ADDR, .sh_offset = 0x800, .sh_size = 1,
			      .sh_addralign = 1 };
	shstr_at = off;
	off = put(img, off, shstr, sizeof(shstr));
	sh[3] = (Elf64_Shdr){ .sh_name = 29, .sh_type = SHT_STRTAB, .sh_offset = shstr_at,
			      .sh_size = sizeof(shstr), .sh_addralign = 1 };
	off = (off + 7) & ~(size_t)7;
	sh_at = off;
	off = put(img, off, sh, 4 * sizeof(Elf64_Shdr));
	if (off < SEG_SIZE) {
		memset(img + off, 0, SEG_SIZE - off);
		off = SEG_SIZE;
	}

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = TEXT_VADDR;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_shoff = sh_at;
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 4;
	eh.e_shstrndx = 3;
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_vaddr = TEXT_VADDR,
			      .p_offset = 0, .p_filesz = SEG_SIZE, .p_memsz = SEG_SIZE,
			      .p_align = 0x1000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_vaddr = DATA_VADDR,
			      .p_offset = 0, .p_filesz = 0x1000, .p_memsz = SEG_SIZE,
			      .p_align = 0x1000 };
	put(img, 0, &eh, sizeof(eh));
	put(img, sizeof(eh), ph, sizeof(ph));
	return off;
}

static bool same_args(const struct sdt_arg *a, const struct sdt_arg *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i].type != b[i].type || a[i].size != b[i].size ||
		    a[i].is_signed != b[i].is_signed || a[i].reg != b[i].reg ||
		    a[i].reg_width != b[i].reg_width ||
		    a[i].disp != b[i].disp || a[i].value != b[i].value)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct note_in notes[MAX_NOTES];
	struct sdt_arg want[SDT_MAX_ARGS];
	struct sdt_file *f = NULL;
	size_t nnotes = 0, len, nstr = 0, imglen;
	const char *strs[3];
	unsigned char *img;
	char *buf, err[512], aerr[200];
	bool have_base;
	int64_t prelink;

	if (size < 1)
		return 0;
	if (fd < 0) {
		fd = memfd_create("fuzz-sdt-note-args", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	have_base = data[0] & 1;
	prelink = (int64_t)(data[0] >> 1) * 16 - 1024;
	buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	for (char *s = buf; s < buf + size && nnotes < MAX_NOTES; s += strlen(s) + 1) {
		strs[nstr++] = s;
		if (nstr == 3) {
			struct note_in *n = &notes[nnotes];
			n->provider = strs[0];
			n->name = strs[1];
			n->args = strs[2];
			n->pc = TEXT_VADDR + 0x1000 + 16 * nnotes;
			n->sem = nnotes % 2 ? DATA_VADDR + 0x2000 + 2 * nnotes : 0;
			nnotes++;
			nstr = 0;
		}
	}
	len = 1024 + SEG_SIZE;
	for (size_t i = 0; i < nnotes; i++)
		len += 64 + strlen(notes[i].provider) + strlen(notes[i].name) + strlen(notes[i].args);
	img = malloc(len);
	imglen = build_elf(img, notes, nnotes, have_base, prelink);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, img, imglen, 0) != (ssize_t)imglen)
		abort();

	if (sdt_file_open(path, &f, err, sizeof(err)) < 0) {
		fprintf(stderr, "refused a well-formed file: %s\n", err);
		abort();
	}
	if (f->nnotes != nnotes)
		abort();
	for (size_t i = 0; i < nnotes; i++) {
		const struct sdt_note *got = &f->notes[i];
		const struct note_in *n = &notes[i];
		int nargs = sdt_args_parse(n->args, want, SDT_MAX_ARGS, aerr, sizeof(aerr));

		if (strcmp(got->provider, n->provider) || strcmp(got->name, n->name) ||
		    strcmp(got->args, n->args))
			abort();
		if (got->pc != n->pc || got->pc_offset != n->pc - TEXT_VADDR ||
		    got->semaphore != n->sem ||
		    got->semaphore_offset != (n->sem ? n->sem - DATA_VADDR : 0))
			abort();
		if (got->nargs != nargs || (nargs < 0) != (got->args_error != NULL))
			abort();
		if (nargs > 0 && !same_args(got->argv, want, nargs))
			abort();
		if (nargs < 0 && strcmp(got->args_error, aerr) != 0)
			abort();
		const struct sdt_note *found = sdt_find(f, n->provider, n->name);
		if (!found || strcmp(found->provider, n->provider) || strcmp(found->name, n->name))
			abort();
	}
	sdt_file_free(f);
	free(img);
	free(buf);
	return 0;
}
