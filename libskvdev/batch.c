// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * libskvdev: the batch builder. Ops are appended to an array of struct
 * skv_batch_op in the kernel's own layout, so submitting is one BATCH
 * ioctl per SKV_BATCH_MAX ops and reading results is reading the array.
 * Keys, values and GET buffers are referenced, not copied: they must stay
 * valid until skv_batch_submit() returns (as liburing's SQEs do).
 */
#include <string.h>

#include "internal.h"

struct skv_op_batch {
	unsigned int max_ops;
	unsigned int count;
	struct skv_batch_op ops[];
};

int skv_batch_new(unsigned int max_ops, struct skv_op_batch **batchp)
{
	struct skv_op_batch *batch;
	size_t size;

	if (!batchp || !max_ops ||
	    __builtin_mul_overflow(max_ops, sizeof(batch->ops[0]), &size) ||
	    __builtin_add_overflow(size, sizeof(*batch), &size))
		return -EINVAL;
	batch = skv_zalloc(size);
	if (!batch)
		return -ENOMEM;
	batch->max_ops = max_ops;
	*batchp = batch;
	return 0;
}

void skv_batch_free(struct skv_op_batch *batch)
{
	skv_free(batch);
}

void skv_batch_reset(struct skv_op_batch *batch)
{
	if (!batch)
		return;
	memset(batch->ops, 0, batch->count * sizeof(batch->ops[0]));
	batch->count = 0;
}

unsigned int skv_batch_count(const struct skv_op_batch *batch)
{
	return batch ? batch->count : 0;
}

static int skv_batch_add(struct skv_op_batch *batch, uint32_t opcode,
			 const void *key, size_t key_len,
			 struct skv_batch_op **opp)
{
	struct skv_batch_op *op;
	int ret;

	if (!batch)
		return -EINVAL;
	ret = skv_check_key(key, key_len);
	if (ret)
		return ret;
	if (batch->count == batch->max_ops)
		return -ENOSPC;
	op = &batch->ops[batch->count];
	memset(op, 0, sizeof(*op));
	op->op = opcode;
	op->key_len = key_len;
	op->key_ptr = skv_ptr(key);
	*opp = op;
	return 0;
}

static int skv_batch_add_get_common(struct skv_op_batch *batch,
				    uint32_t opcode, const void *key,
				    size_t key_len, void *buf, size_t buf_len)
{
	struct skv_batch_op *op;
	int ret;

	if (!buf && buf_len)
		return -EINVAL;
	ret = skv_batch_add(batch, opcode, key, key_len, &op);
	if (ret)
		return ret;
	op->value_len = buf_len > UINT32_MAX ? UINT32_MAX : buf_len;
	op->value_ptr = skv_ptr(buf);
	batch->count++;
	return 0;
}

int skv_batch_add_get(struct skv_op_batch *batch, const void *key,
		      size_t key_len, void *buf, size_t buf_len)
{
	return skv_batch_add_get_common(batch, SKV_OP_GET, key, key_len, buf,
					buf_len);
}

int skv_batch_add_getdel(struct skv_op_batch *batch, const void *key,
			 size_t key_len, void *buf, size_t buf_len)
{
	return skv_batch_add_get_common(batch, SKV_OP_GETDEL, key, key_len,
					buf, buf_len);
}

int skv_batch_add_put(struct skv_op_batch *batch, const void *key,
		      size_t key_len, const void *value, size_t value_len,
		      const struct skv_put_opts *opts)
{
	struct skv_batch_op *op;
	int ret;

	ret = skv_check_value(value, value_len);
	if (ret)
		return ret;
	ret = skv_batch_add(batch, SKV_OP_PUT, key, key_len, &op);
	if (ret)
		return ret;
	op->value_len = value_len;
	op->value_ptr = skv_ptr(value);
	if (opts) {
		op->flags = opts->flags;
		op->user_flags = opts->user_flags;
		op->version = opts->cas_version;
		op->ttl_ms = opts->ttl_ms;
	}
	batch->count++;
	return 0;
}

int skv_batch_add_delete(struct skv_op_batch *batch, const void *key,
			 size_t key_len, uint32_t flags, uint64_t cas_version)
{
	struct skv_batch_op *op;
	int ret;

	ret = skv_batch_add(batch, SKV_OP_DELETE, key, key_len, &op);
	if (ret)
		return ret;
	op->flags = flags;
	op->version = cas_version;
	batch->count++;
	return 0;
}

int skv_batch_add_incr(struct skv_op_batch *batch, const void *key,
		       size_t key_len, int64_t delta)
{
	struct skv_batch_op *op;
	int ret;

	ret = skv_batch_add(batch, SKV_OP_INCR, key, key_len, &op);
	if (ret)
		return ret;
	op->num = delta;
	batch->count++;
	return 0;
}

/*
 * The kernel overwrites version, num and value_len with results, so a
 * batch is submitted once: skv_batch_reset() before refilling it.
 */
int skv_batch_submit(struct skv_table *table, struct skv_op_batch *batch)
{
	unsigned int done, n;
	int ret;

	if (!table || !batch || !batch->count)
		return -EINVAL;
	for (done = 0; done < batch->count; done += n) {
		struct skv_batch op = {
			.size = sizeof(op),
			.op_size = sizeof(struct skv_batch_op),
		};

		n = batch->count - done;
		if (n > SKV_BATCH_MAX)
			n = SKV_BATCH_MAX;
		op.count = n;
		op.ops_ptr = skv_ptr(&batch->ops[done]);
		ret = skv_sys_ioctl(table->fd, SKV_IOC_BATCH, &op);
		if (ret)
			return ret;
	}
	return 0;
}

int skv_batch_result(const struct skv_op_batch *batch, unsigned int index,
		     struct skv_batch_res *res)
{
	const struct skv_batch_op *op;

	if (!batch || !res || index >= batch->count)
		return -EINVAL;
	op = &batch->ops[index];
	memset(res, 0, sizeof(*res));
	res->status = op->status;
	res->version = op->version;
	switch (op->op) {
	case SKV_OP_GET:
	case SKV_OP_GETDEL:
		res->value_len = op->value_len;
		res->ttl_ms = op->ttl_ms;
		res->user_flags = op->user_flags;
		break;
	case SKV_OP_INCR:
		res->value = op->num;
		break;
	}
	return 0;
}
