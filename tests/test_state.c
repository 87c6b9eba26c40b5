/* The drain state file: round trip, atomic replace, bad input. */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "state.h"

static char dir[] = "/tmp/anycastd-state-XXXXXX";
static char path[256];

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/state", dir);
	return 0;
}

static int
teardown(void **state)
{
	char tmp[300];

	(void)state;
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	return rmdir(dir);
}

static void
write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_missing_is_empty(void **state)
{
	struct bgp_prefix *v = (void *)1;
	size_t n = 9;
	char err[128];

	(void)state;
	unlink(path);
	assert_int_equal(state_load(path, &v, &n, err, sizeof(err)), 0);
	assert_null(v);
	assert_int_equal(n, 0);
}

static void
test_round_trip(void **state)
{
	struct bgp_prefix in[2], *v;
	size_t n;
	char err[128], text[512];
	FILE *f;
	size_t len;

	(void)state;
	assert_int_equal(config_prefix_pton("203.0.113.0/24", &in[0], err,
	    sizeof(err)), 0);
	assert_int_equal(config_prefix_pton("2001:db8:ac::/48", &in[1], err,
	    sizeof(err)), 0);
	assert_int_equal(state_save(path, in, 2), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	assert_non_null(strstr(text, "\ndrain 203.0.113.0/24\n"
	    "drain 2001:db8:ac::/48\n"));
	assert_int_equal(state_load(path, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(&v[0], &in[0], sizeof(in[0]));
	assert_memory_equal(&v[1], &in[1], sizeof(in[1]));
	free(v);
	/* An empty list replaces it. */
	assert_int_equal(state_save(path, NULL, 0), 0);
	assert_int_equal(state_load(path, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	free(v);
}

static void
test_bad_lines(void **state)
{
	struct bgp_prefix *v = NULL;
	size_t n = 0;
	char err[256];

	(void)state;
	write_file("# header\n\n  drain 198.51.100.0/24  \n");
	assert_int_equal(state_load(path, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	free(v);
	write_file("drain 198.51.100.0/24\nundrain 1.2.3.0/24\n");
	assert_int_equal(state_load(path, &v, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: not a drained prefix"));
	assert_null(v);
	write_file("drain 198.51.100.1/24\n");	/* host bits */
	assert_int_equal(state_load(path, &v, &n, err, sizeof(err)), -1);
}

static void
test_unwritable_keeps_old(void **state)
{
	struct bgp_prefix in, *v;
	size_t n;
	char err[128], bad[300];

	(void)state;
	assert_int_equal(config_prefix_pton("203.0.113.0/24", &in, err,
	    sizeof(err)), 0);
	assert_int_equal(state_save(path, &in, 1), 0);
	snprintf(bad, sizeof(bad), "%s/no/such/dir/state", dir);
	assert_int_equal(state_save(bad, &in, 1), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(state_load(path, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_is_empty),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_unwritable_keeps_old),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
