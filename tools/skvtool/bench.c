// SPDX-License-Identifier: GPL-2.0
/*
 * skvtool: bench, a quick look at per-op cost. The project's real
 * benchmark (make bench) compares against baselines; this one only times
 * N puts, gets and deletes one syscall each.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skvtool.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

enum bench_op { BENCH_PUT, BENCH_GET, BENCH_DEL };
static const char *const bench_names[] = { "put", "get", "del" };

static int run(struct skv_table *t, enum bench_op op, uint32_t ops,
	       unsigned char *value, uint32_t value_size, uint64_t *ns)
{
	char key[32];
	uint64_t start = now_ns();
	size_t len;
	uint32_t i;
	int ret = 0;

	for (i = 0; i < ops && !ret; i++) {
		int n = snprintf(key, sizeof(key), "bench:%010u", i);

		switch (op) {
		case BENCH_PUT:
			ret = skv_put(t, key, n, value, value_size, NULL, NULL);
			break;
		case BENCH_GET:
			len = value_size;
			ret = skv_get(t, key, n, value, &len, NULL);
			break;
		case BENCH_DEL:
			ret = skv_delete(t, key, n, 0, 0, NULL);
			break;
		}
	}
	*ns = now_ns() - start;
	return ret;
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTS,
		{ "ops", required_argument, NULL, 'n' },
		{ "value-size", required_argument, NULL, 's' },
		{}
	};
	uint32_t ops = 10000, value_size = 64;
	struct json_object *obj;
	unsigned char *value;
	struct skv_table *t;
	uint64_t ns[3];
	bool json = false;
	int c, i, ret;

	while ((c = getopt_long(argc, argv, ":hxjn:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!parse_u32("--ops", optarg, &ops))
				return EXIT_USAGE;
			break;
		case 's':
			if (!parse_u32("--value-size", optarg, &value_size))
				return EXIT_USAGE;
			break;
		default:
			ret = common_option(c, argv, NULL, &json);
			if (ret >= 0)
				return ret;
			break;
		}
	}
	ret = positional(argc, argv, 1, 1, "TABLE");
	if (ret)
		return ret;
	if (!ops)
		return usage_error("--ops must be above 0");
	value = malloc(value_size ? value_size : 1);
	if (!value)
		return fail(ENOMEM, "bench");
	memset(value, 'v', value_size);
	ret = open_table(argv[optind], 0, &t);
	if (ret)
		goto out;
	for (i = BENCH_PUT; i <= BENCH_DEL; i++) {
		ret = run(t, i, ops, value, value_size, &ns[i]);
		if (ret) {
			ret = fail(ret, "bench: %s", bench_names[i]);
			break;
		}
	}
	skv_table_close(t);
	if (ret)
		goto out;
	obj = json_object_new_object();
	json_add_u64(obj, "ops", ops);
	json_add_u64(obj, "value_size", value_size);
	for (i = BENCH_PUT; i <= BENCH_DEL; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%s_ns_per_op", bench_names[i]);
		json_add_u64(obj, name, ns[i] / ops);
		if (!json)
			printf("%-4s %10u ops %10" PRIu64 " ns/op\n",
			       bench_names[i], ops, ns[i] / ops);
	}
	if (json)
		json_print(obj);
	else
		json_object_put(obj);
out:
	free(value);
	return ret;
}
