/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * skv: a key-value store in the kernel, ABI version 1.
 *
 * Objects
 * -------
 * A table is a named map of binary keys to binary values, scoped to the
 * network namespace of the process that opens it. A name is 1..63 bytes of
 * [A-Za-z0-9._-], NUL-terminated in a 64-byte field (bytes after the NUL
 * must be zero). An entry has a key (1..max_key_len bytes), a value
 * (0..max_value_len bytes), a 64-bit version (strictly increasing per
 * table, set on every write, never reused), an optional expiry and 32 bits
 * of user flags. An expired entry is never returned.
 *
 * Every ioctl argument is a struct that starts with __u32 size, the number
 * of bytes of the struct the caller knows (sizeof in its header). A size
 * below the struct's first published version (SKV_*_SIZE_VER0, a number
 * that never changes) is -EINVAL. Fields the caller's size leaves out take
 * their defaults (zero). A larger size than the kernel knows is accepted if
 * the extra bytes are zero, otherwise -E2BIG (copy_struct_from_user()).
 * Unknown flags and nonzero reserved fields are -EINVAL. Output fields are
 * written back only up to size. User pointers are __u64. A bad user
 * pointer is -EFAULT.
 *
 * ABI growth: a struct grows only at its end. The kernel dispatches on the
 * ioctl's type and number (_IOC_TYPE, _IOC_NR) and ignores the size bits
 * of the command, so a program built with a grown (or an older) header
 * keeps working: the size comes from the struct's size field. An unknown
 * type or number is -ENOTTY. Batch ops (op_size) and scan records
 * (rec_size) carry their sizes the same way. Detect features from
 * SKV_IOC_FEATURES' masks, never from the version.
 *
 * Control fd: open("/dev/skv", O_RDWR)
 * ------------------------------------
 * SKV_IOC_FEATURES (struct skv_features)
 *	Returns the ABI version, the supported ops (SKV_FEAT_OP_*) and flag
 *	masks, the hard caps and the kernel's struct sizes. Detect features
 *	from these masks, never from the version.
 *
 * SKV_IOC_TABLE_OPEN (struct skv_table_open)
 *	Opens table @name and returns a new table fd in @fd (O_CLOEXEC unless
 *	SKV_OPEN_NOCLOEXEC). SKV_OPEN_CREATE creates it if absent, with @attr
 *	(zero fields take the defaults); with SKV_OPEN_EXCL as well, an
 *	existing table is -EEXIST. Without CREATE, @attr must be all zero.
 *	Access is read+write, or read only with SKV_OPEN_RDONLY; it is checked
 *	once, here, against the table's mode/uid/gid like an IPC object
 *	(CAP_DAC_OVERRIDE in the owning user namespace overrides).
 *	A new table's max_bytes may not exceed the per-user byte quota
 *	(module parameter max_bytes_per_user) unless the creator has
 *	CAP_SYS_RESOURCE; the default is lowered to the quota if needed.
 *	@table_flags (since SKV_TABLE_OPEN_SIZE_VER1; with CREATE only, and
 *	ignored when the table exists) says what a new table is:
 *	SKV_TABLE_MAPPED makes it a mapped table, whose entries any of its
 *	fds may mmap read-only and look up without a system call
 *	(skv_map.h). A mapped table has a fixed geometry, allocated at
 *	creation and charged whole to the creator's memory cgroup and byte
 *	quota: max_entries slots of 32 + max_key_len + max_value_len bytes
 *	rounded up to 64 (at most SKV_MAP_SLOT_SIZE_CAP), and 64 bytes of
 *	index per 3 slots rounded up to a power of two, in all at most
 *	SKV_MAP_SIZE_CAP. Its zero attributes default to
 *	SKV_MAP_DEFAULT_MAX_ENTRIES, SKV_MAP_DEFAULT_KEY_LEN and
 *	SKV_MAP_DEFAULT_VALUE_LEN, and its policy must be SKV_POLICY_NONE.
 *	Every op keeps its semantics on it; a write that needs a new entry
 *	fails with -ENOSPC when the table holds max_entries or when both of
 *	the key's buckets are full (rare: see skv_map.h). Writes of one
 *	mapped table are serialised.
 *	Errors: -ENOENT no such table (without CREATE), -EEXIST (CREATE|EXCL),
 *	-EINVAL bad name, flags (EXCL without CREATE, table_flags without
 *	CREATE) or attribute (above a hard cap, policy or mode unknown, a
 *	mapped table's slot or region above its cap or policy not NONE),
 *	-EACCES permission, -EDQUOT per-user table quota (module parameter
 *	max_tables_per_user) or a mapped table's region above the byte quota,
 *	-ENOMEM, -EMFILE/-ENFILE no fd.
 *
 * SKV_IOC_TABLE_DELETE (struct skv_table_delete)
 *	Removes the table name from the namespace at once; fds already open
 *	keep working until the last one is closed (like shm_unlink()). Only
 *	the owner or CAP_SYS_ADMIN may delete. Errors: -ENOENT, -EINVAL bad
 *	name or flags, -EPERM not the owner.
 *
 * Table fd (from SKV_IOC_TABLE_OPEN)
 * ----------------------------------
 * A write op (PUT, DELETE, INCR, GETDEL, FLUSH) on a read-only fd is
 * -EBADF. A key of 0 or more than max_key_len bytes is -EINVAL, a value
 * above max_value_len -E2BIG.
 *
 * SKV_IOC_GET (struct skv_get)
 *	Copies the value of @key into @value_ptr and returns @version,
 *	@ttl_ms (remaining time to live, 0 = no expiry) and @user_flags.
 *	@value_len is the buffer size on input and the value length on output.
 *	Errors: -ENOENT absent or expired; -ERANGE buffer too small, with the
 *	needed length written to @value_len (nothing else changes).
 *
 * SKV_IOC_GETDEL (struct skv_get)
 *	As GET, and deletes the entry it returned. On -ERANGE the entry stays.
 *
 * SKV_IOC_PUT (struct skv_put)
 *	Stores @key = @value and returns the new @version. Flags:
 *	  SKV_PUT_NX   only if absent, else -EEXIST
 *	  SKV_PUT_XX   only if present, else -ENOENT
 *	  SKV_PUT_CAS  only if present with version @cas_version: absent is
 *	               -ENOENT, another version -ESTALE
 *	  SKV_PUT_TTL  expire after @ttl_ms (> 0); without it the table's
 *	               default TTL applies (none if 0)
 *	NX with XX or CAS is -EINVAL. A full table is -ENOSPC with policy
 *	none; with policy lru an approximately least recently used entry is
 *	evicted. -EFBIG the table's max_bytes would be exceeded (policy none,
 *	or a single entry above max_bytes), -EDQUOT the byte quota of the
 *	user who created the table would be exceeded (each entry is charged
 *	its key, value and a fixed header, each table its hash buckets),
 *	-EBUSY the hash table refused the insert while it resizes (retried
 *	a few times first; try again), -ENOMEM. A write that fits never
 *	fails because of a concurrent write to the same key.
 *
 * SKV_IOC_DELETE (struct skv_delete)
 *	Deletes @key and returns the deleted entry's @version. SKV_DEL_CAS
 *	deletes only if its version is @cas_version (-ESTALE otherwise).
 *	-ENOENT if absent.
 *
 * SKV_IOC_INCR (struct skv_incr)
 *	Adds @delta to the integer value of @key and returns the result in
 *	@value and the new @version. The value is stored as ASCII decimal:
 *	an optional '-' and 1..19 digits, no leading '+', spaces or zeros
 *	(as Redis INCRBY). An absent key counts as 0 and is created with the
 *	table's default TTL; an existing key keeps its TTL and flags. A value
 *	that is not such an integer is -EDOM; a result outside the signed
 *	64-bit range is -EOVERFLOW; a result longer than max_value_len is
 *	-E2BIG. Decrement with a negative @delta.
 *
 * SKV_IOC_BATCH (struct skv_batch)
 *	Runs @count (1..SKV_BATCH_MAX, else -E2BIG; 0 is -EINVAL) ops from
 *	the array at @ops_ptr in order, each like the single ioctl, writing
 *	each op's result and @status (0 or -errno) back. Not atomic; a failed
 *	op does not stop the rest. Returns 0 once every op was attempted; an
 *	op whose own fields are malformed gets -EINVAL in its @status, and a
 *	write op on a read-only fd -EBADF. @op_size is the size of one op
 *	in the caller's array: SKV_BATCH_OP_SIZE_VER0..4096 and a multiple of
 *	8, else -EINVAL. Fields past a smaller op_size take their defaults;
 *	a larger op must have a zero tail past what the kernel knows, else
 *	that op's @status is -E2BIG. Each op is written back up to @op_size
 *	bytes, never more. A fatal signal stops the batch with -EINTR: the
 *	ops before it ran and have their results, the ops from it on are
 *	left as they were.
 *
 * SKV_IOC_SCAN (struct skv_scan)
 *	Returns keys from @cursor on (0 starts a scan) into @buf_ptr as
 *	struct skv_scan_rec records, each followed (at its rec_size) by the
 *	key, then the value with SKV_SCAN_VALUES, and padded to 8 bytes. @count is a hint of how
 *	many keys to return (0 = 16). Keys starting with the @prefix_len bytes
 *	at @prefix_ptr only. On return @nr_keys holds the records written,
 *	@buf_len the bytes used, and @cursor where to continue; a returned
 *	cursor of 0 ends the scan. Every key present for the whole scan is
 *	returned at least once, also while the table resizes (a key may be
 *	returned more than once). Keys come in groups (a hash bucket) that
 *	are never split across calls: -ERANGE if not even the first group
 *	fits in @buf_len, with the size it needs written to @buf_len (one
 *	record's size when the group holds one key). @prefix_len above the
 *	table's max_key_len, or a @prefix_ptr without @prefix_len, is
 *	-EINVAL.
 *
 * SKV_IOC_FLUSH (struct skv_flush)
 *	Deletes every entry. Returns the number deleted in @count. A fatal
 *	signal stops it with -EINTR: the entries deleted so far (@count)
 *	stay deleted, the rest stay, and subscribers get the flushed event.
 *
 * SKV_IOC_STATS (struct skv_stats)
 *	Entries, bytes (keys + values), hits, misses, evictions, expirations
 *	and writes, summed from per-CPU counters at the time of the call.
 *
 * SKV_IOC_INFO (struct skv_info)
 *	The table's name, attributes, owner, group and mode; since
 *	SKV_INFO_SIZE_VER1 its table_flags and, for a mapped table, the
 *	size of its region (map_size).
 *
 * SKV_IOC_SET (struct skv_set)
 *	Changes the attributes selected in @mask (SKV_SET_*): default TTL,
 *	eviction policy, mode, uid, gid. Only the owner (or CAP_SYS_ADMIN)
 *	may; changing uid needs CAP_CHOWN, gid a group the caller is in or
 *	CAP_CHOWN (as for files). -EPERM otherwise, -EINVAL bad values
 *	(unmapped uid or gid, mode above 0777, unknown policy) or a nonzero
 *	field not selected in @mask. The byte quota stays charged to the
 *	user who created the table.
 */
#ifndef _UAPI_LINUX_SKV_H
#define _UAPI_LINUX_SKV_H

#include <linux/const.h>
#include <linux/types.h>
#include <linux/ioctl.h>

#define SKV_ABI_VERSION		1
#define SKV_DEVICE_NAME		"skv"
#define SKV_NAME_MAX		64	/* bytes, with the terminating NUL */

/* Hard caps: no attribute may exceed these. */
#define SKV_MAX_ENTRIES_CAP	_BITULL(31)
#define SKV_KEY_LEN_CAP		4096
#define SKV_VALUE_LEN_CAP	(16 * _BITUL(20))
#define SKV_BATCH_MAX		1024

/* Defaults taken by zero fields of struct skv_table_attr on create. */
#define SKV_DEFAULT_MAX_ENTRIES	_BITULL(20)
#define SKV_DEFAULT_MAX_BYTES	(64 * _BITULL(20))
#define SKV_DEFAULT_KEY_LEN	512
#define SKV_DEFAULT_VALUE_LEN	_BITUL(20)
#define SKV_DEFAULT_MODE	0600

enum skv_policy {
	SKV_POLICY_NONE = 0,	/* full table: -ENOSPC */
	SKV_POLICY_LRU = 1,	/* full table: evict ~least recently used */
};

/* Ops reported in skv_features.ops, one bit each. */
enum skv_op {
	SKV_OP_GET = 0,
	SKV_OP_PUT = 1,
	SKV_OP_DELETE = 2,
	SKV_OP_INCR = 3,
	SKV_OP_GETDEL = 4,
	SKV_OP_BATCH = 5,
	SKV_OP_SCAN = 6,
	SKV_OP_FLUSH = 7,
	SKV_OP_STATS = 8,
	SKV_OP_INFO = 9,
	SKV_OP_SET = 10,
	SKV_OP_TABLE_OPEN = 11,
	SKV_OP_TABLE_DELETE = 12,
};

/* skv_table_open.flags */
#define SKV_OPEN_CREATE		_BITUL(0)
#define SKV_OPEN_EXCL		_BITUL(1)
#define SKV_OPEN_RDONLY		_BITUL(2)
#define SKV_OPEN_NOCLOEXEC	_BITUL(3)
#define SKV_OPEN_ALL		0xfU

/* skv_table_open.table_flags: what a new table is */
#define SKV_TABLE_MAPPED	_BITUL(0)	/* readable by mmap, skv_map.h */
#define SKV_TABLE_ALL		0x1U

/* skv_put.flags (and skv_batch_op.flags for SKV_OP_PUT) */
#define SKV_PUT_NX		_BITUL(0)
#define SKV_PUT_XX		_BITUL(1)
#define SKV_PUT_CAS		_BITUL(2)
#define SKV_PUT_TTL		_BITUL(3)
#define SKV_PUT_ALL		0xfU

/* skv_delete.flags (and skv_batch_op.flags for SKV_OP_DELETE) */
#define SKV_DEL_CAS		_BITUL(0)
#define SKV_DEL_ALL		0x1U

/* skv_scan.flags */
#define SKV_SCAN_VALUES		_BITUL(0)
#define SKV_SCAN_ALL		0x1U

/* skv_set.mask */
#define SKV_SET_DEFAULT_TTL	_BITUL(0)
#define SKV_SET_POLICY		_BITUL(1)
#define SKV_SET_MODE		_BITUL(2)
#define SKV_SET_UID		_BITUL(3)
#define SKV_SET_GID		_BITUL(4)
#define SKV_SET_ALL		0x1fU

struct skv_features {
	__u32 size;		/* in/out: caller's sizeof; kernel's on return */
	__u32 flags;		/* in: must be 0 */
	__u32 abi_version;	/* out: SKV_ABI_VERSION */
	__u32 batch_max;	/* out: SKV_BATCH_MAX */
	__u64 ops;		/* out: 1 << SKV_OP_* for each op served */
	__u32 open_flags;	/* out: SKV_OPEN_* understood */
	__u32 put_flags;	/* out: SKV_PUT_* understood */
	__u32 del_flags;	/* out: SKV_DEL_* understood */
	__u32 scan_flags;	/* out: SKV_SCAN_* understood */
	__u32 set_mask;		/* out: SKV_SET_* understood */
	__u32 policies;		/* out: 1 << SKV_POLICY_* supported */
	__u64 max_entries_cap;	/* out: hard caps */
	__u32 key_len_cap;
	__u32 value_len_cap;
	__u32 sizeof_table_open; /* out: the kernel's struct sizes */
	__u32 sizeof_get;
	__u32 sizeof_put;
	__u32 sizeof_delete;
	__u32 sizeof_incr;
	__u32 sizeof_batch;
	__u32 sizeof_batch_op;
	__u32 sizeof_scan;
	__u32 sizeof_stats;
	__u32 sizeof_info;
	__u32 sizeof_set;
	__u32 __reserved0;
	__u32 table_flags;	/* out: SKV_TABLE_* understood */
	__u32 map_layout_version; /* out: SKV_MAP_LAYOUT_VERSION, 0 = none */
	__u64 map_size_cap;	/* out: SKV_MAP_SIZE_CAP */
	__u32 map_slot_size_cap; /* out: SKV_MAP_SLOT_SIZE_CAP */
	__u32 __reserved1;
	__u32 event_value_max;	/* out: SKV_NL_VALUE_MAX, 0 = no values */
	__u32 __reserved2;
};

#define SKV_FEATURES_SIZE_VER0	112
#define SKV_FEATURES_SIZE_VER1	136	/* table_flags, map_* */
#define SKV_FEATURES_SIZE_VER2	144	/* event_value_max */

struct skv_table_attr {
	__u64 max_entries;	/* 0 = SKV_DEFAULT_MAX_ENTRIES */
	__u64 max_bytes;	/* keys + values; 0 = SKV_DEFAULT_MAX_BYTES */
	__u32 max_key_len;	/* 0 = SKV_DEFAULT_KEY_LEN */
	__u32 max_value_len;	/* 0 = SKV_DEFAULT_VALUE_LEN */
	__u64 default_ttl_ms;	/* 0 = no expiry */
	__u32 policy;		/* enum skv_policy */
	__u32 mode;		/* permission bits 0..0777; 0 = SKV_DEFAULT_MODE */
};

struct skv_table_open {
	__u32 size;
	__u32 flags;		/* SKV_OPEN_* */
	char name[SKV_NAME_MAX];
	struct skv_table_attr attr;	/* in, with SKV_OPEN_CREATE */
	__s32 fd;		/* out: the table fd */
	__u32 created;		/* out: 1 if this call created the table */
	__u32 table_flags;	/* in, with SKV_OPEN_CREATE: SKV_TABLE_* */
	__u32 __reserved1;	/* must be 0 */
};

#define SKV_TABLE_OPEN_SIZE_VER0	120
#define SKV_TABLE_OPEN_SIZE_VER1	128	/* table_flags */

struct skv_table_delete {
	__u32 size;
	__u32 flags;		/* must be 0 */
	char name[SKV_NAME_MAX];
};

#define SKV_TABLE_DELETE_SIZE_VER0	72

struct skv_get {
	__u32 size;
	__u32 flags;		/* must be 0 */
	__u32 key_len;
	__u32 value_len;	/* in: buffer size; out: value length */
	__u64 key_ptr;
	__u64 value_ptr;
	__u64 version;		/* out */
	__u64 ttl_ms;		/* out: remaining, 0 = none */
	__u32 user_flags;	/* out */
	__u32 __reserved0;	/* must be 0 */
};

#define SKV_GET_SIZE_VER0	56

struct skv_put {
	__u32 size;
	__u32 flags;		/* SKV_PUT_* */
	__u32 key_len;
	__u32 value_len;
	__u64 key_ptr;
	__u64 value_ptr;
	__u64 cas_version;	/* with SKV_PUT_CAS, else must be 0 */
	__u64 ttl_ms;		/* with SKV_PUT_TTL, else must be 0 */
	__u32 user_flags;
	__u32 __reserved0;	/* must be 0 */
	__u64 version;		/* out: the new version */
};

#define SKV_PUT_SIZE_VER0	64

struct skv_delete {
	__u32 size;
	__u32 flags;		/* SKV_DEL_* */
	__u32 key_len;
	__u32 __reserved0;	/* must be 0 */
	__u64 key_ptr;
	__u64 cas_version;	/* with SKV_DEL_CAS, else must be 0 */
	__u64 version;		/* out: version of the deleted entry */
};

#define SKV_DELETE_SIZE_VER0	40

struct skv_incr {
	__u32 size;
	__u32 flags;		/* must be 0 */
	__u32 key_len;
	__u32 __reserved0;	/* must be 0 */
	__u64 key_ptr;
	__s64 delta;
	__s64 value;		/* out: the result */
	__u64 version;		/* out: the new version */
};

#define SKV_INCR_SIZE_VER0	48

/*
 * One op of a batch. Fields are used as by the op's own ioctl:
 *   GET, GETDEL: key, value_ptr/value_len (in/out), out: version, ttl_ms,
 *                user_flags
 *   PUT:         key, value, flags (SKV_PUT_*), version = cas_version,
 *                ttl_ms, user_flags; out: version
 *   DELETE:      key, flags (SKV_DEL_*), version = cas_version; out: version
 *   INCR:        key, num = delta; out: num = result, version
 * Fields an op does not use must be zero.
 */
struct skv_batch_op {
	__u32 op;		/* SKV_OP_GET, _GETDEL, _PUT, _DELETE, _INCR */
	__u32 flags;
	__u32 key_len;
	__u32 value_len;
	__u64 key_ptr;
	__u64 value_ptr;
	__u64 version;
	__u64 ttl_ms;
	__s64 num;
	__u32 user_flags;
	__s32 status;		/* out: 0 or -errno */
};

#define SKV_BATCH_OP_SIZE_VER0	64

struct skv_batch {
	__u32 size;
	__u32 flags;		/* must be 0 */
	__u32 count;		/* 1..SKV_BATCH_MAX */
	__u32 op_size;		/* sizeof(struct skv_batch_op) */
	__u64 ops_ptr;		/* array of count struct skv_batch_op */
};

#define SKV_BATCH_SIZE_VER0	24

struct skv_scan_rec {
	__u32 key_len;
	__u32 value_len;	/* 0 without SKV_SCAN_VALUES */
	__u64 version;
	__u64 ttl_ms;
	__u32 user_flags;
	__u32 rec_size;		/* bytes of this header; the key follows it */
	/*
	 * At rec_size bytes from the record's start: key_len bytes of key,
	 * value_len bytes of value, padded to 8. A record grows only at the
	 * end of this header, so step over rec_size, never sizeof().
	 */
};

#define SKV_SCAN_REC_SIZE_VER0	32

struct skv_scan {
	__u32 size;
	__u32 flags;		/* SKV_SCAN_* */
	__u64 cursor;		/* in/out */
	__u64 prefix_ptr;
	__u32 prefix_len;
	__u32 count;		/* hint; 0 = 16 */
	__u64 buf_ptr;
	__u32 buf_len;		/* in: buffer size; out: bytes used/needed */
	__u32 nr_keys;		/* out */
};

#define SKV_SCAN_SIZE_VER0	48

struct skv_flush {
	__u32 size;
	__u32 flags;		/* must be 0 */
	__u64 count;		/* out */
};

#define SKV_FLUSH_SIZE_VER0	16

struct skv_stats {
	__u32 size;
	__u32 flags;		/* must be 0 */
	__u64 entries;
	__u64 bytes;
	__u64 hits;
	__u64 misses;
	__u64 writes;
	__u64 deletes;
	__u64 evictions;
	__u64 expirations;
};

#define SKV_STATS_SIZE_VER0	72

struct skv_info {
	__u32 size;
	__u32 flags;		/* must be 0 */
	char name[SKV_NAME_MAX];
	struct skv_table_attr attr;
	__u32 uid;		/* in the caller's user namespace */
	__u32 gid;
	__u32 fd_flags;		/* SKV_OPEN_RDONLY if this fd is read-only */
	__u32 __reserved0;
	__u32 table_flags;	/* out: SKV_TABLE_* it was created with */
	__u32 __reserved1;
	__u64 map_size;		/* out: SKV_TABLE_MAPPED: bytes to mmap */
};

#define SKV_INFO_SIZE_VER0	128
#define SKV_INFO_SIZE_VER1	144	/* table_flags, map_size */

struct skv_set {
	__u32 size;
	__u32 mask;		/* SKV_SET_*: which fields to change */
	__u64 default_ttl_ms;
	__u32 policy;
	__u32 mode;
	__u32 uid;
	__u32 gid;
};

#define SKV_SET_SIZE_VER0	32

#define SKV_IOC_MAGIC		0xB9

/* Control fd */
#define SKV_IOC_FEATURES	_IOWR(SKV_IOC_MAGIC, 0x00, struct skv_features)
#define SKV_IOC_TABLE_OPEN	_IOWR(SKV_IOC_MAGIC, 0x01, struct skv_table_open)
#define SKV_IOC_TABLE_DELETE	_IOW(SKV_IOC_MAGIC, 0x02, struct skv_table_delete)

/* Table fd */
#define SKV_IOC_GET		_IOWR(SKV_IOC_MAGIC, 0x10, struct skv_get)
#define SKV_IOC_PUT		_IOWR(SKV_IOC_MAGIC, 0x11, struct skv_put)
#define SKV_IOC_DELETE		_IOWR(SKV_IOC_MAGIC, 0x12, struct skv_delete)
#define SKV_IOC_INCR		_IOWR(SKV_IOC_MAGIC, 0x13, struct skv_incr)
#define SKV_IOC_GETDEL		_IOWR(SKV_IOC_MAGIC, 0x14, struct skv_get)
#define SKV_IOC_BATCH		_IOWR(SKV_IOC_MAGIC, 0x15, struct skv_batch)
#define SKV_IOC_SCAN		_IOWR(SKV_IOC_MAGIC, 0x16, struct skv_scan)
#define SKV_IOC_FLUSH		_IOWR(SKV_IOC_MAGIC, 0x17, struct skv_flush)
#define SKV_IOC_STATS		_IOWR(SKV_IOC_MAGIC, 0x18, struct skv_stats)
#define SKV_IOC_INFO		_IOWR(SKV_IOC_MAGIC, 0x19, struct skv_info)
#define SKV_IOC_SET		_IOW(SKV_IOC_MAGIC, 0x1a, struct skv_set)

/* The generic netlink family, generated from its YAML spec. */
#include "skv_map.h"
#include "skv_netlink.h"

#endif /* _UAPI_LINUX_SKV_H */
