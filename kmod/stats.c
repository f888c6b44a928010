// SPDX-License-Identifier: GPL-2.0
/*
 * skv: per-table statistics. The data path bumps per-CPU counters, so
 * reads write no shared cache line; readers sum them.
 */
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "stats.h"

int skv_stats_alloc(struct skv_table *t)
{
	t->stats = alloc_percpu_gfp(struct skv_pcpu_stats, GFP_KERNEL_ACCOUNT);
	return t->stats ? 0 : -ENOMEM;
}

void skv_stats_free(struct skv_table *t)
{
	free_percpu(t->stats);
}

/* The counters summed over the CPUs, at the time of the call. */
void skv_stats_sum(struct skv_table *t, u64 sum[SKV_STAT_NR])
{
	int cpu, i;

	memset(sum, 0, sizeof(u64) * SKV_STAT_NR);
	for_each_possible_cpu(cpu) {
		const struct skv_pcpu_stats *s = per_cpu_ptr(t->stats, cpu);

		for (i = 0; i < SKV_STAT_NR; i++)
			sum[i] += READ_ONCE(s->count[i]);
	}
}
