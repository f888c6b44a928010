// SPDX-License-Identifier: GPL-2.0
/*
 * skv-sync: start one thread per link of the config file, write the status
 * file each second, and on SIGTERM or SIGINT let every link drain what it
 * holds, then exit 0. skv-sync(8) documents the commands and exit statuses.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <skvdev.h>

#include "skv-sync.h"

#define SKV_SYNC_DEFAULT_CONFIG	"/etc/skv-sync.conf"

volatile sig_atomic_t skv_sync_stop;
struct skv_sync_ctx skv_ctx;
static int skv_links_running;
static pthread_mutex_t skv_running_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t skv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t skv_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void skv_sleep_ms(unsigned int ms)
{
	while (ms && !skv_sync_stop) {
		unsigned int step = ms < 50 ? ms : 50;

		usleep(step * 1000);
		ms -= step;
	}
}

void skv_link_set(struct skv_sync_link *l, const char *state,
		  const char *error_fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&l->lock);
	if (state)
		l->st.state = state;
	if (error_fmt) {
		va_start(ap, error_fmt);
		vsnprintf(l->st.error, sizeof(l->st.error), error_fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&l->lock);
}

static void *skv_link_thread(void *arg)
{
	struct skv_sync_link *l = arg;

	if (l->kind == SKV_SYNC_REPLICA)
		skv_replica_run(l);
	else
		skv_writebehind_run(l);
	pthread_mutex_lock(&skv_running_lock);
	skv_links_running--;
	pthread_mutex_unlock(&skv_running_lock);
	return NULL;
}

static void skv_usage(FILE *f)
{
	fprintf(f,
		"Usage: skv-sync [-c CONFIG] [--warm] [run]\n"
		"       skv-sync [-c CONFIG] check\n"
		"       skv-sync [-c CONFIG] status [--json]\n"
		"\n"
		"Keeps skv tables in step with etcd (replica links) and Redis\n"
		"(write-behind links), as CONFIG (default %s) says.\n"
		"  run      the daemon (the default); SIGTERM drains and exits 0\n"
		"  check    read CONFIG, report the first error, exit 0 or 2\n"
		"  status   each link's state, applied revision, lag and resyncs\n"
		"  --warm   write-behind links load their table from Redis first\n"
		"See skv-sync(8).\n", SKV_SYNC_DEFAULT_CONFIG);
}

static int skv_run(struct skv_sync_config *cfg)
{
	struct timespec tick = { .tv_sec = 1 };
	sigset_t sigs;
	unsigned int i;
	int ret, running, status = SKV_SYNC_EXIT_OK;

	if (mkdir(cfg->state_dir, 0755) && errno != EEXIST) {
		skv_err(NULL, "state_dir %s: %s", cfg->state_dir, strerror(errno));
		return SKV_SYNC_EXIT_FATAL;
	}
	if (access(cfg->state_dir, W_OK)) {
		skv_err(NULL, "state_dir %s: %s", cfg->state_dir, strerror(errno));
		return SKV_SYNC_EXIT_FATAL;
	}
	ret = skv_dev_open(SKV_DEV_PATH, &skv_ctx.dev);
	if (ret) {
		skv_err(NULL, "%s: %s (is skv.ko loaded?)", SKV_DEV_PATH, strerror(-ret));
		return SKV_SYNC_EXIT_FATAL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		skv_err(NULL, "libcurl failed to initialise");
		skv_dev_close(skv_ctx.dev);
		return SKV_SYNC_EXIT_FATAL;
	}

	/* Only this thread takes the signals; links poll skv_sync_stop. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	skv_info(NULL, "starting %u link(s) from %s, state in %s", cfg->n_links,
		 cfg->path, cfg->state_dir);
	for (i = 0; i < cfg->n_links; i++) {
		struct skv_sync_link *l = &cfg->links[i];

		pthread_mutex_lock(&skv_running_lock);
		skv_links_running++;
		pthread_mutex_unlock(&skv_running_lock);
		ret = pthread_create(&l->thread, NULL, skv_link_thread, l);
		if (ret) {
			skv_err(NULL, "link %s: cannot start a thread: %s", l->name,
				strerror(ret));
			skv_links_running--;
			skv_sync_stop = 1;
			status = SKV_SYNC_EXIT_FATAL;
			break;
		}
		l->started = true;
	}

	while (!skv_sync_stop) {
		int sig = sigtimedwait(&sigs, NULL, &tick);

		if (sig == SIGTERM || sig == SIGINT) {
			skv_info(NULL, "%s: draining the links, then exiting",
				 sig == SIGTERM ? "SIGTERM" : "SIGINT");
			skv_sync_stop = 1;
			break;
		}
		if (sig == SIGHUP)
			skv_info(NULL, "SIGHUP ignored: restart skv-sync to read the config again");
		ret = skv_status_write(cfg);
		if (ret)
			skv_warn(NULL, "status file in %s: %s", cfg->state_dir,
				 strerror(-ret));
		pthread_mutex_lock(&skv_running_lock);
		running = skv_links_running;
		pthread_mutex_unlock(&skv_running_lock);
		if (!running) {
			skv_err(NULL, "every link has stopped; exiting");
			status = SKV_SYNC_EXIT_FATAL;
			break;
		}
	}
	skv_sync_stop = 1;
	for (i = 0; i < cfg->n_links; i++)
		if (cfg->links[i].started)
			pthread_join(cfg->links[i].thread, NULL);
	skv_status_write(cfg);
	curl_global_cleanup();
	skv_dev_close(skv_ctx.dev);
	skv_info(NULL, "stopped");
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "warm", no_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = SKV_SYNC_DEFAULT_CONFIG, *cmd = "run";
	struct skv_sync_config cfg;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'w':
			skv_ctx.warm = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			skv_usage(stdout);
			return 0;
		default:
			skv_usage(stderr);
			return SKV_SYNC_EXIT_USAGE;
		}
	}
	if (optind < argc)
		cmd = argv[optind++];
	/* options after the command: status --json, run --warm */
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c == 'c')
			config = optarg;
		else if (c == 'w')
			skv_ctx.warm = true;
		else if (c == 'j')
			json = true;
		else
			return skv_usage(stderr), SKV_SYNC_EXIT_USAGE;
	}
	if (optind < argc || (strcmp(cmd, "run") && strcmp(cmd, "status") &&
			      strcmp(cmd, "check"))) {
		skv_err(NULL, "unknown command or argument '%s' (see --help)",
			optind < argc ? argv[optind] : cmd);
		return SKV_SYNC_EXIT_USAGE;
	}
	if (json && strcmp(cmd, "status")) {
		skv_err(NULL, "--json goes with status only");
		return SKV_SYNC_EXIT_USAGE;
	}

	if (skv_config_load(config, &cfg)) {
		skv_config_free(&cfg);
		return SKV_SYNC_EXIT_USAGE;
	}
	skv_log_level = cfg.log_level;
	if (!strcmp(cmd, "check")) {
		printf("%s: %u link(s), state in %s\n", config, cfg.n_links,
		       cfg.state_dir);
		ret = 0;
	} else if (!strcmp(cmd, "status")) {
		ret = skv_status_print(cfg.state_dir, json);
	} else {
		skv_ctx.cfg = &cfg;
		ret = skv_run(&cfg);
	}
	skv_config_free(&cfg);
	return ret;
}
