// SPDX-License-Identifier: GPL-2.0
/*
 * A replica link: an etcd key prefix mirrored into a local skv table, over
 * etcd's v3 JSON gateway (grpc-gateway, POST /v3/...; keys and values in
 * base64, 64-bit numbers as strings).
 *
 *   1. Load: /v3/kv/range in pages of page_size keys, every page at the
 *      revision R of the first; then delete the local keys that etcd no
 *      longer has. R becomes the applied revision.
 *   2. Follow: /v3/watch from applied + 1 with progress_notify. etcd sends
 *      every revision, in order; a response may hold several revisions.
 *      Each revision's puts and deletes go to the table in one BATCH
 *      (split only past SKV_BATCH_MAX keys), then that revision counts as
 *      applied. A progress notification (a response with no event) moves
 *      the applied revision to its header's.
 *   3. The applied revision goes to STATE_DIR/NAME.rev (atomically) at
 *      most every 200 ms and on exit. A restart or reconnect watches from
 *      it again: revisions replayed twice write the same keys and values,
 *      so no update is lost and none is applied out of order.
 *   4. A watch from a compacted revision is canceled by etcd with
 *      compact_revision: the link loads again (step 1) and deletes what
 *      went away meanwhile.
 *
 * A key attached to a lease gets the lease's remaining TTL (asked with
 * /v3/lease/timetolive, at most once a second per lease) as its skv TTL.
 * Transport errors, HTTP errors, error replies and malformed JSON each
 * give one log line; the link then moves to the next endpoint, waiting up
 * to 5 s once every endpoint has failed in a row.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <skvdev.h>

#include "skv-sync.h"

#define SKV_REPLICA_LEASES	256	/* lease TTL cache slots */
#define SKV_REPLICA_PERSIST_MS	200
#define SKV_REPLICA_REQ_TIMEOUT	30	/* seconds, unary requests */

/* Why a request or a watch ended. */
enum {
	SKV_R_OK = 0,
	SKV_R_TRANSPORT,	/* connect, reset, timeout, HTTP status */
	SKV_R_MALFORMED,	/* not the JSON etcd sends */
	SKV_R_SERVER,		/* an etcd error reply */
	SKV_R_COMPACTED,	/* the revision we asked for is compacted */
	SKV_R_TABLE,		/* the local table refused a batch */
	SKV_R_STOP,		/* SIGTERM */
};

struct skv_lease {
	int64_t id;
	uint64_t deadline_ms;	/* CLOCK_MONOTONIC when the lease ends */
	uint64_t asked_ms;
};

struct skv_buf {
	char *data;
	size_t len, cap;
};

struct skv_replica {
	struct skv_sync_link *l;
	const char *who;
	struct skv_table *t;
	struct skv_op_batch *batch;
	CURL *unary;		/* range, timetolive */
	CURL *watch;
	unsigned int ep;	/* endpoints[ep] is in use */
	char *key_b64, *end_b64;
	unsigned char *range_end;
	size_t range_end_len;
	uint64_t applied, persisted, persist_ms;
	uint64_t resyncs;
	struct skv_lease leases[SKV_REPLICA_LEASES];
	/* the watch stream */
	json_tokener *tok;
	int stream_status;
	char stream_error[160];
	bool watching;
	/* the values of the batch being built stay alive until submit */
	unsigned char **held;
	unsigned int n_held;
};

static size_t skv_buf_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct skv_buf *b = arg;
	size_t n = size * nmemb;

	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p;

		/* no etcd reply we ask for comes near this */
		if (cap > (256u << 20))
			return 0;
		p = realloc(b->data, cap);
		if (!p)
			return 0;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

static int skv_stop_cb(void *arg, curl_off_t a, curl_off_t b, curl_off_t c,
		       curl_off_t d)
{
	(void)arg; (void)a; (void)b; (void)c; (void)d;
	return skv_sync_stop ? 1 : 0;
}

static const char *skv_ep(struct skv_replica *r)
{
	return r->l->endpoints[r->ep];
}

static void skv_replica_next_endpoint(struct skv_replica *r)
{
	r->ep = (r->ep + 1) % r->l->n_endpoints;
	pthread_mutex_lock(&r->l->lock);
	snprintf(r->l->st.endpoint, sizeof(r->l->st.endpoint), "%s", skv_ep(r));
	pthread_mutex_unlock(&r->l->lock);
}

static void skv_replica_seen(struct skv_replica *r, struct json_object *hdr)
{
	struct json_object *v;
	uint64_t rev;

	if (!hdr || !json_object_object_get_ex(hdr, "revision", &v))
		return;
	rev = json_object_get_int64(v);
	pthread_mutex_lock(&r->l->lock);
	if (rev > r->l->st.seen)
		r->l->st.seen = rev;
	pthread_mutex_unlock(&r->l->lock);
}

static void skv_replica_applied(struct skv_replica *r, uint64_t rev,
				uint64_t ops)
{
	r->applied = rev;
	pthread_mutex_lock(&r->l->lock);
	r->l->st.applied = rev;
	if (rev > r->l->st.seen)
		r->l->st.seen = rev;
	r->l->st.applied_ops += ops;
	r->l->st.last_apply_ms = skv_now_ms();
	pthread_mutex_unlock(&r->l->lock);
}

static void skv_replica_persist(struct skv_replica *r, bool now)
{
	uint64_t t = skv_mono_ms();
	int ret;

	if (r->applied == r->persisted ||
	    (!now && t - r->persist_ms < SKV_REPLICA_PERSIST_MS))
		return;
	ret = skv_state_save_revision(skv_ctx.cfg->state_dir, r->l->name,
				      r->applied);
	if (ret) {
		skv_warn(r->who, "saving revision %" PRIu64 " in %s: %s",
			 r->applied, skv_ctx.cfg->state_dir, strerror(-ret));
		return;
	}
	r->persisted = r->applied;
	r->persist_ms = t;
}

/* Error text of an etcd reply: {"error": ..., "code": N} */
static bool skv_etcd_error(struct json_object *o, char *buf, size_t size,
			   bool *compacted)
{
	struct json_object *v;
	const char *msg;

	if (!json_object_object_get_ex(o, "error", &v))
		return false;
	msg = json_object_get_string(v);
	snprintf(buf, size, "%s", msg ? msg : "(error)");
	*compacted = msg && strstr(msg, "compacted");
	return true;
}

/*
 * POST a JSON body to the endpoint in use; the reply is parsed into *out.
 * err gets one line saying what went wrong.
 */
static int skv_etcd_post(struct skv_replica *r, const char *path,
			 struct json_object *body, struct json_object **out,
			 char *err, size_t err_size)
{
	struct skv_buf b = { 0 };
	char url[512];
	long code = 0;
	bool compacted;
	CURLcode cc;

	*out = NULL;
	snprintf(url, sizeof(url), "%s%s", skv_ep(r), path);
	curl_easy_reset(r->unary);
	curl_easy_setopt(r->unary, CURLOPT_URL, url);
	curl_easy_setopt(r->unary, CURLOPT_POSTFIELDS,
			 json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
	curl_easy_setopt(r->unary, CURLOPT_WRITEFUNCTION, skv_buf_write);
	curl_easy_setopt(r->unary, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(r->unary, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(r->unary, CURLOPT_TIMEOUT, (long)SKV_REPLICA_REQ_TIMEOUT);
	curl_easy_setopt(r->unary, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->unary, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(r->unary, CURLOPT_XFERINFOFUNCTION, skv_stop_cb);
	cc = curl_easy_perform(r->unary);
	if (cc == CURLE_ABORTED_BY_CALLBACK) {
		free(b.data);
		return SKV_R_STOP;
	}
	if (cc != CURLE_OK) {
		snprintf(err, err_size, "%s: %s", url, curl_easy_strerror(cc));
		free(b.data);
		return SKV_R_TRANSPORT;
	}
	curl_easy_getinfo(r->unary, CURLINFO_RESPONSE_CODE, &code);
	*out = b.data ? json_tokener_parse(b.data) : NULL;
	if (*out && skv_etcd_error(*out, err, err_size, &compacted)) {
		free(b.data);
		json_object_put(*out);
		*out = NULL;
		return compacted ? SKV_R_COMPACTED : SKV_R_SERVER;
	}
	if (code != 200) {
		snprintf(err, err_size, "%s: HTTP status %ld", url, code);
		free(b.data);
		json_object_put(*out);
		*out = NULL;
		return SKV_R_TRANSPORT;
	}
	if (!*out || !json_object_is_type(*out, json_type_object)) {
		snprintf(err, err_size, "%s: the reply is not a JSON object (%zu bytes)",
			 url, b.len);
		free(b.data);
		json_object_put(*out);
		*out = NULL;
		return SKV_R_MALFORMED;
	}
	free(b.data);
	return SKV_R_OK;
}

static int64_t skv_jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

/* The remaining TTL of @lease in ms: 0 = none, or an error status < 0. */
static int64_t skv_replica_lease_ttl(struct skv_replica *r, int64_t lease)
{
	struct skv_lease *c = &r->leases[(uint64_t)lease % SKV_REPLICA_LEASES];
	uint64_t now = skv_mono_ms();
	struct json_object *body, *reply;
	char err[256];
	int64_t ttl;
	int ret;

	if (!lease)
		return 0;
	/* keepalives move a lease's end: ask again after a second */
	if (c->id != lease || now - c->asked_ms > 1000) {
		body = json_object_new_object();
		json_object_object_add(body, "ID", json_object_new_int64(lease));
		ret = skv_etcd_post(r, "/v3/lease/timetolive", body, &reply, err,
				    sizeof(err));
		json_object_put(body);
		if (ret) {
			if (ret != SKV_R_STOP)
				snprintf(r->stream_error, sizeof(r->stream_error),
					 "lease %" PRId64 ": %s", lease, err);
			return -ret;
		}
		ttl = skv_jint(reply, "TTL");
		json_object_put(reply);
		c->id = lease;
		c->asked_ms = now;
		/* TTL -1: the lease is gone and etcd deletes its keys next */
		c->deadline_ms = now + (ttl > 0 ? ttl * 1000 : 1);
	}
	return c->deadline_ms > now ? (int64_t)(c->deadline_ms - now) : 1;
}

static void skv_replica_release(struct skv_replica *r)
{
	unsigned int i;

	for (i = 0; i < r->n_held; i++)
		free(r->held[i]);
	r->n_held = 0;
	skv_batch_reset(r->batch);
}

/* Submit the batch; every op must succeed (a delete may find nothing). */
static int skv_replica_submit(struct skv_replica *r, uint64_t *ops)
{
	unsigned int i, n = skv_batch_count(r->batch);
	int ret, bad = 0;

	if (!n)
		return 0;
	ret = skv_batch_submit(r->t, r->batch);
	if (ret) {
		skv_err(r->who, "batch of %u ops: %s", n, strerror(-ret));
		skv_replica_release(r);
		return SKV_R_TABLE;
	}
	for (i = 0; i < n; i++) {
		struct skv_batch_res res;

		skv_batch_result(r->batch, i, &res);
		if (res.status && res.status != -ENOENT && !bad++)
			skv_err(r->who, "op %u of a batch of %u: %s (key too long, value too big or table full?)",
				i, n, strerror(-res.status));
	}
	if (ops)
		*ops += n;
	skv_replica_release(r);
	return 0;
}

/* Hold a decoded key or value until the batch is submitted. */
static int skv_replica_hold(struct skv_replica *r, unsigned char *p)
{
	if (r->n_held == 2 * SKV_BATCH_MAX + 2) {
		free(p);
		return -ENOSPC;
	}
	r->held[r->n_held++] = p;
	return 0;
}

/* Add one kv (PUT) or a deletion to the batch, submitting it when full. */
static int skv_replica_add(struct skv_replica *r, struct json_object *kv,
			   bool del, uint64_t *ops, unsigned char **keyp,
			   size_t *key_lenp)
{
	struct json_object *k, *v;
	unsigned char *key, *val = NULL;
	size_t key_len, val_len = 0;
	struct skv_put_opts po = { 0 };
	int64_t ttl;
	int ret;

	if (skv_batch_count(r->batch) >= SKV_BATCH_MAX) {
		ret = skv_replica_submit(r, ops);
		if (ret)
			return ret;
	}
	if (!json_object_is_type(kv, json_type_object) ||
	    !json_object_object_get_ex(kv, "key", &k) ||
	    !json_object_is_type(k, json_type_string) ||
	    skv_b64_decode(json_object_get_string(k), &key, &key_len) ||
	    !key_len) {
		snprintf(r->stream_error, sizeof(r->stream_error),
			 "malformed reply from %s: a kv without a base64 key",
			 skv_ep(r));
		return SKV_R_MALFORMED;
	}
	if (key_len < r->l->prefix_len ||
	    memcmp(key, r->l->prefix, r->l->prefix_len)) {
		free(key);
		snprintf(r->stream_error, sizeof(r->stream_error),
			 "malformed reply from %s: a key outside prefix '%s'",
			 skv_ep(r), r->l->prefix);
		return SKV_R_MALFORMED;
	}
	skv_replica_hold(r, key);
	if (keyp) {
		*keyp = key;
		*key_lenp = key_len;
	}
	if (del) {
		skv_batch_add_delete(r->batch, key, key_len, 0, 0);
		return 0;
	}
	if (json_object_object_get_ex(kv, "value", &v)) {
		if (!json_object_is_type(v, json_type_string) ||
		    skv_b64_decode(json_object_get_string(v), &val, &val_len)) {
			snprintf(r->stream_error, sizeof(r->stream_error),
				 "malformed reply from %s: a value that is not base64",
				 skv_ep(r));
			return SKV_R_MALFORMED;
		}
		skv_replica_hold(r, val);
	}
	ttl = skv_replica_lease_ttl(r, skv_jint(kv, "lease"));
	if (ttl < 0)
		return -ttl;
	if (ttl) {
		po.flags = SKV_PUT_TTL;
		po.ttl_ms = ttl;
	}
	ret = skv_batch_add_put(r->batch, key, key_len, val ? val : (unsigned char *)"",
				val_len, &po);
	if (ret) {
		skv_err(r->who, "key of %zu bytes, value of %zu: %s", key_len,
			val_len, strerror(-ret));
		return SKV_R_TABLE;
	}
	return 0;
}

struct skv_keyset {
	struct skv_key { unsigned char *p; size_t len; } *keys;
	size_t n, cap;
};

static int skv_key_cmp(const void *a, const void *b)
{
	const struct skv_key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int skv_keyset_add(struct skv_keyset *s, const void *p, size_t len)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct skv_key *k = realloc(s->keys, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		s->keys = k;
		s->cap = cap;
	}
	s->keys[s->n].p = malloc(len ? len : 1);
	if (!s->keys[s->n].p)
		return -ENOMEM;
	memcpy(s->keys[s->n].p, p, len);
	s->keys[s->n++].len = len;
	return 0;
}

static void skv_keyset_free(struct skv_keyset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->keys[i].p);
	free(s->keys);
	memset(s, 0, sizeof(*s));
}

/* Delete the local keys that are not in @etcd (sorted). */
static int skv_replica_prune(struct skv_replica *r, struct skv_keyset *etcd,
			     uint64_t *deleted)
{
	struct skv_keyset gone = { 0 };
	struct skv_scan_iter *it;
	struct skv_scan_item item;
	size_t i;
	int ret;

	ret = skv_scan_begin(r->t, NULL, 0, 0, 256, &it);
	if (ret)
		return ret;
	while (!(ret = skv_scan_next(it, &item))) {
		struct skv_key k = { (unsigned char *)item.key, item.key_len };

		if (!bsearch(&k, etcd->keys, etcd->n, sizeof(k), skv_key_cmp) &&
		    (ret = skv_keyset_add(&gone, item.key, item.key_len)))
			break;
	}
	skv_scan_end(it);
	if (ret != -ENOENT) {
		skv_keyset_free(&gone);
		return ret;
	}
	ret = 0;
	for (i = 0; i < gone.n && !ret; i++) {
		ret = skv_delete(r->t, gone.keys[i].p, gone.keys[i].len, 0, 0, NULL);
		if (ret == -ENOENT)	/* expired meanwhile */
			ret = 0;
	}
	*deleted = gone.n;
	skv_keyset_free(&gone);
	return ret;
}

/* Step 1: the whole prefix at one revision, then prune. */
static int skv_replica_load(struct skv_replica *r, const char *why)
{
	struct skv_keyset keys = { 0 };
	unsigned char *next = NULL;
	size_t next_len = 0;
	uint64_t rev = 0, ops = 0, deleted = 0;
	char err[256];
	int ret;

	skv_link_set(r->l, r->applied ? "resyncing" : "loading", NULL);
	skv_info(r->who, "loading prefix '%s' from %s (%s)", r->l->prefix,
		 skv_ep(r), why);
	for (;;) {
		struct json_object *body, *reply, *kvs, *more, *hdr;
		unsigned char *last = NULL;
		size_t last_len = 0, i, n;
		char *from = next ? skv_b64_encode(next, next_len) : NULL;

		body = json_object_new_object();
		json_object_object_add(body, "key", json_object_new_string(
			from ? from : r->key_b64));
		free(from);
		json_object_object_add(body, "range_end",
				       json_object_new_string(r->end_b64));
		json_object_object_add(body, "limit",
				       json_object_new_int64(r->l->page_size));
		if (rev)
			json_object_object_add(body, "revision",
					       json_object_new_int64(rev));
		ret = skv_etcd_post(r, "/v3/kv/range", body, &reply, err,
				    sizeof(err));
		json_object_put(body);
		if (ret) {
			if (ret != SKV_R_STOP)
				snprintf(r->stream_error, sizeof(r->stream_error),
					 "range: %s", err);
			goto out;
		}
		if (!json_object_object_get_ex(reply, "header", &hdr) ||
		    (!rev && !(rev = skv_jint(hdr, "revision")))) {
			snprintf(r->stream_error, sizeof(r->stream_error),
				 "malformed reply from %s: a range without header.revision",
				 skv_ep(r));
			json_object_put(reply);
			ret = SKV_R_MALFORMED;
			goto out;
		}
		skv_replica_seen(r, hdr);
		n = 0;
		if (json_object_object_get_ex(reply, "kvs", &kvs)) {
			if (!json_object_is_type(kvs, json_type_array)) {
				json_object_put(reply);
				snprintf(r->stream_error, sizeof(r->stream_error),
					 "malformed reply from %s: kvs is not an array",
					 skv_ep(r));
				ret = SKV_R_MALFORMED;
				goto out;
			}
			n = json_object_array_length(kvs);
		}
		for (i = 0; i < n; i++) {
			ret = skv_replica_add(r, json_object_array_get_idx(kvs, i),
					      false, &ops, &last, &last_len);
			if (!ret && skv_keyset_add(&keys, last, last_len))
				ret = SKV_R_TABLE;
			if (ret) {
				json_object_put(reply);
				goto out;
			}
		}
		more = NULL;
		json_object_object_get_ex(reply, "more", &more);
		if (!more || !json_object_get_boolean(more) || !n) {
			json_object_put(reply);
			break;
		}
		/* the next page starts just after the last key */
		free(next);
		next = malloc(last_len + 1);
		if (!next) {
			json_object_put(reply);
			ret = SKV_R_TABLE;
			goto out;
		}
		memcpy(next, last, last_len);
		next[last_len] = '\0';
		next_len = last_len + 1;
		json_object_put(reply);
		ret = skv_replica_submit(r, &ops);
		if (ret)
			goto out;
	}
	ret = skv_replica_submit(r, &ops);
	if (ret)
		goto out;
	qsort(keys.keys, keys.n, sizeof(*keys.keys), skv_key_cmp);
	ret = skv_replica_prune(r, &keys, &deleted);
	if (ret) {
		skv_err(r->who, "scanning the table to delete stale keys: %s",
			strerror(-ret));
		ret = SKV_R_TABLE;
		goto out;
	}
	skv_replica_applied(r, rev, ops + deleted);
	skv_replica_persist(r, true);
	skv_info(r->who, "loaded %zu keys at revision %" PRIu64 ", deleted %" PRIu64 " stale",
		 keys.n, rev, deleted);
out:
	skv_replica_release(r);
	free(next);
	skv_keyset_free(&keys);
	return ret;
}

/* One revision's events, events[from..to), as one batch. */
static int skv_replica_apply_rev(struct skv_replica *r, struct json_object *events,
				 size_t from, size_t to, uint64_t rev)
{
	uint64_t ops = 0;
	size_t i;
	int ret;

	for (i = from; i < to; i++) {
		struct json_object *e = json_object_array_get_idx(events, i), *kv, *type;
		bool del;

		json_object_object_get_ex(e, "kv", &kv);
		del = json_object_object_get_ex(e, "type", &type) &&
		      !strcmp(json_object_get_string(type), "DELETE");
		ret = skv_replica_add(r, kv, del, &ops, NULL, NULL);
		if (ret) {
			skv_replica_release(r);
			return ret;
		}
	}
	ret = skv_replica_submit(r, &ops);
	if (ret)
		return ret;
	skv_replica_applied(r, rev, ops);
	skv_dbg(r->who, "revision %" PRIu64 ": %" PRIu64 " keys", rev, ops);
	return 0;
}

static int64_t skv_event_rev(struct json_object *e)
{
	struct json_object *kv;

	if (!json_object_is_type(e, json_type_object) ||
	    !json_object_object_get_ex(e, "kv", &kv))
		return -1;
	return skv_jint(kv, "mod_revision");
}

/* One message of the watch stream. */
static int skv_replica_watch_msg(struct skv_replica *r, struct json_object *o)
{
	struct json_object *res, *hdr = NULL, *events, *v;
	bool compacted;
	size_t i, n, from;

	if (!json_object_is_type(o, json_type_object))
		goto malformed;
	if (skv_etcd_error(o, r->stream_error, sizeof(r->stream_error), &compacted))
		return compacted ? SKV_R_COMPACTED : SKV_R_SERVER;
	if (!json_object_object_get_ex(o, "result", &res) ||
	    !json_object_is_type(res, json_type_object))
		goto malformed;
	json_object_object_get_ex(res, "header", &hdr);
	skv_replica_seen(r, hdr);
	if (json_object_object_get_ex(res, "canceled", &v) &&
	    json_object_get_boolean(v)) {
		if (skv_jint(res, "compact_revision") > 0) {
			snprintf(r->stream_error, sizeof(r->stream_error),
				 "revision %" PRIu64 " is compacted (compact_revision %" PRId64 ")",
				 r->applied + 1, skv_jint(res, "compact_revision"));
			return SKV_R_COMPACTED;
		}
		json_object_object_get_ex(res, "cancel_reason", &v);
		snprintf(r->stream_error, sizeof(r->stream_error),
			 "%s canceled the watch: %s", skv_ep(r),
			 v ? json_object_get_string(v) : "no reason given");
		return SKV_R_SERVER;
	}
	if (json_object_object_get_ex(res, "created", &v) &&
	    json_object_get_boolean(v)) {
		r->watching = true;
		skv_link_set(r->l, "following", "%s", "");
		skv_info(r->who, "watching from revision %" PRIu64 " at %s",
			 r->applied + 1, skv_ep(r));
		return 0;
	}
	if (!json_object_object_get_ex(res, "events", &events)) {
		/* a progress notification: everything up to it was sent */
		int64_t rev = hdr ? skv_jint(hdr, "revision") : 0;

		if (rev > 0 && (uint64_t)rev > r->applied)
			skv_replica_applied(r, rev, 0);
		return 0;
	}
	if (!json_object_is_type(events, json_type_array))
		goto malformed;
	n = json_object_array_length(events);
	for (from = 0; from < n; from = i) {
		int64_t rev = skv_event_rev(json_object_array_get_idx(events, from));
		int ret;

		if (rev <= 0)
			goto malformed;
		for (i = from + 1; i < n; i++) {
			int64_t next = skv_event_rev(json_object_array_get_idx(events, i));

			if (next < rev)
				goto malformed;
			if (next != rev)
				break;
		}
		/* already applied (a replay after a reconnect) */
		if ((uint64_t)rev <= r->applied)
			continue;
		ret = skv_replica_apply_rev(r, events, from, i, rev);
		if (ret)
			return ret;
	}
	return 0;
malformed:
	snprintf(r->stream_error, sizeof(r->stream_error),
		 "malformed watch message from %s", skv_ep(r));
	return SKV_R_MALFORMED;
}

static size_t skv_replica_stream(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct skv_replica *r = arg;
	size_t len = size * nmemb, off = 0;

	while (off < len) {
		struct json_object *o;
		enum json_tokener_error jerr;
		size_t used;

		/* skip the newlines between messages */
		while (off < len && (ptr[off] == '\n' || ptr[off] == '\r' ||
				     ptr[off] == ' '))
			off++;
		if (off == len)
			break;
		o = json_tokener_parse_ex(r->tok, ptr + off, len - off);
		jerr = json_tokener_get_error(r->tok);
		used = json_tokener_get_parse_end(r->tok);
		if (jerr == json_tokener_continue)
			return len;	/* the rest of this message comes next */
		if (jerr != json_tokener_success) {
			snprintf(r->stream_error, sizeof(r->stream_error),
				 "malformed watch stream from %s: %s", skv_ep(r),
				 json_tokener_error_desc(jerr));
			r->stream_status = SKV_R_MALFORMED;
			return 0;
		}
		json_tokener_reset(r->tok);
		off += used;
		r->stream_status = skv_replica_watch_msg(r, o);
		json_object_put(o);
		if (r->stream_status)
			return 0;
		skv_replica_persist(r, false);
	}
	return len;
}

/* Step 2: follow until the stream ends; returns why it ended. */
static int skv_replica_follow(struct skv_replica *r)
{
	struct json_object *body, *req;
	char url[512];
	long code = 0;
	CURLcode cc;

	body = json_object_new_object();
	req = json_object_new_object();
	json_object_object_add(req, "key", json_object_new_string(r->key_b64));
	json_object_object_add(req, "range_end", json_object_new_string(r->end_b64));
	json_object_object_add(req, "start_revision",
			       json_object_new_int64(r->applied + 1));
	json_object_object_add(req, "progress_notify", json_object_new_boolean(1));
	json_object_object_add(body, "create_request", req);

	snprintf(url, sizeof(url), "%s/v3/watch", skv_ep(r));
	curl_easy_reset(r->watch);
	curl_easy_setopt(r->watch, CURLOPT_URL, url);
	curl_easy_setopt(r->watch, CURLOPT_POSTFIELDS,
			 json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
	curl_easy_setopt(r->watch, CURLOPT_WRITEFUNCTION, skv_replica_stream);
	curl_easy_setopt(r->watch, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->watch, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(r->watch, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->watch, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(r->watch, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(r->watch, CURLOPT_XFERINFOFUNCTION, skv_stop_cb);
	if (r->l->idle_timeout_s) {
		/* silence longer than this (no event, no progress) = dead peer */
		curl_easy_setopt(r->watch, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(r->watch, CURLOPT_LOW_SPEED_TIME,
				 (long)r->l->idle_timeout_s);
	}
	json_tokener_reset(r->tok);
	r->stream_status = 0;
	r->watching = false;
	cc = curl_easy_perform(r->watch);
	json_object_put(body);
	skv_replica_persist(r, true);
	if (r->stream_status)
		return r->stream_status;
	if (cc == CURLE_ABORTED_BY_CALLBACK)
		return SKV_R_STOP;
	curl_easy_getinfo(r->watch, CURLINFO_RESPONSE_CODE, &code);
	if (cc != CURLE_OK)
		snprintf(r->stream_error, sizeof(r->stream_error), "watch %s: %s",
			 url, curl_easy_strerror(cc));
	else if (code != 200)
		snprintf(r->stream_error, sizeof(r->stream_error),
			 "watch %s: HTTP status %ld", url, code);
	else
		snprintf(r->stream_error, sizeof(r->stream_error),
			 "watch %s: the stream ended", url);
	return SKV_R_TRANSPORT;
}

/* range_end of a prefix: the prefix with its last byte below 0xff + 1. */
static int skv_replica_range(struct skv_replica *r)
{
	const unsigned char *p = (const unsigned char *)r->l->prefix;
	size_t n = r->l->prefix_len;

	r->range_end = malloc(n + 1);
	if (!r->range_end)
		return -ENOMEM;
	memcpy(r->range_end, p, n);
	while (n && r->range_end[n - 1] == 0xff)
		n--;
	if (!n) {	/* all 0xff: to the end of the keyspace */
		r->range_end[0] = 0;
		n = 1;
	} else {
		r->range_end[n - 1]++;
	}
	r->range_end_len = n;
	r->key_b64 = skv_b64_encode(r->l->prefix, r->l->prefix_len);
	r->end_b64 = skv_b64_encode(r->range_end, n);
	return r->key_b64 && r->end_b64 ? 0 : -ENOMEM;
}

static int skv_replica_open_table(struct skv_replica *r)
{
	struct skv_table_attr attr = {
		.max_entries = r->l->max_entries,
		.max_key_len = SKV_KEY_LEN_CAP,
		.max_value_len = r->l->max_value_len,
		.mode = 0644,
	};
	struct skv_set set = { .size = sizeof(set), .mask = SKV_SET_MODE,
			       .mode = 0644 };
	int ret;

	ret = skv_table_open(skv_ctx.dev, r->l->table, SKV_OPEN_CREATE, &attr,
			     &r->t);
	if (ret) {
		skv_err(r->who, "table '%s': %s", r->l->table, strerror(-ret));
		return ret;
	}
	if (!skv_table_created(r->t)) {
		/* every local process reads, only the daemon writes */
		ret = skv_table_set(r->t, &set);
		if (ret)
			skv_warn(r->who, "table '%s': setting mode 0644: %s",
				 r->l->table, strerror(-ret));
	}
	return 0;
}

void *skv_replica_run(void *arg)
{
	struct skv_sync_link *l = arg;
	struct skv_replica *r;
	char who[96];
	unsigned int fails = 0;
	bool need_load;
	int ret;

	snprintf(who, sizeof(who), "replica/%s", l->name);
	r = calloc(1, sizeof(*r));
	if (!r) {
		skv_err(who, "out of memory");
		skv_link_set(l, "failed", "out of memory");
		return NULL;
	}
	r->l = l;
	r->who = who;
	r->held = calloc(2 * SKV_BATCH_MAX + 2, sizeof(*r->held));
	r->unary = curl_easy_init();
	r->watch = curl_easy_init();
	r->tok = json_tokener_new_ex(64);
	if (!r->held || !r->unary || !r->watch || !r->tok || skv_replica_range(r) ||
	    skv_batch_new(SKV_BATCH_MAX, &r->batch)) {
		skv_err(who, "out of memory");
		skv_link_set(l, "failed", "out of memory");
		goto out;
	}
	if (skv_replica_open_table(r)) {
		skv_link_set(l, "failed", "cannot open table '%s'", l->table);
		goto out;
	}
	pthread_mutex_lock(&l->lock);
	snprintf(l->st.endpoint, sizeof(l->st.endpoint), "%s", skv_ep(r));
	pthread_mutex_unlock(&l->lock);

	/* A table created just now holds nothing: load whatever the state says. */
	ret = skv_state_load_revision(skv_ctx.cfg->state_dir, l->name, &r->applied);
	if (ret == -EBADMSG)
		skv_warn(who, "state file %s/%s.rev is not a revision; loading again",
			 skv_ctx.cfg->state_dir, l->name);
	else if (ret && ret != -ENOENT)
		skv_warn(who, "state file %s/%s.rev: %s; loading again",
			 skv_ctx.cfg->state_dir, l->name, strerror(-ret));
	if (ret || skv_table_created(r->t)) {
		r->applied = 0;
		need_load = true;
	} else {
		need_load = false;
		r->persisted = r->applied;
		skv_replica_applied(r, r->applied, 0);
		skv_info(who, "resuming from revision %" PRIu64, r->applied);
	}

	while (!skv_sync_stop) {
		if (need_load) {
			ret = skv_replica_load(r, r->applied ? "resync" : "first load");
			if (!ret) {
				need_load = false;
				fails = 0;
			}
		} else {
			ret = skv_replica_follow(r);
			if (r->watching)
				fails = 0;
		}
		if (ret == SKV_R_STOP || (ret == SKV_R_OK && !need_load))
			continue;
		if (ret == SKV_R_COMPACTED) {
			skv_warn(who, "%s: resynchronising", r->stream_error);
			pthread_mutex_lock(&l->lock);
			l->st.resyncs = ++r->resyncs;
			pthread_mutex_unlock(&l->lock);
			need_load = true;
			continue;
		}
		if (ret == SKV_R_TABLE) {
			skv_link_set(l, "failed", "the local table refused writes");
			skv_err(who, "stopping this link: the local table '%s' refused writes",
				l->table);
			break;
		}
		/* transport, server or malformed: next endpoint, then back off */
		skv_link_set(l, "retrying", "%s", r->stream_error);
		fails++;
		skv_warn(who, "%s; next: %s%s", r->stream_error,
			 l->endpoints[(r->ep + 1) % l->n_endpoints],
			 fails >= l->n_endpoints ? " after a pause" : "");
		skv_replica_next_endpoint(r);
		if (fails >= l->n_endpoints) {
			unsigned int shift = fails - l->n_endpoints;

			skv_sleep_ms(shift >= 6 ? 5000 : 100u << shift);
		}
	}
	skv_replica_persist(r, true);
	if (skv_sync_stop)
		skv_link_set(l, "stopped", NULL);
	skv_info(who, "stopped at revision %" PRIu64, r->applied);
out:
	skv_table_close(r->t);
	skv_batch_free(r->batch);
	if (r->tok)
		json_tokener_free(r->tok);
	curl_easy_cleanup(r->unary);
	curl_easy_cleanup(r->watch);
	free(r->held);
	free(r->key_b64);
	free(r->end_b64);
	free(r->range_end);
	free(r);
	return NULL;
}
