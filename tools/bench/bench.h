/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skv-bench: the shared measurement harness.
 *
 * Every figure is taken the same way: clock_gettime(CLOCK_MONOTONIC)
 * around a run of many ops ("a repetition"), several repetitions after one
 * warm-up, per-op time = elapsed / ops; the figure's min and median are
 * over the repetitions. Single-op figures also get a latency pass that
 * times each op alone (clock overhead subtracted) for the median and p99.
 * Results are json-c objects appended to one array.
 */
#ifndef SKV_BENCH_H
#define SKV_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <json-c/json.h>

/* Key/value sizes measured by default (the three). */
struct bench_size {
	unsigned int key_len;
	unsigned int value_len;
};

extern const struct bench_size bench_sizes[];
extern const unsigned int bench_nr_sizes;

struct bench_cfg {
	unsigned int keys;	/* preloaded keys per size (100000) */
	unsigned int keys_large; /* ... for values of 16 KiB and more (10000) */
	unsigned int reps;	/* timed repetitions per figure (7) */
	double rep_ms;		/* target length of one repetition */
	unsigned int lat_ops;	/* ops in the latency pass (>= 1000 for p99) */
	double lat_budget_ms;	/* ... unless they take longer (>= 200 ops) */
	unsigned int mem_entries; /* entries of the memory-per-entry test */
	bool quiet;
	int cpu_a, cpu_b;	/* the two CPUs used for pinning */
	const char *only_sizes;	/* "16/64,32/1024" or NULL for all */
	const char *redis_sock, *mc_sock, *lmdb_dir;
	const char *variant;	/* label for socket peers: same-cpu, ... */
	const char *curve;	/* entry counts of the cost curve: "10000,..." */
};

extern struct bench_cfg cfg;

/* Performs @n ops; @i is a running op counter (use keys[perm(i + k)]). */
typedef int (*bench_fn)(void *arg, uint64_t i, unsigned int n);

struct bench_fig {
	const char *suite;	/* floor, skv, bpf, redis, memcached, lmdb, ... */
	const char *op;		/* get, put, get_batch, ... */
	const char *variant;	/* NULL, "same-cpu", "cross-cpu", ... */
	unsigned int key_len, value_len;
	unsigned int batch;	/* keys per call; 1 = single op */
	unsigned int per_call;	/* ops done by one fn call with n = 1 (keys) */
	unsigned int nkeys;	/* keys in the set (default cfg.keys) */
	bool latency;		/* also time single calls: median, p99 */
	double *min_out;	/* if set, receives the min over repetitions */
	uint64_t *keys_done;	/* if set, fn counts the keys it handled */
	/* if set, called untimed after each timed run with the same i, n
	 * (e.g. to put back the keys a DELETE run removed) */
	int (*refill)(void *arg, uint64_t i, unsigned int n);
	const char *note;
};

/* Measure and record one figure; returns the median ns per key or < 0. */
double bench_measure(const struct bench_fig *fig, bench_fn fn, void *arg);

/* Record a figure that is not a time (bytes, ratio, ...). */
void bench_record_value(const char *suite, const char *op,
			const char *variant, unsigned int key_len,
			unsigned int value_len, const char *unit, double value,
			json_object *extra);

/* Record that something was not measured, and why. */
void bench_not_measured(const char *suite, const char *op, const char *why);

json_object *bench_results(void);	/* the array, owned by the harness */
json_object *bench_facts(void);		/* kernel, CPU, clock, ... */

double bench_now_ns(void);
void bench_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_fill_key(char *buf, unsigned int len, uint64_t n);
void bench_fill_value(char *buf, unsigned int len, uint64_t n);
uint64_t bench_rand(void);
/* A random permutation of 0..n-1 (shared by every store of one size). */
uint32_t *bench_perm(unsigned int n);
int bench_pin(int cpu);		/* pin the calling thread */
int bench_write_json(const char *path, const char *tool);
unsigned int bench_keys_for(unsigned int value_len);
bool bench_size_selected(unsigned int key_len, unsigned int value_len);

/* A key set: @n keys of @key_len bytes, in one block. */
struct keyset {
	unsigned int n, key_len, value_len;
	char *keys;		/* n * key_len */
	char *value;		/* one value of value_len bytes */
	char *out;		/* a value buffer (value_len * 64 + 64) */
	uint32_t *perm;
};

int keyset_init(struct keyset *ks, unsigned int n, unsigned int key_len,
		unsigned int value_len);
void keyset_free(struct keyset *ks);

static inline const char *keyset_key(const struct keyset *ks, uint64_t i)
{
	return ks->keys + (size_t)ks->perm[i % ks->n] * ks->key_len;
}

static inline const char *keyset_key_ord(const struct keyset *ks, uint64_t i)
{
	return ks->keys + (size_t)(i % ks->n) * ks->key_len;
}

#endif /* SKV_BENCH_H */
