/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skvtool: the command-line utility for skv. Shared declarations.
 */
#ifndef _SKVTOOL_H
#define _SKVTOOL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json.h>
#include <skvdev.h>

/* Exit statuses */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct buf {
	unsigned char *data;
	size_t len;
};

/* One command: `skvtool NAME ...` or `skvtool table NAME ...`. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;	/* synopsis after the name */
	const char *help;	/* options and description */
};

extern const char *dev_path;
extern const char *cmd_name;	/* "get", "table create", ... for messages */

/* Messages: each returns the exit status to return with. */
int fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int failx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hint_no_module(void);
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int print_help(const struct command *cmd);
int bad_option(int c, char **argv);
int common_option(int c, char **argv, bool *hex, bool *json);
int positional(int argc, char **argv, int min, int max, const char *names);

/* Argument parsing; false after printing a usage error. */
bool parse_u64(const char *what, const char *s, uint64_t *v);
bool parse_u32(const char *what, const char *s, uint32_t *v);
bool parse_s64(const char *what, const char *s, int64_t *v);
bool parse_key(const char *s, bool hex, struct buf *key);
bool parse_value(const char *s, bool hex, struct buf *value);
bool parse_policy(const char *s, uint32_t *policy);
int read_file(const char *path, struct buf *out);
int write_all(int fd, const void *data, size_t len);

/* Opening: each prints the failure and returns an exit status, or 0. */
int open_dev(struct skv_dev **dev);
int open_table(const char *name, uint32_t flags, struct skv_table **table);
int key_op_fail(struct skv_table *t, const char *what, int err,
		const struct buf *key, size_t value_len);

/* Output */
char *hex_encode(const void *data, size_t len);
void print_bytes(const void *data, size_t len, bool hex);
void json_add_bytes(struct json_object *obj, const char *name,
		    const void *data, size_t len, bool hex);
void json_add_u64(struct json_object *obj, const char *name, uint64_t v);
void json_print(struct json_object *obj);
const char *policy_name(uint32_t policy);

/* Common options of every command: --hex, --json, --help. */
#define COMMON_OPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "hex", no_argument, NULL, 'x' }, \
	{ "json", no_argument, NULL, 'j' }

int cmd_features(int argc, char **argv);
int cmd_table_create(int argc, char **argv);
int cmd_table_delete(int argc, char **argv);
int cmd_table_info(int argc, char **argv);
int cmd_table_stats(int argc, char **argv);
int cmd_table_set(int argc, char **argv);
int cmd_put(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_del(int argc, char **argv);
int cmd_incr(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_table_list(int argc, char **argv);

const struct command *find_command(const char *name);

#endif /* _SKVTOOL_H */
