// SPDX-License-Identifier: GPL-2.0
/*
 * skv-bench: skv against the syscall floor and BPF hash maps, on this
 * kernel. Runs inside the TCG test VM for `make bench`, and natively on any
 * host with skv.ko loaded. `skv-bench report` turns the JSON of one or
 * more runs into the table, the targets and the chart data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/skv.h>

#include "bench.h"
#include "suites.h"

/* An ioctl number skv does not serve: the floor of every ioctl. */
#define SKV_NULL_IOCTL	_IO(SKV_IOC_MAGIC, 0xff)

/* ---------------------------------------------------------------- floor */

static int f_null_ioctl(void *arg, uint64_t i, unsigned int n)
{
	int fd = *(int *)arg;

	(void)i;
	while (n--)
		if (ioctl(fd, SKV_NULL_IOCTL, 0) != -1 || errno != ENOTTY)
			return -EPROTO;
	return 0;
}

static int f_getppid(void *arg, uint64_t i, unsigned int n)
{
	(void)arg;
	(void)i;
	while (n--)
		syscall(SYS_getppid);
	return 0;
}

void suite_floor(void)
{
	struct bench_fig fig = { .suite = "floor", .latency = true };
	int fd = open("/dev/skv", O_RDWR | O_CLOEXEC);
	int nfd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		fig.op = "null_ioctl";
		fig.note = "unknown ioctl on the /dev/skv control fd -> ENOTTY";
		bench_measure(&fig, f_null_ioctl, &fd);
		close(fd);
	} else {
		bench_not_measured("floor", "null_ioctl", "/dev/skv cannot be opened (is skv.ko loaded?)");
	}
	if (nfd >= 0) {
		fig.op = "null_ioctl_devnull";
		fig.note = "unknown ioctl on /dev/null -> ENOTTY";
		bench_measure(&fig, f_null_ioctl, &nfd);
		close(nfd);
	}
	fig.op = "getppid";
	fig.note = "syscall(SYS_getppid)";
	bench_measure(&fig, f_getppid, NULL);
}

/* ------------------------------------------------------------------ bpf */

#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))

static long sys_bpf(int cmd, union bpf_attr *attr, unsigned int size)
{
	return syscall(__NR_bpf, cmd, attr, size);
}

static int bpf_map_create(unsigned int key_size, unsigned int value_size,
			  unsigned int entries)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_HASH;
	a.key_size = key_size;
	a.value_size = value_size;
	a.max_entries = entries;
	return sys_bpf(BPF_MAP_CREATE, &a, offsetofend(union bpf_attr, map_flags));
}

struct bpf_ctx {
	int fd;
	struct keyset *ks;
	char *in_batch, *out_batch, *keys_out;
	bool more;
	uint64_t keys_done;
};

/* The attr sizes libbpf passes: up to the last field the command uses. */
static int bpf_elem(int cmd, int fd, const void *key, void *value,
		    __u64 flags)
{
	union bpf_attr a;

	memset(&a, 0, offsetofend(union bpf_attr, flags));
	a.map_fd = fd;
	a.key = (__u64)(uintptr_t)key;
	a.value = (__u64)(uintptr_t)value;
	a.flags = flags;
	return sys_bpf(cmd, &a, offsetofend(union bpf_attr, flags)) ? -errno : 0;
}

static int f_bpf_lookup(void *arg, uint64_t i, unsigned int n)
{
	struct bpf_ctx *c = arg;
	int ret = 0;

	while (n-- && !ret)
		ret = bpf_elem(BPF_MAP_LOOKUP_ELEM, c->fd, keyset_key(c->ks, i++),
			       c->ks->out, 0);
	return ret;
}

static int f_bpf_update(void *arg, uint64_t i, unsigned int n)
{
	struct bpf_ctx *c = arg;
	int ret = 0;

	while (n-- && !ret)
		ret = bpf_elem(BPF_MAP_UPDATE_ELEM, c->fd, keyset_key(c->ks, i++),
			       c->ks->value, BPF_ANY);
	return ret;
}

/* BPF_MAP_UPDATE_BATCH, 256 keys a call (keys are contiguous in order) */
static int bpf_preload(int fd, const struct keyset *ks)
{
	unsigned int i, j, chunk = 256;
	char *vals = malloc((size_t)chunk * ks->value_len);
	union bpf_attr a;
	int ret = 0;

	if (!vals)
		return -ENOMEM;
	for (j = 0; j < chunk; j++)
		memcpy(vals + (size_t)j * ks->value_len, ks->value, ks->value_len);
	for (i = 0; i < ks->n && !ret; i += chunk) {
		memset(&a, 0, sizeof(a));
		a.batch.keys = (__u64)(uintptr_t)keyset_key_ord(ks, i);
		a.batch.values = (__u64)(uintptr_t)vals;
		a.batch.count = ks->n - i < chunk ? ks->n - i : chunk;
		a.batch.map_fd = fd;
		if (sys_bpf(BPF_MAP_UPDATE_BATCH, &a, offsetofend(union bpf_attr, batch)))
			ret = -errno;
	}
	/* kernels without batch ops on hash maps: one by one */
	for (i = 0; ret == -EINVAL && i < ks->n; i++)
		if (bpf_elem(BPF_MAP_UPDATE_ELEM, fd, keyset_key_ord(ks, i), ks->value, BPF_ANY))
			break;
	if (ret == -EINVAL && i == ks->n)
		ret = 0;
	free(vals);
	return ret;
}

/* A second struct file for the same map, as another process would have. */
static int bpf_map_reopen(int fd)
{
	struct bpf_map_info info;
	union bpf_attr a;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (__u64)(uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a, offsetofend(union bpf_attr, info)))
		return -1;
	memset(&a, 0, sizeof(a));
	a.map_id = info.id;
	return sys_bpf(BPF_MAP_GET_FD_BY_ID, &a, offsetofend(union bpf_attr, open_flags));
}

/* LOOKUP_BATCH of 64 walks the map in bucket order; restart at the end. */
static int f_bpf_lookup_batch(void *arg, uint64_t i, unsigned int n)
{
	struct bpf_ctx *c = arg;
	union bpf_attr a;

	(void)i;
	while (n--) {
		memset(&a, 0, offsetofend(union bpf_attr, batch));
		a.batch.in_batch = c->more ? (__u64)(uintptr_t)c->in_batch : 0;
		a.batch.out_batch = (__u64)(uintptr_t)c->out_batch;
		a.batch.keys = (__u64)(uintptr_t)c->keys_out;
		a.batch.values = (__u64)(uintptr_t)c->ks->out;
		a.batch.count = 64;
		a.batch.map_fd = c->fd;
		if (sys_bpf(BPF_MAP_LOOKUP_BATCH, &a, offsetofend(union bpf_attr, batch))) {
			if (errno != ENOENT)
				return -errno;
			c->more = false;	/* the end: a.batch.count is valid */
		} else {
			c->more = true;
			memcpy(c->in_batch, c->out_batch, 8);
		}
		c->keys_done += a.batch.count;
	}
	return 0;
}

static void bpf_size(unsigned int key_len, unsigned int value_len)
{
	struct bench_fig fig = { .suite = "bpf", .key_len = key_len,
				 .value_len = value_len, .batch = 1,
				 .latency = true };
	struct bpf_ctx c = { .fd = -1 };
	struct keyset ks;
	double t0;
	int ret;

	if (keyset_init(&ks, bench_keys_for(value_len), key_len, value_len))
		return;
	fig.nkeys = ks.n;
	c.ks = &ks;
	c.fd = bpf_map_create(key_len, value_len, ks.n + 1024);
	if (c.fd < 0) {
		bench_not_measured("bpf", "map_create", strerror(errno));
		goto out;
	}
	t0 = bench_now_ns();
	ret = bpf_preload(c.fd, &ks);
	bench_log("bpf: preloaded %u keys of %u/%u in %.1f s\n", ks.n,
		  key_len, value_len, (bench_now_ns() - t0) / 1e9);
	if (ret) {
		bench_not_measured("bpf", "preload", strerror(-ret));
		goto out;
	}
	fig.op = "lookup";
	bench_measure(&fig, f_bpf_lookup, &c);
	fig.op = "update";
	bench_measure(&fig, f_bpf_update, &c);
	c.in_batch = calloc(1, 8);
	c.out_batch = calloc(1, 8);
	c.keys_out = calloc(64, key_len);
	if (c.in_batch && c.out_batch && c.keys_out) {
		fig.op = "lookup_batch";
		fig.batch = 64;
		fig.latency = false;
		fig.keys_done = &c.keys_done;
		fig.note = "BPF_MAP_LOOKUP_BATCH, count 64, walking the whole map; per key";
		bench_measure(&fig, f_bpf_lookup_batch, &c);
	}
	free(c.in_batch);
	free(c.out_batch);
	free(c.keys_out);
out:
	if (c.fd >= 0)
		close(c.fd);
	keyset_free(&ks);
}

void suite_bpf(void)
{
	unsigned int s;

	for (s = 0; s < bench_nr_sizes; s++)
		if (bench_size_selected(bench_sizes[s].key_len,
					bench_sizes[s].value_len))
			bpf_size(bench_sizes[s].key_len, bench_sizes[s].value_len);
}

void suite_memory_bpf(void)
{
	struct mem_snap before, after;
	struct keyset ks;
	int fd, ret;

	if (keyset_init(&ks, cfg.mem_entries, 16, 64))
		return;
	mem_settle();
	mem_snapshot(&before);
	fd = bpf_map_create(16, 64, cfg.mem_entries);
	if (fd < 0) {
		bench_not_measured("memory", "bpf", strerror(errno));
		goto out;
	}
	ret = bpf_preload(fd, &ks);
	mem_settle();
	mem_snapshot(&after);
	if (ret)
		bench_not_measured("memory", "bpf", strerror(-ret));
	else
		mem_report("bpf", &before, &after, cfg.mem_entries, 16 + 64);
	close(fd);
out:
	keyset_free(&ks);
}

/* -------------------------------------------------------------- scaling */

struct scale_thr {
	pthread_t th;
	int cpu;
	bench_fn fn;
	void *arg;
	uint64_t base, n;
	pthread_barrier_t *bar;
	double t0, t1;
	int ret;
};

static void *scale_thread(void *p)
{
	struct scale_thr *s = p;

	bench_pin(s->cpu);
	s->fn(s->arg, s->base, 64);	/* warm */
	pthread_barrier_wait(s->bar);
	s->t0 = bench_now_ns();
	s->ret = s->fn(s->arg, s->base, s->n);
	s->t1 = bench_now_ns();
	return NULL;
}

/* ns per op of all threads together (wall / total ops) */
static double scale_run(int nthr, bench_fn fn, void *arg0, void *arg1,
			uint64_t n, uint64_t base, int *ret)
{
	struct scale_thr t[2];
	pthread_barrier_t bar;
	double t0, t1;
	int k;

	pthread_barrier_init(&bar, NULL, nthr);
	for (k = 0; k < nthr; k++) {
		t[k] = (struct scale_thr){ .cpu = k ? cfg.cpu_b : cfg.cpu_a,
			.fn = fn, .arg = k ? arg1 : arg0, .n = n,
			.base = base + k * 7919, .bar = &bar };
		pthread_create(&t[k].th, NULL, scale_thread, &t[k]);
	}
	for (k = 0; k < nthr; k++)
		pthread_join(t[k].th, NULL);
	pthread_barrier_destroy(&bar);
	t0 = t[0].t0;
	t1 = t[0].t1;
	*ret = t[0].ret;
	if (nthr == 2) {
		t0 = t[1].t0 < t0 ? t[1].t0 : t0;
		t1 = t[1].t1 > t1 ? t[1].t1 : t1;
		*ret = *ret ? *ret : t[1].ret;
	}
	return (t1 - t0) / ((double)n * nthr);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void bench_scale(const char *op, bench_fn fn, void *arg0, void *arg1)
{
	double one[32], two[32], t0, per, m1, m2;
	unsigned int reps = cfg.reps > 32 ? 32 : cfg.reps, r;
	uint64_t n, base = 0;
	json_object *x;
	int ret;

	bench_pin(cfg.cpu_a);
	fn(arg0, 0, 16);
	t0 = bench_now_ns();
	ret = fn(arg0, 16, 64);
	per = (bench_now_ns() - t0) / 64;
	if (ret) {
		bench_not_measured("scale", op, strerror(-ret));
		return;
	}
	n = (uint64_t)(cfg.rep_ms * 3e6 / (per > 1 ? per : 1));
	n = n < 256 ? 256 : n;
	for (r = 0; r < reps && !ret; r++) {
		one[r] = scale_run(1, fn, arg0, arg1, n, base, &ret);
		base += n;
		if (!ret)
			two[r] = scale_run(2, fn, arg0, arg1, n, base, &ret);
		base += n;
	}
	if (ret) {
		bench_not_measured("scale", op, strerror(-ret));
		return;
	}
	qsort(one, reps, sizeof(double), cmp_d);
	qsort(two, reps, sizeof(double), cmp_d);
	m1 = one[reps / 2];
	m2 = two[reps / 2];
	x = json_object_new_object();
	json_object_object_add(x, "ns_per_op_1_thread", json_object_new_double(m1));
	json_object_object_add(x, "ns_per_op_2_threads", json_object_new_double(m2));
	json_object_object_add(x, "best_ratio", json_object_new_double(one[0] / two[0]));
	json_object_object_add(x, "ops_per_thread", json_object_new_int64(n));
	json_object_object_add(x, "cpus", json_object_new_string("threads pinned to CPU a and CPU b; ratio = aggregate rate of 2 threads / rate of 1"));
	bench_record_value("scale", op, NULL, 16, 64, "x", m1 / m2, x);
}

void suite_scale(void)
{
	int fd[2] = { open("/dev/skv", O_RDWR | O_CLOEXEC),
		      open("/dev/skv", O_RDWR | O_CLOEXEC) };

	/* what the VM can give two threads at all: the syscall floor */
	bench_scale("getppid", f_getppid, NULL, NULL);
	if (fd[0] >= 0 && fd[1] >= 0)
		bench_scale("null_ioctl", f_null_ioctl, &fd[0], &fd[1]);
	if (fd[0] >= 0)
		close(fd[0]);
	if (fd[1] >= 0)
		close(fd[1]);
	suite_scale_skv();
	/* BPF lookups on 2 CPUs, each thread with its own fd, for comparison */
	{
		struct keyset ks[2];
		struct bpf_ctx c[2] = { { .fd = -1 }, { .fd = -1 } };

		if (keyset_init(&ks[0], cfg.keys, 16, 64) ||
		    keyset_init(&ks[1], cfg.keys, 16, 64))
			return;
		c[0].ks = &ks[0];
		c[1].ks = &ks[1];
		c[0].fd = bpf_map_create(16, 64, cfg.keys + 1024);
		if (c[0].fd >= 0 && !bpf_preload(c[0].fd, &ks[0])) {
			c[1].fd = bpf_map_reopen(c[0].fd);
			if (c[1].fd >= 0)
				bench_scale("bpf_lookup", f_bpf_lookup, &c[0], &c[1]);
		}
		if (c[0].fd >= 0)
			close(c[0].fd);
		if (c[1].fd >= 0)
			close(c[1].fd);
		keyset_free(&ks[0]);
		keyset_free(&ks[1]);
	}
}

/* --------------------------------------------------------------- memory */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, s, strlen(s));
	close(fd);
	return w < 0 ? -errno : 0;
}

static bool in_memcg;

/* Move this process into its own memory cgroup, for memory.stat. */
int mem_cgroup_enter(void)
{
	char buf[32];

	if (in_memcg)
		return 0;
	write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	mkdir("/sys/fs/cgroup/skv-bench", 0755);
	snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (write_str("/sys/fs/cgroup/skv-bench/cgroup.procs", buf))
		return -1;
	if (access("/sys/fs/cgroup/skv-bench/memory.stat", R_OK))
		return -1;
	in_memcg = true;
	return 0;
}

void mem_settle(void)
{
	/* kfree_rcu() and the slab's per-CPU caches settle within this */
	sync();
	usleep(1500 * 1000);
}

static long long kv_field(const char *path, const char *key, long long mul)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t kl = strlen(key);
	long long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && (line[kl] == ' ' || line[kl] == ':')) {
			v = strtoll(line + kl + 1 + strspn(line + kl + 1, " :\t"), NULL, 10) * mul;
			break;
		}
	fclose(f);
	return v;
}

void mem_snapshot(struct mem_snap *s)
{
	const char *st = "/sys/fs/cgroup/skv-bench/memory.stat";
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->memcg = in_memcg;
	if (in_memcg) {
		f = fopen("/sys/fs/cgroup/skv-bench/memory.current", "r");
		if (f) {
			if (fscanf(f, "%lld", &s->memcg_current) != 1)
				s->memcg_current = -1;
			fclose(f);
		}
		s->memcg_kernel = kv_field(st, "kernel", 1);
		s->memcg_slab = kv_field(st, "slab", 1);
		s->memcg_vmalloc = kv_field(st, "vmalloc", 1);
		s->memcg_percpu = kv_field(st, "percpu", 1);
	}
	s->mem_free = kv_field("/proc/meminfo", "MemFree", 1024);
	s->slab = kv_field("/proc/meminfo", "Slab", 1024);
	s->vmalloc_used = kv_field("/proc/meminfo", "VmallocUsed", 1024);
	s->percpu = kv_field("/proc/meminfo", "Percpu", 1024);
}

void mem_report(const char *store, const struct mem_snap *b,
		const struct mem_snap *a, unsigned long long n,
		unsigned int payload)
{
	json_object *x = json_object_new_object();
	double memfree = (double)(b->mem_free - a->mem_free) / n;
	double kmem = (double)((a->slab - b->slab) + (a->vmalloc_used - b->vmalloc_used) +
			       (a->percpu - b->percpu)) / n;
	double memcg = -1, judged;
	char op[64];

	json_object_object_add(x, "entries", json_object_new_int64(n));
	json_object_object_add(x, "payload_bytes", json_object_new_int(payload));
	json_object_object_add(x, "memfree_bytes_per_entry", json_object_new_double(memfree));
	json_object_object_add(x, "meminfo_slab_vmalloc_percpu_bytes_per_entry",
			       json_object_new_double(kmem));
	if (a->memcg && a->memcg_kernel >= 0) {
		memcg = (double)(a->memcg_kernel - b->memcg_kernel) / n;
		json_object_object_add(x, "memcg_kernel_bytes_per_entry", json_object_new_double(memcg));
		json_object_object_add(x, "memcg_slab_bytes_per_entry",
				       json_object_new_double((double)(a->memcg_slab - b->memcg_slab) / n));
		json_object_object_add(x, "memcg_vmalloc_bytes_per_entry",
				       json_object_new_double((double)(a->memcg_vmalloc - b->memcg_vmalloc) / n));
		json_object_object_add(x, "memcg_current_bytes_per_entry",
				       json_object_new_double((double)(a->memcg_current - b->memcg_current) / n));
	}
	/* judged on the larger of the memcg kernel charge and /proc/meminfo's
	 * slab + vmalloc + percpu growth: whichever saw more */
	judged = memcg > kmem ? memcg : kmem;
	json_object_object_add(x, "judged_on",
		json_object_new_string("max(memcg kernel, meminfo Slab+VmallocUsed+Percpu) per entry, minus key+value bytes"));
	snprintf(op, sizeof(op), "%s_overhead_per_entry", store);
	bench_record_value("memory", op, NULL, 16, 64, "bytes", judged - payload, x);
}

static void suite_curve(void)
{
	if (mem_cgroup_enter())
		bench_log("curve: no memory cgroup; using /proc/meminfo only\n");
	suite_curve_skv();
}

void suite_memory(void)
{
	if (mem_cgroup_enter())
		bench_log("memory: no memory cgroup; using /proc/meminfo only\n");
	suite_memory_skv();
	mem_settle();
	suite_memory_bpf();
}

/* ----------------------------------------------------------------- main */

static const struct {
	const char *name;
	void (*fn)(void);
	const char *help;
} suites[] = {
	{ "floor", suite_floor, "null ioctl on /dev/skv and getppid()" },
	{ "skv", suite_skv, "GET PUT DELETE INCR (median, p99), BATCH 16/64, SCAN" },
	{ "bpf", suite_bpf, "BPF hash map via bpf(2): lookup, update, lookup batch" },
	{ "scale", suite_scale, "1 vs 2 reader threads (skv GET, BPF, syscall floor)" },
	{ "events", suite_events_skv, "PUT with 0 and 1 event subscriber" },
	{ "netlink", suite_netlink_skv, "GET through the generic netlink family" },
	{ "mapped", suite_mapped, "mapped-table GET without a syscall, an in-process hash, PUT" },
	{ "memory", suite_memory, "kernel memory per entry at 1M entries" },
	{ "curve", suite_curve, "GET, PUT, memory per entry and insert latency at each --curve size" },
};
#define NR_SUITES (sizeof(suites) / sizeof(suites[0]))

static void usage(FILE *f)
{
	unsigned int s;

	fprintf(f,
"Usage: skv-bench [OPTIONS] [SUITE...]\n"
"       skv-bench report [--out DIR] [--fact KEY=VALUE]... FILE.json...\n"
"\n"
"Measures skv (through libskvdev) against the syscall floor and BPF hash\n"
"maps on the running kernel; skv.ko must be loaded. Prints each figure as\n"
"ns per key and as a ratio to the null ioctl; --json keeps every raw\n"
"figure. `make bench` runs it in the TCG test VM together with\n"
"skv-bench-peers (Redis, memcached, LMDB); under an emulator absolute times\n"
"mean nothing, only ratios taken in the same run carry over.\n"
"\n"
"Suites (default: all):\n");
	for (s = 0; s < NR_SUITES; s++)
		fprintf(f, "  %-8s %s\n", suites[s].name, suites[s].help);
	fprintf(f,
"\n"
"Options:\n"
"  -k, --keys N        preloaded keys per size (default %u)\n"
"  -K, --keys-large N  ... for 16 KiB values (default %u: preloading 100k of\n"
"                      them in every store takes minutes under TCG)\n"
"  -r, --reps N        timed repetitions per figure (default %u)\n"
"  -t, --rep-ms MS     length of one repetition (default %.0f)\n"
"  -l, --lat-ops N     single-op samples for median/p99 (default %u)\n"
"  -m, --mem-entries N entries of the memory test (default %u)\n"
"  -C, --curve LIST    entry counts of the curve suite (default %s)\n"
"  -s, --sizes LIST    only these KEY/VALUE sizes, e.g. 16/64,32/1024\n"
"                      (default 16/64,32/1024,32/16384)\n"
"  -c, --cpus A,B      the two CPUs for the scaling test (default 0,1)\n"
"  -j, --json FILE     write every raw figure and the machine facts\n"
"  -q, --quiet         no progress lines\n"
"  -h, --help          this text\n",
		cfg.keys, cfg.keys_large, cfg.reps, cfg.rep_ms, cfg.lat_ops, cfg.mem_entries,
		cfg.curve);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keys", required_argument, NULL, 'k' },
		{ "keys-large", required_argument, NULL, 'K' },
		{ "reps", required_argument, NULL, 'r' },
		{ "rep-ms", required_argument, NULL, 't' },
		{ "lat-ops", required_argument, NULL, 'l' },
		{ "mem-entries", required_argument, NULL, 'm' },
		{ "curve", required_argument, NULL, 'C' },
		{ "sizes", required_argument, NULL, 's' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "json", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *json = NULL;
	unsigned int s;
	int c, i;
	bool any = false;

	if (argc > 1 && !strcmp(argv[1], "report"))
		return report_main(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "K:k:r:t:l:m:C:s:c:j:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'k': cfg.keys = strtoul(optarg, NULL, 0); break;
		case 'K': cfg.keys_large = strtoul(optarg, NULL, 0); break;
		case 'r': cfg.reps = strtoul(optarg, NULL, 0); break;
		case 't': cfg.rep_ms = strtod(optarg, NULL); break;
		case 'l': cfg.lat_ops = strtoul(optarg, NULL, 0); break;
		case 'm': cfg.mem_entries = strtoul(optarg, NULL, 0); break;
		case 'C': cfg.curve = optarg; break;
		case 's': cfg.only_sizes = optarg; break;
		case 'c':
			if (sscanf(optarg, "%d,%d", &cfg.cpu_a, &cfg.cpu_b) != 2) {
				fprintf(stderr, "skv-bench: --cpus wants A,B\n");
				return 2;
			}
			break;
		case 'j': json = optarg; break;
		case 'q': cfg.quiet = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!cfg.keys || !cfg.keys_large || !cfg.reps || cfg.rep_ms <= 0 || !cfg.mem_entries) {
		fprintf(stderr, "skv-bench: --keys, --reps, --rep-ms and --mem-entries must be > 0\n");
		return 2;
	}
	for (i = optind; i < argc; i++) {
		for (s = 0; s < NR_SUITES; s++)
			if (!strcmp(argv[i], suites[s].name))
				break;
		if (s == NR_SUITES) {
			fprintf(stderr, "skv-bench: unknown suite '%s' (see --help)\n", argv[i]);
			return 2;
		}
	}
	bench_pin(cfg.cpu_a);
	for (s = 0; s < NR_SUITES; s++) {
		bool want = optind == argc;

		for (i = optind; i < argc; i++)
			want |= !strcmp(argv[i], suites[s].name);
		if (!want)
			continue;
		any = true;
		bench_log("== %s\n", suites[s].name);
		bench_pin(cfg.cpu_a);
		suites[s].fn();
	}
	if (!any)
		return 2;
	if (json && bench_write_json(json, "skv-bench")) {
		fprintf(stderr, "skv-bench: cannot write %s\n", json);
		return 1;
	}
	if (!json || strcmp(json, "-"))
		report_print_quick(bench_results(), stdout);
	return 0;
}
