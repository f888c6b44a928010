// SPDX-License-Identifier: GPL-2.0
/*
 * Base64 (RFC 4648, with padding) for etcd's JSON gateway, which carries
 * keys and values as base64 strings. None of the libraries we link exports
 * it (libcurl keeps its own private), and it is forty lines.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "skv-sync.h"

static const char skv_b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *skv_b64_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out, *p;
	size_t i;

	out = malloc((len + 2) / 3 * 4 + 1);
	if (!out)
		return NULL;
	for (i = 0, p = out; i < len; i += 3) {
		unsigned int v = in[i] << 16;

		if (i + 1 < len)
			v |= in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*p++ = skv_b64_chars[(v >> 18) & 63];
		*p++ = skv_b64_chars[(v >> 12) & 63];
		*p++ = i + 1 < len ? skv_b64_chars[(v >> 6) & 63] : '=';
		*p++ = i + 2 < len ? skv_b64_chars[v & 63] : '=';
	}
	*p = '\0';
	return out;
}

static int skv_b64_value(char c)
{
	const char *p = c ? strchr(skv_b64_chars, c) : NULL;

	return p ? (int)(p - skv_b64_chars) : -1;
}

/* Decodes into a malloc'd buffer (NUL-terminated, for convenience). */
int skv_b64_decode(const char *in, unsigned char **outp, size_t *lenp)
{
	size_t n = strlen(in), i, o = 0;
	unsigned char *out;

	if (n % 4)
		return -EINVAL;
	out = malloc(n / 4 * 3 + 1);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < n; i += 4) {
		int a = skv_b64_value(in[i]), b = skv_b64_value(in[i + 1]);
		int c = in[i + 2] == '=' ? 0 : skv_b64_value(in[i + 2]);
		int d = in[i + 3] == '=' ? 0 : skv_b64_value(in[i + 3]);
		bool last = i + 4 == n;

		if (a < 0 || b < 0 || c < 0 || d < 0 ||
		    (!last && (in[i + 2] == '=' || in[i + 3] == '=')) ||
		    (in[i + 2] == '=' && in[i + 3] != '=')) {
			free(out);
			return -EINVAL;
		}
		out[o++] = a << 2 | b >> 4;
		if (in[i + 2] != '=')
			out[o++] = (b & 15) << 4 | c >> 2;
		if (in[i + 3] != '=')
			out[o++] = (c & 3) << 6 | d;
	}
	out[o] = '\0';
	*outp = out;
	*lenp = o;
	return 0;
}
