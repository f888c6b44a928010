/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the reliability tests (fault_inject, fuzz, stress,
 * lifecycle, limits, infoleak): thin ioctl wrappers that return 0 or a
 * negative errno, table snapshots, and kernel detection. Kept apart from
 * skv_test.h so that these tests never depend on how the ABI tests grow.
 */
#ifndef _SKV_RELIABILITY_H
#define _SKV_RELIABILITY_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/skv.h>

#define RT_DEV			"/dev/skv"
#define RT_UNUSED		__attribute__((unused))
#define RT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static inline int rt_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* The debug kernel is ours; Debian's are "...-cloud-amd64". */
static inline bool rt_debug_kernel(void)
{
	struct utsname u;
	size_t n;

	if (uname(&u))
		return false;
	n = strlen(u.release);
	return n < 12 || strcmp(u.release + n - 12, "-cloud-amd64");
}

/* Scale a loop bound: @cloud on Debian's kernels, @debug on ours. */
static inline unsigned long rt_scaled(unsigned long cloud, unsigned long debug)
{
	return rt_debug_kernel() ? debug : cloud;
}

static inline double rt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int rt_ctl_open(void)
{
	int fd = open(RT_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static inline int rt_features(int ctl, struct skv_features *f)
{
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	return rt_ioctl(ctl, SKV_IOC_FEATURES, f);
}

/* True when the loaded module serves @op (enum skv_op). */
static inline bool rt_has_op(int ctl, unsigned int op)
{
	struct skv_features f;

	return !rt_features(ctl, &f) && (f.ops & (1ULL << op));
}

static inline size_t rt_name_len(const char *name)
{
	size_t n = strlen(name);

	return n < SKV_NAME_MAX - 1 ? n : SKV_NAME_MAX - 1;
}

/* Open (and with SKV_OPEN_CREATE create) @name: a table fd or -errno. */
static inline int rt_table_open(int ctl, const char *name, unsigned int flags,
				const struct skv_table_attr *attr)
{
	struct skv_table_open o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.flags = flags;
	memcpy(o.name, name, rt_name_len(name));
	if (attr)
		o.attr = *attr;
	ret = rt_ioctl(ctl, SKV_IOC_TABLE_OPEN, &o);
	return ret ? ret : o.fd;
}

static inline int rt_table_create(int ctl, const char *name)
{
	return rt_table_open(ctl, name, SKV_OPEN_CREATE, NULL);
}

static inline int rt_table_delete(int ctl, const char *name)
{
	struct skv_table_delete d;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	memcpy(d.name, name, rt_name_len(name));
	return rt_ioctl(ctl, SKV_IOC_TABLE_DELETE, &d);
}

static inline int rt_put(int fd, const void *key, uint32_t klen,
			 const void *val, uint32_t vlen, uint32_t flags,
			 uint64_t cas, uint64_t *version)
{
	struct skv_put p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.flags = flags;
	p.key_len = klen;
	p.value_len = vlen;
	p.key_ptr = (uintptr_t)key;
	p.value_ptr = (uintptr_t)val;
	p.cas_version = (flags & SKV_PUT_CAS) ? cas : 0;
	ret = rt_ioctl(fd, SKV_IOC_PUT, &p);
	if (!ret && version)
		*version = p.version;
	return ret;
}

static inline int rt_puts(int fd, const char *key, const char *val)
{
	return rt_put(fd, key, strlen(key), val, strlen(val), 0, 0, NULL);
}

/* GET @key into @buf of *@len bytes; *@len is the value length after. */
static inline int rt_get(int fd, const void *key, uint32_t klen, void *buf,
			 uint32_t *len, uint64_t *version)
{
	struct skv_get g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.size = sizeof(g);
	g.key_len = klen;
	g.key_ptr = (uintptr_t)key;
	g.value_ptr = (uintptr_t)buf;
	g.value_len = *len;
	ret = rt_ioctl(fd, SKV_IOC_GET, &g);
	if (!ret || ret == -ERANGE)
		*len = g.value_len;
	if (!ret && version)
		*version = g.version;
	return ret;
}

static inline int rt_del(int fd, const void *key, uint32_t klen,
			 uint32_t flags, uint64_t cas)
{
	struct skv_delete d;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.flags = flags;
	d.key_len = klen;
	d.key_ptr = (uintptr_t)key;
	d.cas_version = (flags & SKV_DEL_CAS) ? cas : 0;
	return rt_ioctl(fd, SKV_IOC_DELETE, &d);
}

static inline int rt_incr(int fd, const void *key, uint32_t klen,
			  int64_t delta, int64_t *value)
{
	struct skv_incr in;
	int ret;

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.key_len = klen;
	in.key_ptr = (uintptr_t)key;
	in.delta = delta;
	ret = rt_ioctl(fd, SKV_IOC_INCR, &in);
	if (!ret && value)
		*value = in.value;
	return ret;
}

static inline int rt_stats(int fd, struct skv_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return rt_ioctl(fd, SKV_IOC_STATS, st);
}

static inline int rt_flush(int fd)
{
	struct skv_flush fl;

	memset(&fl, 0, sizeof(fl));
	fl.size = sizeof(fl);
	return rt_ioctl(fd, SKV_IOC_FLUSH, &fl);
}

/*
 * Walk a whole table with SCAN (values included) and call @fn on every
 * record. Returns the number of records seen or -errno. A key may be seen
 * twice while the table resizes; callers that count must tolerate that.
 */
typedef void (*rt_scan_fn)(const struct skv_scan_rec *rec, const uint8_t *key,
			   const uint8_t *val, void *ctx);

static inline long rt_scan_all(int fd, rt_scan_fn fn, void *ctx)
{
	static __thread uint8_t *buf;
	const size_t buf_size = 4 << 20;
	struct skv_scan s;
	long n = 0;
	int ret;

	if (!buf) {
		buf = malloc(buf_size);
		if (!buf)
			return -ENOMEM;
	}
	memset(&s, 0, sizeof(s));
	do {
		uint32_t off = 0, i;

		s.size = sizeof(s);
		s.flags = SKV_SCAN_VALUES;
		s.count = 64;
		s.buf_ptr = (uintptr_t)buf;
		s.buf_len = buf_size;
		s.nr_keys = 0;
		ret = rt_ioctl(fd, SKV_IOC_SCAN, &s);
		if (ret)
			return ret;
		for (i = 0; i < s.nr_keys; i++) {
			const struct skv_scan_rec *r = (const void *)(buf + off);
			uint32_t len = sizeof(*r) + r->key_len + r->value_len;

			if (off + len > s.buf_len)
				return -EPROTO;
			if (fn)
				fn(r, (const uint8_t *)(r + 1),
				   (const uint8_t *)(r + 1) + r->key_len, ctx);
			off += (len + 7) & ~7u;
			n++;
		}
	} while (s.cursor);
	return n;
}

/* Read a number from a file such as /sys/module/skv/parameters/X. */
static inline int rt_read_ulong(const char *path, unsigned long *val)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	*val = strtoul(buf, NULL, 0);
	return 0;
}

static inline int rt_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

static inline int rt_write_ulong(const char *path, unsigned long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", val);
	return rt_write_str(path, buf);
}

/* Number of open fds of this process (to catch fds leaked by a failure). */
static inline int rt_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}


/*
 * Generic netlink, for the "skv" family: a NETLINK_GENERIC socket, the
 * family id (0 when the family is not registered) and requests built
 * attribute by attribute.
 */
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

struct rt_nlmsg {
	struct nlmsghdr n;
	struct genlmsghdr g;
	uint8_t attrs[4096];
};

static inline void rt_nl_init(struct rt_nlmsg *m, uint16_t family, uint8_t cmd,
			      uint16_t flags)
{
	memset(&m->n, 0, sizeof(m->n) + sizeof(m->g));
	m->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->n.nlmsg_type = family;
	m->n.nlmsg_flags = NLM_F_REQUEST | flags;
	m->g.cmd = cmd;
	m->g.version = 1;
}

static inline void rt_nl_put(struct rt_nlmsg *m, uint16_t type,
			     const void *data, uint16_t len)
{
	struct nlattr *a = (void *)((uint8_t *)m + NLMSG_ALIGN(m->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	m->n.nlmsg_len = NLMSG_ALIGN(m->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static inline void rt_nl_put_str(struct rt_nlmsg *m, uint16_t type,
				 const char *s)
{
	rt_nl_put(m, type, s, strlen(s) + 1);
}

/* Find attribute @type in a genl message; NULL if absent. */
static inline const struct nlattr *rt_nl_attr(const struct nlmsghdr *n,
					      uint16_t type)
{
	const uint8_t *p = (const uint8_t *)n + NLMSG_LENGTH(GENL_HDRLEN);
	const uint8_t *end = (const uint8_t *)n + n->nlmsg_len;

	while (p + NLA_HDRLEN <= end) {
		const struct nlattr *a = (const void *)p;

		if (a->nla_len < NLA_HDRLEN || p + a->nla_len > end)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		p += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

static inline uint64_t rt_nl_u64(const struct nlattr *a)
{
	uint64_t v = 0;

	if (a)
		memcpy(&v, (const uint8_t *)a + NLA_HDRLEN,
		       a->nla_len - NLA_HDRLEN < 8 ? a->nla_len - NLA_HDRLEN : 8);
	return v;
}

/* Send @m and wait for its ack: 0 or the -errno the kernel answered. */
static inline int rt_nl_request(int sk, struct rt_nlmsg *m)
{
	static __thread uint8_t buf[16384];
	static __thread uint32_t seq;
	ssize_t len;

	m->n.nlmsg_flags |= NLM_F_ACK;
	m->n.nlmsg_seq = ++seq;
	if (send(sk, m, m->n.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *n = (void *)buf;

		len = recv(sk, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
			if (n->nlmsg_seq != seq)
				continue;	/* an event, or an old answer */
			if (n->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(n))->error;
		}
	}
}

/* A NETLINK_GENERIC socket and the "skv" family id; -errno, or 0 if absent. */
static inline int rt_genl_open(uint16_t *family)
{
	struct rt_nlmsg m;
	uint8_t buf[8192];
	struct nlmsghdr *n = (void *)buf;
	const struct nlattr *a;
	int sk;
	ssize_t len;

	*family = 0;
	sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sk < 0)
		return -errno;
	rt_nl_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	rt_nl_put_str(&m, CTRL_ATTR_FAMILY_NAME, "skv");
	if (send(sk, &m, m.n.nlmsg_len, 0) < 0)
		goto out;
	len = recv(sk, buf, sizeof(buf), 0);
	if (len < (ssize_t)NLMSG_LENGTH(GENL_HDRLEN) || n->nlmsg_type == NLMSG_ERROR)
		goto out;
	a = rt_nl_attr(n, CTRL_ATTR_FAMILY_ID);
	if (a)
		memcpy(family, (const uint8_t *)a + NLA_HDRLEN, 2);
out:
	return sk;
}

#endif /* _SKV_RELIABILITY_H */
