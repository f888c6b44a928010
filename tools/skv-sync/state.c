// SPDX-License-Identifier: GPL-2.0
/*
 * What survives a restart, in the state directory:
 *
 *   NAME.rev      a replica's applied etcd revision ("N\n")
 *   status.json   every link's status, rewritten each second by the daemon
 *                 and read by `skv-sync status`
 *
 * Both are written to a temporary file, synced and renamed over the old
 * one, so a crash leaves either the old or the new file, never half.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skv-sync.h"

int skv_state_write_atomic(const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	char tmp[4096];
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		off += n;
	}
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

static int skv_state_path(char *buf, size_t size, const char *dir,
			  const char *link, const char *suffix)
{
	if (snprintf(buf, size, "%s/%s%s", dir, link, suffix) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/* -ENOENT when the link has no state yet; -EBADMSG when it is not ours. */
int skv_state_load_revision(const char *dir, const char *link, uint64_t *rev)
{
	char path[4096], buf[64], *end;
	ssize_t n;
	int fd, ret;

	ret = skv_state_path(path, sizeof(path), dir, link, ".rev");
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	buf[n] = '\0';
	errno = 0;
	*rev = strtoull(buf, &end, 10);
	if (errno || end == buf || *end != '\n' || end[1])
		return -EBADMSG;
	return 0;
}

int skv_state_save_revision(const char *dir, const char *link, uint64_t rev)
{
	char path[4096], buf[32];
	int ret;

	ret = skv_state_path(path, sizeof(path), dir, link, ".rev");
	if (ret)
		return ret;
	snprintf(buf, sizeof(buf), "%" PRIu64 "\n", rev);
	return skv_state_write_atomic(path, buf);
}

int skv_status_write(const struct skv_sync_config *cfg)
{
	struct json_object *root, *links;
	uint64_t now = skv_now_ms();
	char path[4096];
	unsigned int i;
	int ret;

	ret = skv_state_path(path, sizeof(path), cfg->state_dir, "status",
			     ".json");
	if (ret)
		return ret;
	root = json_object_new_object();
	links = json_object_new_array();
	json_object_object_add(root, "pid", json_object_new_int(getpid()));
	json_object_object_add(root, "time_ms", json_object_new_int64(now));
	json_object_object_add(root, "config", json_object_new_string(cfg->path));
	for (i = 0; i < cfg->n_links; i++) {
		struct skv_sync_link *l = (struct skv_sync_link *)&cfg->links[i];
		struct json_object *o = json_object_new_object();
		struct skv_sync_status st;

		pthread_mutex_lock(&l->lock);
		st = l->st;
		pthread_mutex_unlock(&l->lock);
		json_object_object_add(o, "name", json_object_new_string(l->name));
		json_object_object_add(o, "kind", json_object_new_string(
			l->kind == SKV_SYNC_REPLICA ? "replica" : "write-behind"));
		json_object_object_add(o, "table", json_object_new_string(l->table));
		json_object_object_add(o, "state", json_object_new_string(st.state));
		json_object_object_add(o, "endpoint", json_object_new_string(st.endpoint));
		if (l->kind == SKV_SYNC_REPLICA) {
			json_object_object_add(o, "applied_revision",
					       json_object_new_int64(st.applied));
			json_object_object_add(o, "etcd_revision",
					       json_object_new_int64(st.seen));
			json_object_object_add(o, "lag_revisions",
					       json_object_new_int64(st.seen > st.applied ?
								     st.seen - st.applied : 0));
		} else {
			json_object_object_add(o, "pending",
					       json_object_new_int64(st.pending));
		}
		json_object_object_add(o, "lag_ms", json_object_new_int64(
			st.last_apply_ms && (st.pending || st.seen > st.applied) ?
			now - st.last_apply_ms : 0));
		json_object_object_add(o, "resyncs", json_object_new_int64(st.resyncs));
		json_object_object_add(o, "applied_ops",
				       json_object_new_int64(st.applied_ops));
		json_object_object_add(o, "error", json_object_new_string(st.error));
		json_object_array_add(links, o);
	}
	json_object_object_add(root, "links", links);
	ret = skv_state_write_atomic(path, json_object_to_json_string_ext(root,
					JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return ret;
}

static const char *skv_js(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static int64_t skv_ji(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

/* `skv-sync status`: 0 when the daemon runs, 3 when it does not. */
int skv_status_print(const char *state_dir, bool json)
{
	struct json_object *root, *links;
	char path[4096];
	bool running;
	size_t i, n;
	pid_t pid;

	if (skv_state_path(path, sizeof(path), state_dir, "status", ".json"))
		return SKV_SYNC_EXIT_USAGE;
	root = json_object_from_file(path);
	if (!root || !json_object_object_get_ex(root, "links", &links) ||
	    !json_object_is_type(links, json_type_array)) {
		fprintf(stderr, "skv-sync: error status: no status in %s (is skv-sync running with this state_dir?)\n",
			path);
		json_object_put(root);
		return 3;
	}
	pid = skv_ji(root, "pid");
	/* a status file left by a daemon that died */
	running = pid > 0 && (kill(pid, 0) == 0 || errno == EPERM) &&
		  skv_now_ms() - skv_ji(root, "time_ms") < 10000;
	if (!running)
		json_object_object_add(root, "running", json_object_new_boolean(0));
	else
		json_object_object_add(root, "running", json_object_new_boolean(1));
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
		return running ? 0 : 3;
	}
	printf("skv-sync pid %d: %s\n", pid, running ? "running" : "not running");
	printf("%-16s %-12s %-16s %-10s %10s %8s %8s %7s  %s\n", "LINK", "KIND",
	       "TABLE", "STATE", "REVISION", "LAG", "LAG_MS", "RESYNCS", "ERROR");
	n = json_object_array_length(links);
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(links, i);
		bool replica = !strcmp(skv_js(o, "kind"), "replica");
		char rev[24], lag[24];

		snprintf(rev, sizeof(rev), replica ? "%" PRId64 : "-",
			 skv_ji(o, "applied_revision"));
		snprintf(lag, sizeof(lag), "%" PRId64,
			 replica ? skv_ji(o, "lag_revisions") : skv_ji(o, "pending"));
		printf("%-16s %-12s %-16s %-10s %10s %8s %8" PRId64 " %7" PRId64 "  %s\n",
		       skv_js(o, "name"), skv_js(o, "kind"), skv_js(o, "table"),
		       running ? skv_js(o, "state") : "stopped", rev, lag,
		       skv_ji(o, "lag_ms"), skv_ji(o, "resyncs"), skv_js(o, "error"));
	}
	json_object_put(root);
	return running ? 0 : 3;
}
