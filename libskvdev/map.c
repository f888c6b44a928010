// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * libskvdev: mapped tables. A table created with SKV_TABLE_MAPPED is
 * mapped read-only when it is opened, and skv_get() looks keys up in the
 * mapping without a system call, by the reader protocol of
 * <skvdev/skv_map.h>; skv_map_get() is that lookup alone.
 *
 * Every load from the mapping is a relaxed atomic load (bytes are read as
 * aligned 64-bit words), so a reader racing the kernel's writes has no
 * data race in the C sense; the bucket's sequence count tells whether
 * what it read is consistent.
 */
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include "internal.h"

#define SKV_LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define SKV_LOAD_ACQUIRE(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)

/* SipHash-2-4, 64-bit output: the kernel's siphash(), as skv_map.h says. */
#define SKV_ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SKV_SIPROUND do {						\
	v0 += v1; v1 = SKV_ROTL(v1, 13); v1 ^= v0; v0 = SKV_ROTL(v0, 32); \
	v2 += v3; v3 = SKV_ROTL(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = SKV_ROTL(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = SKV_ROTL(v1, 17); v1 ^= v2; v2 = SKV_ROTL(v2, 32); \
} while (0)

static uint64_t skv_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static uint64_t skv_siphash(const void *data, size_t len, const uint64_t k[2])
{
	const uint8_t *in = data, *end = in + (len & ~(size_t)7);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k[0];
	uint64_t v1 = 0x646f72616e646f6dULL ^ k[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ k[0];
	uint64_t v3 = 0x7465646279746573ULL ^ k[1];
	uint64_t b = (uint64_t)len << 56, m;
	size_t i;

	for (; in != end; in += 8) {
		m = skv_le64(in);
		v3 ^= m;
		SKV_SIPROUND;
		SKV_SIPROUND;
		v0 ^= m;
	}
	for (i = 0; i < (len & 7); i++)
		b |= (uint64_t)in[i] << (8 * i);
	v3 ^= b;
	SKV_SIPROUND;
	SKV_SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SKV_SIPROUND;
	SKV_SIPROUND;
	SKV_SIPROUND;
	SKV_SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * Copy @len bytes at byte @off of the 8-aligned @base to @dst with relaxed
 * 64-bit loads. The words read stay inside the slot (slots are multiples
 * of 64 bytes and the caller bounds @off + @len by the slot's size).
 */
static void skv_map_copy(void *dst, const uint64_t *base, size_t off,
			 size_t len)
{
	uint8_t *d = dst;
	size_t w = off / 8, skip = off % 8, n;
	uint64_t word;

	/* Whole words first (values after 8-byte keys start aligned). */
	if (!skip) {
		for (; len >= 8; len -= 8, d += 8) {
			word = SKV_LOAD(&base[w++]);
			memcpy(d, &word, 8);
		}
	}
	while (len) {
		word = SKV_LOAD(&base[w++]);
		n = 8 - skip < len ? 8 - skip : len;
		memcpy(d, (const uint8_t *)&word + skip, n);
		d += n;
		len -= n;
		skip = 0;
	}
}

/* Compare @len bytes at @off of @base with @key, as skv_map_copy() reads. */
static bool skv_map_equal(const uint64_t *base, size_t off, const void *key,
			  size_t len)
{
	const uint8_t *k = key;
	size_t w = off / 8, skip = off % 8, n;
	uint64_t word, kw;

	if (!skip) {
		for (; len >= 8; len -= 8, k += 8) {
			word = SKV_LOAD(&base[w++]);
			memcpy(&kw, k, 8);
			if (word != kw)
				return false;
		}
	}
	while (len) {
		word = SKV_LOAD(&base[w++]);
		n = 8 - skip < len ? 8 - skip : len;
		if (memcmp((const uint8_t *)&word + skip, k, n))
			return false;
		k += n;
		len -= n;
		skip = 0;
	}
	return true;
}

static uint64_t skv_boottime_ns(void)
{
	struct timespec ts;

	/* The vDSO answers CLOCK_BOOTTIME: no system call. */
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* What one consistent read of a bucket found. */
struct skv_map_hit {
	bool found;
	uint64_t version;
	uint64_t expires;
	uint32_t user_flags;
	uint32_t value_len;
};

/*
 * Look @key up in bucket @b (skv_map.h, step 3): 0 with @hit filled by a
 * consistent read, -EAGAIN if the bucket kept changing. The value goes to
 * @buf if it fits in *@cap bytes.
 */
static int skv_map_read_bucket(const struct skv_table *t,
			       const struct skv_map_bucket *b, uint32_t tag,
			       const void *key, size_t key_len, void *buf,
			       size_t cap, struct skv_map_hit *hit)
{
	const struct skv_map_geo *g = &t->geo;
	unsigned int tries, w;

	for (tries = 0; tries < SKV_MAP_READ_TRIES; tries++) {
		uint32_t seq = SKV_LOAD_ACQUIRE(&b->seq);

		if (seq & 1)
			continue;
		hit->found = false;
		for (w = 0; w < SKV_MAP_WAYS; w++) {
			const struct skv_map_slot *s;
			const uint64_t *words;
			uint32_t idx, klen, vlen;

			/* The tag first: one load rules most ways out. */
			if (SKV_LOAD(&b->tag[w]) != tag)
				continue;
			idx = SKV_LOAD(&b->slot[w]);
			if (!idx)
				continue;
			if (--idx >= g->nr_slots)
				break;
			s = (const void *)(t->map + g->slots_offset +
					   (size_t)idx * g->slot_size);
			klen = SKV_LOAD(&s->key_len);
			vlen = SKV_LOAD(&s->value_len);
			if ((uint64_t)klen + vlen > g->slot_size - sizeof(*s))
				break;
			words = (const uint64_t *)(s + 1);
			if (klen != key_len || !skv_map_equal(words, 0, key, klen))
				continue;
			hit->found = true;
			hit->value_len = vlen;
			hit->version = SKV_LOAD(&s->version);
			hit->expires = SKV_LOAD(&s->expires);
			hit->user_flags = SKV_LOAD(&s->user_flags);
			if (vlen <= cap)
				skv_map_copy(buf, words, klen, vlen);
			break;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (SKV_LOAD(&b->seq) == seq)
			return 0;
	}
	return -EAGAIN;
}

int skv_map_get(struct skv_table *table, const void *key, size_t key_len,
		void *buf, size_t *value_len, struct skv_meta *meta)
{
	const struct skv_map_header *h;
	const struct skv_map_bucket *b[2];
	struct skv_map_hit hit = {0};
	uint64_t hash, now;
	unsigned int i;
	int ret;

	ret = skv_check_get(table, key, key_len, buf, value_len);
	if (ret)
		return ret;
	if (!table->map)
		return -ENODEV;
	h = (const void *)table->map;
	if (SKV_LOAD(&h->state) != SKV_MAP_LIVE)
		return -EIDRM;
	if (key_len > table->geo.max_key_len)
		return -EINVAL;

	hash = skv_siphash(key, key_len, table->geo.hash_key);
	b[0] = (const void *)(table->map + table->geo.index_offset +
			      (hash & table->geo.mask) * SKV_MAP_BUCKET_SIZE);
	b[1] = (const void *)(table->map + table->geo.index_offset +
			      ((hash >> 32) & table->geo.mask) *
			      SKV_MAP_BUCKET_SIZE);
	for (i = 0; i < 2 && !hit.found; i++) {
		if (i && b[1] == b[0])
			break;
		ret = skv_map_read_bucket(table, b[i], hash >> 32, key, key_len,
					  buf, *value_len, &hit);
		if (ret)
			return ret;
	}
	if (!hit.found)
		return -ENOENT;
	now = hit.expires ? skv_boottime_ns() : 0;
	if (hit.expires && now >= hit.expires)
		return -ENOENT;
	if (hit.value_len > *value_len) {
		*value_len = hit.value_len;
		return -ERANGE;
	}
	*value_len = hit.value_len;
	if (meta) {
		meta->version = hit.version;
		meta->ttl_ms = hit.expires ?
			(hit.expires - now + 999999) / 1000000 : 0;
		meta->user_flags = hit.user_flags;
	}
	return 0;
}

bool skv_table_mapped(const struct skv_table *table)
{
	return table && table->map;
}

/*
 * Map @table's region if it is a mapped table (skv_map.h, step 1). A table
 * that cannot be mapped, or whose header this library does not know, is
 * used through the ioctls, as any other table.
 */
void skv_map_attach(struct skv_table *table)
{
	struct skv_info info = { .size = sizeof(info) };
	const struct skv_map_header *h;
	struct skv_map_geo *g = &table->geo;
	int saved_errno = errno;
	void *p;

	if (skv_sys_ioctl(table->fd, SKV_IOC_INFO, &info) ||
	    !(info.table_flags & SKV_TABLE_MAPPED) ||
	    info.map_size < sizeof(*h) || info.map_size > SIZE_MAX)
		return;
	p = mmap(NULL, info.map_size, PROT_READ, MAP_SHARED, table->fd, 0);
	if (p == MAP_FAILED) {
		errno = saved_errno;
		return;
	}
	h = p;
	if (h->magic != SKV_MAP_MAGIC ||
	    h->layout_version != SKV_MAP_LAYOUT_VERSION ||
	    h->map_size > info.map_size || !h->nr_buckets ||
	    (h->nr_buckets & (h->nr_buckets - 1)) ||
	    h->bucket_size != SKV_MAP_BUCKET_SIZE ||
	    h->slot_size < sizeof(struct skv_map_slot) || h->slot_size % 8 ||
	    h->index_offset % 64 || h->slots_offset % 8 ||
	    h->index_offset + (uint64_t)h->nr_buckets * SKV_MAP_BUCKET_SIZE >
		h->map_size ||
	    h->slots_offset + (uint64_t)h->nr_slots * h->slot_size >
		h->map_size) {
		munmap(p, info.map_size);
		errno = saved_errno;
		return;
	}
	g->index_offset = h->index_offset;
	g->slots_offset = h->slots_offset;
	g->mask = h->nr_buckets - 1;
	g->nr_slots = h->nr_slots;
	g->slot_size = h->slot_size;
	g->max_key_len = h->max_key_len;
	g->hash_key[0] = h->hash_key[0];
	g->hash_key[1] = h->hash_key[1];
	table->map_len = info.map_size;
	table->map = p;
}

void skv_map_detach(struct skv_table *table)
{
	int saved_errno = errno;

	if (table->map)
		munmap((void *)table->map, table->map_len);
	errno = saved_errno;
}
