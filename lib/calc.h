/*
 * calc.h: the expression language of mx-calc and mx-test: computed
 * fields and conditions, in exact decimals.  Only those two use it, so
 * it stays out of mx.h.
 */
#ifndef MX_CALC_H
#define MX_CALC_H

#include "mx.h"

struct mx_calc;		/* compiled items (name=expr, or conditions) */

/* An empty program whose fields are added to sel (which must outlive
 * it); quotients are rounded to scale places (0..18). */
struct mx_calc *mx_calc_new(struct mx_sel *sel, int scale);
void	mx_calc_free(struct mx_calc *c);
/* Compile "name=expression" as the next field.  Returns 0, or -1 with
 * "column N: message" (N counted in arg from 1) or a message in err. */
int	mx_calc_add(struct mx_calc *c, const char *arg, char *err,
	    size_t errlen);
size_t	mx_calc_count(const struct mx_calc *c);
/* The name of field i (decoded, UTF-8). */
const char *mx_calc_name(const struct mx_calc *c, size_t i);
/*
 * Compute every field for the record scanned into spans (through the
 * selection given to mx_calc_new).  On success 0, and vals[i] is the JSON
 * text of field i (valid until the next run).  On a record that cannot be
 * computed -1, *failed the field and *why the reason ("Price is \"abc\",
 * not a number"), valid until the next run.
 */
int	mx_calc_run(struct mx_calc *c, const struct mx_span *spans,
	    const struct mx_span **vals, size_t *failed, const char **why);

/*
 * Compile a condition: one expression, no name, whose names are all
 * fields of the record.  Returns its index, for mx_calc_test, or -1 with
 * "column N: message" (N counted in expr from 1) in err.  mx_calc_run
 * is for a program of fields only.
 */
long	mx_calc_add_cond(struct mx_calc *c, const char *expr, char *err,
	    size_t errlen);
/*
 * Evaluate condition i over the record scanned into spans: 1 true, 0
 * false or a value that is no truth value, -1 null (unknown); -2 when
 * it cannot be evaluated ("x is \"abc\", not a number" in *why, valid
 * until the next call).
 */
int	mx_calc_test(struct mx_calc *c, size_t i, const struct mx_span *spans,
	    const char **why);
/*
 * The fields of the record that item i (a field or a condition) reads,
 * each once, in the order written: their selection indexes in *f and
 * their paths in *paths (arrays the caller frees; the paths live as long
 * as c).  Returns how many.  A tool names them to mx_seen_add, so that a
 * field no record had is told.
 */
size_t	mx_calc_fields(const struct mx_calc *c, size_t i, int **f,
	    const char ***paths);
/* The time of now(); without it, SOURCE_DATE_EPOCH or the clock, read
 * at the first now() evaluated. */
void	mx_calc_set_now(struct mx_calc *c, const struct mx_time *t);

#endif /* MX_CALC_H */
