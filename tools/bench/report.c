// SPDX-License-Identifier: GPL-2.0
/*
 * skv-bench report: merge the JSON of skv-bench and skv-bench-peers runs
 * taken in one boot, and write the ratio tables, the targets (met or
 * missed, never asserted), bench.json and the chart's data file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "suites.h"

static json_object *all;	/* merged results */

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static double jnum(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : NAN;
}

static int jint(json_object *o, const char *k)
{
	json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int(v) : 0;
}

static bool streq0(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	return !strcmp(a, b);
}

/* The result object for suite/op/variant at a size (0/0 = no size). */
static json_object *find(const char *suite, const char *op, const char *variant,
			 unsigned int kl, unsigned int vl)
{
	size_t i, n = json_object_array_length(all);

	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(all, i);

		if (streq0(jstr(o, "suite"), suite) && streq0(jstr(o, "op"), op) &&
		    streq0(jstr(o, "variant"), variant) &&
		    (unsigned int)jint(o, "key_len") == kl &&
		    (unsigned int)jint(o, "value_len") == vl &&
		    !json_object_object_get_ex(o, "not_measured", NULL) &&
		    !json_object_object_get_ex(o, "error", NULL))
			return o;
	}
	return NULL;
}

/* As find(), for a figure of @batch keys per call. */
static json_object *find_batch(const char *suite, const char *op, unsigned int batch,
			       unsigned int kl, unsigned int vl)
{
	size_t i, n = json_object_array_length(all);

	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(all, i);

		if (streq0(jstr(o, "suite"), suite) && streq0(jstr(o, "op"), op) &&
		    (unsigned int)jint(o, "batch") == batch &&
		    (unsigned int)jint(o, "key_len") == kl &&
		    (unsigned int)jint(o, "value_len") == vl &&
		    !json_object_object_get_ex(o, "not_measured", NULL) &&
		    !json_object_object_get_ex(o, "error", NULL))
			return o;
	}
	return NULL;
}

/*
 * Which statistic the ratios use. Noise in the VM only ever adds time (the
 * guest clock keeps running while the host deschedules a vCPU thread), so
 * the minimum over repetitions is the figure least disturbed; the ratios of
 * medians are shown beside it.
 */
static bool by_median;

/* min (or median) ns per key, or the value of a non-time figure; NAN if absent */
static double fig(const char *suite, const char *op, const char *variant,
		  unsigned int kl, unsigned int vl)
{
	json_object *o = find(suite, op, variant, kl, vl);

	if (!o)
		return NAN;
	if (json_object_object_get_ex(o, "ns_median", NULL))
		return jnum(o, by_median ? "ns_median" : "ns_min");
	return jnum(o, "value");
}

/* As fig(), for a figure of @batch keys per call. */
static double fig_batch(const char *suite, const char *op, unsigned int batch,
			unsigned int kl, unsigned int vl)
{
	json_object *o = find_batch(suite, op, batch, kl, vl);

	return o ? jnum(o, by_median ? "ns_median" : "ns_min") : NAN;
}

static const char *not_measured_why(const char *suite, const char *op)
{
	size_t i, n = json_object_array_length(all);

	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(all, i);

		if (streq0(jstr(o, "suite"), suite) &&
		    (streq0(jstr(o, "op"), op) || streq0(jstr(o, "op"), "all")) &&
		    json_object_object_get_ex(o, "not_measured", NULL))
			return jstr(o, "not_measured");
	}
	return NULL;
}

static double null_ioctl(void)
{
	return fig("floor", "null_ioctl", NULL, 0, 0);
}

static const char *size_label(unsigned int kl, unsigned int vl, char *buf, size_t len)
{
	if (vl >= 1024)
		snprintf(buf, len, "%u B/%u KiB", kl, vl / 1024);
	else
		snprintf(buf, len, "%u B/%u B", kl, vl);
	return buf;
}

/* ------------------------------------------------------ table of figures */

static void table_figures(FILE *f)
{
	size_t i, n = json_object_array_length(all);
	double null = null_ioctl();
	char sz[32], name[96];

	double null_med;

	by_median = true;
	null_med = null_ioctl();
	by_median = false;
	fprintf(f, "\n## Every figure and its ratio to the null ioctl\n\n");
	fprintf(f, "ns per key over the repetitions (min and median), one call timed alone (median, p99); "
		"× null ioctl = min ÷ min (median ÷ median).\n\n");
	fprintf(f, "| figure | key/value | min ns | median ns | 1 call median | 1 call p99 | × null ioctl |\n");
	fprintf(f, "|---|---|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(all, i);
		const char *var = jstr(o, "variant");
		int batch = jint(o, "batch");
		double med = jnum(o, "ns_median"), p99 = jnum(o, "lat_p99_ns");
		double mn = jnum(o, "ns_min"), lmed = jnum(o, "lat_median_ns");

		if (isnan(med))
			continue;
		snprintf(name, sizeof(name), "%s %s%s%s%s", jstr(o, "suite"), jstr(o, "op"),
			 var ? " " : "", var ? var : "", "");
		if (batch > 1) {
			size_t l = strlen(name);

			snprintf(name + l, sizeof(name) - l, " ×%d", batch);
		}
		if (jint(o, "key_len"))
			size_label(jint(o, "key_len"), jint(o, "value_len"), sz, sizeof(sz));
		else
			snprintf(sz, sizeof(sz), "—");
		fprintf(f, "| %s | %s | %.0f | %.0f | ", name, sz, mn, med);
		if (isnan(p99))
			fprintf(f, "— | — | ");
		else
			fprintf(f, "%.0f | %.0f | ", lmed, p99);
		if (isnan(null))
			fprintf(f, "— |\n");
		else
			fprintf(f, "%.2f (%.2f) |\n", mn / null, med / null_med);
	}
}

/* ------------------------------------------------------- skv vs the peers */

struct cmp {
	const char *label;
	const char *suite, *op, *variant;
};

static const struct cmp cmp_get[] = {
	{ "BPF lookup", "bpf", "lookup", NULL },
	{ "Redis GET, same CPU", "redis", "get", "same-cpu" },
	{ "Redis GET, cross CPU", "redis", "get", "cross-cpu" },
	{ "memcached get, same CPU", "memcached", "get", "same-cpu" },
	{ "memcached get, cross CPU", "memcached", "get", "cross-cpu" },
	{ "LMDB get, txn reused", "lmdb", "get", NULL },
	{ "LMDB get, txn per op", "lmdb", "get_txn", NULL },
	{ NULL },
};

static const struct cmp cmp_put[] = {
	{ "BPF update", "bpf", "update", NULL },
	{ "Redis SET, same CPU", "redis", "set", "same-cpu" },
	{ "Redis SET, cross CPU", "redis", "set", "cross-cpu" },
	{ "memcached set, same CPU", "memcached", "set", "same-cpu" },
	{ "memcached set, cross CPU", "memcached", "set", "cross-cpu" },
	{ "LMDB put, NOSYNC", "lmdb", "put", NULL },
	{ "LMDB put, NOSYNC+WRITEMAP", "lmdb", "put_writemap", NULL },
	{ NULL },
};

static const struct cmp cmp_batch[] = {
	{ "BPF LOOKUP_BATCH 64", "bpf", "lookup_batch", NULL },
	{ "Redis 64 pipelined GETs, same CPU", "redis", "get_pipeline", "same-cpu" },
	{ "Redis MGET 64, same CPU", "redis", "mget", "same-cpu" },
	{ "Redis MGET 64, cross CPU", "redis", "mget", "cross-cpu" },
	{ "memcached multi-get 64, same CPU", "memcached", "mget", "same-cpu" },
	{ "memcached multi-get 64, cross CPU", "memcached", "mget", "cross-cpu" },
	{ NULL },
};

static json_object *ratios;	/* for bench.json */

static void cmp_rows(FILE *f, const char *what, const char *sop,
		     const struct cmp *c, unsigned int kl, unsigned int vl)
{
	char key[160];

	for (; c->label; c++) {
		double skv = fig("skv", sop, NULL, kl, vl);
		double p = fig(c->suite, c->op, c->variant, kl, vl), pm, skvm;

		by_median = true;
		pm = fig(c->suite, c->op, c->variant, kl, vl);
		skvm = fig("skv", sop, NULL, kl, vl);
		by_median = false;
		if (isnan(p) || isnan(skv)) {
			fprintf(f, "| %s | %s | — | — | not measured |\n", what, c->label);
			continue;
		}
		fprintf(f, "| %s | %s | %.3f | %.3f | %s %.1f× %s |\n", what, c->label,
			skv / p, skvm / pm, skv <= p ? "skv" : "peer",
			skv <= p ? p / skv : skv / p, "faster");
		snprintf(key, sizeof(key), "skv %s / %s, %u/%u", what, c->label, kl, vl);
		json_object_object_add(ratios, key, json_object_new_double(round(skv / p * 1e4) / 1e4));
	}
}

static void table_peers(FILE *f)
{
	unsigned int s;
	char sz[32];

	fprintf(f, "\n## skv against each peer (ratio of times: skv ÷ peer; below 1 = skv faster)\n");
	fprintf(f, "\nsame CPU = client and server pinned to one vCPU (taskset); cross CPU = on different vCPUs.\n");
	for (s = 0; s < bench_nr_sizes; s++) {
		unsigned int kl = bench_sizes[s].key_len, vl = bench_sizes[s].value_len;

		fprintf(f, "\n### %s\n\n", size_label(kl, vl, sz, sizeof(sz)));
		fprintf(f, "| skv op | peer | skv ÷ peer (min) | (median) | |\n|---|---|---:|---:|---|\n");
		cmp_rows(f, "GET", "get", cmp_get, kl, vl);
		cmp_rows(f, "PUT", "put", cmp_put, kl, vl);
		cmp_rows(f, "BATCH 64 GET, per key", "get_batch", cmp_batch, kl, vl);
	}
}

/* ---------------------------------------------------------------- targets */

static json_object *targets;

static double t_get_null(void) { return fig("skv", "get", NULL, 16, 64) / null_ioctl(); }
static double t_get_bpf(void)
{
	return fig("skv", "get", NULL, 16, 64) / fig("bpf", "lookup", NULL, 16, 64);
}
static double t_put_null(void) { return fig("skv", "put", NULL, 16, 64) / null_ioctl(); }
static double t_redis_get(void)
{
	return fig("redis", "get", "same-cpu", 16, 64) / fig("skv", "get", NULL, 16, 64);
}
static double t_redis_set(void)
{
	return fig("redis", "set", "same-cpu", 16, 64) / fig("skv", "put", NULL, 16, 64);
}
static double t_batch_get(void)
{
	return fig("skv", "get_batch", NULL, 16, 64) / fig("skv", "get", NULL, 16, 64);
}
static double t_batch_put(void)
{
	return fig("skv", "put_batch", NULL, 16, 64) / fig("skv", "put", NULL, 16, 64);
}
static double t_scale(void) { return fig("scale", "skv_get", NULL, 16, 64); }
/* issue #16 */
static double t_put_bpf(void)
{
	return fig("skv", "put", NULL, 16, 64) / fig("bpf", "update", NULL, 16, 64);
}
static double t_put_insert_bpf(void)
{
	return fig("skv", "put_insert", NULL, 16, 64) / fig("bpf", "update", NULL, 16, 64);
}
static double t_batch64_get(void)
{
	return fig_batch("skv", "get_batch", 64, 16, 64) / fig("skv", "get", NULL, 16, 64);
}
static double t_batch64_get_bpf(void)
{
	return fig_batch("skv", "get_batch", 64, 16, 64) /
	       fig_batch("bpf", "lookup_batch", 64, 16, 64);
}
static double t_batch64_put(void)
{
	return fig_batch("skv", "put_batch", 64, 16, 64) / fig("skv", "put", NULL, 16, 64);
}
static double t_scale_getppid(void)
{
	return fig("scale", "skv_get", NULL, 16, 64) / fig("scale", "getppid", NULL, 16, 64);
}
static double t_mem(void) { return fig("memory", "skv_overhead_per_entry", NULL, 16, 64); }
static double t_events(void) { return fig("events", "put_no_subscriber_overhead", NULL, 16, 64); }

/* Mapped tables (issue 13): user space against user space, and the peers. */
static double t_map_local(void)
{
	return fig("mapped", "get", NULL, 16, 64) / fig("local", "get", NULL, 16, 64);
}
static double t_map_bpf(void)
{
	return fig("mapped", "get", NULL, 16, 64) / fig("bpf", "lookup", NULL, 16, 64);
}
static double t_map_ioctl(void)
{
	return fig("mapped", "get", NULL, 16, 64) / fig("skv", "get", NULL, 16, 64);
}
static double t_map_scale(void) { return fig("scale", "mapped_get", NULL, 16, 64); }
static double t_map_put(void)
{
	return fig("mapped", "put", NULL, 16, 64) / fig("mapped", "put_normal", NULL, 16, 64);
}
static double t_map_null(void) { return fig("mapped", "get", NULL, 16, 64) / null_ioctl(); }

/* skv-sync (issue 14): the replica against etcd's own watch delivery */
static double t_sync_apply(void)
{
	return fig("sync", "etcdctl_watch", NULL, 16, 64) / fig("sync", "apply", NULL, 16, 64);
}

static const struct target_def {
	const char *name;
	double limit;
	bool at_most;
	const char *unit;
	double (*value)(void);
	const char *suite, *op;	/* where a "not measured" reason is */
} target_defs[] = {
	{ "skv GET ÷ null ioctl", 2.0, true, "×", t_get_null, "skv", "get" },
	{ "skv GET ÷ BPF-map lookup via bpf(2)", 0.4, true, "×", t_get_bpf, "skv", "get" },
	{ "skv PUT ÷ null ioctl", 3.5, true, "×", t_put_null, "skv", "put" },
	{ "Redis GET (unix socket, same vCPU) ÷ skv GET", 50, false, "×", t_redis_get, "redis", "get" },
	{ "Redis SET (unix socket, same vCPU) ÷ skv PUT", 50, false, "×", t_redis_set, "redis", "set" },
	{ "skv BATCH of 64 GETs, per key ÷ single GET", 0.25, true, "×", t_batch_get, "skv", "get_batch" },
	{ "skv BATCH of 64 PUTs, per key ÷ single PUT", 0.25, true, "×", t_batch_put, "skv", "put_batch" },
	{ "2 reader threads ÷ 1 (aggregate skv GET rate)", 1.8, false, "×", t_scale, "scale", "skv_get" },
	{ "kernel bytes per entry beyond key+value (1M entries)", 64, true, " B", t_mem, "memory", "skv" },
	{ "write cost with no event subscriber", 5, true, "%", t_events, "events", "put_subscriber" },
	{ "mapped GET ÷ in-process hash lookup", 2.0, true, "×", t_map_local, "mapped", "get" },
	{ "mapped GET ÷ BPF-map lookup via bpf(2)", 0.2, true, "×", t_map_bpf, "mapped", "get" },
	{ "mapped GET ÷ skv ioctl GET", 0.2, true, "×", t_map_ioctl, "mapped", "get" },
	{ "2 mapped readers ÷ 1 (aggregate rate)", 1.9, false, "×", t_map_scale, "mapped", "get" },
	{ "PUT on a mapped table ÷ PUT on a normal one", 1.3, true, "×", t_map_put, "mapped", "put" },
	{ "mapped GET ÷ null ioctl (the old moonshot)", 0.5, true, "×", t_map_null, "mapped", "get" },
	/* issue #16: against BPF, in-kernel work against in-kernel work */
	{ "#16 skv GET ÷ BPF-map lookup via bpf(2)", 0.8, true, "×", t_get_bpf, "skv", "get" },
	{ "#16 skv PUT (replace) ÷ BPF-map update", 1.0, true, "×", t_put_bpf, "skv", "put" },
	{ "#16 skv PUT (insert) ÷ BPF-map update", 1.2, true, "×", t_put_insert_bpf, "skv", "put_insert" },
	{ "#16 BATCH of 64 GETs, per key ÷ single GET", 0.35, true, "×", t_batch64_get, "skv", "get_batch" },
	{ "#16 BATCH of 64 GETs, per key ÷ BPF LOOKUP_BATCH 64, per key", 1.0, true, "×", t_batch64_get_bpf, "skv", "get_batch" },
	{ "#16 BATCH of 64 PUTs, per key ÷ single PUT", 0.5, true, "×", t_batch64_put, "skv", "put_batch" },
	{ "#16 kernel bytes per entry beyond key+value (1M entries, buckets counted)", 64, true, " B", t_mem, "memory", "skv" },
	{ "#16 read scaling on 2 vCPUs ÷ getppid()'s scaling", 0.95, false, "×", t_scale_getppid, "scale", "skv_get" },
	/* issue 14 */
	{ "skv-sync replica apply rate ÷ etcdctl watch delivery rate", 0.8, false, "×", t_sync_apply, "sync", "apply" },
	{ NULL },
};

/*
 * The cost curve (#16): GET, PUT and memory per entry at each table size
 * of the curve suite, and the worst insert while the table grew.
 */
static void table_curve(FILE *f)
{
	size_t i, n = json_object_array_length(all);
	double null = null_ioctl(), bpf = fig("bpf", "lookup", NULL, 16, 64);
	bool hdr = false;
	char op[64];

	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(all, i);
		const char *var = jstr(o, "variant");
		double get, put, mem, p999, mx;
		unsigned int entries;

		if (!streq0(jstr(o, "suite"), "curve") || !streq0(jstr(o, "op"), "get") ||
		    !var || sscanf(var, "n=%u", &entries) != 1)
			continue;
		if (!hdr) {
			fprintf(f, "\n## Cost curve (16 B keys / 64 B values, random key order)\n\n");
			fprintf(f, "GET and PUT (replace): min ns per key and × null ioctl (× BPF lookup at 100,000 keys); "
				"memory: kernel bytes per entry beyond key+value, bucket arrays counted; "
				"insert latency: every PUT that filled the table from empty, timed alone, "
				"while the table grew by rehashing.\n\n");
			fprintf(f, "| entries | GET ns | × null | × BPF lookup | PUT ns | × null | bytes/entry | "
				"insert p99.9 ns | insert max ns |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
			hdr = true;
		}
		get = fig("curve", "get", var, 16, 64);
		put = fig("curve", "put", var, 16, 64);
		snprintf(op, sizeof(op), "curve_n%u_overhead_per_entry", entries);
		mem = fig("memory", op, NULL, 16, 64);
		p999 = fig("curve", "insert_latency_p99_9", var, 16, 64);
		mx = fig("curve", "insert_latency_max", var, 16, 64);
		fprintf(f, "| %u | %.0f | %.2f | %.2f | %.0f | %.2f | %.1f | ", entries, get,
			get / null, get / bpf, put, put / null, mem);
		if (isnan(p999))
			fprintf(f, "— | — |\n");
		else
			fprintf(f, "%.0f | %.0f |\n", p999, mx);
	}
}

/* ------------------------------------------------------------ skv-sync */

/* The rep of @o with the best rate: its CPU split, one line a process. */
static void sync_cpu(FILE *f, json_object *o)
{
	json_object *reps, *best = NULL, *cpu;
	double rate = 0;
	size_t i;

	if (!json_object_object_get_ex(o, "reps", &reps))
		return;
	for (i = 0; i < json_object_array_length(reps); i++) {
		json_object *r = json_object_array_get_idx(reps, i);

		if (jnum(r, "rate") > rate) {
			rate = jnum(r, "rate");
			best = r;
		}
	}
	if (!best || !json_object_object_get_ex(best, "cpu", &cpu))
		return;
	json_object_object_foreach(cpu, name, c) {
		json_object *th;

		fprintf(f, "%s: user %.0f ms, system %.0f ms", name,
			jnum(c, "user_ms_per_1000"), jnum(c, "sys_ms_per_1000"));
		if (json_object_object_get_ex(c, "threads_ms_per_1000", &th) &&
		    json_object_object_length(th) > 1) {
			const char *sep = " (threads: ";

			json_object_object_foreach(th, tn, tv) {
				fprintf(f, "%s%s %s", sep, tn, json_object_get_string(tv));
				sep = "; ";
			}
			fprintf(f, ")");
		}
		fprintf(f, "; ");
	}
}

static void sync_rate_row(FILE *f, const char *label, const char *op, const char *per)
{
	json_object *o = find("sync", op, NULL, 16, 64);
	json_object *reps;

	if (!o) {
		const char *why = not_measured_why("sync", op);

		fprintf(f, "| %s | — | — | — | not measured%s%s |\n", label, why ? ": " : "",
			why ? why : "");
		return;
	}
	json_object_object_get_ex(o, "reps", &reps);
	fprintf(f, "| %s | %.0f | %.0f | %.0f–%.0f (%zu) | ", label, jnum(o, "rate_best"),
		jnum(o, "rate_median"), jnum(o, "rate_worst"), jnum(o, "rate_best"),
		reps ? json_object_array_length(reps) : 0);
	sync_cpu(f, o);
	fprintf(f, "per %s |\n", per);
}

static void table_sync(FILE *f)
{
	json_object *lag = find("sync", "lag", NULL, 16, 64);
	double w = fig("sync", "etcdctl_watch", NULL, 16, 64);
	double g = fig("sync", "gateway_watch", NULL, 16, 64);
	double a = fig("sync", "apply", NULL, 16, 64);
	double wb = fig("sync", "writebehind", NULL, 16, 64);
	double rb = fig("sync", "redis_benchmark_set", NULL, 16, 64);
	double am, wm, gm;
	size_t i, n = json_object_array_length(all);
	const char *sep = "";

	if (isnan(w) && isnan(a) && isnan(wb) && !not_measured_why("sync", "replica") &&
	    !not_measured_why("sync", "writebehind"))
		return;
	by_median = true;
	am = fig("sync", "apply", NULL, 16, 64);
	wm = fig("sync", "etcdctl_watch", NULL, 16, 64);
	gm = fig("sync", "gateway_watch", NULL, 16, 64);
	by_median = false;
	fprintf(f, "\n## skv-sync: the replica against etcd's watch, write-behind against redis-benchmark\n\n");
	fprintf(f, "One etcd member on the guest's loopback, Redis on a unix socket, nothing pinned; "
		"16 B keys, 64 B values, one put per etcd revision. Rates per second of emulated time; "
		"best and median over the repetitions, which interleave. A watch rate counts from the first event "
		"seen to the last (less those seen at once): no watcher's start is counted, and skv-sync, which "
		"shows its first key only after parsing etcd's whole first message (up to 1000 revisions), "
		"is favoured by up to that message. CPU: of the best repetition, per 1000 revisions (or keys).\n\n");
	fprintf(f, "| figure | best /s | median /s | range (reps) | CPU |\n|---|---:|---:|---|---|\n");
	sync_rate_row(f, "etcd watch delivery: etcdctl watch (gRPC), revisions", "etcdctl_watch", "1000 revisions");
	sync_rate_row(f, "etcd watch delivery: JSON gateway read by curl, revisions", "gateway_watch", "1000 revisions");
	sync_rate_row(f, "skv-sync replica: revisions applied into the table", "apply", "1000 revisions");
	sync_rate_row(f, "skv-sync write-behind: table writes reaching Redis, keys", "writebehind", "1000 keys");
	sync_rate_row(f, "redis-benchmark SET -P 512, one connection, keys", "redis_benchmark_set", "1000 keys");
	fprintf(f, "\n");
	if (!isnan(a) && !isnan(w)) {
		fprintf(f, "Replica apply rate ÷ etcdctl watch rate: %.3g× (medians %.3g×)", w / a, wm / am);
		json_object_object_add(ratios, "skv-sync apply rate / etcdctl watch rate",
				       json_object_new_double(round(w / a * 1e4) / 1e4));
		if (!isnan(g)) {
			fprintf(f, "; ÷ the JSON gateway's rate: %.3g× (medians %.3g×); "
				"the gateway ÷ etcdctl: %.3g×", g / a, gm / am, w / g);
			json_object_object_add(ratios, "skv-sync apply rate / JSON gateway watch rate",
					       json_object_new_double(round(g / a * 1e4) / 1e4));
		}
		fprintf(f, ".\n");
	}
	if (lag)
		fprintf(f, "\nLag from an etcd put to the value visible in the table (%d puts, one at a time, %d ms apart): "
			"p50 %.2f ms, p99 %.2f ms, max %.2f ms; of which the put's own round trip (etcd's commit) p50 %.2f ms, p99 %.2f ms, "
			"and from the put's reply to the value visible p50 %.2f ms, p99 %.2f ms.\n",
			jint(lag, "samples"), jint(lag, "gap_ms"), jnum(lag, "lag_p50_ms"),
			jnum(lag, "lag_p99_ms"), jnum(lag, "lag_max_ms"),
			jnum(lag, "put_rtt_p50_ms"), jnum(lag, "put_rtt_p99_ms"),
			jnum(lag, "after_ack_p50_ms"), jnum(lag, "after_ack_p99_ms"));
	if (!isnan(wb) && !isnan(rb)) {
		fprintf(f, "\nWrite-behind ÷ redis-benchmark SET -P 512 (best rates): %.3g×", rb / wb);
		json_object_object_add(ratios, "skv-sync write-behind rate / redis-benchmark SET -P 512 rate",
				       json_object_new_double(round(rb / wb * 1e4) / 1e4));
		for (i = 0; i < n; i++) {
			json_object *o = json_object_array_get_idx(all, i);
			const char *op = jstr(o, "op");

			if (!streq0(jstr(o, "suite"), "sync") || !op || !strstr(op, "_resyncs_rep"))
				continue;
			fprintf(f, "%s%.0f", *sep ? sep : "; resyncs (event socket overflows) in each repetition: ",
				jnum(o, "value"));
			sep = ", ";
		}
		fprintf(f, ".\n");
	}
}

static void table_targets(FILE *f)
{
	const struct target_def *t;

	fprintf(f, "\n## Targets at 16 B keys / 64 B values (reported, not asserted)\n\n");
	fprintf(f, "Judged on the ratio of minimums over the repetitions; the ratio of medians is shown beside it.\n\n");
	fprintf(f, "| target | limit | measured (min) | (median) | verdict |\n|---|---|---:|---:|---|\n");
	for (t = target_defs; t->name; t++) {
		json_object *o = json_object_new_object();
		const char *verdict, *why = NULL;
		double v, vm;

		by_median = true;
		vm = t->value();
		by_median = false;
		v = t->value();
		if (isnan(v)) {
			verdict = "not measured";
			why = not_measured_why(t->suite, t->op);
			if (!why && strcmp(t->suite, "skv"))
				why = not_measured_why("skv", "get");
		} else if (t->at_most ? v <= t->limit : v >= t->limit) {
			verdict = "met";
		} else if (t->value == t_events &&
			   fabs(fig("events", "put_control_spread", NULL, 16, 64)) >= t->limit) {
			verdict = "MISSED, inconclusive here: two identical tables differ by as much (see below)";
		} else if ((t->value == t_scale || t->value == t_map_scale) &&
			   fig("scale", "getppid", NULL, 16, 64) < t->limit) {
			/* the VM could not run two threads at once at all */
			verdict = "MISSED, inconclusive here: getppid() itself does not scale (see below)";
		} else {
			verdict = "MISSED";
		}
		fprintf(f, "| %s | %s %g%s | ", t->name, t->at_most ? "≤" : "≥", t->limit, t->unit);
		if (isnan(v))
			fprintf(f, "— | — | not measured%s%s |\n", why ? ": " : "", why ? why : "");
		else
			fprintf(f, "%.3g%s | %.3g%s | %s |\n", v, t->unit, vm, t->unit, verdict);
		json_object_object_add(o, "target", json_object_new_string(t->name));
		json_object_object_add(o, "limit", json_object_new_double(t->limit));
		json_object_object_add(o, "at_most", json_object_new_boolean(t->at_most));
		if (!isnan(v)) {
			json_object_object_add(o, "value", json_object_new_double(round(v * 1e4) / 1e4));
			json_object_object_add(o, "value_by_medians", json_object_new_double(round(vm * 1e4) / 1e4));
		}
		json_object_object_add(o, "verdict", json_object_new_string(verdict));
		if (why)
			json_object_object_add(o, "why", json_object_new_string(why));
		json_object_array_add(targets, o);
	}
	{
		double g = fig("scale", "getppid", NULL, 16, 64);

		if (!isnan(g))
			fprintf(f, "\nFor the scaling target (2 threads pinned to the 2 vCPUs, each with its own fd unless said): "
				"in this VM getppid() itself scales %.2f×, a null ioctl %.2f×, a BPF lookup %.2f×; "
				"skv GET with both threads on one shared fd %.2f×.\n", g,
				fig("scale", "null_ioctl", NULL, 16, 64),
				fig("scale", "bpf_lookup", NULL, 16, 64),
				fig("scale", "skv_get_shared_fd", NULL, 16, 64));
	}
	{
		double l = fig("local", "get", NULL, 16, 64), b = fig("bpf", "lookup", NULL, 16, 64);

		if (!isnan(l))
			fprintf(f, "\nFor the mapped-table targets: in this boot the in-process hash lookup, the floor of any read "
				"from shared memory, costs %.3g× a BPF-map lookup and %.3g× the null ioctl; a mapped GET cannot go "
				"below those ratios here (it costs %.3g× the in-process lookup). Two mapped readers ÷ one: %.2f×, "
				"against getppid() %.2f× in the same boot.\n",
				l / b, l / null_ioctl(), fig("mapped", "get", NULL, 16, 64) / l,
				fig("scale", "mapped_get", NULL, 16, 64), fig("scale", "getppid", NULL, 16, 64));
	}
	{
		double sc = fig("events", "put_subscriber_cost", NULL, 16, 64);

		if (!isnan(sc))
			fprintf(f, "\nEvents (PUT, ns per key, min over interleaved repetitions): table never subscribed %.0f, "
				"table whose subscriber left %.0f, table with one subscriber draining on the other vCPU %.0f (%+.1f%%). "
				"The no-subscriber target compares the first two "
				"(the module cannot be built without events within one boot); two tables that never had a "
				"subscriber differ by %+.1f%%, the resolution of that comparison here.\n",
				fig("events", "put", "0-subscribers", 16, 64),
				fig("events", "put", "0-subscribers-after-unsubscribe", 16, 64),
				fig("events", "put", "1-subscriber", 16, 64), sc,
				fig("events", "put_control_spread", NULL, 16, 64));
	}
	table_curve(f);
	{
		double rtt = fig("unix", "rtt_1byte", "same-cpu", 0, 0), null = null_ioctl();

		if (!isnan(rtt) && !isnan(null))
			fprintf(f, "\nFor the socket peers: an AF_UNIX 1-byte round trip on one vCPU costs %.0f× the null ioctl here, "
				"against 69× natively (../shared/BENCHMARKS.md): the emulator inflates context switches "
				"%.1f× more than a syscall, so socket peers look that much slower here than on a native host.\n",
				rtt / null, rtt / null / 69);
		/*
		 * Redis natively costs 100x the null ioctl (BENCHMARKS.md);
		 * a mapped GET makes no system call, so the emulator's
		 * syscall cost is the unit that carries over.
		 */
		if (!isnan(rtt) && !isnan(null) &&
		    !isnan(fig("mapped", "get", NULL, 16, 64)))
			fprintf(f, "\nMapped GET against Redis natively, estimated: Redis GET over a unix socket costs 100× the null "
				"ioctl on a native host (../shared/BENCHMARKS.md) and a mapped GET %.3g× it here, so Redis would take "
				"about %.0f× a mapped GET natively, if the emulator slows the mapped read (user-space loads, no "
				"system call) as much as it slows a system call; it slows it less, so this undercounts.\n",
				fig("mapped", "get", NULL, 16, 64) / null,
				100 / (fig("mapped", "get", NULL, 16, 64) / null));
	}
}

/* --------------------------------------------------------------- the chart */

struct chart_row {
	const char *label, *suite, *op, *variant;
};

static const struct chart_row chart[] = {
	{ "null ioctl", "floor", "null_ioctl", NULL },
	{ "getppid()", "floor", "getppid", NULL },
	{ "skv GET", "skv", "get", NULL },
	{ "skv mapped GET (no syscall)", "mapped", "get", NULL },
	{ "in-process hash lookup", "local", "get", NULL },
	{ "skv GET, batch 64 (per key)", "skv", "get_batch", NULL },
	{ "skv PUT", "skv", "put", NULL },
	{ "skv DELETE", "skv", "delete", NULL },
	{ "skv INCR", "skv", "incr", NULL },
	{ "skv GET over netlink", "netlink", "get", NULL },
	{ "BPF lookup", "bpf", "lookup", NULL },
	{ "BPF update", "bpf", "update", NULL },
	{ "LMDB get", "lmdb", "get", NULL },
	{ "LMDB put", "lmdb", "put", NULL },
	{ "memcached get, same CPU", "memcached", "get", "same-cpu" },
	{ "Redis GET, same CPU", "redis", "get", "same-cpu" },
	{ "Redis MGET 64, same CPU (per key)", "redis", "mget", "same-cpu" },
	{ "Redis GET, cross CPU", "redis", "get", "cross-cpu" },
	{ NULL },
};

static int write_chart_data(const char *path)
{
	FILE *f = fopen(path, "w");
	double null = null_ioctl();
	const struct chart_row *r;
	unsigned int s;

	if (!f)
		return -errno;
	fprintf(f, "# label");
	for (s = 0; s < bench_nr_sizes; s++)
		fprintf(f, "\t%u/%u", bench_sizes[s].key_len, bench_sizes[s].value_len);
	fprintf(f, "\n");
	for (r = chart; r->label; r++) {
		fprintf(f, "\"%s\"", r->label);
		for (s = 0; s < bench_nr_sizes; s++) {
			double v = !strcmp(r->suite, "floor") ?
				fig(r->suite, r->op, NULL, 0, 0) :
				fig(r->suite, r->op, r->variant, bench_sizes[s].key_len,
				    bench_sizes[s].value_len);

			if (isnan(v) || isnan(null))
				fprintf(f, "\t-");
			else
				fprintf(f, "\t%.3f", v / null);
		}
		fprintf(f, "\n");
	}
	fclose(f);
	return 0;
}

/*
 * The cost curve's data (tools/bench/bench_curve.gp): entries, GET and PUT
 * as multiples of the null ioctl, bytes per entry; nothing if not run.
 */
static int write_curve_data(const char *path)
{
	size_t i, n = json_object_array_length(all);
	double null = null_ioctl();
	unsigned int entries;
	FILE *f = NULL;
	char op[64];

	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(all, i);
		const char *var = jstr(o, "variant");

		if (!streq0(jstr(o, "suite"), "curve") || !streq0(jstr(o, "op"), "get") ||
		    !var || sscanf(var, "n=%u", &entries) != 1)
			continue;
		if (!f) {
			f = fopen(path, "w");
			if (!f)
				return -errno;
			fprintf(f, "# entries\tget_x_null\tput_x_null\tbytes_per_entry\n");
		}
		snprintf(op, sizeof(op), "curve_n%u_overhead_per_entry", entries);
		fprintf(f, "%u\t%.3f\t%.3f\t%.1f\n", entries,
			fig("curve", "get", var, 16, 64) / null,
			fig("curve", "put", var, 16, 64) / null,
			fig("memory", op, NULL, 16, 64));
	}
	if (f)
		fclose(f);
	return 0;
}

/* ---------------------------------------------------------------- output */

static const char *emulated_note =
	"Times inside the TCG VM are emulated: absolute numbers mean nothing and "
	"move from run to run; only ratios taken in the same boot carry over.";

static void text_report(FILE *f, json_object *facts)
{
	fprintf(f, "# skv benchmark\n\n");
	if (facts) {
		const char *env = jstr(facts, "environment");

		fprintf(f, "Kernel %s, %s, %d CPUs, clocksource %s%s%s.\n",
			jstr(facts, "kernel_release") ?: "?",
			jstr(facts, "cpu_model") ?: "?", jint(facts, "cpus_online"),
			jstr(facts, "clocksource") ?: "?", env ? ", " : "", env ? env : "");
		fprintf(f, "%d keys preloaded per size (%d for 16 KiB values), random key order, one op at a time and in batches; "
			"%d repetitions of ~%.0f ms each per figure after a warm-up; ratios use the minimum over the repetitions "
			"(host noise only adds time), medians beside them; single-call median and p99 from up to %d calls.\n",
			jint(facts, "keys"), jint(facts, "keys_large_values"), jint(facts, "reps"),
			jnum(facts, "rep_ms"), jint(facts, "lat_ops"));
		if ((env && strstr(env, "TCG")) ||
		    (jstr(facts, "cpu_model") && strstr(jstr(facts, "cpu_model"), "QEMU")))
			fprintf(f, "\n**%s**\n", emulated_note);
	}
	table_figures(f);
	table_peers(f);
	table_sync(f);
	table_targets(f);
	{
		size_t i, n = json_object_array_length(all);
		bool hdr = false;

		for (i = 0; i < n; i++) {
			json_object *o = json_object_array_get_idx(all, i);

			if (!json_object_object_get_ex(o, "not_measured", NULL) &&
			    !json_object_object_get_ex(o, "error", NULL))
				continue;
			if (!hdr)
				fprintf(f, "\n## Not measured\n\n");
			hdr = true;
			fprintf(f, "- %s %s: %s\n", jstr(o, "suite"), jstr(o, "op"),
				jstr(o, "not_measured") ?: jstr(o, "error"));
		}
	}
}

void report_print_quick(json_object *results, FILE *out)
{
	all = results;
	ratios = json_object_new_object();
	targets = json_object_new_array();
	text_report(out, NULL);
	json_object_put(ratios);
	json_object_put(targets);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: skv-bench report [--out DIR] [--fact KEY=VALUE]... FILE.json...\n"
"\n"
"Merges the results of skv-bench and skv-bench-peers runs of one boot and\n"
"writes DIR/bench.txt (the tables and the targets, also printed),\n"
"DIR/bench.json (every raw figure, the facts, ratios and targets) and\n"
"DIR/bench.dat (the chart's data for tools/bench/bench.gp). The first\n"
"file's facts describe the machine; --fact adds more (e.g. the VM's).\n");
}

int report_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "fact", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	json_object *facts = NULL, *extra = json_object_new_object(), *root, *sources;
	const char *out = ".";
	char path[4096];
	FILE *f;
	int c, i;

	while ((c = getopt_long(argc, argv, "o:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'f': {
			char *eq = strchr(optarg, '=');

			if (!eq) {
				fprintf(stderr, "skv-bench report: --fact wants KEY=VALUE\n");
				return 2;
			}
			*eq = 0;
			json_object_object_add(extra, optarg, json_object_new_string(eq + 1));
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return 2;
	}
	all = json_object_new_array();
	sources = json_object_new_array();
	for (i = optind; i < argc; i++) {
		json_object *doc = json_object_from_file(argv[i]), *res, *fa;
		size_t k;

		if (doc && !json_object_is_type(doc, json_type_object)) {
			json_object_put(doc);
			doc = NULL;
		}
		if (!doc) {
			fprintf(stderr, "skv-bench report: cannot read %s: %s\n", argv[i],
				json_util_get_last_err());
			return 1;
		}
		if (json_object_object_get_ex(doc, "results", &res))
			for (k = 0; k < json_object_array_length(res); k++)
				json_object_array_add(all, json_object_get(json_object_array_get_idx(res, k)));
		if (!facts && json_object_object_get_ex(doc, "facts", &fa))
			facts = json_object_get(fa);
		json_object_array_add(sources, json_object_new_string(argv[i]));
		json_object_put(doc);
	}
	if (!facts)
		facts = json_object_new_object();
	json_object_object_foreach(extra, k, v)
		json_object_object_add(facts, k, json_object_get(v));
	json_object_put(extra);

	mkdir(out, 0755);
	ratios = json_object_new_object();
	targets = json_object_new_array();
	snprintf(path, sizeof(path), "%s/bench.txt", out);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "skv-bench report: %s: %s\n", path, strerror(errno));
		return 1;
	}
	text_report(f, facts);
	fclose(f);
	/* the same text on stdout: re-render rather than re-read */
	json_object_put(ratios);
	json_object_put(targets);
	ratios = json_object_new_object();
	targets = json_object_new_array();
	text_report(stdout, facts);

	snprintf(path, sizeof(path), "%s/bench.dat", out);
	if (write_chart_data(path)) {
		fprintf(stderr, "skv-bench report: %s: %s\n", path, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/curve.dat", out);
	unlink(path);
	if (write_curve_data(path)) {
		fprintf(stderr, "skv-bench report: %s: %s\n", path, strerror(errno));
		return 1;
	}
	root = json_object_new_object();
	json_object_object_add(root, "note", json_object_new_string(emulated_note));
	json_object_object_add(root, "facts", facts);
	json_object_object_add(root, "sources", sources);
	json_object_object_add(root, "targets", targets);
	json_object_object_add(root, "ratios", ratios);
	json_object_object_add(root, "results", all);
	snprintf(path, sizeof(path), "%s/bench.json", out);
	if (json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) {
		fprintf(stderr, "skv-bench report: cannot write %s\n", path);
		return 1;
	}
	json_object_put(root);
	return 0;
}
