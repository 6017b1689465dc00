/*
 * keyindex.h: the key index of a partitioned table (mx-index): for every
 * key of the table, the partitions that hold it.  A module of its own, as
 * only mx-index reads and writes the format.
 *
 * The file: the magic MXKIDX01, the key it was made for (the -k paths and
 * functions), the partition names (sorted, each a directory path relative
 * to the table's root), the entries (128-bit key hash, partition number)
 * in ascending order, their count and an XXH3 checksum of all of it.
 * Integers are big-endian, so a file moves between machines.
 */
#ifndef MX_KEYINDEX_H
#define MX_KEYINDEX_H

#include "mx.h"

struct mx_kidx_ent {
	struct mx_h128	h;
	uint32_t	part;	/* index in the partition names */
};

int	mx_kidx_cmp(const struct mx_kidx_ent *a, const struct mx_kidx_ent *b);

/* Reading streams the entries, so that an index of any size takes
 * constant memory; the checksum is known only at the end, so nothing read
 * may be trusted before mx_kidx_next returned 0. */
struct mx_kidx_reader;
/* Open path (a missing file is an empty index) made for the key spec.
 * NULL with a message in err when the file is not an index, is of
 * another version, was made for another key or is truncated. */
struct mx_kidx_reader *mx_kidx_open(const char *path, const char *spec,
	    char *err, size_t errlen);
size_t	mx_kidx_nparts(const struct mx_kidx_reader *r);
const char *mx_kidx_part(const struct mx_kidx_reader *r, size_t i);
/* The next entry: 1; 0 at the end, once the count and the checksum
 * agree; -1 with a message in err when they do not, or the entries are
 * out of order. */
int	mx_kidx_next(struct mx_kidx_reader *r, struct mx_kidx_ent *e,
	    char *err, size_t errlen);
void	mx_kidx_close(struct mx_kidx_reader *r);

/* Writing goes through a temporary file that replaces path, fsync'd,
 * only at mx_kidx_commit; entries must come in ascending order. */
struct mx_kidx_writer;
struct mx_kidx_writer *mx_kidx_create(const char *path, const char *spec,
	    char *const *parts, size_t nparts);
void	mx_kidx_add(struct mx_kidx_writer *w, const struct mx_kidx_ent *e);
void	mx_kidx_commit(struct mx_kidx_writer *w);

#endif /* MX_KEYINDEX_H */
