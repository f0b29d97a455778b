/* Replay a fuzz target's inputs without libFuzzer: link a tests/fuzz/fuzz_*.c
 * with this file and give it files or directories; each input is fed to
 * LLVMFuzzerTestOneInput() once, as libFuzzer would.  The targets abort()
 * on a broken property, so a clean exit means every input passed.  This is
 * how tests/e2e/fuzz_corpus.sh turns the corpus (and every crash found,
 * once added to it) into a regression test with any compiler. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int replay(const char *path, size_t *n)
{
	struct stat st;
	struct dirent **ents;
	int m, rc = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*n)++;
		return replay_file(path);
	}
	m = scandir(path, &ents, NULL, alphasort);
	if (m < 0) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < m; i++) {
		if (ents[i]->d_name[0] != '.') {
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
			if (replay(sub, n) < 0)
				rc = -1;
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int main(int argc, char **argv)
{
	size_t n = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++)
		if (replay(argv[i], &n) < 0)
			rc = 1;
	printf("%zu inputs replayed\n", n);
	return rc;
}
