/* SPDX-License-Identifier: GPL-2.0 */
/* skv: tables: registry, permission, quota, attributes (table.c). */
#ifndef _SKV_TABLE_H
#define _SKV_TABLE_H

#include "skv.h"

int skv_table_open(struct net *net, const struct skv_table_open *req,
		   struct skv_table **tp, bool *created);
void skv_table_abort_create(struct net *net, struct skv_table *t);
int skv_table_delete(struct net *net, const struct skv_table_delete *req);
void skv_table_put(struct skv_table *t);
int skv_table_permission(struct skv_table *t, int mask);
bool skv_table_is_linked(struct skv_table *t);
void skv_table_info(struct skv_table *t, struct skv_info *info);
int skv_table_set(struct skv_table *t, const struct skv_set *set);
typedef int (*skv_table_fn)(struct skv_table *t, void *arg);
int skv_tables_walk(struct net *net, unsigned long *pos, skv_table_fn fn,
		    void *arg);
int skv_tables_init(void);
void skv_tables_exit(void);

#endif /* _SKV_TABLE_H */
