/* SPDX-License-Identifier: GPL-2.0 */
/* skv: time to live and eviction (expire.c). */
#ifndef _SKV_EXPIRE_H
#define _SKV_EXPIRE_H

#include "skv.h"

void skv_expire_init(struct skv_table *t);
void skv_expire_kick(struct skv_table *t);
void skv_expire_stop(struct skv_table *t);
bool skv_evict_one(struct skv_table *t);

#endif /* _SKV_EXPIRE_H */
