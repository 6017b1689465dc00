/*
 * mx-budget: spend against advertiser budgets.
 *
 * Ad click events (or spend per period) are summed per key and period,
 * exactly, and the cumulative spend since the budget last reset is held
 * against the budget in force: can_serve.  Every key and period is held
 * in memory (advertisers times periods stay small) and written at the
 * end sorted by key and period, so the figures depend only on which
 * events there are, not on their order.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "mx.h"

/* in order of length, so that a reset can be checked to be no shorter
 * than the period */
enum { P_HOUR = 1, P_DAY, P_MONTH, P_NEVER };
static const char *const pername[] = { "", "hour", "day", "month", "never",
    NULL };

static const char *const budget_out[] = { "period", "window_start",
    "window_end", "events", "spend", "cumulative_spend", "budget_value",
    "remaining", "can_serve" };
#define NBOUT	(sizeof budget_out / sizeof budget_out[0])

static struct {
	const char	*keys;
	const char	*amount, *budgetf, *time;
	int		 per, reset, bper;
	int		 scale, verbose;
	long long	 maxmem;
	const char	*maxmemarg;
} opt = {
	.keys = "advertiser", .amount = "amount", .budgetf = "budget_value",
	.time = "timestamp", .per = P_DAY, .reset = P_NEVER, .scale = 2,
};

static struct {
	uintmax_t	events, blank, rejected, out;
} st;

/* A key and period. */
struct ent {
	size_t		 text;		/* the key's texts, in arena */
	int64_t		 period;
	uintmax_t	 events;
	struct mx_dec	 spend;
	struct mx_time	 btime;		/* the time of budget */
	struct mx_dec	 budget;
	int		 hasbudget;
};

static struct mx_exprs	 kx;
static struct mx_hmap	*tab;		/* canonical key + period: struct ent */
static struct mx_buf	 arena;
static struct mx_out	*out, *rej;
static struct mx_buf	 kc, kt, tmp;
static int		 sel_amount, sel_budget, sel_time, sel_rej;
static struct mx_seen	 named;		/* the fields the options name */

static const char synopsis[] =
	    "usage: mx-budget [-v] [-k keys] [--per hour|day|month]\n"
	    "                 [--reset never|hour|day|month]\n"
	    "                 [--budget-per hour|day|month] [--amount field]\n"
	    "                 [--budget-field field] [--time field] [--scale n]\n"
	    "                 [--max-memory size] [--rejects file] [--stats file]\n"
	    "                 [--strict] [--max-record size] [--max-depth n] [file ...]\n";

static MX_NORETURN void
usage(void)
{
	mx_usage(synopsis);
}

/* ---- values ---- */

/* A value's JSON text, cut short, for messages. */
static const char *
show(const struct mx_span *v)
{
	static char b[64];

	if (v->n > 40)
		snprintf(b, sizeof b, "%.37s...", v->p);
	else
		snprintf(b, sizeof b, "%.*s", (int)v->n, v->p);
	return b;
}

/*
 * A sum of money: a number, or a string holding a JSON number ("12.50"),
 * present and not negative, as an exact decimal.  Returns NULL, or why
 * not (with the field's name).
 */
static const char *
getmoney(const struct mx_span *v, const char *field, struct mx_dec *d)
{
	static char why[256];
	const char *p = v->p;
	size_t n = v->n;

	if (v->kind == MX_JNONE) {
		snprintf(why, sizeof why, "%s is missing", field);
		return why;
	}
	if (v->kind == MX_JSTR) {
		mx_span_cstr(v, &tmp);
		p = tmp.p;
		n = tmp.len;
	}
	/* the scanner has checked the grammar of a number already */
	if ((v->kind != MX_JNUM && v->kind != MX_JSTR) ||
	    (v->kind == MX_JSTR && !mx_json_isnum(p, n))) {
		snprintf(why, sizeof why, "%s is not a number: %s", field,
		    show(v));
		return why;
	}
	if (mx_dec_parse(p, n, d) < 0) {
		snprintf(why, sizeof why, "%s %s is out of range (38 digits, "
		    "18 decimal places)", field, show(v));
		return why;
	}
	if (d->v < 0) {
		snprintf(why, sizeof why, "%s is negative: %s", field, show(v));
		return why;
	}
	return NULL;
}

/* Money: exact, with at least --scale places (12.5 is 12.50). */
static void
put_money(const struct mx_dec *d)
{
	struct mx_dec t = *d;
	char b[48];
	int places = opt.scale;

	while (t.scale > places && t.v % 10 == 0) {
		t.v /= 10;
		t.scale--;
	}
	if (t.scale > places)
		places = t.scale;
	mx_out_write(out, b, (size_t)mx_dec_fmt_scale(&t, places, b));
}

/* ---- input ---- */

static void
reject(const struct mx_rec *in, const char *rule, const char *field,
    const char *why)
{
	st.rejected++;
	if (rej == NULL)
		mx_errx(MX_EXIT_FAIL, "%s:%ju: %s", mx_name(in->file),
		    in->line, why);
	mx_reject_rec(rej, "mx-budget", in, rule, field, why);
}

static int64_t
floor_to(int64_t sec, int per)
{
	int y, mo, d, h, mi, s;

	switch (per) {
	case P_HOUR:
		return sec - ((sec % 3600) + 3600) % 3600;
	case P_DAY:
		return sec - ((sec % 86400) + 86400) % 86400;
	case P_MONTH:
		mx_time_civil(sec, &y, &mo, &d, &h, &mi, &s);
		return mx_days_from_civil(y, (unsigned)mo, 1) * 86400;
	}
	return 0;
}

static void
event(const struct mx_rec *in, const struct mx_span *sp)
{
	struct mx_dec amount, budget;
	struct mx_time t;
	struct ent *e;
	const char *why;
	char msg[512];
	unsigned char pb[8];
	int64_t period;
	size_t i, id;
	int nobudget, kind, bad, isnew;

	kc.len = kt.len = 0;
	if ((i = (size_t)mx_jkey(&kx, sp, &kc, &kt, &kind, &bad)) !=
	    (size_t)-1) {
		const struct mx_expr *x = &kx.v[i];

		if (bad)
			snprintf(msg, sizeof msg, "key field %s is not a "
			    "timestamp: %s", x->path, show(&sp[x->sel]));
		else
			snprintf(msg, sizeof msg, "key field %s is %s",
			    x->path, kind == MX_JNONE ? "missing" : "null");
		reject(in, "key", x->path, msg);
		return;
	}
	if ((why = getmoney(&sp[sel_amount], opt.amount, &amount)) != NULL) {
		reject(in, "amount", opt.amount, why);
		return;
	}
	/* an event without a budget (null or missing) spends, and leaves
	 * the budget to the events that have one */
	nobudget = sp[sel_budget].kind == MX_JNONE ||
	    sp[sel_budget].kind == MX_JNULL;
	if (!nobudget && (why = getmoney(&sp[sel_budget], opt.budgetf,
	    &budget)) != NULL) {
		reject(in, "budget", opt.budgetf, why);
		return;
	}
	if (mx_time_span(&sp[sel_time], &t) < 0) {
		if (sp[sel_time].kind == MX_JNONE)
			snprintf(msg, sizeof msg, "%s is missing", opt.time);
		else
			snprintf(msg, sizeof msg, "%s is not a time: %s",
			    opt.time, show(&sp[sel_time]));
		reject(in, "time", opt.time, msg);
		return;
	}
	period = floor_to(t.sec, opt.per);
	/* big-endian, so that the key bytes less these 8 are the key */
	for (i = 0; i < 8; i++)
		pb[i] = (unsigned char)((uint64_t)period >> (56 - 8 * i));
	mx_buf_add(&kc, pb, sizeof pb);
	id = mx_hmap_add(tab, kc.p, kc.len, mx_hash64(kc.p, kc.len), &isnew);
	e = mx_hmap_val(tab, id);
	if (isnew) {
		e->text = arena.len;
		mx_buf_add(&arena, kt.p, kt.len);
		e->period = period;
		if (opt.maxmem > 0 && mx_hmap_bytes(tab) + arena.cap >
		    (size_t)opt.maxmem)
			mx_errx(MX_EXIT_FAIL, "%s:%ju: the %zu keys held in "
			    "memory take more than --max-memory %s",
			    mx_name(in->file), in->line, mx_hmap_count(tab),
			    opt.maxmemarg);
	}
	if (mx_dec_add(&e->spend, &amount) < 0) {
		snprintf(msg, sizeof msg, "the sum of %s overflows 38 digits",
		    opt.amount);
		reject(in, "amount", opt.amount, msg);
		return;
	}
	/* the budget in force at the end of the period: that of its latest
	 * event (the later line of equal times) */
	if (!nobudget && (!e->hasbudget || t.sec > e->btime.sec ||
	    (t.sec == e->btime.sec && t.nsec >= e->btime.nsec))) {
		e->btime = t;
		e->budget = budget;
		e->hasbudget = 1;
	}
	e->events++;
}

static void
each_line(const char *path, struct mx_json *scan, struct mx_span *sp)
{
	struct mx_reader r;
	struct mx_rec in;
	const char *line;
	ssize_t n;

	if (mx_reader_open(&r, path) < 0)
		mx_err(MX_EXIT_FAIL, "%s", mx_name(path));
	in.file = path;
	while ((n = mx_reader_line(&r, &line)) >= 0) {
		in.line = r.lineno;
		in.p = line;
		in.n = (size_t)n;
		if (mx_blank(line, (size_t)n)) {
			st.blank++;
			continue;
		}
		st.events++;
		if (mx_json_scan(scan, line, (size_t)n, sp, 1) < 0) {
			in.whole = 0;
			reject(&in, "json", NULL, mx_json_errstr(scan));
			continue;
		}
		in.whole = sp[sel_rej].kind == MX_JNONE;
		mx_seen_spans(&named, sp);
		event(&in, sp);
	}
	mx_reader_close(&r);
}

/* ---- output ---- */

static void
put_period(int64_t sec)
{
	struct mx_time t = { sec, 0, 0 };
	char b[40];
	int y, mo, d, h, mi, s;

	mx_out_putc(out, '"');
	switch (opt.per) {
	case P_HOUR:
		mx_out_write(out, b, (size_t)mx_time_fmt(&t, b));
		break;
	case P_DAY:
		mx_out_write(out, b, (size_t)mx_time_date(&t, b));
		break;
	default:
		mx_time_civil(sec, &y, &mo, &d, &h, &mi, &s);
		mx_out_printf(out, "%04d-%02d", y, mo);
	}
	mx_out_putc(out, '"');
}

/* The periods of --budget-per in the --reset window that starts at sec:
 * the factor from the budget field to the budget of the window (a daily
 * budget times the days of the month). */
static int64_t
budget_factor(int64_t sec)
{
	int64_t end, unit;
	int y, mo, d, h, mi, s;

	if (opt.bper == 0 || opt.bper == opt.reset)
		return 1;
	if (opt.reset == P_MONTH) {
		mx_time_civil(sec, &y, &mo, &d, &h, &mi, &s);
		if (++mo > 12) {
			mo = 1;
			y++;
		}
		end = mx_days_from_civil(y, (unsigned)mo, 1) * 86400;
	} else
		end = sec + 86400;	/* --reset day, --budget-per hour */
	unit = opt.bper == P_HOUR ? 3600 : 86400;
	return (end - sec) / unit;
}

/* The window of a period: its start and the start of the next. */
static void
put_window(struct mx_objw *w, int64_t sec)
{
	struct mx_time t = { sec, 0, 0 };
	char b[40];
	int y, mo, d, h, mi, s;

	mx_out_key(w, "window_start");
	mx_out_putc(out, '"');
	mx_out_write(out, b, (size_t)mx_time_fmt(&t, b));
	mx_out_putc(out, '"');
	switch (opt.per) {
	case P_HOUR:
		t.sec += 3600;
		break;
	case P_DAY:
		t.sec += 86400;
		break;
	default:
		mx_time_civil(sec, &y, &mo, &d, &h, &mi, &s);
		if (++mo > 12) {
			mo = 1;
			y++;
		}
		t.sec = mx_days_from_civil(y, (unsigned)mo, 1) * 86400;
	}
	mx_out_key(w, "window_end");
	mx_out_putc(out, '"');
	mx_out_write(out, b, (size_t)mx_time_fmt(&t, b));
	mx_out_putc(out, '"');
}

/* By key, then period. */
static int
ent_cmp(const void *x, const void *y)
{
	size_t a = *(const uint32_t *)x, b = *(const uint32_t *)y, na, nb;
	const struct ent *ea = mx_hmap_val(tab, a), *eb = mx_hmap_val(tab, b);
	const char *ka = mx_hmap_key(tab, a, &na), *kb = mx_hmap_key(tab, b,
	    &nb);
	int c;

	if ((c = mx_jkey_cmp(ka, arena.p + ea->text, kb, arena.p + eb->text,
	    kx.n)) != 0)
		return c;
	return ea->period < eb->period ? -1 : ea->period > eb->period;
}

static void
write_all(void)
{
	size_t n = mx_hmap_count(tab), i, lp = 0, le;
	uint32_t *o = mx_reallocarray(NULL, n ? n : 1, sizeof *o);
	struct mx_dec cum = { 0, 0 }, rem, neg, budget, f = { 0, 0 };
	const struct ent *e, *prev = NULL;
	const char *kp = NULL, *ke;
	struct mx_objw w;

	for (i = 0; i < n; i++)
		o[i] = (uint32_t)i;
	qsort(o, n, sizeof *o, ent_cmp);
	for (i = 0; i < n; i++) {
		e = mx_hmap_val(tab, o[i]);
		ke = mx_hmap_key(tab, o[i], &le);
		/* same keys: the canonical key less its 8 period bytes */
		if (prev == NULL || lp != le || memcmp(kp, ke, le - 8) != 0 ||
		    floor_to(prev->period, opt.reset) !=
		    floor_to(e->period, opt.reset))
			cum.v = cum.scale = 0;
		prev = e;
		kp = ke;
		lp = le;
		if (mx_dec_add(&cum, &e->spend) < 0)
			mx_errx(MX_EXIT_FAIL, "cumulative spend overflows 38 "
			    "digits");
		neg = cum;
		neg.v = -neg.v;
		f.v = budget_factor(floor_to(e->period, opt.reset));
		if (mx_dec_mul(&e->budget, &f, &budget) < 0)
			mx_errx(MX_EXIT_FAIL, "the budget of a period overflows "
			    "38 digits");
		rem = budget;
		if (mx_dec_add(&rem, &neg) < 0)
			mx_errx(MX_EXIT_FAIL, "remaining budget overflows 38 "
			    "digits");
		mx_out_obj_new(&w, out);
		mx_jkey_put(&w, &kx, arena.p + e->text);
		mx_out_key(&w, "period");
		put_period(e->period);
		put_window(&w, e->period);
		mx_out_key(&w, "events");
		mx_out_uint(out, e->events);
		mx_out_key(&w, "spend");
		put_money(&e->spend);
		mx_out_key(&w, "cumulative_spend");
		put_money(&cum);
		mx_out_key(&w, "budget_value");
		if (e->hasbudget)
			put_money(&budget);
		else
			mx_out_puts(out, "null");
		mx_out_key(&w, "remaining");
		if (e->hasbudget)
			put_money(&rem);
		else
			mx_out_puts(out, "null");
		mx_out_key(&w, "can_serve");
		mx_out_puts(out, !e->hasbudget ? "null" :
		    mx_dec_cmp(&cum, &budget) < 0 ? "true" : "false");
		mx_out_obj_close(&w);
		st.out++;
	}
	free(o);
}

/* ---- options ---- */

static int
word(const char *arg, const char *const *words, const char *what)
{
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (*words[i] != '\0' && strcmp(arg, words[i]) == 0)
			return i;
	mx_warnx("%s: unknown value '%s'", what, arg);
	usage();
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "keys", required_argument, NULL, 'k' },
		{ "per", required_argument, NULL, 'p' },
		{ "reset", required_argument, NULL, 'r' },
		{ "budget-per", required_argument, NULL, 'Q' },
		{ "amount", required_argument, NULL, 'a' },
		{ "budget-field", required_argument, NULL, 'b' },
		{ "time", required_argument, NULL, 't' },
		{ "scale", required_argument, NULL, 'c' },
		{ "max-memory", required_argument, NULL, 'M' },
		MX_REJECTS_LONGOPT,
		MX_STATS_LONGOPT,
		{ "verbose", no_argument, NULL, 'v' },
		MX_STRICT_LONGOPT,
		MX_LIMIT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct mx_sel *sel;
	struct mx_json *scan;
	struct mx_span *sp;
	struct mx_out *s;
	char err[256];
	long long v;
	size_t i, k;
	int c;
	char given[128] = { 0 };

	mx_init(argv[0]);
	while ((c = mx_getopt(argc, argv, "k:v", longopts, NULL,
	    synopsis)) != -1) {
		if (c >= 0 && c < (int)sizeof given)
			given[c] = 1;
		switch (c) {
		case 'k':
			opt.keys = optarg;
			break;
		case 'p':
			opt.per = word(optarg, pername, "--per");
			if (opt.per == P_NEVER) {
				mx_warnx("--per: hour, day or month");
				usage();
			}
			break;
		case 'r':
			opt.reset = word(optarg, pername, "--reset");
			break;
		case 'Q':
			opt.bper = word(optarg, pername, "--budget-per");
			break;
		case 'a':
			opt.amount = optarg;
			break;
		case 'b':
			opt.budgetf = optarg;
			break;
		case 't':
			opt.time = optarg;
			break;
		case 'c':
			v = mx_parse_count(optarg);
			if (v < 0 || v > MX_DEC_MAXSCALE) {
				mx_warnx("--scale: 0 to %d", MX_DEC_MAXSCALE);
				usage();
			}
			opt.scale = (int)v;
			break;
		case 'M':
			if ((opt.maxmem = mx_size_opt("--max-memory", optarg)) < 0)
				usage();
			opt.maxmemarg = optarg;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (opt.bper == P_NEVER || (opt.bper != 0 && (opt.reset == P_NEVER ||
	    opt.bper > opt.reset))) {
		mx_warnx("--budget-per: hour, day or month, no longer than "
		    "--reset (a budget of each --reset window)");
		usage();
	}
	if (opt.reset < opt.per) {
		mx_warnx("--reset %s is shorter than --per %s",
		    pername[opt.reset], pername[opt.per]);
		usage();
	}
	sel = mx_sel_new();
	if (mx_exprs_parse(&kx, opt.keys, sel, err, sizeof err) < 0) {
		mx_warnx("-k: %s", err);
		usage();
	}
	if (kx.n > 64) {
		mx_warnx("-k: at most 64 keys");
		usage();
	}
	/* output names must differ: a JSON object has each key once */
	for (i = 0; i < kx.n; i++)
		for (k = 0; k < NBOUT; k++)
			if (strcmp(kx.v[i].name, budget_out[k]) == 0) {
				mx_warnx("the output would have the field %s "
				    "twice", budget_out[k]);
				usage();
			}
	sel_amount = mx_sel_add(sel, opt.amount);
	sel_budget = mx_sel_add(sel, opt.budgetf);
	sel_time = mx_sel_add(sel, opt.time);
	sel_rej = mx_sel_add(sel, "_reject");
	if (sel_amount < 0 || sel_budget < 0 || sel_time < 0) {
		mx_warnx("bad field path");
		usage();
	}
	/* the fields given, not the defaults: events without budgets are
	 * no mistake */
	for (i = 0; given['k'] && i < kx.n; i++)
		(void)mx_seen_add(&named, "-k", kx.v[i].path, kx.v[i].sel);
	if (given['a'])
		(void)mx_seen_add(&named, "--amount", opt.amount, sel_amount);
	if (given['b'])
		(void)mx_seen_add(&named, "--budget-field", opt.budgetf,
		    sel_budget);
	if (given['t'])
		(void)mx_seen_add(&named, "--time", opt.time, sel_time);

	out = mx_out_stdout();
	if (mx_opt_rejects != NULL)
		rej = mx_out_open(mx_opt_rejects);
	tab = mx_hmap_new(sizeof(struct ent));
	scan = mx_json_new(sel);
	sp = mx_calloc((size_t)mx_sel_count(sel), sizeof *sp);
	if (argc == 0)
		each_line("-", scan, sp);
	for (c = 0; c < argc; c++)
		each_line(argv[c], scan, sp);
	if (mx_seen_report(&named, mx_opt_strict) > 0 && mx_opt_strict) {
		if (rej != NULL)
			mx_out_abort(rej);
		exit(MX_EXIT_FAIL);
	}
	write_all();
	if (rej != NULL)
		mx_out_close(rej);
	if (mx_opt_stats != NULL) {
		s = mx_out_open(mx_opt_stats);
		mx_out_printf(s, "{\"tool\":\"mx-budget\",\"events\":%ju,"
		    "\"rejected\":%ju,\"blank\":%ju,\"out\":%ju}\n", st.events,
		    st.rejected, st.blank, st.out);
		mx_out_close(s);
	}
	mx_out_close(out);
	if (opt.verbose)
		mx_warnx("%ju events, %ju rejected; out: %ju", st.events,
		    st.rejected, st.out);

	mx_json_free(scan);
	mx_sel_free(sel);
	free(sp);
	mx_exprs_free(&kx);
	mx_hmap_free(tab);
	mx_buf_free(&arena);
	mx_buf_free(&kc);
	mx_buf_free(&kt);
	mx_buf_free(&tmp);
	return MX_EXIT_OK;
}
