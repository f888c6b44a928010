// SPDX-License-Identifier: GPL-2.0
#include "skv.h"

/* The netlink face registers here; events.c never calls it by name. */
static const struct skv_event_ops *skv_event_ops;

void skv_event_raise(struct skv_table *t, int ev)
{
	if (skv_event_ops)
		skv_event_ops->deliver(t, ev);
}
