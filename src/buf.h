/*
 * Bounds-checked network-order byte buffers.
 *
 * A struct buf is either a read view over bytes it does not own (buf_view,
 * buf_get_sub) or a writer with a hard maximum size (buf_new, buf_init).
 * Reads past the end fail with -1 and leave the output untouched; writes past
 * the maximum set a sticky error that buf_error() reports once at the end.
 * All wire parsing and encoding in anycastd goes through this type: nothing
 * else does pointer arithmetic on a packet.
 */
#ifndef ANYCASTD_BUF_H
#define ANYCASTD_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
	uint8_t	*data;
	size_t	 len;		/* readable (view) or written (writer) bytes */
	size_t	 rpos;		/* read position, 0 <= rpos <= len */
	size_t	 cap;		/* allocated bytes (writers) */
	size_t	 max;		/* a writer never grows past this */
	bool	 error;		/* a put failed; later puts do nothing */
	bool	 owned;		/* data is ours to realloc/free */
};

/* Readers. A view never writes through data. */
void	 buf_view(struct buf *, const void *, size_t);
int	 buf_get(struct buf *, void *, size_t);
int	 buf_get_sub(struct buf *, size_t, struct buf *);
int	 buf_skip(struct buf *, size_t);

/* Writers. buf_new() allocates (fatal on ENOMEM); buf_init() writes into
 * caller memory of cap bytes and never grows. */
struct buf	*buf_new(size_t max);
void	 buf_free(struct buf *);
void	 buf_init(struct buf *, void *, size_t cap);
int	 buf_put(struct buf *, const void *, size_t);
int	 buf_put_zero(struct buf *, size_t);
int	 buf_set_u8(struct buf *, size_t off, uint8_t);
int	 buf_set_u16(struct buf *, size_t off, uint16_t);
void	 buf_truncate(struct buf *, size_t len);
void	 buf_reset(struct buf *);

static inline size_t
buf_left(const struct buf *b)
{
	return b->len - b->rpos;
}

/* Current read position; valid for buf_left() bytes. */
static inline const uint8_t *
buf_ptr(const struct buf *b)
{
	return b->data + b->rpos;
}

static inline size_t
buf_len(const struct buf *b)
{
	return b->len;
}

static inline bool
buf_error(const struct buf *b)
{
	return b->error;
}

static inline int
buf_get_u8(struct buf *b, uint8_t *v)
{
	if (b->len - b->rpos < 1)
		return -1;
	*v = b->data[b->rpos++];
	return 0;
}

static inline int
buf_get_u16(struct buf *b, uint16_t *v)
{
	const uint8_t *p;

	if (b->len - b->rpos < 2)
		return -1;
	p = b->data + b->rpos;
	*v = (uint16_t)(p[0] << 8 | p[1]);
	b->rpos += 2;
	return 0;
}

static inline int
buf_get_u32(struct buf *b, uint32_t *v)
{
	const uint8_t *p;

	if (b->len - b->rpos < 4)
		return -1;
	p = b->data + b->rpos;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	b->rpos += 4;
	return 0;
}

/* Reserves n bytes at the end of a writer; NULL (and sticky error) if the
 * maximum would be exceeded. Used by the put helpers and by hot encoders. */
uint8_t	*buf_reserve(struct buf *, size_t n);

static inline int
buf_put_u8(struct buf *b, uint8_t v)
{
	uint8_t *p;

	if ((p = buf_reserve(b, 1)) == NULL)
		return -1;
	p[0] = v;
	return 0;
}

static inline int
buf_put_u16(struct buf *b, uint16_t v)
{
	uint8_t *p;

	if ((p = buf_reserve(b, 2)) == NULL)
		return -1;
	p[0] = v >> 8;
	p[1] = v & 0xff;
	return 0;
}

static inline int
buf_put_u32(struct buf *b, uint32_t v)
{
	uint8_t *p;

	if ((p = buf_reserve(b, 4)) == NULL)
		return -1;
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
	return 0;
}

#endif /* ANYCASTD_BUF_H */
