// SPDX-License-Identifier: GPL-2.0
#include "skv.h"

long skv_store_get(struct skv_table *t,
		   void *buf)
{
	char k[8];

	if (copy_from_user(k, (const void __user *)buf, 8))
		return -EFAULT;
	skv_entry_free(buf);
	skv_expire_one(t);
	skv_event_raise(t, 1);
	return 0;
}
