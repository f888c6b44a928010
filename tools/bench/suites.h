/* SPDX-License-Identifier: GPL-2.0 */
/* skv-bench: the suites and the helpers they share. */
#ifndef SKV_BENCH_SUITES_H
#define SKV_BENCH_SUITES_H

#include "bench.h"

void suite_floor(void);
void suite_skv(void);
void suite_bpf(void);
void suite_scale(void);
void suite_scale_skv(void);
void suite_memory(void);
void suite_memory_skv(void);
void suite_memory_bpf(void);
void suite_events_skv(void);
void suite_netlink_skv(void);
void suite_mapped(void);
void suite_curve_skv(void);

/* Read scaling: the same fn from 1 thread, then from 2 threads at once
 * (each with its own arg), pinned to cfg.cpu_a / cfg.cpu_b. */
void bench_scale(const char *op, bench_fn fn, void *arg0, void *arg1);

/* Kernel memory counters, before and after filling a store. */
struct mem_snap {
	long long memcg_current, memcg_kernel, memcg_slab, memcg_vmalloc,
		  memcg_percpu;
	long long mem_free, slab, vmalloc_used, percpu;	/* /proc/meminfo */
	bool memcg;
};

int mem_cgroup_enter(void);
void mem_settle(void);
void mem_snapshot(struct mem_snap *s);
void mem_report(const char *store, const struct mem_snap *before,
		const struct mem_snap *after, unsigned long long entries,
		unsigned int payload);

/* report.c */
int report_main(int argc, char **argv);
void report_print_quick(json_object *results, FILE *out);

#endif
