/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * libskvdev: the C library over the skv kernel key-value store (/dev/skv).
 *
 * Every function returns 0 or a negative errno and changes no global state,
 * errno included. Handles are opaque. A struct skv_table may be shared by
 * any number of threads: the data path keeps no mutable state in it. Batch
 * builders and scan iterators belong to one thread at a time.
 *
 * See libskvdev(7) for an overview and skv_*(3) for each function.
 */
#ifndef _SKVDEV_H
#define _SKVDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <skvdev/skv.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SKV_DEV_PATH	"/dev/skv"

struct skv_dev;		/* the control fd, /dev/skv */
struct skv_table;	/* a table fd */
struct skv_op_batch;	/* a batch being built, see skv_batch_new(3) */
struct skv_scan_iter;	/* a scan in progress, see skv_scan_begin(3) */
struct skv_events;	/* a netlink event socket, see skv_events_open(3) */

/* What GET and GETDEL return besides the value. */
struct skv_meta {
	uint64_t version;
	uint64_t ttl_ms;	/* remaining time to live, 0 = no expiry */
	uint32_t user_flags;
};

/* Optional arguments of skv_put() and skv_batch_add_put(); NULL = none. */
struct skv_put_opts {
	uint32_t flags;		/* SKV_PUT_NX, _XX, _CAS, _TTL */
	uint32_t user_flags;
	uint64_t cas_version;	/* with SKV_PUT_CAS */
	uint64_t ttl_ms;	/* with SKV_PUT_TTL */
};

/* The result of one op of a submitted batch. */
struct skv_batch_res {
	int status;		/* 0 or -errno of this op */
	uint32_t user_flags;	/* GET, GETDEL */
	size_t value_len;	/* GET, GETDEL: value length (needed on -ERANGE) */
	uint64_t version;	/* every op: the entry's (new) version */
	uint64_t ttl_ms;	/* GET, GETDEL */
	int64_t value;		/* INCR: the result */
};

/* One record of a scan; the pointers are valid until the next call. */
struct skv_scan_item {
	const void *key;
	size_t key_len;
	const void *value;	/* with SKV_SCAN_VALUES, else NULL */
	size_t value_len;
	uint64_t version;
	uint64_t ttl_ms;
	uint32_t user_flags;
};

/* Device */
int skv_dev_open(const char *path, struct skv_dev **devp);
void skv_dev_close(struct skv_dev *dev);
int skv_dev_fd(const struct skv_dev *dev);
int skv_features(struct skv_dev *dev, struct skv_features *features);

static inline bool skv_features_has_op(const struct skv_features *f,
				       enum skv_op op)
{
	return f->ops & (1ULL << op);
}

/* Tables */
int skv_table_open(struct skv_dev *dev, const char *name, uint32_t flags,
		   const struct skv_table_attr *attr,
		   struct skv_table **tablep);
int skv_table_open2(struct skv_dev *dev, const char *name, uint32_t flags,
		    const struct skv_table_attr *attr, uint32_t table_flags,
		    struct skv_table **tablep);
int skv_table_from_fd(int fd, struct skv_table **tablep);
bool skv_table_mapped(const struct skv_table *table);
void skv_table_close(struct skv_table *table);
int skv_table_fd(const struct skv_table *table);
bool skv_table_created(const struct skv_table *table);
int skv_table_delete(struct skv_dev *dev, const char *name);
int skv_table_info(struct skv_table *table, struct skv_info *info);
int skv_table_stats(struct skv_table *table, struct skv_stats *stats);
int skv_table_set(struct skv_table *table, const struct skv_set *set);
int skv_table_flush(struct skv_table *table, uint64_t *count);

/* Entries */
int skv_get(struct skv_table *table, const void *key, size_t key_len,
	    void *buf, size_t *value_len, struct skv_meta *meta);
int skv_map_get(struct skv_table *table, const void *key, size_t key_len,
		void *buf, size_t *value_len, struct skv_meta *meta);
int skv_getdel(struct skv_table *table, const void *key, size_t key_len,
	       void *buf, size_t *value_len, struct skv_meta *meta);
int skv_get_alloc(struct skv_table *table, const void *key, size_t key_len,
		  void **valuep, size_t *value_len, struct skv_meta *meta);
int skv_getdel_alloc(struct skv_table *table, const void *key,
		     size_t key_len, void **valuep, size_t *value_len,
		     struct skv_meta *meta);
int skv_put(struct skv_table *table, const void *key, size_t key_len,
	    const void *value, size_t value_len,
	    const struct skv_put_opts *opts, uint64_t *version);
int skv_delete(struct skv_table *table, const void *key, size_t key_len,
	       uint32_t flags, uint64_t cas_version, uint64_t *version);
int skv_incr(struct skv_table *table, const void *key, size_t key_len,
	     int64_t delta, int64_t *value, uint64_t *version);

/* Batches */
int skv_batch_new(unsigned int max_ops, struct skv_op_batch **batchp);
void skv_batch_free(struct skv_op_batch *batch);
void skv_batch_reset(struct skv_op_batch *batch);
unsigned int skv_batch_count(const struct skv_op_batch *batch);
int skv_batch_add_get(struct skv_op_batch *batch, const void *key,
		      size_t key_len, void *buf, size_t buf_len);
int skv_batch_add_getdel(struct skv_op_batch *batch, const void *key,
			 size_t key_len, void *buf, size_t buf_len);
int skv_batch_add_put(struct skv_op_batch *batch, const void *key,
		      size_t key_len, const void *value, size_t value_len,
		      const struct skv_put_opts *opts);
int skv_batch_add_delete(struct skv_op_batch *batch, const void *key,
			 size_t key_len, uint32_t flags,
			 uint64_t cas_version);
int skv_batch_add_incr(struct skv_op_batch *batch, const void *key,
		       size_t key_len, int64_t delta);
int skv_batch_submit(struct skv_table *table, struct skv_op_batch *batch);
int skv_batch_result(const struct skv_op_batch *batch, unsigned int index,
		     struct skv_batch_res *res);

/* Scans */
int skv_scan_begin(struct skv_table *table, const void *prefix,
		   size_t prefix_len, uint32_t flags, unsigned int count,
		   struct skv_scan_iter **iterp);
int skv_scan_next(struct skv_scan_iter *iter, struct skv_scan_item *item);
void skv_scan_end(struct skv_scan_iter *iter);

/*
 * One change event of a subscribed table. key is valid until the next
 * skv_events_next() or skv_events_close() on the same handle.
 */
struct skv_event {
	uint32_t type;		/* enum skv_event_type: SKV_EVENT_TYPE_* */
	char table[SKV_NAME_MAX];
	const void *key;	/* NULL-free; key_len 0 for flushed, table-deleted */
	size_t key_len;
	uint64_t version;
	uint64_t seq;		/* per subscription, from 1 */
	uint64_t lost;		/* events of this subscription dropped so far */
	uint64_t missed;	/* gap in seq before this event, 0 = none */
};

/* One table of skv_table_list(). */
struct skv_table_list_item {
	struct skv_info info;	/* fd_flags is 0 */
	struct skv_stats stats;
};

/* Events (generic netlink, needs skv.ko's "skv" family) */
int skv_events_open(struct skv_events **evp);
void skv_events_close(struct skv_events *ev);
int skv_events_fd(const struct skv_events *ev);
int skv_events_subscribe(struct skv_events *ev, const char *table);
int skv_events_subscribe_values(struct skv_events *ev, const char *table,
				size_t value_max);
int skv_events_unsubscribe(struct skv_events *ev, const char *table);
int skv_events_next(struct skv_events *ev, struct skv_event *event);
int skv_events_value(const struct skv_events *ev, const void **value,
		     size_t *value_len, uint64_t *ttl_ms);

/* The tables of the caller's network namespace it may read */
int skv_table_list(struct skv_table_list_item **itemsp, size_t *countp);
void skv_table_list_free(struct skv_table_list_item *items);

#ifdef __cplusplus
}
#endif

#endif /* _SKVDEV_H */
