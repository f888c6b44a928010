// SPDX-License-Identifier: GPL-2.0
/*
 * SKV_IOC_BATCH: ops run in order, each with its own status; a failed or
 * malformed op does not stop the rest; count and op_size validation.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "skv_test.h"

FIXTURE(batch) {
	int ctl, fd;
	char name[SKV_NAME_MAX];
};

FIXTURE_SETUP(batch)
{
	struct skv_table_attr attr = { .max_key_len = 32,
				       .max_value_len = 64 };

	SKV_SETUP_TABLE(self->ctl, self->fd, self->name, "batch", &attr);
}

FIXTURE_TEARDOWN(batch)
{
	SKV_TEARDOWN_TABLE(self->ctl, self->fd, self->name);
}

static void op_key(struct skv_batch_op *op, __u32 code, const char *key)
{
	memset(op, 0, sizeof(*op));
	op->op = code;
	op->key_len = strlen(key);
	op->key_ptr = U64P(key);
	op->status = 12345;	/* must be overwritten */
}

static void op_val(struct skv_batch_op *op, const void *val, size_t len)
{
	op->value_ptr = U64P(val);
	op->value_len = len;
}

static int run_batch(int fd, struct skv_batch_op *ops, __u32 count)
{
	struct skv_batch b = {
		.size = sizeof(b), .count = count,
		.op_size = sizeof(*ops), .ops_ptr = U64P(ops),
	};

	return skv_ioctl(fd, SKV_IOC_BATCH, &b);
}

TEST_F(batch, mixed_ops_each_get_own_status_and_result)
{
	struct skv_batch_op ops[10];
	char gbuf[16], gdbuf[16], small[2], buf[16];

	op_key(&ops[0], SKV_OP_PUT, "a");
	op_val(&ops[0], "alpha", 5);
	ops[0].user_flags = 9;
	op_key(&ops[1], SKV_OP_GET, "a");
	op_val(&ops[1], gbuf, sizeof(gbuf));
	op_key(&ops[2], SKV_OP_PUT, "a");		/* NX: -EEXIST */
	op_val(&ops[2], "other", 5);
	ops[2].flags = SKV_PUT_NX;
	op_key(&ops[3], SKV_OP_GET, "missing");		/* -ENOENT */
	op_val(&ops[3], buf, sizeof(buf));
	op_key(&ops[4], SKV_OP_INCR, "ctr");
	ops[4].num = 7;
	op_key(&ops[5], SKV_OP_GET, "a");		/* -ERANGE */
	op_val(&ops[5], small, sizeof(small));
	op_key(&ops[6], SKV_OP_DELETE, "a");
	op_key(&ops[7], SKV_OP_DELETE, "a");		/* -ENOENT */
	op_key(&ops[8], SKV_OP_PUT, "b");
	op_val(&ops[8], "beta", 4);
	op_key(&ops[9], SKV_OP_GETDEL, "b");
	op_val(&ops[9], gdbuf, sizeof(gdbuf));

	ASSERT_EQ(0, run_batch(self->fd, ops, ARRAY_SIZE(ops)));

	EXPECT_EQ(0, ops[0].status);
	EXPECT_NE(0, ops[0].version);
	EXPECT_EQ(0, ops[1].status);
	EXPECT_EQ(5, ops[1].value_len);
	EXPECT_EQ(0, memcmp(gbuf, "alpha", 5));
	EXPECT_EQ(ops[0].version, ops[1].version);
	EXPECT_EQ(9, ops[1].user_flags);
	EXPECT_EQ(-EEXIST, ops[2].status);
	EXPECT_EQ(-ENOENT, ops[3].status);
	EXPECT_EQ(0, ops[4].status);
	EXPECT_EQ(7, ops[4].num);
	EXPECT_LT(ops[0].version, ops[4].version);
	EXPECT_EQ(-ERANGE, ops[5].status);
	EXPECT_EQ(5, ops[5].value_len);
	EXPECT_EQ(0, ops[6].status);
	EXPECT_EQ(ops[0].version, ops[6].version);
	EXPECT_EQ(-ENOENT, ops[7].status);
	EXPECT_EQ(0, ops[8].status);
	EXPECT_EQ(0, ops[9].status);
	EXPECT_EQ(4, ops[9].value_len);
	EXPECT_EQ(0, memcmp(gdbuf, "beta", 4));
	EXPECT_EQ(ops[8].version, ops[9].version);

	/* The batch's effects are those of the single ioctls in order. */
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "a", buf, sizeof(buf)));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "b", buf, sizeof(buf)));
	EXPECT_EQ(1, skv_get_str(self->fd, "ctr", buf, sizeof(buf)));
	EXPECT_STREQ("7", buf);
}

TEST_F(batch, put_cas_and_delete_cas_in_batch)
{
	struct skv_batch_op ops[4];
	__u64 v;

	ASSERT_EQ(0, skv_put(self->fd, "k", 1, "v1", 2, 0, &v));
	op_key(&ops[0], SKV_OP_PUT, "k");		/* stale */
	op_val(&ops[0], "x", 1);
	ops[0].flags = SKV_PUT_CAS;
	ops[0].version = v + 100;
	op_key(&ops[1], SKV_OP_PUT, "k");
	op_val(&ops[1], "v2", 2);
	ops[1].flags = SKV_PUT_CAS;
	ops[1].version = v;
	op_key(&ops[2], SKV_OP_DELETE, "k");		/* stale: v */
	ops[2].flags = SKV_DEL_CAS;
	ops[2].version = v;
	op_key(&ops[3], SKV_OP_PUT, "t");
	op_val(&ops[3], "x", 1);
	ops[3].flags = SKV_PUT_TTL;
	ops[3].ttl_ms = 600000;
	ASSERT_EQ(0, run_batch(self->fd, ops, ARRAY_SIZE(ops)));
	EXPECT_EQ(-ESTALE, ops[0].status);
	EXPECT_EQ(0, ops[1].status);
	EXPECT_LT(v, ops[1].version);
	EXPECT_EQ(-ESTALE, ops[2].status);
	EXPECT_EQ(0, ops[3].status);
	EXPECT_EQ(2, skv_get_str(self->fd, "k", (char[8]){}, 8));
}

TEST_F(batch, unknown_op_is_einval_and_rest_still_run)
{
	struct skv_batch_op ops[4];

	op_key(&ops[0], 99, "a");
	op_key(&ops[1], SKV_OP_PUT, "a");
	op_val(&ops[1], "v", 1);
	op_key(&ops[2], SKV_OP_SCAN, "a");	/* not a batch op */
	op_key(&ops[3], SKV_OP_PUT, "b");
	op_val(&ops[3], "v", 1);
	ASSERT_EQ(0, run_batch(self->fd, ops, ARRAY_SIZE(ops)));
	EXPECT_EQ(-EINVAL, ops[0].status);
	EXPECT_EQ(0, ops[1].status);
	EXPECT_EQ(-EINVAL, ops[2].status);
	EXPECT_EQ(0, ops[3].status);
	EXPECT_EQ(1, skv_get_str(self->fd, "a", (char[4]){}, 4));
	EXPECT_EQ(1, skv_get_str(self->fd, "b", (char[4]){}, 4));
}

TEST_F(batch, malformed_ops_get_own_errno)
{
	char big[65], buf[8], longkey[33];
	struct skv_batch_op ops[9];

	memset(big, 'v', sizeof(big));
	memset(longkey, 'k', sizeof(longkey));
	op_key(&ops[0], SKV_OP_PUT, "a");		/* empty key */
	ops[0].key_len = 0;
	op_key(&ops[1], SKV_OP_PUT, "a");		/* value too big */
	op_val(&ops[1], big, sizeof(big));
	op_key(&ops[2], SKV_OP_GET, "a");		/* unused field set */
	op_val(&ops[2], buf, sizeof(buf));
	ops[2].num = 5;
	op_key(&ops[3], SKV_OP_PUT, "a");		/* unknown flag */
	ops[3].flags = 1U << 7;
	op_key(&ops[4], SKV_OP_PUT, "a");		/* NX|XX */
	ops[4].flags = SKV_PUT_NX | SKV_PUT_XX;
	op_key(&ops[5], SKV_OP_DELETE, "a");		/* unknown flag */
	ops[5].flags = 2;
	op_key(&ops[6], SKV_OP_GET, "a");		/* bad key pointer */
	ops[6].key_ptr = 8;
	op_key(&ops[7], SKV_OP_PUT, "a");		/* key too long */
	ops[7].key_ptr = U64P(longkey);
	ops[7].key_len = sizeof(longkey);
	op_key(&ops[8], SKV_OP_PUT, "ok");		/* the only good one */
	op_val(&ops[8], "v", 1);
	ASSERT_EQ(0, run_batch(self->fd, ops, ARRAY_SIZE(ops)));
	EXPECT_EQ(-EINVAL, ops[0].status);
	EXPECT_EQ(-E2BIG, ops[1].status);
	EXPECT_EQ(-EINVAL, ops[2].status);
	EXPECT_EQ(-EINVAL, ops[3].status);
	EXPECT_EQ(-EINVAL, ops[4].status);
	EXPECT_EQ(-EINVAL, ops[5].status);
	EXPECT_EQ(-EFAULT, ops[6].status);
	EXPECT_EQ(-EINVAL, ops[7].status);
	EXPECT_EQ(0, ops[8].status);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "a", buf, sizeof(buf)));
	EXPECT_EQ(1, skv_get_str(self->fd, "ok", buf, sizeof(buf)));
}

TEST_F(batch, count_zero_is_einval)
{
	struct skv_batch_op op;

	op_key(&op, SKV_OP_PUT, "a");
	ASSERT_EQ(-EINVAL, run_batch(self->fd, &op, 0));
	EXPECT_EQ(12345, op.status);
}

TEST_F(batch, count_above_batch_max_is_e2big)
{
	struct skv_batch_op *ops;
	unsigned int i;

	ops = calloc(SKV_BATCH_MAX + 1, sizeof(*ops));
	ASSERT_NE(NULL, ops);
	for (i = 0; i <= SKV_BATCH_MAX; i++)
		op_key(&ops[i], SKV_OP_PUT, "a");
	ASSERT_EQ(-E2BIG, run_batch(self->fd, ops, SKV_BATCH_MAX + 1));
	ASSERT_EQ(-E2BIG, run_batch(self->fd, ops, ~0U));
	EXPECT_EQ(12345, ops[0].status);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "a", (char[4]){}, 4));
	free(ops);
}

TEST_F(batch, count_of_batch_max_runs_every_op)
{
	struct skv_batch_op *ops;
	char (*keys)[8];
	struct skv_stats st;
	unsigned int i, bad = 0;

	ops = calloc(SKV_BATCH_MAX, sizeof(*ops));
	keys = calloc(SKV_BATCH_MAX, sizeof(*keys));
	ASSERT_NE(NULL, ops);
	ASSERT_NE(NULL, keys);
	for (i = 0; i < SKV_BATCH_MAX; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%u", i);
		op_key(&ops[i], SKV_OP_PUT, keys[i]);
		op_val(&ops[i], "v", 1);
	}
	ASSERT_EQ(0, run_batch(self->fd, ops, SKV_BATCH_MAX));
	for (i = 0; i < SKV_BATCH_MAX; i++)
		bad += ops[i].status != 0;
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, skv_stats(self->fd, &st));
	EXPECT_EQ(SKV_BATCH_MAX, st.entries);
	free(keys);
	free(ops);
}

TEST_F(batch, wrong_op_size_is_einval)
{
	static const __u32 sizes[] = {
		0, sizeof(struct skv_batch_op) - 8, 1,
	};
	struct skv_batch_op op;
	struct skv_batch b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		op_key(&op, SKV_OP_PUT, "a");
		op_val(&op, "v", 1);
		memset(&b, 0, sizeof(b));
		b.size = sizeof(b);
		b.count = 1;
		b.op_size = sizes[i];
		b.ops_ptr = U64P(&op);
		EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_BATCH, &b));
		EXPECT_EQ(EINVAL, errno) TH_LOG("op_size %u", sizes[i]);
	}
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "a", (char[4]){}, 4));
}

/* A newer caller's larger op: a zero tail is fine, else -E2BIG. */
TEST_F(batch, larger_op_size_needs_zero_tail)
{
	struct big_op {
		struct skv_batch_op op;
		__u64 tail;
	} ops[3];
	struct skv_batch b = {
		.size = sizeof(b), .count = 3, .op_size = sizeof(ops[0]),
		.ops_ptr = U64P(ops),
	};

	memset(ops, 0, sizeof(ops));
	op_key(&ops[0].op, SKV_OP_PUT, "a");
	op_val(&ops[0].op, "v", 1);
	op_key(&ops[1].op, SKV_OP_PUT, "b");
	op_val(&ops[1].op, "v", 1);
	ops[1].tail = 1;
	op_key(&ops[2].op, SKV_OP_PUT, "c");
	op_val(&ops[2].op, "v", 1);
	ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_BATCH, &b));
	EXPECT_EQ(0, ops[0].op.status);
	EXPECT_EQ(-E2BIG, ops[1].op.status);
	EXPECT_EQ(0, ops[2].op.status);
	EXPECT_EQ(1, ops[1].tail);
	EXPECT_EQ(1, skv_get_str(self->fd, "a", (char[4]){}, 4));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "b", (char[4]){}, 4));
	EXPECT_EQ(1, skv_get_str(self->fd, "c", (char[4]){}, 4));
}

/*
 * The kernel copies ops in and out a chunk at a time: a batch that spans
 * many chunks gives every op its own result, in order.
 */
TEST_F(batch, ops_across_many_chunks_each_get_their_result)
{
	enum { N = 100 };
	struct skv_batch_op ops[2 * N];
	char keys[N][8], vals[N][8], out[N][8];
	int i;

	for (i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		snprintf(vals[i], sizeof(vals[i]), "v%d", i);
		op_key(&ops[i], SKV_OP_PUT, keys[i]);
		op_val(&ops[i], vals[i], strlen(vals[i]));
		op_key(&ops[N + i], SKV_OP_GET, keys[i]);
		op_val(&ops[N + i], out[i], sizeof(out[i]));
	}
	/* one GET of a key put later in the same batch: absent then */
	ops[N].key_ptr = U64P("k99");
	ops[N].key_len = 3;
	ops[N - 1].op = SKV_OP_GET;
	ops[N - 1].value_ptr = U64P(out[0]);
	ops[N - 1].value_len = sizeof(out[0]);
	ASSERT_EQ(0, run_batch(self->fd, ops, 2 * N));
	EXPECT_EQ(-ENOENT, ops[N - 1].status);
	EXPECT_EQ(-ENOENT, ops[N].status);
	for (i = 0; i < N - 1; i++) {
		EXPECT_EQ(0, ops[i].status) TH_LOG("put %d", i);
		EXPECT_NE(0, ops[i].version);
		if (i == 0)
			continue;
		EXPECT_EQ(0, ops[N + i].status) TH_LOG("get %d", i);
		EXPECT_EQ(strlen(vals[i]), ops[N + i].value_len);
		EXPECT_EQ(ops[i].version, ops[N + i].version);
		EXPECT_EQ(0, memcmp(out[i], vals[i], strlen(vals[i])));
	}
}

/* Ops bigger than a chunk take the per-op path, with the same rules. */
TEST_F(batch, ops_bigger_than_a_chunk_need_zero_tail)
{
	struct huge_op {
		struct skv_batch_op op;
		__u8 tail[1024 - sizeof(struct skv_batch_op)];
	} *ops = calloc(3, sizeof(*ops));
	char buf[4];
	struct skv_batch b = {
		.size = sizeof(b), .count = 3, .op_size = sizeof(*ops),
		.ops_ptr = U64P(ops),
	};

	ASSERT_NE(NULL, ops);
	op_key(&ops[0].op, SKV_OP_PUT, "a");
	op_val(&ops[0].op, "v", 1);
	op_key(&ops[1].op, SKV_OP_PUT, "b");
	op_val(&ops[1].op, "v", 1);
	ops[1].tail[sizeof(ops[1].tail) - 1] = 1;
	op_key(&ops[2].op, SKV_OP_GETDEL, "a");
	op_val(&ops[2].op, buf, sizeof(buf));
	ASSERT_EQ(0, ioctl(self->fd, SKV_IOC_BATCH, &b));
	EXPECT_EQ(0, ops[0].op.status);
	EXPECT_EQ(-E2BIG, ops[1].op.status);
	EXPECT_EQ(0, ops[2].op.status);
	EXPECT_EQ(ops[0].op.version, ops[2].op.version);
	EXPECT_EQ(1, ops[1].tail[sizeof(ops[1].tail) - 1]);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "a", (char[4]){}, 4));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "b", (char[4]){}, 4));
	free(ops);
}

/*
 * A GETDEL in ops that cannot be written back: -EFAULT before anything
 * ran, so that no value is deleted and lost with its result.
 */
TEST_F(batch, getdel_in_read_only_ops_deletes_nothing)
{
	long page = sysconf(_SC_PAGESIZE);
	struct skv_batch_op *ops;
	char buf[8];
	struct skv_batch b = {
		.size = sizeof(b), .count = 2,
		.op_size = sizeof(struct skv_batch_op),
	};

	ASSERT_EQ(0, skv_put_str(self->fd, "a", "alpha"));
	ops = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ops);
	op_key(&ops[0], SKV_OP_GETDEL, "a");
	op_val(&ops[0], buf, sizeof(buf));
	op_key(&ops[1], SKV_OP_GET, "a");
	op_val(&ops[1], buf, sizeof(buf));
	ASSERT_EQ(0, mprotect(ops, page, PROT_READ));
	b.ops_ptr = U64P(ops);
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_BATCH, &b));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(5, skv_get_str(self->fd, "a", buf, sizeof(buf)));
	munmap(ops, page);
}

TEST_F(batch, flags_and_size_are_checked)
{
	struct skv_batch_op op;
	struct skv_batch b;

	op_key(&op, SKV_OP_PUT, "a");
	op_val(&op, "v", 1);
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.count = 1;
	b.op_size = sizeof(op);
	b.ops_ptr = U64P(&op);
	b.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	b.flags = 0;
	b.size = SKV_BATCH_SIZE_VER0 - 1;
	EXPECT_EQ(-1, ioctl(self->fd, SKV_IOC_BATCH, &b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "a", (char[4]){}, 4));
}

TEST_F(batch, bad_ops_pointer_is_efault)
{
	struct skv_batch b = {
		.size = sizeof(b), .count = 4,
		.op_size = sizeof(struct skv_batch_op), .ops_ptr = 8,
	};

	ASSERT_EQ(-1, ioctl(self->fd, SKV_IOC_BATCH, &b));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(batch, rdonly_fd_refuses_write_ops_only)
{
	struct skv_batch_op ops[5];
	char buf[8];
	int ro;

	ASSERT_EQ(0, skv_put_str(self->fd, "a", "v"));
	ro = skv_open(self->ctl, self->name, SKV_OPEN_RDONLY, NULL, NULL);
	ASSERT_LE(0, ro);
	op_key(&ops[0], SKV_OP_GET, "a");
	op_val(&ops[0], buf, sizeof(buf));
	op_key(&ops[1], SKV_OP_PUT, "b");
	op_val(&ops[1], "v", 1);
	op_key(&ops[2], SKV_OP_DELETE, "a");
	op_key(&ops[3], SKV_OP_INCR, "c");
	ops[3].num = 1;
	op_key(&ops[4], SKV_OP_GETDEL, "a");
	op_val(&ops[4], buf, sizeof(buf));
	ASSERT_EQ(0, run_batch(ro, ops, ARRAY_SIZE(ops)));
	EXPECT_EQ(0, ops[0].status);
	EXPECT_EQ(-EBADF, ops[1].status);
	EXPECT_EQ(-EBADF, ops[2].status);
	EXPECT_EQ(-EBADF, ops[3].status);
	EXPECT_EQ(-EBADF, ops[4].status);
	EXPECT_EQ(1, skv_get_str(self->fd, "a", buf, sizeof(buf)));
	EXPECT_EQ(-ENOENT, skv_get_str(self->fd, "b", buf, sizeof(buf)));
	close(ro);
}

TEST_HARNESS_MAIN
