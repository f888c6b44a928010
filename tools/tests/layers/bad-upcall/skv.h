/* SPDX-License-Identifier: GPL-2.0 */
/* Fixture for tools/check-layers: prototypes are not calls. */
struct skv_table;
int skv_table_open(const char *name);
long skv_store_get(struct skv_table *t, void *buf);
void skv_event_raise(struct skv_table *t, int ev);
int skv_ioctl_init(void);
int skv_nl_init(void);

static inline int skv_clamp(int v)
{
	return skv_min(v, 64);	/* a header may call a header */
}

static inline int skv_min(int a, int b)
{
	skv_entry_free(0);	/* a header calling a .c file */
	return a < b ? a : b;
}
