/* SPDX-License-Identifier: GPL-2.0 */
/* skv: the key ops on kernel memory (store.c). */
#ifndef _SKV_STORE_H
#define _SKV_STORE_H

#include "skv.h"

/* What GET returns besides the value; @value_len also on -ERANGE. */
struct skv_meta {
	u32 value_len;
	u32 user_flags;
	u64 version;
	u64 ttl_ms;
};

/* A PUT's operands other than key and value. @version: CAS in, new out. */
struct skv_put_args {
	u32 flags;		/* SKV_PUT_* */
	u32 user_flags;
	u64 ttl_ms;
	u64 version;
};

/* SCAN's operands; the records go to an iov_iter. */
struct skv_scan_args {
	u64 cursor;		/* in/out */
	const u8 *prefix;
	u32 prefix_len;
	u32 count;		/* hint; 0 = default */
	bool values;
	u32 nr_keys;		/* out */
	u64 needed;		/* out, on -ERANGE: the first group's size */
};

/* One live entry, as a dump sees it; valid under rcu_read_lock(). */
struct skv_entry_view {
	const u8 *key;
	u32 key_len;
	const u8 *value;
	u32 value_len;
	u64 version;
	u64 ttl_ms;
	u32 user_flags;
};

typedef int (*skv_walk_fn)(const struct skv_entry_view *v, void *arg);

int skv_store_get(struct skv_table *t, const void *key, u32 key_len,
		  struct iov_iter *to, struct skv_meta *meta, bool del);
int skv_store_put(struct skv_table *t, struct skv_put_args *a,
		  const void *key, u32 key_len, struct iov_iter *from);
int skv_store_delete(struct skv_table *t, const void *key, u32 key_len,
		     u32 flags, u64 *version);
int skv_store_incr(struct skv_table *t, const void *key, u32 key_len,
		   s64 delta, s64 *result, u64 *version);
int skv_store_scan(struct skv_table *t, struct skv_scan_args *a,
		   struct iov_iter *to);
int skv_store_walk(struct skv_table *t, u64 *cursor, u32 *skip,
		   skv_walk_fn fn, void *arg);
int skv_store_flush(struct skv_table *t, u64 *count);
void skv_store_stats(struct skv_table *t, struct skv_stats *st);
u64 skv_store_generation(struct skv_table *t);
int skv_store_table_init(struct skv_table *t);
void skv_store_table_destroy(struct skv_table *t);
int skv_store_init(void);
void skv_store_exit(void);

#endif /* _SKV_STORE_H */
