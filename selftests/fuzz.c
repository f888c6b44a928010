// SPDX-License-Identifier: GPL-2.0
/*
 * A deterministic fuzzer for the skv ioctls and its generic netlink family.
 *
 * Each iteration draws, from a seeded xorshift generator only, one call:
 * an ioctl number near ours (magic 0xB9, every nr 0..0x3f, random dir and
 * size bits) or far from it (other magics, random words), on the control
 * fd, a read-write or read-only table fd or a closed fd; an argument
 * struct that is mostly valid with a few fields mutated (size, flags,
 * reserved fields, lengths near 2^32, counts near limits, cursors) placed
 * at a good, misaligned, read-only, PROT_NONE, unmapped or page-straddling
 * address, with user pointers inside it drawn the same way. When the "skv"
 * genl family is registered, some iterations send it a random message
 * instead. Every error must be one the ABI documents; afterwards the store
 * must still work. Splats fail the run through the VM runner.
 *
 * Environment: SKV_FUZZ_SEED (default 1), SKV_FUZZ_ITERS (default 50000
 * on the cloud kernels, 10000 on the debug kernel), SKV_FUZZ_LOG=1 to print
 * every call before it is made (to find the one that crashed).
 */
#define _GNU_SOURCE
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "reliability.h"

#define FZ_PAGE		4096UL
#define FZ_ARENA	(34UL << 20)	/* room for a 16 MiB value and more */
#define FZ_NR_FDS	8
#define FZ_NR_TABLES	6
#define FZ_MSG_MAX	4096

struct fz {
	uint64_t rng;
	int ctl;
	int fds[FZ_NR_FDS];
	uint8_t *arena;		/* FZ_ARENA bytes, then a PROT_NONE guard page */
	uint8_t *ro;		/* a PROT_READ page */
	uint8_t *none;		/* a PROT_NONE page */
	uint8_t *gone;		/* a page that was unmapped */
	uint8_t *edge;		/* a RW page followed by a PROT_NONE one */
	int nl;			/* NETLINK_GENERIC socket, or -1 */
	uint16_t family;	/* "skv" genl family id, or 0 */
	bool log;
	unsigned long calls, ok, nl_msgs, errs[160], bad_errno;
};

static uint64_t fz_rand(struct fz *z)
{
	uint64_t x = z->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	z->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint32_t fz_below(struct fz *z, uint32_t n)
{
	return n ? fz_rand(z) % n : 0;
}

/* True with probability @pct percent. */
static bool fz_chance(struct fz *z, unsigned int pct)
{
	return fz_below(z, 100) < pct;
}

static uint32_t fz_len(struct fz *z)
{
	static const uint32_t interesting[] = {
		0, 1, 2, 7, 8, 63, 64, 255, 511, 512, 513, 4095, 4096, 4097,
		65535, 65536, 1 << 20, (1 << 20) + 1, 16 << 20, (16 << 20) + 1,
		0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffe, 0xffffffff,
	};

	if (fz_chance(z, 60))
		return 1 + fz_below(z, 40);
	if (fz_chance(z, 80))
		return interesting[fz_below(z, RT_ARRAY_SIZE(interesting))];
	return (uint32_t)fz_rand(z);
}

static uint64_t fz_u64(struct fz *z)
{
	static const uint64_t interesting[] = {
		0, 1, 2, 1000, 0x7fffffff, 0x80000000, 0xffffffff,
		0x100000000ULL, 1ULL << 31, (1ULL << 31) + 1, INT64_MAX,
		(uint64_t)INT64_MIN, UINT64_MAX, UINT64_MAX - 1,
	};

	if (fz_chance(z, 50))
		return interesting[fz_below(z, RT_ARRAY_SIZE(interesting))];
	if (fz_chance(z, 50))
		return fz_below(z, 100000);
	return fz_rand(z);
}

/* Flags: mostly 0 or a known combination, sometimes any bits. */
static uint32_t fz_flags(struct fz *z, uint32_t known)
{
	if (fz_chance(z, 40))
		return 0;
	if (fz_chance(z, 80))
		return (uint32_t)fz_rand(z) & known;
	return 1u << fz_below(z, 32) | ((uint32_t)fz_rand(z) & known);
}

/*
 * A user pointer to @len bytes: usually good (in the arena, which a
 * PROT_NONE guard page follows, so an overlong copy faults instead of
 * corrupting us), else NULL, read-only, PROT_NONE, unmapped, misaligned,
 * straddling into PROT_NONE, a kernel address or non-canonical.
 */
static uint64_t fz_ptr(struct fz *z, uint32_t len)
{
	uint64_t room = len < FZ_ARENA ? FZ_ARENA - len : 0;

	switch (fz_below(z, 20)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)z->ro + fz_below(z, FZ_PAGE);
	case 2:
		return (uintptr_t)z->none + fz_below(z, FZ_PAGE);
	case 3:
		return (uintptr_t)z->gone + fz_below(z, FZ_PAGE);
	case 4:
		return (uintptr_t)z->arena + 1 + fz_below(z, 7);
	case 5:
		return (uintptr_t)z->edge + FZ_PAGE - 1 - fz_below(z, len < FZ_PAGE ? len + 1 : FZ_PAGE);
	case 6:
		return 0xffff888000000000ULL + (fz_rand(z) & 0xffffff8ULL);
	case 7:
		return fz_chance(z, 50) ? 0x8000000000000000ULL | fz_rand(z) :
					   (1ULL << 47) + fz_below(z, 1 << 20);
	default:
		return (uintptr_t)z->arena + (room ? fz_below(z, room < 65536 ? room : 65536) & ~7ULL : 0);
	}
}

/* A key: mostly one of a few short ones (so keys exist), else random. */
static void fz_key(struct fz *z, __u32 *len, __u64 *ptr)
{
	static const char *const keys[] = { "a", "b", "cnt", "key-3", "x" };

	if (fz_chance(z, 75)) {
		const char *k = keys[fz_below(z, RT_ARRAY_SIZE(keys))];
		uint8_t *dst = z->arena + FZ_ARENA - 4096 - 64 * fz_below(z, 8);

		memcpy(dst, k, strlen(k));
		*len = strlen(k);
		*ptr = (uintptr_t)dst;
		return;
	}
	*len = fz_len(z);
	*ptr = fz_ptr(z, *len);
}

static void fz_value(struct fz *z, __u32 *len, __u64 *ptr)
{
	if (fz_chance(z, 70)) {
		uint8_t *dst = z->arena + 8 * fz_below(z, 64);

		*len = fz_below(z, 64);
		if (fz_chance(z, 30)) {	/* a decimal integer, for INCR */
			*len = snprintf((char *)dst, 24, "%lld",
					(long long)(int64_t)fz_u64(z));
		}
		*ptr = (uintptr_t)dst;
		return;
	}
	*len = fz_len(z);
	*ptr = fz_ptr(z, *len);
}

static void fz_name(struct fz *z, char *name)
{
	static const char *const bad[] = {
		"", ".", "a/b", "a b", "\xff", "-", "nul\0after",
		"0123456789012345678901234567890123456789012345678901234567890123",
	};
	unsigned int i, n;

	memset(name, 0, SKV_NAME_MAX);
	if (fz_chance(z, 85)) {
		snprintf(name, SKV_NAME_MAX, "fz%u", fz_below(z, FZ_NR_TABLES));
		return;
	}
	if (fz_chance(z, 50)) {
		const char *b = bad[fz_below(z, RT_ARRAY_SIZE(bad))];

		memcpy(name, b, strlen(b) < SKV_NAME_MAX ? strlen(b) : SKV_NAME_MAX);
		if (!strcmp(b, "nul"))
			memcpy(name + 4, "after", 5);
		return;
	}
	n = fz_below(z, SKV_NAME_MAX + 1);
	for (i = 0; i < n && i < SKV_NAME_MAX; i++)
		name[i] = fz_rand(z);
}

static void fz_attr(struct fz *z, struct skv_table_attr *a)
{
	memset(a, 0, sizeof(*a));
	if (fz_chance(z, 50)) {		/* small and valid */
		a->max_entries = 1 + fz_below(z, 64);
		a->max_bytes = 1 + fz_below(z, 1 << 20);
		a->max_key_len = fz_below(z, 600);
		a->max_value_len = fz_below(z, 1 << 17);
		a->policy = fz_below(z, 2);
		a->mode = fz_chance(z, 50) ? 0 : fz_below(z, 01000);
		return;
	}
	a->max_entries = fz_u64(z);
	a->max_bytes = fz_u64(z);
	a->max_key_len = fz_len(z);
	a->max_value_len = fz_len(z);
	a->default_ttl_ms = fz_chance(z, 80) ? 0 : fz_u64(z);
	a->policy = fz_chance(z, 80) ? fz_below(z, 2) : fz_rand(z);
	a->mode = fz_chance(z, 80) ? fz_below(z, 01000) : fz_rand(z);
}

/* The struct size field: mostly right, else short, long, huge. */
static uint32_t fz_size(struct fz *z, uint32_t ksize)
{
	switch (fz_below(z, 16)) {
	case 0: return 0;
	case 1: return 4;
	case 2: return ksize - 4;
	case 3: return ksize + 8;
	case 4: return ksize + 4096;
	case 5: return fz_len(z);
	default: return ksize;
	}
}

static void fz_batch_ops(struct fz *z, uint8_t *buf, uint32_t count,
			 uint32_t op_size)
{
	uint32_t i;

	for (i = 0; i < count; i++) {
		struct skv_batch_op o;

		memset(&o, 0, sizeof(o));
		o.op = fz_chance(z, 90) ? fz_below(z, 5) : fz_rand(z);
		if (o.op == 3)
			o.op = SKV_OP_INCR;
		else if (o.op == 4)
			o.op = fz_chance(z, 50) ? SKV_OP_GETDEL : SKV_OP_DELETE;
		fz_key(z, &o.key_len, &o.key_ptr);
		fz_value(z, &o.value_len, &o.value_ptr);
		if (o.op == SKV_OP_GET || o.op == SKV_OP_GETDEL) {
			o.value_len = fz_chance(z, 80) ? 256 : fz_len(z);
			o.value_ptr = fz_ptr(z, o.value_len);
		}
		if (fz_chance(z, 30))
			o.flags = fz_flags(z, SKV_PUT_ALL);
		if (fz_chance(z, 10))
			o.version = fz_u64(z);
		if (o.flags & SKV_PUT_TTL || fz_chance(z, 5))
			o.ttl_ms = fz_u64(z);
		if (o.op == SKV_OP_INCR || fz_chance(z, 5))
			o.num = fz_u64(z);
		if (fz_chance(z, 10))
			o.user_flags = fz_rand(z);
		if (fz_chance(z, 5))
			o.status = fz_rand(z);
		if ((uint64_t)i * op_size + op_size > FZ_ARENA / 2)
			break;
		memcpy(buf + (size_t)i * op_size, &o,
		       op_size < sizeof(o) ? op_size : sizeof(o));
	}
}

/* The known ioctls and which fd they belong to. */
static const struct fz_cmd {
	unsigned long cmd;
	uint32_t size;
	bool ctl;
} fz_cmds[] = {
	{ SKV_IOC_FEATURES, sizeof(struct skv_features), true },
	{ SKV_IOC_TABLE_OPEN, sizeof(struct skv_table_open), true },
	{ SKV_IOC_TABLE_DELETE, sizeof(struct skv_table_delete), true },
	{ SKV_IOC_GET, sizeof(struct skv_get), false },
	{ SKV_IOC_PUT, sizeof(struct skv_put), false },
	{ SKV_IOC_DELETE, sizeof(struct skv_delete), false },
	{ SKV_IOC_INCR, sizeof(struct skv_incr), false },
	{ SKV_IOC_GETDEL, sizeof(struct skv_get), false },
	{ SKV_IOC_BATCH, sizeof(struct skv_batch), false },
	{ SKV_IOC_SCAN, sizeof(struct skv_scan), false },
	{ SKV_IOC_FLUSH, sizeof(struct skv_flush), false },
	{ SKV_IOC_STATS, sizeof(struct skv_stats), false },
	{ SKV_IOC_INFO, sizeof(struct skv_info), false },
	{ SKV_IOC_SET, sizeof(struct skv_set), false },
};

/* Build the argument struct of a known ioctl into @arg (zeroed, 8 KiB). */
static void fz_fill(struct fz *z, unsigned long cmd, uint8_t *arg)
{
	union {
		struct skv_features f;
		struct skv_table_open o;
		struct skv_table_delete d;
		struct skv_get g;
		struct skv_put p;
		struct skv_delete del;
		struct skv_incr in;
		struct skv_batch b;
		struct skv_scan s;
		struct skv_flush fl;
		struct skv_stats st;
		struct skv_info info;
		struct skv_set set;
	} *u = (void *)arg;
	bool mutate = fz_chance(z, 60);

	switch (cmd) {
	case SKV_IOC_FEATURES:
		u->f.flags = mutate ? fz_flags(z, 0) : 0;
		break;
	case SKV_IOC_TABLE_OPEN:
		u->o.flags = fz_chance(z, 70) ? SKV_OPEN_CREATE | fz_flags(z, SKV_OPEN_ALL) :
						 fz_flags(z, SKV_OPEN_ALL);
		fz_name(z, u->o.name);
		if (u->o.flags & SKV_OPEN_CREATE || fz_chance(z, 10))
			fz_attr(z, &u->o.attr);
		/* Mapped tables: the flag, sometimes bad bits or reserved. */
		if (fz_chance(z, 30))
			u->o.table_flags = fz_chance(z, 80) ? SKV_TABLE_MAPPED :
							      fz_flags(z, SKV_TABLE_ALL);
		if (fz_chance(z, 3))
			u->o.__reserved1 = fz_rand(z);
		if (fz_chance(z, 10))
			u->o.fd = fz_rand(z);
		break;
	case SKV_IOC_TABLE_DELETE:
		u->d.flags = mutate ? fz_flags(z, 0) : 0;
		fz_name(z, u->d.name);
		break;
	case SKV_IOC_GET:
	case SKV_IOC_GETDEL:
		fz_key(z, &u->g.key_len, &u->g.key_ptr);
		u->g.value_len = fz_chance(z, 70) ? 4096 : fz_len(z);
		u->g.value_ptr = fz_ptr(z, u->g.value_len);
		if (mutate && fz_chance(z, 30))
			u->g.flags = fz_flags(z, 0);
		if (mutate && fz_chance(z, 20))
			u->g.__reserved0 = fz_rand(z);
		if (mutate && fz_chance(z, 20))
			u->g.version = fz_rand(z);
		break;
	case SKV_IOC_PUT:
		u->p.flags = fz_flags(z, SKV_PUT_ALL);
		fz_key(z, &u->p.key_len, &u->p.key_ptr);
		fz_value(z, &u->p.value_len, &u->p.value_ptr);
		if (u->p.flags & SKV_PUT_CAS || (mutate && fz_chance(z, 20)))
			u->p.cas_version = fz_u64(z);
		if (u->p.flags & SKV_PUT_TTL || (mutate && fz_chance(z, 20)))
			u->p.ttl_ms = fz_u64(z);
		u->p.user_flags = fz_chance(z, 50) ? 0 : fz_rand(z);
		if (mutate && fz_chance(z, 20))
			u->p.__reserved0 = fz_rand(z);
		break;
	case SKV_IOC_DELETE:
		u->del.flags = fz_flags(z, SKV_DEL_ALL);
		fz_key(z, &u->del.key_len, &u->del.key_ptr);
		if (u->del.flags & SKV_DEL_CAS || (mutate && fz_chance(z, 20)))
			u->del.cas_version = fz_u64(z);
		if (mutate && fz_chance(z, 20))
			u->del.__reserved0 = fz_rand(z);
		break;
	case SKV_IOC_INCR:
		fz_key(z, &u->in.key_len, &u->in.key_ptr);
		u->in.delta = fz_chance(z, 50) ? (int64_t)fz_below(z, 10) - 5 :
						  (int64_t)fz_u64(z);
		if (mutate && fz_chance(z, 20))
			u->in.flags = fz_flags(z, 0);
		if (mutate && fz_chance(z, 20))
			u->in.__reserved0 = fz_rand(z);
		break;
	case SKV_IOC_BATCH: {
		static const uint32_t counts[] = {
			0, 1, 2, 3, 16, SKV_BATCH_MAX - 1, SKV_BATCH_MAX,
			SKV_BATCH_MAX + 1, 0x10000, 0x7fffffff, 0xffffffff,
		};
		static const uint32_t op_sizes[] = {
			0, 1, 8, sizeof(struct skv_batch_op) - 8,
			sizeof(struct skv_batch_op) + 8, 4096, 0xffffffff,
		};
		uint8_t *ops = z->arena + FZ_ARENA / 2;

		u->b.count = fz_chance(z, 70) ? 1 + fz_below(z, 8) :
				counts[fz_below(z, RT_ARRAY_SIZE(counts))];
		u->b.op_size = fz_chance(z, 80) ? sizeof(struct skv_batch_op) :
				op_sizes[fz_below(z, RT_ARRAY_SIZE(op_sizes))];
		u->b.ops_ptr = fz_chance(z, 80) ? (uintptr_t)ops :
				fz_ptr(z, u->b.count * u->b.op_size);
		if (u->b.ops_ptr == (uintptr_t)ops && u->b.op_size &&
		    u->b.op_size <= 4096)
			fz_batch_ops(z, ops, u->b.count < SKV_BATCH_MAX + 2 ?
					     u->b.count : SKV_BATCH_MAX + 2,
				     u->b.op_size);
		if (mutate && fz_chance(z, 20))
			u->b.flags = fz_flags(z, 0);
		break;
	}
	case SKV_IOC_SCAN:
		u->s.flags = fz_flags(z, SKV_SCAN_ALL);
		u->s.cursor = fz_chance(z, 60) ? 0 : fz_u64(z);
		if (fz_chance(z, 30)) {
			fz_key(z, &u->s.prefix_len, &u->s.prefix_ptr);
		} else if (mutate && fz_chance(z, 20)) {
			u->s.prefix_len = fz_len(z);
			u->s.prefix_ptr = fz_ptr(z, u->s.prefix_len);
		}
		u->s.count = fz_chance(z, 60) ? fz_below(z, 64) : fz_len(z);
		u->s.buf_len = fz_chance(z, 60) ? 1u << fz_below(z, 20) : fz_len(z);
		u->s.buf_ptr = fz_ptr(z, u->s.buf_len);
		if (mutate && fz_chance(z, 20))
			u->s.nr_keys = fz_rand(z);
		break;
	case SKV_IOC_FLUSH:
		/* Rare, so that the tables keep some content. */
		u->fl.flags = fz_chance(z, 90) ? 1 : 0;
		break;
	case SKV_IOC_STATS:
		u->st.flags = mutate ? fz_flags(z, 0) : 0;
		break;
	case SKV_IOC_INFO:
		u->info.flags = mutate ? fz_flags(z, 0) : 0;
		if (mutate && fz_chance(z, 20))
			u->info.__reserved0 = fz_rand(z);
		break;
	case SKV_IOC_SET:
		u->set.mask = fz_flags(z, SKV_SET_ALL);
		u->set.default_ttl_ms = fz_u64(z);
		u->set.policy = fz_chance(z, 80) ? fz_below(z, 2) : fz_rand(z);
		/* Keep our own access: owner rw stays, except when mutating. */
		u->set.mode = fz_chance(z, 80) ? 0600 | fz_below(z, 0100) : fz_rand(z);
		u->set.uid = fz_chance(z, 80) ? 0 : (uint32_t)fz_u64(z);
		u->set.gid = fz_chance(z, 80) ? 0 : (uint32_t)fz_u64(z);
		break;
	default:
		/* An unknown number: random bytes. */
		for (size_t i = 0; i < 256; i += 8)
			*(uint64_t *)(arg + i) = fz_chance(z, 50) ? 0 : fz_rand(z);
		return;
	}
}

/* The errnos the ABI documents for some call; anything else is a bug. */
static bool fz_documented(int err)
{
	switch (err) {
	case EINVAL: case E2BIG: case EFAULT: case ENOTTY: case ENOENT:
	case EEXIST: case ERANGE: case ESTALE: case EDOM: case EOVERFLOW:
	case ENOSPC: case EFBIG: case EDQUOT: case ENOMEM: case EBADF:
	case EACCES: case EPERM: case EMFILE: case ENFILE:
		return true;
	default:
		return false;
	}
}

static int fz_next_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/* Close a random pool slot and put @fd there. */
static void fz_pool_put(struct fz *z, int fd)
{
	unsigned int i = fz_below(z, FZ_NR_FDS);

	if (z->fds[i] >= 0)
		close(z->fds[i]);
	z->fds[i] = fd;
}

/* One ioctl. Returns false on a finding (already logged). */
static bool fz_one_ioctl(struct __test_metadata *_metadata, struct fz *z,
			 unsigned long iter)
{
	static uint8_t argbuf[8192] __attribute__((aligned(64)));
	const struct fz_cmd *known = NULL;
	unsigned long cmd;
	uint8_t *arg = argbuf + 64;
	uint32_t size;
	uint64_t argp;
	int fd, ret, fd_hint = -1;
	unsigned int where;

	/* Which ioctl number. */
	switch (fz_below(z, 20)) {
	case 0 ... 11:
		known = &fz_cmds[fz_below(z, RT_ARRAY_SIZE(fz_cmds))];
		cmd = known->cmd;
		break;
	case 12 ... 14:
		cmd = _IOC(fz_below(z, 4), SKV_IOC_MAGIC, fz_below(z, 0x40),
			   fz_below(z, 1 << 14));
		break;
	case 15 ... 16:		/* one of ours with dir or size changed */
		known = &fz_cmds[fz_below(z, RT_ARRAY_SIZE(fz_cmds))];
		cmd = _IOC(fz_below(z, 4), SKV_IOC_MAGIC, _IOC_NR(known->cmd),
			   fz_chance(z, 50) ? known->size : fz_below(z, 1 << 14));
		break;
	case 17:
		cmd = _IOC(_IOC_DIR(fz_rand(z)), fz_below(z, 256),
			   fz_below(z, 0x40), fz_below(z, 1 << 14));
		if (_IOC_TYPE(cmd) == SKV_IOC_MAGIC || _IOC_TYPE(cmd) == 'T' ||
		    _IOC_TYPE(cmd) == 'f' || _IOC_TYPE(cmd) == 'X')
			cmd = _IOC(_IOC_READ, 0xB8, 0, 8);
		break;
	default:
		cmd = (uint32_t)fz_rand(z);
		if (_IOC_TYPE(cmd) != SKV_IOC_MAGIC)
			cmd = (cmd & ~0xff00UL) | (SKV_IOC_MAGIC << 8);
		break;
	}

	/* Which fd. */
	switch (fz_below(z, 20)) {
	case 0:
		fd = 1000;	/* closed */
		break;
	case 1 ... 6:
		fd = z->ctl;
		break;
	default:
		fd = z->fds[fz_below(z, FZ_NR_FDS)];
		if (fd < 0)
			fd = z->ctl;
		break;
	}
	/* Mostly the fd the ioctl belongs to, to get past the dispatch. */
	if (known && fz_chance(z, 80)) {
		if (known->ctl)
			fd = z->ctl;
		else if (fd == z->ctl || fd == 1000)
			fd = z->fds[fz_below(z, FZ_NR_FDS)];
	}

	memset(argbuf, 0, sizeof(argbuf));
	size = known ? known->size : _IOC_SIZE(cmd);
	if (known && _IOC_NR(cmd) == _IOC_NR(known->cmd)) {
		fz_fill(z, known->cmd, arg);
		*(uint32_t *)arg = fz_chance(z, 85) ? known->size :
						     fz_size(z, known->size);
		if (*(uint32_t *)arg > known->size && fz_chance(z, 30))
			arg[known->size + fz_below(z, *(uint32_t *)arg - known->size < 4000 ?
						      *(uint32_t *)arg - known->size : 4000)] = 1;
		if (fz_chance(z, 5)) {	/* flip one bit anywhere */
			uint32_t bit = fz_below(z, size * 8);

			arg[bit / 8] ^= 1 << (bit % 8);
		}
	} else {
		fz_fill(z, 0, arg);
	}

	/* Where the struct is. */
	where = fz_below(z, 20);
	switch (where) {
	case 0:
		argp = 0;
		break;
	case 1:
		argp = (uintptr_t)z->none;
		break;
	case 2:
		argp = (uintptr_t)z->gone;
		break;
	case 3:			/* read-only: the kernel cannot write back */
		mprotect(z->ro, FZ_PAGE, PROT_READ | PROT_WRITE);
		memcpy(z->ro, arg, size < FZ_PAGE ? size : FZ_PAGE);
		mprotect(z->ro, FZ_PAGE, PROT_READ);
		argp = (uintptr_t)z->ro;
		break;
	case 4: {		/* straddling into PROT_NONE */
		uint32_t max = size > 1 ? size - 1 : 1;
		uint32_t cut;

		if (max > FZ_PAGE - 1)
			max = FZ_PAGE - 1;
		cut = 1 + fz_below(z, max);
		memcpy(z->edge + FZ_PAGE - cut, arg, cut);
		argp = (uintptr_t)z->edge + FZ_PAGE - cut;
		break;
	}
	case 5: {		/* misaligned */
		uint8_t *m = argbuf + 4096 + 1 + fz_below(z, 7);

		memcpy(m, arg, 2048);
		argp = (uintptr_t)m;
		break;
	}
	case 6:
		argp = fz_rand(z) | 0x8000000000000000ULL;
		break;
	default:
		argp = (uintptr_t)arg;
		break;
	}

	if (known && known->cmd == SKV_IOC_TABLE_OPEN && cmd == known->cmd)
		fd_hint = fz_next_fd();
	if (z->log)
		ksft_print_msg("iter %lu: ioctl(%d, %#lx, %#llx) where %u\n",
			       iter, fd, cmd, (unsigned long long)argp, where);
	z->calls++;
	ret = ioctl(fd, cmd, (void *)(uintptr_t)argp);
	if (ret >= 0) {
		z->ok++;
		if (fd_hint >= 0 && argp == (uintptr_t)arg) {
			struct skv_table_open *o = (void *)arg;

			if (o->fd >= 0 && fcntl(o->fd, F_GETFD) >= 0)
				fz_pool_put(z, o->fd);
		}
		return true;
	}
	ret = errno;
	if (ret < (int)RT_ARRAY_SIZE(z->errs))
		z->errs[ret]++;
	if (!fz_documented(ret)) {
		z->bad_errno++;
		TH_LOG("iter %lu: ioctl(%d, %#lx, %#llx) undocumented errno %d (%s)",
		       iter, fd, cmd, (unsigned long long)argp, ret, strerror(ret));
		return false;
	}
	if (fd_hint >= 0 && fz_next_fd() != fd_hint) {
		TH_LOG("iter %lu: failed TABLE_OPEN (%s) left fd %d installed",
		       iter, strerror(ret), fd_hint);
		close(fd_hint);
		return false;
	}
	return true;
}

/*
 * mmap of a pool fd with random protections, flags, length and offset;
 * a mapping that works is read (the header, a random page) and sometimes
 * mprotect()ed before it goes. False on a finding (already logged).
 */
static bool fz_one_mmap(struct __test_metadata *_metadata, struct fz *z,
			unsigned long iter)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_EXEC, PROT_WRITE, PROT_NONE };
	int fd = z->fds[fz_below(z, FZ_NR_FDS)];
	int prot = fz_chance(z, 70) ? PROT_READ : prots[fz_below(z, 5)];
	int flags = fz_chance(z, 80) ? MAP_SHARED : MAP_PRIVATE;
	size_t pg = getpagesize();
	size_t len = fz_chance(z, 70) ? pg * (1 + fz_below(z, 64)) :
					1 + fz_below(z, 1 << 24);
	off_t off = fz_chance(z, 80) ? 0 : (off_t)pg * fz_below(z, 8);
	volatile const uint8_t *p;
	int err;

	if (fd < 0)
		fd = z->ctl;
	z->calls++;
	p = mmap(NULL, len, prot, flags, fd, off);
	if (p == MAP_FAILED) {
		err = errno;
		switch (err) {
		case EINVAL: case EPERM: case EACCES: case ENODEV: case ENOMEM:
		case EBADF:
			return true;
		}
		TH_LOG("iter %lu: mmap(%zu, %#x, %#x, fd %d, %lld) undocumented errno %d (%s)",
		       iter, len, prot, flags, fd, (long long)off, err, strerror(err));
		z->bad_errno++;
		return false;
	}
	z->ok++;
	if (prot & PROT_READ) {
		/* Within the table's region: never a fault. */
		if (p[0] != (SKV_MAP_MAGIC & 0xff)) {
			TH_LOG("iter %lu: mapped header without its magic", iter);
			munmap((void *)p, len);
			return false;
		}
		(void)p[fz_below(z, len / pg ? len / pg : 1) * pg];
	}
	prot = fz_chance(z, 50) ? PROT_READ | PROT_WRITE : PROT_READ | PROT_EXEC;
	if (fz_chance(z, 30) && !mprotect((void *)p, pg, prot)) {
		/* Adding write or exec must fail. */
		TH_LOG("iter %lu: mprotect made a mapped table writable", iter);
		munmap((void *)p, len);
		return false;
	}
	munmap((void *)p, len);
	return true;
}

/* Netlink: resolve the "skv" family with CTRL_CMD_GETFAMILY. */
static uint16_t fz_genl_family(int nl, const char *name)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char attrs[64];
	} req;
	char buf[8192];
	struct nlattr *a;
	struct nlmsghdr *n = (void *)buf;
	ssize_t len;
	int off;

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	a = (void *)req.attrs;
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + strlen(name) + 1;
	strcpy((char *)a + NLA_HDRLEN, name);
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len);
	if (send(nl, &req, req.n.nlmsg_len, 0) < 0)
		return 0;
	len = recv(nl, buf, sizeof(buf), 0);
	if (len < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN) || n->nlmsg_type == NLMSG_ERROR)
		return 0;
	for (off = NLMSG_LENGTH(GENL_HDRLEN); off + NLA_HDRLEN <= (int)n->nlmsg_len;
	     off += NLA_ALIGN(a->nla_len)) {
		a = (void *)(buf + off);
		if (a->nla_len < NLA_HDRLEN)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)((char *)a + NLA_HDRLEN);
	}
	return 0;
}

/* Random attributes into @p, at most @room bytes; returns the bytes used. */
static size_t fz_nl_attrs(struct fz *z, uint8_t *p, size_t room, int depth)
{
	size_t used = 0;
	unsigned int i, n = fz_below(z, 6);

	for (i = 0; i < n && used + NLA_HDRLEN + 64 <= room; i++) {
		struct nlattr *a = (void *)(p + used);
		size_t plen;

		a->nla_type = fz_below(z, 21);
		if (fz_chance(z, 30)) {	/* a table name, as the family wants */
			plen = snprintf((char *)p + used + NLA_HDRLEN, 8, "fz%u",
					fz_below(z, FZ_NR_TABLES)) + 1;
			a->nla_type = fz_chance(z, 80) ? 2 : a->nla_type;
		} else if (fz_chance(z, 20)) {	/* a key that exists */
			plen = 1 + fz_below(z, 3);
			memcpy(p + used + NLA_HDRLEN, "cnt", plen);
		} else if (depth < 2 && fz_chance(z, 10)) {
			a->nla_type |= NLA_F_NESTED;
			plen = fz_nl_attrs(z, p + used + NLA_HDRLEN,
					   room - used - NLA_HDRLEN, depth + 1);
		} else {
			static const size_t lens[] = { 0, 1, 2, 4, 8, 16, 64 };
			size_t j;

			plen = fz_chance(z, 70) ? lens[fz_below(z, RT_ARRAY_SIZE(lens))] :
						  fz_below(z, 256);
			if (used + NLA_HDRLEN + plen > room)
				plen = 0;
			for (j = 0; j < plen; j++)
				p[used + NLA_HDRLEN + j] = fz_chance(z, 50) ?
					(uint8_t)"fz0abc\0"[fz_below(z, 7)] : (uint8_t)fz_rand(z);
		}
		a->nla_len = NLA_HDRLEN + plen;
		if (fz_chance(z, 3))
			a->nla_len = fz_rand(z);	/* lie about the length */
		used += NLA_ALIGN(NLA_HDRLEN + plen);
	}
	return used;
}

static void fz_one_netlink(struct fz *z, unsigned long iter)
{
	static uint8_t msg[FZ_MSG_MAX] __attribute__((aligned(8)));
	static uint8_t buf[65536];
	struct nlmsghdr *n = (void *)msg;
	struct genlmsghdr *g = NLMSG_DATA(n);
	size_t len;
	int i;

	memset(msg, 0, sizeof(msg));
	n->nlmsg_type = z->family;
	n->nlmsg_flags = NLM_F_REQUEST;
	if (fz_chance(z, 50))
		n->nlmsg_flags |= NLM_F_ACK;
	if (fz_chance(z, 30))
		n->nlmsg_flags |= NLM_F_DUMP;
	if (fz_chance(z, 5))
		n->nlmsg_flags = fz_rand(z);
	n->nlmsg_seq = iter;
	g->cmd = fz_chance(z, 90) ? fz_below(z, 24) : fz_rand(z);
	g->version = fz_chance(z, 90) ? 1 : fz_rand(z);
	len = NLMSG_LENGTH(GENL_HDRLEN);
	len += fz_nl_attrs(z, msg + len, sizeof(msg) - len, 0);
	n->nlmsg_len = len;
	if (fz_chance(z, 3))
		n->nlmsg_len = fz_below(z, len + 16);
	if (z->log)
		ksft_print_msg("iter %lu: netlink cmd %u len %zu flags %#x\n",
			       iter, g->cmd, len, n->nlmsg_flags);
	z->nl_msgs++;
	send(z->nl, msg, len, MSG_DONTWAIT);
	/* Drain the answer, dumps included; a bounded number of reads. */
	for (i = 0; i < 256; i++)
		if (recv(z->nl, buf, sizeof(buf), MSG_DONTWAIT) < 0)
			break;
}

static void fz_setup_memory(struct __test_metadata *_metadata, struct fz *z)
{
	uint8_t *m;

	m = mmap(NULL, FZ_ARENA + FZ_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mprotect(m + FZ_ARENA, FZ_PAGE, PROT_NONE));
	z->arena = m;
	m = mmap(NULL, 5 * FZ_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	z->ro = m;
	z->none = m + FZ_PAGE;
	z->edge = m + 2 * FZ_PAGE;
	z->gone = m + 4 * FZ_PAGE;
	memset(z->ro, 0x5a, FZ_PAGE);
	ASSERT_EQ(0, mprotect(z->ro, FZ_PAGE, PROT_READ));
	ASSERT_EQ(0, mprotect(z->none, FZ_PAGE, PROT_NONE));
	/* edge (RW) is followed by edge + FZ_PAGE: */
	ASSERT_EQ(0, mprotect(z->edge + FZ_PAGE, FZ_PAGE, PROT_NONE));
	ASSERT_EQ(0, munmap(z->gone, FZ_PAGE));
}

/* Afterwards the store must still answer correctly. */
static void fz_sanity(struct __test_metadata *_metadata, int ctl)
{
	struct skv_features f;
	char val[32];
	uint32_t len = sizeof(val);
	uint64_t v1, v2;
	int fd;

	ASSERT_EQ(0, rt_features(ctl, &f));
	ASSERT_EQ((__u32)SKV_ABI_VERSION, f.abi_version);
	if (!(f.ops & (1ULL << SKV_OP_PUT)))
		return;
	rt_table_delete(ctl, "fz-sanity");
	fd = rt_table_open(ctl, "fz-sanity", SKV_OPEN_CREATE | SKV_OPEN_EXCL, NULL);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rt_put(fd, "k", 1, "hello", 5, 0, 0, &v1));
	ASSERT_EQ(0, rt_get(fd, "k", 1, val, &len, &v2));
	ASSERT_EQ(5u, len);
	ASSERT_EQ(0, memcmp(val, "hello", 5));
	ASSERT_EQ(v1, v2);
	close(fd);
	ASSERT_EQ(0, rt_table_delete(ctl, "fz-sanity"));
}

FIXTURE(fuzz) {
	struct fz z;
	uint64_t seed;
	unsigned long iters;
};

FIXTURE_SETUP(fuzz)
{
	const char *s;
	int i;

	memset(&self->z, 0, sizeof(self->z));
	self->z.nl = -1;
	s = getenv("SKV_FUZZ_SEED");
	self->seed = s ? strtoull(s, NULL, 0) : 1;
	s = getenv("SKV_FUZZ_ITERS");
	self->iters = s ? strtoul(s, NULL, 0) : rt_scaled(50000, 10000);
	s = getenv("SKV_FUZZ_LOG");
	self->z.log = s && *s == '1';
	/* xorshift must not start at 0; mix the seed. */
	self->z.rng = (self->seed ^ 0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;
	if (!self->z.rng)
		self->z.rng = 1;
	for (i = 0; i < FZ_NR_FDS; i++)
		self->z.fds[i] = -1;
	self->z.ctl = rt_ctl_open();
	ASSERT_LE(0, self->z.ctl);
	fz_setup_memory(_metadata, &self->z);
}

FIXTURE_TEARDOWN(fuzz)
{
	char name[SKV_NAME_MAX];
	int i;

	for (i = 0; i < FZ_NR_FDS; i++)
		if (self->z.fds[i] >= 0)
			close(self->z.fds[i]);
	for (i = 0; i < FZ_NR_TABLES; i++) {
		snprintf(name, sizeof(name), "fz%d", i);
		rt_table_delete(self->z.ctl, name);
	}
	if (self->z.nl >= 0)
		close(self->z.nl);
	close(self->z.ctl);
}

static void fz_report(struct fz *z, uint64_t seed, unsigned long iters,
		      double secs)
{
	char line[512];
	size_t off = 0;
	int e;

	for (e = 1; e < (int)RT_ARRAY_SIZE(z->errs); e++)
		if (z->errs[e] && off < sizeof(line) - 32)
			off += snprintf(line + off, sizeof(line) - off, " %s:%lu",
					strerrorname_np(e) ?: "?", z->errs[e]);
	line[off] = 0;
	ksft_print_msg("fuzz seed %llu: %lu iterations in %.1f s, %lu ioctls (%lu ok), %lu netlink messages%s\n",
		       (unsigned long long)seed, iters, secs, z->calls, z->ok,
		       z->nl_msgs, z->family ? "" : " (no skv genl family)");
	ksft_print_msg("errnos:%s\n", line);
}

/* Bounded by the iterations; make fuzz runs long, under the VM's timeout. */
TEST_F_TIMEOUT(fuzz, ioctls_and_netlink, 7200)
{
	struct fz *z = &self->z;
	double start = rt_now();
	unsigned long i;
	bool clean = true;
	int k;

	/* Something to find: a few tables with keys in them. */
	for (k = 0; k < 3; k++) {
		char name[8];
		int fd;

		snprintf(name, sizeof(name), "fz%d", k);
		fd = rt_table_open(z->ctl, name, SKV_OPEN_CREATE, NULL);
		if (fd < 0)
			break;
		rt_puts(fd, "a", "1");
		rt_puts(fd, "cnt", "41");
		z->fds[k] = fd;
		fd = rt_table_open(z->ctl, name, SKV_OPEN_RDONLY, NULL);
		if (fd >= 0)
			z->fds[FZ_NR_FDS - 1 - k] = fd;
	}
	z->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (z->nl >= 0)
		z->family = fz_genl_family(z->nl, "skv");

	for (i = 0; i < self->iters; i++) {
		if (z->family && fz_chance(z, 15)) {
			fz_one_netlink(z, i);
			continue;
		}
		if (fz_chance(z, 3)) {
			if (!fz_one_mmap(_metadata, z, i))
				clean = false;
			continue;
		}
		if (!fz_one_ioctl(_metadata, z, i))
			clean = false;
		if (fz_chance(z, 1)) {	/* now and then, a fresh control fd */
			close(z->ctl);
			z->ctl = rt_ctl_open();
			ASSERT_LE(0, z->ctl);
		}
	}
	fz_report(z, self->seed, self->iters, rt_now() - start);
	fz_sanity(_metadata, z->ctl);
	EXPECT_TRUE(clean) TH_LOG("reproduce: SKV_FUZZ_SEED=%llu SKV_FUZZ_LOG=1 fuzz",
				  (unsigned long long)self->seed);
}

TEST_HARNESS_MAIN
