// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: for every ioctl, fail the 1st, 2nd, 3rd, ... allocation
 * the call makes (/proc/thread-self/fail-nth, FAILSLAB and FAIL_PAGE_ALLOC)
 * until a call runs without hitting the injected fault. After each injected
 * failure the call must return a clean errno and leave the table exactly as
 * it was (every key read back with its value and version, STATS entries and
 * bytes, INFO attributes); a failure the kernel absorbs (a fallback path)
 * must leave the table as a successful call does (fail-nth injects one
 * failure per call, so a kvmalloc() that falls back to vmalloc() absorbs
 * it, and so do kmemleak's and KASAN's own allocations). Leaks are caught by the
 * VM runner's kmemleak scan after the suite. Needs the debug kernel; skips
 * where fail-nth does not exist.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "reliability.h"

#define FI_TABLE	"fi-table"
#define FI_NEW_TABLE	"fi-new-table"
#define FI_BIG_LEN	(64 * 1024)
#define FI_MAX_NTH	2000
#define FI_ALWAYS	(~0u)	/* fi_op.feature of FEATURES itself */

enum { FI_K0, FI_K1, FI_K2, FI_K3, FI_CNT, FI_NEW, FI_NR_KEYS };

static const char *const fi_keys[FI_NR_KEYS] = {
	"k0", "k1", "k2", "k3", "cnt", "new",
};

/* What a test can see of the table: each key, STATS and INFO. */
struct fi_entry {
	bool present;
	uint32_t len;
	uint64_t hash;
	uint64_t version;
	uint32_t user_flags;
};

struct fi_snap {
	struct fi_entry e[FI_NR_KEYS];
	uint64_t entries, bytes;
	uint64_t default_ttl_ms;
	uint32_t mode;
	uint32_t policy;
	bool table_exists;
};

struct fi_ctx {
	int ctl;
	int fd;			/* table fd of FI_TABLE */
	int new_fd;		/* fd a TABLE_OPEN returned, closed after */
	uint8_t *big;		/* FI_BIG_LEN bytes */
	uint8_t *buf;		/* FI_BIG_LEN bytes of scratch */
	struct skv_batch_op bops[4];
	uint64_t k1_version;	/* for the CAS of PUT_cas_ttl */
};

struct fi_op {
	const char *name;
	unsigned int feature;	/* enum skv_op the call needs */
	bool on_new_table;	/* creates FI_NEW_TABLE: check it, not FI_TABLE */
	int (*run)(struct fi_ctx *c);
	/* Turn the snapshot before into the one expected after success. */
	void (*expect)(struct fi_snap *s, const struct fi_ctx *c);
};

static uint64_t fi_fnv(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static void fi_set(struct fi_snap *s, int k, const void *val, uint32_t len)
{
	struct fi_entry *e = &s->e[k];
	size_t klen = strlen(fi_keys[k]);

	if (e->present) {
		s->bytes -= klen + e->len;
		s->entries--;
	}
	e->present = true;
	e->len = len;
	e->hash = fi_fnv(val, len);
	e->version = UINT64_MAX;	/* "changed": any newer version */
	s->bytes += klen + len;
	s->entries++;
}

static void fi_del(struct fi_snap *s, int k)
{
	struct fi_entry *e = &s->e[k];

	if (!e->present)
		return;
	s->bytes -= strlen(fi_keys[k]) + e->len;
	s->entries--;
	memset(e, 0, sizeof(*e));
}

static int fi_snapshot(int fd, struct fi_snap *s, uint8_t *buf)
{
	struct skv_stats st;
	struct skv_info info;
	int k, ret;

	memset(s, 0, sizeof(*s));
	s->table_exists = true;
	for (k = 0; k < FI_NR_KEYS; k++) {
		struct skv_get g = {
			.size = sizeof(g),
			.key_len = strlen(fi_keys[k]),
			.key_ptr = (uintptr_t)fi_keys[k],
			.value_ptr = (uintptr_t)buf,
			.value_len = FI_BIG_LEN,
		};

		ret = rt_ioctl(fd, SKV_IOC_GET, &g);
		if (ret == -ENOENT)
			continue;
		if (ret)
			return ret;
		s->e[k].present = true;
		s->e[k].len = g.value_len;
		s->e[k].hash = fi_fnv(buf, g.value_len);
		s->e[k].version = g.version;
		s->e[k].user_flags = g.user_flags;
	}
	ret = rt_stats(fd, &st);
	if (ret)
		return ret;
	s->entries = st.entries;
	s->bytes = st.bytes;
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	ret = rt_ioctl(fd, SKV_IOC_INFO, &info);
	if (ret)
		return ret;
	s->mode = info.attr.mode;
	s->policy = info.attr.policy;
	s->default_ttl_ms = info.attr.default_ttl_ms;
	return 0;
}

/*
 * @want is the snapshot before (after a failure) or the expected one
 * (after success). An entry whose expected version is UINT64_MAX changed
 * and must carry a version newer than @before's; any other must be equal.
 */
static bool fi_snap_matches(struct __test_metadata *_metadata,
			    const struct fi_snap *want,
			    const struct fi_snap *before,
			    const struct fi_snap *got, const char *what)
{
	bool ok = true;
	int k;

	for (k = 0; k < FI_NR_KEYS; k++) {
		const struct fi_entry *w = &want->e[k], *g = &got->e[k];
		bool version_ok;

		if (w->version == UINT64_MAX)
			version_ok = g->version > before->e[k].version;
		else
			version_ok = g->version == w->version;
		if (w->present != g->present || w->len != g->len ||
		    w->hash != g->hash || !version_ok) {
			TH_LOG("%s: key %s: present %d/%d len %u/%u version %llu/%llu",
			       what, fi_keys[k], w->present, g->present, w->len,
			       g->len, (unsigned long long)w->version,
			       (unsigned long long)g->version);
			ok = false;
		}
	}
	if (want->entries != got->entries || want->bytes != got->bytes) {
		TH_LOG("%s: stats entries %llu/%llu bytes %llu/%llu", what,
		       (unsigned long long)want->entries,
		       (unsigned long long)got->entries,
		       (unsigned long long)want->bytes,
		       (unsigned long long)got->bytes);
		ok = false;
	}
	if (want->mode != got->mode || want->policy != got->policy ||
	    want->default_ttl_ms != got->default_ttl_ms) {
		TH_LOG("%s: info mode %o/%o policy %u/%u default_ttl %llu/%llu",
		       what, want->mode, got->mode, want->policy, got->policy,
		       (unsigned long long)want->default_ttl_ms,
		       (unsigned long long)got->default_ttl_ms);
		ok = false;
	}
	return ok;
}

/* The ops under test, each on the baseline table of fi_baseline(). */

static int fi_run_features(struct fi_ctx *c)
{
	struct skv_features f;

	return rt_features(c->ctl, &f);
}

static int fi_run_create(struct fi_ctx *c)
{
	struct skv_table_attr attr = { .max_entries = 100, .mode = 0640 };
	int ret = rt_table_open(c->ctl, FI_NEW_TABLE,
				SKV_OPEN_CREATE | SKV_OPEN_EXCL, &attr);

	if (ret >= 0)
		c->new_fd = ret;
	return ret < 0 ? ret : 0;
}

static int fi_run_open(struct fi_ctx *c)
{
	int ret = rt_table_open(c->ctl, FI_TABLE, SKV_OPEN_RDONLY, NULL);

	if (ret >= 0)
		c->new_fd = ret;
	return ret < 0 ? ret : 0;
}

static int fi_run_delete_table(struct fi_ctx *c)
{
	return rt_table_delete(c->ctl, FI_TABLE);
}

static void fi_expect_deleted(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	s->table_exists = false;
}

static int fi_run_get(struct fi_ctx *c)
{
	uint32_t len = FI_BIG_LEN;

	return rt_get(c->fd, "k0", 2, c->buf, &len, NULL);
}

static int fi_run_put_new(struct fi_ctx *c)
{
	return rt_put(c->fd, "new", 3, "fresh", 5, 0, 0, NULL);
}

static void fi_expect_put_new(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	fi_set(s, FI_NEW, "fresh", 5);
}

static int fi_run_put_replace(struct fi_ctx *c)
{
	return rt_put(c->fd, "k0", 2, "replaced", 8, SKV_PUT_XX, 0, NULL);
}

static void fi_expect_put_replace(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	fi_set(s, FI_K0, "replaced", 8);
}

static int fi_run_put_cas_ttl(struct fi_ctx *c)
{
	struct skv_put p = {
		.size = sizeof(p),
		.flags = SKV_PUT_CAS | SKV_PUT_TTL,
		.key_len = 2, .key_ptr = (uintptr_t)"k1",
		.value_len = 3, .value_ptr = (uintptr_t)"ttl",
		.ttl_ms = 3600 * 1000, .user_flags = 7,
		.cas_version = c->k1_version,
	};

	return rt_ioctl(c->fd, SKV_IOC_PUT, &p);
}

static void fi_expect_put_cas_ttl(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	fi_set(s, FI_K1, "ttl", 3);
}

static int fi_run_put_big(struct fi_ctx *c)
{
	return rt_put(c->fd, "new", 3, c->big, FI_BIG_LEN, SKV_PUT_NX, 0, NULL);
}

static void fi_expect_put_big(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	fi_set(s, FI_NEW, c->big, FI_BIG_LEN);
}

static int fi_run_delete(struct fi_ctx *c)
{
	return rt_del(c->fd, "k2", 2, 0, 0);
}

static void fi_expect_delete(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	fi_del(s, FI_K2);
}

static int fi_run_incr(struct fi_ctx *c)
{
	return rt_incr(c->fd, "cnt", 3, 1, NULL);
}

static void fi_expect_incr(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	fi_set(s, FI_CNT, "42", 2);
}

static int fi_run_incr_new(struct fi_ctx *c)
{
	return rt_incr(c->fd, "new", 3, -5, NULL);
}

static void fi_expect_incr_new(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	fi_set(s, FI_NEW, "-5", 2);
}

static int fi_run_getdel(struct fi_ctx *c)
{
	struct skv_get g = {
		.size = sizeof(g),
		.key_len = 2, .key_ptr = (uintptr_t)"k3",
		.value_len = FI_BIG_LEN, .value_ptr = (uintptr_t)c->buf,
	};

	return rt_ioctl(c->fd, SKV_IOC_GETDEL, &g);
}

static void fi_expect_getdel(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	fi_del(s, FI_K3);
}

static void fi_batch_fill(struct fi_ctx *c)
{
	struct skv_batch_op *o = c->bops;

	memset(c->bops, 0, sizeof(c->bops));
	o[0].op = SKV_OP_PUT;
	o[0].key_len = 3, o[0].key_ptr = (uintptr_t)"new";
	o[0].value_len = 5, o[0].value_ptr = (uintptr_t)"batch";
	o[1].op = SKV_OP_GET;
	o[1].key_len = 2, o[1].key_ptr = (uintptr_t)"k0";
	o[1].value_len = 64, o[1].value_ptr = (uintptr_t)c->buf;
	o[2].op = SKV_OP_DELETE;
	o[2].key_len = 2, o[2].key_ptr = (uintptr_t)"k1";
	o[3].op = SKV_OP_INCR;
	o[3].key_len = 3, o[3].key_ptr = (uintptr_t)"cnt";
	o[3].num = 1;
}

static int fi_run_batch(struct fi_ctx *c)
{
	struct skv_batch b = {
		.size = sizeof(b),
		.count = RT_ARRAY_SIZE(c->bops),
		.op_size = sizeof(c->bops[0]),
		.ops_ptr = (uintptr_t)c->bops,
	};

	fi_batch_fill(c);
	return rt_ioctl(c->fd, SKV_IOC_BATCH, &b);
}

/* A batch is not atomic: each op took effect exactly when its status is 0. */
static void fi_expect_batch(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	if (!c->bops[0].status)
		fi_set(s, FI_NEW, "batch", 5);
	if (!c->bops[2].status)
		fi_del(s, FI_K1);
	if (!c->bops[3].status)
		fi_set(s, FI_CNT, "42", 2);
}

static int fi_run_scan(struct fi_ctx *c)
{
	long n = rt_scan_all(c->fd, NULL, NULL);

	return n < 0 ? (int)n : 0;
}

static int fi_run_flush(struct fi_ctx *c)
{
	return rt_flush(c->fd);
}

static void fi_expect_flush(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	int k;

	for (k = 0; k < FI_NR_KEYS; k++)
		fi_del(s, k);
}

static int fi_run_stats(struct fi_ctx *c)
{
	struct skv_stats st;

	return rt_stats(c->fd, &st);
}

static int fi_run_info(struct fi_ctx *c)
{
	struct skv_info info = { .size = sizeof(info) };

	return rt_ioctl(c->fd, SKV_IOC_INFO, &info);
}

static int fi_run_set(struct fi_ctx *c)
{
	struct skv_set set = {
		.size = sizeof(set),
		.mask = SKV_SET_DEFAULT_TTL | SKV_SET_MODE | SKV_SET_POLICY,
		.default_ttl_ms = 60000, .mode = 0644,
		.policy = SKV_POLICY_LRU,
	};

	return rt_ioctl(c->fd, SKV_IOC_SET, &set);
}

static void fi_expect_set(struct fi_snap *s,
				const struct fi_ctx *c RT_UNUSED)
{
	s->default_ttl_ms = 60000;
	s->mode = 0644;
	s->policy = SKV_POLICY_LRU;
}

static const struct fi_op fi_ops[] = {
	{ "FEATURES", FI_ALWAYS, false, fi_run_features, NULL },
	{ "TABLE_OPEN_create", SKV_OP_TABLE_OPEN, true, fi_run_create, NULL },
	{ "TABLE_OPEN_existing", SKV_OP_TABLE_OPEN, false, fi_run_open, NULL },
	{ "TABLE_DELETE", SKV_OP_TABLE_DELETE, false, fi_run_delete_table,
	  fi_expect_deleted },
	{ "GET", SKV_OP_GET, false, fi_run_get, NULL },
	{ "PUT_new", SKV_OP_PUT, false, fi_run_put_new, fi_expect_put_new },
	{ "PUT_replace", SKV_OP_PUT, false, fi_run_put_replace,
	  fi_expect_put_replace },
	{ "PUT_cas_ttl", SKV_OP_PUT, false, fi_run_put_cas_ttl,
	  fi_expect_put_cas_ttl },
	{ "PUT_64KiB", SKV_OP_PUT, false, fi_run_put_big, fi_expect_put_big },
	{ "DELETE", SKV_OP_DELETE, false, fi_run_delete, fi_expect_delete },
	{ "INCR", SKV_OP_INCR, false, fi_run_incr, fi_expect_incr },
	{ "INCR_new", SKV_OP_INCR, false, fi_run_incr_new, fi_expect_incr_new },
	{ "GETDEL", SKV_OP_GETDEL, false, fi_run_getdel, fi_expect_getdel },
	{ "BATCH", SKV_OP_BATCH, false, fi_run_batch, fi_expect_batch },
	{ "SCAN", SKV_OP_SCAN, false, fi_run_scan, NULL },
	{ "FLUSH", SKV_OP_FLUSH, false, fi_run_flush, fi_expect_flush },
	{ "STATS", SKV_OP_STATS, false, fi_run_stats, NULL },
	{ "INFO", SKV_OP_INFO, false, fi_run_info, NULL },
	{ "SET", SKV_OP_SET, false, fi_run_set, fi_expect_set },
};

/* Errnos an allocation failure may surface as. */
static bool fi_clean_errno(int err)
{
	return err == -ENOMEM || err == -EMFILE || err == -ENFILE;
}

/* Let fail-nth reach GFP_KERNEL allocations from slab and page allocator. */
static void fi_configure_debugfs(void)
{
	static const char *const knobs[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/failslab/probability", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/probability", "0" },
	};
	size_t i;

	for (i = 0; i < RT_ARRAY_SIZE(knobs); i++)
		rt_write_str(knobs[i][0], knobs[i][1]);
}

/* The table every op starts from: four strings and a counter at 41. */
static int fi_baseline(struct fi_ctx *c)
{
	static const char *const vals[] = { "v0", "value-1", "v2", "value-three" };
	struct skv_table_attr attr = { .max_entries = 1000, .mode = 0600 };
	int k, ret;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	rt_table_delete(c->ctl, FI_TABLE);
	rt_table_delete(c->ctl, FI_NEW_TABLE);
	ret = rt_table_open(c->ctl, FI_TABLE, SKV_OPEN_CREATE | SKV_OPEN_EXCL,
			    &attr);
	if (ret < 0)
		return ret;
	c->fd = ret;
	for (k = FI_K0; k <= FI_K3; k++) {
		ret = rt_put(c->fd, fi_keys[k], strlen(fi_keys[k]), vals[k],
			     strlen(vals[k]), 0, 0,
			     k == FI_K1 ? &c->k1_version : NULL);
		if (ret)
			return ret;
	}
	return rt_puts(c->fd, "cnt", "41");
}

/* Where the op's effect shows: the table it made or FI_TABLE by name. */
static int fi_observe(struct fi_ctx *c, const struct fi_op *op,
		      struct fi_snap *s)
{
	int fd, ret;

	fd = rt_table_open(c->ctl, op->on_new_table ? FI_NEW_TABLE : FI_TABLE,
			   SKV_OPEN_RDONLY, NULL);
	if (fd == -ENOENT) {
		memset(s, 0, sizeof(*s));	/* table_exists = false */
		return 0;
	}
	if (fd < 0)
		return fd;
	ret = fi_snapshot(fd, s, c->buf);
	close(fd);
	return ret;
}

FIXTURE(fi) {
	struct fi_ctx c;
	int nth_fd;
};

FIXTURE_VARIANT(fi) {
	const struct fi_op *op;
};

#define FI_VARIANT(_name, _idx) \
	FIXTURE_VARIANT_ADD(fi, _name) { .op = &fi_ops[_idx] }

FI_VARIANT(features, 0);
FI_VARIANT(table_open_create, 1);
FI_VARIANT(table_open_existing, 2);
FI_VARIANT(table_delete, 3);
FI_VARIANT(get, 4);
FI_VARIANT(put_new, 5);
FI_VARIANT(put_replace, 6);
FI_VARIANT(put_cas_ttl, 7);
FI_VARIANT(put_64kib, 8);
FI_VARIANT(delete, 9);
FI_VARIANT(incr, 10);
FI_VARIANT(incr_new, 11);
FI_VARIANT(getdel, 12);
FI_VARIANT(batch, 13);
FI_VARIANT(scan, 14);
FI_VARIANT(flush, 15);
FI_VARIANT(stats, 16);
FI_VARIANT(info, 17);
FI_VARIANT(set, 18);

FIXTURE_SETUP(fi)
{
	size_t i;

	memset(&self->c, 0, sizeof(self->c));
	self->c.fd = self->c.new_fd = -1;
	self->nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (self->nth_fd < 0)
		SKIP(return, "no /proc/thread-self/fail-nth (kernel without fault injection)");
	self->c.ctl = rt_ctl_open();
	ASSERT_LE(0, self->c.ctl);
	if (variant->op->feature != FI_ALWAYS &&
	    !rt_has_op(self->c.ctl, variant->op->feature))
		SKIP(return, "the module does not serve %s yet", variant->op->name);
	fi_configure_debugfs();
	self->c.big = mmap(NULL, 2 * FI_BIG_LEN, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->c.big);
	self->c.buf = self->c.big + FI_BIG_LEN;
	for (i = 0; i < FI_BIG_LEN; i++)
		self->c.big[i] = i * 7 + 3;
	/* No page faults (and page allocations) inside the armed call. */
	mlockall(MCL_CURRENT | MCL_FUTURE);
}

FIXTURE_TEARDOWN(fi)
{
	if (self->nth_fd < 0)
		return;
	if (self->c.fd >= 0)
		close(self->c.fd);
	if (self->c.ctl >= 0) {
		rt_table_delete(self->c.ctl, FI_TABLE);
		rt_table_delete(self->c.ctl, FI_NEW_TABLE);
		close(self->c.ctl);
	}
	close(self->nth_fd);
}

/* Arm: the @nth allocation of this thread from now on fails. */
static int fi_arm(int nth_fd, unsigned int nth)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%u", nth);

	return pwrite(nth_fd, buf, n, 0) == n ? 0 : -errno;
}

/* Disarm; true if the armed fault was injected (the counter reached 0). */
static bool fi_disarm(int nth_fd)
{
	char buf[16] = "";
	bool injected;

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return false;
	injected = atoi(buf) == 0;
	pwrite(nth_fd, "0", 1, 0);
	return injected;
}

TEST_F_TIMEOUT(fi, until_success, 300)
{
	const struct fi_op *op = variant->op;
	struct fi_ctx *c = &self->c;
	unsigned int nth, i, errors = 0, absorbed = 0;
	bool done = false;

	for (nth = 1; nth <= FI_MAX_NTH && !done; nth++) {
		struct fi_snap before, after, want;
		int ret, fds_before;
		bool injected;

		ASSERT_EQ(0, fi_baseline(c));
		ASSERT_EQ(0, fi_observe(c, op, &before)) TH_LOG("nth %u", nth);
		fds_before = rt_count_fds();
		ASSERT_EQ(0, fi_arm(self->nth_fd, nth));
		ret = op->run(c);
		injected = fi_disarm(self->nth_fd);
		if (c->new_fd >= 0) {
			close(c->new_fd);
			c->new_fd = -1;
		}
		ASSERT_EQ(0, fi_observe(c, op, &after)) TH_LOG("nth %u", nth);
		if (!injected || !ret) {
			ASSERT_EQ(0, ret) TH_LOG("%s failed without a fault: %s",
						 op->name, strerror(-ret));
			want = before;
			if (op->on_new_table) {
				ASSERT_TRUE(after.table_exists)
					TH_LOG("%s succeeded, no table", op->name);
			} else if (op->expect) {
				op->expect(&want, c);
				if (!want.table_exists) {
					ASSERT_FALSE(after.table_exists);
				} else {
					ASSERT_TRUE(fi_snap_matches(_metadata, &want,
								    &before, &after,
								    "after success"))
						TH_LOG("%s nth %u", op->name, nth);
				}
			} else {
				ASSERT_TRUE(fi_snap_matches(_metadata, &before,
							    &before, &after,
							    "read-only op"))
					TH_LOG("%s nth %u", op->name, nth);
			}
			for (i = 0; op->run == fi_run_batch &&
				    i < RT_ARRAY_SIZE(c->bops); i++) {
				ASSERT_TRUE(!c->bops[i].status ||
					    fi_clean_errno(c->bops[i].status))
					TH_LOG("batch op %u status %d at nth %u",
					       i, c->bops[i].status, nth);
			}
			if (injected && op->run == fi_run_batch &&
			    (c->bops[0].status || c->bops[1].status ||
			     c->bops[2].status || c->bops[3].status))
				errors++;	/* failed inside, in a status */
			else if (injected)
				absorbed++;
			else
				done = true;
			continue;
		}
		errors++;
		ASSERT_TRUE(fi_clean_errno(ret))
			TH_LOG("%s: fault %u surfaced as %d (%s)", op->name,
			       nth, ret, strerror(-ret));
		ASSERT_EQ(before.table_exists, after.table_exists)
			TH_LOG("%s nth %u: table existence changed", op->name, nth);
		if (before.table_exists) {
			ASSERT_TRUE(fi_snap_matches(_metadata, &before, &before,
						    &after, "after failure"))
				TH_LOG("%s nth %u", op->name, nth);
		}
		ASSERT_EQ(fds_before, rt_count_fds())
			TH_LOG("%s nth %u leaked an fd", op->name, nth);
	}
	ASSERT_TRUE(done) TH_LOG("%s still failing after %u faults", op->name,
				 FI_MAX_NTH);
	ksft_print_msg("%s: %u failure points (%u errors, %u absorbed)\n",
		       op->name, errors + absorbed, errors, absorbed);
}

TEST_HARNESS_MAIN
