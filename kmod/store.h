/* SPDX-License-Identifier: GPL-2.0 */
/* skv: the key ops on kernel memory (store.c). */
#ifndef _SKV_STORE_H
#define _SKV_STORE_H

#include "skv.h"

struct vm_area_struct;

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
int skv_store_mmap(struct skv_table *t, struct vm_area_struct *vma);
u64 skv_store_map_size(struct skv_table *t);
int skv_store_table_init(struct skv_table *t);
void skv_store_table_dead(struct skv_table *t);
void skv_store_table_destroy(struct skv_table *t);
int skv_store_init(void);
void skv_store_exit(void);

#endif /* _SKV_STORE_H */
