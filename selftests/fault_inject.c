// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: for every ioctl and genl request, fail the 1st, 2nd, 3rd, ... allocation
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

#include <linux/skv_netlink.h>

#include "kselftest_harness.h"
#include "reliability.h"

#define FI_TABLE	"fi-table"
#define FI_NEW_TABLE	"fi-new-table"
#define FI_BIG_LEN	(64 * 1024)
#define FI_MAX_NTH	2000
#define FI_ALWAYS	(~0u)	/* fi_op.feature of FEATURES itself */
#define FI_NETLINK	(~1u)	/* fi_op.feature of genl requests */

enum { FI_K0, FI_K1, FI_K2, FI_K3, FI_CNT, FI_NEW, FI_LONG, FI_NR_KEYS };

/* A key longer than the kernel copies on its stack (SKV_KEY_INLINE). */
#define FI_LONG_LEN	300
static char fi_long_key[FI_LONG_LEN + 1];

static const char *fi_keys[FI_NR_KEYS] = {
	"k0", "k1", "k2", "k3", "cnt", "new", fi_long_key,
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
	int nl;			/* NETLINK_GENERIC socket, fresh per round */
	uint16_t family;	/* "skv" genl family */
	int nl_err;		/* a dump's first error, if any */
};

struct fi_op {
	const char *name;
	unsigned int feature;	/* enum skv_op the call needs */
	bool on_new_table;	/* creates FI_NEW_TABLE: check it, not FI_TABLE */
	int (*run)(struct fi_ctx *c);
	/* Turn the snapshot before into the one expected after success. */
	void (*expect)(struct fi_snap *s, const struct fi_ctx *c);
	/* Anything else to check; @ok: the call succeeded. */
	int (*check)(struct fi_ctx *c, bool ok);
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

static bool fi_quiet;	/* fi_snap_matches() only answers, logs nothing */
#define FI_LOG(...) do { if (!fi_quiet) TH_LOG(__VA_ARGS__); } while (0)

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
			FI_LOG("%s: key %s: present %d/%d len %u/%u version %llu/%llu",
			       what, fi_keys[k], w->present, g->present, w->len,
			       g->len, (unsigned long long)w->version,
			       (unsigned long long)g->version);
			ok = false;
		}
	}
	if (want->entries != got->entries || want->bytes != got->bytes) {
		FI_LOG("%s: stats entries %llu/%llu bytes %llu/%llu", what,
		       (unsigned long long)want->entries,
		       (unsigned long long)got->entries,
		       (unsigned long long)want->bytes,
		       (unsigned long long)got->bytes);
		ok = false;
	}
	if (want->mode != got->mode || want->policy != got->policy ||
	    want->default_ttl_ms != got->default_ttl_ms) {
		FI_LOG("%s: info mode %o/%o policy %u/%u default_ttl %llu/%llu",
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

/* A mapped table: its region, index and free-slot stack are allocated now. */
static int fi_run_create_mapped(struct fi_ctx *c)
{
	struct skv_table_open o = {
		.size = sizeof(o),
		.flags = SKV_OPEN_CREATE | SKV_OPEN_EXCL,
		/* fi_snapshot() reads a 300-byte key: room for it. */
		.attr = { .max_entries = 2000, .max_key_len = 512,
			  .max_value_len = 64, .mode = 0640 },
		.table_flags = SKV_TABLE_MAPPED,
	};
	void *map;
	int ret;

	memcpy(o.name, FI_NEW_TABLE, sizeof(FI_NEW_TABLE));
	ret = rt_ioctl(c->ctl, SKV_IOC_TABLE_OPEN, &o);
	if (ret)
		return ret;
	c->new_fd = o.fd;
	/* Mapping allocates no memory of skv's own, but page tables. */
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, o.fd, 0);
	if (map == MAP_FAILED)
		return errno == ENOMEM ? 0 : -errno;
	ret = *(volatile uint32_t *)map == SKV_MAP_MAGIC ? 0 : -EPROTO;
	munmap(map, 4096);
	return ret;
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
	o[0].key_len = 3;
	o[0].key_ptr = (uintptr_t)"new";
	o[0].value_len = 5;
	o[0].value_ptr = (uintptr_t)"batch";
	o[1].op = SKV_OP_GET;
	o[1].key_len = 2;
	o[1].key_ptr = (uintptr_t)"k0";
	o[1].value_len = 64;
	o[1].value_ptr = (uintptr_t)c->buf;
	o[2].op = SKV_OP_DELETE;
	o[2].key_len = 2;
	o[2].key_ptr = (uintptr_t)"k1";
	o[3].op = SKV_OP_INCR;
	o[3].key_len = 3;
	o[3].key_ptr = (uintptr_t)"cnt";
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


static int fi_run_get_long(struct fi_ctx *c)
{
	uint32_t len = FI_BIG_LEN;

	return rt_get(c->fd, fi_long_key, FI_LONG_LEN, c->buf, &len, NULL);
}

static int fi_run_put_long(struct fi_ctx *c)
{
	return rt_put(c->fd, fi_long_key, FI_LONG_LEN, "longer", 6, 0, 0, NULL);
}

static void fi_expect_put_long(struct fi_snap *s,
			       const struct fi_ctx *c RT_UNUSED)
{
	fi_set(s, FI_LONG, "longer", 6);
}

static int fi_run_delete_long(struct fi_ctx *c)
{
	return rt_del(c->fd, fi_long_key, FI_LONG_LEN, 0, 0);
}

static void fi_expect_delete_long(struct fi_snap *s,
				  const struct fi_ctx *c RT_UNUSED)
{
	fi_del(s, FI_LONG);
}

static int fi_run_scan_long_prefix(struct fi_ctx *c)
{
	struct skv_scan sc = {
		.size = sizeof(sc), .prefix_ptr = (uintptr_t)fi_long_key,
		.prefix_len = FI_LONG_LEN - 1, .buf_ptr = (uintptr_t)c->buf,
		.buf_len = FI_BIG_LEN,
	};

	return rt_ioctl(c->fd, SKV_IOC_SCAN, &sc);
}

/* Generic netlink requests, each answered before send() returns. */
static int fi_nl_do(struct fi_ctx *c, uint8_t cmd, const char *table_attr_name,
		    uint16_t name_attr, const char *key, const char *value)
{
	struct rt_nlmsg m;

	rt_nl_init(&m, c->family, cmd, 0);
	if (table_attr_name)
		rt_nl_put_str(&m, name_attr, table_attr_name);
	if (key)
		rt_nl_put(&m, SKV_A_ENTRY_KEY, key, strlen(key));
	if (value)
		rt_nl_put(&m, SKV_A_ENTRY_VALUE, value, strlen(value));
	return rt_nl_request(c->nl, &m);
}

/* A whole dump; the first error (a failed allocation) is remembered. */
static int fi_nl_dump(struct fi_ctx *c, uint8_t cmd, const char *table)
{
	static uint8_t buf[32768];
	struct rt_nlmsg m;
	int first = 0, i;

	rt_nl_init(&m, c->family, cmd, NLM_F_DUMP);
	m.n.nlmsg_seq = 4242;
	if (table)
		rt_nl_put_str(&m, SKV_A_ENTRY_TABLE, table);
	if (send(c->nl, &m, m.n.nlmsg_len, 0) < 0)
		return -errno;
	for (i = 0; i < 1000; i++) {
		ssize_t len = recv(c->nl, buf, sizeof(buf), 0);
		struct nlmsghdr *n = (void *)buf;

		if (len < 0) {
			if (errno == EAGAIN)
				return first ?: -ETIMEDOUT;
			first = first ?: -errno;
			continue;	/* the dump goes on at the next read */
		}
		for (; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_type == NLMSG_DONE)
				return first;
			if (n->nlmsg_type == NLMSG_ERROR)
				return first ?: ((struct nlmsgerr *)NLMSG_DATA(n))->error;
		}
	}
	return -E2BIG;
}

static int fi_run_nl_table_new(struct fi_ctx *c)
{
	return fi_nl_do(c, SKV_CMD_TABLE_NEW, FI_NEW_TABLE, SKV_A_TABLE_NAME,
			NULL, NULL);
}

static int fi_run_nl_table_del(struct fi_ctx *c)
{
	return fi_nl_do(c, SKV_CMD_TABLE_DEL, FI_TABLE, SKV_A_TABLE_NAME,
			NULL, NULL);
}

static int fi_run_nl_table_get(struct fi_ctx *c)
{
	return fi_nl_do(c, SKV_CMD_TABLE_GET, FI_TABLE, SKV_A_TABLE_NAME,
			NULL, NULL);
}

static int fi_run_nl_table_dump(struct fi_ctx *c)
{
	return fi_nl_dump(c, SKV_CMD_TABLE_GET, NULL);
}

static int fi_run_nl_table_set(struct fi_ctx *c)
{
	struct rt_nlmsg m;
	uint32_t mode = 0644;
	uint64_t ttl = 60000;

	rt_nl_init(&m, c->family, SKV_CMD_TABLE_SET, 0);
	rt_nl_put_str(&m, SKV_A_TABLE_NAME, FI_TABLE);
	rt_nl_put(&m, SKV_A_TABLE_MODE, &mode, sizeof(mode));
	rt_nl_put(&m, SKV_A_TABLE_DEFAULT_TTL_MS, &ttl, sizeof(ttl));
	return rt_nl_request(c->nl, &m);
}

static void fi_expect_nl_set(struct fi_snap *s,
			     const struct fi_ctx *c RT_UNUSED)
{
	s->default_ttl_ms = 60000;
	s->mode = 0644;
}

static int fi_run_nl_key_get(struct fi_ctx *c)
{
	return fi_nl_do(c, SKV_CMD_KEY_GET, FI_TABLE, SKV_A_ENTRY_TABLE, "k0",
			NULL);
}

static int fi_run_nl_key_dump(struct fi_ctx *c)
{
	return fi_nl_dump(c, SKV_CMD_KEY_GET, FI_TABLE);
}

static int fi_run_nl_key_put(struct fi_ctx *c)
{
	return fi_nl_do(c, SKV_CMD_KEY_PUT, FI_TABLE, SKV_A_ENTRY_TABLE, "new",
			"fresh");
}

static int fi_run_nl_key_del(struct fi_ctx *c)
{
	return fi_nl_do(c, SKV_CMD_KEY_DEL, FI_TABLE, SKV_A_ENTRY_TABLE, "k2",
			NULL);
}

static int fi_run_nl_subscribe(struct fi_ctx *c)
{
	return fi_nl_do(c, SKV_CMD_SUBSCRIBE, FI_TABLE, SKV_A_EVENT_TABLE, NULL,
			NULL);
}

/* Subscribed after success, not at all (no half-made entry) after failure. */
static int fi_check_subscribed(struct fi_ctx *c, bool ok)
{
	int ret = fi_nl_do(c, SKV_CMD_UNSUBSCRIBE, FI_TABLE, SKV_A_EVENT_TABLE,
			   NULL, NULL);

	return ok ? ret : (ret == -ENOENT ? 0 : -EPROTO);
}

static const struct fi_op fi_ops[] = {
	{ .name = "FEATURES", .feature = FI_ALWAYS, .run = fi_run_features },
	{ .name = "TABLE_OPEN_create", .feature = SKV_OP_TABLE_OPEN,
	  .on_new_table = true, .run = fi_run_create },
	{ .name = "TABLE_OPEN_existing", .feature = SKV_OP_TABLE_OPEN,
	  .run = fi_run_open },
	{ .name = "TABLE_DELETE", .feature = SKV_OP_TABLE_DELETE,
	  .run = fi_run_delete_table, .expect = fi_expect_deleted },
	{ .name = "GET", .feature = SKV_OP_GET, .run = fi_run_get },
	{ .name = "PUT_new", .feature = SKV_OP_PUT,
	  .run = fi_run_put_new, .expect = fi_expect_put_new },
	{ .name = "PUT_replace", .feature = SKV_OP_PUT,
	  .run = fi_run_put_replace, .expect = fi_expect_put_replace },
	{ .name = "PUT_cas_ttl", .feature = SKV_OP_PUT,
	  .run = fi_run_put_cas_ttl, .expect = fi_expect_put_cas_ttl },
	{ .name = "PUT_64KiB", .feature = SKV_OP_PUT,
	  .run = fi_run_put_big, .expect = fi_expect_put_big },
	{ .name = "DELETE", .feature = SKV_OP_DELETE,
	  .run = fi_run_delete, .expect = fi_expect_delete },
	{ .name = "INCR", .feature = SKV_OP_INCR,
	  .run = fi_run_incr, .expect = fi_expect_incr },
	{ .name = "INCR_new", .feature = SKV_OP_INCR,
	  .run = fi_run_incr_new, .expect = fi_expect_incr_new },
	{ .name = "GETDEL", .feature = SKV_OP_GETDEL,
	  .run = fi_run_getdel, .expect = fi_expect_getdel },
	{ .name = "BATCH", .feature = SKV_OP_BATCH,
	  .run = fi_run_batch, .expect = fi_expect_batch },
	{ .name = "SCAN", .feature = SKV_OP_SCAN, .run = fi_run_scan },
	{ .name = "FLUSH", .feature = SKV_OP_FLUSH,
	  .run = fi_run_flush, .expect = fi_expect_flush },
	{ .name = "STATS", .feature = SKV_OP_STATS, .run = fi_run_stats },
	{ .name = "INFO", .feature = SKV_OP_INFO, .run = fi_run_info },
	{ .name = "SET", .feature = SKV_OP_SET,
	  .run = fi_run_set, .expect = fi_expect_set },
	{ .name = "GET_long_key", .feature = SKV_OP_GET,
	  .run = fi_run_get_long },
	{ .name = "PUT_long_key", .feature = SKV_OP_PUT,
	  .run = fi_run_put_long, .expect = fi_expect_put_long },
	{ .name = "DELETE_long_key", .feature = SKV_OP_DELETE,
	  .run = fi_run_delete_long, .expect = fi_expect_delete_long },
	{ .name = "SCAN_long_prefix", .feature = SKV_OP_SCAN,
	  .run = fi_run_scan_long_prefix },
	{ .name = "NL_TABLE_NEW", .feature = FI_NETLINK,
	  .on_new_table = true, .run = fi_run_nl_table_new },
	{ .name = "NL_TABLE_DEL", .feature = FI_NETLINK,
	  .run = fi_run_nl_table_del, .expect = fi_expect_deleted },
	{ .name = "NL_TABLE_GET", .feature = FI_NETLINK,
	  .run = fi_run_nl_table_get },
	{ .name = "NL_TABLE_GET_dump", .feature = FI_NETLINK,
	  .run = fi_run_nl_table_dump },
	{ .name = "NL_TABLE_SET", .feature = FI_NETLINK,
	  .run = fi_run_nl_table_set, .expect = fi_expect_nl_set },
	{ .name = "NL_KEY_GET", .feature = FI_NETLINK,
	  .run = fi_run_nl_key_get },
	{ .name = "NL_KEY_GET_dump", .feature = FI_NETLINK,
	  .run = fi_run_nl_key_dump },
	{ .name = "NL_KEY_PUT", .feature = FI_NETLINK,
	  .run = fi_run_nl_key_put, .expect = fi_expect_put_new },
	{ .name = "NL_KEY_DEL", .feature = FI_NETLINK,
	  .run = fi_run_nl_key_del, .expect = fi_expect_delete },
	{ .name = "NL_SUBSCRIBE", .feature = FI_NETLINK,
	  .run = fi_run_nl_subscribe, .check = fi_check_subscribed },
	{ .name = "TABLE_OPEN_create_mapped", .feature = SKV_OP_TABLE_OPEN,
	  .on_new_table = true, .run = fi_run_create_mapped },
};

/* Errnos an allocation failure may surface as. */
static bool fi_clean_errno(int err)
{
	return err == -ENOMEM || err == -EMFILE || err == -ENFILE ||
	       err == -ENOBUFS;	/* netlink: an skb, or the ack, not allocated */
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
	if (c->nl >= 0) {
		struct timeval tv = { .tv_sec = 2 };
		uint16_t family;

		close(c->nl);
		c->nl = rt_genl_open(&family);
		if (c->nl < 0)
			return c->nl;
		setsockopt(c->nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
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
	ret = rt_puts(c->fd, fi_long_key, "long");
	if (ret)
		return ret;
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
FI_VARIANT(get_long_key, 19);
FI_VARIANT(put_long_key, 20);
FI_VARIANT(delete_long_key, 21);
FI_VARIANT(scan_long_prefix, 22);
FI_VARIANT(nl_table_new, 23);
FI_VARIANT(nl_table_del, 24);
FI_VARIANT(nl_table_get, 25);
FI_VARIANT(nl_table_get_dump, 26);
FI_VARIANT(nl_table_set, 27);
FI_VARIANT(nl_key_get, 28);
FI_VARIANT(nl_key_get_dump, 29);
FI_VARIANT(nl_key_put, 30);
FI_VARIANT(nl_key_del, 31);
FI_VARIANT(nl_subscribe, 32);
FI_VARIANT(table_open_create_mapped, 33);

FIXTURE_SETUP(fi)
{
	size_t i;

	memset(fi_long_key, 'L', FI_LONG_LEN);
	memset(&self->c, 0, sizeof(self->c));
	self->c.fd = self->c.new_fd = -1;
	self->nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (self->nth_fd < 0)
		SKIP(return, "no /proc/thread-self/fail-nth (kernel without fault injection)");
	self->c.ctl = rt_ctl_open();
	ASSERT_LE(0, self->c.ctl);
	self->c.nl = -1;
	if (variant->op->feature == FI_NETLINK) {
		self->c.nl = rt_genl_open(&self->c.family);
		if (self->c.nl < 0 || !self->c.family)
			SKIP(return, "no skv genl family");
	} else if (variant->op->feature != FI_ALWAYS &&
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
	if (self->c.nl >= 0)
		close(self->c.nl);
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
	unsigned int nth, i, errors = 0, absorbed = 0, acks_lost = 0;
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
			if (op->check)
				ASSERT_EQ(0, op->check(c, true))
					TH_LOG("%s nth %u: check after success", op->name, nth);
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
		if (op->feature == FI_NETLINK && ret == -ENOBUFS) {
			bool as_before, as_success;

			/*
			 * The request ran, but netlink could not allocate its
			 * ack (sk_err = ENOBUFS): the outcome is unknown to
			 * the caller. The table must be in one of the two
			 * states, nothing in between.
			 */
			want = before;
			if (op->expect)
				op->expect(&want, c);
			fi_quiet = true;
			as_before = before.table_exists == after.table_exists &&
				    (!after.table_exists ||
				     fi_snap_matches(_metadata, &before, &before,
						     &after, ""));
			as_success = want.table_exists == after.table_exists &&
				     (!after.table_exists ||
				      fi_snap_matches(_metadata, &want, &before,
						      &after, ""));
			fi_quiet = false;
			if (op->on_new_table)
				as_success = after.table_exists;
			ASSERT_TRUE(as_before || as_success)
				TH_LOG("%s nth %u: ack lost, table half changed",
				       op->name, nth);
			if (op->check)
				op->check(c, as_success);
			acks_lost++;
			continue;
		}
		errors++;
		ASSERT_TRUE(fi_clean_errno(ret))
			TH_LOG("%s: fault %u surfaced as %d (%s)", op->name,
			       nth, ret, strerror(-ret));
		ASSERT_EQ(before.table_exists, after.table_exists)
			TH_LOG("%s nth %u: table existence changed", op->name, nth);
		if (op->check)
			ASSERT_EQ(0, op->check(c, false))
				TH_LOG("%s nth %u: check after failure", op->name, nth);
		if (before.table_exists) {
			ASSERT_TRUE(fi_snap_matches(_metadata, &before, &before,
						    &after, "after failure"))
				TH_LOG("%s nth %u returned %d", op->name, nth, ret);
		}
		ASSERT_EQ(fds_before, rt_count_fds())
			TH_LOG("%s nth %u leaked an fd", op->name, nth);
	}
	ASSERT_TRUE(done) TH_LOG("%s still failing after %u faults", op->name,
				 FI_MAX_NTH);
	ksft_print_msg("%s: %u failure points (%u errors, %u absorbed, %u acks lost)\n",
		       op->name, errors + absorbed + acks_lost, errors, absorbed,
		       acks_lost);
}

TEST_HARNESS_MAIN
