/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * libskvdev internals. The wrappers below keep the promise that no public
 * function changes errno: each saves it around the one libc call that may
 * set it and turns a failure into a negative errno.
 */
#ifndef _SKVDEV_INTERNAL_H
#define _SKVDEV_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "skvdev.h"

struct skv_dev {
	int fd;
};

/* A mapped table's geometry, read from its header once (map.c). */
struct skv_map_geo {
	uint64_t index_offset;
	uint64_t slots_offset;
	uint32_t mask;			/* nr_buckets - 1 */
	uint32_t nr_slots;
	uint32_t slot_size;
	uint32_t max_key_len;
	uint64_t hash_key[2];
};

/* Immutable after skv_table_open(): threads share it without locks. */
struct skv_table {
	int fd;
	bool created;
	const uint8_t *map;		/* a mapped table's region, or NULL */
	size_t map_len;
	struct skv_map_geo geo;
};

void skv_map_attach(struct skv_table *table);
void skv_map_detach(struct skv_table *table);

static inline int skv_sys_ioctl(int fd, unsigned long req, void *arg)
{
	int saved_errno = errno;
	int ret = 0;

	if (ioctl(fd, req, arg) < 0)
		ret = -errno;
	errno = saved_errno;
	return ret;
}

static inline void skv_sys_close(int fd)
{
	int saved_errno = errno;

	close(fd);
	errno = saved_errno;
}

static inline void *skv_zalloc(size_t size)
{
	int saved_errno = errno;
	void *p = calloc(1, size);

	errno = saved_errno;
	return p;
}

static inline void *skv_realloc(void *p, size_t size)
{
	int saved_errno = errno;
	void *q = realloc(p, size);

	errno = saved_errno;
	return q;
}

static inline void skv_free(void *p)
{
	int saved_errno = errno;

	free(p);
	errno = saved_errno;
}

static inline uint64_t skv_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Lengths travel as __u32: a bigger key is invalid, a bigger value too big. */
static inline int skv_check_key(const void *key, size_t key_len)
{
	if (!key || !key_len || key_len > UINT32_MAX)
		return -EINVAL;
	return 0;
}

/* The arguments of every GET: a key, a length, a buffer if it is not 0. */
static inline int skv_check_get(const struct skv_table *table,
				const void *key, size_t key_len,
				const void *buf, const size_t *value_len)
{
	if (!table || !value_len || (!buf && *value_len))
		return -EINVAL;
	return skv_check_key(key, key_len);
}

static inline int skv_check_value(const void *value, size_t value_len)
{
	if (!value && value_len)
		return -EINVAL;
	if (value_len > UINT32_MAX)
		return -E2BIG;
	return 0;
}

#endif /* _SKVDEV_INTERNAL_H */
