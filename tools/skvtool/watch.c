// SPDX-License-Identifier: GPL-2.0
/*
 * skvtool: the commands over the netlink family: watch (change events of
 * a table) and table list (the tables the caller may read).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skvtool.h"

static const char *const event_names[] = {
	[SKV_EVENT_TYPE_SET] = "set",
	[SKV_EVENT_TYPE_DELETE] = "delete",
	[SKV_EVENT_TYPE_EXPIRED] = "expired",
	[SKV_EVENT_TYPE_EVICTED] = "evicted",
	[SKV_EVENT_TYPE_FLUSHED] = "flushed",
	[SKV_EVENT_TYPE_TABLE_DELETED] = "table-deleted",
};

static const char *event_name(uint32_t type)
{
	if (type < sizeof(event_names) / sizeof(event_names[0]) &&
	    event_names[type])
		return event_names[type];
	return "unknown";
}

/* Printable ASCII without spaces: shown as is, anything else as hex. */
static bool is_plain(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return false;
	return true;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* @b as is when printable, else as 0x and hex. */
static void print_plain_or_hex(const void *b, size_t len, bool hex)
{
	char *s;

	if (!hex && is_plain(b, len)) {
		fwrite(b, 1, len, stdout);
	} else {
		s = hex_encode(b, len);
		printf("0x%s", s ? s : "");
		free(s);
	}
}

/* @value: the event's value (--values), or NULL. */
static void print_event(const struct skv_event *e, const void *value,
			size_t value_len, uint64_t ttl_ms, bool hex, bool json)
{
	struct json_object *obj;

	if (json) {
		obj = json_object_new_object();
		json_object_object_add(obj, "type",
				       json_object_new_string(event_name(e->type)));
		json_object_object_add(obj, "table",
				       json_object_new_string(e->table));
		if (e->key_len)
			json_add_bytes(obj, "key", e->key, e->key_len, hex);
		json_add_u64(obj, "version", e->version);
		json_add_u64(obj, "seq", e->seq);
		json_add_u64(obj, "lost", e->lost);
		json_add_u64(obj, "missed", e->missed);
		if (value) {
			json_add_bytes(obj, "value", value, value_len, hex);
			json_add_u64(obj, "ttl_ms", ttl_ms);
		}
		json_print(obj);
		return;
	}
	if (e->missed)
		printf("warning: %" PRIu64 " events lost before seq %" PRIu64
		       " (%" PRIu64 " lost in all)\n", e->missed, e->seq,
		       e->lost);
	printf("%-13s ", event_name(e->type));
	if (!e->key_len)
		fputs("-", stdout);
	else
		print_plain_or_hex(e->key, e->key_len, hex);
	printf(" version=%" PRIu64 " seq=%" PRIu64, e->version, e->seq);
	if (value) {
		fputs(" value=", stdout);
		print_plain_or_hex(value, value_len, hex);
		if (ttl_ms)
			printf(" ttl_ms=%" PRIu64, ttl_ms);
	}
	putchar('\n');
}

int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "values", no_argument, NULL, 'v' },
		{}
	};
	uint64_t count = 0, timeout = 0, seen = 0, ttl_ms;
	bool hex = false, json = false, values = false;
	const void *value;
	size_t value_len;
	struct skv_events *ev;
	struct pollfd p;
	struct skv_event e;
	int64_t deadline = 0, left;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxjc:t:v", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			values = true;
			break;
		case 'c':
			if (!parse_u64("--count", optarg, &count))
				return EXIT_USAGE;
			break;
		case 't':
			if (!parse_u64("--timeout", optarg, &timeout))
				return EXIT_USAGE;
			break;
		default:
			ret = common_option(c, argv, &hex, &json);
			if (ret >= 0)
				return ret;
			break;
		}
	}
	ret = positional(argc, argv, 1, 1, "TABLE");
	if (ret)
		return ret;

	ret = skv_events_open(&ev);
	if (ret) {
		fail(ret, "netlink family '%s'", SKV_GENL_NAME);
		if (ret == -ENOENT)
			hint_no_module();
		return EXIT_FAIL;
	}
	ret = skv_events_subscribe_values(ev, argv[optind],
					  values ? SKV_NL_VALUE_MAX : 0);
	if (ret) {
		skv_events_close(ev);
		return fail(ret, "watch '%s'", argv[optind]);
	}
	/* Each event as it comes, also into a pipe; then say we are ready. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	fprintf(stderr, "skvtool: watching '%s'\n", argv[optind]);
	if (timeout)
		deadline = now_ms() + (int64_t)timeout;
	p.fd = skv_events_fd(ev);
	p.events = POLLIN;

	while (!count || seen < count) {
		ret = skv_events_next(ev, &e);
		if (!ret) {
			if (skv_events_value(ev, &value, &value_len, &ttl_ms))
				value = NULL;
			print_event(&e, value, value_len, ttl_ms, hex, json);
			seen++;
			if (e.type == SKV_EVENT_TYPE_TABLE_DELETED)
				break;
			continue;
		}
		if (ret != -EAGAIN)
			break;
		left = -1;
		if (deadline) {
			left = deadline - now_ms();
			if (left <= 0) {
				ret = -ETIMEDOUT;
				break;
			}
		}
		if (poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left) < 0 &&
		    errno != EINTR) {
			ret = -errno;
			break;
		}
	}
	skv_events_close(ev);
	if (ret == -ETIMEDOUT && !count)
		return EXIT_OK;		/* --timeout alone: watch that long */
	if (ret && ret != -EAGAIN)
		return fail(ret, "watch '%s' (%" PRIu64 " events seen)",
			    argv[optind], seen);
	return EXIT_OK;
}

int cmd_table_list(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{}
	};
	struct skv_table_list_item *items;
	struct json_object *arr, *obj;
	bool json = false;
	size_t n, i;
	char mode[8];
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxj", opts, NULL)) != -1) {
		ret = common_option(c, argv, NULL, &json);
		if (ret >= 0)
			return ret;
	}
	ret = positional(argc, argv, 0, 0, "");
	if (ret)
		return ret;
	ret = skv_table_list(&items, &n);
	if (ret) {
		fail(ret, "table list");
		if (ret == -ENOENT)
			hint_no_module();
		return EXIT_FAIL;
	}
	arr = json ? json_object_new_array() : NULL;
	if (!json)
		printf("%-32s %-5s %6s %6s %-6s %12s %12s\n", "NAME", "MODE",
		       "UID", "GID", "POLICY", "ENTRIES", "BYTES");
	for (i = 0; i < n; i++) {
		const struct skv_info *in = &items[i].info;
		const struct skv_stats *st = &items[i].stats;

		snprintf(mode, sizeof(mode), "%04o", in->attr.mode);
		if (!json) {
			printf("%-32s %-5s %6u %6u %-6s %12" PRIu64 " %12" PRIu64 "\n",
			       in->name, mode, in->uid, in->gid,
			       policy_name(in->attr.policy),
			       (uint64_t)st->entries, (uint64_t)st->bytes);
			continue;
		}
		obj = json_object_new_object();
		json_object_object_add(obj, "name",
				       json_object_new_string(in->name));
		json_object_object_add(obj, "mode",
				       json_object_new_string(mode));
		json_add_u64(obj, "uid", in->uid);
		json_add_u64(obj, "gid", in->gid);
		json_object_object_add(obj, "policy",
				       json_object_new_string(policy_name(in->attr.policy)));
		json_add_u64(obj, "max_entries", in->attr.max_entries);
		json_add_u64(obj, "max_bytes", in->attr.max_bytes);
		json_add_u64(obj, "default_ttl_ms", in->attr.default_ttl_ms);
		json_add_u64(obj, "entries", st->entries);
		json_add_u64(obj, "bytes", st->bytes);
		json_object_array_add(arr, obj);
	}
	skv_table_list_free(items);
	if (json)
		json_print(arr);
	return EXIT_OK;
}
