/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the skv selftests: raw ioctl() wrappers that return 0
 * or a negative errno (for setting up state; the validation tests call
 * ioctl() themselves and check errno), unique table names and the loop
 * budget of the kernel under test.
 */
#ifndef _SKV_TEST_H
#define _SKV_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <linux/skv.h>

#define SKV_DEV		"/dev/skv"
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define U64P(p)		((__u64)(uintptr_t)(p))

/*
 * The Debian cloud kernels are named "6.x.y-N-cloud-amd64"; the debug
 * kernel (KASAN, lockdep, kmemleak; 30-60x slower under TCG) is not.
 * Loops are sized by skv_budget(): the full count on a cloud kernel, a
 * tenth on anything else.
 */
static inline bool skv_slow_kernel(void)
{
	struct utsname u;

	if (uname(&u))
		return true;
	return !strstr(u.release, "-cloud-amd64");
}

static inline unsigned int skv_budget(unsigned int fast)
{
	unsigned int n = skv_slow_kernel() ? fast / 10 : fast;

	return n ? n : 1;
}

/* Write @val to skv.ko's module parameter @param; 0 or -errno. */
static inline int skv_set_param(const char *param, unsigned long val)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/skv/parameters/%s", param);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fprintf(f, "%lu\n", val) < 0 ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static inline long skv_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* The control fd, or -errno. */
static inline int skv_ctl_open(void)
{
	int fd = open(SKV_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* A table name no other test process uses: "<tag>-<pid>-<n>". */
static inline void skv_name(char name[SKV_NAME_MAX], const char *tag)
{
	static unsigned int seq;

	snprintf(name, SKV_NAME_MAX, "%s-%d-%u", tag, (int)getpid(), seq++);
}

/*
 * Opens (with @flags) table @name, creating it with @table_flags (and
 * @reserved in __reserved1, for the tests of its check); returns the
 * table fd or -errno.
 */
static inline int skv_open_tf(int ctl, const char *name, __u32 flags,
			      const struct skv_table_attr *attr,
			      __u32 table_flags, __u32 reserved,
			      __u32 *created)
{
	struct skv_table_open o;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.flags = flags;
	memcpy(o.name, name, strnlen(name, sizeof(o.name) - 1));
	if (attr)
		o.attr = *attr;
#ifndef SKV_ABI_VER0	/* abi_growth_ver0: the header before table_flags */
	o.table_flags = table_flags;
	o.__reserved1 = reserved;
#else
	(void)table_flags;
	(void)reserved;
#endif
	if (ioctl(ctl, SKV_IOC_TABLE_OPEN, &o) < 0)
		return -errno;
	if (created)
		*created = o.created;
	return o.fd;
}

/* Opens (with @flags) table @name; returns the table fd or -errno. */
static inline int skv_open(int ctl, const char *name, __u32 flags,
			   const struct skv_table_attr *attr, __u32 *created)
{
	return skv_open_tf(ctl, name, flags, attr, 0, 0, created);
}

/* Creates a new table (CREATE|EXCL); returns the table fd or -errno. */
static inline int skv_create(int ctl, const char *name,
			     const struct skv_table_attr *attr)
{
	return skv_open(ctl, name, SKV_OPEN_CREATE | SKV_OPEN_EXCL, attr,
			NULL);
}

static inline int skv_table_delete(int ctl, const char *name)
{
	struct skv_table_delete d;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	memcpy(d.name, name, strnlen(name, sizeof(d.name) - 1));
	return skv_ioctl(ctl, SKV_IOC_TABLE_DELETE, &d);
}

static inline void skv_put_init(struct skv_put *p, const void *key,
				size_t key_len, const void *val,
				size_t val_len)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->key_len = key_len;
	p->key_ptr = U64P(key);
	p->value_len = val_len;
	p->value_ptr = U64P(val);
}

/* PUT with @flags (no CAS or TTL); the new version to *@ver. */
static inline int skv_put(int fd, const void *key, size_t key_len,
			  const void *val, size_t val_len, __u32 flags,
			  __u64 *ver)
{
	struct skv_put p;
	long ret;

	skv_put_init(&p, key, key_len, val, val_len);
	p.flags = flags;
	ret = skv_ioctl(fd, SKV_IOC_PUT, &p);
	if (!ret && ver)
		*ver = p.version;
	return ret;
}

static inline int skv_put_str(int fd, const char *key, const char *val)
{
	return skv_put(fd, key, strlen(key), val, strlen(val), 0, NULL);
}

static inline void skv_get_init(struct skv_get *g, const void *key,
				size_t key_len, void *buf, size_t buf_len)
{
	memset(g, 0, sizeof(*g));
	g->size = sizeof(*g);
	g->key_len = key_len;
	g->key_ptr = U64P(key);
	g->value_len = buf_len;
	g->value_ptr = U64P(buf);
}

/*
 * GET @key into @buf (NUL-terminated if it fits); returns the value
 * length or -errno, and the whole reply in *@out if not NULL.
 */
static inline int skv_get(int fd, const void *key, size_t key_len,
			  void *buf, size_t buf_len, struct skv_get *out)
{
	struct skv_get g;
	long ret;

	skv_get_init(&g, key, key_len, buf, buf_len);
	ret = skv_ioctl(fd, SKV_IOC_GET, &g);
	if (out)
		*out = g;
	if (ret)
		return ret;
	if (buf && g.value_len < buf_len)
		((char *)buf)[g.value_len] = '\0';
	return g.value_len;
}

static inline int skv_get_str(int fd, const char *key, char *buf,
			      size_t buf_len)
{
	return skv_get(fd, key, strlen(key), buf, buf_len, NULL);
}

static inline int skv_del_str(int fd, const char *key)
{
	struct skv_delete d;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.key_len = strlen(key);
	d.key_ptr = U64P(key);
	return skv_ioctl(fd, SKV_IOC_DELETE, &d);
}

static inline int skv_incr_str(int fd, const char *key, __s64 delta,
			       __s64 *value)
{
	struct skv_incr in;
	long ret;

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.key_len = strlen(key);
	in.key_ptr = U64P(key);
	in.delta = delta;
	ret = skv_ioctl(fd, SKV_IOC_INCR, &in);
	if (!ret && value)
		*value = in.value;
	return ret;
}

static inline int skv_stats(int fd, struct skv_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return skv_ioctl(fd, SKV_IOC_STATS, st);
}

static inline int skv_info(int fd, struct skv_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return skv_ioctl(fd, SKV_IOC_INFO, info);
}

static inline int skv_flush(int fd, __u64 *count)
{
	struct skv_flush f;
	long ret;

	memset(&f, 0, sizeof(f));
	f.size = sizeof(f);
	ret = skv_ioctl(fd, SKV_IOC_FLUSH, &f);
	if (!ret && count)
		*count = f.count;
	return ret;
}

/*
 * Setup shared by the fixtures: the control fd and a fresh table created
 * with @attr (NULL: defaults). Skips when skv.ko is not loaded.
 */
#define SKV_SETUP_TABLE(ctl, fd, name, tag, attr) do {			\
	if (access(SKV_DEV, F_OK))					\
		SKIP(return, SKV_DEV " is missing: skv.ko not loaded");	\
	(ctl) = skv_ctl_open();						\
	ASSERT_LE(0, (ctl)) TH_LOG("open " SKV_DEV ": %s",		\
				   strerror(-(ctl)));			\
	skv_name((name), (tag));					\
	(fd) = skv_create((ctl), (name), (attr));			\
	ASSERT_LE(0, (fd)) TH_LOG("create table %s: %s", (name),	\
				  strerror(-(fd)));			\
} while (0)

#define SKV_TEARDOWN_TABLE(ctl, fd, name) do {				\
	if ((fd) > 0)							\
		close(fd);						\
	if ((ctl) > 0) {						\
		skv_table_delete((ctl), (name));			\
		close(ctl);						\
	}								\
} while (0)

#endif /* _SKV_TEST_H */
