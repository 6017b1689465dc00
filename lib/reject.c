/*
 * reject.c: the one format of a rejected record, shared by the tools:
 * {"_reject":{"tool","file","line","rule","reason"},"_raw":"..."}, with
 * _raw_base64 instead of _raw when the raw bytes are not UTF-8, so that
 * every byte of a rejected record can be recovered.
 */
#include "mx.h"

static void
put_b64(struct mx_out *o, const char *raw, size_t n)
{
	struct mx_buf b = { 0 };

	mx_b64(&b, raw, n);
	mx_out_putc(o, '"');
	mx_out_write(o, b.p, b.len);
	mx_out_putc(o, '"');
	mx_buf_free(&b);
}

void
mx_reject_raw(struct mx_objw *w, const char *raw, size_t n)
{
	if (mx_utf8_valid(raw, n)) {
		mx_out_key(w, "_raw");
		mx_out_jstr(w->o, raw, n);
	} else {
		mx_out_key(w, "_raw_base64");
		put_b64(w->o, raw, n);
	}
}

void
mx_reject_write(struct mx_out *o, const char *tool, const char *file,
    uintmax_t line, const char *rule, const char *reason, const char *raw,
    size_t n)
{
	struct mx_objw w;

	mx_out_obj_new(&w, o);
	mx_out_key(&w, "_reject");
	mx_out_puts(o, "{\"tool\":");
	mx_out_jstr(o, tool, strlen(tool));
	mx_out_puts(o, ",\"file\":");
	mx_out_jstr(o, file, strlen(file));
	mx_out_puts(o, ",\"line\":");
	mx_out_uint(o, line);
	mx_out_puts(o, ",\"rule\":");
	mx_out_jstr(o, rule, strlen(rule));
	mx_out_puts(o, ",\"reason\":");
	mx_out_jstr(o, reason, strlen(reason));
	mx_out_putc(o, '}');
	mx_reject_raw(&w, raw, n);
	mx_out_obj_close(&w);
}
