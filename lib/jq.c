/*
 * jq.c: user jq programs through libjq.  Compiled once, run per record.
 *
 * Ownership follows jv.h: jv_* functions consume their arguments and
 * return owned values, except where noted; jv_copy() is taken before any
 * call that would consume a value still needed.  No jv leaves this file.
 */
#include <jq.h>
#include <jv.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

struct mx_jq {
	jq_state	*jq;
	struct mx_buf	 msgs;	/* compile messages */
	struct mx_buf	 err;	/* the last runtime error */
};

/* libjq hands the callback an owned jv; it must be freed here. */
static void
on_msg(void *arg, jv msg)
{
	struct mx_jq *q = arg;

	if (jv_get_kind(msg) == JV_KIND_STRING) {
		if (q->msgs.len)
			mx_buf_addc(&q->msgs, '\n');
		mx_buf_adds(&q->msgs, jv_string_value(msg));
	}
	jv_free(msg);
}

struct mx_jq *
mx_jq_new(const char *program, char **err)
{
	struct mx_jq *q = mx_calloc(1, sizeof *q);

	if ((q->jq = jq_init()) == NULL)
		mx_errx(MX_EXIT_FAIL, "cannot start libjq");
	jq_set_error_cb(q->jq, on_msg, q);
	if (!jq_compile(q->jq, program)) {
		*err = mx_strdup(q->msgs.len ? mx_buf_cstr(&q->msgs) :
		    "jq: error: cannot compile the program");
		mx_jq_free(q);
		return NULL;
	}
	return q;
}

void
mx_jq_free(struct mx_jq *q)
{
	if (q == NULL)
		return;
	jq_teardown(&q->jq);
	mx_buf_free(&q->msgs);
	mx_buf_free(&q->err);
	free(q);
}

/* Consumes msg: an error value's message, as text, into q->err. */
static const char *
errtext(struct mx_jq *q, jv msg, const char *prefix)
{
	q->err.len = 0;
	mx_buf_adds(&q->err, prefix);
	if (jv_get_kind(msg) == JV_KIND_STRING)
		mx_buf_adds(&q->err, jv_string_value(msg));
	else {
		jv s = jv_dump_string(jv_copy(msg), 0);

		mx_buf_adds(&q->err, jv_string_value(s));
		jv_free(s);
	}
	jv_free(msg);
	/* parse errors quote the whole input; the record is reported
	 * elsewhere, so cut it */
	{
		char *w = strstr(mx_buf_cstr(&q->err), " (while parsing");

		if (w != NULL)
			q->err.len = w - q->err.p;
	}
	return mx_buf_cstr(&q->err);
}

static int
kind(jv_kind k)
{
	switch (k) {
	case JV_KIND_NULL: return MX_JNULL;
	case JV_KIND_FALSE: return MX_JFALSE;
	case JV_KIND_TRUE: return MX_JTRUE;
	case JV_KIND_NUMBER: return MX_JNUM;
	case JV_KIND_STRING: return MX_JSTR;
	case JV_KIND_ARRAY: return MX_JARR;
	case JV_KIND_OBJECT: return MX_JOBJ;
	default: return MX_JNONE;
	}
}

int
mx_jq_run(struct mx_jq *q, const char *p, size_t n,
    int (*out)(void *arg, const char *json, size_t len, int kind),
    void *arg, const char **err)
{
	jv in, res, s;
	int k;

	if (n > INT_MAX) {
		*err = "record too large for libjq (2 GiB)";
		return -1;
	}
	in = jv_parse_sized(p, (int)n);
	if (!jv_is_valid(in)) {
		*err = errtext(q, jv_invalid_get_msg(in), "jq: ");
		return -1;
	}
	jq_start(q->jq, in, 0);			/* consumes in */
	/* jq_next must not be called again once it returned an invalid */
	while (jv_is_valid(res = jq_next(q->jq))) {
		k = kind(jv_get_kind(res));
		s = jv_dump_string(res, 0);	/* consumes res */
		if (out(arg, jv_string_value(s),
		    (size_t)jv_string_length_bytes(jv_copy(s)), k) != 0) {
			jv_free(s);
			return 0;
		}
		jv_free(s);
	}
	if (jq_halted(q->jq)) {
		jv code = jq_get_exit_code(q->jq);
		jv msg = jq_get_error_message(q->jq);
		int bad = jv_is_valid(code) && (jv_get_kind(code) !=
		    JV_KIND_NUMBER || jv_number_value(code) != 0);

		jv_free(code);
		jv_free(res);
		if (bad) {
			*err = errtext(q, jv_is_valid(msg) ? msg :
			    jv_string("halt_error"), "jq: halt_error: ");
			return -1;
		}
		jv_free(msg);
		return 0;
	}
	if (jv_invalid_has_msg(jv_copy(res))) {
		*err = errtext(q, jv_invalid_get_msg(res), "jq: error: ");
		return -1;
	}
	jv_free(res);
	return 0;
}
