# anycastd: hand-written GNU make build.
#
# configure only finds things (config.mk, platform.h); every rule lives here.
# On a fresh clone "make" runs autoreconf and configure by itself, and as
# root it first installs missing Debian packages with scripts/install-deps.
#
# Three build flavours keep separate object trees, so objects built with
# different flags never mix:
#	(default)	src/*.o, src/libanycastd.a, src/anycastd, tests/test_*
#	SANITIZE=1	the same under build/asan/, with ASan and UBSan
#	FUZZ=1		the same under build/fuzz/, with clang and libFuzzer
#			(used through "make fuzz", not directly)
#
# Targets: all check install uninstall clean distclean fuzz fuzz-run bench.
# "make check VALGRIND=1" runs the test binaries under valgrind.

all:

.SUFFIXES:
.DELETE_ON_ERROR:
.PHONY: all check lint install uninstall clean distclean demo fuzz fuzz-build \
	fuzz-run bench bench-build

SHELL = /bin/sh

# clean and distclean must work on a tree that was never configured.
ifneq ($(filter-out clean distclean,$(or $(MAKECMDGOALS),all)),)
include config.mk
endif

INSTALL ?=	install
FUZZ_SECONDS ?=	30

# Real-world test data, shared by tests, benchmarks and fuzz seeds.
ANYCASTD_DATA ?= $(if $(wildcard ../shared/data),$(abspath ../shared/data))
ifneq ($(ANYCASTD_DATA),)
export ANYCASTD_DATA
endif

# Programs, by path in the default tree; each names its sources and extra
# libraries as <name>_SRCS and <name>_LIBS.
PROGS =		src/anycastd src/anycastctl
anycastd_SRCS =		src/anycastd.c
anycastd_LIBS =
anycastctl_SRCS =	src/anycastctl.c src/ctl_show.c
anycastctl_LIBS =	$(JANSSON_LIBS)
PROG_MAINS =		$(anycastd_SRCS) $(anycastctl_SRCS)
ALL_PROGS =		src/anycastd src/anycastctl

MAN :=		$(wildcard man/*.[1-8])

# --- flavour ---------------------------------------------------------------

SANFLAGS =	-fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all
ifeq ($(FUZZ),1)
B :=		build/fuzz/
BUILD_CC =	$(FUZZ_CC)
FLAVOR_CFLAGS =	-fsanitize=fuzzer-no-link,address,undefined \
		-fno-omit-frame-pointer -fno-sanitize-recover=all \
		-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
FLAVOR_LDFLAGS = -fsanitize=address,undefined
else ifeq ($(SANITIZE),1)
B :=		build/asan/
BUILD_CC =	$(CC)
FLAVOR_CFLAGS =	$(SANFLAGS)
FLAVOR_LDFLAGS = $(SANFLAGS)
else
B :=
BUILD_CC =	$(CC)
endif

ifneq ($(and $(B),$(filter install,$(MAKECMDGOALS))),)
$(error install uses the default build; drop SANITIZE and FUZZ)
endif

# --- flags -----------------------------------------------------------------

WARNFLAGS =	-Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
		-Wstrict-prototypes -Wpointer-arith -Wformat=2
PATHDEFS =	-DSYSCONFDIR='"$(sysconfdir)"' \
		-DLOCALSTATEDIR='"$(localstatedir)"' \
		-DRUNSTATEDIR='"$(runstatedir)"'
ALL_CPPFLAGS =	-I. -Isrc -D_GNU_SOURCE $(PATHDEFS) $(CPPFLAGS) \
		$(LIBBSD_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
ALL_CFLAGS =	-std=c17 $(CFLAGS) $(WARNFLAGS) $(FLAVOR_CFLAGS)
ALL_LDFLAGS =	$(LDFLAGS) $(FLAVOR_LDFLAGS)
LIBS =		$(LIBEVENT_LIBS) $(LIBBSD_LIBS)
TEST_LIBS =	$(CMOCKA_LIBS) $(ZLIB_LIBS) $(JANSSON_LIBS) $(LIBS)

COMPILE =	$(BUILD_CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP

# --- sources ---------------------------------------------------------------

# Every src/*.c except the program mains goes into the library, plus the
# parser generated from src/parse.y.
LIB_SRCS :=	$(sort $(filter-out $(PROG_MAINS),$(wildcard src/*.c)) \
		$(if $(wildcard src/parse.y),src/parse.c))
LIB_OBJS =	$(LIB_SRCS:%.c=$(B)%.o)
LIB =		$(B)src/libanycastd.a

TEST_SRCS :=	$(wildcard tests/test_*.c)
TEST_BINS =	$(TEST_SRCS:%.c=$(B)%)
# Other tests/*.c are helpers shared by tests, benchmarks and fuzzers.
TESTLIB_SRCS :=	$(filter-out $(TEST_SRCS),$(wildcard tests/*.c))
TESTLIB_OBJS =	$(TESTLIB_SRCS:%.c=$(B)%.o)
TESTLIB =	$(if $(TESTLIB_SRCS),$(B)tests/libtestsupport.a)
TEST_SCRIPTS :=	$(wildcard tests/*.sh)

FUZZ_SRCS :=	$(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS =	$(FUZZ_SRCS:%.c=build/fuzz/%)

BENCH_SRCS :=	$(wildcard tests/bench/bench_*.c)
BENCH_BINS =	$(BENCH_SRCS:%.c=%)
BENCH_SCRIPTS := $(wildcard tests/bench/*.sh)

SCRIPTS :=	$(wildcard .ci/run scripts/* tests/run-tests tests/*.sh \
		tests/*/*.sh)

# --- build -----------------------------------------------------------------

all: $(LIB) $(addprefix $(B),$(PROGS))

# Objects depend on config.mk so that a new configuration rebuilds them.
$(B)src/%.o: src/%.c config.mk | platform.h
	@mkdir -p $(@D)
	$(COMPILE) -c -o $@ $<

src/parse.c: src/parse.y
	$(YACC) -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

define prog_rule
$(B)$(1): $(patsubst %.c,$(B)%.o,$($(notdir $(1))_SRCS)) $(LIB)
	$$(BUILD_CC) $$(ALL_CFLAGS) -o $$@ $$(filter %.o,$$^) $(LIB) \
	    $$(ALL_LDFLAGS) $$($(notdir $(1))_LIBS) $$(LIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(B)tests/%.o: tests/%.c config.mk | platform.h
	@mkdir -p $(@D)
	$(COMPILE) $(ZLIB_CFLAGS) -c -o $@ $<

$(TESTLIB): $(TESTLIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $(TESTLIB_OBJS)

$(TEST_BINS): $(B)tests/%: tests/%.c $(TESTLIB) $(LIB) | platform.h
	@mkdir -p $(@D)
	$(COMPILE) $(CMOCKA_CFLAGS) $(ZLIB_CFLAGS) -o $@ $< $(TESTLIB) $(LIB) \
	    $(ALL_LDFLAGS) $(TEST_LIBS)

-include $(wildcard $(B)src/*.d $(B)tests/*.d $(B)tests/*/*.d)

# --- check -----------------------------------------------------------------

TEST_MISSING =	$(strip $(if $(filter yes,$(HAVE_CMOCKA)),,libcmocka-dev) \
		$(if $(filter yes,$(HAVE_ZLIB)),,zlib1g-dev))
ifeq ($(VALGRIND),1)
TEST_WRAPPER =	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect
endif

ifeq ($(TEST_MISSING),)
check: lint $(TEST_BINS) $(addprefix $(B),$(PROGS))
	@# As root, the test peers (bird2, frr, ...) come in too.
	@if [ "$$(id -u)" -eq 0 ]; then sh scripts/install-deps; fi
	@BUILDDIR=$(abspath $(or $(B),.)) TEST_WRAPPER="$(TEST_WRAPPER)" \
	    sh tests/run-tests $(TEST_BINS) $(TEST_SCRIPTS)
else
check:
	@echo "make check: configure did not find the test libraries" \
	    "(Debian packages: $(TEST_MISSING))." >&2
	@echo "Install them (as root: scripts/install-deps), then run" \
	    "./configure again." >&2
	@exit 1
endif

# Syntax-check every shell script, and the manual pages when mandoc exists.
lint:
	@for f in $(SCRIPTS); do \
		case $$(head -n 1 $$f) in \
		*bash*)	bash -n $$f ;; \
		*)	sh -n $$f ;; \
		esac || { echo "lint: $$f: syntax error" >&2; exit 1; }; \
	done
	@if [ -n "$(MAN)" ] && command -v mandoc >/dev/null 2>&1; then \
		echo "mandoc -Tlint -Wwarning $(MAN)"; \
		mandoc -Tlint -Wwarning $(MAN); \
	fi

# --- fuzz ------------------------------------------------------------------

# The library is rebuilt with clang under build/fuzz/; the harnesses link
# the libFuzzer main.
fuzz:
ifeq ($(FUZZ_SRCS),)
	@echo "fuzz: no fuzzers (tests/fuzz/fuzz_*.c)"
else ifeq ($(FUZZ_CC),)
	@echo "fuzz: clang not found; install it (Debian: clang) and run" \
	    "./configure again" >&2
	@exit 1
else
	@$(MAKE) --no-print-directory FUZZ=1 SANITIZE= fuzz-build
endif

fuzz-build: $(FUZZ_BINS)

build/fuzz/tests/fuzz/%: tests/fuzz/%.c $(TESTLIB) $(LIB) | platform.h
	@mkdir -p $(@D)
	$(COMPILE) $(ZLIB_CFLAGS) -fsanitize=fuzzer -o $@ $< $(TESTLIB) \
	    $(LIB) $(ALL_LDFLAGS) $(ZLIB_LIBS) $(LIBS)

fuzz-run: fuzz
	@sh scripts/fuzz-run $(FUZZ_SECONDS) $(FUZZ_BINS)

# --- bench -----------------------------------------------------------------

# Benchmarks measure the optimised build, never a sanitizer build.
bench:
	@$(MAKE) --no-print-directory SANITIZE= FUZZ= bench-build
	@bash tests/bench/run $(BENCH_BINS) $(BENCH_SCRIPTS)

bench-build: $(BENCH_BINS)

$(BENCH_BINS): tests/bench/%: tests/bench/%.c $(TESTLIB) $(LIB) | platform.h
	$(COMPILE) $(ZLIB_CFLAGS) -o $@ $< $(TESTLIB) $(LIB) $(ALL_LDFLAGS) \
	    $(ZLIB_LIBS) $(LIBS)

# --- demo ------------------------------------------------------------------

# The anycast lab (docs/lab.md): three PoPs, their routers and clients in
# namespaces, a failure and the reroute. Root; e.g. DEMO_ARGS=--keep.
demo: all
	BUILDDIR=$(abspath $(or $(B),.)) bash scripts/demo $(DEMO_ARGS)

# --- install ---------------------------------------------------------------

systemdsystemunitdir ?=	$(prefix)/lib/systemd/system
sysusersdir ?=		$(prefix)/lib/sysusers.d
bashcompletiondir ?=	$(datarootdir)/bash-completion/completions
docdir ?=		$(datarootdir)/doc/anycastd

install: all
	$(INSTALL) -d $(DESTDIR)$(sbindir) $(DESTDIR)$(sysconfdir) \
	    $(DESTDIR)$(systemdsystemunitdir) $(DESTDIR)$(sysusersdir) \
	    $(DESTDIR)$(bashcompletiondir) $(DESTDIR)$(docdir)
	@for p in $(PROGS); do \
		echo "$(INSTALL) -m 0755 $$p $(DESTDIR)$(sbindir)/"; \
		$(INSTALL) -m 0755 $$p $(DESTDIR)$(sbindir)/ || exit 1; \
	done
	@for m in $(MAN); do \
		d=$(DESTDIR)$(mandir)/man$${m##*.}; \
		echo "$(INSTALL) -m 0644 $$m $$d/"; \
		$(INSTALL) -d $$d && $(INSTALL) -m 0644 $$m $$d/ || exit 1; \
	done
	sed -e 's|@SBINDIR@|$(sbindir)|g' -e 's|@SYSCONFDIR@|$(sysconfdir)|g' \
	    etc/anycastd.service > $(DESTDIR)$(systemdsystemunitdir)/anycastd.service
	chmod 0644 $(DESTDIR)$(systemdsystemunitdir)/anycastd.service
	$(INSTALL) -m 0644 etc/anycastd.sysusers $(DESTDIR)$(sysusersdir)/anycastd.conf
	$(INSTALL) -m 0644 etc/anycastctl.bash-completion \
	    $(DESTDIR)$(bashcompletiondir)/anycastctl
	$(INSTALL) -m 0644 etc/anycastd.conf.example docs/architecture.md \
	    docs/operations.md $(DESTDIR)$(docdir)/
	@# Never overwrite an operator's configuration; it may hold MD5 keys.
	@if [ ! -e $(DESTDIR)$(sysconfdir)/anycastd.conf ]; then \
		echo "$(INSTALL) -m 0640 etc/anycastd.conf.example" \
		    "$(DESTDIR)$(sysconfdir)/anycastd.conf"; \
		$(INSTALL) -m 0640 etc/anycastd.conf.example \
		    $(DESTDIR)$(sysconfdir)/anycastd.conf; \
	fi

# The configuration file stays: it is the operator's.
uninstall:
	@for p in $(notdir $(PROGS)); do \
		echo "rm -f $(DESTDIR)$(sbindir)/$$p"; \
		rm -f $(DESTDIR)$(sbindir)/$$p; \
	done
	@for m in $(MAN); do \
		f=$(DESTDIR)$(mandir)/man$${m##*.}/$${m##*/}; \
		echo "rm -f $$f"; rm -f $$f; \
	done
	rm -f $(DESTDIR)$(systemdsystemunitdir)/anycastd.service \
	    $(DESTDIR)$(sysusersdir)/anycastd.conf \
	    $(DESTDIR)$(bashcompletiondir)/anycastctl
	rm -rf $(DESTDIR)$(docdir)

# --- clean -----------------------------------------------------------------

clean:
	rm -rf build tests/logs bench.out
	rm -f src/*.o src/*.d src/*.a $(ALL_PROGS)
	if [ -f src/parse.y ]; then rm -f src/parse.c; fi
	find tests -type f \( -name '*.[oad]' -o \
	    \( \( -name 'test_*' -o -name 'bench_*' \) ! -name '*.*' \) \) \
	    -exec rm -f {} +

distclean: clean
	rm -rf autom4te.cache
	rm -f configure configure~ config.status config.log config.mk \
	    aclocal.m4 platform.h platform.h.in platform.h.in~

# --- configuration ---------------------------------------------------------

# What autoreconf and configure cannot do without.  When something is
# missing, scripts/install-deps installs it as root and otherwise prints the
# apt-get line to run, and fails.
ENSURE_DEPS = \
	if ! { command -v cc && command -v autoreconf && command -v aclocal && \
	    command -v pkg-config && \
	    { command -v bison || command -v byacc; } && \
	    pkg-config --exists 'libevent >= 2.1' libbsd-overlay; \
	    } >/dev/null 2>&1; then \
		sh scripts/install-deps; \
	fi

configure platform.h.in &: configure.ac
	@$(ENSURE_DEPS)
	autoreconf -fi

# --recheck reruns configure with the arguments it was first given.
config.mk: config.mk.in configure platform.h.in
	@$(ENSURE_DEPS)
	@if [ -f config.status ]; then \
		echo "./config.status --recheck && ./config.status"; \
		./config.status --recheck && ./config.status; \
	else \
		echo ./configure; ./configure; \
	fi

platform.h: | config.mk
	./config.status platform.h
