/*
 * calc.h: computed fields, exact decimals (mx-calc).  Only mx-calc uses
 * it, so it stays out of mx.h.
 */
#ifndef MX_CALC_H
#define MX_CALC_H

#include "mx.h"

struct mx_calc;		/* compiled -e name=expr items, in order */

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

#endif /* MX_CALC_H */
