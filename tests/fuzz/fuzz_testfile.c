/*
 * mx-test's test files: any text gives tests or is refused with a message
 * (an error, which jumps back here); what loads has a valid and distinct
 * name for every test, one at most a line.  The tool itself is compiled
 * in, its main renamed, so that its own parser is what is fuzzed.
 *
 * A refused file exits the tool, which frees nothing first; the parser
 * keeps what a refused line holds where it can be found (the test being
 * made, one past the last; its options in lineopts), so that here, as
 * after a file that loads, everything is freed and the leak checker
 * stays on.  The tables a test names (to=, eq=, min=, max=) are looked
 * up as with -T in a scratch directory holding the one table t.ndjson,
 * and nowhere else: a name could be a directory to walk (/, ..).
 */
#include <sys/stat.h>
#include <errno.h>

#include "fuzz.h"

static char	scratch[] = "/tmp/fuzz_testfile.XXXXXX";

/* Only the scratch directory has tables. */
static int
fuzz_stat(const char *path, struct stat *st)
{
	size_t n = strlen(scratch);

	if (strncmp(path, scratch, n) != 0 || path[n] != '/' ||
	    strstr(path, "..") != NULL) {
		errno = ENOENT;
		return -1;
	}
	return stat(path, st);
}

#define main	mx_test_main
#define stat(p, st)	fuzz_stat(p, st)
#include "../../tools/mx-test.c"
#undef stat
#undef main

static char	table[64];	/* scratch/t.ndjson */

/* What an input made, freed: a refused line's test is the one past
 * ntests, counted here to be freed with the others. */
static void
reset(int refused)
{
	if (refused && tests != NULL)
		ntests++;
	free_tests();
	mx_calc_free(calc);
	mx_seen_free(&named);
	free_table(&main_tb);
	memset(&named, 0, sizeof named);
	memset(&main_tb, 0, sizeof main_tb);
}

static void
scratch_rm(void)
{
	(void)unlink(table);
	(void)rmdir(scratch);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static int ready;
	const char *p = (const char *)data;
	size_t i, k, lines = 1;
	volatile int refused;

	if (!ready) {
		static char *dirs[1];
		FILE *f;

		if (mkdtemp(scratch) == NULL)
			abort();
		snprintf(table, sizeof table, "%s/t.ndjson", scratch);
		if ((f = fopen(table, "w")) == NULL)
			abort();
		atexit(scratch_rm);
		dirs[0] = scratch;
		opt.tdirs = dirs;
		opt.ntdirs = 1;
		fputs("{\"id\":1,\"name\":\"a\"}\n", f);
		fclose(f);
		mx_exit_hook = fuzz_exit;
		testfile = "fuzz.tests";
		now.sec = 1709287200;
		ready = 1;
	}
	for (i = 0; i < n; i++)
		lines += p[i] == '\n';
	main_tb.name = mx_strdup("events");
	main_tb.sel = mx_sel_new();
	calc = mx_calc_new(main_tb.sel, 6);
	mx_calc_set_now(calc, &now);
	refused = 0;
	if (setjmp(fuzz_jb) == 0) {
		load_text(p, n);
		for (i = 0; i < ntests; i++) {
			if (badname(tests[i].name) != NULL ||
			    tests[i].line < 1 || tests[i].line > lines)
				abort();
			for (k = 0; k < i; k++)
				if (strcmp(tests[k].name, tests[i].name) == 0)
					abort();
		}
	} else
		refused = 1;
	reset(refused);
	return 0;
}
