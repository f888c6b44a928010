// SPDX-License-Identifier: GPL-2.0
/*
 * skv: the /dev/skv misc device and its control-fd ioctls.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "skv.h"

/*
 * Read the caller's struct, which starts with its __u32 size, into @dst of
 * @ksize bytes. Sizes below @min_size are -EINVAL; a larger struct is fine
 * when its tail is zero (-E2BIG otherwise). On success *@usize holds the
 * caller's size, which bounds what skv_copy_arg_out() writes back.
 */
int skv_copy_arg(void *dst, size_t ksize, size_t min_size,
		 const void __user *src, u32 *usize)
{
	int ret;

	if (get_user(*usize, (const u32 __user *)src))
		return -EFAULT;
	if (*usize < min_size)
		return -EINVAL;
	ret = copy_struct_from_user(dst, ksize, src, *usize);
	if (ret)
		return ret;
	return 0;
}

/* Write @src back to the caller, no more than the @usize bytes it knows. */
int skv_copy_arg_out(void __user *dst, const void *src, size_t ksize,
		     u32 usize)
{
	if (copy_to_user(dst, src, min_t(size_t, usize, ksize)))
		return -EFAULT;
	return 0;
}

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

	return skv_copy_arg_out(argp, &f, sizeof(f), usize);
}

static long skv_ioctl_table_open(void __user *argp)
{
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
	if (req.flags & ~SKV_OPEN_ALL)
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

	ret = skv_table_open(&req, &t, &created);
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
			skv_table_abort_create(t);
		fput(file);
		put_unused_fd(fd);
		return ret;
	}
	fd_install(fd, file);
	return 0;

err_table:
	if (created)
		skv_table_abort_create(t);
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
	return skv_table_delete(&req);
}

static long skv_ctl_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SKV_IOC_FEATURES:
		return skv_ioctl_features(argp);
	case SKV_IOC_TABLE_OPEN:
		return skv_ioctl_table_open(argp);
	case SKV_IOC_TABLE_DELETE:
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
