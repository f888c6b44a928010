/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A generic netlink client over a raw socket, for the tests of the skv
 * family (netlink.c, nl_review.c): no library between them and the
 * kernel. Requests are built by hand, replies and extack parsed by hand.
 */
#ifndef SKV_NL_TEST_H
#define SKV_NL_TEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/skv_netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* A reply, or a datagram of events: room for a 65531-byte value. */
#define NL_BUF	65536

struct nl {
	int fd;
	__u16 family;
	__u32 seq;
	char ext_msg[256];	/* extack message of the last error */
	__u32 miss_type;	/* extack missing attribute, 0 if none */
	char buf[NL_BUF];	/* the last reply */
	int len;
};

struct req {
	struct nlmsghdr nlh;
	struct genlmsghdr g;
	char attrs[8192];
};

static inline void req_init(struct req *r, __u16 family, __u8 cmd, __u16 flags)
{
	memset(r, 0, sizeof(*r));
	r->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nlh.nlmsg_type = family;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->g.cmd = cmd;
	r->g.version = 1;
}

static inline void put_attr(struct req *r, __u16 type, const void *data, int len)
{
	struct nlattr *a = (void *)((char *)r + NLMSG_ALIGN(r->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nlh.nlmsg_len = NLMSG_ALIGN(r->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static inline void put_str(struct req *r, __u16 type, const char *s)
{
	put_attr(r, type, s, strlen(s) + 1);
}

static inline void put_u32(struct req *r, __u16 type, __u32 v)
{
	put_attr(r, type, &v, sizeof(v));
}

static inline void put_u64(struct req *r, __u16 type, __u64 v)
{
	put_attr(r, type, &v, sizeof(v));
}

/* The attribute @type of genetlink message @nlh, or NULL. */
static inline struct nlattr *get_attr(struct nlmsghdr *nlh, __u16 type)
{
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	struct nlattr *a = (void *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);

	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		len -= NLA_ALIGN(a->nla_len);
		a = (void *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

static inline __u64 attr_u64(struct nlmsghdr *nlh, __u16 type)
{
	struct nlattr *a = get_attr(nlh, type);
	__u64 v = 0;

	if (a)
		memcpy(&v, (char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

static inline __u32 attr_u32(struct nlmsghdr *nlh, __u16 type)
{
	struct nlattr *a = get_attr(nlh, type);
	__u32 v = 0;

	if (a)
		memcpy(&v, (char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

static inline const char *attr_str(struct nlmsghdr *nlh, __u16 type)
{
	struct nlattr *a = get_attr(nlh, type);

	return a ? (char *)a + NLA_HDRLEN : "";
}

/* A netlink socket bound to @portid (0: the kernel picks one). */
static inline int nl_open_port(struct nl *nl, __u32 portid)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = portid };
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(nl->fd, (void *)&sa, sizeof(sa)))
		return -errno;
	return 0;
}

static inline int nl_open(struct nl *nl)
{
	return nl_open_port(nl, 0);
}

static inline __u32 nl_portid(struct nl *nl)
{
	struct sockaddr_nl sa;
	socklen_t len = sizeof(sa);

	if (getsockname(nl->fd, (void *)&sa, &len))
		return 0;
	return sa.nl_pid;
}

/* Parse an NLMSG_ERROR: its errno, and the extack message if any. */
static inline int nl_error(struct nl *nl, struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct nlattr *a;
	int off, len;

	nl->ext_msg[0] = 0;
	nl->miss_type = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return e->error;
	off = NLMSG_ALIGN(sizeof(*e));
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	a = (void *)((char *)e + off);
	len = nlh->nlmsg_len - NLMSG_HDRLEN - off;
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s",
				 (char *)a + NLA_HDRLEN);
		if (a->nla_type == NLMSGERR_ATTR_MISS_TYPE)
			memcpy(&nl->miss_type, (char *)a + NLA_HDRLEN, 4);
		len -= NLA_ALIGN(a->nla_len);
		a = (void *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	return e->error;
}

/* The errno a dump ended with: NLMSG_DONE carries it. */
static inline int nl_done_err(struct nlmsghdr *nlh)
{
	int err = 0;

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err)))
		memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
	return err;
}

static inline long nl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/*
 * Send @r and read until its ack: 0 or -errno; events are skipped. A
 * reply message is left in nl->buf (the first one). Events that overran
 * the receive buffer may have taken the ack with them (the kernel drops
 * what does not fit): after an overrun, -ENOBUFS if no ack came in 10 s.
 */
static inline int nl_do(struct nl *nl, struct req *r)
{
	static __thread char buf[NL_BUF];
	struct nlmsghdr *nlh;
	int len, ret = 1;
	long give_up = 0;

	r->nlh.nlmsg_seq = ++nl->seq;
	if (send(nl->fd, r, r->nlh.nlmsg_len, 0) < 0)
		return -errno;
	nl->len = 0;
	while (ret > 0) {
		if (give_up && nl_now_ms() > give_up)
			return -ENOBUFS;
		len = recv(nl->fd, buf, sizeof(buf), 0);
		if (len < 0 && errno == ENOBUFS) {
			if (!give_up)
				give_up = nl_now_ms() + 10000;
			continue;
		}
		if (len < 0)
			return -errno;
		for (nlh = (void *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != nl->seq)
				continue;	/* an event */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				ret = nl_error(nl, nlh);
				break;
			}
			if (!nl->len) {
				memcpy(nl->buf, nlh, nlh->nlmsg_len);
				nl->len = nlh->nlmsg_len;
			}
		}
	}
	return ret;
}

static inline int nl_resolve(struct nl *nl)
{
	struct req r;
	int ret;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	put_str(&r, CTRL_ATTR_FAMILY_NAME, SKV_GENL_NAME);
	ret = nl_do(nl, &r);
	if (ret)
		return ret;
	nl->family = attr_u32((void *)nl->buf, CTRL_ATTR_FAMILY_ID) & 0xffff;
	return 0;
}

static inline struct nlmsghdr *reply(struct nl *nl)
{
	return (void *)nl->buf;
}

#endif /* SKV_NL_TEST_H */
