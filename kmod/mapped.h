/* SPDX-License-Identifier: GPL-2.0 */
/* skv: the mapped engine, tables readers mmap (mapped.c). */
#ifndef _SKV_MAPPED_H
#define _SKV_MAPPED_H

#include "skv.h"

struct vm_area_struct;

/*
 * INCR's arithmetic, which store.c defines: given the old value (NULL: no
 * entry), point *@num at the new one and return its length, or an errno.
 */
typedef int (*skv_incr_fn)(const u8 *old, u32 old_len, const u8 **num,
			   void *arg);

int skv_map_get(struct skv_table *t, const void *key, u32 key_len,
		struct iov_iter *to, struct skv_meta *meta, bool del);
int skv_map_put(struct skv_table *t, struct skv_put_args *a,
		const void *key, u32 key_len, struct iov_iter *from,
		u64 expires);
int skv_map_delete(struct skv_table *t, const void *key, u32 key_len,
		   u32 flags, u64 *version);
int skv_map_incr(struct skv_table *t, const void *key, u32 key_len,
		 skv_incr_fn fn, void *arg, u64 default_expires, u64 *version);
u64 skv_map_visit(struct skv_table *t, u64 v, skv_walk_fn fn, void *arg,
		  int *ret);
u64 skv_map_flush_bucket(struct skv_table *t, u64 v, u64 *count);
int skv_map_mmap(struct skv_table *t, struct vm_area_struct *vma);
u64 skv_map_size(struct skv_table *t);
void skv_map_kill(struct skv_table *t);
int skv_map_init(struct skv_table *t);
void skv_map_destroy(struct skv_table *t);

#endif /* _SKV_MAPPED_H */
