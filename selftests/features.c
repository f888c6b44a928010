// SPDX-License-Identifier: GPL-2.0
/*
 * SKV_IOC_FEATURES and the rules every ioctl shares: the size field
 * (extensible structs), flags and reserved fields, -EFAULT, -ENOTTY.
 */
#include <pthread.h>
#include <sys/mman.h>

#include <linux/skv_netlink.h>

#include "kselftest_harness.h"
#include "skv_test.h"

#define ALL_V1_OPS	((1ULL << (SKV_OP_TABLE_DELETE + 1)) - 1)

static void features_init(struct skv_features *f)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
}

FIXTURE(features) {
	int ctl;
};

FIXTURE_SETUP(features)
{
	if (access(SKV_DEV, F_OK))
		SKIP(return, SKV_DEV " is missing: skv.ko not loaded");
	self->ctl = skv_ctl_open();
	ASSERT_LE(0, self->ctl) TH_LOG("open " SKV_DEV ": %s",
				       strerror(-self->ctl));
}

FIXTURE_TEARDOWN(features)
{
	if (self->ctl > 0)
		close(self->ctl);
}

TEST_F(features, reports_abi_v1_caps_and_sizes)
{
	struct skv_features f;

	features_init(&f);
	ASSERT_EQ(0, ioctl(self->ctl, SKV_IOC_FEATURES, &f));
	EXPECT_EQ(sizeof(f), f.size);
	EXPECT_EQ(0, f.flags);
	EXPECT_EQ(SKV_ABI_VERSION, f.abi_version);
	EXPECT_EQ(1, f.abi_version);
	EXPECT_EQ(SKV_BATCH_MAX, f.batch_max);
	EXPECT_EQ(SKV_MAX_ENTRIES_CAP, f.max_entries_cap);
	EXPECT_EQ(SKV_KEY_LEN_CAP, f.key_len_cap);
	EXPECT_EQ(SKV_VALUE_LEN_CAP, f.value_len_cap);
	EXPECT_EQ(sizeof(struct skv_table_open), f.sizeof_table_open);
	EXPECT_EQ(sizeof(struct skv_get), f.sizeof_get);
	EXPECT_EQ(sizeof(struct skv_put), f.sizeof_put);
	EXPECT_EQ(sizeof(struct skv_delete), f.sizeof_delete);
	EXPECT_EQ(sizeof(struct skv_incr), f.sizeof_incr);
	EXPECT_EQ(sizeof(struct skv_batch), f.sizeof_batch);
	EXPECT_EQ(sizeof(struct skv_batch_op), f.sizeof_batch_op);
	EXPECT_EQ(sizeof(struct skv_scan), f.sizeof_scan);
	EXPECT_EQ(sizeof(struct skv_stats), f.sizeof_stats);
	EXPECT_EQ(sizeof(struct skv_info), f.sizeof_info);
	EXPECT_EQ(sizeof(struct skv_set), f.sizeof_set);
	EXPECT_EQ(0, f.__reserved0);
}

TEST_F(features, reports_every_v1_op_flag_and_policy)
{
	struct skv_features f;

	features_init(&f);
	ASSERT_EQ(0, ioctl(self->ctl, SKV_IOC_FEATURES, &f));
	EXPECT_EQ(ALL_V1_OPS, f.ops & ALL_V1_OPS);
	EXPECT_EQ(SKV_OPEN_ALL, f.open_flags);
	EXPECT_EQ(SKV_PUT_ALL, f.put_flags);
	EXPECT_EQ(SKV_DEL_ALL, f.del_flags);
	EXPECT_EQ(SKV_SCAN_ALL, f.scan_flags);
	EXPECT_EQ(SKV_SET_ALL, f.set_mask);
	EXPECT_EQ(1U << SKV_POLICY_NONE | 1U << SKV_POLICY_LRU,
		  f.policies);
}

/* Events with values: the limit, a VER1 caller sees nothing of it. */
TEST_F(features, reports_event_value_max)
{
	struct skv_features f;

	features_init(&f);
	ASSERT_EQ(0, ioctl(self->ctl, SKV_IOC_FEATURES, &f));
	EXPECT_EQ(SKV_FEATURES_SIZE_VER2, f.size);
	EXPECT_EQ(SKV_NL_VALUE_MAX, f.event_value_max);
	EXPECT_EQ(65531, f.event_value_max);
	EXPECT_EQ(0, f.__reserved2);

	features_init(&f);
	f.size = SKV_FEATURES_SIZE_VER1;
	f.event_value_max = 7;
	ASSERT_EQ(0, ioctl(self->ctl, SKV_IOC_FEATURES, &f));
	EXPECT_EQ(7, f.event_value_max);	/* past the caller's size */
}

TEST_F(features, size_zero_is_einval)
{
	struct skv_features f;

	features_init(&f);
	f.size = 0;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, &f));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(features, size_below_ver0_is_einval)
{
	struct skv_features f;

	features_init(&f);
	f.size = SKV_FEATURES_SIZE_VER0 - 1;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, &f));
	ASSERT_EQ(EINVAL, errno);
	/* Nothing is written back on failure. */
	EXPECT_EQ(0, f.abi_version);
}

TEST_F(features, nonzero_flags_is_einval)
{
	struct skv_features f;

	features_init(&f);
	f.flags = 1;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, &f));
	ASSERT_EQ(EINVAL, errno);
	f.flags = 0x80000000;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, &f));
	ASSERT_EQ(EINVAL, errno);
}

TEST_F(features, nonzero_reserved_is_einval)
{
	struct skv_features f;

	features_init(&f);
	f.__reserved0 = 1;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, &f));
	ASSERT_EQ(EINVAL, errno);
}

/* A newer caller's larger struct. */
struct features_v99 {
	struct skv_features f;
	__u64 tail[4];
};

TEST_F(features, larger_size_with_nonzero_tail_is_e2big)
{
	struct features_v99 big;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(big.tail); i++) {
		memset(&big, 0, sizeof(big));
		big.f.size = sizeof(big);
		big.tail[i] = 1;
		ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, &big));
		ASSERT_EQ(E2BIG, errno);
	}
	/* Even one byte beyond the kernel's struct counts. */
	memset(&big, 0, sizeof(big));
	big.f.size = sizeof(big.f) + 1;
	((unsigned char *)&big)[sizeof(big.f)] = 0xff;
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, &big));
	ASSERT_EQ(E2BIG, errno);
}

TEST_F(features, larger_size_with_zero_tail_succeeds)
{
	struct features_v99 big;
	unsigned int i;

	memset(&big, 0, sizeof(big));
	big.f.size = sizeof(big);
	ASSERT_EQ(0, ioctl(self->ctl, SKV_IOC_FEATURES, &big));
	EXPECT_EQ(SKV_ABI_VERSION, big.f.abi_version);
	EXPECT_EQ(SKV_BATCH_MAX, big.f.batch_max);
	/* The kernel reports its own size and writes nothing beyond it. */
	EXPECT_EQ(sizeof(big.f), big.f.size);
	for (i = 0; i < ARRAY_SIZE(big.tail); i++)
		EXPECT_EQ(0ULL, big.tail[i]);
}

TEST_F(features, null_pointer_is_efault)
{
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, NULL));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, (void *)1));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(features, kernel_pointer_is_efault)
{
	void *kaddr = (void *)0xffffffff81000000UL;

	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, kaddr));
	ASSERT_EQ(EFAULT, errno);
}

/* The size field is readable, the rest of the struct is not mapped. */
TEST_F(features, struct_crossing_into_unmapped_page_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	struct skv_features *f;
	char *map;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + page, page));
	f = (struct skv_features *)(map + page - 8);
	memset(f, 0, 8);
	f->size = sizeof(*f);
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, f));
	EXPECT_EQ(EFAULT, errno);
	munmap(map, page);
}

/* Input readable, output not writable: the copy back faults. */
TEST_F(features, read_only_struct_is_efault)
{
	long page = sysconf(_SC_PAGESIZE);
	struct skv_features *f;
	char *map;

	map = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	f = (struct skv_features *)map;
	features_init(f);
	ASSERT_EQ(0, mprotect(map, page, PROT_READ));
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_FEATURES, f));
	EXPECT_EQ(EFAULT, errno);
	munmap(map, page);
}

TEST_F(features, unknown_ioctl_on_control_fd_is_enotty)
{
	struct skv_features f;
	char buf[256] = { 0 };
	int arg = 0;

	features_init(&f);
	/* An unused number in skv's range. */
	ASSERT_EQ(-1, ioctl(self->ctl, _IOWR(SKV_IOC_MAGIC, 0x7f,
					     struct skv_features), &f));
	ASSERT_EQ(ENOTTY, errno);
	/*
	 * The size bits of the command are not part of its identity (ABI
	 * growth): FEATURES' number with another size encoded is FEATURES,
	 * sized by the struct's own size field.
	 */
	features_init(&f);
	ASSERT_EQ(0, ioctl(self->ctl, _IOWR(SKV_IOC_MAGIC, 0x00, __u64), &f));
	ASSERT_EQ(SKV_ABI_VERSION, f.abi_version);
	ASSERT_EQ(-1, ioctl(self->ctl, _IOWR(SKV_IOC_MAGIC, 0x00, __u64),
			    buf));
	ASSERT_EQ(EINVAL, errno);	/* size 0 */
	/* A table ioctl on the control fd. */
	ASSERT_EQ(-1, ioctl(self->ctl, SKV_IOC_GET, buf));
	ASSERT_EQ(ENOTTY, errno);
	/* Another driver's ioctl. */
	ASSERT_EQ(-1, ioctl(self->ctl, _IOW('T', 0x7e, int), &arg));
	ASSERT_EQ(ENOTTY, errno);
}

TEST_F(features, unknown_ioctl_on_table_fd_is_enotty)
{
	char name[SKV_NAME_MAX];
	struct skv_table_open o;
	char buf[256] = { 0 };
	int fd;

	skv_name(name, "feat");
	fd = skv_create(self->ctl, name, NULL);
	ASSERT_LE(0, fd) TH_LOG("create: %s", strerror(-fd));
	EXPECT_EQ(-1, ioctl(fd, _IOWR(SKV_IOC_MAGIC, 0x7f, struct skv_get),
			    buf));
	EXPECT_EQ(ENOTTY, errno);
	/* GET's number with another size is GET; size 0 is below VER0. */
	EXPECT_EQ(-1, ioctl(fd, _IOWR(SKV_IOC_MAGIC, 0x10, __u64), buf));
	EXPECT_EQ(EINVAL, errno);
	/* Another driver's type with skv's number is not skv's. */
	EXPECT_EQ(-1, ioctl(fd, _IOWR('T', 0x10, struct skv_get), buf));
	EXPECT_EQ(ENOTTY, errno);
	/* A control ioctl on a table fd. */
	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	strcpy(o.name, name);
	EXPECT_EQ(-1, ioctl(fd, SKV_IOC_TABLE_OPEN, &o));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
	ASSERT_EQ(0, skv_table_delete(self->ctl, name));
}

struct open_close_arg {
	unsigned int loops;
	unsigned int failures;
	int first_errno;
};

static void *open_close_thread(void *p)
{
	struct open_close_arg *a = p;
	struct skv_features f;
	unsigned int i;
	int fd;

	for (i = 0; i < a->loops; i++) {
		fd = open(SKV_DEV, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			a->failures++;
			a->first_errno = a->first_errno ?: errno;
			continue;
		}
		features_init(&f);
		if (ioctl(fd, SKV_IOC_FEATURES, &f) ||
		    f.abi_version != SKV_ABI_VERSION) {
			a->failures++;
			a->first_errno = a->first_errno ?: errno;
		}
		if (close(fd))
			a->failures++;
	}
	return NULL;
}

TEST_F_TIMEOUT(features, open_close_from_many_threads, 120)
{
	struct open_close_arg args[8];
	pthread_t th[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(th); i++) {
		args[i] = (struct open_close_arg){ .loops = skv_budget(2000) };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, open_close_thread,
					    &args[i]));
	}
	for (i = 0; i < ARRAY_SIZE(th); i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(0U, args[i].failures) TH_LOG("thread %u: errno %d",
						      i, args[i].first_errno);
	}
}

TEST_HARNESS_MAIN
