// SPDX-License-Identifier: GPL-2.0
/*
 * One line per event on stderr, with a level: systemd's journal keeps
 * stderr, and the level word leads so that grep and journalctl -p agree.
 *
 *   skv-sync: info replica/app: loaded 1000 keys at revision 57
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "skv-sync.h"

enum skv_sync_level skv_log_level = SKV_LOG_INFO;

static const char *const skv_level_names[] = {
	[SKV_LOG_ERR] = "error",
	[SKV_LOG_WARN] = "warning",
	[SKV_LOG_INFO] = "info",
	[SKV_LOG_DEBUG] = "debug",
};

void skv_log(enum skv_sync_level level, const char *who, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	char *nl;

	if (level > skv_log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one event, one line, whatever a peer put in its error text */
	while ((nl = strpbrk(msg, "\r\n")))
		*nl = ' ';
	fprintf(stderr, "skv-sync: %s %s: %s\n", skv_level_names[level],
		who ? who : "main", msg);
}
