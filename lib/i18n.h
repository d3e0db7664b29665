/* SPDX-License-Identifier: MIT */
/*
 * Translation of what a person reads (GNU gettext, domain "ipctrace").
 * JSON keys and values are never translated: scripts read them.
 */
#ifndef IPCT_I18N_H
#define IPCT_I18N_H

#include <libintl.h>

/* A message translated where it is used. */
#define _(s) gettext(s)
/* A message marked for xgettext, translated later by _() of the variable. */
#define N_(s) (s)

/*
 * The user's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) for messages
 * and character types; numbers keep the C locale, so that text and JSON
 * spell them alike. Catalogues come from the build tree when the program
 * runs from it, else from the installed locale directory.
 */
void ipct_i18n_init(void);

#endif
