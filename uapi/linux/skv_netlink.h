/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/skv.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_SKV_NETLINK_H
#define _UAPI_LINUX_SKV_NETLINK_H

#define SKV_GENL_NAME		"skv"
#define SKV_GENL_VERSION	1

#define SKV_NAME_LEN		63
#define SKV_NL_VALUE_MAX	65531

/**
 * enum skv_event_type - What happened to a key of a subscribed table.
 * @SKV_EVENT_TYPE_SET: The key was written (put, incr); version is the new
 *   one.
 * @SKV_EVENT_TYPE_DELETE: The key was deleted (delete, getdel).
 * @SKV_EVENT_TYPE_EXPIRED: The key's time to live ran out.
 * @SKV_EVENT_TYPE_EVICTED: The key was evicted from a full table with policy
 *   lru.
 * @SKV_EVENT_TYPE_FLUSHED: The table was flushed; carries no key.
 * @SKV_EVENT_TYPE_TABLE_DELETED: The table was deleted; carries no key. It is
 *   the last event of the subscription, which ends with it.
 */
enum skv_event_type {
	SKV_EVENT_TYPE_SET = 1,
	SKV_EVENT_TYPE_DELETE,
	SKV_EVENT_TYPE_EXPIRED,
	SKV_EVENT_TYPE_EVICTED,
	SKV_EVENT_TYPE_FLUSHED,
	SKV_EVENT_TYPE_TABLE_DELETED,
};

enum {
	SKV_A_TABLE_PAD = 1,
	SKV_A_TABLE_NAME,
	SKV_A_TABLE_MAX_ENTRIES,
	SKV_A_TABLE_MAX_BYTES,
	SKV_A_TABLE_MAX_KEY_LEN,
	SKV_A_TABLE_MAX_VALUE_LEN,
	SKV_A_TABLE_DEFAULT_TTL_MS,
	SKV_A_TABLE_POLICY,
	SKV_A_TABLE_MODE,
	SKV_A_TABLE_UID,
	SKV_A_TABLE_GID,
	SKV_A_TABLE_ENTRIES,
	SKV_A_TABLE_BYTES,
	SKV_A_TABLE_HITS,
	SKV_A_TABLE_MISSES,
	SKV_A_TABLE_WRITES,
	SKV_A_TABLE_DELETES,
	SKV_A_TABLE_EVICTIONS,
	SKV_A_TABLE_EXPIRATIONS,

	__SKV_A_TABLE_MAX,
	SKV_A_TABLE_MAX = (__SKV_A_TABLE_MAX - 1)
};

enum {
	SKV_A_ENTRY_PAD = 1,
	SKV_A_ENTRY_TABLE,
	SKV_A_ENTRY_KEY,
	SKV_A_ENTRY_VALUE,
	SKV_A_ENTRY_VERSION,
	SKV_A_ENTRY_TTL_MS,
	SKV_A_ENTRY_USER_FLAGS,
	SKV_A_ENTRY_PUT_FLAGS,
	SKV_A_ENTRY_DEL_FLAGS,
	SKV_A_ENTRY_CAS_VERSION,
	SKV_A_ENTRY_VALUE_LEN,

	__SKV_A_ENTRY_MAX,
	SKV_A_ENTRY_MAX = (__SKV_A_ENTRY_MAX - 1)
};

enum {
	SKV_A_EVENT_PAD = 1,
	SKV_A_EVENT_TYPE,
	SKV_A_EVENT_TABLE,
	SKV_A_EVENT_KEY,
	SKV_A_EVENT_VERSION,
	SKV_A_EVENT_SEQ,
	SKV_A_EVENT_LOST,
	SKV_A_EVENT_VALUE_MAX,
	SKV_A_EVENT_VALUE,
	SKV_A_EVENT_TTL_MS,

	__SKV_A_EVENT_MAX,
	SKV_A_EVENT_MAX = (__SKV_A_EVENT_MAX - 1)
};

enum {
	SKV_CMD_TABLE_NEW = 1,
	SKV_CMD_TABLE_DEL,
	SKV_CMD_TABLE_GET,
	SKV_CMD_TABLE_SET,
	SKV_CMD_KEY_GET,
	SKV_CMD_KEY_PUT,
	SKV_CMD_KEY_DEL,
	SKV_CMD_SUBSCRIBE,
	SKV_CMD_UNSUBSCRIBE,
	SKV_CMD_EVENT,

	__SKV_CMD_MAX,
	SKV_CMD_MAX = (__SKV_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_SKV_NETLINK_H */
