/* SPDX-License-Identifier: MIT */
/* The unit tests' Spanish: the catalogue of the build tree, set up as the CLI's ipct_i18n_init does. */
#pragma once

#include <libintl.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * Messages in Spanish from the catalogue under localedir (tests/unit/meson.build
 * passes build/po), numbers in the C locale as ipct_i18n_init leaves them;
 * false, said on stderr, without the es_ES.UTF-8 locale (scripts/setup
 * generates it). setlocale(LC_ALL, "C") goes back.
 */
static inline bool spanish(const char *who, const char *localedir)
{
	if (!localedir || !setlocale(LC_ALL, "es_ES.UTF-8")) {
		fprintf(stderr, "%s: no catalogue directory, or no es_ES.UTF-8 locale (scripts/setup generates it)\n",
			who);
		return false;
	}
	setlocale(LC_NUMERIC, "C");
	bindtextdomain("ipctrace", localedir);
	bind_textdomain_codeset("ipctrace", "UTF-8");
	textdomain("ipctrace");
	return true;
}
