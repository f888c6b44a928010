// SPDX-License-Identifier: GPL-2.0
/*
 * skvtool: put, get, del, incr, scan and flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skvtool.h"

enum {
	OPT_FLAGS = 256, OPT_NX, OPT_XX, OPT_CAS,
};

int cmd_put(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "file", required_argument, NULL, 'f' },
		{ "ttl", required_argument, NULL, 't' },
		{ "flags", required_argument, NULL, OPT_FLAGS },
		{ "nx", no_argument, NULL, OPT_NX },
		{ "xx", no_argument, NULL, OPT_XX },
		{ "cas", required_argument, NULL, OPT_CAS },
		{}
	};
	struct skv_put_opts po = {};
	struct buf key = {}, value = {};
	const char *file = NULL;
	bool hex = false, json = false;
	struct skv_table *t;
	uint64_t version;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxjf:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case 't':
			if (!parse_u64("--ttl", optarg, &po.ttl_ms))
				return EXIT_USAGE;
			po.flags |= SKV_PUT_TTL;
			break;
		case OPT_FLAGS:
			if (!parse_u32("--flags", optarg, &po.user_flags))
				return EXIT_USAGE;
			break;
		case OPT_NX:
			po.flags |= SKV_PUT_NX;
			break;
		case OPT_XX:
			po.flags |= SKV_PUT_XX;
			break;
		case OPT_CAS:
			if (!parse_u64("--cas", optarg, &po.cas_version))
				return EXIT_USAGE;
			po.flags |= SKV_PUT_CAS;
			break;
		default:
			ret = common_option(c, argv, &hex, &json);
			if (ret >= 0)
				return ret;
			break;
		}
	}
	ret = positional(argc, argv, 2, file ? 2 : 3, "TABLE KEY VALUE");
	if (ret)
		return ret;
	if ((po.flags & SKV_PUT_NX) && (po.flags & (SKV_PUT_XX | SKV_PUT_CAS)))
		return usage_error("--nx excludes --xx and --cas");
	if ((po.flags & SKV_PUT_TTL) && !po.ttl_ms)
		return usage_error("--ttl must be above 0");
	if (!parse_key(argv[optind + 1], hex, &key))
		return EXIT_USAGE;
	if (file || argc - optind == 2 || !strcmp(argv[optind + 2], "-")) {
		const char *path = file ? file : "-";

		ret = read_file(path, &value);
		if (ret)
			return fail(ret, "%s", file ? file : "stdin");
	} else if (!parse_value(argv[optind + 2], hex, &value)) {
		return EXIT_USAGE;
	}
	ret = open_table(argv[optind], 0, &t);
	if (ret)
		return ret;
	ret = skv_put(t, key.data, key.len, value.data, value.len, &po, &version);
	if (ret) {
		ret = key_op_fail(t, "put", ret, &key, value.len);
	} else if (json) {
		struct json_object *obj = json_object_new_object();

		json_add_u64(obj, "version", version);
		json_print(obj);
	}
	skv_table_close(t);
	free(key.data);
	free(value.data);
	return ret;
}

int cmd_get(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "delete", no_argument, NULL, 'd' },
		{}
	};
	bool hex = false, json = false, del = false;
	const char *output = NULL;
	struct skv_meta meta;
	struct skv_table *t;
	struct buf key = {};
	size_t len;
	void *val;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxjo:d", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'd':
			del = true;
			break;
		default:
			ret = common_option(c, argv, &hex, &json);
			if (ret >= 0)
				return ret;
			break;
		}
	}
	ret = positional(argc, argv, 2, 2, "TABLE KEY");
	if (ret)
		return ret;
	if (!parse_key(argv[optind + 1], hex, &key))
		return EXIT_USAGE;
	ret = open_table(argv[optind], del ? 0 : SKV_OPEN_RDONLY, &t);
	if (ret)
		return ret;
	if (del)
		ret = skv_getdel_alloc(t, key.data, key.len, &val, &len, &meta);
	else
		ret = skv_get_alloc(t, key.data, key.len, &val, &len, &meta);
	if (ret) {
		ret = key_op_fail(t, del ? "getdel" : "get", ret, &key, 0);
		goto out;
	}
	if (output) {
		int fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || (ret = write_all(fd, val, len)) || close(fd)) {
			ret = fail(ret ? ret : errno, "%s", output);
			if (fd >= 0)
				close(fd);
		}
	} else if (json) {
		struct json_object *obj = json_object_new_object();

		json_add_bytes(obj, "key", key.data, key.len, hex);
		json_add_bytes(obj, "value", val, len, hex);
		json_add_u64(obj, "version", meta.version);
		json_add_u64(obj, "ttl_ms", meta.ttl_ms);
		json_add_u64(obj, "flags", meta.user_flags);
		json_print(obj);
	} else {
		print_bytes(val, len, hex);
		if (hex)
			putchar('\n');
	}
	free(val);
out:
	skv_table_close(t);
	free(key.data);
	return ret;
}

int cmd_del(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "cas", required_argument, NULL, OPT_CAS },
		{}
	};
	bool hex = false, json = false;
	uint64_t cas = 0, version;
	uint32_t flags = 0;
	struct skv_table *t;
	struct buf key = {};
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxj", opts, NULL)) != -1) {
		switch (c) {
		case OPT_CAS:
			if (!parse_u64("--cas", optarg, &cas))
				return EXIT_USAGE;
			flags |= SKV_DEL_CAS;
			break;
		default:
			ret = common_option(c, argv, &hex, &json);
			if (ret >= 0)
				return ret;
			break;
		}
	}
	ret = positional(argc, argv, 2, 2, "TABLE KEY");
	if (ret)
		return ret;
	if (!parse_key(argv[optind + 1], hex, &key))
		return EXIT_USAGE;
	ret = open_table(argv[optind], 0, &t);
	if (ret)
		return ret;
	ret = skv_delete(t, key.data, key.len, flags, cas, &version);
	if (ret) {
		ret = key_op_fail(t, "del", ret, &key, 0);
	} else if (json) {
		struct json_object *obj = json_object_new_object();

		json_add_u64(obj, "version", version);
		json_print(obj);
	}
	skv_table_close(t);
	free(key.data);
	return ret;
}

int cmd_incr(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_OPTS, {} };
	bool hex = false, json = false;
	int64_t delta = 1, value;
	struct skv_table *t;
	struct buf key = {};
	uint64_t version;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxj", opts, NULL)) != -1) {
		ret = common_option(c, argv, &hex, &json);
		if (ret >= 0)
			return ret;
	}
	ret = positional(argc, argv, 2, 3, "TABLE KEY DELTA");
	if (ret)
		return ret;
	if (argc - optind == 3 && !parse_s64("delta", argv[optind + 2], &delta))
		return EXIT_USAGE;
	if (!parse_key(argv[optind + 1], hex, &key))
		return EXIT_USAGE;
	ret = open_table(argv[optind], 0, &t);
	if (ret)
		return ret;
	ret = skv_incr(t, key.data, key.len, delta, &value, &version);
	if (ret) {
		ret = key_op_fail(t, "incr", ret, &key, 0);
	} else if (json) {
		struct json_object *obj = json_object_new_object();

		json_object_object_add(obj, "value", json_object_new_int64(value));
		json_add_u64(obj, "version", version);
		json_print(obj);
	} else {
		printf("%" PRId64 "\n", value);
	}
	skv_table_close(t);
	free(key.data);
	return ret;
}

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "prefix", required_argument, NULL, 'p' },
		{ "values", no_argument, NULL, 'v' },
		{ "count", required_argument, NULL, 'c' },
		{}
	};
	bool hex = false, json = false, values = false;
	struct json_object *arr = NULL;
	const char *prefix_arg = NULL;
	struct buf prefix = {};
	struct skv_scan_iter *it;
	struct skv_scan_item item;
	struct skv_table *t;
	uint32_t count = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxjp:vc:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			prefix_arg = optarg;
			break;
		case 'v':
			values = true;
			break;
		case 'c':
			if (!parse_u32("--count", optarg, &count))
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
	if (prefix_arg && !parse_value(prefix_arg, hex, &prefix))
		return EXIT_USAGE;
	ret = open_table(argv[optind], SKV_OPEN_RDONLY, &t);
	if (ret)
		return ret;
	ret = skv_scan_begin(t, prefix.data, prefix.len,
			     values ? SKV_SCAN_VALUES : 0, count, &it);
	if (ret) {
		ret = fail(ret, "scan");
		goto out;
	}
	if (json)
		arr = json_object_new_array();
	while (!(ret = skv_scan_next(it, &item))) {
		if (json) {
			struct json_object *obj = json_object_new_object();

			json_add_bytes(obj, "key", item.key, item.key_len, hex);
			if (values)
				json_add_bytes(obj, "value", item.value,
					       item.value_len, hex);
			json_add_u64(obj, "version", item.version);
			json_add_u64(obj, "ttl_ms", item.ttl_ms);
			json_add_u64(obj, "flags", item.user_flags);
			json_object_array_add(arr, obj);
			continue;
		}
		print_bytes(item.key, item.key_len, hex);
		if (values) {
			putchar('\t');
			print_bytes(item.value, item.value_len, hex);
		}
		putchar('\n');
	}
	skv_scan_end(it);
	if (ret != -ENOENT) {
		json_object_put(arr);
		ret = fail(ret, "scan");
		goto out;
	}
	ret = EXIT_OK;
	if (json)
		json_print(arr);
out:
	skv_table_close(t);
	free(prefix.data);
	return ret;
}

int cmd_flush(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_OPTS, {} };
	struct skv_table *t;
	bool json = false;
	uint64_t count;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":hxj", opts, NULL)) != -1) {
		ret = common_option(c, argv, NULL, &json);
		if (ret >= 0)
			return ret;
	}
	ret = positional(argc, argv, 1, 1, "TABLE");
	if (ret)
		return ret;
	ret = open_table(argv[optind], 0, &t);
	if (ret)
		return ret;
	ret = skv_table_flush(t, &count);
	skv_table_close(t);
	if (ret)
		return fail(ret, "flush");
	if (json) {
		struct json_object *obj = json_object_new_object();

		json_add_u64(obj, "deleted", count);
		json_print(obj);
	} else {
		printf("%" PRIu64 "\n", count);
	}
	return EXIT_OK;
}
