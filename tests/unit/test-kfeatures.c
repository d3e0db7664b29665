// SPDX-License-Identifier: MIT
/*
 * Unit tests for daemon/kfeatures.c: which feature an old kernel is told it
 * lacks (probes stand in for old kernels), and that the README and the man
 * page state the minimum kernel the table makes (they said 5.8 while the
 * programs needed 5.12).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kfeatures.h"

/* A kernel of this release: what the table says came later is missing. */
static const char *fake_release;

static int fake_probe(const struct kfeature *f)
{
	unsigned fmaj, fmin, kmaj, kmin;

	sscanf(f->since, "%u.%u", &fmaj, &fmin);
	sscanf(fake_release, "%u.%u", &kmaj, &kmin);
	return fmaj < kmaj || (fmaj == kmaj && fmin <= kmin);
}

static int failing_probe(const struct kfeature *f)
{
	(void)f;
	return -EPERM;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, 0, f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	const struct kfeature *f;
	char want[64];

	CHECK_STR(kfeatures_min_linux(), "5.12");

	fake_release = "5.10";
	f = kfeatures_missing(fake_probe);
	CHECK(f != NULL);
	CHECK_STR(f->since, "5.11");
	CHECK(strstr(f->what, "bpf_get_current_task_btf") != NULL);

	fake_release = "5.11";
	f = kfeatures_missing(fake_probe);
	CHECK(f != NULL);
	CHECK_STR(f->since, "5.12");
	CHECK(strstr(f->what, "bpf_task_storage_get") != NULL);

	fake_release = "5.7";
	f = kfeatures_missing(fake_probe);
	CHECK(f != NULL);
	CHECK_STR(f->since, "5.8");

	fake_release = "5.12";
	CHECK(kfeatures_missing(fake_probe) == NULL);
	fake_release = "6.1";
	CHECK(kfeatures_missing(fake_probe) == NULL);
	/* A probe that cannot tell is no verdict: the load that follows says what fails. */
	CHECK(kfeatures_missing(failing_probe) == NULL);

	/* The documents given as arguments (README.md, ipctraced.8) state that minimum. */
	snprintf(want, sizeof(want), "Linux %s or later", kfeatures_min_linux());
	for (int i = 1; i < argc; i++) {
		char *text = slurp(argv[i]);

		CHECK(text != NULL);
		if (!text)
			continue;
		if (!strstr(text, want))
			fprintf(stderr, "%s does not say \"%s\"\n", argv[i], want);
		CHECK(strstr(text, want) != NULL);
		CHECK(strstr(text, "5.8 or later") == NULL);
		free(text);
	}
	CHECK(argc == 3);
	return check_done("test-kfeatures");
}
