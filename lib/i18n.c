// SPDX-License-Identifier: MIT
/* Choosing the user's language and finding ipctrace's message catalogues. */
#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

/*
 * A program run from the build tree has its catalogues in po/ beside it
 * (meson builds po/LANG/LC_MESSAGES/ipctrace.mo there); installed, they
 * are in LOCALEDIR.
 */
static const char *locale_dir(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct stat st;

	if (n > 0) {
		self[n] = '\0';
		snprintf(buf, len, "%s/po", dirname(self));
		if (!stat(buf, &st) && S_ISDIR(st.st_mode))
			return buf;
	}
	return LOCALEDIR;
}

void ipct_i18n_init(void)
{
	char dir[PATH_MAX];

	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	bindtextdomain(GETTEXT_PACKAGE, locale_dir(dir, sizeof(dir)));
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
}
