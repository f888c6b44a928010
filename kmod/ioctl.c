// SPDX-License-Identifier: GPL-2.0
/*
 * skv: the ioctl face. The /dev/skv misc device, its control-fd ioctls and
 * the table fds. This is the only file that touches user memory: it reads
 * the caller's structs and keys, turns value buffers into iov_iters, calls
 * the table layer and the store on kernel memory, and writes results back.
 *
 * ABI growth (uapi/linux/skv.h): ioctls are dispatched on _IOC_NR, and a
 * struct's size is the one in its own size field, so a struct that grows
 * keeps its ioctl number; copy_struct_from_user() zero-fills what an older
 * caller does not know and refuses a nonzero tail this kernel does not.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/sched/signal.h>
#include <linux/skv_netlink.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "ioctl.h"
#include "table.h"
#include "store.h"

/* A batch op may be up to this big (with a zero tail past what we know). */
#define SKV_BATCH_OP_SIZE_MAX	4096
#define SKV_BATCH_OP_ALIGN	8

/*
 * Read the caller's struct, which starts with its __u32 size, into @dst of
 * @ksize bytes. Sizes below @min_size are -EINVAL; a larger struct is fine
 * when its tail is zero (-E2BIG otherwise). On success *@usize holds the
 * caller's size, which bounds what skv_copy_arg_out() writes back.
 */
static int skv_copy_arg(void *dst, size_t ksize, size_t min_size,
			const void __user *src, u32 *usize)
{
	if (get_user(*usize, (const u32 __user *)src))
		return -EFAULT;
	if (*usize < min_size)
		return -EINVAL;
	return copy_struct_from_user(dst, ksize, src, *usize);
}

/* Write @src back to the caller, no more than the @usize bytes it knows. */
static int skv_copy_arg_out(void __user *dst, const void *src, size_t ksize,
			    u32 usize)
{
	if (copy_to_user(dst, src, min_t(size_t, usize, ksize)))
		return -EFAULT;
	return 0;
}

/* A key (or prefix) copied in: on the stack when small, else kmalloc'ed. */
struct skv_ubuf {
	u8 *buf;
	u8 inline_buf[SKV_KEY_INLINE];
};

static int skv_ubuf_copy(struct skv_ubuf *ub, const void __user *uptr,
			 u32 len)
{
	ub->buf = ub->inline_buf;
	if (len > SKV_KEY_INLINE) {
		ub->buf = kmalloc(len, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!ub->buf)
			return -ENOMEM;
	}
	if (copy_from_user(ub->buf, uptr, len)) {
		if (ub->buf != ub->inline_buf)
			kfree(ub->buf);
		return -EFAULT;
	}
	return 0;
}

static void skv_ubuf_release(struct skv_ubuf *ub)
{
	if (ub->buf != ub->inline_buf)
		kfree(ub->buf);
}

/* A key for @t: 1..max_key_len bytes (-EINVAL before anything is copied). */
static int skv_key_copy(struct skv_table *t, struct skv_ubuf *ub,
			const void __user *uptr, u32 len)
{
	if (!len || len > t->max_key_len)
		return -EINVAL;
	return skv_ubuf_copy(ub, uptr, len);
}

/*
 * Operands of one key op, from its own ioctl struct or from a batch op.
 * @version is the CAS version in and the new (or deleted) version out,
 * @num INCR's delta in and result out.
 */
struct skv_args {
	u32 flags;
	u32 key_len;
	u32 value_len;
	u32 user_flags;
	const void __user *key;
	void __user *value;
	u64 version;
	u64 ttl_ms;
	s64 num;
};

static noinline_for_stack int skv_do_get(struct skv_table *t,
					 struct skv_args *op, bool del)
{
	struct skv_meta meta = {};
	struct skv_ubuf ub;
	struct iov_iter to;
	int ret;

	ret = skv_key_copy(t, &ub, op->key, op->key_len);
	if (ret)
		return ret;
	iov_iter_ubuf(&to, ITER_DEST, op->value, op->value_len);
	ret = skv_store_get(t, ub.buf, op->key_len, &to, &meta, del);
	skv_ubuf_release(&ub);
	if (ret && ret != -ERANGE)
		return ret;

	op->value_len = meta.value_len;
	if (!ret) {
		op->version = meta.version;
		op->ttl_ms = meta.ttl_ms;
		op->user_flags = meta.user_flags;
	}
	return ret;
}

static noinline_for_stack int skv_do_put(struct skv_table *t,
					 struct skv_args *op)
{
	struct skv_put_args a = {
		.flags = op->flags,
		.user_flags = op->user_flags,
		.ttl_ms = op->ttl_ms,
		.version = op->version,
	};
	struct skv_ubuf ub;
	struct iov_iter from;
	int ret;

	ret = skv_key_copy(t, &ub, op->key, op->key_len);
	if (ret)
		return ret;
	iov_iter_ubuf(&from, ITER_SOURCE, op->value, op->value_len);
	ret = skv_store_put(t, &a, ub.buf, op->key_len, &from);
	skv_ubuf_release(&ub);
	if (!ret)
		op->version = a.version;
	return ret;
}

static noinline_for_stack int skv_do_delete(struct skv_table *t,
					    struct skv_args *op)
{
	struct skv_ubuf ub;
	int ret;

	if (op->flags & ~SKV_DEL_ALL)
		return -EINVAL;
	ret = skv_key_copy(t, &ub, op->key, op->key_len);
	if (ret)
		return ret;
	ret = skv_store_delete(t, ub.buf, op->key_len, op->flags,
			       &op->version);
	skv_ubuf_release(&ub);
	return ret;
}

static noinline_for_stack int skv_do_incr(struct skv_table *t,
					  struct skv_args *op)
{
	struct skv_ubuf ub;
	int ret;

	if (op->flags)
		return -EINVAL;
	ret = skv_key_copy(t, &ub, op->key, op->key_len);
	if (ret)
		return ret;
	ret = skv_store_incr(t, ub.buf, op->key_len, op->num, &op->num,
			     &op->version);
	skv_ubuf_release(&ub);
	return ret;
}

static long skv_ioctl_get(struct skv_table *t, void __user *argp, bool del)
{
	struct skv_args op = {};
	struct skv_get g;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&g, sizeof(g), SKV_GET_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (g.flags || g.__reserved0)
		return -EINVAL;
	/* A deleted entry must not be lost to an unwritable argument. */
	if (del && skv_copy_arg_out(argp, &g, sizeof(g), usize))
		return -EFAULT;

	op.key_len = g.key_len;
	op.value_len = g.value_len;
	op.key = u64_to_user_ptr(g.key_ptr);
	op.value = u64_to_user_ptr(g.value_ptr);
	ret = skv_do_get(t, &op, del);
	if (ret && ret != -ERANGE)
		return ret;

	g.value_len = op.value_len;
	if (!ret) {
		g.version = op.version;
		g.ttl_ms = op.ttl_ms;
		g.user_flags = op.user_flags;
	}
	if (skv_copy_arg_out(argp, &g, sizeof(g), usize))
		return -EFAULT;
	return ret;
}

static long skv_ioctl_put(struct skv_table *t, void __user *argp)
{
	struct skv_args op = {};
	struct skv_put p;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&p, sizeof(p), SKV_PUT_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (p.__reserved0)
		return -EINVAL;
	/*
	 * No probe of the write-back before the op, unlike GETDEL, where
	 * the probe keeps a deleted value from being lost: a PUT into an
	 * unwritable struct is done, and only its new version is lost to
	 * the -EFAULT.
	 */

	op.flags = p.flags;
	op.key_len = p.key_len;
	op.value_len = p.value_len;
	op.user_flags = p.user_flags;
	op.key = u64_to_user_ptr(p.key_ptr);
	op.value = u64_to_user_ptr(p.value_ptr);
	op.version = p.cas_version;
	op.ttl_ms = p.ttl_ms;
	ret = skv_do_put(t, &op);
	if (ret)
		return ret;

	p.version = op.version;
	return skv_copy_arg_out(argp, &p, sizeof(p), usize);
}

static long skv_ioctl_delete(struct skv_table *t, void __user *argp)
{
	struct skv_args op = {};
	struct skv_delete d;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&d, sizeof(d), SKV_DELETE_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (d.__reserved0)
		return -EINVAL;
	if (skv_copy_arg_out(argp, &d, sizeof(d), usize))
		return -EFAULT;

	op.flags = d.flags;
	op.key_len = d.key_len;
	op.key = u64_to_user_ptr(d.key_ptr);
	op.version = d.cas_version;
	ret = skv_do_delete(t, &op);
	if (ret)
		return ret;

	d.version = op.version;
	return skv_copy_arg_out(argp, &d, sizeof(d), usize);
}

static long skv_ioctl_incr(struct skv_table *t, void __user *argp)
{
	struct skv_args op = {};
	struct skv_incr in;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&in, sizeof(in), SKV_INCR_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (in.flags || in.__reserved0)
		return -EINVAL;
	if (skv_copy_arg_out(argp, &in, sizeof(in), usize))
		return -EFAULT;

	op.key_len = in.key_len;
	op.key = u64_to_user_ptr(in.key_ptr);
	op.num = in.delta;
	ret = skv_do_incr(t, &op);
	if (ret)
		return ret;

	in.value = op.num;
	in.version = op.version;
	return skv_copy_arg_out(argp, &in, sizeof(in), usize);
}

static bool skv_op_writes(u32 op)
{
	return op == SKV_OP_GETDEL || op == SKV_OP_PUT ||
	       op == SKV_OP_DELETE || op == SKV_OP_INCR;
}

/* One op of a batch; returns its status. */
static int skv_batch_one(struct skv_table *t, struct skv_batch_op *b,
			 bool writable)
{
	struct skv_args op = {
		.flags		= b->flags,
		.key_len	= b->key_len,
		.value_len	= b->value_len,
		.user_flags	= b->user_flags,
		.key		= u64_to_user_ptr(b->key_ptr),
		.value		= u64_to_user_ptr(b->value_ptr),
		.version	= b->version,
		.ttl_ms		= b->ttl_ms,
		.num		= b->num,
	};
	int ret;

	if (skv_op_writes(b->op) && !writable)
		return -EBADF;

	switch (b->op) {
	case SKV_OP_GET:
	case SKV_OP_GETDEL:
		if (b->flags || b->num)
			return -EINVAL;
		ret = skv_do_get(t, &op, b->op == SKV_OP_GETDEL);
		if (ret && ret != -ERANGE)
			return ret;
		b->value_len = op.value_len;
		if (!ret) {
			b->version = op.version;
			b->ttl_ms = op.ttl_ms;
			b->user_flags = op.user_flags;
		}
		return ret;
	case SKV_OP_PUT:
		if (b->num)
			return -EINVAL;
		ret = skv_do_put(t, &op);
		break;
	case SKV_OP_DELETE:
		if (b->value_ptr || b->value_len || b->ttl_ms || b->num ||
		    b->user_flags)
			return -EINVAL;
		ret = skv_do_delete(t, &op);
		break;
	case SKV_OP_INCR:
		if (b->flags || b->value_ptr || b->value_len || b->ttl_ms ||
		    b->user_flags)
			return -EINVAL;
		ret = skv_do_incr(t, &op);
		if (!ret)
			b->num = op.num;
		break;
	default:
		return -EINVAL;
	}
	if (!ret)
		b->version = op.version;
	return ret;
}

/*
 * One op bigger than a chunk, copied with copy_struct_from_user(); an op
 * whose tail we do not know gets -E2BIG in its status.
 */
static int skv_batch_big_op(struct skv_table *t, u8 __user *uop, u32 op_size,
			    bool writable)
{
	struct skv_batch_op bop;
	int ret;

	if (fatal_signal_pending(current))
		return -EINTR;
	ret = copy_struct_from_user(&bop, sizeof(bop), uop, op_size);
	if (ret == -EFAULT)
		return ret;
	if (ret)
		return put_user(ret, &((struct skv_batch_op __user *)uop)->status);
	if (bop.op == SKV_OP_GETDEL &&
	    skv_copy_arg_out(uop, &bop, sizeof(bop), op_size))
		return -EFAULT;
	bop.status = skv_batch_one(t, &bop, writable);
	return skv_copy_arg_out(uop, &bop, sizeof(bop), op_size);
}

/*
 * Ops are copied in, and written back, a chunk at a time: one user copy
 * each way for up to this many bytes of ops, not two per op.
 */
#define SKV_BATCH_CHUNK_BYTES	512

/*
 * Read op @kop of @op_size bytes, a copy of the caller's, into @bop as
 * copy_struct_from_user() would: missing fields zero, and -E2BIG for a
 * nonzero tail past what this kernel knows.
 */
static int skv_batch_op_read(struct skv_batch_op *bop, const u8 *kop,
			     u32 op_size)
{
	memcpy(bop, kop, sizeof(*bop));
	if (op_size > sizeof(*bop) &&
	    memchr_inv(kop + sizeof(*bop), 0, op_size - sizeof(*bop)))
		return -E2BIG;
	return 0;
}

static bool skv_batch_has_getdel(const u8 *chunk, u32 n, u32 op_size)
{
	const struct skv_batch_op *bop;
	u32 j;

	for (j = 0; j < n; j++) {
		bop = (const struct skv_batch_op *)(chunk + (size_t)j * op_size);
		if (bop->op == SKV_OP_GETDEL)
			return true;
	}
	return false;
}

/*
 * Run the @n ops of @chunk, copied from @uchunk, and write back those
 * that ran. An op whose tail we do not know gets -E2BIG in its status.
 */
static int skv_batch_chunk(struct skv_table *t, u8 __user *uchunk, u8 *chunk,
			   u32 n, u32 op_size, bool writable)
{
	struct skv_batch_op bop;
	size_t len = (size_t)n * op_size;
	int ret = 0;
	u32 j;

	if (copy_from_user(chunk, uchunk, len))
		return -EFAULT;
	/* As the GETDEL ioctl: no entry is deleted into an unwritable op. */
	if (skv_batch_has_getdel(chunk, n, op_size) &&
	    copy_to_user(uchunk, chunk, len))
		return -EFAULT;
	for (j = 0; j < n; j++) {
		u8 *kop = chunk + (size_t)j * op_size;

		/* The ops not run yet are left as they were. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = skv_batch_op_read(&bop, kop, op_size);
		bop.status = ret ?: skv_batch_one(t, &bop, writable);
		ret = 0;
		memcpy(kop, &bop, sizeof(bop));
	}
	if (copy_to_user(uchunk, chunk, (size_t)j * op_size))
		return -EFAULT;
	return ret;
}

static long skv_ioctl_batch(struct skv_table *t, void __user *argp,
			    bool writable)
{
	u8 chunk[SKV_BATCH_CHUNK_BYTES] __aligned(8);
	struct skv_batch b;
	u8 __user *uops;
	u32 usize, i, n, per_chunk;
	int ret;

	ret = skv_copy_arg(&b, sizeof(b), SKV_BATCH_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (b.flags || !b.count || b.op_size < SKV_BATCH_OP_SIZE_VER0 ||
	    b.op_size > SKV_BATCH_OP_SIZE_MAX ||
	    !IS_ALIGNED(b.op_size, SKV_BATCH_OP_ALIGN))
		return -EINVAL;
	if (b.count > SKV_BATCH_MAX)
		return -E2BIG;

	uops = u64_to_user_ptr(b.ops_ptr);
	per_chunk = sizeof(chunk) / b.op_size;
	for (i = 0; i < b.count; i += n) {
		n = min(b.count - i, max(per_chunk, 1U));
		if (per_chunk)
			ret = skv_batch_chunk(t, uops + (size_t)i * b.op_size,
					      chunk, n, b.op_size, writable);
		else
			ret = skv_batch_big_op(t, uops + (size_t)i * b.op_size,
					       b.op_size, writable);
		if (ret)
			return ret;
		cond_resched();
	}
	return 0;
}

static long skv_ioctl_scan(struct skv_table *t, void __user *argp)
{
	struct skv_scan_args a = {};
	struct skv_ubuf prefix;
	struct iov_iter to;
	struct skv_scan s;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&s, sizeof(s), SKV_SCAN_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (s.flags & ~SKV_SCAN_ALL)
		return -EINVAL;
	if (s.prefix_len > t->max_key_len || (!s.prefix_len && s.prefix_ptr))
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(s.buf_ptr), s.buf_len))
		return -EFAULT;
	ret = skv_ubuf_copy(&prefix, u64_to_user_ptr(s.prefix_ptr),
			    s.prefix_len);
	if (ret)
		return ret;

	a.cursor = s.cursor;
	a.prefix = prefix.buf;
	a.prefix_len = s.prefix_len;
	a.count = s.count;
	a.values = s.flags & SKV_SCAN_VALUES;
	iov_iter_ubuf(&to, ITER_DEST, u64_to_user_ptr(s.buf_ptr), s.buf_len);
	ret = skv_store_scan(t, &a, &to);
	skv_ubuf_release(&prefix);
	if (ret == -ERANGE) {
		s.buf_len = min_t(u64, a.needed, U32_MAX);
		if (skv_copy_arg_out(argp, &s, sizeof(s), usize))
			return -EFAULT;
		return ret;
	}
	if (ret)
		return ret;

	s.cursor = a.cursor;
	s.nr_keys = a.nr_keys;
	s.buf_len -= iov_iter_count(&to);
	return skv_copy_arg_out(argp, &s, sizeof(s), usize);
}

static long skv_ioctl_flush(struct skv_table *t, void __user *argp)
{
	struct skv_flush fl;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&fl, sizeof(fl), SKV_FLUSH_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (fl.flags)
		return -EINVAL;
	if (skv_copy_arg_out(argp, &fl, sizeof(fl), usize))
		return -EFAULT;

	ret = skv_store_flush(t, &fl.count);
	if (skv_copy_arg_out(argp, &fl, sizeof(fl), usize))
		return -EFAULT;
	return ret;
}

static long skv_ioctl_stats(struct skv_table *t, void __user *argp)
{
	struct skv_stats st;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&st, sizeof(st), SKV_STATS_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (st.flags)
		return -EINVAL;
	skv_store_stats(t, &st);
	return skv_copy_arg_out(argp, &st, sizeof(st), usize);
}

static long skv_ioctl_info(struct skv_table *t, struct file *file,
			   void __user *argp)
{
	struct skv_info info;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&info, sizeof(info), SKV_INFO_SIZE_VER0, argp,
			   &usize);
	if (ret)
		return ret;
	if (info.flags || info.__reserved0)
		return -EINVAL;
	skv_table_info(t, &info);
	if (!(file->f_mode & FMODE_WRITE))
		info.fd_flags = SKV_OPEN_RDONLY;
	return skv_copy_arg_out(argp, &info, sizeof(info), usize);
}

static long skv_ioctl_set(struct skv_table *t, void __user *argp)
{
	struct skv_set set;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&set, sizeof(set), SKV_SET_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	return skv_table_set(t, &set);
}

static long skv_table_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct skv_table *t = file->private_data;
	bool writable = file->f_mode & FMODE_WRITE;
	void __user *argp = (void __user *)arg;

	if (_IOC_TYPE(cmd) != SKV_IOC_MAGIC)
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(SKV_IOC_GET):
		return skv_ioctl_get(t, argp, false);
	case _IOC_NR(SKV_IOC_SCAN):
		return skv_ioctl_scan(t, argp);
	case _IOC_NR(SKV_IOC_STATS):
		return skv_ioctl_stats(t, argp);
	case _IOC_NR(SKV_IOC_INFO):
		return skv_ioctl_info(t, file, argp);
	case _IOC_NR(SKV_IOC_SET):
		return skv_ioctl_set(t, argp);
	case _IOC_NR(SKV_IOC_BATCH):
		return skv_ioctl_batch(t, argp, writable);
	case _IOC_NR(SKV_IOC_GETDEL):
	case _IOC_NR(SKV_IOC_PUT):
	case _IOC_NR(SKV_IOC_DELETE):
	case _IOC_NR(SKV_IOC_INCR):
	case _IOC_NR(SKV_IOC_FLUSH):
		break;
	default:
		return -ENOTTY;
	}

	if (!writable)
		return -EBADF;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(SKV_IOC_GETDEL):
		return skv_ioctl_get(t, argp, true);
	case _IOC_NR(SKV_IOC_PUT):
		return skv_ioctl_put(t, argp);
	case _IOC_NR(SKV_IOC_DELETE):
		return skv_ioctl_delete(t, argp);
	case _IOC_NR(SKV_IOC_INCR):
		return skv_ioctl_incr(t, argp);
	default:
		return skv_ioctl_flush(t, argp);
	}
}

#ifndef SKV_HAVE_VM_FLAGS_MOD	/* before 6.3; see Kbuild */
static void vm_flags_mod(struct vm_area_struct *vma, vm_flags_t set,
			 vm_flags_t clear)
{
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
}
#endif

/*
 * A mapped table's region, read-only and shared only (skv_map.h): it can
 * never become writable or executable, since VM_MAYWRITE and VM_MAYEXEC
 * go. A read-only fd's shared mapping has VM_MAYSHARE but not VM_SHARED.
 */
static int skv_table_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct skv_table *t = file->private_data;

	if (!skv_table_mapped(t))
		return -ENODEV;
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP,
		     VM_MAYWRITE | VM_MAYEXEC);
	return skv_store_mmap(t, vma);
}

static int skv_table_release(struct inode *inode, struct file *file)
{
	skv_table_put(file->private_data);
	return 0;
}

static const struct file_operations skv_table_fops = {
	.owner		= THIS_MODULE,
	.release	= skv_table_release,
	.unlocked_ioctl	= skv_table_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= skv_table_mmap,
	.llseek		= noop_llseek,
};

static long skv_ioctl_features(void __user *argp)
{
	struct skv_features f;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&f, sizeof(f), SKV_FEATURES_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (f.flags || f.__reserved0)
		return -EINVAL;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	f.abi_version = SKV_ABI_VERSION;
	f.batch_max = SKV_BATCH_MAX;
	f.max_entries_cap = SKV_MAX_ENTRIES_CAP;
	f.key_len_cap = SKV_KEY_LEN_CAP;
	f.value_len_cap = SKV_VALUE_LEN_CAP;
	f.sizeof_table_open = sizeof(struct skv_table_open);
	f.sizeof_get = sizeof(struct skv_get);
	f.sizeof_put = sizeof(struct skv_put);
	f.sizeof_delete = sizeof(struct skv_delete);
	f.sizeof_incr = sizeof(struct skv_incr);
	f.sizeof_batch = sizeof(struct skv_batch);
	f.sizeof_batch_op = sizeof(struct skv_batch_op);
	f.sizeof_scan = sizeof(struct skv_scan);
	f.sizeof_stats = sizeof(struct skv_stats);
	f.sizeof_info = sizeof(struct skv_info);
	f.sizeof_set = sizeof(struct skv_set);
	f.ops = SKV_FEATURE_OPS;
	f.open_flags = SKV_OPEN_ALL;
	f.put_flags = SKV_PUT_ALL;
	f.del_flags = SKV_DEL_ALL;
	f.scan_flags = SKV_SCAN_ALL;
	f.set_mask = SKV_SET_ALL;
	f.policies = BIT(SKV_POLICY_NONE) | BIT(SKV_POLICY_LRU);
	f.table_flags = SKV_TABLE_ALL;
	f.map_layout_version = SKV_MAP_LAYOUT_VERSION;
	f.map_size_cap = SKV_MAP_SIZE_CAP;
	f.map_slot_size_cap = SKV_MAP_SLOT_SIZE_CAP;
	f.event_value_max = SKV_NL_VALUE_MAX;

	return skv_copy_arg_out(argp, &f, sizeof(f), usize);
}

static long skv_ioctl_table_open(void __user *argp)
{
	struct net *net = current->nsproxy->net_ns;
	struct skv_table_open req;
	struct skv_table *t;
	struct file *file;
	bool created;
	u32 usize;
	int fd, ret;

	ret = skv_copy_arg(&req, sizeof(req), SKV_TABLE_OPEN_SIZE_VER0, argp,
			   &usize);
	if (ret)
		return ret;
	if (req.flags & ~SKV_OPEN_ALL || req.__reserved1)
		return -EINVAL;
	if ((req.flags & SKV_OPEN_EXCL) && !(req.flags & SKV_OPEN_CREATE))
		return -EINVAL;
	/* Fail a bad output pointer before anything is created. */
	ret = skv_copy_arg_out(argp, &req, sizeof(req), usize);
	if (ret)
		return ret;

	fd = get_unused_fd_flags(req.flags & SKV_OPEN_NOCLOEXEC ? 0 : O_CLOEXEC);
	if (fd < 0)
		return fd;

	ret = skv_table_open(net, &req, &t, &created);
	if (ret)
		goto err_fd;

	/* The file holds the reference and, through fops->owner, the module. */
	file = anon_inode_getfile("[skv-table]", &skv_table_fops, t,
				  req.flags & SKV_OPEN_RDONLY ? O_RDONLY : O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_table;
	}

	req.fd = fd;
	req.created = created;
	ret = skv_copy_arg_out(argp, &req, sizeof(req), usize);
	if (ret) {
		if (created)
			skv_table_abort_create(net, t);
		fput(file);
		put_unused_fd(fd);
		return ret;
	}
	fd_install(fd, file);
	return 0;

err_table:
	if (created)
		skv_table_abort_create(net, t);
	skv_table_put(t);
err_fd:
	put_unused_fd(fd);
	return ret;
}

static long skv_ioctl_table_delete(void __user *argp)
{
	struct skv_table_delete req;
	u32 usize;
	int ret;

	ret = skv_copy_arg(&req, sizeof(req), SKV_TABLE_DELETE_SIZE_VER0, argp,
			   &usize);
	if (ret)
		return ret;
	if (req.flags)
		return -EINVAL;
	return skv_table_delete(current->nsproxy->net_ns, &req);
}

static long skv_ctl_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	if (_IOC_TYPE(cmd) != SKV_IOC_MAGIC)
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(SKV_IOC_FEATURES):
		return skv_ioctl_features(argp);
	case _IOC_NR(SKV_IOC_TABLE_OPEN):
		return skv_ioctl_table_open(argp);
	case _IOC_NR(SKV_IOC_TABLE_DELETE):
		return skv_ioctl_table_delete(argp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations skv_ctl_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= skv_ctl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice skv_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= SKV_DEVICE_NAME,
	.fops	= &skv_ctl_fops,
	.mode	= 0666,
};

int __init skv_device_init(void)
{
	return misc_register(&skv_miscdev);
}

void skv_device_exit(void)
{
	misc_deregister(&skv_miscdev);
}
