// SPDX-License-Identifier: GPL-2.0
#include "skv.h"

static int skv_lookup(const char *name)
{
	return name[0];
}

/* A comment may say __user and copy_to_user(). */
int skv_table_open(const char *name)
{
	pr_debug("no copy_to_user here");
	fault_in_readable(name, 1);
	return skv_lookup(name) + skv_store_get(NULL, NULL);
}
