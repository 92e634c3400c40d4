/* Printing names that come from a guest (file names, link targets) on a
 * terminal: a name can carry escape sequences that retitle the window,
 * rewrite what was printed before, or program keys.  On a terminal the
 * control characters are shown as \xNN; into a pipe or a file the name
 * goes byte for byte, as scripts expect. */
#ifndef HATCH_TERMSAFE_H
#define HATCH_TERMSAFE_H

#include <stdbool.h>
#include <stdio.h>

/* Write S to F, escaping control characters when F is a terminal;
 * characters in KEEP (e.g. "\n" for a multi-line listing) pass as they are. */
void term_put_guest (FILE *f, const char *s, const char *keep);

/* Whether F is a terminal (checked once per stream fd 1/2, cheaply). */
bool term_is_tty (FILE *f);

#endif
