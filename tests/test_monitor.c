/* The key=value quoting of event log lines and millisecond JSON times. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "monitor.h"

static void
test_kv(void **state)
{
	char b[128];

	(void)state;
	monitor_kv(b, sizeof(b), "neighbor", "192.0.2.1");
	assert_string_equal(b, "neighbor=192.0.2.1");
	monitor_kv(b, sizeof(b), "descr", "upstream a");
	assert_string_equal(b, "descr=\"upstream a\"");
	monitor_kv(b, sizeof(b), "e", "say \"hi\" \\ now");
	assert_string_equal(b, "e=\"say \\\"hi\\\" \\\\ now\"");
	monitor_kv(b, sizeof(b), "x", "a=b");
	assert_string_equal(b, "x=\"a=b\"");
	monitor_kv(b, sizeof(b), "x", "");
	assert_string_equal(b, "x=\"\"");
	/* A peer's text cannot start a second log line. */
	monitor_kv(b, sizeof(b), "x", "a\nevent=forged");
	assert_null(strchr(b, '\n'));
	assert_string_equal(b, "x=\"a?event=forged\"");
	/* Truncation keeps a terminated string. */
	monitor_kv(b, 8, "key", "0123456789");
	assert_int_equal(strlen(b), 7);
}

static void
test_milli(void **state)
{
	struct json j;

	(void)state;
	json_init(&j, 256);
	json_array_begin(&j, NULL);
	json_milli(&j, NULL, 1780000000123ULL);
	json_milli(&j, NULL, 5);
	json_milli(&j, NULL, 1000);
	json_array_end(&j);
	assert_int_equal(json_finish(&j), 0);
	assert_string_equal(j.data, "[1780000000.123,0.005,1.000]\n");
	json_free(&j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv),
		cmocka_unit_test(test_milli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
