/*
 * version.c: the version of mx, from the VERSION file of the source tree,
 * and the git describe of the checkout it was built from (empty from a
 * tarball); the Makefile writes both into version.h.
 */
#include "mx.h"
#include "version.h"

const char mx_version[] = MX_VERSION;
const char mx_gitdesc[] = MX_GITDESC;

void
mx_print_version(FILE *fp)
{
	fprintf(fp, "%s (mx) %s%s%s%s\n", mx_prog, mx_version,
	    mx_gitdesc[0] ? " (" : "", mx_gitdesc, mx_gitdesc[0] ? ")" : "");
}
