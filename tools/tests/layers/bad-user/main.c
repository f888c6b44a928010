// SPDX-License-Identifier: GPL-2.0
/* Fixture for tools/check-layers: calls go down only. */
#include "skv.h"

static int __init skv_init(void)
{
	int ret = skv_ioctl_init();

	if (ret)
		return ret;
	return skv_nl_init();	/* "skv_table_open(" in a string is no call */
}
module_init(skv_init);
