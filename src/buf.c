/*
 * Bounds-checked byte buffers: the only code that touches packet memory by
 * index. Readers are views; writers grow up to a fixed maximum and make
 * every error sticky, so encoders check buf_error() once at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

void
buf_view(struct buf *b, const void *data, size_t len)
{
	memset(b, 0, sizeof(*b));
	b->data = (uint8_t *)(uintptr_t)data;	/* views never write */
	b->len = b->cap = b->max = len;
}

int
buf_get(struct buf *b, void *dst, size_t n)
{
	if (buf_left(b) < n)
		return -1;
	if (n > 0)
		memcpy(dst, b->data + b->rpos, n);
	b->rpos += n;
	return 0;
}

/* The view borrows b's memory and must not outlive it. */
int
buf_get_sub(struct buf *b, size_t n, struct buf *view)
{
	if (buf_left(b) < n)
		return -1;
	buf_view(view, b->data + b->rpos, n);
	b->rpos += n;
	return 0;
}

int
buf_skip(struct buf *b, size_t n)
{
	if (buf_left(b) < n)
		return -1;
	b->rpos += n;
	return 0;
}

struct buf *
buf_new(size_t max)
{
	struct buf *b;

	b = xcalloc(1, sizeof(*b));
	b->max = max;
	b->owned = true;
	return b;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->owned)
		free(b->data);
	free(b);
}

void
buf_init(struct buf *b, void *mem, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->data = mem;
	b->cap = b->max = cap;
}

uint8_t *
buf_reserve(struct buf *b, size_t n)
{
	uint8_t	*p;
	size_t	 ncap;

	if (b->error)
		return NULL;
	if (n > b->max - b->len) {
		b->error = true;
		return NULL;
	}
	/* n == 0 on an empty writer still needs memory to point into. */
	if (b->len + n > b->cap || b->data == NULL) {
		if (!b->owned) {
			b->error = true;
			return NULL;
		}
		ncap = b->cap < 256 ? 256 : b->cap;
		while (ncap < b->len + n)
			ncap *= 2;
		if (ncap > b->max)
			ncap = b->max;
		if (ncap == 0)
			ncap = 1;
		b->data = xrealloc(b->data, ncap);
		b->cap = ncap;
	}
	p = b->data + b->len;
	b->len += n;
	return p;
}

int
buf_put(struct buf *b, const void *src, size_t n)
{
	uint8_t *p;

	if ((p = buf_reserve(b, n)) == NULL)
		return -1;
	if (n > 0)
		memcpy(p, src, n);
	return 0;
}

int
buf_put_zero(struct buf *b, size_t n)
{
	uint8_t *p;

	if ((p = buf_reserve(b, n)) == NULL)
		return -1;
	memset(p, 0, n);
	return 0;
}

int
buf_set_u8(struct buf *b, size_t off, uint8_t v)
{
	if (b->error || off >= b->len)
		return -1;
	b->data[off] = v;
	return 0;
}

/* Backpatches a length written earlier as a placeholder. */
int
buf_set_u16(struct buf *b, size_t off, uint16_t v)
{
	if (b->error || off > b->len || b->len - off < 2)
		return -1;
	b->data[off] = v >> 8;
	b->data[off + 1] = v & 0xff;
	return 0;
}

/* Rolls a writer back to len bytes and clears a sticky error, so a packer
 * can drop the item that did not fit and close the message. */
void
buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len)
		b->len = len;
	if (b->rpos > b->len)
		b->rpos = b->len;
	b->error = false;
}

void
buf_reset(struct buf *b)
{
	b->len = b->rpos = 0;
	b->error = false;
}
