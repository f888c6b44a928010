// SPDX-License-Identifier: GPL-2.0
/*
 * ABI growth (issue 12): every ioctl on its success path and its main error
 * paths, with each struct's size field set to sizeof() in the header this
 * file was compiled against. The Makefile builds it three times:
 *
 *   abi_growth        against uapi/linux/skv.h
 *   abi_growth_grown  against a copy where every ioctl struct and struct
 *                     skv_batch_op end in a zero __u64 __abi_tail[3], as a
 *                     newer header's would (-DSKV_ABI_GROWN)
 *   abi_growth_ver0   against a copy where every struct is cut to its
 *                     SKV_*_SIZE_VER0 bytes, as the first header had it
 *                     (-DSKV_ABI_VER0)
 *
 * (tools/abi-header writes the copies.) All three must pass unchanged
 * against the module: a struct that grows at its end keeps its ioctl
 * number, the kernel accepts its zero tail and never writes into it, and an
 * old struct gets the defaults of the fields it does not know.
 */
#include <stddef.h>

#include "kselftest_harness.h"
#include "skv_test.h"

#if defined(SKV_ABI_GROWN)
#define VARIANT	"grown"
#elif defined(SKV_ABI_VER0)
#define VARIANT	"ver0"
#else
#define VARIANT	"uapi"
#endif

/*
 * The first published size of each struct: the ABI's promise, kept here
 * as numbers so that a grown header's sizeof-based *_SIZE_VER0 cannot move
 * them. The header's own values must agree where it was not grown.
 */
#define V0_FEATURES	112
#define V0_TABLE_OPEN	120
#define V0_TABLE_DELETE	72
#define V0_GET		56
#define V0_PUT		64
#define V0_DELETE	40
#define V0_INCR		48
#define V0_BATCH	24
#define V0_BATCH_OP	64
#define V0_SCAN		48
#define V0_FLUSH	16
#define V0_STATS	72
#define V0_INFO		128
#define V0_SET		32
#define V0_SCAN_REC	32	/* a scan record's header without rec_size */

/* At least VER0, exactly VER0 when cut, and the header agrees. */
#define CHECK_V0(s, v0, hdr)						\
	_Static_assert(sizeof(struct s) >= (v0) &&			\
		       (!VER0_BUILD || sizeof(struct s) == (v0)) &&	\
		       (GROWN_BUILD || (hdr) == (v0)),			\
		       "struct " #s ": not its VER0 size " #v0)

#ifdef SKV_ABI_GROWN
#define GROWN_BUILD	1
#else
#define GROWN_BUILD	0
#endif
#ifdef SKV_ABI_VER0
#define VER0_BUILD	1
#else
#define VER0_BUILD	0
#endif
#ifndef SKV_BATCH_OP_SIZE_VER0		/* until the header has it */
#define SKV_BATCH_OP_SIZE_VER0	V0_BATCH_OP
#endif

CHECK_V0(skv_features, V0_FEATURES, SKV_FEATURES_SIZE_VER0);
CHECK_V0(skv_table_open, V0_TABLE_OPEN, SKV_TABLE_OPEN_SIZE_VER0);
CHECK_V0(skv_table_delete, V0_TABLE_DELETE, SKV_TABLE_DELETE_SIZE_VER0);
CHECK_V0(skv_get, V0_GET, SKV_GET_SIZE_VER0);
CHECK_V0(skv_put, V0_PUT, SKV_PUT_SIZE_VER0);
CHECK_V0(skv_delete, V0_DELETE, SKV_DELETE_SIZE_VER0);
CHECK_V0(skv_incr, V0_INCR, SKV_INCR_SIZE_VER0);
CHECK_V0(skv_batch, V0_BATCH, SKV_BATCH_SIZE_VER0);
CHECK_V0(skv_batch_op, V0_BATCH_OP, SKV_BATCH_OP_SIZE_VER0);
CHECK_V0(skv_scan, V0_SCAN, SKV_SCAN_SIZE_VER0);
CHECK_V0(skv_flush, V0_FLUSH, SKV_FLUSH_SIZE_VER0);
CHECK_V0(skv_stats, V0_STATS, SKV_STATS_SIZE_VER0);
CHECK_V0(skv_info, V0_INFO, SKV_INFO_SIZE_VER0);
CHECK_V0(skv_set, V0_SET, SKV_SET_SIZE_VER0);

/* The kernel writes nothing past what the caller knows: the tail stays 0. */
#ifdef SKV_ABI_GROWN
#define TAIL_ZERO(s)	tail_zero((s).__abi_tail, sizeof((s).__abi_tail))
#define TAIL_SET(s)	((s).__abi_tail[2] = 1)
#else
#define TAIL_ZERO(s)	((void)(s), true)
#endif

static inline bool tail_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

/* A struct of the header under test, zeroed, its size field set. */
#define INIT(s)	do { memset(&(s), 0, sizeof(s)); (s).size = sizeof(s); } while (0)

/* ioctl() as 0 or -errno; every call also checks the tail. */
#define CALL(fd, cmd, s) ({						\
	long __r = skv_ioctl((fd), (cmd), &(s));			\
	EXPECT_TRUE(TAIL_ZERO(s)) TH_LOG(#cmd ": wrote into the tail");	\
	__r;								\
})

FIXTURE(abi) {
	int ctl, fd;
	char name[SKV_NAME_MAX];
};

FIXTURE_SETUP(abi)
{
	struct skv_table_attr attr = { .max_key_len = 64,
				       .max_value_len = 256 };

	if (access(SKV_DEV, F_OK))
		SKIP(return, SKV_DEV " is missing: skv.ko not loaded");
	self->ctl = skv_ctl_open();
	ASSERT_LE(0, self->ctl);
	skv_name(self->name, "abi-" VARIANT);
	self->fd = skv_create(self->ctl, self->name, &attr);
	/* A kernel that switches on the whole ioctl number, size included. */
	ASSERT_NE(-ENOTTY, self->fd)
		TH_LOG("%s header: TABLE_OPEN of %zu bytes is -ENOTTY",
		       VARIANT, sizeof(struct skv_table_open));
	ASSERT_LE(0, self->fd) TH_LOG("create table %s: %s", self->name,
				      strerror(-self->fd));
}

FIXTURE_TEARDOWN(abi)
{
	SKV_TEARDOWN_TABLE(self->ctl, self->fd, self->name);
}

static long put(int fd, const char *key, const char *val, __u32 flags,
		__u64 cas, __u64 ttl_ms, struct skv_put *out)
{
	struct skv_put p;
	long ret;

	INIT(p);
	p.flags = flags;
	p.key_len = strlen(key);
	p.key_ptr = U64P(key);
	p.value_len = strlen(val);
	p.value_ptr = U64P(val);
	p.cas_version = cas;
	p.ttl_ms = ttl_ms;
	p.user_flags = 0x5eed;
	ret = skv_ioctl(fd, SKV_IOC_PUT, &p);
	if (out)
		*out = p;
	return ret;
}

static void get_init(struct skv_get *g, const char *key, void *buf,
		     size_t len)
{
	INIT(*g);
	g->key_len = strlen(key);
	g->key_ptr = U64P(key);
	g->value_ptr = U64P(buf);
	g->value_len = len;
}

TEST_F(abi, features)
{
	struct skv_features f;

	INIT(f);
	ASSERT_EQ(0, CALL(self->ctl, SKV_IOC_FEATURES, f));
	EXPECT_EQ(SKV_ABI_VERSION, f.abi_version);
	EXPECT_LE(V0_FEATURES, f.size);	/* the kernel's own size */
	EXPECT_EQ(SKV_BATCH_MAX, f.batch_max);
	EXPECT_EQ((1ULL << (SKV_OP_TABLE_DELETE + 1)) - 1,
		  f.ops & ((1ULL << (SKV_OP_TABLE_DELETE + 1)) - 1));
	EXPECT_EQ(SKV_PUT_ALL, f.put_flags & SKV_PUT_ALL);
	EXPECT_LE(V0_TABLE_OPEN, f.sizeof_table_open);
	EXPECT_LE(V0_GET, f.sizeof_get);
	EXPECT_LE(V0_PUT, f.sizeof_put);
	EXPECT_LE(V0_BATCH_OP, f.sizeof_batch_op);
	EXPECT_LE(V0_SET, f.sizeof_set);

	INIT(f);
	f.flags = 1;
	EXPECT_EQ(-EINVAL, CALL(self->ctl, SKV_IOC_FEATURES, f));
}

TEST_F(abi, table_open_create_open_rdonly)
{
	struct skv_table_open o;
	char name[SKV_NAME_MAX], buf[4];
	struct skv_info info;
	struct skv_put p;
	int fd;

	skv_name(name, "abi-open");
	INIT(o);
	o.flags = SKV_OPEN_CREATE | SKV_OPEN_EXCL;
	snprintf(o.name, sizeof(o.name), "%s", name);
	o.attr.max_key_len = 16;
	ASSERT_EQ(0, CALL(self->ctl, SKV_IOC_TABLE_OPEN, o));
	EXPECT_EQ(1, o.created);
	ASSERT_LE(0, o.fd);
	close(o.fd);

	/* Open the existing table: not created, and EXCL is -EEXIST. */
	INIT(o);
	o.flags = SKV_OPEN_CREATE;
	snprintf(o.name, sizeof(o.name), "%s", name);
	ASSERT_EQ(0, CALL(self->ctl, SKV_IOC_TABLE_OPEN, o));
	EXPECT_EQ(0, o.created);
	close(o.fd);
	INIT(o);
	o.flags = SKV_OPEN_CREATE | SKV_OPEN_EXCL;
	snprintf(o.name, sizeof(o.name), "%s", name);
	EXPECT_EQ(-EEXIST, CALL(self->ctl, SKV_IOC_TABLE_OPEN, o));

	/* Read only: GET works, PUT is -EBADF. */
	INIT(o);
	o.flags = SKV_OPEN_RDONLY;
	snprintf(o.name, sizeof(o.name), "%s", name);
	ASSERT_EQ(0, CALL(self->ctl, SKV_IOC_TABLE_OPEN, o));
	fd = o.fd;
	EXPECT_EQ(-EBADF, put(fd, "k", "v", 0, 0, 0, &p));
	EXPECT_TRUE(TAIL_ZERO(p));
	EXPECT_EQ(-ENOENT, skv_get_str(fd, "k", buf, sizeof(buf)));
	INIT(info);
	ASSERT_EQ(0, CALL(fd, SKV_IOC_INFO, info));
	EXPECT_EQ(SKV_OPEN_RDONLY, info.fd_flags);
	close(fd);

	/* Errors: absent without CREATE, EXCL alone, a bad name. */
	INIT(o);
	snprintf(o.name, sizeof(o.name), "%s", "abi-no-such-table");
	EXPECT_EQ(-ENOENT, CALL(self->ctl, SKV_IOC_TABLE_OPEN, o));
	INIT(o);
	o.flags = SKV_OPEN_EXCL;
	snprintf(o.name, sizeof(o.name), "%s", name);
	EXPECT_EQ(-EINVAL, CALL(self->ctl, SKV_IOC_TABLE_OPEN, o));
	INIT(o);
	o.flags = SKV_OPEN_CREATE;
	snprintf(o.name, sizeof(o.name), "%s", "bad/name");
	EXPECT_EQ(-EINVAL, CALL(self->ctl, SKV_IOC_TABLE_OPEN, o));

	EXPECT_EQ(0, skv_table_delete(self->ctl, name));
}

TEST_F(abi, table_delete)
{
	struct skv_table_delete d;
	char name[SKV_NAME_MAX];
	int fd;

	skv_name(name, "abi-del");
	fd = skv_create(self->ctl, name, NULL);
	ASSERT_LE(0, fd);
	INIT(d);
	snprintf(d.name, sizeof(d.name), "%s", name);
	EXPECT_EQ(0, CALL(self->ctl, SKV_IOC_TABLE_DELETE, d));
	EXPECT_EQ(-ENOENT, CALL(self->ctl, SKV_IOC_TABLE_DELETE, d));
	/* An fd already open keeps working. */
	EXPECT_EQ(0, skv_put_str(fd, "k", "v"));
	close(fd);
	INIT(d);
	d.flags = 1;
	snprintf(d.name, sizeof(d.name), "%s", name);
	EXPECT_EQ(-EINVAL, CALL(self->ctl, SKV_IOC_TABLE_DELETE, d));
}

TEST_F(abi, get_and_erange)
{
	struct skv_put p;
	struct skv_get g;
	char buf[16];

	ASSERT_EQ(0, put(self->fd, "key", "hello", 0, 0, 0, &p));
	EXPECT_TRUE(TAIL_ZERO(p));
	get_init(&g, "key", buf, sizeof(buf));
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_GET, g));
	EXPECT_EQ(5, g.value_len);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	EXPECT_EQ(p.version, g.version);
	EXPECT_EQ(0x5eed, g.user_flags);
	EXPECT_EQ(0, g.ttl_ms);

	/* Too small: -ERANGE with the needed length, nothing copied. */
	memset(buf, 'x', sizeof(buf));
	get_init(&g, "key", buf, 2);
	EXPECT_EQ(-ERANGE, CALL(self->fd, SKV_IOC_GET, g));
	EXPECT_EQ(5, g.value_len);
	EXPECT_EQ('x', buf[0]);

	get_init(&g, "nokey", buf, sizeof(buf));
	EXPECT_EQ(-ENOENT, CALL(self->fd, SKV_IOC_GET, g));
	get_init(&g, "key", buf, sizeof(buf));
	g.flags = 1;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_GET, g));
	get_init(&g, "key", buf, sizeof(buf));
	g.__reserved0 = 1;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_GET, g));
}

TEST_F(abi, put_nx_xx_cas_ttl)
{
	struct skv_put p, q;
	struct skv_get g;
	char buf[16];

	ASSERT_EQ(0, put(self->fd, "k", "v1", SKV_PUT_NX, 0, 0, &p));
	EXPECT_TRUE(TAIL_ZERO(p));
	EXPECT_LT(0, p.version);
	EXPECT_EQ(-EEXIST, put(self->fd, "k", "v2", SKV_PUT_NX, 0, 0, NULL));
	EXPECT_EQ(-ENOENT, put(self->fd, "absent", "v", SKV_PUT_XX, 0, 0,
			       NULL));
	ASSERT_EQ(0, put(self->fd, "k", "v2", SKV_PUT_XX, 0, 0, &q));
	EXPECT_LT(p.version, q.version);

	/* CAS: the current version wins, an old one is -ESTALE. */
	EXPECT_EQ(-ESTALE, put(self->fd, "k", "v3", SKV_PUT_CAS, p.version, 0,
			       NULL));
	ASSERT_EQ(0, put(self->fd, "k", "v3", SKV_PUT_CAS, q.version, 0, &p));
	EXPECT_LT(q.version, p.version);
	EXPECT_EQ(-ENOENT, put(self->fd, "absent", "v", SKV_PUT_CAS, 1, 0,
			       NULL));

	/* TTL: the remaining time comes back with GET. */
	ASSERT_EQ(0, put(self->fd, "t", "v", SKV_PUT_TTL, 0, 60000, NULL));
	get_init(&g, "t", buf, sizeof(buf));
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_GET, g));
	EXPECT_LT(0, g.ttl_ms);
	EXPECT_GE(60000, g.ttl_ms);

	EXPECT_EQ(-EINVAL, put(self->fd, "k", "v", SKV_PUT_NX | SKV_PUT_XX, 0,
			       0, NULL));
	EXPECT_EQ(-EINVAL, put(self->fd, "k", "v", SKV_PUT_TTL, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, put(self->fd, "k", "v", 1U << 31, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, put(self->fd, "k", "v", 0, 7, 0, NULL));
}

TEST_F(abi, delete_cas)
{
	struct skv_delete d;
	struct skv_put p;

	ASSERT_EQ(0, put(self->fd, "k", "v", 0, 0, 0, &p));
	INIT(d);
	d.key_len = 1;
	d.key_ptr = U64P("k");
	d.flags = SKV_DEL_CAS;
	d.cas_version = p.version + 1;
	EXPECT_EQ(-ESTALE, CALL(self->fd, SKV_IOC_DELETE, d));
	d.cas_version = p.version;
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_DELETE, d));
	EXPECT_EQ(p.version, d.version);
	EXPECT_EQ(-ENOENT, CALL(self->fd, SKV_IOC_DELETE, d));

	INIT(d);
	d.key_len = 1;
	d.key_ptr = U64P("k");
	d.__reserved0 = 1;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_DELETE, d));
}

TEST_F(abi, incr)
{
	struct skv_incr in;

	INIT(in);
	in.key_len = 3;
	in.key_ptr = U64P("ctr");
	in.delta = 40;
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_INCR, in));
	EXPECT_EQ(40, in.value);
	in.delta = 2;
	in.value = 0;
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_INCR, in));
	EXPECT_EQ(42, in.value);
	EXPECT_LT(0, in.version);

	ASSERT_EQ(0, skv_put_str(self->fd, "txt", "abc"));
	INIT(in);
	in.key_len = 3;
	in.key_ptr = U64P("txt");
	in.delta = 1;
	EXPECT_EQ(-EDOM, CALL(self->fd, SKV_IOC_INCR, in));
	in.flags = 1;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_INCR, in));
}

TEST_F(abi, getdel)
{
	struct skv_get g;
	char buf[16];

	ASSERT_EQ(0, skv_put_str(self->fd, "k", "value"));
	get_init(&g, "k", buf, 2);
	EXPECT_EQ(-ERANGE, CALL(self->fd, SKV_IOC_GETDEL, g));
	EXPECT_EQ(5, g.value_len);
	get_init(&g, "k", buf, sizeof(buf));
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_GETDEL, g));
	EXPECT_EQ(5, g.value_len);
	EXPECT_EQ(0, memcmp(buf, "value", 5));
	EXPECT_EQ(-ENOENT, CALL(self->fd, SKV_IOC_GETDEL, g));
}

/*
 * BATCH with op_size = sizeof(struct skv_batch_op) of this header, the ops
 * packed one after another and a canary after the last: the kernel writes
 * back op_size bytes per op, never more (that would clobber the next op or
 * the canary), and never into a grown op's tail.
 */
#define NOPS	6
#define CANARY	0xa5

static struct skv_batch_op *nth_op(unsigned char *ops, unsigned int i)
{
	return (struct skv_batch_op *)(ops + i * sizeof(struct skv_batch_op));
}

static void set_op(unsigned char *ops, unsigned int i, __u32 code,
		   const char *key, const void *val, __u32 val_len)
{
	struct skv_batch_op *op = nth_op(ops, i);

	memset(op, 0, sizeof(*op));
	op->op = code;
	op->key_len = strlen(key);
	op->key_ptr = U64P(key);
	op->value_ptr = U64P(val);
	op->value_len = val_len;
	op->status = 12345;
}

TEST_F(abi, batch_writes_back_op_size_bytes)
{
	unsigned char buf[NOPS * sizeof(struct skv_batch_op) + 16];
	unsigned char *canary = buf + NOPS * sizeof(struct skv_batch_op);
	static const __u32 codes[NOPS] = {
		SKV_OP_PUT, SKV_OP_GET, SKV_OP_INCR, SKV_OP_DELETE,
		SKV_OP_GETDEL, SKV_OP_GET,
	};
	char gv[16], gd[16], miss[16];
	struct skv_batch b;
	unsigned int i;

	set_op(buf, 0, SKV_OP_PUT, "a", "alpha", 5);
	set_op(buf, 1, SKV_OP_GET, "a", gv, sizeof(gv));
	set_op(buf, 2, SKV_OP_INCR, "n", NULL, 0);
	nth_op(buf, 2)->num = 5;
	set_op(buf, 3, SKV_OP_DELETE, "a", NULL, 0);
	ASSERT_EQ(0, skv_put_str(self->fd, "b", "beta"));
	set_op(buf, 4, SKV_OP_GETDEL, "b", gd, sizeof(gd));
	set_op(buf, 5, SKV_OP_GET, "a", miss, sizeof(miss));
	memset(canary, CANARY, 16);

	INIT(b);
	b.count = NOPS;
	b.op_size = sizeof(struct skv_batch_op);
	b.ops_ptr = U64P(buf);
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_BATCH, b));

	for (i = 0; i < NOPS; i++) {
		struct skv_batch_op *op = nth_op(buf, i);

		EXPECT_EQ(codes[i], op->op) TH_LOG("op %u overwritten", i);
		EXPECT_TRUE(TAIL_ZERO(*op)) TH_LOG("op %u: tail written", i);
	}
	for (i = 0; i < 16; i++)
		EXPECT_EQ(CANARY, canary[i]) TH_LOG("canary byte %u", i);
	EXPECT_EQ(0, nth_op(buf, 0)->status);
	EXPECT_EQ(0, nth_op(buf, 1)->status);
	EXPECT_EQ(5, nth_op(buf, 1)->value_len);
	EXPECT_EQ(0, memcmp(gv, "alpha", 5));
	EXPECT_EQ(nth_op(buf, 0)->version, nth_op(buf, 1)->version);
	EXPECT_EQ(0, nth_op(buf, 2)->status);
	EXPECT_EQ(5, nth_op(buf, 2)->num);
	EXPECT_EQ(0, nth_op(buf, 3)->status);
	EXPECT_EQ(0, nth_op(buf, 4)->status);
	EXPECT_EQ(0, memcmp(gd, "beta", 4));
	EXPECT_EQ(-ENOENT, nth_op(buf, 5)->status);

	/* count 0 and an op below the first op size are -EINVAL. */
	INIT(b);
	b.op_size = sizeof(struct skv_batch_op);
	b.ops_ptr = U64P(buf);
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_BATCH, b));
	b.count = 1;
	b.op_size = V0_BATCH_OP - 8;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_BATCH, b));
	b.op_size = sizeof(struct skv_batch_op);
	b.count = SKV_BATCH_MAX + 1;
	EXPECT_EQ(-E2BIG, CALL(self->fd, SKV_IOC_BATCH, b));
}

/*
 * The size of a scan record's header: rec_size, or 32 from a kernel that
 * leaves it 0. rec_size is the u32 after user_flags (first __reserved0).
 */
static __u32 rec_hdr_size(const unsigned char *rec)
{
	__u32 v;

	memcpy(&v, rec + offsetof(struct skv_scan_rec, user_flags) + 4,
	       sizeof(v));
	return v ? v : V0_SCAN_REC;
}

TEST_F(abi, scan_walks_records)
{
	const unsigned int n = 40;
	unsigned char seen[40] = { 0 }, buf[4096];
	struct skv_scan sc;
	__u64 cursor = 0;
	unsigned int i, calls = 0;
	char key[16], val[16];

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "sk%u", i);
		snprintf(val, sizeof(val), "val%u", i);
		ASSERT_EQ(0, skv_put_str(self->fd, key, val));
	}
	ASSERT_EQ(0, skv_put_str(self->fd, "other", "x"));
	do {
		__u32 off = 0, k;

		INIT(sc);
		sc.flags = SKV_SCAN_VALUES;
		sc.cursor = cursor;
		sc.prefix_ptr = U64P("sk");
		sc.prefix_len = 2;
		sc.buf_ptr = U64P(buf);
		sc.buf_len = sizeof(buf);
		ASSERT_EQ(0, CALL(self->fd, SKV_IOC_SCAN, sc));
		ASSERT_GE(sizeof(buf), sc.buf_len);
		for (k = 0; k < sc.nr_keys; k++) {
			const unsigned char *rec = buf + off;
			const struct skv_scan_rec *r = (const void *)rec;
			__u32 hdr = rec_hdr_size(rec);
			unsigned int idx;

			ASSERT_GE(sc.buf_len, off + hdr + r->key_len +
					      r->value_len);
			ASSERT_LT(2, r->key_len);
			ASSERT_GT(sizeof(key), r->key_len);
			memcpy(key, rec + hdr, r->key_len);
			key[r->key_len] = '\0';
			ASSERT_EQ(1, sscanf(key, "sk%u", &idx)) TH_LOG("%s", key);
			ASSERT_GT(n, idx);
			snprintf(val, sizeof(val), "val%u", idx);
			EXPECT_EQ(strlen(val), r->value_len);
			EXPECT_EQ(0, memcmp(rec + hdr + r->key_len, val,
					    r->value_len));
			EXPECT_LT(0, r->version);
			seen[idx]++;
			off += (hdr + r->key_len + r->value_len + 7) & ~7U;
		}
		EXPECT_EQ(sc.buf_len, off);
		cursor = sc.cursor;
		ASSERT_GT(1000, ++calls);
	} while (cursor);
	for (i = 0; i < n; i++)
		EXPECT_LE(1, seen[i]) TH_LOG("sk%u never returned", i);

	/* One key, a buffer too small for it: -ERANGE with the size needed. */
	ASSERT_EQ(0, skv_flush(self->fd, NULL));
	ASSERT_EQ(0, skv_put_str(self->fd, "k", "vv"));
	INIT(sc);
	sc.flags = SKV_SCAN_VALUES;
	sc.buf_ptr = U64P(buf);
	sc.buf_len = 8;
	EXPECT_EQ(-ERANGE, CALL(self->fd, SKV_IOC_SCAN, sc));
	EXPECT_LE(V0_SCAN_REC + 3, sc.buf_len);
	EXPECT_EQ(0, sc.nr_keys);
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_SCAN, sc));
	EXPECT_EQ(1, sc.nr_keys);
	EXPECT_EQ(0, memcmp(buf + rec_hdr_size(buf), "kvv", 3));
	INIT(sc);
	sc.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_SCAN, sc));
	INIT(sc);
	sc.prefix_ptr = U64P("sk");
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_SCAN, sc));
}

TEST_F(abi, flush_and_stats)
{
	struct skv_stats st;
	struct skv_flush f;
	struct skv_get g;
	char buf[8];

	ASSERT_EQ(0, skv_put_str(self->fd, "a", "1"));
	ASSERT_EQ(0, skv_put_str(self->fd, "b", "2"));
	ASSERT_EQ(0, skv_put_str(self->fd, "c", "3"));
	get_init(&g, "a", buf, sizeof(buf));
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_GET, g));
	get_init(&g, "zz", buf, sizeof(buf));
	ASSERT_EQ(-ENOENT, CALL(self->fd, SKV_IOC_GET, g));

	INIT(st);
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_STATS, st));
	EXPECT_EQ(3, st.entries);
	EXPECT_EQ(6, st.bytes);
	EXPECT_EQ(1, st.hits);
	EXPECT_EQ(1, st.misses);
	EXPECT_EQ(3, st.writes);
	INIT(st);
	st.flags = 1;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_STATS, st));

	INIT(f);
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_FLUSH, f));
	EXPECT_EQ(3, f.count);
	INIT(st);
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_STATS, st));
	EXPECT_EQ(0, st.entries);
	EXPECT_EQ(0, st.bytes);
	INIT(f);
	f.flags = 1;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_FLUSH, f));
}

TEST_F(abi, info_and_set)
{
	struct skv_info info;
	struct skv_set set;

	INIT(info);
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_INFO, info));
	EXPECT_STREQ(self->name, info.name);
	EXPECT_EQ(64, info.attr.max_key_len);
	EXPECT_EQ(256, info.attr.max_value_len);
	EXPECT_EQ(SKV_DEFAULT_MODE, info.attr.mode);
	EXPECT_EQ(getuid(), info.uid);
	EXPECT_EQ(0, info.fd_flags);
	INIT(info);
	info.flags = 1;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_INFO, info));

	INIT(set);
	set.mask = SKV_SET_DEFAULT_TTL | SKV_SET_MODE;
	set.default_ttl_ms = 5000;
	set.mode = 0640;
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_SET, set));
	INIT(info);
	ASSERT_EQ(0, CALL(self->fd, SKV_IOC_INFO, info));
	EXPECT_EQ(5000, info.attr.default_ttl_ms);
	EXPECT_EQ(0640, info.attr.mode);

	INIT(set);
	set.mask = SKV_SET_MODE;
	set.mode = 01000;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_SET, set));
	INIT(set);
	set.mask = 1U << 31;
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_SET, set));
	INIT(set);
	set.mask = SKV_SET_MODE;
	set.mode = 0600;
	set.default_ttl_ms = 1;	/* a field not selected in mask */
	EXPECT_EQ(-EINVAL, CALL(self->fd, SKV_IOC_SET, set));
}

/* Each ioctl with a size 8 bytes below its first published size. */
TEST_F(abi, size_below_ver0_is_einval)
{
	union {
		struct skv_features features;
		struct skv_table_open open;
		struct skv_table_delete del;
		struct skv_get get;
		struct skv_put put;
		struct skv_delete delete;
		struct skv_incr incr;
		struct skv_batch batch;
		struct skv_scan scan;
		struct skv_flush flush;
		struct skv_stats stats;
		struct skv_info info;
		struct skv_set set;
	} u;
	static const struct {
		const char *name;
		unsigned long cmd;
		__u32 ver0;
		bool ctl;
	} calls[] = {
		{ "FEATURES", SKV_IOC_FEATURES, V0_FEATURES, true },
		{ "TABLE_OPEN", SKV_IOC_TABLE_OPEN, V0_TABLE_OPEN, true },
		{ "TABLE_DELETE", SKV_IOC_TABLE_DELETE, V0_TABLE_DELETE, true },
		{ "GET", SKV_IOC_GET, V0_GET, false },
		{ "GETDEL", SKV_IOC_GETDEL, V0_GET, false },
		{ "PUT", SKV_IOC_PUT, V0_PUT, false },
		{ "DELETE", SKV_IOC_DELETE, V0_DELETE, false },
		{ "INCR", SKV_IOC_INCR, V0_INCR, false },
		{ "BATCH", SKV_IOC_BATCH, V0_BATCH, false },
		{ "SCAN", SKV_IOC_SCAN, V0_SCAN, false },
		{ "FLUSH", SKV_IOC_FLUSH, V0_FLUSH, false },
		{ "STATS", SKV_IOC_STATS, V0_STATS, false },
		{ "INFO", SKV_IOC_INFO, V0_INFO, false },
		{ "SET", SKV_IOC_SET, V0_SET, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(calls); i++) {
		memset(&u, 0, sizeof(u));
		u.get.size = calls[i].ver0 - 8;
		EXPECT_EQ(-EINVAL, skv_ioctl(calls[i].ctl ? self->ctl : self->fd,
					     calls[i].cmd, &u))
			TH_LOG("%s with size %u", calls[i].name, u.get.size);
	}
}

#ifdef SKV_ABI_GROWN
/* What a newer caller sets in a field this kernel does not know: -E2BIG. */
TEST_F(abi, grown_nonzero_tail_is_e2big)
{
	unsigned char ops[2 * sizeof(struct skv_batch_op)];
	struct skv_features features;
	struct skv_table_open open;
	struct skv_get get;
	struct skv_put put;
	struct skv_batch batch;
	struct skv_scan scan;
	struct skv_stats stats;
	struct skv_set set;
	char buf[8];

	INIT(features);
	TAIL_SET(features);
	EXPECT_EQ(-E2BIG, skv_ioctl(self->ctl, SKV_IOC_FEATURES, &features));
	INIT(open);
	snprintf(open.name, sizeof(open.name), "%s", self->name);
	TAIL_SET(open);
	EXPECT_EQ(-E2BIG, skv_ioctl(self->ctl, SKV_IOC_TABLE_OPEN, &open));
	get_init(&get, "k", buf, sizeof(buf));
	TAIL_SET(get);
	EXPECT_EQ(-E2BIG, skv_ioctl(self->fd, SKV_IOC_GET, &get));
	INIT(put);
	put.key_len = 1;
	put.key_ptr = U64P("k");
	TAIL_SET(put);
	EXPECT_EQ(-E2BIG, skv_ioctl(self->fd, SKV_IOC_PUT, &put));
	INIT(scan);
	TAIL_SET(scan);
	EXPECT_EQ(-E2BIG, skv_ioctl(self->fd, SKV_IOC_SCAN, &scan));
	INIT(stats);
	TAIL_SET(stats);
	EXPECT_EQ(-E2BIG, skv_ioctl(self->fd, SKV_IOC_STATS, &stats));
	INIT(set);
	TAIL_SET(set);
	EXPECT_EQ(-E2BIG, skv_ioctl(self->fd, SKV_IOC_SET, &set));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "k", buf, sizeof(buf)));

	/* In a batch, only the op with the tail fails. */
	set_op(ops, 0, SKV_OP_PUT, "x", "1", 1);
	TAIL_SET(*nth_op(ops, 0));
	set_op(ops, 1, SKV_OP_PUT, "y", "2", 1);
	INIT(batch);
	batch.count = 2;
	batch.op_size = sizeof(struct skv_batch_op);
	batch.ops_ptr = U64P(ops);
	ASSERT_EQ(0, skv_ioctl(self->fd, SKV_IOC_BATCH, &batch));
	EXPECT_EQ(-E2BIG, nth_op(ops, 0)->status);
	EXPECT_EQ(0, nth_op(ops, 1)->status);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "x", buf, sizeof(buf)));
	EXPECT_EQ(1, skv_get_str(self->fd, "y", buf, sizeof(buf)));
}
#endif

TEST_HARNESS_MAIN
