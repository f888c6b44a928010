// SPDX-License-Identifier: MIT
/*
 * Two processes share session state through skv: each logs a user in with
 * a session that expires after a TTL, and both bump one hit counter with
 * compare-and-swap, retrying when the other got there first.
 *
 *   cc session.c $(pkg-config --cflags --libs libskvdev) -o session
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <skvdev.h>

#define HITS		200
#define SESSION_TTL_MS	1000

static void die(const char *what, int err)
{
	fprintf(stderr, "session: %s: %s\n", what, strerror(-err));
	exit(1);
}

/* counter += 1 with CAS: read value and version, write only if unchanged. */
static int bump(struct skv_table *t, const char *key)
{
	for (;;) {
		struct skv_put_opts opts = { .flags = SKV_PUT_NX };
		struct skv_meta meta;
		char buf[32];
		size_t len = sizeof(buf) - 1;
		long n = 0;
		int ret;

		ret = skv_get(t, key, strlen(key), buf, &len, &meta);
		if (ret == 0) {
			buf[len] = '\0';
			n = strtol(buf, NULL, 10);
			opts.flags = SKV_PUT_CAS;
			opts.cas_version = meta.version;
		} else if (ret != -ENOENT) {
			return ret;
		}
		len = snprintf(buf, sizeof(buf), "%ld", n + 1);
		ret = skv_put(t, key, strlen(key), buf, len, &opts, NULL);
		/* -ESTALE: changed since we read it; -EEXIST: created meanwhile */
		if (ret != -ESTALE && ret != -EEXIST)
			return ret;
	}
}

static void worker(const char *user)
{
	struct skv_put_opts ttl = { .flags = SKV_PUT_TTL,
				    .ttl_ms = SESSION_TTL_MS };
	struct skv_table *t;
	struct skv_dev *dev;
	char key[64];
	int i, ret;

	ret = skv_dev_open(NULL, &dev);
	if (ret)
		die("/dev/skv", ret);
	ret = skv_table_open(dev, "sessions", 0, NULL, &t);
	if (ret)
		die("open table sessions", ret);
	skv_dev_close(dev);	/* the table fd lives on its own */

	snprintf(key, sizeof(key), "session:%s", user);
	ret = skv_put(t, key, strlen(key), user, strlen(user), &ttl, NULL);
	if (ret)
		die("put session", ret);
	for (i = 0; i < HITS; i++) {
		ret = bump(t, "hits");
		if (ret)
			die("bump hits", ret);
	}
	skv_table_close(t);
}

static void show(struct skv_table *t, const char *key)
{
	struct skv_meta meta;
	size_t len;
	void *val;
	int ret;

	ret = skv_get_alloc(t, key, strlen(key), &val, &len, &meta);
	if (ret) {
		printf("%-16s %s\n", key, strerror(-ret));
		return;
	}
	printf("%-16s = %-6s version %" PRIu64 ", ttl %" PRIu64 " ms\n",
	       key, (char *)val, meta.version, meta.ttl_ms);
	free(val);
}

int main(void)
{
	struct skv_table_attr attr = { .mode = 0600 };
	struct skv_table *t;
	struct skv_dev *dev;
	int ret, status;
	pid_t pid;

	ret = skv_dev_open(NULL, &dev);
	if (ret)
		die("/dev/skv", ret);
	ret = skv_table_open(dev, "sessions", SKV_OPEN_CREATE, &attr, &t);
	if (ret)
		die("create table sessions", ret);

	pid = fork();
	if (pid < 0)
		die("fork", -errno);
	if (pid == 0) {
		worker("bob");
		_exit(0);
	}
	worker("alice");
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("second process", -ECHILD);

	printf("two processes, %d CAS increments each:\n", HITS);
	show(t, "hits");
	show(t, "session:alice");
	show(t, "session:bob");
	usleep((SESSION_TTL_MS + 200) * 1000);
	printf("after %d ms:\n", SESSION_TTL_MS + 200);
	show(t, "session:alice");
	show(t, "hits");

	/* The table outlives us: look at it with skvtool, then delete it. */
	skv_table_close(t);
	skv_dev_close(dev);
	return 0;
}
