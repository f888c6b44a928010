/* SPDX-License-Identifier: GPL-2.0 */
/* skv: the netlink face; only main.c calls it. */
#ifndef _SKV_NETLINK_H
#define _SKV_NETLINK_H

#include "skv.h"

int skv_netlink_init(void);
void skv_netlink_exit(void);

#endif /* _SKV_NETLINK_H */
