// SPDX-License-Identifier: GPL-2.0
/*
 * skv: per-table statistics. The data path bumps per-CPU counters, so
 * reads write no shared cache line; SKV_IOC_STATS sums them.
 */
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "skv.h"

int skv_stats_alloc(struct skv_table *t)
{
	t->stats = alloc_percpu_gfp(struct skv_pcpu_stats, GFP_KERNEL_ACCOUNT);
	return t->stats ? 0 : -ENOMEM;
}

void skv_stats_free(struct skv_table *t)
{
	free_percpu(t->stats);
}

long skv_ioctl_stats(struct skv_table *t, void __user *argp)
{
	struct skv_stats st;
	u32 usize;
	int cpu, ret;

	ret = skv_copy_arg(&st, sizeof(st), SKV_STATS_SIZE_VER0, argp, &usize);
	if (ret)
		return ret;
	if (st.flags)
		return -EINVAL;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	for_each_possible_cpu(cpu) {
		const struct skv_pcpu_stats *s = per_cpu_ptr(t->stats, cpu);

		st.hits += READ_ONCE(s->count[SKV_STAT_HITS]);
		st.misses += READ_ONCE(s->count[SKV_STAT_MISSES]);
		st.writes += READ_ONCE(s->count[SKV_STAT_WRITES]);
		st.deletes += READ_ONCE(s->count[SKV_STAT_DELETES]);
		st.evictions += READ_ONCE(s->count[SKV_STAT_EVICTIONS]);
		st.expirations += READ_ONCE(s->count[SKV_STAT_EXPIRATIONS]);
	}
	st.entries = atomic64_read(&t->nr_entries);
	st.bytes = atomic64_read(&t->bytes);

	return skv_copy_arg_out(argp, &st, sizeof(st), usize);
}
