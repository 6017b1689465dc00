/*
 * Limits on what one record may cost: its length and its nesting.  They
 * are process-wide because a tool opens readers and scanners in many
 * places (inputs, spend files, partial states, spill files) and the
 * user's bound must hold in every one of them.
 */
#include <stdio.h>

#include "mx.h"

size_t	mx_maxrec = MX_MAXREC_DEFAULT;
int	mx_maxdepth = MX_DEPTH_DEFAULT;

int
mx_limit_opt(int opt, const char *arg)
{
	long long v;

	if (opt == MX_OPT_MAXREC) {
		if ((v = mx_size_opt("--max-record", arg)) < 0)
			return -1;
		mx_maxrec = (size_t)v;
	} else {
		if ((v = mx_parse_count(arg)) <= 0 || v > MX_DEPTH_MAX) {
			mx_warnx("--max-depth: 1 to %d", MX_DEPTH_MAX);
			return -1;
		}
		mx_maxdepth = (int)v;
	}
	return 0;
}
