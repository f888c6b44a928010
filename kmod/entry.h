/* SPDX-License-Identifier: GPL-2.0 */
/* skv: entries, charging, the bucket walk (entry.c). */
#ifndef _SKV_ENTRY_H
#define _SKV_ENTRY_H

#include "skv.h"

/* A change of a table's usage: entries, key+value bytes, memory. */
struct skv_charge {
	s64 entries;
	s64 bytes;
	s64 cost;
};

u64 skv_now_ns(void);
u64 skv_expiry_ns(u64 ttl_ms);
u64 skv_ttl_ms(u64 expires);
u64 skv_ttl_left_ms(const struct skv_entry *e);
int skv_charge_fixed(struct skv_table *t, s64 bytes);
u32 skv_lru_clock(void);
u32 skv_lru_idle(const struct skv_entry *e, u32 now);
void skv_key_init(struct skv_table *t, struct skv_key *k, const void *buf,
		  u32 len);
struct skv_entry *skv_entry_alloc(u32 key_len, u32 value_len, bool expiry);
u8 *skv_entry_key_buf(struct skv_entry *e);
void skv_entry_set_expires(struct skv_entry *e, u64 expires);
void skv_entry_free(struct skv_entry *e);
void skv_entry_set_lens(struct skv_entry *e, u32 key_len, u32 value_len);
struct skv_entry *skv_entry_lookup(struct skv_table *t,
				   const struct skv_key *k);
void skv_entry_touch(struct skv_table *t, struct skv_entry *e);
int skv_entry_publish(struct skv_table *t, const struct skv_key *k,
		      struct skv_entry *old, struct skv_entry *new);
bool skv_entry_unlink(struct skv_table *t, struct skv_entry *e,
		      enum skv_event ev);
typedef int (*skv_visit_fn)(struct skv_table *t, struct skv_entry *e,
			    void *arg);
u64 skv_visit_group(struct skv_table *t, u64 cursor, skv_visit_fn fn,
		    void *arg, int *ret);
u64 skv_user_bytes_max(void);
u64 skv_user_bytes_limit(const struct skv_table *t);
int skv_entries_init(struct skv_table *t);
void skv_entries_destroy(struct skv_table *t);
int skv_entry_caches_init(void);
void skv_entry_caches_exit(void);

#endif /* _SKV_ENTRY_H */
