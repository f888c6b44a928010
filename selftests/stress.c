// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: a mixed multi-threaded workload on one table for a few seconds
 * (fewer on the debug kernel), then invariants that hold only if nothing
 * was lost or doubled:
 *  - writers own their keys and remember the last acknowledged write (value
 *    and version) or delete of each: every key reads back exactly that;
 *  - versions a writer is given for its key strictly increase;
 *  - CAS incrementers (GET, PUT with CAS, retry on -ESTALE) and INCR
 *    incrementers: the counters equal the number of acknowledged increments;
 *  - readers and scanners never see a value under another key's name;
 *  - STATS entries and bytes equal what a full SCAN finds;
 *  - netlink subscribers: for each event, seq - lost is the number of
 *    events this socket received so far (none doubled, losses counted).
 * Around them: deleters on scratch keys, table create/delete with ops on
 * the deleted table's fds, and an fd closed and reopened while another
 * thread runs ioctls on its number.
 * A second test drives an lru table at max_entries and max_bytes.
 */
#include <pthread.h>
#include <stdatomic.h>

#include <linux/skv_netlink.h>

#include "kselftest_harness.h"
#include "reliability.h"

#define ST_TABLE	"st-main"
#define ST_WRITERS	3
#define ST_KEYS		64	/* per writer */
#define ST_CAS		2
#define ST_INCR		2
#define ST_READERS	2

struct st_key_state {
	bool present;
	uint64_t seq;		/* of the last acknowledged PUT */
	uint64_t version;
};

struct st {
	int ctl;
	int fd;
	uint16_t family;
	atomic_bool stop;
	atomic_int race_fd;
	atomic_ulong ops, cas_ok, cas_retry, incr_ok, reads, scans, churns,
		race_ops, events, events_lost, deletes;
	struct st_key_state keys[ST_WRITERS][ST_KEYS];
	char failure[256];
	pthread_mutex_t fail_lock;
};

struct st_lru;

struct st_thread {
	struct st *st;
	struct st_lru *lru;	/* lru_at_its_limits only */
	int id;
	uint64_t rng;
};

static uint64_t st_rand(struct st_thread *t)
{
	uint64_t x = t->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	t->rng = x;
	return x;
}

static void st_fail(struct st *st, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&st->fail_lock);
	if (!st->failure[0]) {
		va_start(ap, fmt);
		vsnprintf(st->failure, sizeof(st->failure), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&st->fail_lock);
	atomic_store(&st->stop, true);
}

static int st_key(char *buf, int writer, int k)
{
	return sprintf(buf, "w%d-k%d", writer, k);
}

static int st_value(char *buf, int writer, int k, uint64_t seq)
{
	return sprintf(buf, "w%d-k%d=s%llu", writer, k, (unsigned long long)seq);
}

/* A value must be "<its key>=..." or a scratch/counter key's. */
static bool st_value_matches(const uint8_t *key, uint32_t klen,
			     const uint8_t *val, uint32_t vlen)
{
	if (klen < 2 || key[0] != 'w')
		return true;
	return vlen > klen && !memcmp(key, val, klen) && val[klen] == '=';
}

static void *st_writer(void *arg)
{
	struct st_thread *t = arg;
	struct st *st = t->st;
	uint64_t seq = 0, last_version[ST_KEYS] = { 0 };
	char key[32], val[64];

	while (!atomic_load(&st->stop)) {
		int k = st_rand(t) % ST_KEYS, klen = st_key(key, t->id, k);
		struct st_key_state *ks = &st->keys[t->id][k];
		uint64_t version = 0;
		int ret;

		if (st_rand(t) % 8 == 0) {
			ret = rt_del(st->fd, key, klen, 0, 0);
			if (!ret) {
				ks->present = false;
			} else if (ret != -ENOENT || ks->present) {
				st_fail(st, "writer %d delete %s: %d (present %d)",
					t->id, key, ret, ks->present);
			}
		} else {
			ret = rt_put(st->fd, key, klen, val,
				     st_value(val, t->id, k, ++seq), 0, 0, &version);
			if (ret) {
				st_fail(st, "writer %d put %s: %d", t->id, key, ret);
				break;
			}
			if (version <= last_version[k])
				st_fail(st, "writer %d %s: version %llu after %llu",
					t->id, key, (unsigned long long)version,
					(unsigned long long)last_version[k]);
			last_version[k] = version;
			ks->present = true;
			ks->seq = seq;
			ks->version = version;
		}
		atomic_fetch_add(&st->ops, 1);
	}
	return NULL;
}

static void *st_cas(void *arg)
{
	struct st_thread *t = arg;
	struct st *st = t->st;
	char buf[32], next[32];

	while (!atomic_load(&st->stop)) {
		uint32_t len = sizeof(buf) - 1;
		uint64_t version;
		int ret;

		ret = rt_get(st->fd, "cas", 3, buf, &len, &version);
		if (ret) {
			st_fail(st, "cas get: %d", ret);
			break;
		}
		buf[len] = 0;
		ret = rt_put(st->fd, "cas", 3, next,
			     sprintf(next, "%lld", atoll(buf) + 1), SKV_PUT_CAS,
			     version, NULL);
		if (!ret)
			atomic_fetch_add(&st->cas_ok, 1);
		else if (ret == -ESTALE)
			atomic_fetch_add(&st->cas_retry, 1);
		else
			st_fail(st, "cas put: %d", ret);
		atomic_fetch_add(&st->ops, 2);
	}
	return NULL;
}

static void *st_incr(void *arg)
{
	struct st_thread *t = arg;
	struct st *st = t->st;

	while (!atomic_load(&st->stop)) {
		int ret = rt_incr(st->fd, "incr", 4, 3, NULL);

		if (ret) {
			st_fail(st, "incr: %d", ret);
			break;
		}
		atomic_fetch_add(&st->incr_ok, 1);
		atomic_fetch_add(&st->ops, 1);
	}
	return NULL;
}

static void *st_reader(void *arg)
{
	struct st_thread *t = arg;
	struct st *st = t->st;
	char key[32];
	uint8_t val[256];

	while (!atomic_load(&st->stop)) {
		int klen = st_key(key, st_rand(t) % ST_WRITERS, st_rand(t) % ST_KEYS);
		uint32_t len = sizeof(val);
		int ret = rt_get(st->fd, key, klen, val, &len, NULL);

		if (ret && ret != -ENOENT)
			st_fail(st, "reader get %s: %d", key, ret);
		else if (!ret && !st_value_matches((uint8_t *)key, klen, val, len))
			st_fail(st, "reader: %s holds '%.*s'", key, (int)len, val);
		atomic_fetch_add(&st->reads, 1);
		atomic_fetch_add(&st->ops, 1);
	}
	return NULL;
}

static void st_scan_check(const struct skv_scan_rec *r, const uint8_t *key,
			  const uint8_t *val, void *ctx)
{
	struct st *st = ctx;

	if (!r->key_len || r->key_len > SKV_DEFAULT_KEY_LEN ||
	    r->rec_size != sizeof(*r))
		st_fail(st, "scan record: key_len %u rec_size %u", r->key_len,
			r->rec_size);
	else if (!st_value_matches(key, r->key_len, val, r->value_len))
		st_fail(st, "scan: %.*s holds %.*s", (int)r->key_len, key,
			(int)r->value_len, val);
}

static void *st_scanner(void *arg)
{
	struct st_thread *t = arg;
	struct st *st = t->st;

	while (!atomic_load(&st->stop)) {
		long n = rt_scan_all(st->fd, st_scan_check, st);

		if (n < 0)
			st_fail(st, "scan: %ld", n);
		atomic_fetch_add(&st->scans, 1);
		atomic_fetch_add(&st->ops, 1);
	}
	return NULL;
}

/* Scratch keys come and go: PUT, GETDEL, DELETE on "tmp-N". */
static void *st_deleter(void *arg)
{
	struct st_thread *t = arg;
	struct st *st = t->st;
	char key[16], val[32];

	while (!atomic_load(&st->stop)) {
		int klen = sprintf(key, "tmp-%u", (unsigned int)(st_rand(t) % 32));
		struct skv_get g = {
			.size = sizeof(g), .key_len = klen,
			.key_ptr = (uintptr_t)key, .value_len = sizeof(val),
			.value_ptr = (uintptr_t)val,
		};
		int ret;

		switch (st_rand(t) % 3) {
		case 0:
			ret = rt_put(st->fd, key, klen, "x", 1, 0, 0, NULL);
			break;
		case 1:
			ret = rt_ioctl(st->fd, SKV_IOC_GETDEL, &g);
			break;
		default:
			ret = rt_del(st->fd, key, klen, 0, 0);
			break;
		}
		if (ret && ret != -ENOENT)
			st_fail(st, "scratch op on %s: %d", key, ret);
		atomic_fetch_add(&st->deletes, 1);
		atomic_fetch_add(&st->ops, 1);
	}
	return NULL;
}

/*
 * Tables come and go; a deleted table's fd keeps working until closed.
 * Also swaps race_fd under st_racer(), closing the old fd.
 */
static void *st_churn(void *arg)
{
	struct st_thread *t = arg;
	struct st *st = t->st;
	char name[32], val[16];
	unsigned int round = 0;

	while (!atomic_load(&st->stop)) {
		int a, b, old, ret;
		uint32_t len = sizeof(val);

		snprintf(name, sizeof(name), "st-churn-%u", round++ % 4);
		a = rt_table_open(st->ctl, name, SKV_OPEN_CREATE, NULL);
		if (a < 0) {
			st_fail(st, "churn create %s: %d", name, a);
			break;
		}
		b = rt_table_open(st->ctl, name, SKV_OPEN_RDONLY, NULL);
		ret = rt_puts(a, "k", "v");
		if (!ret)
			ret = rt_table_delete(st->ctl, name);
		if (!ret)	/* deleted, yet the fds still work */
			ret = rt_puts(a, "k2", "v2");
		if (!ret && b >= 0)
			ret = rt_get(b, "k2", 2, val, &len, NULL);
		if (ret && ret != -ENOENT)
			st_fail(st, "churn on %s: %d", name, ret);
		if (b >= 0)
			close(b);
		old = atomic_exchange(&st->race_fd, a);
		if (old >= 0)
			close(old);
		atomic_fetch_add(&st->churns, 1);
		atomic_fetch_add(&st->ops, 5);
	}
	return NULL;
}

/* ioctls on an fd number another thread closes and reuses. */
static void *st_racer(void *arg)
{
	struct st_thread *t = arg;
	struct st *st = t->st;
	struct skv_stats sts;

	while (!atomic_load(&st->stop)) {
		int fd = atomic_load(&st->race_fd), ret;

		if (fd < 0)
			continue;
		ret = st_rand(t) & 1 ? rt_puts(fd, "race", "r") : rt_stats(fd, &sts);
		if (ret && ret != -EBADF && ret != -ENOTTY)
			st_fail(st, "racer on fd %d: %d", fd, ret);
		atomic_fetch_add(&st->race_ops, 1);
	}
	return NULL;
}

/* A subscriber: events must be numbered without gaps nor doubles. */
static void *st_subscriber(void *arg)
{
	static __thread uint8_t buf[65536];
	struct st_thread *t = arg;
	struct st *st = t->st;

	while (!atomic_load(&st->stop)) {
		struct rt_nlmsg m;
		uint16_t family;
		uint64_t received = 0;
		int sk = rt_genl_open(&family), small = 4096, i, ret;
		struct timeval tv = { .tv_usec = 20000 };

		if (sk < 0 || !family) {
			st_fail(st, "subscriber: no genl family");
			break;
		}
		/* A small receive buffer, so that some events are lost. */
		if (t->id)
			setsockopt(sk, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		/* Events may come before the ack: both are read below. */
		rt_nl_init(&m, family, SKV_CMD_SUBSCRIBE, NLM_F_ACK);
		m.n.nlmsg_seq = 1;
		rt_nl_put_str(&m, SKV_A_EVENT_TABLE, ST_TABLE);
		if (send(sk, &m, m.n.nlmsg_len, 0) < 0) {
			st_fail(st, "subscribe: %d", errno);
			close(sk);
			break;
		}
		setsockopt(sk, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		for (i = 0; i < 200 && !atomic_load(&st->stop); i++) {
			ssize_t len = recv(sk, buf, sizeof(buf), 0);
			struct nlmsghdr *n = (void *)buf;

			if (len < 0) {
				if (errno == ENOBUFS)
					continue;	/* lost; seq/lost tell */
				if (errno != EAGAIN)
					st_fail(st, "subscriber recv: %d", errno);
				continue;
			}
			for (; NLMSG_OK(n, len); n = NLMSG_NEXT(n, len)) {
				uint64_t seq, lost;

				if (n->nlmsg_type == NLMSG_ERROR) {
					ret = ((struct nlmsgerr *)NLMSG_DATA(n))->error;
					if (ret)
						st_fail(st, "subscribe: %d", ret);
					continue;
				}
				if (n->nlmsg_type != family)
					continue;
				seq = rt_nl_u64(rt_nl_attr(n, SKV_A_EVENT_SEQ));
				lost = rt_nl_u64(rt_nl_attr(n, SKV_A_EVENT_LOST));
				received++;
				if (seq - lost != received) {
					st_fail(st, "event seq %llu lost %llu after %llu received",
						(unsigned long long)seq,
						(unsigned long long)lost,
						(unsigned long long)received - 1);
					break;
				}
				atomic_fetch_add(&st->events, 1);
				atomic_store(&st->events_lost, lost);
			}
		}
		close(sk);	/* ends the subscription mid-stream */
	}
	return NULL;
}

struct st_count {
	uint64_t records, bytes;
	char (*keys)[80];
};

static void st_count_rec(const struct skv_scan_rec *r, const uint8_t *key,
			 const uint8_t *val, void *ctx)
{
	struct st_count *c = ctx;

	if (c->records < 100000 && r->key_len < 80) {
		memcpy(c->keys[c->records], key, r->key_len);
		c->keys[c->records][r->key_len] = 0;
	}
	c->records++;
	c->bytes += r->key_len + r->value_len;
	(void)val;
}

static int st_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

FIXTURE(stress) {
	struct st st;
};

FIXTURE_SETUP(stress)
{
	memset(&self->st, 0, sizeof(self->st));
	pthread_mutex_init(&self->st.fail_lock, NULL);
	atomic_init(&self->st.race_fd, -1);
	self->st.ctl = rt_ctl_open();
	ASSERT_LE(0, self->st.ctl);
	if (!rt_has_op(self->st.ctl, SKV_OP_SCAN))
		SKIP(return, "the module does not serve SCAN yet");
	rt_table_delete(self->st.ctl, ST_TABLE);
	self->st.fd = rt_table_create(self->st.ctl, ST_TABLE);
	ASSERT_LE(0, self->st.fd);
	ASSERT_EQ(0, rt_puts(self->st.fd, "cas", "0"));
	close(rt_genl_open(&self->st.family));
}

FIXTURE_TEARDOWN(stress)
{
	int fd = atomic_load(&self->st.race_fd);

	if (fd >= 0)
		close(fd);
	if (self->st.fd >= 0)
		close(self->st.fd);
	rt_table_delete(self->st.ctl, ST_TABLE);
	close(self->st.ctl);
}

TEST_F_TIMEOUT(stress, mixed_workload, 300)
{
	void *(*const roles[])(void *) = {
		st_writer, st_writer, st_writer, st_cas, st_cas, st_incr,
		st_incr, st_reader, st_reader, st_scanner, st_deleter,
		st_churn, st_racer, st_subscriber, st_subscriber,
	};
	struct st_thread threads[RT_ARRAY_SIZE(roles)];
	pthread_t tids[RT_ARRAY_SIZE(roles)];
	double secs = rt_debug_kernel() ? 2.0 : 4.0;
	struct st *st = &self->st;
	struct st_count count = { 0 };
	struct skv_stats sts;
	unsigned int i, n = 0, writer = 0, distinct;
	char buf[64], key[32], val[64];
	uint32_t len;
	int64_t incr;

	for (i = 0; i < RT_ARRAY_SIZE(roles); i++) {
		if (roles[i] == st_subscriber && !st->family)
			continue;
		threads[n].st = st;
		threads[n].id = roles[i] == st_writer ? (int)writer++ :
				roles[i] == st_subscriber ? (int)(i & 1) : (int)i;
		threads[n].rng = 0x9E3779B97F4A7C15ULL * (i + 1);
		ASSERT_EQ(0, pthread_create(&tids[n], NULL, roles[i], &threads[n]));
		n++;
	}
	usleep(secs * 1e6);
	atomic_store(&st->stop, true);
	for (i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	ASSERT_EQ(0, st->failure[0]) TH_LOG("%s", st->failure);

	/* No acknowledged write lost, no delete undone. */
	for (writer = 0; writer < ST_WRITERS; writer++) {
		int k;

		for (k = 0; k < ST_KEYS; k++) {
			const struct st_key_state *ks = &st->keys[writer][k];
			int klen = st_key(key, writer, k), ret;
			uint64_t version = 0;

			len = sizeof(buf);
			ret = rt_get(st->fd, key, klen, buf, &len, &version);
			if (!ks->present) {
				ASSERT_EQ(-ENOENT, ret) TH_LOG("%s was deleted", key);
				continue;
			}
			ASSERT_EQ(0, ret) TH_LOG("%s lost", key);
			ASSERT_EQ(st_value(val, writer, k, ks->seq), (int)len);
			ASSERT_EQ(0, memcmp(buf, val, len))
				TH_LOG("%s: '%.*s', acknowledged '%s'", key, (int)len,
				       buf, val);
			ASSERT_EQ(ks->version, version) TH_LOG("%s", key);
		}
	}

	/* Exact counts. */
	len = sizeof(buf) - 1;
	ASSERT_EQ(0, rt_get(st->fd, "cas", 3, buf, &len, NULL));
	buf[len] = 0;
	ASSERT_EQ(atomic_load(&st->cas_ok), strtoull(buf, NULL, 10));
	ASSERT_EQ(0, rt_incr(st->fd, "incr", 4, 0, &incr));
	ASSERT_EQ((int64_t)atomic_load(&st->incr_ok) * 3, incr);

	/* STATS agree with what a full SCAN finds. */
	count.keys = calloc(100000, sizeof(*count.keys));
	ASSERT_NE(NULL, count.keys);
	ASSERT_LE(0, rt_scan_all(st->fd, st_count_rec, &count));
	ASSERT_GT(100000u, count.records);
	qsort(count.keys, count.records, sizeof(*count.keys), st_cmp);
	for (i = 0, distinct = 0; i < count.records; i++)
		distinct += !i || strcmp(count.keys[i], count.keys[i - 1]);
	ASSERT_EQ(count.records, distinct) TH_LOG("a quiet scan returned duplicates");
	ASSERT_EQ(0, rt_stats(st->fd, &sts));
	ASSERT_EQ(sts.entries, distinct);
	ASSERT_EQ(sts.bytes, count.bytes);
	free(count.keys);

	ksft_print_msg("%.1f s, %u threads: %lu ops (%lu reads, %lu scans, %lu scratch), cas %lu ok %lu retried, incr %lu, %lu table churns, %lu racing ioctls, %lu events (%lu lost)\n",
		       secs, n, atomic_load(&st->ops), atomic_load(&st->reads),
		       atomic_load(&st->scans), atomic_load(&st->deletes),
		       atomic_load(&st->cas_ok), atomic_load(&st->cas_retry),
		       atomic_load(&st->incr_ok), atomic_load(&st->churns),
		       atomic_load(&st->race_ops), atomic_load(&st->events),
		       atomic_load(&st->events_lost));
}

/*
 * An lru table at its limits: writers of fresh keys force evictions while
 * deleters, FLUSH, SCAN and STATS run. STATS never shows more than
 * max_entries or max_bytes, and at the end it equals a full SCAN.
 */
#define ST_LRU_ENTRIES	64
#define ST_LRU_BYTES	8192

struct st_lru {
	int fd;
	atomic_bool stop;
	atomic_ulong puts, evicted_seen, samples;
	char failure[160];
};

static void *st_lru_writer(void *arg)
{
	struct st_thread *t = arg;
	struct st_lru *l = t->lru;
	char key[16], val[128];

	memset(val, 'v', sizeof(val));
	while (!atomic_load(&l->stop)) {
		int klen = sprintf(key, "l%u", (unsigned int)(st_rand(t) % 1000));
		uint32_t vlen = st_rand(t) % sizeof(val);
		int ret = rt_put(l->fd, key, klen, val, vlen, 0, 0, NULL);

		/* A value too big to fit after eviction may still fail. */
		if (ret && ret != -EFBIG && ret != -ENOSPC && !l->failure[0])
			snprintf(l->failure, sizeof(l->failure), "lru put: %d", ret);
		switch (st_rand(t) % 64) {
		case 0:
			rt_del(l->fd, key, klen, 0, 0);
			break;
		case 1:
			if (t->id == 0)
				rt_flush(l->fd);
			break;
		}
		atomic_fetch_add(&l->puts, 1);
	}
	return NULL;
}

static void *st_lru_watcher(void *arg)
{
	struct st_thread *t = arg;
	struct st_lru *l = t->lru;
	struct skv_stats sts;

	while (!atomic_load(&l->stop)) {
		long n;

		if (rt_stats(l->fd, &sts))
			continue;
		if ((sts.entries > ST_LRU_ENTRIES || sts.bytes > ST_LRU_BYTES) &&
		    !l->failure[0])
			snprintf(l->failure, sizeof(l->failure),
				 "stats: %llu entries, %llu bytes",
				 (unsigned long long)sts.entries,
				 (unsigned long long)sts.bytes);
		n = t->id ? rt_scan_all(l->fd, NULL, NULL) : 0;
		if (n < 0 && !l->failure[0])
			snprintf(l->failure, sizeof(l->failure), "scan: %ld", n);
		atomic_store(&l->evicted_seen, sts.evictions);
		atomic_fetch_add(&l->samples, 1);
	}
	return NULL;
}

TEST_F_TIMEOUT(stress, lru_at_its_limits, 120)
{
	struct skv_table_attr attr = {
		.max_entries = ST_LRU_ENTRIES, .max_bytes = ST_LRU_BYTES,
		.policy = SKV_POLICY_LRU,
	};
	void *(*const roles[])(void *) = {
		st_lru_writer, st_lru_writer, st_lru_writer, st_lru_watcher,
		st_lru_watcher,
	};
	struct st_thread threads[RT_ARRAY_SIZE(roles)];
	pthread_t tids[RT_ARRAY_SIZE(roles)];
	struct st_count count = { 0 };
	struct st_lru l = { 0 };
	struct skv_stats sts;
	unsigned int i;

	rt_table_delete(self->st.ctl, "st-lru");
	l.fd = rt_table_open(self->st.ctl, "st-lru", SKV_OPEN_CREATE, &attr);
	ASSERT_LE(0, l.fd);
	for (i = 0; i < RT_ARRAY_SIZE(roles); i++) {
		threads[i].st = NULL;
		threads[i].lru = &l;
		threads[i].id = i % 3;
		threads[i].rng = 0xD1B54A32D192ED03ULL * (i + 1);
		ASSERT_EQ(0, pthread_create(&tids[i], NULL, roles[i], &threads[i]));
	}
	usleep(rt_debug_kernel() ? 1000000 : 2000000);
	atomic_store(&l.stop, true);
	for (i = 0; i < RT_ARRAY_SIZE(roles); i++)
		pthread_join(tids[i], NULL);
	ASSERT_EQ(0, l.failure[0]) TH_LOG("%s", l.failure);

	count.keys = calloc(100000, sizeof(*count.keys));
	ASSERT_NE(NULL, count.keys);
	ASSERT_LE(0, rt_scan_all(l.fd, st_count_rec, &count));
	ASSERT_EQ(0, rt_stats(l.fd, &sts));
	EXPECT_EQ(sts.entries, count.records);
	EXPECT_EQ(sts.bytes, count.bytes);
	EXPECT_GE((uint64_t)ST_LRU_ENTRIES, sts.entries);
	ksft_print_msg("lru: %lu PUTs, %llu evictions, %lu stats samples, %llu entries at the end\n",
		       atomic_load(&l.puts), (unsigned long long)sts.evictions,
		       atomic_load(&l.samples), (unsigned long long)sts.entries);
	free(count.keys);
	close(l.fd);
	rt_table_delete(self->st.ctl, "st-lru");
}

TEST_HARNESS_MAIN
