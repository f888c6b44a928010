/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * skv: the shared layout of a mapped table, layout version 1.
 *
 * A table created with SKV_TABLE_MAPPED (struct skv_table_open.table_flags,
 * see skv.h) keeps its entries in one region of fixed size, allocated when
 * the table is created. Any fd of the table may map it:
 *
 *	mmap(NULL, map_size, PROT_READ, MAP_SHARED, table_fd, 0)
 *
 * map_size is struct skv_info.map_size (SKV_IOC_INFO), or the header's own
 * map_size: mapping the first page alone and reading it is fine too.
 * Errors: -ENODEV the table is not mapped; -EINVAL MAP_PRIVATE, a nonzero
 * offset or a length beyond map_size; -EPERM PROT_WRITE or PROT_EXEC. A
 * mapping can never become writable or executable: mprotect() adding
 * PROT_WRITE or PROT_EXEC is -EACCES. The mapping is not copied into core
 * dumps, cannot be grown with mremap(), and is inherited by fork().
 *
 * Only the kernel writes the region, and readers write nothing: a reader
 * looks keys up without a system call and without a lock, and detects a
 * concurrent write with a per-bucket sequence count, as the vDSO's clock
 * readers do. A mapping holds the table's memory as long as it exists,
 * even after the table was deleted and its last fd closed.
 *
 * All fields are in the host's byte order and naturally aligned. Offsets
 * are bytes from the start of the region, never pointers.
 *
 * Region
 * ------
 *	[0, header_size)			struct skv_map_header
 *	[index_offset, + nr_buckets * 64)	struct skv_map_bucket[nr_buckets]
 *	[slots_offset, + nr_slots * slot_size)	the slots, each a
 *						struct skv_map_slot header
 *						followed by key_len bytes of
 *						key and value_len of value
 *
 * Hashing
 * -------
 * h = SipHash-2-4 (64-bit output) of the key's bytes with the 128-bit key
 * (hash_key[0], hash_key[1]) as its k0 and k1, the same function as the
 * kernel's siphash(). A key lives in one of two buckets:
 *
 *	tag = h >> 32
 *	b1  = h & (nr_buckets - 1)			(low 32 bits)
 *	b2  = (h >> 32) & (nr_buckets - 1)
 *
 * and never moves between them while it exists. b1 may equal b2.
 *
 * Reader protocol
 * ---------------
 * Every load from the region is a single aligned load (in C, a relaxed
 * atomic load, so the reader has no data race); "acquire" is an acquire
 * load, "fence" an acquire fence (atomic_thread_fence(memory_order_acquire),
 * smp_rmb() in kernel terms). To look up key K:
 *
 *  1. Check the header once per mapping: magic == SKV_MAP_MAGIC,
 *     layout_version == SKV_MAP_LAYOUT_VERSION, and the geometry within
 *     the mapped length (index_offset + nr_buckets * bucket_size and
 *     slots_offset + nr_slots * slot_size <= map_size <= mapped length;
 *     nr_buckets a power of two; bucket_size == 64). Anything else: do not
 *     read the region, use the GET ioctl.
 *  2. If state (a relaxed load) is SKV_MAP_DEAD, the table was deleted:
 *     report it (libskvdev: -EIDRM). The fd still answers ioctls.
 *  3. For b in (b1, b2), skipping b2 if it equals b1, with at most
 *     SKV_MAP_READ_TRIES tries per bucket:
 *     a. s = acquire load of bucket[b].seq. If s is odd, the kernel is
 *        writing the bucket: try again.
 *     b. For each way w in 0..6 with tag[w] == tag and slot[w] != 0:
 *        i = slot[w] - 1. If i >= nr_slots, go to (d). The slot is at
 *        slots_offset + i * slot_size. Load its key_len and value_len; if
 *        key_len + value_len > slot_size - sizeof(struct skv_map_slot),
 *        go to (d). If key_len == len(K) and the key bytes equal K, copy
 *        the value_len value bytes out, and version, expires and
 *        user_flags, then go to (d) with "found".
 *     c. (no way matched) "not in b".
 *     d. fence, then load bucket[b].seq again. If it is not s, whatever
 *        was read may be torn: try this bucket again. Else the result of
 *        (b) or (c) is consistent.
 *     A bucket still changing after SKV_MAP_READ_TRIES tries: use the GET
 *     ioctl for this key (it takes the kernel's lock).
 *  4. Found but expires != 0 and expires <= clock_gettime(CLOCK_BOOTTIME)
 *     in nanoseconds: the entry has expired; treat it as absent. The
 *     remaining time to live is expires - now.
 *  5. Found in neither bucket: absent (GET would say -ENOENT).
 *
 * Step (d) is what makes a torn value impossible: the kernel makes a
 * bucket's seq odd before it changes the bucket or any slot the bucket
 * points to, and even again after; a slot is reused for another key only
 * after the seq of the bucket that pointed to it moved. The count wraps
 * at 2^32; a reader descheduled across exactly 2^31 writes of one bucket
 * could be fooled, as a seqcount reader can.
 *
 * Mapped tables and LRU
 * ---------------------
 * Readers write nothing, so the kernel cannot know what they used: a
 * mapped table supports SKV_POLICY_NONE only (a full table fails writes
 * with -ENOSPC, as does a write whose two buckets are both full).
 */
#ifndef _UAPI_LINUX_SKV_MAP_H
#define _UAPI_LINUX_SKV_MAP_H

#include <linux/const.h>
#include <linux/types.h>

#define SKV_MAP_MAGIC		0x4d564b53	/* "SKVM" in little endian */
#define SKV_MAP_LAYOUT_VERSION	1
#define SKV_MAP_WAYS		7
#define SKV_MAP_BUCKET_SIZE	64
/* Slots are multiples of this, so a small entry spans few cache lines. */
#define SKV_MAP_SLOT_ALIGN	64
/* Caps at creation: a slot holds key + value + its 32-byte header. */
#define SKV_MAP_SLOT_SIZE_CAP	4096
#define SKV_MAP_SIZE_CAP	_BITULL(30)
/* Tries per bucket a reader should make before it asks the kernel. */
#define SKV_MAP_READ_TRIES	64

/* Defaults of a mapped table's zero attributes. */
#define SKV_MAP_DEFAULT_MAX_ENTRIES	65536
#define SKV_MAP_DEFAULT_KEY_LEN		64
#define SKV_MAP_DEFAULT_VALUE_LEN	224

/* skv_map_header.state */
#define SKV_MAP_LIVE		0
#define SKV_MAP_DEAD		1

struct skv_map_header {
	__u32 magic;		/* SKV_MAP_MAGIC */
	__u32 layout_version;	/* SKV_MAP_LAYOUT_VERSION */
	__u32 header_size;	/* bytes, a multiple of the page size */
	__u32 state;		/* SKV_MAP_LIVE or SKV_MAP_DEAD */
	__u64 map_size;		/* bytes of the region */
	__u64 index_offset;	/* the buckets */
	__u64 slots_offset;	/* the slots */
	__u32 nr_buckets;	/* a power of two */
	__u32 bucket_size;	/* SKV_MAP_BUCKET_SIZE */
	__u32 nr_slots;
	__u32 slot_size;	/* a multiple of SKV_MAP_SLOT_ALIGN */
	__u32 max_key_len;
	__u32 max_value_len;
	__u64 hash_key[2];	/* SipHash-2-4 k0, k1 */
};

struct skv_map_bucket {
	__u32 seq;		/* odd while the kernel writes the bucket */
	__u32 __reserved0;
	__u32 tag[SKV_MAP_WAYS];	/* h >> 32 of the way's key */
	__u32 slot[SKV_MAP_WAYS];	/* 1 + slot number; 0 = empty way */
};

struct skv_map_slot {
	__u64 version;
	__u64 expires;		/* CLOCK_BOOTTIME ns; 0 = never */
	__u32 key_len;
	__u32 value_len;
	__u32 user_flags;
	__u32 __reserved0;
	/* key_len bytes of key, then value_len bytes of value */
};

#endif /* _UAPI_LINUX_SKV_MAP_H */
