// SPDX-License-Identifier: GPL-2.0
#include "skv.h"

void skv_entry_free(void *e)
{
	kfree(e);
}
