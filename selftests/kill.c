// SPDX-License-Identifier: GPL-2.0
/*
 * Review finding 6: a FLUSH of a big table and a BATCH of 1024 PUTs of
 * 16 MiB stop on a fatal signal (-EINTR) instead of running to the end:
 * a killed process goes away at once, and what was done stays done.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "skv_test.h"

FIXTURE(kill) {
	int ctl;
	char name[SKV_NAME_MAX];
};

FIXTURE_SETUP(kill)
{
	self->ctl = skv_ctl_open();
	ASSERT_LE(0, self->ctl);
	skv_name(self->name, "kill");
}

FIXTURE_TEARDOWN(kill)
{
	skv_table_delete(self->ctl, self->name);
	close(self->ctl);
}

static int kill_create(int ctl, const char *name, __u32 value_len)
{
	struct skv_table_attr attr = {
		.max_value_len = value_len,
		.max_bytes = 1ULL << 30,
	};

	return skv_create(ctl, name, &attr);
}

/* Writes the table has done. */
static __u64 kill_writes(int fd)
{
	struct skv_stats st;

	return skv_stats(fd, &st) ? 0 : st.writes;
}

#define KILL_VALUE	(16u << 20)

TEST_F_TIMEOUT(kill, batch_of_16mib_puts_stops_on_sigkill, 600)
{
	unsigned int count = skv_slow_kernel() ? 64 : SKV_BATCH_MAX;
	int fd, status;
	__u64 v = 0;
	pid_t pid;

	fd = kill_create(self->ctl, self->name, KILL_VALUE);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct skv_batch_op *ops = calloc(count, sizeof(*ops));
		char *val = mmap(NULL, KILL_VALUE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct skv_batch b = {
			.size = sizeof(b),
			.count = count,
			.op_size = sizeof(*ops),
			.ops_ptr = U64P(ops),
		};
		unsigned int i;

		if (!ops || val == MAP_FAILED)
			_exit(2);
		memset(val, 'x', KILL_VALUE);
		for (i = 0; i < count; i++) {
			ops[i].op = SKV_OP_PUT;
			ops[i].key_ptr = U64P("k");
			ops[i].key_len = 1;
			ops[i].value_ptr = U64P(val);
			ops[i].value_len = KILL_VALUE;
		}
		ioctl(fd, SKV_IOC_BATCH, &b);
		_exit(0);
	}
	/* Kill it once the batch has written the key a first time. */
	while (!(v = kill_writes(fd)) && waitpid(pid, &status, WNOHANG) == 0)
		usleep(1000);
	ASSERT_LT(0, v) TH_LOG("the batch never wrote");
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("the batch ran to its end");

	/* The batch stopped before its end. */
	v = kill_writes(fd);
	ksft_print_msg("%llu of %u PUTs ran before SIGKILL stopped the batch\n",
		       (unsigned long long)v, count);
	EXPECT_LT(v, (__u64)count);
	close(fd);
}

TEST_F_TIMEOUT(kill, flush_of_a_big_table_stops_on_sigkill, 600)
{
	unsigned int n = skv_budget(200000), chunk = SKV_BATCH_MAX, i, j;
	struct skv_batch_op *ops = calloc(chunk, sizeof(*ops));
	char (*keys)[16] = calloc(chunk, sizeof(*keys));
	struct skv_batch b = { .size = sizeof(b), .op_size = sizeof(*ops) };
	struct skv_stats st;
	__u64 flushed;
	int fd, status;
	pid_t pid;

	ASSERT_TRUE(ops && keys);
	fd = kill_create(self->ctl, self->name, 0);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	for (i = 0; i < n; i += chunk) {
		b.count = n - i < chunk ? n - i : chunk;
		b.ops_ptr = U64P(ops);
		for (j = 0; j < b.count; j++) {
			memset(&ops[j], 0, sizeof(ops[j]));
			ops[j].op = SKV_OP_PUT;
			ops[j].key_len = snprintf(keys[j], sizeof(keys[j]), "k%u",
						  i + j);
			ops[j].key_ptr = U64P(keys[j]);
		}
		ASSERT_EQ(0, ioctl(fd, SKV_IOC_BATCH, &b));
	}
	ASSERT_EQ(0, skv_stats(fd, &st));
	ASSERT_EQ(n, st.entries);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		skv_flush(fd, NULL);
		_exit(0);
	}
	/* Kill it once the flush has begun. */
	do {
		ASSERT_EQ(0, skv_stats(fd, &st));
	} while (st.entries == n && waitpid(pid, &status, WNOHANG) == 0);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("the flush ran to its end");

	ASSERT_EQ(0, skv_stats(fd, &st));
	ksft_print_msg("%llu of %u entries left when SIGKILL stopped the flush\n",
		       (unsigned long long)st.entries, n);
	EXPECT_LT(0, st.entries);
	EXPECT_GT(n, st.entries);
	/* What is left is intact and flushes in full. */
	ASSERT_EQ(0, skv_flush(fd, &flushed));
	EXPECT_EQ(st.entries, flushed);
	free(ops);
	free(keys);
	close(fd);
}

TEST_HARNESS_MAIN
