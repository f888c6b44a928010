// SPDX-License-Identifier: GPL-2.0
/*
 * skvtool: features and the table commands.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "skvtool.h"

static const char *const op_names[] = {
	[SKV_OP_GET] = "get", [SKV_OP_PUT] = "put",
	[SKV_OP_DELETE] = "delete", [SKV_OP_INCR] = "incr",
	[SKV_OP_GETDEL] = "getdel", [SKV_OP_BATCH] = "batch",
	[SKV_OP_SCAN] = "scan", [SKV_OP_FLUSH] = "flush",
	[SKV_OP_STATS] = "stats", [SKV_OP_INFO] = "info",
	[SKV_OP_SET] = "set", [SKV_OP_TABLE_OPEN] = "table_open",
	[SKV_OP_TABLE_DELETE] = "table_delete",
};

static const char *const open_flag_names[] = { "create", "excl", "rdonly", "nocloexec" };
static const char *const put_flag_names[] = { "nx", "xx", "cas", "ttl" };
static const char *const del_flag_names[] = { "cas" };
static const char *const scan_flag_names[] = { "values" };
static const char *const set_mask_names[] = { "default_ttl", "policy", "mode", "uid", "gid" };
static const char *const policy_names[] = { "none", "lru" };
static const char *const table_flag_names[] = { "mapped" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Names of the set bits of @mask; unnamed bits as "bitN". */
static struct json_object *bit_names(uint64_t mask, const char *const *names,
				     size_t n)
{
	struct json_object *arr = json_object_new_array();
	char tmp[16];
	unsigned int bit;

	for (bit = 0; bit < 64; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		if (bit < n && names[bit]) {
			json_object_array_add(arr, json_object_new_string(names[bit]));
		} else {
			snprintf(tmp, sizeof(tmp), "bit%u", bit);
			json_object_array_add(arr, json_object_new_string(tmp));
		}
	}
	return arr;
}

static void print_names(const char *label, struct json_object *arr)
{
	size_t i;

	printf("%-16s", label);
	for (i = 0; i < json_object_array_length(arr); i++)
		printf(" %s", json_object_get_string(json_object_array_get_idx(arr, i)));
	if (!json_object_array_length(arr))
		printf(" (none)");
	putchar('\n');
}

int cmd_features(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_OPTS, {} };
	struct skv_features f;
	struct json_object *obj;
	struct skv_dev *dev;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxj", opts, NULL)) != -1) {
		ret = common_option(c, argv, NULL, &json);
		if (ret >= 0)
			return ret;
	}
	ret = positional(argc, argv, 0, 0, "");
	if (ret)
		return ret;
	ret = open_dev(&dev);
	if (ret)
		return ret;
	ret = skv_features(dev, &f);
	skv_dev_close(dev);
	if (ret)
		return fail(ret, "features");

	obj = json_object_new_object();
	json_add_u64(obj, "abi_version", f.abi_version);
	json_object_object_add(obj, "ops", bit_names(f.ops, op_names, N(op_names)));
	json_object_object_add(obj, "open_flags", bit_names(f.open_flags, open_flag_names, N(open_flag_names)));
	json_object_object_add(obj, "put_flags", bit_names(f.put_flags, put_flag_names, N(put_flag_names)));
	json_object_object_add(obj, "del_flags", bit_names(f.del_flags, del_flag_names, N(del_flag_names)));
	json_object_object_add(obj, "scan_flags", bit_names(f.scan_flags, scan_flag_names, N(scan_flag_names)));
	json_object_object_add(obj, "set_mask", bit_names(f.set_mask, set_mask_names, N(set_mask_names)));
	json_object_object_add(obj, "policies", bit_names(f.policies, policy_names, N(policy_names)));
	json_add_u64(obj, "batch_max", f.batch_max);
	json_add_u64(obj, "max_entries_cap", f.max_entries_cap);
	json_add_u64(obj, "key_len_cap", f.key_len_cap);
	json_add_u64(obj, "value_len_cap", f.value_len_cap);
	json_object_object_add(obj, "table_flags", bit_names(f.table_flags, table_flag_names, N(table_flag_names)));
	json_add_u64(obj, "map_layout_version", f.map_layout_version);
	json_add_u64(obj, "map_size_cap", f.map_size_cap);
	json_add_u64(obj, "map_slot_size_cap", f.map_slot_size_cap);
	json_add_u64(obj, "event_value_max", f.event_value_max);
	if (json) {
		json_print(obj);
		return EXIT_OK;
	}
	printf("%-16s %u\n", "abi_version", f.abi_version);
	print_names("ops", json_object_object_get(obj, "ops"));
	print_names("open_flags", json_object_object_get(obj, "open_flags"));
	print_names("put_flags", json_object_object_get(obj, "put_flags"));
	print_names("del_flags", json_object_object_get(obj, "del_flags"));
	print_names("scan_flags", json_object_object_get(obj, "scan_flags"));
	print_names("set_mask", json_object_object_get(obj, "set_mask"));
	print_names("policies", json_object_object_get(obj, "policies"));
	printf("%-16s %u\n", "batch_max", f.batch_max);
	printf("%-16s %" PRIu64 "\n", "max_entries_cap", (uint64_t)f.max_entries_cap);
	printf("%-16s %u\n", "key_len_cap", f.key_len_cap);
	printf("%-16s %u\n", "value_len_cap", f.value_len_cap);
	print_names("table_flags", json_object_object_get(obj, "table_flags"));
	printf("%-16s %u\n", "map_layout", f.map_layout_version);
	printf("%-16s %" PRIu64 "\n", "map_size_cap", (uint64_t)f.map_size_cap);
	printf("%-16s %u\n", "map_slot_cap", f.map_slot_size_cap);
	printf("%-16s %u\n", "event_value_max", f.event_value_max);
	json_object_put(obj);
	return EXIT_OK;
}

enum {
	OPT_MAX_ENTRIES = 256, OPT_MAX_BYTES, OPT_MAX_KEY_LEN, OPT_MAX_VALUE_LEN,
	OPT_DEFAULT_TTL, OPT_POLICY, OPT_MODE, OPT_EXIST_OK, OPT_MAPPED, OPT_UID, OPT_GID,
};

static bool parse_mode(const char *s, uint32_t *mode)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 8);
	if (!*s || *end || v > 0777 || *s == '-') {
		usage_error("bad mode '%s' (octal, at most 0777)", s);
		return false;
	}
	*mode = v;
	return true;
}

/* Only --help, --json and --hex: the commands taking just a table name. */
static int parse_name_only(int argc, char **argv, bool *json)
{
	static const struct option opts[] = { COMMON_OPTS, {} };
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxj", opts, NULL)) != -1) {
		ret = common_option(c, argv, NULL, json);
		if (ret == EXIT_OK)
			return -1;	/* --help */
		if (ret > 0)
			return ret;
	}
	return positional(argc, argv, 1, 1, "NAME");
}

int cmd_table_create(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
		{ "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
		{ "max-key-len", required_argument, NULL, OPT_MAX_KEY_LEN },
		{ "max-value-len", required_argument, NULL, OPT_MAX_VALUE_LEN },
		{ "default-ttl", required_argument, NULL, OPT_DEFAULT_TTL },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "exist-ok", no_argument, NULL, OPT_EXIST_OK },
		{ "mapped", no_argument, NULL, OPT_MAPPED },
		{}
	};
	uint32_t flags = SKV_OPEN_CREATE | SKV_OPEN_EXCL, table_flags = 0;
	struct skv_table_attr attr = {};
	struct skv_table *t;
	struct skv_dev *dev;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxj", opts, NULL)) != -1) {
		switch (c) {
		case OPT_MAX_ENTRIES:
			if (!parse_u64("--max-entries", optarg, (uint64_t *)&attr.max_entries))
				return EXIT_USAGE;
			break;
		case OPT_MAX_BYTES:
			if (!parse_u64("--max-bytes", optarg, (uint64_t *)&attr.max_bytes))
				return EXIT_USAGE;
			break;
		case OPT_MAX_KEY_LEN:
			if (!parse_u32("--max-key-len", optarg, &attr.max_key_len))
				return EXIT_USAGE;
			break;
		case OPT_MAX_VALUE_LEN:
			if (!parse_u32("--max-value-len", optarg, &attr.max_value_len))
				return EXIT_USAGE;
			break;
		case OPT_DEFAULT_TTL:
			if (!parse_u64("--default-ttl", optarg, (uint64_t *)&attr.default_ttl_ms))
				return EXIT_USAGE;
			break;
		case OPT_POLICY:
			if (!parse_policy(optarg, &attr.policy))
				return EXIT_USAGE;
			break;
		case OPT_MODE:
			if (!parse_mode(optarg, &attr.mode))
				return EXIT_USAGE;
			break;
		case OPT_EXIST_OK:
			flags &= ~SKV_OPEN_EXCL;
			break;
		case OPT_MAPPED:
			table_flags |= SKV_TABLE_MAPPED;
			break;
		default:
			ret = common_option(c, argv, NULL, NULL);
			if (ret >= 0)
				return ret;
			break;
		}
	}
	ret = positional(argc, argv, 1, 1, "NAME");
	if (ret)
		return ret;
	ret = open_dev(&dev);
	if (ret)
		return ret;
	ret = skv_table_open2(dev, argv[optind], flags, &attr, table_flags, &t);
	skv_dev_close(dev);
	if (ret)
		return fail(ret, "create table '%s'", argv[optind]);
	skv_table_close(t);
	return EXIT_OK;
}

int cmd_table_delete(int argc, char **argv)
{
	struct skv_dev *dev;
	bool json = false;
	int ret;

	ret = parse_name_only(argc, argv, &json);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = open_dev(&dev);
	if (ret)
		return ret;
	ret = skv_table_delete(dev, argv[optind]);
	skv_dev_close(dev);
	return ret ? fail(ret, "delete table '%s'", argv[optind]) : EXIT_OK;
}

int cmd_table_info(int argc, char **argv)
{
	struct json_object *obj;
	struct skv_table *t;
	struct skv_info info;
	bool json = false;
	char mode[8];
	int ret;

	ret = parse_name_only(argc, argv, &json);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = open_table(argv[optind], SKV_OPEN_RDONLY, &t);
	if (ret)
		return ret;
	ret = skv_table_info(t, &info);
	skv_table_close(t);
	if (ret)
		return fail(ret, "info '%s'", argv[optind]);
	snprintf(mode, sizeof(mode), "%04o", info.attr.mode);
	if (!json) {
		printf("name            %.*s\n", SKV_NAME_MAX, info.name);
		printf("max_entries     %" PRIu64 "\n", (uint64_t)info.attr.max_entries);
		printf("max_bytes       %" PRIu64 "\n", (uint64_t)info.attr.max_bytes);
		printf("max_key_len     %u\n", info.attr.max_key_len);
		printf("max_value_len   %u\n", info.attr.max_value_len);
		printf("default_ttl_ms  %" PRIu64 "\n", (uint64_t)info.attr.default_ttl_ms);
		printf("policy          %s\n", policy_name(info.attr.policy));
		printf("mode            %s\n", mode);
		printf("uid             %u\n", info.uid);
		printf("gid             %u\n", info.gid);
		printf("mapped          %s\n",
		       info.table_flags & SKV_TABLE_MAPPED ? "yes" : "no");
		if (info.table_flags & SKV_TABLE_MAPPED)
			printf("map_size        %" PRIu64 "\n", (uint64_t)info.map_size);
		return EXIT_OK;
	}
	obj = json_object_new_object();
	json_object_object_add(obj, "name",
			       json_object_new_string_len(info.name, strnlen(info.name, SKV_NAME_MAX)));
	json_add_u64(obj, "max_entries", info.attr.max_entries);
	json_add_u64(obj, "max_bytes", info.attr.max_bytes);
	json_add_u64(obj, "max_key_len", info.attr.max_key_len);
	json_add_u64(obj, "max_value_len", info.attr.max_value_len);
	json_add_u64(obj, "default_ttl_ms", info.attr.default_ttl_ms);
	json_object_object_add(obj, "policy", json_object_new_string(policy_name(info.attr.policy)));
	json_object_object_add(obj, "mode", json_object_new_string(mode));
	json_add_u64(obj, "uid", info.uid);
	json_add_u64(obj, "gid", info.gid);
	json_object_object_add(obj, "mapped",
			       json_object_new_boolean(info.table_flags & SKV_TABLE_MAPPED));
	json_add_u64(obj, "map_size", info.map_size);
	json_print(obj);
	return EXIT_OK;
}

int cmd_table_stats(int argc, char **argv)
{
	struct json_object *obj;
	struct skv_stats st;
	struct skv_table *t;
	bool json = false;
	int ret;

	ret = parse_name_only(argc, argv, &json);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	ret = open_table(argv[optind], SKV_OPEN_RDONLY, &t);
	if (ret)
		return ret;
	ret = skv_table_stats(t, &st);
	skv_table_close(t);
	if (ret)
		return fail(ret, "stats '%s'", argv[optind]);
	obj = json_object_new_object();
	json_add_u64(obj, "entries", st.entries);
	json_add_u64(obj, "bytes", st.bytes);
	json_add_u64(obj, "hits", st.hits);
	json_add_u64(obj, "misses", st.misses);
	json_add_u64(obj, "writes", st.writes);
	json_add_u64(obj, "deletes", st.deletes);
	json_add_u64(obj, "evictions", st.evictions);
	json_add_u64(obj, "expirations", st.expirations);
	if (json) {
		json_print(obj);
		return EXIT_OK;
	}
	json_object_object_foreach(obj, key, val)
		printf("%-16s%s\n", key, json_object_get_string(val));
	json_object_put(obj);
	return EXIT_OK;
}

int cmd_table_set(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "default-ttl", required_argument, NULL, OPT_DEFAULT_TTL },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "uid", required_argument, NULL, OPT_UID },
		{ "gid", required_argument, NULL, OPT_GID },
		{}
	};
	struct skv_set set = {};
	struct skv_table *t;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxj", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DEFAULT_TTL:
			if (!parse_u64("--default-ttl", optarg, (uint64_t *)&set.default_ttl_ms))
				return EXIT_USAGE;
			set.mask |= SKV_SET_DEFAULT_TTL;
			break;
		case OPT_POLICY:
			if (!parse_policy(optarg, &set.policy))
				return EXIT_USAGE;
			set.mask |= SKV_SET_POLICY;
			break;
		case OPT_MODE:
			if (!parse_mode(optarg, &set.mode))
				return EXIT_USAGE;
			set.mask |= SKV_SET_MODE;
			break;
		case OPT_UID:
			if (!parse_u32("--uid", optarg, &set.uid))
				return EXIT_USAGE;
			set.mask |= SKV_SET_UID;
			break;
		case OPT_GID:
			if (!parse_u32("--gid", optarg, &set.gid))
				return EXIT_USAGE;
			set.mask |= SKV_SET_GID;
			break;
		default:
			ret = common_option(c, argv, NULL, NULL);
			if (ret >= 0)
				return ret;
			break;
		}
	}
	ret = positional(argc, argv, 1, 1, "NAME");
	if (ret)
		return ret;
	if (!set.mask)
		return usage_error("nothing to set");
	ret = open_table(argv[optind], 0, &t);
	if (ret)
		return ret;
	ret = skv_table_set(t, &set);
	skv_table_close(t);
	return ret ? fail(ret, "set '%s'", argv[optind]) : EXIT_OK;
}
