/* The streaming JSON writer: exact text for nesting, escaping and errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <cmocka.h>

#include "json.h"

static void
test_nested(void **state)
{
	struct json j;

	(void)state;
	json_init(&j, 4096);
	json_object_begin(&j, NULL);
	json_array_begin(&j, "neighbors");
	json_object_begin(&j, NULL);
	json_string(&j, "address", "192.0.2.1");
	json_uint(&j, "remote_as", 4200000001u);
	json_double(&j, "uptime", 12.5);
	json_bool(&j, "passive", false);
	json_null(&j, "last_error");
	json_object_end(&j);
	json_object_begin(&j, NULL);
	json_int(&j, "n", -3);
	json_array_begin(&j, "as_path");
	json_uint(&j, NULL, 65000);
	json_uint(&j, NULL, 65001);
	json_array_end(&j);
	json_object_end(&j);
	json_array_end(&j);
	json_object_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(j.data,
	    "{\"neighbors\":[{\"address\":\"192.0.2.1\",\"remote_as\":4200000001,"
	    "\"uptime\":12.5,\"passive\":false,\"last_error\":null},"
	    "{\"n\":-3,\"as_path\":[65000,65001]}]}\n");
	json_free(&j);
}

static void
test_escaping(void **state)
{
	struct json j;

	(void)state;
	json_init(&j, 4096);
	json_object_begin(&j, NULL);
	json_string(&j, "s", "a\"b\\c\nd\te\x01 \xc3\xa9 \xff x\xe2\x82");
	json_object_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(j.data, "{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001 "
	    "\xc3\xa9 \\ufffd x\\ufffd\\ufffd\"}\n");
	json_free(&j);
}

static void
test_numbers(void **state)
{
	struct json j;

	(void)state;
	json_init(&j, 4096);
	json_array_begin(&j, NULL);
	json_double(&j, NULL, 0.0012);
	json_double(&j, NULL, 1234567.5);
	json_double(&j, NULL, NAN);
	json_double(&j, NULL, 0.0000012);
	json_uint(&j, NULL, UINT64_MAX);
	json_array_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(j.data,
	    "[0.0012,1234567.5,null,0.000001200,18446744073709551615]\n");
	json_free(&j);
}

static void
test_errors(void **state)
{
	struct json j;
	int i;

	(void)state;
	/* Unbalanced. */
	json_init(&j, 4096);
	json_object_begin(&j, NULL);
	json_array_end(&j);
	assert_int_equal(json_finish(&j), -1);
	json_reset(&j);
	/* Unclosed. */
	json_object_begin(&j, NULL);
	assert_int_equal(json_finish(&j), -1);
	json_reset(&j);
	/* A member without a key. */
	json_object_begin(&j, NULL);
	json_uint(&j, NULL, 1);
	json_object_end(&j);
	assert_int_equal(json_finish(&j), -1);
	json_reset(&j);
	/* Too deep. */
	for (i = 0; i < JSON_MAX_DEPTH + 1; i++)
		json_array_begin(&j, NULL);
	assert_int_equal(json_finish(&j), -1);
	json_reset(&j);
	/* After a reset it works again. */
	json_array_begin(&j, NULL);
	json_array_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(j.data, "[]\n");
	json_free(&j);

	/* The size bound is sticky. */
	json_init(&j, 10);
	json_array_begin(&j, NULL);
	json_string(&j, NULL, "0123456789");
	json_array_end(&j);
	assert_int_equal(json_finish(&j), -1);
	assert_true(j.len <= 10);
	json_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
