/* SPDX-License-Identifier: GPL-2.0 */
/* skv: change events (events.c). */
#ifndef _SKV_EVENTS_H
#define _SKV_EVENTS_H

#include "skv.h"

/* Delivery of change events; the netlink face registers one. */
struct skv_event_ops {
	/* A change; called under rcu_read_lock(), must not sleep. */
	void (*notify)(struct skv_table *t, enum skv_event ev,
		       const void *key, u32 key_len, u64 version);
	/* @t left its namespace; process context, may sleep. */
	void (*table_dead)(struct skv_table *t);
};

void skv_notify(struct skv_table *t, enum skv_event ev, const void *key,
		u32 key_len, u64 version);
void skv_events_table_dead(struct skv_table *t);
void skv_events_register(const struct skv_event_ops *ops);
void skv_events_unregister(void);

#endif /* _SKV_EVENTS_H */
