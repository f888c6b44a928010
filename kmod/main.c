// SPDX-License-Identifier: GPL-2.0
/*
 * skv: a key-value store in the kernel. Module init and exit, nothing else;
 * skv.h says how the other files are layered.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/rcupdate.h>

#include "ioctl.h"
#include "netlink.h"
#include "table.h"
#include "store.h"

static int __init skv_mod_init(void)
{
	int ret;

	ret = skv_store_init();
	if (ret < 0)
		goto err_store;

	ret = skv_tables_init();
	if (ret < 0)
		goto err_tables;

	ret = skv_device_init();
	if (ret < 0)
		goto err_device;

	ret = skv_netlink_init();
	if (ret < 0)
		goto err_netlink;

	pr_info("skv ABI %d loaded\n", SKV_ABI_VERSION);
	return 0;

err_netlink:
	skv_device_exit();
err_device:
	skv_tables_exit();
err_tables:
	skv_store_exit();
err_store:
	return ret;
}

static void __exit skv_mod_exit(void)
{
	skv_netlink_exit();
	skv_device_exit();
	skv_tables_exit();
	/* Entries retired with call_rcu() must be freed before their caches. */
	rcu_barrier();
	skv_store_exit();
}

module_init(skv_mod_init);
module_exit(skv_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("skv: in-kernel key-value store");
MODULE_AUTHOR("The skv developers");
MODULE_VERSION("0.1");
