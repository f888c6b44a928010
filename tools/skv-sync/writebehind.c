// SPDX-License-Identifier: GPL-2.0
/*
 * A write-behind link: a local skv table copied to Redis under a key
 * prefix, with hiredis (RESP2).
 *
 * The link subscribes to the table's events (generic netlink), with their
 * values (up to the kernel's limit, SKV_NL_VALUE_MAX). For each set it
 * pipelines SET PREFIX+KEY VALUE [PX TTL] from the event itself; only a
 * longer value, or a kernel whose events carry none, is read back. For
 * each delete or expiry, DEL. Events of one key raised on two CPUs may
 * arrive out of order (a set is announced after its entry is visible,
 * with no lock held): the link remembers per key the version it last
 * sent, a deleted key's too (a tombstone), and skips a set or delete
 * older than that. Tombstones are dropped past SKV_WB_MAX_GONE, and on a
 * reconnect; the highest version dropped becomes a floor below which a
 * set of a key the link does not know is read back instead of trusted. An eviction is not a deletion (the
 * table is a cache in front of Redis), so it sends nothing. Commands are
 * sent in pipelines of up to 512 and their replies read before the next
 * events are taken.
 *
 * Lost events: the kernel drops events when the subscriber's socket is
 * full, and the next event that gets through shows the gap. When none
 * follows, the table's counters do: whenever the socket is empty, the
 * link compares the table's writes + deletes + expirations + evictions
 * (SKV_IOC_STATS) with the events it received since the last resync;
 * more changes than events, twice in a row with the counters standing
 * still (so no change is still on its way), means events were lost.
 *
 * Resynchronisation, on lost events, a flush of the table, or a Redis
 * (re)connect: scan the table and SET every
 * key whose version differs from the one last written (every key after a
 * reconnect: Redis may have restarted empty), then SCAN Redis's keys under
 * the prefix and DEL those the table no longer has.
 *
 * --warm (or warm = yes) first loads the table from Redis: every key under
 * the prefix with its value and PTTL.
 *
 * What can be lost: writes made while the daemon is not running reach
 * Redis only at its next start (the resync); writes whose pipeline was in
 * flight when Redis died reach it after the reconnect's resync. A key
 * written and deleted while the daemon was stopped is never seen, which
 * is also its final state. Writes made to Redis directly under the prefix
 * are overwritten or deleted by the next resync: the direction is one-way.
 */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <skvdev.h>

#include "skv-sync.h"

#define SKV_WB_PIPELINE		512
#define SKV_WB_VMAP_BUCKETS	4096
#define SKV_WB_MAX_GONE		65536	/* tombstones kept */
/* Events with values fill a socket sooner: room for a burst of them. */
#define SKV_WB_RCVBUF		(8 << 20)

/* The version last written to Redis, per key: set, or deleted (gone). */
struct skv_vent {
	struct skv_vent *next;
	uint64_t version;
	bool gone;
	size_t len;
	unsigned char key[];
};

struct skv_wb {
	struct skv_sync_link *l;
	const char *who;
	struct skv_table *t;
	struct skv_events *ev;
	redisContext *rc;
	unsigned int queued;	/* commands sent, replies not read */
	bool resync, full;
	uint64_t resyncs;
	/* lost-event check: the table's change counters against events */
	uint64_t base_ops;	/* counters at the last resync (or rebase) */
	uint64_t seen_ops;	/* change events received since */
	uint64_t last_ops;	/* counters at the previous check */
	bool suspect;		/* the previous check found too few events */
	struct skv_vent *vmap[SKV_WB_VMAP_BUCKETS];
	unsigned int nr_gone;	/* tombstones in vmap */
	uint64_t floor;		/* highest version forgotten from vmap */
	/* the redis key being built: prefix + key */
	unsigned char *rkey;
	size_t rkey_cap;
};

static size_t skv_hash(const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t h = 1469598103934665603ULL;

	while (len--)
		h = (h ^ *s++) * 1099511628211ULL;
	return h % SKV_WB_VMAP_BUCKETS;
}

static struct skv_vent **skv_vmap_find(struct skv_wb *w, const void *key,
				       size_t len)
{
	struct skv_vent **pp = &w->vmap[skv_hash(key, len)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->len == len && !memcmp((*pp)->key, key, len))
			break;
	return pp;
}

/* Record @version for @key, set or (@gone) deleted. */
static void skv_vmap_put(struct skv_wb *w, const void *key, size_t len,
			 uint64_t version, bool gone)
{
	struct skv_vent **pp = skv_vmap_find(w, key, len), *e = *pp;

	if (!e) {
		e = malloc(sizeof(*e) + len);
		if (!e) {
			/* unknown from now on: below the floor, read back */
			if (w->floor < version)
				w->floor = version;
			return;
		}
		e->next = NULL;
		e->gone = false;
		e->len = len;
		memcpy(e->key, key, len);
		*pp = e;
	}
	w->nr_gone += (int)gone - (int)e->gone;
	e->gone = gone;
	e->version = version;
}

static void skv_vmap_set(struct skv_wb *w, const void *key, size_t len,
			 uint64_t version)
{
	skv_vmap_put(w, key, len, version, false);
}

/* Forget the entries @all, or only the tombstones, raising the floor. */
static void skv_vmap_forget(struct skv_wb *w, bool all)
{
	struct skv_vent **pp, *e;
	unsigned int i;

	for (i = 0; i < SKV_WB_VMAP_BUCKETS; i++) {
		for (pp = &w->vmap[i]; (e = *pp);) {
			if (!all && !e->gone) {
				pp = &e->next;
				continue;
			}
			if (w->floor < e->version)
				w->floor = e->version;
			*pp = e->next;
			free(e);
		}
	}
	w->nr_gone = 0;
}

/* @key was deleted at @version: keep a tombstone, a bounded number. */
static void skv_vmap_gone(struct skv_wb *w, const void *key, size_t len,
			  uint64_t version)
{
	if (w->nr_gone >= SKV_WB_MAX_GONE)
		skv_vmap_forget(w, false);
	skv_vmap_put(w, key, len, version, true);
}

static void skv_vmap_clear(struct skv_wb *w)
{
	skv_vmap_forget(w, true);
}

static int skv_wb_rkey(struct skv_wb *w, const void *key, size_t len)
{
	size_t n = w->l->prefix_len + len;

	if (n > w->rkey_cap) {
		unsigned char *p = realloc(w->rkey, n);

		if (!p)
			return -ENOMEM;
		w->rkey = p;
		w->rkey_cap = n;
	}
	memcpy(w->rkey, w->l->prefix, w->l->prefix_len);
	memcpy(w->rkey + w->l->prefix_len, key, len);
	return 0;
}

static void skv_wb_pending(struct skv_wb *w)
{
	pthread_mutex_lock(&w->l->lock);
	w->l->st.pending = w->queued;
	pthread_mutex_unlock(&w->l->lock);
}

static void skv_wb_disconnect(struct skv_wb *w, const char *why)
{
	if (!w->rc)
		return;
	skv_warn(w->who, "redis %s: %s; reconnecting, then resynchronising",
		 w->l->redis, why);
	skv_link_set(w->l, "retrying", "redis: %s", why);
	redisFree(w->rc);
	w->rc = NULL;
	w->queued = 0;
	w->resync = w->full = true;
	skv_vmap_clear(w);
}

/* Read the replies of every queued command. */
static int skv_wb_flush(struct skv_wb *w)
{
	unsigned int errors = 0;
	redisReply *reply;

	while (w->queued) {
		if (redisGetReply(w->rc, (void **)&reply) != REDIS_OK) {
			skv_wb_disconnect(w, w->rc->errstr[0] ? w->rc->errstr :
					  "connection lost");
			return -EIO;
		}
		if (reply->type == REDIS_REPLY_ERROR && !errors++)
			skv_err(w->who, "redis %s refused a command: %.*s",
				w->l->redis, (int)reply->len, reply->str);
		freeReplyObject(reply);
		w->queued--;
	}
	skv_wb_pending(w);
	return 0;
}

static int skv_wb_append_set(struct skv_wb *w, const void *key, size_t key_len,
			     const void *val, size_t val_len, uint64_t ttl_ms)
{
	char px[24];
	const char *argv[5] = { "SET", (char *)w->rkey, val, "PX", px };
	size_t argl[5] = { 3, w->l->prefix_len + key_len, val_len, 2, 0 };

	if (skv_wb_rkey(w, key, key_len))
		return -ENOMEM;
	argv[1] = (char *)w->rkey;
	argl[4] = snprintf(px, sizeof(px), "%" PRIu64, ttl_ms);
	if (redisAppendCommandArgv(w->rc, ttl_ms ? 5 : 3, argv, argl) != REDIS_OK)
		return -ENOMEM;
	w->queued++;
	return 0;
}

static int skv_wb_append_del(struct skv_wb *w, const void *key, size_t key_len)
{
	const char *argv[2] = { "DEL" };
	size_t argl[2] = { 3, w->l->prefix_len + key_len };

	if (skv_wb_rkey(w, key, key_len))
		return -ENOMEM;
	argv[1] = (char *)w->rkey;
	if (redisAppendCommandArgv(w->rc, 2, argv, argl) != REDIS_OK)
		return -ENOMEM;
	w->queued++;
	return 0;
}

static int skv_wb_maybe_flush(struct skv_wb *w)
{
	return w->queued >= SKV_WB_PIPELINE ? skv_wb_flush(w) : 0;
}

static int skv_wb_connect(struct skv_wb *w)
{
	struct timeval tv = { .tv_sec = 5 };
	const char *addr = w->l->redis;
	redisContext *rc;

	if (addr[0] == '/') {
		rc = redisConnectUnixWithTimeout(addr, tv);
	} else {
		char host[256];
		const char *colon = strrchr(addr, ':');
		long port = colon ? strtol(colon + 1, NULL, 10) : 6379;
		size_t n = colon ? (size_t)(colon - addr) : strlen(addr);

		if (n >= sizeof(host) || port <= 0 || port > 65535) {
			skv_err(w->who, "redis '%s' is not host:port or /socket", addr);
			return -EINVAL;
		}
		memcpy(host, addr, n);
		host[n] = '\0';
		rc = redisConnectWithTimeout(host, port, tv);
	}
	if (!rc)
		return -ENOMEM;
	if (rc->err) {
		skv_link_set(w->l, "retrying", "redis %s: %s", addr, rc->errstr);
		skv_warn(w->who, "redis %s: %s", addr, rc->errstr);
		redisFree(rc);
		return -ECONNREFUSED;
	}
	redisSetTimeout(rc, tv);
	w->rc = rc;
	skv_info(w->who, "connected to redis %s", addr);
	return 0;
}

/* SCAN's MATCH pattern for the prefix: glob characters escaped. */
static char *skv_wb_pattern(const char *prefix)
{
	char *out = malloc(strlen(prefix) * 2 + 2), *p = out;

	if (!out)
		return NULL;
	for (; *prefix; prefix++) {
		if (strchr("*?[]\\", *prefix))
			*p++ = '\\';
		*p++ = *prefix;
	}
	*p++ = '*';
	*p = '\0';
	return out;
}

/*
 * For every Redis key under the prefix, call @fn with the key (prefix
 * stripped), in SCAN's order. Returns 0 or -EIO (disconnected).
 */
static int skv_wb_redis_scan(struct skv_wb *w,
			     int (*fn)(struct skv_wb *, redisReply *keys))
{
	char cursor[32] = "0", *pattern = skv_wb_pattern(w->l->prefix);
	redisReply *reply;
	int ret = 0;

	if (!pattern)
		return -ENOMEM;
	do {
		reply = redisCommand(w->rc, "SCAN %s MATCH %s COUNT 500", cursor,
				     pattern);
		if (!reply) {
			skv_wb_disconnect(w, w->rc->errstr);
			ret = -EIO;
			break;
		}
		if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
		    reply->element[0]->type != REDIS_REPLY_STRING ||
		    reply->element[1]->type != REDIS_REPLY_ARRAY ||
		    reply->element[0]->len >= sizeof(cursor)) {
			skv_err(w->who, "redis %s: malformed SCAN reply", w->l->redis);
			freeReplyObject(reply);
			skv_wb_disconnect(w, "malformed SCAN reply");
			ret = -EIO;
			break;
		}
		memcpy(cursor, reply->element[0]->str, reply->element[0]->len);
		cursor[reply->element[0]->len] = '\0';
		ret = fn(w, reply->element[1]);
		freeReplyObject(reply);
	} while (!ret && strcmp(cursor, "0"));
	free(pattern);
	return ret;
}

/* Resync, second half: DEL the Redis keys the table does not have. */
static int skv_wb_prune_keys(struct skv_wb *w, redisReply *keys)
{
	size_t i, p = w->l->prefix_len;

	for (i = 0; i < keys->elements; i++) {
		redisReply *k = keys->element[i];
		size_t len = 0;
		char byte;
		int ret;

		if (k->type != REDIS_REPLY_STRING || k->len <= p)
			continue;
		ret = skv_get(w->t, k->str + p, k->len - p, &byte, &len, NULL);
		if (ret != -ENOENT)
			continue;
		if (skv_wb_append_del(w, k->str + p, k->len - p) ||
		    skv_wb_maybe_flush(w))
			return -EIO;
	}
	return 0;
}

/* writes + deletes + expirations + evictions: one event each */
static int skv_wb_changes(struct skv_wb *w, uint64_t *ops)
{
	struct skv_stats st;
	int ret = skv_table_stats(w->t, &st);

	if (!ret)
		*ops = st.writes + st.deletes + st.expirations + st.evictions;
	return ret;
}

/* With the event socket empty: did the table change more than we heard? */
static void skv_wb_check_lost(struct skv_wb *w)
{
	uint64_t now;

	if (skv_wb_changes(w, &now))
		return;
	if (now - w->base_ops <= w->seen_ops) {
		/* consistent (or events from before the base): rebase */
		w->base_ops = now;
		w->seen_ops = 0;
		w->suspect = false;
	} else if (w->suspect && now == w->last_ops) {
		skv_warn(w->who, "%" PRIu64 " changes of table '%s' came with no event (the socket overflowed); resynchronising",
			 now - w->base_ops - w->seen_ops, w->l->table);
		w->resync = true;
	} else {
		w->suspect = true;
	}
	w->last_ops = now;
}

static int skv_wb_resync(struct skv_wb *w)
{
	struct skv_scan_iter *it;
	struct skv_scan_item item;
	uint64_t written = 0, same = 0;
	int ret;

	skv_link_set(w->l, "resyncing", NULL);
	/* what changes after this point comes as events, or is counted */
	if (!skv_wb_changes(w, &w->base_ops))
		w->last_ops = w->base_ops;
	w->seen_ops = 0;
	w->suspect = false;
	ret = skv_scan_begin(w->t, NULL, 0, SKV_SCAN_VALUES, 256, &it);
	if (ret) {
		skv_err(w->who, "scanning table '%s': %s", w->l->table, strerror(-ret));
		return ret;
	}
	while (!(ret = skv_scan_next(it, &item))) {
		struct skv_vent *e = *skv_vmap_find(w, item.key, item.key_len);

		if (!w->full && e && !e->gone && e->version == item.version) {
			same++;
			continue;
		}
		if (skv_wb_append_set(w, item.key, item.key_len, item.value,
				      item.value_len, item.ttl_ms)) {
			ret = -ENOMEM;
			break;
		}
		skv_vmap_set(w, item.key, item.key_len, item.version);
		written++;
		if (skv_wb_maybe_flush(w)) {
			ret = -EIO;
			break;
		}
	}
	skv_scan_end(it);
	if (ret != -ENOENT)
		return ret;
	ret = skv_wb_flush(w);
	if (!ret)
		ret = skv_wb_redis_scan(w, skv_wb_prune_keys);
	if (!ret)
		ret = skv_wb_flush(w);
	if (ret)
		return ret;
	w->resync = w->full = false;
	pthread_mutex_lock(&w->l->lock);
	w->l->st.resyncs = ++w->resyncs;
	w->l->st.applied_ops += written;
	w->l->st.last_apply_ms = skv_now_ms();
	pthread_mutex_unlock(&w->l->lock);
	skv_link_set(w->l, "following", "%s", "");
	skv_info(w->who, "resynchronised: %" PRIu64 " keys written, %" PRIu64 " unchanged",
		 written, same);
	return 0;
}

/* --warm: every key under the prefix, with its PTTL, into the table. */
static int skv_wb_warm_keys(struct skv_wb *w, redisReply *keys)
{
	size_t i, p = w->l->prefix_len, n = 0;
	int ret = 0;

	for (i = 0; i < keys->elements; i++) {
		redisReply *k = keys->element[i];

		if (k->type != REDIS_REPLY_STRING || k->len <= p)
			continue;
		redisAppendCommand(w->rc, "GET %b", k->str, k->len);
		redisAppendCommand(w->rc, "PTTL %b", k->str, k->len);
		n++;
	}
	for (i = 0; i < keys->elements && n; i++) {
		redisReply *k = keys->element[i], *v = NULL, *ttl = NULL;
		struct skv_put_opts po = { 0 };
		uint64_t version;

		if (k->type != REDIS_REPLY_STRING || k->len <= p)
			continue;
		n--;
		if (redisGetReply(w->rc, (void **)&v) != REDIS_OK ||
		    redisGetReply(w->rc, (void **)&ttl) != REDIS_OK) {
			freeReplyObject(v);
			skv_wb_disconnect(w, w->rc->errstr);
			return -EIO;
		}
		/* a key gone since SCAN, or not a string */
		if (v->type == REDIS_REPLY_STRING && ttl->type == REDIS_REPLY_INTEGER &&
		    ttl->integer != -2) {
			if (ttl->integer > 0) {
				po.flags = SKV_PUT_TTL;
				po.ttl_ms = ttl->integer;
			}
			ret = skv_put(w->t, k->str + p, k->len - p, v->str, v->len,
				      &po, &version);
			if (ret)
				skv_warn(w->who, "warm: key of %zu bytes: %s",
					 k->len - p, strerror(-ret));
			else
				skv_vmap_set(w, k->str + p, k->len - p, version);
		}
		freeReplyObject(v);
		freeReplyObject(ttl);
	}
	return 0;
}

static int skv_wb_on_event(struct skv_wb *w, const struct skv_event *e)
{
	struct skv_vent *e2;
	struct skv_meta meta;
	const void *cval;
	uint64_t ttl_ms;
	size_t len;
	void *val;
	int ret;

	if (e->missed) {
		skv_warn(w->who, "%" PRIu64 " events lost (the socket overflowed); resynchronising",
			 e->missed);
		w->resync = true;
	}
	if (e->type != SKV_EVENT_TYPE_FLUSHED &&
	    e->type != SKV_EVENT_TYPE_TABLE_DELETED)
		w->seen_ops++;
	e2 = *skv_vmap_find(w, e->key, e->key_len);
	switch (e->type) {
	case SKV_EVENT_TYPE_SET:
		/* sent already (--warm, a resync, a newer set or a delete) */
		if (e2 && e2->version >= e->version)
			return 0;
		/* an unknown key at or below the floor may be gone: read it */
		if ((e2 || e->version > w->floor) &&
		    !skv_events_value(w->ev, &cval, &len, &ttl_ms)) {
			ret = skv_wb_append_set(w, e->key, e->key_len, cval,
						len, ttl_ms);
			if (!ret)
				skv_vmap_set(w, e->key, e->key_len, e->version);
			return ret;
		}
		/* no value in the event: read the key back */
		ret = skv_get_alloc(w->t, e->key, e->key_len, &val, &len, &meta);
		if (ret == -ENOENT) {
			/* deleted since: its DELETE event follows */
			skv_vmap_gone(w, e->key, e->key_len, e->version);
			return skv_wb_append_del(w, e->key, e->key_len);
		}
		if (ret)
			return ret;
		if (e2 && e2->version >= meta.version) {
			free(val);
			return 0;
		}
		ret = skv_wb_append_set(w, e->key, e->key_len, val, len, meta.ttl_ms);
		if (!ret)
			skv_vmap_set(w, e->key, e->key_len, meta.version);
		free(val);
		return ret;
	case SKV_EVENT_TYPE_DELETE:
	case SKV_EVENT_TYPE_EXPIRED:
		/* the key was set again after this entry: keep it */
		if (e2 && e2->version > e->version)
			return 0;
		skv_vmap_gone(w, e->key, e->key_len, e->version);
		return skv_wb_append_del(w, e->key, e->key_len);
	case SKV_EVENT_TYPE_EVICTED:
		return 0;
	case SKV_EVENT_TYPE_FLUSHED:
		skv_info(w->who, "table '%s' flushed; resynchronising", w->l->table);
		w->resync = true;
		return 0;
	case SKV_EVENT_TYPE_TABLE_DELETED:
		skv_err(w->who, "table '%s' was deleted", w->l->table);
		return -EIDRM;
	default:
		return 0;
	}
}

static int skv_wb_open(struct skv_wb *w)
{
	struct skv_table_attr attr = { .mode = 0660 };
	int ret;

	ret = skv_table_open(skv_ctx.dev, w->l->table, SKV_OPEN_CREATE, &attr, &w->t);
	if (ret) {
		skv_err(w->who, "table '%s': %s", w->l->table, strerror(-ret));
		return ret;
	}
	ret = skv_events_open(&w->ev);
	if (!ret) {
		int fd = skv_events_fd(w->ev);
		int size = w->l->event_buffer ?: SKV_WB_RCVBUF;
		struct skv_features f;

		/* 0 on a kernel whose events carry no values */
		if (skv_features(skv_ctx.dev, &f))
			f.event_value_max = 0;
		ret = skv_events_subscribe_values(w->ev, w->l->table,
						  f.event_value_max);
		/*
		 * After subscribing, which sizes the buffer for values: as
		 * root past net.core.rmem_max, else up to it.
		 */
		if (!ret &&
		    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	if (ret)
		skv_err(w->who, "events of table '%s': %s", w->l->table, strerror(-ret));
	return ret;
}

void *skv_writebehind_run(void *arg)
{
	struct skv_sync_link *l = arg;
	unsigned int fails = 0;
	struct skv_event e;
	struct skv_wb *w;
	char who[96];
	bool warm;
	int ret = 0;

	snprintf(who, sizeof(who), "write-behind/%s", l->name);
	w = calloc(1, sizeof(*w));
	if (!w) {
		skv_err(who, "out of memory");
		skv_link_set(l, "failed", "out of memory");
		return NULL;
	}
	w->l = l;
	w->who = who;
	w->resync = w->full = true;
	warm = l->warm || skv_ctx.warm;
	pthread_mutex_lock(&l->lock);
	snprintf(l->st.endpoint, sizeof(l->st.endpoint), "%s", l->redis);
	pthread_mutex_unlock(&l->lock);
	if (skv_wb_open(w)) {
		skv_link_set(l, "failed", "cannot open or follow table '%s'", l->table);
		goto out;
	}

	while (!skv_sync_stop) {
		struct pollfd p = { .fd = skv_events_fd(w->ev), .events = POLLIN };

		if (!w->rc) {
			ret = skv_wb_connect(w);
			if (ret == -EINVAL)
				break;
			if (ret) {
				fails++;
				skv_sleep_ms(fails >= 6 ? 5000 : 100u << fails);
				continue;
			}
			fails = 0;
			if (warm) {
				skv_link_set(l, "warming", NULL);
				if (skv_wb_redis_scan(w, skv_wb_warm_keys))
					continue;
				skv_info(who, "warm: table '%s' loaded from redis", l->table);
				warm = false;
				/* what warm wrote is in Redis already */
				w->full = false;
			}
		}
		if (w->resync && skv_wb_resync(w))
			continue;
		/* take every event that is waiting, in pipelines */
		while (!skv_sync_stop && w->rc && !(ret = skv_events_next(w->ev, &e))) {
			ret = skv_wb_on_event(w, &e);
			if (ret == -EIDRM) {
				skv_link_set(l, "failed", "table '%s' was deleted", l->table);
				goto out;
			}
			if (ret)
				skv_warn(who, "event for a key of %zu bytes: %s",
					 e.key_len, strerror(-ret));
			if (skv_wb_maybe_flush(w))
				break;
			pthread_mutex_lock(&l->lock);
			l->st.applied_ops++;
			l->st.last_apply_ms = skv_now_ms();
			pthread_mutex_unlock(&l->lock);
		}
		if (w->rc)
			skv_wb_flush(w);
		if (!w->rc || w->resync)
			continue;
		if (ret && ret != -EAGAIN) {
			skv_err(who, "reading events: %s", strerror(-ret));
			w->resync = true;
			continue;
		}
		skv_wb_check_lost(w);
		if (w->resync)
			continue;
		poll(&p, 1, 200);
	}
	/* SIGTERM: what is queued in the socket goes out before exit */
	if (skv_sync_stop && w->rc && !w->resync) {
		unsigned int n = 0;

		while (!skv_events_next(w->ev, &e) && w->rc) {
			skv_wb_on_event(w, &e);
			skv_wb_maybe_flush(w);
			n++;
		}
		if (w->rc)
			skv_wb_flush(w);
		skv_info(who, "drained %u events", n);
	}
	skv_link_set(l, skv_sync_stop ? "stopped" : "failed", NULL);
out:
	if (w->rc)
		redisFree(w->rc);
	skv_events_close(w->ev);
	skv_table_close(w->t);
	skv_vmap_clear(w);
	free(w->rkey);
	free(w);
	return NULL;
}
