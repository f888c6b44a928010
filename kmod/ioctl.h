/* SPDX-License-Identifier: GPL-2.0 */
/* skv: the ioctl face; only main.c calls it. */
#ifndef _SKV_IOCTL_H
#define _SKV_IOCTL_H

#include "skv.h"

int skv_device_init(void);
void skv_device_exit(void);

#endif /* _SKV_IOCTL_H */
