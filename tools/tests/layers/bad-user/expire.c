// SPDX-License-Identifier: GPL-2.0
#include "skv.h"

void skv_expire_one(struct skv_table *t)
{
	skv_entry_free(t);
	skv_stat_inc(t);
}
