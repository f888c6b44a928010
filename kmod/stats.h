/* SPDX-License-Identifier: GPL-2.0 */
/* skv: per-CPU counters (stats.c). */
#ifndef _SKV_STATS_H
#define _SKV_STATS_H

#include "skv.h"

int skv_stats_alloc(struct skv_table *t);
void skv_stats_free(struct skv_table *t);
void skv_stats_sum(struct skv_table *t, u64 sum[SKV_STAT_NR]);

#endif /* _SKV_STATS_H */
