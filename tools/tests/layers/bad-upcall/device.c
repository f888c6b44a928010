// SPDX-License-Identifier: GPL-2.0
/* Not in LAYERS. */
int skv_device_init(void)
{
	return 0;
}
