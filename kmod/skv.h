/* SPDX-License-Identifier: GPL-2.0 */
/*
 * skv: internal declarations shared by the module's files.
 */
#ifndef _SKV_H
#define _SKV_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/skv.h>

/* Ops this build serves, reported by SKV_IOC_FEATURES. */
#define SKV_FEATURE_OPS	0ULL

int skv_copy_arg(void *dst, size_t ksize, size_t min_size,
		 const void __user *src, u32 *usize);
int skv_copy_arg_out(void __user *dst, const void *src, size_t ksize,
		     u32 usize);

int skv_device_init(void);
void skv_device_exit(void);

#endif /* _SKV_H */
