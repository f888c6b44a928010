// SPDX-License-Identifier: GPL-2.0
/*
 * The smoke test of the installed libskvdev-dev: built by `make deb-check`
 * against the unpacked packages only (pkg-config --cflags --libs libskvdev
 * with the packages' tree as sysroot), run in the VM. It checks the ABI
 * version, then writes, reads and deletes one entry in a fresh table.
 * Usage: skv-deb-smoke TABLE
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <skvdev.h>

static int fail(const char *what, int err)
{
	fprintf(stderr, "skv-deb-smoke: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	static const char key[] = "installed", value[] = "from the packages";
	struct skv_features f = { 0 };
	struct skv_table *t;
	struct skv_dev *dev;
	struct skv_meta meta;
	uint64_t version;
	char buf[64];
	size_t len = sizeof(buf);
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: skv-deb-smoke TABLE\n");
		return 2;
	}
	ret = skv_dev_open(SKV_DEV_PATH, &dev);
	if (ret)
		return fail("open " SKV_DEV_PATH, ret);
	ret = skv_features(dev, &f);
	if (ret)
		return fail("features", ret);
	if (f.abi_version != SKV_ABI_VERSION) {
		fprintf(stderr, "skv-deb-smoke: kernel ABI %u, header ABI %u\n",
			f.abi_version, SKV_ABI_VERSION);
		return 1;
	}
	ret = skv_table_open(dev, argv[1], SKV_OPEN_CREATE | SKV_OPEN_EXCL,
			     NULL, &t);
	if (ret)
		return fail("create table", ret);
	ret = skv_put(t, key, strlen(key), value, strlen(value), NULL,
		      &version);
	if (ret)
		return fail("put", ret);
	ret = skv_get(t, key, strlen(key), buf, &len, &meta);
	if (ret)
		return fail("get", ret);
	if (len != strlen(value) || memcmp(buf, value, len) ||
	    meta.version != version) {
		fprintf(stderr, "skv-deb-smoke: get returned other data\n");
		return 1;
	}
	skv_table_close(t);
	ret = skv_table_delete(dev, argv[1]);
	if (ret)
		return fail("delete table", ret);
	skv_dev_close(dev);
	printf("skv-deb-smoke: ABI %u, put/get/delete in '%s' ok\n",
	       f.abi_version, argv[1]);
	return 0;
}
