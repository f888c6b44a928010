// SPDX-License-Identifier: GPL-2.0
/*
 * skv-bench: timing, statistics, results and machine facts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "bench.h"

const struct bench_size bench_sizes[] = {
	{ 16, 64 }, { 32, 1024 }, { 32, 16384 },
};
const unsigned int bench_nr_sizes = sizeof(bench_sizes) / sizeof(bench_sizes[0]);

struct bench_cfg cfg = {
	.keys = 100000,
	.keys_large = 10000,
	.reps = 15,
	.rep_ms = 5,
	.lat_ops = 2000,
	.lat_budget_ms = 400,
	.mem_entries = 1000000,
	.curve = "10000,100000,1000000",
	.cpu_a = 0,
	.cpu_b = 1,
};

static json_object *results;
static double clock_overhead_ns = -1;

json_object *bench_results(void)
{
	if (!results)
		results = json_object_new_array();
	return results;
}

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

void bench_log(const char *fmt, ...)
{
	static double t0;
	va_list ap;

	if (cfg.quiet)
		return;
	if (!t0)
		t0 = bench_now_ns();
	fprintf(stderr, "[%6.1f] ", (bench_now_ns() - t0) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

/* xorshift64*: fast, and the same sequence on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

uint64_t bench_rand(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint32_t *bench_perm(unsigned int n)
{
	uint32_t *p = malloc(sizeof(*p) * (n ? n : 1));
	unsigned int i;

	if (!p)
		return NULL;
	for (i = 0; i < n; i++)
		p[i] = i;
	for (i = n; i > 1; i--) {
		unsigned int j = bench_rand() % i;
		uint32_t t = p[i - 1];

		p[i - 1] = p[j];
		p[j] = t;
	}
	return p;
}

/* Keys are printable and unique: "k" + decimal number, padded with '.' */
void bench_fill_key(char *buf, unsigned int len, uint64_t n)
{
	char tmp[32];
	int l = snprintf(tmp, sizeof(tmp), "k%llu", (unsigned long long)n);

	memset(buf, '.', len);
	memcpy(buf, tmp, (unsigned int)l < len ? (unsigned int)l : len);
}

void bench_fill_value(char *buf, unsigned int len, uint64_t n)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = 'a' + (char)((n + i) % 26);
}

unsigned int bench_keys_for(unsigned int value_len)
{
	return value_len >= 16384 ? cfg.keys_large : cfg.keys;
}

int keyset_init(struct keyset *ks, unsigned int n, unsigned int key_len,
		unsigned int value_len)
{
	unsigned int i;

	memset(ks, 0, sizeof(*ks));
	ks->n = n;
	ks->key_len = key_len;
	ks->value_len = value_len;
	ks->keys = malloc((size_t)n * key_len);
	ks->value = malloc(value_len + 1);
	ks->out = malloc((size_t)value_len * 64 + 64);
	ks->perm = bench_perm(n);
	if (!ks->keys || !ks->value || !ks->out || !ks->perm) {
		keyset_free(ks);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		bench_fill_key(ks->keys + (size_t)i * key_len, key_len, i);
	bench_fill_value(ks->value, value_len, 7);
	memset(ks->out, 0, (size_t)value_len * 64 + 64);
	return 0;
}

void keyset_free(struct keyset *ks)
{
	free(ks->keys);
	free(ks->value);
	free(ks->out);
	free(ks->perm);
	memset(ks, 0, sizeof(*ks));
}

bool bench_size_selected(unsigned int key_len, unsigned int value_len)
{
	char want[32];
	const char *p;
	size_t l;

	if (!cfg.only_sizes || !*cfg.only_sizes)
		return true;
	l = snprintf(want, sizeof(want), "%u/%u", key_len, value_len);
	for (p = cfg.only_sizes; (p = strstr(p, want)); p += l)
		if ((p == cfg.only_sizes || p[-1] == ',') &&
		    (p[l] == 0 || p[l] == ','))
			return true;
	return false;
}

int bench_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(double *v, size_t n, double q)
{
	size_t i;

	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)ceil(q * n) - 1;
	if (q == 0.5 && !(n & 1))
		return (v[n / 2 - 1] + v[n / 2]) / 2;
	return v[i >= n ? n - 1 : i];
}

static double clock_overhead(void)
{
	double v[15];
	int r, k;

	if (clock_overhead_ns >= 0)
		return clock_overhead_ns;
	for (r = 0; r < 15; r++) {
		double t0 = bench_now_ns(), t1;

		for (k = 0; k < 1000; k++)
			bench_now_ns();
		t1 = bench_now_ns();
		v[r] = (t1 - t0) / 1000;
	}
	clock_overhead_ns = quantile(v, 15, 0.5);
	return clock_overhead_ns;
}

static json_object *fig_object(const char *suite, const char *op,
			       const char *variant, unsigned int key_len,
			       unsigned int value_len)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "suite", json_object_new_string(suite));
	json_object_object_add(o, "op", json_object_new_string(op));
	if (variant)
		json_object_object_add(o, "variant",
				       json_object_new_string(variant));
	if (key_len)
		json_object_object_add(o, "key_len",
				       json_object_new_int(key_len));
	if (key_len || value_len)
		json_object_object_add(o, "value_len",
				       json_object_new_int(value_len));
	return o;
}

static json_object *jdouble(double d)
{
	/* two decimals are plenty for ns; keeps the JSON readable */
	return json_object_new_double(round(d * 100) / 100);
}

double bench_measure(const struct bench_fig *f, bench_fn fn, void *arg)
{
	unsigned int per_call = f->per_call ? f->per_call : 1;
	unsigned int nkeys = f->nkeys ? f->nkeys : cfg.keys;
	double *rep = calloc(cfg.reps, sizeof(double)), *lat = NULL;
	double t0, t1, per, med, mn, mx, clk = clock_overhead();
	uint64_t i = 0, calls;
	unsigned int r, n_lat = 0;
	json_object *o;
	int ret;

	if (!rep)
		return -1;
	/* Calibrate: how many calls fill one repetition of rep_ms (a slow
	 * call, e.g. a batch of 64 16 KiB values, may fill one alone). */
	ret = fn(arg, i, 1);
	if (!ret && f->refill)
		ret = f->refill(arg, i, 1);
	i += per_call;
	t0 = bench_now_ns();
	if (!ret)
		ret = fn(arg, i, 1);
	t1 = bench_now_ns();
	if (!ret && f->refill)
		ret = f->refill(arg, i, 1);
	i += per_call;
	per = t1 - t0;
	if (!ret && per * 16 < cfg.rep_ms * 1e6) {
		t0 = bench_now_ns();
		ret = fn(arg, i, 16);
		t1 = bench_now_ns();
		if (!ret && f->refill)
			ret = f->refill(arg, i, 16);
		i += 16 * per_call;
		per = (t1 - t0) / 16;
	}
	if (ret)
		goto fail;
	calls = (uint64_t)(cfg.rep_ms * 1e6 / (per > 1 ? per : 1));
	if (calls < 1)
		calls = 1;
	if (calls > 2000000)
		calls = 2000000;
	/* a run that removes keys must not meet a key twice */
	if (f->refill && calls > nkeys / per_call / 2)
		calls = nkeys / per_call / 2;
	/* warm-up repetition, then the timed ones */
	if (calls > 1) {
		ret = fn(arg, i, calls / 2);
		if (!ret && f->refill)
			ret = f->refill(arg, i, calls / 2);
		i += calls / 2 * per_call;
	}
	for (r = 0; r < cfg.reps && !ret; r++) {
		double keys = (double)calls * per_call;

		if (f->keys_done)
			*f->keys_done = 0;
		t0 = bench_now_ns();
		ret = fn(arg, i, calls);
		t1 = bench_now_ns();
		if (!ret && f->refill)
			ret = f->refill(arg, i, calls);
		i += calls * per_call;
		if (f->keys_done)
			keys = *f->keys_done ? (double)*f->keys_done : 1;
		rep[r] = (t1 - t0) / keys;
	}
	if (ret)
		goto fail;
	if (f->latency && !f->keys_done) {
		n_lat = cfg.lat_ops;
		lat = malloc(sizeof(double) * n_lat);
		double t_end = bench_now_ns() + cfg.lat_budget_ms * 1e6;

		for (r = 0; lat && r < n_lat && !ret; r++) {
			if (r >= 200 && bench_now_ns() > t_end) {
				n_lat = r;	/* slow op: fewer samples */
				break;
			}
			t0 = bench_now_ns();
			ret = fn(arg, i, 1);
			t1 = bench_now_ns();
			if (!ret && f->refill)
				ret = f->refill(arg, i, 1);
			i += per_call;
			lat[r] = (t1 - t0 - clk) / per_call;
		}
		if (ret)
			goto fail;
	}

	o = fig_object(f->suite, f->op, f->variant, f->key_len, f->value_len);
	json_object_object_add(o, "batch", json_object_new_int(f->batch ? f->batch : 1));
	json_object_object_add(o, "unit", json_object_new_string("ns/key"));
	json_object_object_add(o, "keys", json_object_new_int(nkeys));
	json_object_object_add(o, "calls_per_rep", json_object_new_int64(calls));
	json_object_object_add(o, "keys_per_call", json_object_new_int(per_call));
	json_object_object_add(o, "reps", json_object_new_int(cfg.reps));
	json_object_object_add(o, "ns_reps", json_object_new_array());
	for (r = 0; r < cfg.reps; r++)
		json_object_array_add(json_object_object_get(o, "ns_reps"),
				      jdouble(rep[r]));
	mn = mx = rep[0];
	for (r = 1; r < cfg.reps; r++) {
		mn = rep[r] < mn ? rep[r] : mn;
		mx = rep[r] > mx ? rep[r] : mx;
	}
	med = quantile(rep, cfg.reps, 0.5);
	if (f->min_out)
		*f->min_out = mn;
	json_object_object_add(o, "ns_min", jdouble(mn));
	json_object_object_add(o, "ns_median", jdouble(med));
	json_object_object_add(o, "ns_max", jdouble(mx));
	if (lat) {
		json_object_object_add(o, "lat_ops", json_object_new_int(n_lat));
		json_object_object_add(o, "lat_median_ns",
				       jdouble(quantile(lat, n_lat, 0.5)));
		json_object_object_add(o, "lat_p99_ns",
				       jdouble(quantile(lat, n_lat, 0.99)));
	}
	if (f->note)
		json_object_object_add(o, "note", json_object_new_string(f->note));
	json_object_array_add(bench_results(), o);
	bench_log("  %-10s %-16s %-10s %5u/%-5u x%-4u %10.0f ns/key (min %.0f)%s\n",
		  f->suite, f->op, f->variant ? f->variant : "",
		  f->key_len, f->value_len, f->batch ? f->batch : 1, med, mn,
		  lat ? "" : "");
	free(rep);
	free(lat);
	return med;
fail:
	bench_log("  %-10s %-16s %u/%u: failed: %s\n", f->suite, f->op,
		  f->key_len, f->value_len, strerror(ret < 0 ? -ret : ret));
	o = fig_object(f->suite, f->op, f->variant, f->key_len, f->value_len);
	json_object_object_add(o, "batch", json_object_new_int(f->batch ? f->batch : 1));
	json_object_object_add(o, "error", json_object_new_string(strerror(ret < 0 ? -ret : ret)));
	json_object_array_add(bench_results(), o);
	free(rep);
	free(lat);
	return -1;
}

void bench_record_value(const char *suite, const char *op,
			const char *variant, unsigned int key_len,
			unsigned int value_len, const char *unit, double value,
			json_object *extra)
{
	json_object *o = fig_object(suite, op, variant, key_len, value_len);

	json_object_object_add(o, "unit", json_object_new_string(unit));
	json_object_object_add(o, "value", jdouble(value));
	if (extra) {
		json_object_object_foreach(extra, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_put(extra);
	}
	json_object_array_add(bench_results(), o);
	bench_log("  %-10s %-16s %-10s %12.2f %s\n", suite, op,
		  variant ? variant : "", value, unit);
}

void bench_not_measured(const char *suite, const char *op, const char *why)
{
	json_object *o = fig_object(suite, op, NULL, 0, 0);

	json_object_object_add(o, "not_measured", json_object_new_string(why));
	json_object_array_add(bench_results(), o);
	bench_log("  %-10s %-16s not measured: %s\n", suite, op, why);
}

static char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (!f)
		return NULL;
	if (!fgets(buf, len, f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	return buf;
}

static char *grep_field(const char *path, const char *field, char *buf,
			size_t len)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t fl = strlen(field);

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, field, fl))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		p[strcspn(p, "\n")] = 0;
		snprintf(buf, len, "%s", p);
		fclose(f);
		return buf;
	}
	fclose(f);
	return NULL;
}

json_object *bench_facts(void)
{
	json_object *o = json_object_new_object();
	struct utsname u;
	char buf[4096];
	struct timespec res;
	time_t now = time(NULL);

	if (!uname(&u)) {
		json_object_object_add(o, "kernel_release", json_object_new_string(u.release));
		json_object_object_add(o, "kernel_version", json_object_new_string(u.version));
		json_object_object_add(o, "machine", json_object_new_string(u.machine));
	}
	if (grep_field("/proc/cpuinfo", "model name", buf, sizeof(buf)))
		json_object_object_add(o, "cpu_model", json_object_new_string(buf));
	if (grep_field("/proc/cpuinfo", "flags", buf, sizeof(buf)))
		json_object_object_add(o, "hypervisor_flag",
				       json_object_new_boolean(strstr(buf, " hypervisor") != NULL));
	json_object_object_add(o, "cpus_online", json_object_new_int(sysconf(_SC_NPROCESSORS_ONLN)));
	if (grep_field("/proc/meminfo", "MemTotal", buf, sizeof(buf)))
		json_object_object_add(o, "mem_total", json_object_new_string(buf));
	if (read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", buf, sizeof(buf)))
		json_object_object_add(o, "clocksource", json_object_new_string(buf));
	if (read_line("/sys/devices/system/cpu/vulnerabilities/meltdown", buf, sizeof(buf)))
		json_object_object_add(o, "meltdown", json_object_new_string(buf));
	if (read_line("/proc/cmdline", buf, sizeof(buf)))
		json_object_object_add(o, "kernel_cmdline", json_object_new_string(buf));
	if (!clock_getres(CLOCK_MONOTONIC, &res))
		json_object_object_add(o, "clock_res_ns", json_object_new_int64(res.tv_nsec));
	json_object_object_add(o, "clock_gettime_ns", jdouble(clock_overhead()));
	if (getenv("SKV_BENCH_ENV"))
		json_object_object_add(o, "environment", json_object_new_string(getenv("SKV_BENCH_ENV")));
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	json_object_object_add(o, "date", json_object_new_string(buf));
	json_object_object_add(o, "keys", json_object_new_int(cfg.keys));
	json_object_object_add(o, "keys_large_values", json_object_new_int(cfg.keys_large));
	json_object_object_add(o, "reps", json_object_new_int(cfg.reps));
	json_object_object_add(o, "rep_ms", jdouble(cfg.rep_ms));
	json_object_object_add(o, "lat_ops", json_object_new_int(cfg.lat_ops));
	json_object_object_add(o, "timing",
		json_object_new_string("clock_gettime(CLOCK_MONOTONIC) around repetitions of many ops; min and median over repetitions; latency pass times single calls (clock overhead subtracted) for median and p99"));
	return o;
}

int bench_write_json(const char *path, const char *tool)
{
	json_object *root = json_object_new_object();
	int ret;

	json_object_object_add(root, "tool", json_object_new_string(tool));
	json_object_object_add(root, "facts", bench_facts());
	json_object_object_add(root, "results", json_object_get(bench_results()));
	if (!path || !strcmp(path, "-")) {
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
		ret = 0;
	} else {
		ret = json_object_to_file_ext(path, root, JSON_C_TO_STRING_PRETTY);
	}
	json_object_put(root);
	return ret;
}
