// SPDX-License-Identifier: GPL-2.0
/*
 * skv: tables, their per-network-namespace registry, permissions, per-user
 * table quotas and attributes, and a table's lifetime. Requests come from
 * the faces in kernel memory; a table's entries are the store's.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nsproxy.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "table.h"
#include "store.h"
#include "entry.h"
#include "events.h"

static unsigned int skv_max_user_tables = 64;
module_param_named(max_tables_per_user, skv_max_user_tables, uint, 0644);
MODULE_PARM_DESC(max_tables_per_user,
		 "Tables one user may own, without CAP_SYS_RESOURCE (default 64)");

/* Like ipcperms(): a table's mode holds owner, group and other rwx bits. */
#define SKV_MODE_OWNER_SHIFT	6
#define SKV_MODE_GROUP_SHIFT	3
#define SKV_MODE_MASK		0777
#define SKV_POLICY_LAST		SKV_POLICY_LRU

struct skv_net {
	struct mutex lock;		/* protects tables and skv_table.linked */
	struct list_head tables;
};

static unsigned int skv_net_id __read_mostly;

static DEFINE_MUTEX(skv_users_lock);
static DEFINE_HASHTABLE(skv_users, 6);

/* Count one more table for @uid; -EDQUOT past the quota unless @exempt. */
static struct skv_user *skv_user_charge_table(kuid_t uid, bool exempt)
{
	struct skv_user *u;

	mutex_lock(&skv_users_lock);
	hash_for_each_possible(skv_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			goto found;

	u = kzalloc(sizeof(*u), GFP_KERNEL_ACCOUNT);
	if (!u) {
		mutex_unlock(&skv_users_lock);
		return ERR_PTR(-ENOMEM);
	}
	u->uid = uid;
	atomic64_set(&u->bytes, 0);
	atomic64_set(&u->writers, 0);
	hash_add(skv_users, &u->node, __kuid_val(uid));
found:
	if (!exempt && u->nr_tables >= READ_ONCE(skv_max_user_tables)) {
		if (!u->nr_tables) {
			hash_del(&u->node);
			kfree(u);
		}
		mutex_unlock(&skv_users_lock);
		return ERR_PTR(-EDQUOT);
	}
	u->nr_tables++;
	mutex_unlock(&skv_users_lock);
	return u;
}

static void skv_user_uncharge_table(struct skv_user *u)
{
	mutex_lock(&skv_users_lock);
	if (!--u->nr_tables) {
		WARN_ON_ONCE(atomic64_read(&u->bytes));
		hash_del(&u->node);
		kfree(u);
	}
	mutex_unlock(&skv_users_lock);
}

/*
 * [A-Za-z0-9._-], in ASCII. Not isalnum(): the kernel's ctype classifies
 * Latin-1 letters (0xc0-0xff) as alphanumeric.
 */
static bool skv_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/*
 * A table name as the ABI defines it, for both faces: 1..63 bytes of
 * [A-Za-z0-9._-], NUL-terminated, zero after the NUL. Returns its length
 * or -EINVAL.
 */
static int skv_name_check(const char name[SKV_NAME_MAX])
{
	size_t len = strnlen(name, SKV_NAME_MAX);
	size_t i;

	if (!len || len == SKV_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!skv_name_char_ok(name[i]))
			return -EINVAL;
	for (i = len; i < SKV_NAME_MAX; i++)
		if (name[i])
			return -EINVAL;
	return len;
}

static bool skv_attr_is_zero(const struct skv_table_attr *a)
{
	return !a->max_entries && !a->max_bytes && !a->max_key_len &&
	       !a->max_value_len && !a->default_ttl_ms && !a->policy &&
	       !a->mode;
}

static int skv_attr_check(const struct skv_table_attr *a, u32 table_flags,
			  bool exempt)
{
	if (a->max_entries > SKV_MAX_ENTRIES_CAP ||
	    a->max_key_len > SKV_KEY_LEN_CAP ||
	    a->max_value_len > SKV_VALUE_LEN_CAP ||
	    a->policy > SKV_POLICY_LAST || a->mode & ~SKV_MODE_MASK)
		return -EINVAL;
	if (table_flags & ~SKV_TABLE_ALL)
		return -EINVAL;
	/* Readers of a mapped table write nothing: no LRU recency. */
	if ((table_flags & SKV_TABLE_MAPPED) && a->policy != SKV_POLICY_NONE)
		return -EINVAL;
	/* The per-user byte quota is max_bytes' hard cap. */
	if (!exempt && a->max_bytes > skv_user_bytes_max())
		return -EINVAL;
	return 0;
}

static struct skv_table *skv_net_find(struct skv_net *sn, const char *name)
{
	struct skv_table *t;

	lockdep_assert_held(&sn->lock);
	list_for_each_entry(t, &sn->tables, node)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

static struct skv_table *skv_table_create(const struct skv_table_open *req,
					  bool exempt)
{
	const struct skv_table_attr *a = &req->attr;
	bool mapped = req->table_flags & SKV_TABLE_MAPPED;
	struct skv_table *t;
	int ret;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return ERR_PTR(-ENOMEM);

	strscpy(t->name, req->name, sizeof(t->name));
	t->table_flags = req->table_flags;
	t->max_entries = a->max_entries ?: mapped ?
			 SKV_MAP_DEFAULT_MAX_ENTRIES : SKV_DEFAULT_MAX_ENTRIES;
	t->max_bytes = a->max_bytes ?: SKV_DEFAULT_MAX_BYTES;
	if (!exempt && !a->max_bytes)
		t->max_bytes = min_t(u64, t->max_bytes, skv_user_bytes_max());
	t->max_key_len = a->max_key_len ?: mapped ?
			 SKV_MAP_DEFAULT_KEY_LEN : SKV_DEFAULT_KEY_LEN;
	t->max_value_len = a->max_value_len ?: mapped ?
			   SKV_MAP_DEFAULT_VALUE_LEN : SKV_DEFAULT_VALUE_LEN;
	t->default_ttl_ms = a->default_ttl_ms;
	t->policy = a->policy;
	t->mode = a->mode ?: SKV_DEFAULT_MODE;
	t->uid = current_euid();
	t->gid = current_egid();
	t->quota_exempt = exempt;
	mutex_init(&t->lock);
	refcount_set(&t->ref, 1);
	INIT_LIST_HEAD(&t->node);
	get_random_bytes(&t->hash_key, sizeof(t->hash_key));

	t->user = skv_user_charge_table(t->uid, exempt);
	if (IS_ERR(t->user)) {
		ret = PTR_ERR(t->user);
		goto err_free;
	}
	ret = skv_store_table_init(t);
	if (ret)
		goto err_user;
	t->user_ns = get_user_ns(current_user_ns());
	return t;

err_user:
	skv_user_uncharge_table(t->user);
err_free:
	kfree(t);
	return ERR_PTR(ret);
}

void skv_table_put(struct skv_table *t)
{
	if (!refcount_dec_and_test(&t->ref))
		return;

	/* No fd and no namespace: nothing else can reach the entries. */
	skv_store_table_destroy(t);
	WARN_ON_ONCE(atomic64_read(&t->nr_entries));
	skv_user_uncharge_table(t->user);
	put_user_ns(t->user_ns);
	kfree(t);
}

/*
 * @mask of MAY_READ and MAY_WRITE, for the current credentials, like
 * ipcperms(): the owner's, the group's or the others' bits of the mode;
 * CAP_DAC_OVERRIDE in the table's user namespace overrides.
 */
int skv_table_permission(struct skv_table *t, int mask)
{
	umode_t granted = READ_ONCE(t->mode);

	if (uid_eq(current_euid(), READ_ONCE(t->uid)))
		granted >>= SKV_MODE_OWNER_SHIFT;
	else if (in_group_p(READ_ONCE(t->gid)))
		granted >>= SKV_MODE_GROUP_SHIFT;

	if ((mask & ~granted & (MAY_READ | MAY_WRITE)) &&
	    !ns_capable(t->user_ns, CAP_DAC_OVERRIDE))
		return -EACCES;
	return 0;
}

/* Still in its namespace; a face reads it under its own lock. */
bool skv_table_is_linked(struct skv_table *t)
{
	return READ_ONCE(t->linked);
}

static bool skv_table_is_owner(struct skv_table *t)
{
	return uid_eq(current_euid(), READ_ONCE(t->uid)) ||
	       ns_capable(t->user_ns, CAP_SYS_ADMIN);
}

/*
 * Open (and with SKV_OPEN_CREATE create) the table @req names in @net
 * (the caller's for ioctls, the socket's for netlink), checking access
 * for the current credentials. *@tp gets a reference.
 */
int skv_table_open(struct net *net, const struct skv_table_open *req,
		   struct skv_table **tp, bool *created)
{
	bool create = req->flags & SKV_OPEN_CREATE;
	struct skv_net *sn = net_generic(net, skv_net_id);
	bool exempt = false;
	struct skv_table *t;
	int ret;

	ret = skv_name_check(req->name);
	if (ret < 0)
		return ret;
	if (!create && (!skv_attr_is_zero(&req->attr) || req->table_flags))
		return -EINVAL;
	if (create) {
		exempt = capable(CAP_SYS_RESOURCE);
		ret = skv_attr_check(&req->attr, req->table_flags, exempt);
		if (ret)
			return ret;
	}

	*created = false;
	mutex_lock(&sn->lock);
	t = skv_net_find(sn, req->name);
	if (t) {
		if ((req->flags & SKV_OPEN_EXCL)) {
			mutex_unlock(&sn->lock);
			return -EEXIST;
		}
		refcount_inc(&t->ref);
		mutex_unlock(&sn->lock);

		ret = skv_table_permission(t, req->flags & SKV_OPEN_RDONLY ?
					   MAY_READ : MAY_READ | MAY_WRITE);
		if (ret) {
			skv_table_put(t);
			return ret;
		}
		*tp = t;
		return 0;
	}
	if (!create) {
		mutex_unlock(&sn->lock);
		return -ENOENT;
	}

	/* Like open(O_CREAT): the creator gets the access it asked for. */
	t = skv_table_create(req, exempt);
	if (IS_ERR(t)) {
		mutex_unlock(&sn->lock);
		return PTR_ERR(t);
	}
	refcount_inc(&t->ref);		/* the namespace's reference */
	list_add_tail(&t->node, &sn->tables);
	WRITE_ONCE(t->linked, true);
	mutex_unlock(&sn->lock);

	*created = true;
	*tp = t;
	return 0;
}

/* Take @t out of its namespace; caller holds the namespace lock. */
static void skv_table_unlink(struct skv_net *sn, struct skv_table *t)
{
	lockdep_assert_held(&sn->lock);
	list_del_init(&t->node);
	WRITE_ONCE(t->linked, false);
}

/* @t left its namespace: end its subscriptions, drop the reference. */
static void skv_table_dead(struct skv_table *t)
{
	skv_store_table_dead(t);
	skv_events_table_dead(t);
	skv_table_put(t);
}

/* Undo the creation of @t in @net after a later step of TABLE_OPEN failed. */
void skv_table_abort_create(struct net *net, struct skv_table *t)
{
	struct skv_net *sn = net_generic(net, skv_net_id);
	bool unlinked = false;

	mutex_lock(&sn->lock);
	if (t->linked) {
		skv_table_unlink(sn, t);
		unlinked = true;
	}
	mutex_unlock(&sn->lock);
	if (unlinked)
		skv_table_dead(t);
}

/* Remove a table's name from @net; open fds keep the table. */
int skv_table_delete(struct net *net, const struct skv_table_delete *req)
{
	struct skv_net *sn = net_generic(net, skv_net_id);
	struct skv_table *t;
	int ret;

	ret = skv_name_check(req->name);
	if (ret < 0)
		return ret;

	mutex_lock(&sn->lock);
	t = skv_net_find(sn, req->name);
	if (!t) {
		mutex_unlock(&sn->lock);
		return -ENOENT;
	}
	if (!skv_table_is_owner(t)) {
		mutex_unlock(&sn->lock);
		return -EPERM;
	}
	skv_table_unlink(sn, t);
	mutex_unlock(&sn->lock);

	skv_table_dead(t);
	return 0;
}

/* The table's name and attributes, uid and gid in the caller's namespace. */
void skv_table_info(struct skv_table *t, struct skv_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	memcpy(info->name, t->name, sizeof(info->name));
	info->attr.max_entries = t->max_entries;
	info->attr.max_bytes = t->max_bytes;
	info->attr.max_key_len = t->max_key_len;
	info->attr.max_value_len = t->max_value_len;
	mutex_lock(&t->lock);
	info->attr.default_ttl_ms = t->default_ttl_ms;
	info->attr.policy = t->policy;
	info->attr.mode = t->mode;
	info->uid = from_kuid_munged(current_user_ns(), t->uid);
	info->gid = from_kgid_munged(current_user_ns(), t->gid);
	mutex_unlock(&t->lock);
	info->table_flags = t->table_flags;
	info->map_size = skv_store_map_size(t);
}

/* SKV_IOC_SET and the netlink table-set: @set is in kernel memory. */
int skv_table_set(struct skv_table *t, const struct skv_set *s)
{
	struct skv_set set = *s;
	kuid_t uid = INVALID_UID;
	kgid_t gid = INVALID_GID;
	int ret;

	if (set.mask & ~SKV_SET_ALL)
		return -EINVAL;
	/* Fields not selected by the mask must be zero. */
	if ((!(set.mask & SKV_SET_DEFAULT_TTL) && set.default_ttl_ms) ||
	    (!(set.mask & SKV_SET_POLICY) && set.policy) ||
	    (!(set.mask & SKV_SET_MODE) && set.mode) ||
	    (!(set.mask & SKV_SET_UID) && set.uid) ||
	    (!(set.mask & SKV_SET_GID) && set.gid))
		return -EINVAL;
	if (set.policy > SKV_POLICY_LAST || set.mode & ~SKV_MODE_MASK)
		return -EINVAL;
	if ((set.mask & SKV_SET_POLICY) && skv_table_mapped(t) &&
	    set.policy != SKV_POLICY_NONE)
		return -EINVAL;
	if (set.mask & SKV_SET_UID) {
		uid = make_kuid(current_user_ns(), set.uid);
		if (!uid_valid(uid) || !kuid_has_mapping(t->user_ns, uid))
			return -EINVAL;
	}
	if (set.mask & SKV_SET_GID) {
		gid = make_kgid(current_user_ns(), set.gid);
		if (!gid_valid(gid) || !kgid_has_mapping(t->user_ns, gid))
			return -EINVAL;
	}

	mutex_lock(&t->lock);
	ret = -EPERM;
	if (!skv_table_is_owner(t))
		goto out;
	if ((set.mask & SKV_SET_UID) && !uid_eq(uid, t->uid) &&
	    !ns_capable(t->user_ns, CAP_CHOWN))
		goto out;
	if ((set.mask & SKV_SET_GID) && !gid_eq(gid, t->gid) &&
	    !in_group_p(gid) && !ns_capable(t->user_ns, CAP_CHOWN))
		goto out;

	if (set.mask & SKV_SET_DEFAULT_TTL)
		WRITE_ONCE(t->default_ttl_ms, set.default_ttl_ms);
	if (set.mask & SKV_SET_POLICY)
		WRITE_ONCE(t->policy, set.policy);
	if (set.mask & SKV_SET_MODE)
		WRITE_ONCE(t->mode, set.mode);
	if (set.mask & SKV_SET_UID)
		WRITE_ONCE(t->uid, uid);
	if (set.mask & SKV_SET_GID)
		WRITE_ONCE(t->gid, gid);
	ret = 0;
out:
	mutex_unlock(&t->lock);
	return ret;
}

/*
 * Call @fn on each table of @net from the *@pos'th on,
 * under the namespace lock, for the netlink table dump. Stops when @fn
 * returns nonzero and returns that, with *@pos at the table it refused.
 */
int skv_tables_walk(struct net *net, unsigned long *pos, skv_table_fn fn,
		    void *arg)
{
	struct skv_net *sn = net_generic(net, skv_net_id);
	struct skv_table *t;
	unsigned long i = 0;
	int ret = 0;

	mutex_lock(&sn->lock);
	list_for_each_entry(t, &sn->tables, node) {
		if (i++ < *pos)
			continue;
		ret = fn(t, arg);
		if (ret)
			break;
		(*pos)++;
	}
	mutex_unlock(&sn->lock);
	return ret;
}

static int __net_init skv_net_init(struct net *net)
{
	struct skv_net *sn = net_generic(net, skv_net_id);

	mutex_init(&sn->lock);
	INIT_LIST_HEAD(&sn->tables);
	return 0;
}

/* The namespace drops its tables; open fds keep theirs alive. */
static void __net_exit skv_net_exit(struct net *net)
{
	struct skv_net *sn = net_generic(net, skv_net_id);
	struct skv_table *t, *tmp;
	LIST_HEAD(dead);

	mutex_lock(&sn->lock);
	list_for_each_entry_safe(t, tmp, &sn->tables, node) {
		WRITE_ONCE(t->linked, false);
		list_move(&t->node, &dead);
	}
	mutex_unlock(&sn->lock);

	list_for_each_entry_safe(t, tmp, &dead, node) {
		list_del_init(&t->node);
		skv_table_dead(t);
	}
}

static struct pernet_operations skv_net_ops = {
	.init	= skv_net_init,
	.exit	= skv_net_exit,
	.id	= &skv_net_id,
	.size	= sizeof(struct skv_net),
};

int __init skv_tables_init(void)
{
	return register_pernet_subsys(&skv_net_ops);
}

void skv_tables_exit(void)
{
	unregister_pernet_subsys(&skv_net_ops);
}
