/*
 * Unit tests for src/buf.[ch], the only code allowed to index packet
 * memory.  They pin the promises every decoder and encoder relies on:
 * network byte order, short reads that fail without touching their output
 * or position, views that borrow and stay inside their bounds, writers
 * that never pass their maximum, and sticky errors that only
 * buf_truncate() and buf_reset() clear.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"

static const uint8_t pattern[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
};

static void
test_view_reads_network_order(void **state)
{
	struct buf	b;
	uint8_t		u8;
	uint16_t	u16;
	uint32_t	u32;
	uint8_t		rest[3];

	(void)state;
	buf_view(&b, pattern, sizeof(pattern));
	assert_int_equal(buf_len(&b), sizeof(pattern));
	assert_int_equal(buf_left(&b), sizeof(pattern));
	assert_ptr_equal(buf_ptr(&b), pattern);
	assert_false(buf_error(&b));

	assert_int_equal(buf_get_u8(&b, &u8), 0);
	assert_int_equal(u8, 0x01);
	assert_int_equal(buf_get_u16(&b, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(buf_get_u32(&b, &u32), 0);
	assert_int_equal(u32, 0x04050607);
	assert_int_equal(buf_left(&b), 3);
	assert_ptr_equal(buf_ptr(&b), pattern + 7);

	assert_int_equal(buf_get(&b, rest, sizeof(rest)), 0);
	assert_memory_equal(rest, pattern + 7, sizeof(rest));
	assert_int_equal(buf_left(&b), 0);
	/* The view never copied: it still points into the caller's bytes. */
	assert_ptr_equal(b.data, pattern);
}

static void
test_u32_high_bit(void **state)
{
	static const uint8_t	bytes[] = { 0xff, 0xfe, 0xfd, 0xfc };
	struct buf		b;
	uint32_t		v;

	(void)state;
	/* Catches sign extension of the top byte through int promotion. */
	buf_view(&b, bytes, sizeof(bytes));
	assert_int_equal(buf_get_u32(&b, &v), 0);
	assert_true(v == 0xfffefdfcU);
}

static void
test_short_reads_leave_output_untouched(void **state)
{
	struct buf	b;
	uint8_t		u8 = 0xaa;
	uint16_t	u16 = 0xaaaa;
	uint32_t	u32 = 0xaaaaaaaa;
	uint8_t		dst[8];
	uint8_t		canary[8];

	(void)state;
	memset(dst, 0xaa, sizeof(dst));
	memcpy(canary, dst, sizeof(canary));

	/* Three bytes: a u32 and a 4-byte get must fail, a u16 still fits. */
	buf_view(&b, pattern, 3);
	assert_int_equal(buf_get_u32(&b, &u32), -1);
	assert_true(u32 == 0xaaaaaaaaU);
	assert_int_equal(buf_get(&b, dst, 4), -1);
	assert_memory_equal(dst, canary, sizeof(dst));
	assert_int_equal(buf_left(&b), 3);

	assert_int_equal(buf_get_u16(&b, &u16), 0);
	assert_int_equal(u16, 0x0102);
	/* One byte left. */
	assert_int_equal(buf_get_u16(&b, &u16), -1);
	assert_int_equal(u16, 0x0102);
	assert_int_equal(buf_get_u32(&b, &u32), -1);
	assert_true(u32 == 0xaaaaaaaaU);
	assert_int_equal(buf_skip(&b, 2), -1);
	assert_int_equal(buf_left(&b), 1);
	assert_ptr_equal(buf_ptr(&b), pattern + 2);

	assert_int_equal(buf_get_u8(&b, &u8), 0);
	assert_int_equal(u8, 0x03);
	/* Empty. */
	u8 = 0x55;
	assert_int_equal(buf_get_u8(&b, &u8), -1);
	assert_int_equal(u8, 0x55);
	assert_int_equal(buf_get(&b, dst, 1), -1);
	assert_memory_equal(dst, canary, sizeof(dst));
	assert_int_equal(buf_left(&b), 0);

	/* Zero-length reads and skips succeed even at the end. */
	assert_int_equal(buf_get(&b, dst, 0), 0);
	assert_int_equal(buf_skip(&b, 0), 0);
	/* Reads never flag the writer error. */
	assert_false(buf_error(&b));
}

static void
test_skip(void **state)
{
	struct buf	b;
	uint8_t		u8;

	(void)state;
	buf_view(&b, pattern, sizeof(pattern));
	assert_int_equal(buf_skip(&b, 4), 0);
	assert_int_equal(buf_get_u8(&b, &u8), 0);
	assert_int_equal(u8, 0x05);
	assert_int_equal(buf_skip(&b, 6), -1);
	assert_int_equal(buf_left(&b), 5);
	assert_int_equal(buf_skip(&b, SIZE_MAX), -1);
	assert_int_equal(buf_left(&b), 5);
	assert_int_equal(buf_skip(&b, 5), 0);
	assert_int_equal(buf_left(&b), 0);
}

static void
test_get_sub_bounds(void **state)
{
	struct buf	b, sub, subsub;
	uint8_t		u8;
	uint16_t	u16;
	uint32_t	u32;

	(void)state;
	buf_view(&b, pattern, sizeof(pattern));
	assert_int_equal(buf_skip(&b, 1), 0);

	assert_int_equal(buf_get_sub(&b, 3, &sub), 0);
	/* The sub-view borrows the parent's memory at the read position. */
	assert_ptr_equal(buf_ptr(&sub), pattern + 1);
	assert_int_equal(buf_len(&sub), 3);
	assert_int_equal(buf_left(&sub), 3);
	/* ... and the parent moved past it. */
	assert_int_equal(buf_left(&b), 6);
	assert_ptr_equal(buf_ptr(&b), pattern + 4);

	/* Reads inside the sub-view stop at its end even though the parent's
	 * memory goes on. */
	assert_int_equal(buf_get_u32(&sub, &u32), -1);
	assert_int_equal(buf_get_u16(&sub, &u16), 0);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(buf_get_u16(&sub, &u16), -1);
	assert_int_equal(buf_get_u8(&sub, &u8), 0);
	assert_int_equal(u8, 0x04);
	assert_int_equal(buf_get_u8(&sub, &u8), -1);

	/* A sub-view longer than what is left fails and moves nothing. */
	assert_int_equal(buf_get_sub(&b, 7, &sub), -1);
	assert_int_equal(buf_left(&b), 6);
	assert_int_equal(buf_get_sub(&b, SIZE_MAX, &sub), -1);
	assert_int_equal(buf_left(&b), 6);

	/* Exactly what is left, then a view of a view. */
	assert_int_equal(buf_get_sub(&b, 6, &sub), 0);
	assert_int_equal(buf_left(&b), 0);
	assert_int_equal(buf_get_sub(&sub, 2, &subsub), 0);
	assert_int_equal(buf_get_u16(&subsub, &u16), 0);
	assert_int_equal(u16, 0x0506);
	assert_int_equal(buf_left(&subsub), 0);
	assert_int_equal(buf_left(&sub), 4);

	/* An empty sub-view at the end is valid and empty. */
	assert_int_equal(buf_get_sub(&b, 0, &sub), 0);
	assert_int_equal(buf_left(&sub), 0);
	assert_int_equal(buf_get_u8(&sub, &u8), -1);
}

static void
test_view_rejects_writes(void **state)
{
	uint8_t		mem[4] = { 1, 2, 3, 4 };
	struct buf	b;

	(void)state;
	buf_view(&b, mem, sizeof(mem));
	assert_int_equal(buf_put_u8(&b, 9), -1);
	assert_true(buf_error(&b));
	assert_int_equal(buf_len(&b), 4);
	assert_int_equal(mem[0], 1);
	assert_int_equal(mem[3], 4);
}

static void
test_writer_network_order(void **state)
{
	static const uint8_t	want[] = {
		0x7f,
		0x12, 0x34,
		0xde, 0xad, 0xbe, 0xef,
		'a', 'b', 'c',
		0x00, 0x00,
	};
	struct buf		*b;
	uint8_t			 u8;
	uint16_t		 u16;
	uint32_t		 u32;

	(void)state;
	b = buf_new(4096);
	assert_non_null(b);
	assert_int_equal(buf_len(b), 0);
	assert_int_equal(buf_put_u8(b, 0x7f), 0);
	assert_int_equal(buf_put_u16(b, 0x1234), 0);
	assert_int_equal(buf_put_u32(b, 0xdeadbeef), 0);
	assert_int_equal(buf_put(b, "abc", 3), 0);
	assert_int_equal(buf_put_zero(b, 2), 0);
	assert_false(buf_error(b));
	assert_int_equal(buf_len(b), sizeof(want));
	assert_memory_equal(b->data, want, sizeof(want));

	/* A writer reads back what it holds. */
	assert_int_equal(buf_left(b), sizeof(want));
	assert_int_equal(buf_get_u8(b, &u8), 0);
	assert_int_equal(u8, 0x7f);
	assert_int_equal(buf_get_u16(b, &u16), 0);
	assert_int_equal(u16, 0x1234);
	assert_int_equal(buf_get_u32(b, &u32), 0);
	assert_true(u32 == 0xdeadbeefU);
	assert_int_equal(buf_left(b), 5);
	buf_free(b);
}

static void
test_writer_max_and_sticky_error(void **state)
{
	static const uint8_t	want[] = { 0xab, 0xcd, 0x01, 0x02, 0x03 };
	struct buf		*b;

	(void)state;
	b = buf_new(6);
	assert_int_equal(buf_put_u16(b, 0xabcd), 0);
	assert_int_equal(buf_put(b, pattern, 3), 0);
	/* 5 of 6 used: a u16 does not fit and must not be half written. */
	assert_int_equal(buf_put_u16(b, 0xffff), -1);
	assert_true(buf_error(b));
	assert_int_equal(buf_len(b), 5);

	/* Sticky: a put that would fit still does nothing. */
	assert_int_equal(buf_put_u8(b, 0xee), -1);
	assert_int_equal(buf_put(b, pattern, 0), -1);
	assert_int_equal(buf_put_zero(b, 1), -1);
	assert_int_equal(buf_set_u8(b, 0, 0), -1);
	assert_int_equal(buf_set_u16(b, 0, 0), -1);
	assert_true(buf_error(b));
	assert_int_equal(buf_len(b), 5);
	assert_memory_equal(b->data, want, sizeof(want));
	buf_free(b);

	/* Filling to exactly the maximum is not an error. */
	b = buf_new(4);
	assert_int_equal(buf_put_u32(b, 1), 0);
	assert_false(buf_error(b));
	assert_int_equal(buf_put_zero(b, 0), 0);
	assert_false(buf_error(b));
	assert_int_equal(buf_put_u8(b, 0), -1);
	assert_true(buf_error(b));
	assert_int_equal(buf_len(b), 4);
	buf_free(b);

	/* A length that would wrap size_t arithmetic is refused. */
	b = buf_new(64);
	assert_int_equal(buf_put_u8(b, 0), 0);
	assert_null(buf_reserve(b, SIZE_MAX));
	assert_true(buf_error(b));
	assert_int_equal(buf_len(b), 1);
	buf_free(b);
}

static void
test_init_fixed_memory_never_grows(void **state)
{
	uint8_t		mem[8];
	struct buf	b;

	(void)state;
	memset(mem, 0xcc, sizeof(mem));
	buf_init(&b, mem, 4);
	assert_int_equal(buf_len(&b), 0);
	assert_int_equal(buf_put_u32(&b, 0x01020304), 0);
	assert_ptr_equal(b.data, mem);
	assert_int_equal(mem[0], 0x01);
	assert_int_equal(mem[3], 0x04);

	assert_int_equal(buf_put_u8(&b, 0x05), -1);
	assert_true(buf_error(&b));
	/* Still the caller's memory, nothing written past cap. */
	assert_ptr_equal(b.data, mem);
	assert_int_equal(buf_len(&b), 4);
	assert_int_equal(mem[4], 0xcc);
	assert_int_equal(mem[7], 0xcc);

	/* After a reset the same memory is reused from the start. */
	buf_reset(&b);
	assert_false(buf_error(&b));
	assert_int_equal(buf_put_u16(&b, 0xa1a2), 0);
	assert_ptr_equal(b.data, mem);
	assert_int_equal(mem[0], 0xa1);
	assert_int_equal(mem[1], 0xa2);
	assert_int_equal(mem[2], 0x03);
}

static void
test_set_u16_bounds(void **state)
{
	struct buf	*b;

	(void)state;
	b = buf_new(4096);
	assert_int_equal(buf_put_zero(b, 4), 0);

	/* Backpatch a length placeholder at the start and at the very end. */
	assert_int_equal(buf_set_u16(b, 0, 0x1234), 0);
	assert_int_equal(buf_set_u16(b, 2, 0xabcd), 0);
	assert_int_equal(b->data[0], 0x12);
	assert_int_equal(b->data[1], 0x34);
	assert_int_equal(b->data[2], 0xab);
	assert_int_equal(b->data[3], 0xcd);

	/* Anything reaching past len fails, even inside the allocation. */
	assert_int_equal(buf_set_u16(b, 3, 0xffff), -1);
	assert_int_equal(buf_set_u16(b, 4, 0xffff), -1);
	assert_int_equal(buf_set_u16(b, 5, 0xffff), -1);
	assert_int_equal(buf_set_u16(b, SIZE_MAX, 0xffff), -1);
	assert_int_equal(buf_set_u16(b, SIZE_MAX - 1, 0xffff), -1);
	assert_int_equal(b->data[3], 0xcd);
	assert_int_equal(buf_len(b), 4);

	assert_int_equal(buf_set_u8(b, 3, 0x77), 0);
	assert_int_equal(b->data[3], 0x77);
	assert_int_equal(buf_set_u8(b, 4, 0x77), -1);
	assert_int_equal(buf_set_u8(b, SIZE_MAX, 0x77), -1);
	buf_free(b);
}

static void
test_truncate_clears_error(void **state)
{
	struct buf	*b;

	(void)state;
	b = buf_new(8);
	assert_int_equal(buf_put(b, pattern, 6), 0);
	assert_int_equal(buf_put_u32(b, 0), -1);
	assert_true(buf_error(b));

	/* Drop the last item that did fit and carry on. */
	buf_truncate(b, 4);
	assert_false(buf_error(b));
	assert_int_equal(buf_len(b), 4);
	assert_int_equal(buf_put_u32(b, 0x11223344), 0);
	assert_int_equal(buf_len(b), 8);
	assert_memory_equal(b->data, pattern, 4);
	assert_int_equal(b->data[4], 0x11);
	assert_int_equal(b->data[7], 0x44);

	/* Truncating to more than len does not extend. */
	buf_truncate(b, 100);
	assert_int_equal(buf_len(b), 8);

	/* The read position is pulled back with len. */
	assert_int_equal(buf_skip(b, 6), 0);
	buf_truncate(b, 2);
	assert_int_equal(buf_left(b), 0);
	assert_int_equal(buf_len(b), 2);

	buf_reset(b);
	assert_int_equal(buf_len(b), 0);
	assert_int_equal(buf_left(b), 0);
	buf_free(b);
}

static void
test_reserve_growth(void **state)
{
	struct buf	*b;
	uint8_t		*p;
	size_t		 i;

	(void)state;
	/* Byte by byte past several reallocations: earlier bytes survive. */
	b = buf_new(65535);
	for (i = 0; i < 5000; i++)
		assert_int_equal(buf_put_u8(b, (uint8_t)(i * 7)), 0);
	assert_int_equal(buf_len(b), 5000);
	assert_true(b->cap >= 5000 && b->cap <= 65535);
	for (i = 0; i < 5000; i++)
		assert_int_equal(b->data[i], (uint8_t)(i * 7));
	buf_free(b);

	/* Growth is capped at the maximum, which need not be a power of 2. */
	b = buf_new(300);
	assert_int_equal(buf_put_zero(b, 200), 0);
	p = buf_reserve(b, 100);
	assert_non_null(p);
	assert_ptr_equal(p, b->data + 200);
	memset(p, 0x5a, 100);
	assert_int_equal(buf_len(b), 300);
	assert_true(b->cap <= 300);
	assert_null(buf_reserve(b, 1));
	assert_true(buf_error(b));
	buf_free(b);

	/* One reserve bigger than any doubling step. */
	b = buf_new(4096);
	assert_int_equal(buf_put_u8(b, 0xee), 0);
	p = buf_reserve(b, 4095);
	assert_non_null(p);
	memset(p, 0x11, 4095);
	assert_int_equal(b->data[0], 0xee);
	assert_int_equal(b->data[4095], 0x11);
	assert_int_equal(buf_len(b), 4096);
	buf_free(b);
}

static void
test_free_null(void **state)
{
	(void)state;
	buf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_view_reads_network_order),
		cmocka_unit_test(test_u32_high_bit),
		cmocka_unit_test(test_short_reads_leave_output_untouched),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_get_sub_bounds),
		cmocka_unit_test(test_view_rejects_writes),
		cmocka_unit_test(test_writer_network_order),
		cmocka_unit_test(test_writer_max_and_sticky_error),
		cmocka_unit_test(test_init_fixed_memory_never_grows),
		cmocka_unit_test(test_set_u16_bounds),
		cmocka_unit_test(test_truncate_clears_error),
		cmocka_unit_test(test_reserve_growth),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
