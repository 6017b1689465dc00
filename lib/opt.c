/*
 * opt.c: the options every tool shares, handled in one place so that they
 * are spelled, checked and worded the same everywhere: -h and --help,
 * --version, --progress and --no-progress, the record limits
 * --max-record and --max-depth, the files --rejects and --stats,
 * --strict and --trusted.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

const char *mx_opt_rejects;
const char *mx_opt_stats;
int mx_opt_strict;
int mx_opt_trusted;

void
mx_usage(const char *synopsis)
{
	fputs(synopsis, stderr);
	exit(MX_EXIT_USAGE);
}

/* What --help prints: the synopsis, and where the rest is. */
static MX_NORETURN void
help(const char *synopsis)
{
	const char *cmd = strncmp(mx_prog, "mx-", 3) == 0 ? mx_prog + 3 :
	    mx_prog;

	printf("%s\nEvery option is described in %s(1): man %s, or mx help "
	    "%s.\n", synopsis, mx_prog, mx_prog, cmd);
	mx_fshut(stdout, "<stdout>");
	exit(0);
}

int
mx_getopt(int argc, char *const argv[], const char *opts,
    const struct option *longopts, int *li, const char *synopsis)
{
	/* the tool's options and ours, built once: a tool passes the same
	 * arrays on every call */
	static const struct option *mine;
	static struct option *all;
	static char *shortopts;
	static const struct option extra[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, MX_OPT_VERSION },
		{ "progress", no_argument, NULL, MX_OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, MX_OPT_NOPROGRESS },
	};
	size_t n, lead;
	const char *arg;
	int c;

	if (mine != longopts) {
		for (n = 0; longopts[n].name != NULL; n++)
			;
		free(all);
		free(shortopts);
		if ((all = calloc(n + 5, sizeof *all)) == NULL ||
		    (shortopts = malloc(strlen(opts) + 3)) == NULL)
			mx_err(MX_EXIT_FAIL, "out of memory");
		memcpy(all, longopts, n * sizeof *all);
		memcpy(all + n, extra, sizeof extra);
		/* a leading '+' or '-' must stay first; then ':' so that a
		 * missing argument is told from an unknown option */
		lead = strspn(opts, "+-");
		memcpy(shortopts, opts, lead);
		shortopts[lead] = ':';
		shortopts[lead + 1] = 'h';
		strcpy(shortopts + lead + 2, opts + lead + strspn(opts + lead,
		    ":"));
		mine = longopts;
	}
	/* our own messages, named as every other message of the tool */
	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, shortopts, all, li);
		switch (c) {
		case ':':
		case '?':
			arg = optind > 1 ? argv[optind - 1] : "";
			if (strncmp(arg, "--", 2) != 0)
				mx_warnx("-%c: %s", optopt, c == ':' ?
				    "needs an argument" : "unknown option");
			else if (c == ':')
				mx_warnx("%s: needs an argument", arg);
			else if (strchr(arg, '=') != NULL)
				mx_warnx("%.*s: unknown option, or one that "
				    "takes no value", (int)strcspn(arg, "="),
				    arg);
			else
				mx_warnx("%s: unknown option", arg);
			mx_usage(synopsis);
		case 'h':
			help(synopsis);
		case MX_OPT_VERSION:
			mx_print_version(stdout);
			mx_fshut(stdout, "<stdout>");
			exit(0);
		case MX_OPT_PROGRESS:
		case MX_OPT_NOPROGRESS:
			mx_progress = c == MX_OPT_PROGRESS;
			continue;
		case MX_OPT_REJECTS:
			mx_opt_rejects = optarg;
			continue;
		case MX_OPT_STATS:
			mx_opt_stats = optarg;
			continue;
		case MX_OPT_STRICT:
			mx_opt_strict = 1;
			continue;
		case MX_OPT_TRUSTED:
			mx_opt_trusted = 1;
			continue;
		case MX_OPT_MAXREC:
		case MX_OPT_MAXDEPTH:
			if (mx_limit_opt(c, optarg) < 0)
				mx_usage(synopsis);
			continue;
		}
		return c;
	}
}
