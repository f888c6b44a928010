// SPDX-License-Identifier: GPL-2.0
#include "skv.h"

void skv_stat_inc(struct skv_table *t)
{
	skv_event_raise(t, 0);
}
