/*
 * mx: one command for the toolkit, as git is for its own: `mx agg ...`
 * runs mx-agg, `mx lake ...` the lake, `mx help agg` shows mx-agg(1).
 *
 * A command is looked for beside this program first (an installed bin/,
 * or build/bin/ of the source tree), then on PATH, so that `mx` runs the
 * tools of its own version when several are installed.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "mx.h"

static char	 self[PATH_MAX];	/* the directory of this program */

static MX_NORETURN void
usage(void)
{
	fprintf(stderr,
	    "usage: mx [--version] [--help] command [argument ...]\n"
	    "       mx help [command]\n");
	exit(MX_EXIT_USAGE);
}

static void
findself(void)
{
	ssize_t n;
	char *slash;

	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0) {
		self[0] = '\0';
		return;
	}
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
}

/* The program of a command: beside mx, or for the lake in the source
 * tree (build/bin/../../scripts), or NULL (then PATH decides). */
static char *
beside(const char *cmd)
{
	static char p[PATH_MAX];

	if (self[0] == '\0')
		return NULL;
	if (snprintf(p, sizeof p, "%s/mx-%s", self, cmd) < (int)sizeof p &&
	    access(p, X_OK) == 0)
		return p;
	if ((strcmp(cmd, "lake") == 0 || strcmp(cmd, "lake-status") == 0) &&
	    snprintf(p, sizeof p, "%s/../../scripts/%s", self, cmd) <
	    (int)sizeof p && access(p, X_OK) == 0)
		return p;
	return NULL;
}

static int
strpcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The commands beside mx, for `mx help`. */
static void
list(void)
{
	struct dirent *d;
	char **v = NULL;
	size_t n = 0, i;
	DIR *dp;

	if (self[0] != '\0' && (dp = opendir(self)) != NULL) {
		while ((d = readdir(dp)) != NULL)
			if (strncmp(d->d_name, "mx-", 3) == 0 &&
			    beside(d->d_name + 3) != NULL) {
				v = mx_reallocarray(v, n + 1, sizeof *v);
				v[n++] = mx_strdup(d->d_name + 3);
			}
		closedir(dp);
	}
	/* the lake, in the source tree */
	if (beside("lake") != NULL && strstr(beside("lake"), "/scripts/")) {
		v = mx_reallocarray(v, n + 2, sizeof *v);
		v[n++] = mx_strdup("lake");
		v[n++] = mx_strdup("lake-status");
	}
	if (n > 1)
		qsort(v, n, sizeof *v, strpcmp);
	printf("usage: mx [--version] [--help] command [argument ...]\n"
	    "       mx help [command]\n\ncommands:");
	for (i = 0; i < n; i++) {
		printf("%s%s", i % 8 == 0 ? "\n   " : " ", v[i]);
		free(v[i]);
	}
	printf("\n\n`mx help command` shows its manual; mx(7) is the "
	    "overview.\n");
	free(v);
}

/* The manual of a command: the page of the source tree when mx runs from
 * it (build/bin/../../man), else man(1) finds the installed one. */
static MX_NORETURN void
help(const char *cmd)
{
	char page[PATH_MAX], name[NAME_MAX];
	struct stat st;
	int seven;

	/* the lake's page is the overview */
	seven = strcmp(cmd, "mx") == 0 || strcmp(cmd, "lake") == 0 ||
	    strcmp(cmd, "lake-status") == 0;
	if (strchr(cmd, '/') != NULL || strlen(cmd) > NAME_MAX - 6)
		mx_errx(MX_EXIT_USAGE, "%s: not a command", cmd);
	if (seven)
		snprintf(name, sizeof name, "mx.7");
	else
		snprintf(name, sizeof name, "mx-%s.1", cmd);
	if (self[0] != '\0' && snprintf(page, sizeof page, "%s/../../man/%s",
	    self, name) < (int)sizeof page && stat(page, &st) == 0)
		execlp("man", "man", "-l", page, (char *)NULL);
	else if (seven)
		execlp("man", "man", "7", "mx", (char *)NULL);
	else {
		name[strlen(name) - 2] = '\0';
		execlp("man", "man", "1", name, (char *)NULL);
	}
	mx_err(MX_EXIT_FAIL, "man");
}

int
main(int argc, char *argv[])
{
	char prog[NAME_MAX + 4];
	const char *p;

	mx_init(argv[0]);
	findself();
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "--version") == 0) {
		mx_print_version(stdout);
		mx_fshut(stdout, "<stdout>");
		return MX_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		list();
		mx_fshut(stdout, "<stdout>");
		return MX_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc > 3)
			usage();
		help(argv[2]);
	}
	if (argv[1][0] == '-' || strchr(argv[1], '/') != NULL ||
	    strlen(argv[1]) > NAME_MAX - 3) {
		mx_warnx("%s: not a command", argv[1]);
		usage();
	}
	snprintf(prog, sizeof prog, "mx-%s", argv[1]);
	argv[1] = prog;
	if ((p = beside(prog + 3)) != NULL)
		execv(p, argv + 1);
	else
		execvp(prog, argv + 1);
	if (errno == ENOENT)
		mx_errx(MX_EXIT_USAGE, "%s: no such command (`mx help` lists "
		    "them)", prog + 3);
	mx_err(MX_EXIT_FAIL, "%s", prog);
}
