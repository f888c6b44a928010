// SPDX-License-Identifier: GPL-2.0
/*
 * The skv-sync test's load generator: etcd over the same v3 JSON gateway
 * as the daemon with one kept-alive libcurl connection, and skv tables
 * through libskvdev. Under TCG a process per request (etcdctl, wget,
 * skvtool) costs more than the request.
 *
 *   skv-sync-load etcd-put URL PREFIX FROM N [LEASE]
 *       put PREFIXk<i> = value-<i> for i in FROM..FROM+N-1 (with LEASE);
 *       after every fifth put, delete PREFIXk<i-2>
 *   skv-sync-load etcd-dump URL PREFIX
 *       every key under PREFIX at one revision, "KEY<tab>VALUE" a line
 *   skv-sync-load table-put TABLE FROM N [DELAY_MS]
 *       put w<i> = v<i> for i in FROM..FROM+N-1, every fourth with a TTL of
 *       1 h; after every fifth put, delete w<i-3>; DELAY_MS between puts
 *
 * Exit status 0, or 1 with one line on stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <skvdev.h>

#include "../skv-sync.h"

struct reply {
	char *data;
	size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	char *d = realloc(r->data, r->len + size * n + 1);

	if (!d)
		return 0;
	memcpy(d + r->len, p, size * n);
	r->len += size * n;
	d[r->len] = '\0';
	r->data = d;
	return size * n;
}

static CURL *curl;
static const char *base;

static struct json_object *post(const char *path, struct json_object *body)
{
	struct reply r = { 0 };
	struct json_object *o;
	char url[512];
	long code = 0;
	CURLcode cc;
	int tries;

	snprintf(url, sizeof(url), "%s%s", base, path);
	/* a member may be electing a leader: retry for about 20 s */
	for (tries = 0; tries < 40; tries++) {
		free(r.data);
		r.data = NULL;
		r.len = 0;
		curl_easy_setopt(curl, CURLOPT_URL, url);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
				 json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
		cc = curl_easy_perform(curl);
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
		if (cc == CURLE_OK && code == 200)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 500000000 }, NULL);
	}
	json_object_put(body);
	if (cc != CURLE_OK || code != 200) {
		fprintf(stderr, "skv-sync-load: %s: %s, HTTP %ld: %s\n", url,
			curl_easy_strerror(cc), code, r.data ? r.data : "");
		exit(1);
	}
	o = json_tokener_parse(r.data);
	free(r.data);
	if (!o) {
		fprintf(stderr, "skv-sync-load: %s: not JSON\n", url);
		exit(1);
	}
	return o;
}

static struct json_object *kv_body(const char *key, const char *value,
				   const char *lease)
{
	struct json_object *b = json_object_new_object();
	char *k = skv_b64_encode(key, strlen(key));

	json_object_object_add(b, "key", json_object_new_string(k));
	free(k);
	if (value) {
		char *v = skv_b64_encode(value, strlen(value));

		json_object_object_add(b, "value", json_object_new_string(v));
		free(v);
	}
	if (lease)
		json_object_object_add(b, "lease", json_object_new_string(lease));
	return b;
}

static void put(const char *prefix, long from, long n, const char *lease)
{
	char key[256], val[64];
	long i;

	for (i = from; i < from + n; i++) {
		snprintf(key, sizeof(key), "%sk%ld", prefix, i);
		snprintf(val, sizeof(val), "value-%ld-%ld", i, (long)time(NULL));
		json_object_put(post("/v3/kv/put", kv_body(key, val, lease)));
		if (i % 5 == 4) {
			snprintf(key, sizeof(key), "%sk%ld", prefix, i - 2);
			json_object_put(post("/v3/kv/deleterange",
					     kv_body(key, NULL, NULL)));
		}
	}
}

static void dump(const char *prefix)
{
	size_t plen = strlen(prefix);
	char *end = strdup(prefix), *e64, *from = strdup(prefix);
	size_t from_len = plen;
	int64_t rev = 0;

	end[plen - 1]++;
	e64 = skv_b64_encode(end, plen);
	for (;;) {
		struct json_object *b = json_object_new_object(), *o, *kvs, *more, *hdr, *v;
		char *f64 = skv_b64_encode(from, from_len);
		size_t i, n;

		json_object_object_add(b, "key", json_object_new_string(f64));
		json_object_object_add(b, "range_end", json_object_new_string(e64));
		json_object_object_add(b, "limit", json_object_new_int(500));
		if (rev)
			json_object_object_add(b, "revision", json_object_new_int64(rev));
		free(f64);
		o = post("/v3/kv/range", b);
		if (!rev && json_object_object_get_ex(o, "header", &hdr) &&
		    json_object_object_get_ex(hdr, "revision", &v))
			rev = json_object_get_int64(v);
		n = json_object_object_get_ex(o, "kvs", &kvs) ?
		    json_object_array_length(kvs) : 0;
		for (i = 0; i < n; i++) {
			struct json_object *kv = json_object_array_get_idx(kvs, i), *k, *val;
			unsigned char *kb, *vb = NULL;
			size_t kl, vl = 0;

			if (!json_object_object_get_ex(kv, "key", &k) ||
			    skv_b64_decode(json_object_get_string(k), &kb, &kl))
				exit(1);
			if (json_object_object_get_ex(kv, "value", &val) &&
			    skv_b64_decode(json_object_get_string(val), &vb, &vl))
				exit(1);
			printf("%s\t%s\n", kb, vb ? (char *)vb : "");
			if (i + 1 == n) {
				free(from);
				from = malloc(kl + 1);
				memcpy(from, kb, kl);
				from[kl] = '\0';
				from_len = kl + 1;
			}
			free(kb);
			free(vb);
		}
		more = NULL;
		json_object_object_get_ex(o, "more", &more);
		if (!n || !more || !json_object_get_boolean(more)) {
			json_object_put(o);
			break;
		}
		json_object_put(o);
	}
	free(end);
	free(e64);
	free(from);
}

static int table_put(const char *name, long from, long n, long delay_ms)
{
	struct skv_table *t;
	struct skv_dev *dev;
	char key[64], val[64];
	long i;
	int ret;

	ret = skv_dev_open(SKV_DEV_PATH, &dev);
	if (!ret)
		ret = skv_table_open(dev, name, 0, NULL, &t);
	if (ret) {
		fprintf(stderr, "skv-sync-load: table %s: %s\n", name, strerror(-ret));
		return 1;
	}
	for (i = from; i < from + n && !ret; i++) {
		struct skv_put_opts po = { .flags = SKV_PUT_TTL, .ttl_ms = 3600000 };

		snprintf(key, sizeof(key), "w%ld", i);
		snprintf(val, sizeof(val), "v%ld", i);
		ret = skv_put(t, key, strlen(key), val, strlen(val),
			      i % 4 == 3 ? &po : NULL, NULL);
		if (delay_ms)
			nanosleep(&(struct timespec){ .tv_sec = delay_ms / 1000,
				  .tv_nsec = delay_ms % 1000 * 1000000 }, NULL);
		if (!ret && i % 5 == 4) {
			snprintf(key, sizeof(key), "w%ld", i - 3);
			ret = skv_delete(t, key, strlen(key), 0, 0, NULL);
			if (ret == -ENOENT)
				ret = 0;
		}
	}
	if (ret)
		fprintf(stderr, "skv-sync-load: table %s: %s\n", name, strerror(-ret));
	skv_table_close(t);
	skv_dev_close(dev);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "table-put"))
		return table_put(argv[2], atol(argv[3]), atol(argv[4]),
				 argc == 6 ? atol(argv[5]) : 0);
	if (argc < 4 || (strcmp(argv[1], "etcd-put") && strcmp(argv[1], "etcd-dump")) ||
	    (!strcmp(argv[1], "etcd-put") && argc < 6) || !argv[3][0]) {
		fprintf(stderr, "usage: skv-sync-load etcd-put URL PREFIX FROM N [LEASE] | etcd-dump URL PREFIX | table-put TABLE FROM N [DELAY_MS]\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	base = argv[2];
	if (!strcmp(argv[1], "etcd-put"))
		put(argv[3], atol(argv[4]), atol(argv[5]), argc > 6 ? argv[6] : NULL);
	else
		dump(argv[3]);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	return 0;
}
