/*
 * Unit tests for src/util.c and src/log.c: the allocators that never
 * return NULL, and the exact lines the logger writes to stderr (what
 * journald and operators see).  stderr is redirected into a temporary
 * file for each check; fatal paths run in a child process, since they
 * exit.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "util.h"

/*
 * The out-of-memory test asks for an impossible size.  libc returns NULL
 * for that, but AddressSanitizer aborts unless told to behave the same.
 */
const char	*__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static int	saved_stderr = -1;
static FILE	*capture_file;

/* Sends fd 2 into a fresh temporary file until capture_end(). */
static void
capture_begin(void)
{
	capture_file = tmpfile();
	assert_non_null(capture_file);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr != -1);
	assert_true(dup2(fileno(capture_file), STDERR_FILENO) != -1);
}

/* Restores stderr and returns what was written, NUL-terminated. */
static char *
capture_end(void)
{
	char	*text;
	long	 len;

	fflush(stderr);
	assert_true(dup2(saved_stderr, STDERR_FILENO) != -1);
	close(saved_stderr);
	saved_stderr = -1;
	len = ftell(capture_file);
	assert_true(len >= 0);
	text = xmalloc((size_t)len + 1);
	rewind(capture_file);
	assert_int_equal(fread(text, 1, (size_t)len, capture_file), len);
	text[len] = '\0';
	fclose(capture_file);
	capture_file = NULL;
	return text;
}

static void
assert_logged(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

static void
test_xmalloc_family(void **state)
{
	char		*p, *q;
	uint32_t	*a;
	size_t		 i;

	(void)state;
	/* Zero-byte requests still give a pointer that can be freed. */
	p = xmalloc(0);
	assert_non_null(p);
	free(p);
	p = xcalloc(0, 16);
	assert_non_null(p);
	free(p);

	p = xcalloc(64, 1);
	for (i = 0; i < 64; i++)
		assert_int_equal(p[i], 0);
	memcpy(p, "anycast", 8);
	p = xrealloc(p, 4096);
	assert_string_equal(p, "anycast");
	p = xrealloc(p, 0);
	assert_non_null(p);
	free(p);

	a = xreallocarray(NULL, 1000, sizeof(*a));
	for (i = 0; i < 1000; i++)
		a[i] = (uint32_t)i;
	a = xreallocarray(a, 2000, sizeof(*a));
	assert_int_equal(a[999], 999);
	free(a);

	p = xstrdup("192.0.2.1");
	q = xstrdup(p);
	assert_ptr_not_equal(p, q);
	assert_string_equal(q, "192.0.2.1");
	free(p);
	free(q);
}

static void
test_nitems(void **state)
{
	static const uint16_t	table[7];
	char			name[13];

	(void)state;
	assert_int_equal(nitems(table), 7);
	assert_int_equal(nitems(name), 13);
}

static void
test_log_levels(void **state)
{
	(void)state;
	log_init("anycastd-test", false, 0);
	assert_int_equal(log_get_verbosity(), 0);

	capture_begin();
	log_warnx("neighbor %s: %d", "192.0.2.1", 4);
	log_info("started");
	log_debug("not shown at verbosity 0");
	assert_logged(capture_end(), "neighbor 192.0.2.1: 4\nstarted\n");

	log_set_verbosity(1);
	assert_int_equal(log_get_verbosity(), 1);
	capture_begin();
	log_debug("timer %u", 3u);
	assert_logged(capture_end(), "timer 3\n");

	/* One call, one line: control characters cannot start another. */
	capture_begin();
	log_info("shutdown: %s", "bye\nfatal: forged\r\x1b[2J");
	assert_logged(capture_end(), "shutdown: bye?fatal: forged??[2J\n");

	/* Re-initialising resets the verbosity. */
	log_init("anycastd-test", false, 0);
	capture_begin();
	log_debug("hidden");
	assert_logged(capture_end(), "");
}

static void
test_log_warn_errno(void **state)
{
	(void)state;
	log_init("anycastd-test", false, 0);

	capture_begin();
	errno = ENOENT;
	log_warn("open %s", "/etc/anycastd.conf");
	/* The caller can still return -1 with errno intact. */
	assert_int_equal(errno, ENOENT);
	errno = EACCES;
	log_warnx("no errno here");
	log_info("nor here");
	assert_int_equal(errno, EACCES);
	assert_logged(capture_end(),
	    "open /etc/anycastd.conf: No such file or directory\n"
	    "no errno here\nnor here\n");
}

static void
test_log_long_line(void **state)
{
	char	*big, *got;
	size_t	 n = 20000;

	(void)state;
	log_init("anycastd-test", false, 0);
	big = xmalloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	capture_begin();
	log_info("%s", big);
	got = capture_end();
	/* Nothing is truncated at some internal buffer size. */
	assert_int_equal(strlen(got), n + 1);
	assert_int_equal(got[n], '\n');
	free(got);
	free(big);
}

/* Runs fn in a child with stderr captured; returns its wait status. */
static int
run_child(void (*fn)(void), char *out, size_t outlen)
{
	int	 fds[2], status;
	ssize_t	 n;
	size_t	 off = 0;
	pid_t	 pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], STDERR_FILENO) == -1)
			_exit(99);
		fn();
		_exit(98);	/* fatal must not return */
	}
	close(fds[1]);
	while (off + 1 < outlen &&
	    (n = read(fds[0], out + off, outlen - off - 1)) > 0)
		off += (size_t)n;
	out[off] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
child_fatalx(void)
{
	fatalx("bad state %d", 9);
}

static void
child_fatal(void)
{
	errno = EADDRINUSE;
	fatal("bind %s port %d", "192.0.2.10", 179);
}

static void
child_fatal_no_errno(void)
{
	errno = 0;
	fatal("no reason");
}

static void
child_oom(void)
{
	/* Overflows size_t: reallocarray refuses, xreallocarray is fatal. */
	(void)xreallocarray(NULL, SIZE_MAX / 2, 4);
}

static void
test_fatal_exits_1(void **state)
{
	char	out[512];
	int	status;

	(void)state;
	status = run_child(child_fatalx, out, sizeof(out));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_string_equal(out, "fatal: bad state 9\n");

	status = run_child(child_fatal, out, sizeof(out));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_string_equal(out,
	    "fatal: bind 192.0.2.10 port 179: Address already in use\n");

	status = run_child(child_fatal_no_errno, out, sizeof(out));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_string_equal(out, "fatal: no reason\n");

	status = run_child(child_oom, out, sizeof(out));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_non_null(strstr(out, "fatal: xreallocarray: "));
	assert_non_null(strstr(out, ": Cannot allocate memory\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xmalloc_family),
		cmocka_unit_test(test_nitems),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_log_warn_errno),
		cmocka_unit_test(test_log_long_line),
		cmocka_unit_test(test_fatal_exits_1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
