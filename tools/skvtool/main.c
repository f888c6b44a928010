// SPDX-License-Identifier: GPL-2.0
/*
 * skvtool: command dispatch, messages and helpers shared by the commands.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skvtool.h"

const char *dev_path = SKV_DEV_PATH;
const char *cmd_name = "";

#define COMMON_HELP \
	"  -x, --hex     keys and values on the command line and in the output\n" \
	"                are hex (file and stdin values stay raw bytes)\n" \
	"  -j, --json    JSON output\n" \
	"  -h, --help    this text\n"

static const struct command commands[] = {
	{ "features", cmd_features, "",
	  "Print what the loaded skv module supports: ABI version, ops, flags,\n"
	  "policies, hard caps and struct sizes.\n" },
	{ "table create", cmd_table_create, "NAME [OPTIONS]",
	  "Create table NAME (an existing one is an error unless --exist-ok).\n"
	  "      --max-entries N    entries allowed (default 1048576)\n"
	  "      --max-bytes N      key+value bytes allowed (default 64 MiB)\n"
	  "      --max-key-len N    bytes (default 512)\n"
	  "      --max-value-len N  bytes (default 1 MiB)\n"
	  "      --default-ttl MS   TTL of entries put without one (0 = none)\n"
	  "      --policy P         none (full table fails) or lru\n"
	  "      --mode OCTAL       permission bits (default 0600)\n"
	  "      --exist-ok         an existing table is fine\n"
	  "      --mapped           a mapped table: readers look keys up in shared\n"
	  "                         memory, no system call (fixed size, no LRU;\n"
	  "                         defaults 65536 entries, keys 64, values 224)\n" },
	{ "table list", cmd_table_list, "",
	  "List the tables of this network namespace that the caller may read,\n"
	  "with mode, owner, policy, entries and bytes (over netlink).\n" },
	{ "table delete", cmd_table_delete, "NAME",
	  "Delete table NAME. Open handles keep working until closed.\n" },
	{ "table info", cmd_table_info, "NAME",
	  "Print the attributes, owner and mode of table NAME.\n" },
	{ "table stats", cmd_table_stats, "NAME",
	  "Print the counters of table NAME.\n" },
	{ "table set", cmd_table_set, "NAME OPTIONS",
	  "Change attributes of table NAME (owner or CAP_SYS_ADMIN only).\n"
	  "      --default-ttl MS   --policy none|lru   --mode OCTAL\n"
	  "      --uid UID          --gid GID\n" },
	{ "put", cmd_put, "TABLE KEY [VALUE|-]",
	  "Store KEY = VALUE; '-' or no VALUE reads it from stdin.\n"
	  "  -f, --file F     read the value from file F\n"
	  "  -t, --ttl MS     expire after MS milliseconds\n"
	  "      --flags N    32 bits of user flags\n"
	  "      --nx         only if KEY is absent\n"
	  "      --xx         only if KEY is present\n"
	  "      --cas VER    only if KEY has version VER\n"
	  "With --json, print the new version.\n" },
	{ "get", cmd_get, "TABLE KEY",
	  "Print the value of KEY as raw bytes (hex with --hex).\n"
	  "  -o, --output F   write the value to file F\n"
	  "  -d, --delete     delete the entry returned (GETDEL)\n"
	  "With --json, print key, value, version, ttl_ms and flags.\n" },
	{ "del", cmd_del, "TABLE KEY",
	  "Delete KEY.\n"
	  "      --cas VER    only if KEY has version VER\n" },
	{ "incr", cmd_incr, "TABLE KEY [DELTA]",
	  "Add DELTA (default 1; negative after --) to the decimal integer\n"
	  "value of KEY and print the result.\n" },
	{ "scan", cmd_scan, "TABLE",
	  "Print every key, one per line (hex with --hex).\n"
	  "  -p, --prefix P   only keys starting with P (hex with --hex)\n"
	  "  -v, --values     print KEY<tab>VALUE (use --hex for binary data)\n"
	  "  -c, --count N    keys per SCAN call (a hint)\n" },
	{ "watch", cmd_watch, "TABLE",
	  "Print the change events of TABLE as they happen, one line each:\n"
	  "type, key (0x-hex when not printable), version, seq; a warning line\n"
	  "when events were lost. Needs read permission at start; ends when\n"
	  "the table is deleted.\n"
	  "  -c, --count N    stop after N events\n"
	  "  -t, --timeout MS stop after MS milliseconds (with --count: fail\n"
	  "                   if fewer than N events came)\n"
	  "  -v, --values     set events carry their value (and ttl_ms)\n" },
	{ "flush", cmd_flush, "TABLE",
	  "Delete every entry of TABLE and print how many there were.\n" },
	{ "dump", cmd_dump, "TABLE",
	  "Write TABLE (attributes, keys, values, TTLs, flags) to a dump file,\n"
	  "sorted by key; see skvtool(1) for the format.\n"
	  "  -o, --output F   the file (default stdout)\n" },
	{ "restore", cmd_restore, "TABLE [FILE|-]",
	  "Load a dump file (default stdin) into TABLE after checking it whole.\n"
	  "      --on-conflict P  skip, replace or fail (default fail: nothing is\n"
	  "                       written if any key exists)\n"
	  "      --create         create TABLE with the dump's attributes if absent\n" },
	{ "bench", cmd_bench, "TABLE",
	  "Time N puts, gets and deletes of keys 'bench:N' and print ns/op.\n"
	  "  -n, --ops N          ops of each kind (default 10000)\n"
	  "  -s, --value-size B   value bytes (default 64)\n" },
};

const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int bad_option(int c, char **argv)
{
	if (c == ':')
		return usage_error("option '%s' needs an argument",
				   argv[optind - 1]);
	if (optopt && optopt != '?')
		return usage_error("unknown option '-%c'", optopt);
	return usage_error("unknown option '%s'", argv[optind - 1]);
}

/*
 * The options every command takes, for the default case of a command's
 * getopt loop: --hex and --json set *hex and *json (NULL where the command
 * accepts the option but has no use for it). Returns -1 when c was one of
 * those two, else the exit status to return with: --help's or a bad
 * option's.
 */
int common_option(int c, char **argv, bool *hex, bool *json)
{
	switch (c) {
	case 'h':
		return print_help(find_command(cmd_name));
	case 'x':
		if (hex)
			*hex = true;
		return -1;
	case 'j':
		if (json)
			*json = true;
		return -1;
	default:
		return bad_option(c, argv);
	}
}

int positional(int argc, char **argv, int min, int max, const char *names)
{
	int n = argc - optind;

	if (n < min) {
		/* names is "TABLE KEY ...": name the first one missing */
		const char *p = names;
		int i;

		for (i = 0; i < n && p; i++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		return usage_error("missing %.*s", p ? (int)strcspn(p, " ") : 3,
				   p ? p : "arg");
	}
	if (n > max)
		return usage_error("unexpected argument '%s'", argv[optind + max]);
	return 0;
}

int print_help(const struct command *cmd)
{
	printf("Usage: skvtool [--dev PATH] %s%s%s [-x] [-j]\n\n%s\nCommon options:\n%s",
	       cmd->name, *cmd->args ? " " : "", cmd->args, cmd->help,
	       COMMON_HELP);
	return EXIT_OK;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: skvtool [--dev PATH] COMMAND [ARGS] [OPTIONS]\n\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s %s\n", commands[i].name, commands[i].args);
	fprintf(f, "\n'skvtool COMMAND --help' describes a command; see skvtool(1).\n"
		"Exit status: 0 ok, 1 failure, 2 usage error.\n");
}

static void vmsg(const char *fmt, va_list ap)
{
	fputs("skvtool: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* "skvtool: <what>: <strerror> (<ENAME>)", with the errno's name. */
int fail(int err, const char *fmt, ...)
{
	const char *name;
	va_list ap;

	if (err < 0)
		err = -err;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	name = strerrorname_np(err);
	fprintf(stderr, ": %s (%s)\n", strerror(err), name ? name : "?");
	return EXIT_FAIL;
}

/* A failure that no errno describes. */
int failx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	if (*cmd_name)
		fprintf(stderr, " (see 'skvtool %s --help')\n", cmd_name);
	else
		fprintf(stderr, " (see 'skvtool --help')\n");
	return EXIT_USAGE;
}

bool parse_u64(const char *what, const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (!*s || *end || errno || *s == '-' || *s == '+' || *s == ' ') {
		usage_error("bad %s '%s'", what, s);
		return false;
	}
	return true;
}

bool parse_u32(const char *what, const char *s, uint32_t *v)
{
	uint64_t v64;

	if (!parse_u64(what, s, &v64))
		return false;
	if (v64 > UINT32_MAX) {
		usage_error("bad %s '%s'", what, s);
		return false;
	}
	*v = v64;
	return true;
}

bool parse_s64(const char *what, const char *s, int64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	if (!*s || *end || errno || *s == ' ') {
		usage_error("bad %s '%s'", what, s);
		return false;
	}
	return true;
}

bool parse_policy(const char *s, uint32_t *policy)
{
	if (!strcmp(s, "none"))
		*policy = SKV_POLICY_NONE;
	else if (!strcmp(s, "lru"))
		*policy = SKV_POLICY_LRU;
	else {
		usage_error("bad policy '%s' (none or lru)", s);
		return false;
	}
	return true;
}

const char *policy_name(uint32_t policy)
{
	switch (policy) {
	case SKV_POLICY_NONE:
		return "none";
	case SKV_POLICY_LRU:
		return "lru";
	default:
		return "unknown";
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex decoding by hand: two dozen lines, no library in Debian does only this. */
static bool hex_decode(const char *s, struct buf *out)
{
	size_t i, n = strlen(s);

	if (n % 2)
		return false;
	out->data = malloc(n / 2 + 1);
	if (!out->data)
		return false;
	for (i = 0; i < n / 2; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out->data);
			out->data = NULL;
			return false;
		}
		out->data[i] = hi << 4 | lo;
	}
	out->len = n / 2;
	return true;
}

/* Keys longer than the hard cap can never be valid: a usage error. */
static bool check_key_len(const struct buf *key, const char *s)
{
	if (!key->len) {
		usage_error("empty key");
		return false;
	}
	if (key->len > SKV_KEY_LEN_CAP) {
		usage_error("key too long: %zu bytes, at most %u", key->len,
			    SKV_KEY_LEN_CAP);
		return false;
	}
	(void)s;
	return true;
}

bool parse_key(const char *s, bool hex, struct buf *key)
{
	if (hex) {
		if (!hex_decode(s, key)) {
			usage_error("bad hex in key '%s'", s);
			return false;
		}
	} else {
		key->data = (unsigned char *)strdup(s);
		key->len = strlen(s);
	}
	return check_key_len(key, s);
}

bool parse_value(const char *s, bool hex, struct buf *value)
{
	if (hex) {
		if (!hex_decode(s, value)) {
			usage_error("bad hex in value '%.32s'", s);
			return false;
		}
		return true;
	}
	value->data = (unsigned char *)strdup(s);
	value->len = strlen(s);
	return true;
}

/* Read all of @path ("-" = stdin). Returns 0 or a negative errno. */
int read_file(const char *path, struct buf *out)
{
	size_t cap = 4096, len = 0;
	unsigned char *data, *tmp;
	int fd = 0, ret = 0;
	ssize_t n;

	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	data = malloc(cap);
	if (!data) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (len == cap) {
			cap *= 2;
			tmp = realloc(data, cap);
			if (!tmp) {
				ret = -ENOMEM;
				break;
			}
			data = tmp;
		}
		n = read(fd, data + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n)
			break;
		len += n;
	}
	if (ret) {
		free(data);
	} else {
		out->data = data;
		out->len = len;
	}
out:
	if (fd)
		close(fd);
	return ret;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * After ENOENT on /dev/skv or the netlink family: what a person does next.
 * skv.ko registers both, so with the module loaded neither is missing
 * (unless udev has not made the node yet).
 */
void hint_no_module(void)
{
	if (access("/sys/module/skv", F_OK) == 0)
		fprintf(stderr, "skvtool: hint: skv.ko is loaded but " SKV_DEV_PATH
			" is missing: is udev running? (udevadm trigger)\n");
	else
		fprintf(stderr, "skvtool: hint: the skv module is not loaded: modprobe skv "
			"(not installed? make install, from the skv sources)\n");
}

int open_dev(struct skv_dev **dev)
{
	int ret = skv_dev_open(dev_path, dev);

	if (!ret)
		return 0;
	fail(ret, "%s", dev_path);
	/* A path given with --dev is the caller's business. */
	if (ret == -ENOENT && strcmp(dev_path, SKV_DEV_PATH) == 0)
		hint_no_module();
	return EXIT_FAIL;
}

int open_table(const char *name, uint32_t flags, struct skv_table **table)
{
	struct skv_dev *dev;
	int ret;

	ret = open_dev(&dev);
	if (ret)
		return ret;
	ret = skv_table_open(dev, name, flags, NULL, table);
	skv_dev_close(dev);
	return ret ? fail(ret, "table '%s'", name) : 0;
}

/*
 * The kernel says -EINVAL for a key over the table's max_key_len and
 * -E2BIG for a value over max_value_len; say which limit it was.
 */
int key_op_fail(struct skv_table *t, const char *what, int err,
		const struct buf *key, size_t value_len)
{
	struct skv_info info;

	if ((err == -EINVAL || err == -E2BIG) && !skv_table_info(t, &info)) {
		if (err == -EINVAL && key->len > info.attr.max_key_len)
			return fail(err, "%s: key of %zu bytes exceeds max_key_len %u",
				    what, key->len, info.attr.max_key_len);
		if (err == -E2BIG && value_len > info.attr.max_value_len)
			return fail(err, "%s: value of %zu bytes exceeds max_value_len %u",
				    what, value_len, info.attr.max_value_len);
	}
	return fail(err, "%s", what);
}

char *hex_encode(const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	char *s = malloc(2 * len + 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < len; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[2 * len] = '\0';
	return s;
}

void print_bytes(const void *data, size_t len, bool hex)
{
	char *s;

	if (!hex) {
		fwrite(data, 1, len, stdout);
		return;
	}
	s = hex_encode(data, len);
	if (s)
		fputs(s, stdout);
	free(s);
}

/*
 * JSON strings must be valid UTF-8 and json-c does not check what it is
 * given, so this small validator decides between text and hex.
 */
static bool is_utf8_text(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		if (!s[i])
			return false;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
		} else {
			return false;
		}
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* @name as text, or as hex: always with --hex, as @name_hex if not text. */
void json_add_bytes(struct json_object *obj, const char *name,
		    const void *data, size_t len, bool hex)
{
	char field[64];
	char *s;

	if (!hex && is_utf8_text(data, len)) {
		json_object_object_add(obj, name,
				       json_object_new_string_len(data, len));
		return;
	}
	s = hex_encode(data, len);
	if (!s)
		return;
	if (!hex) {
		snprintf(field, sizeof(field), "%s_hex", name);
		name = field;
	}
	json_object_object_add(obj, name, json_object_new_string(s));
	free(s);
}

void json_add_u64(struct json_object *obj, const char *name, uint64_t v)
{
	json_object_object_add(obj, name, json_object_new_uint64(v));
}

void json_print(struct json_object *obj)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= isatty(STDOUT_FILENO) ? JSON_C_TO_STRING_PRETTY :
					 JSON_C_TO_STRING_PLAIN;
	puts(json_object_to_json_string_ext(obj, flags));
	json_object_put(obj);
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	char name[32];
	int i = 1;

	opterr = 0;
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--dev") && i + 1 < argc) {
			dev_path = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "--dev=", 6)) {
			dev_path = argv[i] + 6;
			i++;
		} else {
			return usage_error("unknown option '%s'", argv[i]);
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[i], "table")) {
		if (i + 1 == argc)
			return usage_error("table: missing command (create, delete, info, stats, set, list)");
		snprintf(name, sizeof(name), "table %s", argv[i + 1]);
		i++;
	} else {
		snprintf(name, sizeof(name), "%s", argv[i]);
	}
	cmd = find_command(name);
	if (!cmd)
		return usage_error("unknown command '%s'", name);
	cmd_name = cmd->name;
	/* The command sees argv[0] = its name, like a program of its own. */
	return cmd->run(argc - i, argv + i);
}
