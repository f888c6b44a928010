// SPDX-License-Identifier: GPL-2.0
#include "skv.h"

static int skv_lookup(const char *name)
{
	return name[0];
}

int skv_table_open(const char *name)
{
	return skv_lookup(name) + skv_store_get(NULL, NULL);
}
