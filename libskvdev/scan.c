// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * libskvdev: the scan iterator. Each SCAN ioctl fills a buffer with
 * records; skv_scan_next() hands them out one by one and asks for the next
 * buffer when this one is used up, growing it when a record does not fit.
 */
#include <string.h>

#include "internal.h"

#define SKV_SCAN_BUF_INIT	(64 * 1024)

struct skv_scan_iter {
	int fd;
	uint32_t flags;
	uint32_t count;
	uint64_t cursor;
	bool done;		/* the kernel returned cursor 0 */
	void *prefix;
	uint32_t prefix_len;
	char *buf;
	uint32_t buf_size;
	uint32_t used;		/* bytes of records in buf */
	uint32_t pos;		/* next record */
};

int skv_scan_begin(struct skv_table *table, const void *prefix,
		   size_t prefix_len, uint32_t flags, unsigned int count,
		   struct skv_scan_iter **iterp)
{
	struct skv_scan_iter *it;

	if (!table || !iterp || (!prefix && prefix_len) ||
	    prefix_len > UINT32_MAX)
		return -EINVAL;
	it = skv_zalloc(sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->fd = table->fd;
	it->flags = flags;
	it->count = count;
	it->buf_size = SKV_SCAN_BUF_INIT;
	it->buf = skv_zalloc(it->buf_size);
	if (!it->buf)
		goto err;
	if (prefix_len) {
		it->prefix = skv_zalloc(prefix_len);
		if (!it->prefix)
			goto err;
		memcpy(it->prefix, prefix, prefix_len);
		it->prefix_len = prefix_len;
	}
	*iterp = it;
	return 0;
err:
	skv_scan_end(it);
	return -ENOMEM;
}

void skv_scan_end(struct skv_scan_iter *iter)
{
	if (!iter)
		return;
	skv_free(iter->prefix);
	skv_free(iter->buf);
	skv_free(iter);
}

/* One SCAN ioctl; on -ERANGE grow the buffer to what the kernel needs. */
static int skv_scan_fill(struct skv_scan_iter *it)
{
	struct skv_scan op;
	char *buf;
	int ret;

	for (;;) {
		memset(&op, 0, sizeof(op));
		op.size = sizeof(op);
		op.flags = it->flags;
		op.cursor = it->cursor;
		op.prefix_ptr = skv_ptr(it->prefix);
		op.prefix_len = it->prefix_len;
		op.count = it->count;
		op.buf_ptr = skv_ptr(it->buf);
		op.buf_len = it->buf_size;
		ret = skv_sys_ioctl(it->fd, SKV_IOC_SCAN, &op);
		if (ret != -ERANGE)
			break;
		if (op.buf_len <= it->buf_size)
			return -EPROTO;
		buf = skv_realloc(it->buf, op.buf_len);
		if (!buf)
			return -ENOMEM;
		it->buf = buf;
		it->buf_size = op.buf_len;
	}
	if (ret)
		return ret;
	if (op.buf_len > it->buf_size)
		return -EPROTO;
	it->cursor = op.cursor;
	it->done = !op.cursor;
	it->used = op.buf_len;
	it->pos = 0;
	return 0;
}

int skv_scan_next(struct skv_scan_iter *iter, struct skv_scan_item *item)
{
	const struct skv_scan_rec *rec;
	uint64_t len;
	uint32_t hdr;
	int ret;

	if (!iter || !item)
		return -EINVAL;
	/* A step may return no record and a cursor to go on from. */
	while (iter->pos >= iter->used) {
		if (iter->done)
			return -ENOENT;
		ret = skv_scan_fill(iter);
		if (ret)
			return ret;
	}
	if (iter->used - iter->pos < SKV_SCAN_REC_SIZE_VER0)
		return -EPROTO;
	rec = (const void *)(iter->buf + iter->pos);
	/* A newer kernel's record header may be longer than ours. */
	hdr = rec->rec_size;
	if (hdr < SKV_SCAN_REC_SIZE_VER0)
		return -EPROTO;
	len = hdr + (uint64_t)rec->key_len + rec->value_len;
	if (len > iter->used - iter->pos)
		return -EPROTO;
	item->key = (const char *)rec + hdr;
	item->key_len = rec->key_len;
	item->value = (iter->flags & SKV_SCAN_VALUES) ?
		      (const char *)rec + hdr + rec->key_len : NULL;
	item->value_len = rec->value_len;
	item->version = rec->version;
	item->ttl_ms = rec->ttl_ms;
	item->user_flags = rec->user_flags;
	len = (len + 7) & ~7ULL;
	iter->pos = len > iter->used - iter->pos ? iter->used : iter->pos + len;
	return 0;
}
