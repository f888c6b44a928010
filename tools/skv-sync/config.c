// SPDX-License-Identifier: GPL-2.0
/*
 * The config file, INI as read by inih (Debian's libinih): one [skv-sync]
 * section, then one section per link, "[replica NAME]" or
 * "[write-behind NAME]". skv-sync(8) lists every key. Any unknown section
 * or key, bad number or missing key is one error line and exit status 2.
 */
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "skv-sync.h"

struct skv_cfg_parse {
	struct skv_sync_config *cfg;
	char error[256];
	char section[128];	/* the last section seen */
	struct skv_sync_link *link;	/* its link, NULL for [skv-sync] */
};

static int skv_cfg_fail(struct skv_cfg_parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int skv_cfg_fail(struct skv_cfg_parse *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->error[0]) {
		va_start(ap, fmt);
		vsnprintf(p->error, sizeof(p->error), fmt, ap);
		va_end(ap);
	}
	return 0;	/* inih: stop at this line */
}

static int skv_cfg_uint(const char *v, unsigned long long max,
			unsigned long long *out)
{
	unsigned long long n;
	char *end;

	if (!*v || *v == '-')
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || *end || n > max)
		return -ERANGE;
	*out = n;
	return 0;
}

static int skv_cfg_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int skv_cfg_new_link(struct skv_cfg_parse *p, const char *section)
{
	struct skv_sync_config *cfg = p->cfg;
	struct skv_sync_link *l;
	const char *name;
	enum skv_sync_kind kind;
	unsigned int i;

	if (!strncmp(section, "replica ", 8)) {
		kind = SKV_SYNC_REPLICA;
		name = section + 8;
	} else if (!strncmp(section, "write-behind ", 13)) {
		kind = SKV_SYNC_WRITE_BEHIND;
		name = section + 13;
	} else {
		return skv_cfg_fail(p, "[%s]: unknown section (want [skv-sync], [replica NAME] or [write-behind NAME])",
				    section);
	}
	if (!*name || strlen(name) >= sizeof(l->name) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(name))
		return skv_cfg_fail(p, "[%s]: a link name is 1-63 letters, digits, '_', '.' or '-'",
				    section);
	for (i = 0; i < cfg->n_links; i++)
		if (!strcmp(cfg->links[i].name, name))
			return skv_cfg_fail(p, "[%s]: a second link named '%s'",
					    section, name);
	if (cfg->n_links == SKV_SYNC_MAX_LINKS)
		return skv_cfg_fail(p, "[%s]: more than %d links", section,
				    SKV_SYNC_MAX_LINKS);
	l = &cfg->links[cfg->n_links++];
	memset(l, 0, sizeof(*l));
	strcpy(l->name, name);
	l->kind = kind;
	l->page_size = 1000;
	l->idle_timeout_s = 0;
	pthread_mutex_init(&l->lock, NULL);
	l->st.state = "starting";
	p->link = l;
	return 1;
}

static int skv_cfg_endpoints(struct skv_cfg_parse *p, struct skv_sync_link *l,
			     const char *value)
{
	char *copy = strdup(value), *tok, *save = NULL;

	if (!copy)
		return skv_cfg_fail(p, "out of memory");
	for (tok = strtok_r(copy, " ,\t", &save); tok;
	     tok = strtok_r(NULL, " ,\t", &save)) {
		if (l->n_endpoints == SKV_SYNC_MAX_ENDPOINTS) {
			free(copy);
			return skv_cfg_fail(p, "[%s] endpoints: more than %d",
					    p->section, SKV_SYNC_MAX_ENDPOINTS);
		}
		if (strncmp(tok, "http://", 7) && strncmp(tok, "https://", 8)) {
			skv_cfg_fail(p, "[%s] endpoints: '%s' is not an http:// or https:// URL",
				     p->section, tok);
			free(copy);
			return 0;
		}
		l->endpoints[l->n_endpoints] = strdup(tok);
		if (!l->endpoints[l->n_endpoints]) {
			free(copy);
			return skv_cfg_fail(p, "out of memory");
		}
		/* no trailing slash: paths are appended */
		tok = l->endpoints[l->n_endpoints++];
		while (strlen(tok) > 8 && tok[strlen(tok) - 1] == '/')
			tok[strlen(tok) - 1] = '\0';
	}
	free(copy);
	return 1;
}

static int skv_cfg_handler(void *user, const char *section, const char *key,
			   const char *value)
{
	struct skv_cfg_parse *p = user;
	struct skv_sync_config *cfg = p->cfg;
	struct skv_sync_link *l;
	unsigned long long n;
	char **str = NULL;

	if (strcmp(section, p->section)) {
		snprintf(p->section, sizeof(p->section), "%s", section);
		p->link = NULL;
		if (strcmp(section, "skv-sync") && !skv_cfg_new_link(p, section))
			return 0;
	}
	if (!key)
		return 1;	/* INI_CALL_HANDLER_ON_NEW_SECTION builds */

	if (!strcmp(section, "skv-sync")) {
		if (!strcmp(key, "state_dir")) {
			str = &cfg->state_dir;
		} else if (!strcmp(key, "log_level")) {
			static const char *const lv[] = { "error", "warning", "info", "debug" };
			unsigned int i;

			for (i = 0; i < 4; i++)
				if (!strcmp(value, lv[i]))
					break;
			if (i == 4)
				return skv_cfg_fail(p, "[skv-sync] log_level: '%s' is not error, warning, info or debug",
						    value);
			cfg->log_level = i;
			return 1;
		} else {
			return skv_cfg_fail(p, "[skv-sync] %s: unknown key", key);
		}
		goto set_string;
	}

	l = p->link;
	if (!l)
		return 0;
	if (!strcmp(key, "table")) {
		if (!*value || strlen(value) >= sizeof(l->table))
			return skv_cfg_fail(p, "[%s] table: a name is 1-63 bytes", section);
		strcpy(l->table, value);
		return 1;
	}
	if (!strcmp(key, "prefix")) {
		str = &l->prefix;
		goto set_string;
	}
	if (!strcmp(key, "max_value_len") || !strcmp(key, "max_entries") ||
	    (l->kind == SKV_SYNC_REPLICA &&
	     (!strcmp(key, "page_size") || !strcmp(key, "idle_timeout")))) {
		unsigned long long max = !strcmp(key, "max_entries") ? 1ULL << 31 :
					 !strcmp(key, "page_size") ? 100000 :
					 !strcmp(key, "idle_timeout") ? 86400 : 16 << 20;

		if (skv_cfg_uint(value, max, &n) ||
		    (!strcmp(key, "page_size") && !n))
			return skv_cfg_fail(p, "[%s] %s: '%s' is not a number in %s..%llu",
					    section, key, value,
					    !strcmp(key, "page_size") ? "1" : "0", max);
		if (!strcmp(key, "max_value_len"))
			l->max_value_len = n;
		else if (!strcmp(key, "max_entries"))
			l->max_entries = n;
		else if (!strcmp(key, "page_size"))
			l->page_size = n;
		else
			l->idle_timeout_s = n;
		return 1;
	}
	if (l->kind == SKV_SYNC_REPLICA && !strcmp(key, "endpoints"))
		return skv_cfg_endpoints(p, l, value);
	if (l->kind == SKV_SYNC_WRITE_BEHIND && !strcmp(key, "redis")) {
		str = &l->redis;
		goto set_string;
	}
	if (l->kind == SKV_SYNC_WRITE_BEHIND && !strcmp(key, "event_buffer")) {
		if (skv_cfg_uint(value, 1U << 30, &n) || n < 4096)
			return skv_cfg_fail(p, "[%s] event_buffer: '%s' is not a number of bytes in 4096..%u",
					    section, value, 1U << 30);
		l->event_buffer = n;
		return 1;
	}
	if (l->kind == SKV_SYNC_WRITE_BEHIND && !strcmp(key, "warm")) {
		if (skv_cfg_bool(value, &l->warm))
			return skv_cfg_fail(p, "[%s] warm: '%s' is not yes or no",
					    section, value);
		return 1;
	}
	return skv_cfg_fail(p, "[%s] %s: unknown key", section, key);

set_string:
	free(*str);
	*str = strdup(value);
	if (!*str)
		return skv_cfg_fail(p, "out of memory");
	return 1;
}

static int skv_cfg_check(struct skv_cfg_parse *p)
{
	struct skv_sync_config *cfg = p->cfg;
	unsigned int i;

	if (!cfg->n_links)
		return skv_cfg_fail(p, "no [replica NAME] or [write-behind NAME] section");
	for (i = 0; i < cfg->n_links; i++) {
		struct skv_sync_link *l = &cfg->links[i];
		const char *kind = l->kind == SKV_SYNC_REPLICA ? "replica" : "write-behind";

		if (!l->table[0])
			return skv_cfg_fail(p, "[%s %s]: no table", kind, l->name);
		if (l->kind == SKV_SYNC_REPLICA && !l->n_endpoints)
			return skv_cfg_fail(p, "[%s %s]: no endpoints", kind, l->name);
		if (l->kind == SKV_SYNC_REPLICA && (!l->prefix || !l->prefix[0]))
			return skv_cfg_fail(p, "[%s %s]: no prefix (the etcd keys to follow)",
					    kind, l->name);
		if (l->kind == SKV_SYNC_WRITE_BEHIND && (!l->redis || !l->redis[0]))
			return skv_cfg_fail(p, "[%s %s]: no redis (host:port or a socket path)",
					    kind, l->name);
		if (!l->prefix)
			l->prefix = strdup("");
		if (!l->prefix)
			return skv_cfg_fail(p, "out of memory");
		l->prefix_len = strlen(l->prefix);
	}
	for (i = 0; i < cfg->n_links; i++) {
		unsigned int j;

		for (j = 0; j < i; j++)
			if (!strcmp(cfg->links[i].table, cfg->links[j].table))
				return skv_cfg_fail(p, "links '%s' and '%s' share table '%s'",
						    cfg->links[j].name,
						    cfg->links[i].name,
						    cfg->links[i].table);
	}
	if (!cfg->state_dir)
		cfg->state_dir = strdup("/var/lib/skv-sync");
	if (!cfg->state_dir)
		return skv_cfg_fail(p, "out of memory");
	return 1;
}

/*
 * inih hands a section's name to every key, not the section lines, so a
 * section written twice would merge. This pass over the lines finds it.
 */
static int skv_cfg_dup_sections(FILE *f, const char *path)
{
	char line[512], names[SKV_SYNC_MAX_LINKS + 1][128];
	unsigned int n = 0, lineno = 0, i;

	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *end;

		lineno++;
		if (*p != '[' || !(end = strchr(p, ']')))
			continue;
		*end = '\0';
		p++;
		for (i = 0; i < n; i++) {
			if (!strcmp(names[i], p)) {
				skv_err(NULL, "config %s:%u: [%s] appears a second time",
					path, lineno, p);
				return -EINVAL;
			}
		}
		if (n < SKV_SYNC_MAX_LINKS + 1)
			snprintf(names[n++], sizeof(names[0]), "%s", p);
	}
	rewind(f);
	return 0;
}

int skv_config_load(const char *path, struct skv_sync_config *cfg)
{
	struct skv_cfg_parse p = { .cfg = cfg };
	FILE *f;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = SKV_LOG_INFO;
	cfg->path = strdup(path);
	f = fopen(path, "r");
	if (!f) {
		skv_err(NULL, "config %s: %s", path, strerror(errno));
		return -errno;
	}
	if (skv_cfg_dup_sections(f, path)) {
		fclose(f);
		return -EINVAL;
	}
	ret = ini_parse_file(f, skv_cfg_handler, &p);
	fclose(f);
	if (ret > 0 || p.error[0] || !cfg->path || !skv_cfg_check(&p)) {
		if (p.error[0] && ret > 0)
			skv_err(NULL, "config %s:%d: %s", path, ret, p.error);
		else if (p.error[0])
			skv_err(NULL, "config %s: %s", path, p.error);
		else if (ret > 0)
			skv_err(NULL, "config %s:%d: not a 'key = value' line or a [section]",
				path, ret);
		else
			skv_err(NULL, "config %s: out of memory", path);
		return -EINVAL;
	}
	if (ret < 0) {
		skv_err(NULL, "config %s: cannot read it", path);
		return -EIO;
	}
	return 0;
}

void skv_config_free(struct skv_sync_config *cfg)
{
	unsigned int i, j;

	for (i = 0; i < cfg->n_links; i++) {
		struct skv_sync_link *l = &cfg->links[i];

		for (j = 0; j < l->n_endpoints; j++)
			free(l->endpoints[j]);
		free(l->prefix);
		free(l->redis);
		pthread_mutex_destroy(&l->lock);
	}
	free(cfg->state_dir);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}
