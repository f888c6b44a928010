// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * libskvdev: single-entry ops on a table fd.
 */
#include <string.h>

#include "internal.h"

/* A value that keeps growing between our retries is given up on. */
#define SKV_GET_ALLOC_TRIES	16
/* First try of skv_get_alloc(): values of this size need one syscall. */
#define SKV_GET_ALLOC_STACK	256

static int skv_get_common(struct skv_table *table, unsigned long req,
			  const void *key, size_t key_len, void *buf,
			  size_t *value_len, struct skv_meta *meta)
{
	struct skv_get op = { .size = sizeof(op) };
	int ret;

	ret = skv_check_get(table, key, key_len, buf, value_len);
	if (ret)
		return ret;
	/*
	 * A mapped table answers GET from the mapping, unless the bucket
	 * kept changing (-EAGAIN) or the table was deleted (-EIDRM): its
	 * fd still answers, as any deleted table's does.
	 */
	if (req == SKV_IOC_GET && table->map) {
		ret = skv_map_get(table, key, key_len, buf, value_len, meta);
		if (ret != -EAGAIN && ret != -EIDRM)
			return ret;
	}
	op.key_len = key_len;
	op.key_ptr = skv_ptr(key);
	op.value_len = *value_len > UINT32_MAX ? UINT32_MAX : *value_len;
	op.value_ptr = skv_ptr(buf);
	ret = skv_sys_ioctl(table->fd, req, &op);
	if (ret && ret != -ERANGE)
		return ret;
	*value_len = op.value_len;
	if (!ret && meta) {
		meta->version = op.version;
		meta->ttl_ms = op.ttl_ms;
		meta->user_flags = op.user_flags;
	}
	return ret;
}

int skv_get(struct skv_table *table, const void *key, size_t key_len,
	    void *buf, size_t *value_len, struct skv_meta *meta)
{
	return skv_get_common(table, SKV_IOC_GET, key, key_len, buf,
			      value_len, meta);
}

int skv_getdel(struct skv_table *table, const void *key, size_t key_len,
	       void *buf, size_t *value_len, struct skv_meta *meta)
{
	return skv_get_common(table, SKV_IOC_GETDEL, key, key_len, buf,
			      value_len, meta);
}

/*
 * Try a stack buffer first, then a heap buffer of the length the kernel
 * asked for, as often as the value keeps outgrowing it. The result is
 * NUL-terminated (one byte beyond @value_len) for the convenience of
 * callers storing strings.
 */
static int skv_get_alloc_common(struct skv_table *table, unsigned long req,
				const void *key, size_t key_len,
				void **valuep, size_t *value_len,
				struct skv_meta *meta)
{
	char stack_buf[SKV_GET_ALLOC_STACK];
	size_t len = sizeof(stack_buf);
	char *buf = NULL, *tmp;
	int ret, tries;

	if (!valuep || !value_len)
		return -EINVAL;
	ret = skv_get_common(table, req, key, key_len, stack_buf, &len, meta);
	if (!ret) {
		buf = skv_zalloc(len + 1);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, stack_buf, len);
		goto out;
	}
	for (tries = 0; ret == -ERANGE && tries < SKV_GET_ALLOC_TRIES; tries++) {
		tmp = skv_realloc(buf, len + 1);
		if (!tmp) {
			skv_free(buf);
			return -ENOMEM;
		}
		buf = tmp;
		ret = skv_get_common(table, req, key, key_len, buf, &len, meta);
	}
	if (ret) {
		skv_free(buf);
		return ret == -ERANGE ? -EAGAIN : ret;
	}
	buf[len] = '\0';
out:
	*valuep = buf;
	*value_len = len;
	return 0;
}

int skv_get_alloc(struct skv_table *table, const void *key, size_t key_len,
		  void **valuep, size_t *value_len, struct skv_meta *meta)
{
	return skv_get_alloc_common(table, SKV_IOC_GET, key, key_len, valuep,
				    value_len, meta);
}

int skv_getdel_alloc(struct skv_table *table, const void *key,
		     size_t key_len, void **valuep, size_t *value_len,
		     struct skv_meta *meta)
{
	return skv_get_alloc_common(table, SKV_IOC_GETDEL, key, key_len,
				    valuep, value_len, meta);
}

int skv_put(struct skv_table *table, const void *key, size_t key_len,
	    const void *value, size_t value_len,
	    const struct skv_put_opts *opts, uint64_t *version)
{
	struct skv_put op = { .size = sizeof(op) };
	int ret;

	if (!table)
		return -EINVAL;
	ret = skv_check_key(key, key_len);
	if (!ret)
		ret = skv_check_value(value, value_len);
	if (ret)
		return ret;
	op.key_len = key_len;
	op.key_ptr = skv_ptr(key);
	op.value_len = value_len;
	op.value_ptr = skv_ptr(value);
	if (opts) {
		op.flags = opts->flags;
		op.user_flags = opts->user_flags;
		op.cas_version = opts->cas_version;
		op.ttl_ms = opts->ttl_ms;
	}
	ret = skv_sys_ioctl(table->fd, SKV_IOC_PUT, &op);
	if (!ret && version)
		*version = op.version;
	return ret;
}

int skv_delete(struct skv_table *table, const void *key, size_t key_len,
	       uint32_t flags, uint64_t cas_version, uint64_t *version)
{
	struct skv_delete op = { .size = sizeof(op), .flags = flags };
	int ret;

	if (!table)
		return -EINVAL;
	ret = skv_check_key(key, key_len);
	if (ret)
		return ret;
	op.key_len = key_len;
	op.key_ptr = skv_ptr(key);
	op.cas_version = cas_version;
	ret = skv_sys_ioctl(table->fd, SKV_IOC_DELETE, &op);
	if (!ret && version)
		*version = op.version;
	return ret;
}

int skv_incr(struct skv_table *table, const void *key, size_t key_len,
	     int64_t delta, int64_t *value, uint64_t *version)
{
	struct skv_incr op = { .size = sizeof(op), .delta = delta };
	int ret;

	if (!table)
		return -EINVAL;
	ret = skv_check_key(key, key_len);
	if (ret)
		return ret;
	op.key_len = key_len;
	op.key_ptr = skv_ptr(key);
	ret = skv_sys_ioctl(table->fd, SKV_IOC_INCR, &op);
	if (ret)
		return ret;
	if (value)
		*value = op.value;
	if (version)
		*version = op.version;
	return 0;
}
