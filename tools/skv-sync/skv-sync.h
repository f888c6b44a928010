/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skv-sync: one daemon per host that keeps skv tables in step with a
 * distributed engine (DESIGN.md, "Beyond one host: skv-sync").
 *
 *   replica       etcd prefix -> local table (etcd v3 JSON gateway, libcurl)
 *   write-behind  local table -> Redis under a key prefix (hiredis)
 *
 * Each link runs in its own thread; the main thread handles signals and
 * writes the status file that `skv-sync status` reads.
 */
#ifndef SKV_SYNC_H
#define SKV_SYNC_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SKV_SYNC_MAX_ENDPOINTS	8
#define SKV_SYNC_MAX_LINKS	32

/* Exit statuses, documented in skv-sync(8). */
#define SKV_SYNC_EXIT_OK	0
#define SKV_SYNC_EXIT_FATAL	1	/* /dev/skv, the table, the state dir */
#define SKV_SYNC_EXIT_USAGE	2	/* command line or config file */

enum skv_sync_kind {
	SKV_SYNC_REPLICA,
	SKV_SYNC_WRITE_BEHIND,
};

enum skv_sync_level {
	SKV_LOG_ERR,
	SKV_LOG_WARN,
	SKV_LOG_INFO,
	SKV_LOG_DEBUG,
};

struct skv_sync_link;

/* What `skv-sync status` shows of a link; guarded by link->lock. */
struct skv_sync_status {
	const char *state;	/* a string literal: "loading", "following", ... */
	uint64_t applied;	/* replica: applied etcd revision */
	uint64_t seen;		/* replica: newest revision etcd reported */
	uint64_t resyncs;
	uint64_t applied_ops;	/* keys written or deleted */
	uint64_t last_apply_ms;	/* CLOCK_REALTIME of the last applied change */
	uint64_t pending;	/* write-behind: commands sent, not answered */
	char endpoint[128];	/* the peer in use */
	char error[160];	/* the last error, "" when none */
};

struct skv_sync_link {
	char name[64];
	enum skv_sync_kind kind;
	char table[64];
	/* replica */
	char *endpoints[SKV_SYNC_MAX_ENDPOINTS];
	unsigned int n_endpoints;
	char *prefix;		/* etcd key prefix, or Redis key prefix */
	size_t prefix_len;
	unsigned int page_size;	/* range read page, keys */
	unsigned int idle_timeout_s; /* watch: reconnect after this silence */
	unsigned int max_value_len;
	uint64_t max_entries;
	/* write-behind */
	char *redis;		/* host:port or a unix socket path */
	bool warm;
	unsigned int event_buffer; /* event socket's receive buffer, 0 = default */

	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	struct skv_sync_status st;
};

struct skv_sync_config {
	char *path;
	char *state_dir;
	enum skv_sync_level log_level;
	struct skv_sync_link links[SKV_SYNC_MAX_LINKS];
	unsigned int n_links;
};

/* log.c */
extern enum skv_sync_level skv_log_level;
void skv_log(enum skv_sync_level level, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define skv_err(who, ...)	skv_log(SKV_LOG_ERR, who, __VA_ARGS__)
#define skv_warn(who, ...)	skv_log(SKV_LOG_WARN, who, __VA_ARGS__)
#define skv_info(who, ...)	skv_log(SKV_LOG_INFO, who, __VA_ARGS__)
#define skv_dbg(who, ...)	skv_log(SKV_LOG_DEBUG, who, __VA_ARGS__)

/* config.c */
int skv_config_load(const char *path, struct skv_sync_config *cfg);
void skv_config_free(struct skv_sync_config *cfg);

/* state.c */
int skv_state_write_atomic(const char *path, const char *text);
int skv_state_load_revision(const char *dir, const char *link, uint64_t *rev);
int skv_state_save_revision(const char *dir, const char *link, uint64_t rev);
int skv_status_write(const struct skv_sync_config *cfg);
int skv_status_print(const char *state_dir, bool json);

/* main.c: set by SIGTERM/SIGINT; links drain and return. */
extern volatile sig_atomic_t skv_sync_stop;
uint64_t skv_now_ms(void);		/* CLOCK_REALTIME */
uint64_t skv_mono_ms(void);		/* CLOCK_MONOTONIC */
void skv_sleep_ms(unsigned int ms);	/* returns early on stop */
void skv_link_set(struct skv_sync_link *l, const char *state,
		  const char *error_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* replica.c, writebehind.c: the link threads */
struct skv_dev;
struct skv_sync_ctx {
	struct skv_sync_config *cfg;
	struct skv_dev *dev;
	bool warm;		/* --warm */
};
extern struct skv_sync_ctx skv_ctx;
void *skv_replica_run(void *link);
void *skv_writebehind_run(void *link);

/* base64.c */
char *skv_b64_encode(const void *data, size_t len);
int skv_b64_decode(const char *in, unsigned char **outp, size_t *lenp);

#endif /* SKV_SYNC_H */
