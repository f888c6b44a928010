// SPDX-License-Identifier: GPL-2.0
/*
 * skv-bench-sync: the measuring half of the `sync` suite of `make bench`
 * (tools/bench/sync_guest.sh starts etcd, Redis and skv-sync in the VM
 * and calls these commands). Each command measures one thing and adds
 * its figures to a JSON file in skv-bench's format (--json FILE, read
 * first if it exists), so `skv-bench report` puts them in bench.txt.
 *
 *   etcd-load URL PREFIX N ORDER-FILE [IN-FLIGHT]
 *       put PREFIX<i> (16-byte keys, 64-byte values), i = 0..N-1, one
 *       revision each, IN-FLIGHT requests at a time (default 16, at most
 *       64); prints the first and the last revision, and writes the key
 *       indexes in revision order
 *   watch-count OP N [--cpu NAME=PID]...
 *       read a watch stream on stdin (etcdctl watch's lines, or with
 *       --json-stream the gateway's JSON) until N events came: revisions
 *       per second (finish_rate() says which time counts)
 *   apply-wait OP TABLE PREFIX ORDER-FILE [--cpu NAME=PID]...
 *       poll the local table until the key of the first revision is
 *       there, then until the last one's is: revisions applied per second
 *   lag URL PREFIX TABLE N GAP_MS
 *       N times: put PREFIX<i> into etcd, poll the table until the value
 *       is there; the put's round trip and the put-to-visible lag
 *   wb-load OP TABLE REDIS-SOCKET RPREFIX PREFIX N [WINDOW] [--cpu NAME=PID]...
 *       write N new keys into the table (BATCH of 64 PUTs), poll Redis
 *       until it holds all N under RPREFIX: table writes in Redis per
 *       second; with WINDOW, the writer keeps at most that many writes
 *       not yet in Redis (polling DBSIZE; 128 still overflowed the event
 *       socket here, so the suite does not use it)
 *   record OP VALUE UNIT
 *       add a repetition of a rate measured by another program
 *       (redis-benchmark)
 *   value OP VALUE UNIT, not-measured OP WHY
 *       a plain figure (a count), or the reason one is missing
 *
 * Rates are revisions (or keys) per second; each figure also carries the
 * time per revision as ns_min/ns_median over the repetitions (one
 * repetition per call: the suite calls a command several times, and the
 * figures of one OP merge). --cpu NAME=PID adds the CPU time that
 * process spent (user and system, from /proc/PID/stat and each thread's)
 * during the measured interval, per 1000 revisions.
 *
 * The time base is CLOCK_MONOTONIC in the guest: emulated under TCG, so
 * only ratios of figures taken in the same boot mean anything.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <skvdev.h>

#include "bench.h"
#include "../skv-sync/skv-sync.h"

#define SUITE		"sync"
#define KEY_LEN		16
#define VALUE_LEN	64
#define MAX_CPU		8

static const char *json_path;

/* ------------------------------------------------------------ results */

/* Load the figures already in --json, so that this call adds to them. */
static void results_load(void)
{
	json_object *doc, *res;
	size_t i;

	if (!json_path || access(json_path, R_OK))
		return;
	doc = json_object_from_file(json_path);
	if (doc && json_object_object_get_ex(doc, "results", &res))
		for (i = 0; i < json_object_array_length(res); i++)
			json_object_array_add(bench_results(),
					      json_object_get(json_object_array_get_idx(res, i)));
	json_object_put(doc);
}

static json_object *result_find(const char *op)
{
	json_object *all = bench_results(), *o, *v;
	size_t i;

	for (i = 0; i < json_object_array_length(all); i++) {
		o = json_object_array_get_idx(all, i);
		if (json_object_object_get_ex(o, "op", &v) &&
		    !strcmp(json_object_get_string(v), op))
			return o;
	}
	return NULL;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * One repetition of figure @op: @count revisions (or keys) in @ns. The
 * figure keeps every repetition's rate; ns_min/ns_median and the rates
 * are over all of them.
 */
static void result_rep(const char *op, const char *unit, double count,
		       double ns, json_object *rep, const char *note)
{
	json_object *o = result_find(op), *reps;
	double per[64], rates[64];
	size_t i, n;

	if (!o) {
		o = json_object_new_object();
		json_object_object_add(o, "suite", json_object_new_string(SUITE));
		json_object_object_add(o, "op", json_object_new_string(op));
		json_object_object_add(o, "key_len", json_object_new_int(KEY_LEN));
		json_object_object_add(o, "value_len", json_object_new_int(VALUE_LEN));
		json_object_object_add(o, "unit", json_object_new_string(unit));
		json_object_object_add(o, "reps", json_object_new_array());
		if (note)
			json_object_object_add(o, "note", json_object_new_string(note));
		json_object_array_add(bench_results(), o);
	}
	json_object_object_get_ex(o, "reps", &reps);
	json_object_object_add(rep, "count", json_object_new_double(count));
	json_object_object_add(rep, "seconds", json_object_new_double(ns / 1e9));
	json_object_object_add(rep, "rate", json_object_new_double(count / (ns / 1e9)));
	json_object_array_add(reps, rep);
	n = json_object_array_length(reps);
	n = n > 64 ? 64 : n;
	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(reps, i), *c, *s;

		json_object_object_get_ex(r, "count", &c);
		json_object_object_get_ex(r, "seconds", &s);
		per[i] = json_object_get_double(s) * 1e9 / json_object_get_double(c);
		rates[i] = 1e9 / per[i];
	}
	qsort(per, n, sizeof(double), cmp_dbl);
	qsort(rates, n, sizeof(double), cmp_dbl);
	json_object_object_add(o, "ns_min", json_object_new_double(per[0]));
	json_object_object_add(o, "ns_median", json_object_new_double(per[n / 2]));
	json_object_object_add(o, "rate_best", json_object_new_double(rates[n - 1]));
	json_object_object_add(o, "rate_median", json_object_new_double(rates[n / 2]));
	json_object_object_add(o, "rate_worst", json_object_new_double(rates[0]));
	bench_log("  %-6s %-24s %10.0f %s (%zu reps, median %.0f)\n", SUITE, op,
		  count / (ns / 1e9), unit, n, rates[n / 2]);
}

/*
 * The end of a rate measurement: @n revisions, the measurer started at
 * @t_start (just after the shell started the watcher), the first of them
 * seen at @t_first with @k0 already there, the last at @t_last.
 *
 * The rate counts from the first event seen to the last, less the @k0
 * seen at once: a watcher's start (process, connection, etcd's next sync
 * of a watcher that is behind) is not counted. That favours skv-sync a
 * little: it shows its first key only once it has parsed etcd's whole
 * first message (up to 1000 revisions), where etcdctl and curl show their
 * first bytes. The rate from the measurer's start, which counts each
 * watcher's start (noisy under TCG: 20 ms to 1 s), is kept beside it as
 * rate_from_start, a bound from below.
 */
static void finish_rate(const char *op, long n, double t_start, double t_first,
			long k0, double t_last, json_object *rep, const char *note)
{
	json_object_object_add(rep, "rate_from_start",
			       json_object_new_double(n / ((t_last - t_start) / 1e9)));
	result_rep(op, "revisions/s", n - k0, t_last - t_first, rep, note);
}

static int results_save(void)
{
	if (json_path && bench_write_json(json_path, "skv-bench-sync")) {
		fprintf(stderr, "skv-bench-sync: cannot write %s\n", json_path);
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------- CPU time */

struct cpu_watch {
	const char *name;
	int pid;
	double user0, sys0, user1, sys1;
	json_object *threads0;	/* thread name -> [user, sys] at the start */
};

static struct cpu_watch cpus[MAX_CPU];
static unsigned int n_cpus;

/* utime and stime of /proc/.../stat, in seconds; the comm in @comm */
static int stat_times(const char *path, double *user, double *sys, char *comm,
		      size_t comm_len)
{
	char buf[1024], *p, *q;
	unsigned long long ut, st;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strchr(buf, '(');
	q = strrchr(buf, ')');
	if (!p || !q)
		return -1;
	if (comm)
		snprintf(comm, comm_len, "%.*s", (int)(q - p - 1), p + 1);
	/* after ") ": state(3) ... utime(14) stime(15) */
	if (sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &ut, &st) != 2)
		return -1;
	*user = (double)ut / sysconf(_SC_CLK_TCK);
	*sys = (double)st / sysconf(_SC_CLK_TCK);
	return 0;
}

/* Every thread of @pid by name (threads of one name summed). */
static json_object *thread_times(int pid)
{
	json_object *o = json_object_new_object(), *a;
	char path[320], comm[64];
	struct dirent *d;
	double u, s;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return o;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid, d->d_name);
		if (stat_times(path, &u, &s, comm, sizeof(comm)))
			continue;
		if (json_object_object_get_ex(o, comm, &a)) {
			u += json_object_get_double(json_object_array_get_idx(a, 0));
			s += json_object_get_double(json_object_array_get_idx(a, 1));
		}
		a = json_object_new_array();
		json_object_array_add(a, json_object_new_double(u));
		json_object_array_add(a, json_object_new_double(s));
		json_object_object_add(o, comm, a);
	}
	closedir(dir);
	return o;
}

static int cpu_arg(const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || n_cpus == MAX_CPU || atoi(eq + 1) <= 0)
		return -1;
	cpus[n_cpus].name = strndup(arg, eq - arg);
	cpus[n_cpus++].pid = atoi(eq + 1);
	return 0;
}

static void cpu_mark(bool start)
{
	char path[64];
	unsigned int i;

	for (i = 0; i < n_cpus; i++) {
		struct cpu_watch *c = &cpus[i];

		snprintf(path, sizeof(path), "/proc/%d/stat", c->pid);
		if (start) {
			stat_times(path, &c->user0, &c->sys0, NULL, 0);
			c->threads0 = thread_times(c->pid);
		} else {
			stat_times(path, &c->user1, &c->sys1, NULL, 0);
		}
	}
}

/* CPU ms per 1000 revisions of each watched process, and of its threads */
static void cpu_report(json_object *rep, double count)
{
	json_object *all = json_object_new_object();
	unsigned int i;

	for (i = 0; i < n_cpus; i++) {
		struct cpu_watch *c = &cpus[i];
		json_object *o = json_object_new_object(), *th, *t1;
		double k = 1e6 / count;	/* s per count -> ms per 1000 */
		char buf[96];

		json_object_object_add(o, "user_ms_per_1000", json_object_new_double((c->user1 - c->user0) * k));
		json_object_object_add(o, "sys_ms_per_1000", json_object_new_double((c->sys1 - c->sys0) * k));
		t1 = thread_times(c->pid);
		th = json_object_new_object();
		json_object_object_foreach(t1, name, a1) {
			json_object *a0;
			double u0 = 0, s0 = 0, u1, s1;

			if (c->threads0 && json_object_object_get_ex(c->threads0, name, &a0)) {
				u0 = json_object_get_double(json_object_array_get_idx(a0, 0));
				s0 = json_object_get_double(json_object_array_get_idx(a0, 1));
			}
			u1 = json_object_get_double(json_object_array_get_idx(a1, 0));
			s1 = json_object_get_double(json_object_array_get_idx(a1, 1));
			if (u1 - u0 + s1 - s0 <= 0)
				continue;
			snprintf(buf, sizeof(buf), "user %.2f, sys %.2f", (u1 - u0) * k, (s1 - s0) * k);
			json_object_object_add(th, name, json_object_new_string(buf));
		}
		json_object_object_add(o, "threads_ms_per_1000", th);
		json_object_put(t1);
		json_object_put(c->threads0);
		c->threads0 = NULL;
		json_object_object_add(all, c->name, o);
	}
	json_object_object_add(rep, "cpu", all);
}

/* ----------------------------------------------------------------- etcd */

static void bench_key(char *buf, const char *prefix, long i)
{
	/* PREFIX + digits, KEY_LEN bytes in all (prefix permitting) */
	int digits = KEY_LEN - (int)strlen(prefix);

	digits = digits < 1 ? 1 : digits > 20 ? 20 : digits;
	snprintf(buf, 64, "%.40s%0*ld", prefix, digits, i % 100000000000L);
}

static void bench_value(char *buf, long i, unsigned int salt)
{
	snprintf(buf, VALUE_LEN + 1, "v%u-%010ld-", salt, i);
	memset(buf + strlen(buf), 'x', VALUE_LEN - strlen(buf));
	buf[VALUE_LEN] = '\0';
}

static char *put_body(const char *key, const char *value)
{
	char *k = skv_b64_encode(key, strlen(key));
	char *v = skv_b64_encode(value, strlen(value));
	char *body = NULL;

	if (k && v && asprintf(&body, "{\"key\":\"%s\",\"value\":\"%s\"}", k, v) < 0)
		body = NULL;
	free(k);
	free(v);
	return body;
}

struct reply {
	char buf[4096];
	size_t len;
};

static size_t on_reply(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n, room = sizeof(r->buf) - 1 - r->len;

	memcpy(r->buf + r->len, p, len < room ? len : room);
	r->len += len < room ? len : room;
	r->buf[r->len] = '\0';
	return len;
}

static int64_t reply_revision(const struct reply *r)
{
	const char *p = strstr(r->buf, "\"revision\":\"");

	return p ? strtoll(p + 12, NULL, 10) : -1;
}

struct put_slot {
	CURL *h;
	char *body;
	long idx;
	struct reply r;
};

static void slot_start(CURLM *m, struct put_slot *s, const char *url,
		       const char *prefix, long i)
{
	char key[64], val[VALUE_LEN + 1];

	bench_key(key, prefix, i);
	bench_value(val, i, 0);
	s->idx = i;
	free(s->body);
	s->body = put_body(key, val);
	s->r.len = 0;
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, s->body);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_reply);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, &s->r);
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT, 30L);
	curl_multi_add_handle(m, s->h);
}

static int64_t *load_revs;

static int cmp_by_rev(const void *a, const void *b)
{
	int64_t x = load_revs[*(const long *)a], y = load_revs[*(const long *)b];

	return (x > y) - (x < y);
}

/*
 * N puts, @in_flight at a time (etcd commits concurrent puts together);
 * the key indexes in revision order go to @order_path, one a line.
 */
static int cmd_etcd_load(const char *base, const char *prefix, long n,
			 const char *order_path, unsigned int in_flight)
{
	struct put_slot slots[64] = { 0 };
	long *order = calloc(n, sizeof(long)), i;
	FILE *f;
	int64_t lo = INT64_MAX, hi = 0;
	long next = 0, done = 0;
	CURLM *m = curl_multi_init();
	char url[512];
	unsigned int k;
	double t0 = bench_now_ns();
	int running;

	load_revs = calloc(n, sizeof(*load_revs));
	if (!order || !load_revs)
		return 1;
	snprintf(url, sizeof(url), "%s/v3/kv/put", base);
	for (k = 0; k < in_flight && k < 64 && next < n; k++) {
		slots[k].h = curl_easy_init();
		curl_easy_setopt(slots[k].h, CURLOPT_PRIVATE, &slots[k]);
		slot_start(m, &slots[k], url, prefix, next++);
	}
	while (done < n) {
		CURLMsg *msg;
		int left;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left))) {
			struct put_slot *s;
			long code = 0;
			int64_t rev;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
			rev = reply_revision(&s->r);
			if (msg->data.result != CURLE_OK || code != 200 || rev <= 0) {
				fprintf(stderr, "skv-bench-sync: put to %s: %s, HTTP %ld: %s\n",
					url, curl_easy_strerror(msg->data.result), code, s->r.buf);
				return 1;
			}
			lo = rev < lo ? rev : lo;
			hi = rev > hi ? rev : hi;
			load_revs[s->idx] = rev;
			done++;
			curl_multi_remove_handle(m, s->h);
			if (next < n)
				slot_start(m, s, url, prefix, next++);
		}
		if (done < n)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (k = 0; k < 64; k++) {
		if (slots[k].h)
			curl_easy_cleanup(slots[k].h);
		free(slots[k].body);
	}
	curl_multi_cleanup(m);
	bench_log("etcd-load: %ld puts in %.1f s, revisions %" PRId64 "..%" PRId64 "\n",
		  n, (bench_now_ns() - t0) / 1e9, lo, hi);
	for (i = 0; i < n; i++)
		order[i] = i;
	qsort(order, n, sizeof(long), cmp_by_rev);
	f = fopen(order_path, "w");
	if (!f)
		return 1;
	for (i = 0; i < n; i++)
		fprintf(f, "%ld\n", order[i]);
	fclose(f);
	printf("%" PRId64 " %" PRId64 "\n", lo, hi);
	return hi - lo + 1 == n ? 0 : 1;
}

/*
 * A watch stream on stdin. etcdctl prints three lines an event (PUT, key,
 * value); the gateway sends JSON in which each event has one
 * "mod_revision". Time from the first byte to the N-th event.
 */
static int cmd_watch_count(const char *op, long n, bool json, const char *note)
{
	static const char needle[] = "\"mod_revision\"";
	char buf[65536 + sizeof(needle)];
	size_t carry = 0, nl = strlen(needle);
	long events = 0, first_events = -1, lines = 0;
	double t_start = bench_now_ns(), t_first = 0, t_last = 0;
	json_object *rep;
	ssize_t r;

	while (events < n && (r = read(0, buf + carry, sizeof(buf) - carry - 1)) > 0) {
		size_t len = carry + r, i;

		if (first_events < 0) {
			t_first = bench_now_ns();
			cpu_mark(true);
		}
		buf[len] = '\0';
		if (json) {
			char *p = buf;

			while ((p = memmem(p, buf + len - p, needle, nl))) {
				events++;
				p += nl;
			}
			/* a needle cut in two by the read: keep its head */
			carry = len < nl - 1 ? len : nl - 1;
			memmove(buf, buf + len - carry, carry);
		} else {
			for (i = carry; i < len; i++)
				if (buf[i] == '\n' && ++lines % 3 == 0)
					events++;
		}
		if (first_events < 0)
			first_events = events;
	}
	t_last = bench_now_ns();
	cpu_mark(false);
	if (events < n) {
		fprintf(stderr, "skv-bench-sync: watch-count: the stream ended after %ld of %ld events\n",
			events, n);
		return 1;
	}
	rep = json_object_new_object();
	json_object_object_add(rep, "events_in_first_read", json_object_new_int64(first_events));
	json_object_object_add(rep, "first_read_after_s", json_object_new_double((t_first - t_start) / 1e9));
	cpu_report(rep, n - first_events);
	finish_rate(op, n, t_start, t_first, first_events, t_last, rep, note);
	return results_save();
}

/* ---------------------------------------------------------------- table */

static struct skv_dev *dev;

static struct skv_table *table_open(const char *name)
{
	struct skv_table *t;
	int ret;

	ret = skv_dev_open(SKV_DEV_PATH, &dev);
	if (!ret)
		ret = skv_table_open(dev, name, 0, NULL, &t);
	if (ret) {
		fprintf(stderr, "skv-bench-sync: table %s: %s\n", name, strerror(-ret));
		exit(1);
	}
	return t;
}

/* Is PREFIX<i> in the table, with a value of @salt's when @salt >= 0? */
static bool has_key(struct skv_table *t, const char *prefix, long i, int salt)
{
	char key[64], val[VALUE_LEN + 1], buf[256];
	size_t len = sizeof(buf);

	bench_key(key, prefix, i);
	if (skv_get(t, key, strlen(key), buf, &len, NULL))
		return false;
	if (salt < 0)
		return true;
	bench_value(val, i, salt);
	return len == VALUE_LEN && !memcmp(buf, val, VALUE_LEN);
}

static void sleep_us(long us)
{
	nanosleep(&(struct timespec){ .tv_sec = us / 1000000,
				      .tv_nsec = us % 1000000 * 1000 }, NULL);
}

/* Wait (polling every @us) until PREFIX<i> is there; false after @limit_s. */
static bool wait_key(struct skv_table *t, const char *prefix, long i, int salt,
		     long us, double limit_s)
{
	double end = bench_now_ns() + limit_s * 1e9;

	while (!has_key(t, prefix, i, salt)) {
		if (bench_now_ns() > end)
			return false;
		sleep_us(us);
	}
	return true;
}

/* The key indexes of etcd-load, in revision order. */
static long *read_order(const char *path, long *n)
{
	long *v = NULL, cap = 0, x;
	FILE *f = fopen(path, "r");

	*n = 0;
	if (!f)
		return NULL;
	while (fscanf(f, "%ld", &x) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4096;
			v = realloc(v, cap * sizeof(long));
			if (!v)
				break;
		}
		v[(*n)++] = x;
	}
	fclose(f);
	return v;
}

static int cmd_apply_wait(const char *op, const char *table, const char *prefix,
			  const char *order_path, const char *note)
{
	double t_start = bench_now_ns(), t_first, t_last;
	struct skv_table *t = table_open(table);
	long n, lo = 0, hi, *order = read_order(order_path, &n);
	json_object *rep;

	if (!order || n < 2) {
		fprintf(stderr, "skv-bench-sync: %s: no key order\n", order_path);
		return 1;
	}
	hi = n - 1;
	if (!wait_key(t, prefix, order[0], -1, 1000, 300)) {
		fprintf(stderr, "skv-bench-sync: %s: the first revision's key never came\n", table);
		return 1;
	}
	t_first = bench_now_ns();
	cpu_mark(true);
	/* applied in revision order: the last one there now, by bisection */
	while (lo < hi) {
		long mid = lo + (hi - lo + 1) / 2;

		if (has_key(t, prefix, order[mid], -1))
			lo = mid;
		else
			hi = mid - 1;
	}
	/* every 5 ms: the poller's own system calls cost the daemon CPU */
	if (!wait_key(t, prefix, order[n - 1], -1, 5000, 600)) {
		fprintf(stderr, "skv-bench-sync: %s: the last key never came\n", table);
		return 1;
	}
	t_last = bench_now_ns();
	cpu_mark(false);
	rep = json_object_new_object();
	json_object_object_add(rep, "keys_there_at_first_sight", json_object_new_int64(lo + 1));
	json_object_object_add(rep, "first_key_after_s", json_object_new_double((t_first - t_start) / 1e9));
	cpu_report(rep, n - 1 - lo);
	finish_rate(op, n, t_start, t_first, lo + 1, t_last, rep, note);
	skv_table_close(t);
	skv_dev_close(dev);
	free(order);
	return results_save();
}

static double quantile(double *v, size_t n, double q)
{
	size_t i = (size_t)ceil(q * n) - 1;

	return v[i >= n ? n - 1 : i];
}

static int cmd_lag(const char *base, const char *prefix, const char *table,
		   long n, long gap_ms)
{
	struct skv_table *t = table_open(table);
	double *lag = calloc(n, sizeof(double)), *rtt = calloc(n, sizeof(double));
	double *after = calloc(n, sizeof(double));
	CURL *h = curl_easy_init();
	json_object *o, *x;
	char url[512];
	long i;

	snprintf(url, sizeof(url), "%s/v3/kv/put", base);
	for (i = 0; i < n; i++) {
		char key[64], val[VALUE_LEN + 1], *body;
		struct reply r = { .len = 0 };
		long code = 0;
		double t0, t1;
		CURLcode cc;

		bench_key(key, prefix, i);
		bench_value(val, i, 1);
		body = put_body(key, val);
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_reply);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
		t0 = bench_now_ns();
		cc = curl_easy_perform(h);
		t1 = bench_now_ns();
		free(body);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (cc != CURLE_OK || code != 200) {
			fprintf(stderr, "skv-bench-sync: put to %s: %s, HTTP %ld\n", url,
				curl_easy_strerror(cc), code);
			return 1;
		}
		/* 200 us between polls: ~1% of the lag, and little CPU taken */
		if (!wait_key(t, prefix, i, 1, 200, 60)) {
			fprintf(stderr, "skv-bench-sync: lag: %s never came\n", key);
			return 1;
		}
		lag[i] = bench_now_ns() - t0;
		rtt[i] = t1 - t0;
		after[i] = lag[i] - rtt[i];
		if (gap_ms)
			sleep_us(gap_ms * 1000);
	}
	qsort(lag, n, sizeof(double), cmp_dbl);
	qsort(rtt, n, sizeof(double), cmp_dbl);
	qsort(after, n, sizeof(double), cmp_dbl);
	o = json_object_new_object();
	json_object_object_add(o, "suite", json_object_new_string(SUITE));
	json_object_object_add(o, "op", json_object_new_string("lag"));
	json_object_object_add(o, "key_len", json_object_new_int(KEY_LEN));
	json_object_object_add(o, "value_len", json_object_new_int(VALUE_LEN));
	json_object_object_add(o, "unit", json_object_new_string("ms"));
	json_object_object_add(o, "value", json_object_new_double(quantile(lag, n, 0.5) / 1e6));
	json_object_object_add(o, "lag_p50_ms", json_object_new_double(quantile(lag, n, 0.5) / 1e6));
	json_object_object_add(o, "lag_p99_ms", json_object_new_double(quantile(lag, n, 0.99) / 1e6));
	json_object_object_add(o, "lag_max_ms", json_object_new_double(lag[n - 1] / 1e6));
	json_object_object_add(o, "put_rtt_p50_ms", json_object_new_double(quantile(rtt, n, 0.5) / 1e6));
	json_object_object_add(o, "put_rtt_p99_ms", json_object_new_double(quantile(rtt, n, 0.99) / 1e6));
	json_object_object_add(o, "after_ack_p50_ms", json_object_new_double(quantile(after, n, 0.5) / 1e6));
	json_object_object_add(o, "after_ack_p99_ms", json_object_new_double(quantile(after, n, 0.99) / 1e6));
	json_object_object_add(o, "samples", json_object_new_int64(n));
	json_object_object_add(o, "gap_ms", json_object_new_int64(gap_ms));
	x = json_object_new_string("from sending an etcd put (v3 JSON gateway, one kept-alive connection) "
				   "to its value read back from the local table (polled every 200 us); "
				   "one put at a time, a pause between");
	json_object_object_add(o, "note", x);
	json_object_array_add(bench_results(), o);
	bench_log("  %-6s lag p50 %.2f ms, p99 %.2f ms; put round trip p50 %.2f ms (%ld samples)\n",
		  SUITE, quantile(lag, n, 0.5) / 1e6, quantile(lag, n, 0.99) / 1e6,
		  quantile(rtt, n, 0.5) / 1e6, n);
	curl_easy_cleanup(h);
	free(lag);
	free(rtt);
	free(after);
	skv_table_close(t);
	skv_dev_close(dev);
	return results_save();
}

/* ---------------------------------------------------------- write-behind */

static long long redis_int(redisContext *rc, const char *cmd)
{
	redisReply *r = redisCommand(rc, cmd);
	long long v = -1;

	if (r && r->type == REDIS_REPLY_INTEGER)
		v = r->integer;
	freeReplyObject(r);
	return v;
}

/* Does Redis hold RPREFIX + PREFIX<i> with the value of @salt? */
static bool redis_has(redisContext *rc, const char *rprefix, const char *prefix,
		      long i, int salt)
{
	char key[64], val[VALUE_LEN + 1];
	redisReply *r;
	bool ok;

	bench_key(key, prefix, i);
	bench_value(val, i, salt);
	r = redisCommand(rc, "GET %s%s", rprefix, key);
	ok = r && r->type == REDIS_REPLY_STRING && r->len == VALUE_LEN &&
	     !memcmp(r->str, val, VALUE_LEN);
	freeReplyObject(r);
	return ok;
}

static int cmd_wb_load(const char *op, const char *table, const char *sock,
		       const char *rprefix, const char *prefix, long n,
		       long window, const char *note)
{
	struct skv_table *t = table_open(table);
	redisContext *rc = redisConnectUnix(sock);
	struct skv_op_batch *b;
	double t0, t_written, t_end, limit;
	char keys[64][64], vals[64][VALUE_LEN + 1];
	long long base, have = 0;
	json_object *rep;
	long i;

	if (!rc || rc->err) {
		fprintf(stderr, "skv-bench-sync: redis %s: %s\n", sock, rc ? rc->errstr : "no memory");
		return 1;
	}
	if (skv_batch_new(64, &b))
		return 1;
	base = redis_int(rc, "DBSIZE");
	t0 = bench_now_ns();
	cpu_mark(true);
	for (i = 0; i < n; i += 64) {
		long j, m = n - i < 64 ? n - i : 64;
		int ret;

		/* with a window: no more than that many writes not yet in Redis */
		while (window && i + m - (redis_int(rc, "DBSIZE") - base) > window)
			sleep_us(500);
		skv_batch_reset(b);
		for (j = 0; j < m; j++) {
			bench_key(keys[j], prefix, i + j);
			bench_value(vals[j], i + j, 2);
			skv_batch_add_put(b, keys[j], strlen(keys[j]), vals[j], VALUE_LEN, NULL);
		}
		ret = skv_batch_submit(t, b);
		if (ret) {
			fprintf(stderr, "skv-bench-sync: %s: batch: %s\n", table, strerror(-ret));
			return 1;
		}
	}
	t_written = bench_now_ns();
	/* every key new to Redis: DBSIZE counts them; then the last value */
	limit = t_written + 600e9;
	while (bench_now_ns() < limit) {
		have = redis_int(rc, "DBSIZE") - base;
		if (have >= n && redis_has(rc, rprefix, prefix, n - 1, 2))
			break;
		sleep_us(5000);
	}
	t_end = bench_now_ns();
	cpu_mark(false);
	if (have < n) {
		fprintf(stderr, "skv-bench-sync: redis holds %lld of %ld keys after 600 s\n", have, n);
		return 1;
	}
	rep = json_object_new_object();
	json_object_object_add(rep, "writer_seconds", json_object_new_double((t_written - t0) / 1e9));
	json_object_object_add(rep, "window", json_object_new_int64(window));
	cpu_report(rep, n);
	result_rep(op, "keys/s", n, t_end - t0, rep, note);
	skv_batch_free(b);
	redisFree(rc);
	skv_table_close(t);
	skv_dev_close(dev);
	return results_save();
}

static int cmd_record(const char *op, double value, const char *unit, const char *note)
{
	/* a rate measured elsewhere: one repetition of 1 s */
	result_rep(op, unit, value, 1e9, json_object_new_object(), note);
	return results_save();
}

static int cmd_value(const char *op, double value, const char *unit)
{
	bench_record_value(SUITE, op, NULL, KEY_LEN, VALUE_LEN, unit, value, NULL);
	return results_save();
}

static int cmd_not_measured(const char *op, const char *why)
{
	bench_not_measured(SUITE, op, why);
	return results_save();
}

/* ----------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: skv-bench-sync [--json FILE] [--note TEXT] [--cpu NAME=PID]... COMMAND ARGS\n"
"  etcd-load URL PREFIX N ORDER-FILE [IN-FLIGHT]\n"
"  watch-count [--json-stream] OP N           (a watch stream on stdin)\n"
"  apply-wait OP TABLE PREFIX ORDER-FILE\n"
"  lag URL PREFIX TABLE N GAP_MS\n"
"  wb-load OP TABLE REDIS-SOCKET RPREFIX PREFIX N [WINDOW]\n"
"  record OP VALUE UNIT\n"
"  value OP VALUE UNIT\n"
"  not-measured OP WHY\n"
"The make bench suite `sync` runs these in the VM (tools/bench/sync_guest.sh).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "note", required_argument, NULL, 'n' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "json-stream", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *note = NULL, *cmd;
	bool stream_json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "j:n:c:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json_path = optarg; break;
		case 'n': note = optarg; break;
		case 's': stream_json = true; break;
		case 'c':
			if (cpu_arg(optarg)) {
				fprintf(stderr, "skv-bench-sync: --cpu wants NAME=PID\n");
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	argv += optind;
	argc -= optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	cmd = argv[0];
	results_load();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!strcmp(cmd, "etcd-load") && (argc == 5 || argc == 6))
		ret = cmd_etcd_load(argv[1], argv[2], atol(argv[3]), argv[4],
				    argc == 6 ? atoi(argv[5]) : 16);
	else if (!strcmp(cmd, "watch-count") && argc == 3)
		ret = cmd_watch_count(argv[1], atol(argv[2]), stream_json, note);
	else if (!strcmp(cmd, "apply-wait") && argc == 5)
		ret = cmd_apply_wait(argv[1], argv[2], argv[3], argv[4], note);
	else if (!strcmp(cmd, "lag") && argc == 6)
		ret = cmd_lag(argv[1], argv[2], argv[3], atol(argv[4]), atol(argv[5]));
	else if (!strcmp(cmd, "wb-load") && (argc == 7 || argc == 8))
		ret = cmd_wb_load(argv[1], argv[2], argv[3], argv[4], argv[5],
				  atol(argv[6]), argc == 8 ? atol(argv[7]) : 0, note);
	else if (!strcmp(cmd, "record") && argc == 4)
		ret = cmd_record(argv[1], strtod(argv[2], NULL), argv[3], note);
	else if (!strcmp(cmd, "value") && argc == 4)
		ret = cmd_value(argv[1], strtod(argv[2], NULL), argv[3]);
	else if (!strcmp(cmd, "not-measured") && argc == 3)
		ret = cmd_not_measured(argv[1], argv[2]);
	else
		ret = 2;
	if (ret == 2)
		usage(stderr);
	curl_global_cleanup();
	return ret;
}
