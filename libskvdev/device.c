// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * libskvdev: the control fd and the table-level ioctls.
 */
#include <fcntl.h>
#include <string.h>

#include "internal.h"

int skv_dev_open(const char *path, struct skv_dev **devp)
{
	int saved_errno = errno;
	struct skv_dev *dev;
	int fd;

	if (!devp)
		return -EINVAL;
	fd = open(path ? path : SKV_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int ret = -errno;

		errno = saved_errno;
		return ret;
	}
	dev = skv_zalloc(sizeof(*dev));
	if (!dev) {
		skv_sys_close(fd);
		return -ENOMEM;
	}
	dev->fd = fd;
	*devp = dev;
	return 0;
}

void skv_dev_close(struct skv_dev *dev)
{
	if (!dev)
		return;
	skv_sys_close(dev->fd);
	skv_free(dev);
}

int skv_dev_fd(const struct skv_dev *dev)
{
	return dev ? dev->fd : -EINVAL;
}

int skv_features(struct skv_dev *dev, struct skv_features *features)
{
	struct skv_features f = { .size = sizeof(f) };
	int ret;

	if (!dev || !features)
		return -EINVAL;
	ret = skv_sys_ioctl(dev->fd, SKV_IOC_FEATURES, &f);
	if (ret)
		return ret;
	*features = f;
	return 0;
}

/* Copy @name into a SKV_NAME_MAX field; the kernel checks the characters. */
static int skv_copy_name(char dst[SKV_NAME_MAX], const char *name)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strnlen(name, SKV_NAME_MAX);
	if (!len || len >= SKV_NAME_MAX)
		return -EINVAL;
	memcpy(dst, name, len);
	return 0;
}

/* A handle for table fd @fd; a mapped table is mapped (map.c). */
static int skv_table_wrap(int fd, bool created, struct skv_table **tablep)
{
	struct skv_table *table = skv_zalloc(sizeof(*table));

	if (!table)
		return -ENOMEM;
	table->fd = fd;
	table->created = created;
	skv_map_attach(table);
	*tablep = table;
	return 0;
}

int skv_table_open(struct skv_dev *dev, const char *name, uint32_t flags,
		   const struct skv_table_attr *attr,
		   struct skv_table **tablep)
{
	return skv_table_open2(dev, name, flags, attr, 0, tablep);
}

int skv_table_open2(struct skv_dev *dev, const char *name, uint32_t flags,
		    const struct skv_table_attr *attr, uint32_t table_flags,
		    struct skv_table **tablep)
{
	struct skv_table_open op = {
		.size = sizeof(op),
		.flags = flags,
		.table_flags = table_flags,
	};
	int ret;

	if (!dev || !tablep)
		return -EINVAL;
	ret = skv_copy_name(op.name, name);
	if (ret)
		return ret;
	if (attr)
		op.attr = *attr;
	ret = skv_sys_ioctl(dev->fd, SKV_IOC_TABLE_OPEN, &op);
	if (ret)
		return ret;
	ret = skv_table_wrap(op.fd, op.created, tablep);
	if (ret)
		skv_sys_close(op.fd);
	return ret;
}

int skv_table_from_fd(int fd, struct skv_table **tablep)
{
	struct skv_info info = { .size = sizeof(info) };
	int ret;

	if (fd < 0 || !tablep)
		return -EBADF;
	/* Only a table fd answers INFO; anything else gets -ENOTTY. */
	ret = skv_sys_ioctl(fd, SKV_IOC_INFO, &info);
	if (ret)
		return ret;
	return skv_table_wrap(fd, false, tablep);
}

void skv_table_close(struct skv_table *table)
{
	if (!table)
		return;
	skv_map_detach(table);
	skv_sys_close(table->fd);
	skv_free(table);
}

int skv_table_fd(const struct skv_table *table)
{
	return table ? table->fd : -EINVAL;
}

bool skv_table_created(const struct skv_table *table)
{
	return table && table->created;
}

int skv_table_delete(struct skv_dev *dev, const char *name)
{
	struct skv_table_delete op = { .size = sizeof(op) };
	int ret;

	if (!dev)
		return -EINVAL;
	ret = skv_copy_name(op.name, name);
	if (ret)
		return ret;
	return skv_sys_ioctl(dev->fd, SKV_IOC_TABLE_DELETE, &op);
}

int skv_table_info(struct skv_table *table, struct skv_info *info)
{
	struct skv_info op = { .size = sizeof(op) };
	int ret;

	if (!table || !info)
		return -EINVAL;
	ret = skv_sys_ioctl(table->fd, SKV_IOC_INFO, &op);
	if (ret)
		return ret;
	*info = op;
	return 0;
}

int skv_table_stats(struct skv_table *table, struct skv_stats *stats)
{
	struct skv_stats op = { .size = sizeof(op) };
	int ret;

	if (!table || !stats)
		return -EINVAL;
	ret = skv_sys_ioctl(table->fd, SKV_IOC_STATS, &op);
	if (ret)
		return ret;
	*stats = op;
	return 0;
}

int skv_table_set(struct skv_table *table, const struct skv_set *set)
{
	struct skv_set op;

	if (!table || !set)
		return -EINVAL;
	op = *set;
	op.size = sizeof(op);
	return skv_sys_ioctl(table->fd, SKV_IOC_SET, &op);
}

int skv_table_flush(struct skv_table *table, uint64_t *count)
{
	struct skv_flush op = { .size = sizeof(op) };
	int ret;

	if (!table)
		return -EINVAL;
	ret = skv_sys_ioctl(table->fd, SKV_IOC_FLUSH, &op);
	if (ret)
		return ret;
	if (count)
		*count = op.count;
	return 0;
}
