/*
 * fuzz.h: what every libFuzzer harness shares.  A fatal input error
 * (mx_errx) jumps back to the harness instead of exiting, so that the
 * fuzzer treats it as the clean rejection it is.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mx.h"

static jmp_buf fuzz_jb __attribute__((unused));

static inline void
fuzz_exit(int code)
{
	longjmp(fuzz_jb, code ? code : 1);
}

/* The input as a file the reader can open (memory-backed). */
static inline int
fuzz_file(const uint8_t *data, size_t n, char path[64])
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		abort();
	if (n > 0 && write(fd, data, n) != (ssize_t)n)
		abort();
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}
