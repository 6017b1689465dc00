# mx: small C filters for a bronze/silver/gold marketing data lake.
# A new tool is tools/mx-x.c, man/mx-x.1 and tests/bats/mx-x.bats: the
# lists below find it.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
CC	?= cc
AR	?= ar
CFLAGS	?= -O2 -g
B	?= build

MXFLAGS	= -std=c99 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib
LDLIBS	= -ljq -lcsv -lxxhash -ldeflate -lz -lm -pthread

TOOLS	= mx $(patsubst tools/%.c,%,$(wildcard tools/mx-*.c))
LIBSRC	= $(wildcard lib/*.c)
LIBOBJ	= $(patsubst lib/%.c,$(B)/lib/%.o,$(LIBSRC))
BINS	= $(addprefix $(B)/bin/,$(TOOLS))
SHELL	= /bin/bash
SAN	= -fsanitize=address,undefined -fno-sanitize-recover=all

all: $(BINS)

$(B)/lib/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(MXFLAGS) $(CFLAGS) -c $< -o $@

# The version: VERSION, and git describe when built from a checkout;
# version.h changes only when they do, so that nothing else is rebuilt;
# its temporary is per process, for makes run at once (the tests').
$(B)/version.h: FORCE
	@mkdir -p $(@D)
	@t=$@.tmp.$$$$; \
	printf '#define MX_VERSION "%s"\n#define MX_GITDESC "%s"\n' \
	    "$$(cat VERSION)" \
	    "$$(git describe --always --dirty 2> /dev/null)" > $$t && \
	{ cmp -s $$t $@ && rm -f $$t || mv -f $$t $@; }

$(B)/lib/version.o: lib/version.c $(B)/version.h lib/mx.h
	@mkdir -p $(@D)
	$(CC) $(MXFLAGS) -I$(B) $(CFLAGS) -c $< -o $@

$(B)/libmx.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(B)/bin/%: tools/%.c $(B)/libmx.a $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(MXFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ $(B)/libmx.a $(LDLIBS)

# The test suite runs the binaries of $(B) (PATH), one bats file per tool,
# as many tests at a time as there are cores (bats --jobs runs them through
# GNU parallel, which scripts/deps installs; without it, one at a time).
BATSFILES ?= tests/bats
NPROC	:= $(shell nproc 2> /dev/null || echo 1)
BATSFLAGS ?= $(if $(shell command -v parallel 2> /dev/null),--jobs $(NPROC))
check: all
	PATH="$(CURDIR)/$(B)/bin:$$PATH" bats $(BATSFLAGS) $(BATSFILES)

# The same suite against binaries built with ASan and UBSan: every tool's
# own file.  The lake's (lake, gold, oracle, hosts) run the same tools for
# minutes on end, conformance.bats runs every tool over the same malformed
# forms the fuzzers (make fuzz, also under ASan) take apart, and mx.bats
# checks pages and installs: those only in check, to keep CI in its time.
SANFILES = $(filter-out tests/bats/lake.bats tests/bats/gold.bats \
	tests/bats/hosts.bats tests/bats/oracle.bats \
	tests/bats/conformance.bats tests/bats/mx.bats,$(wildcard tests/bats/*.bats))
sanitize:
	MX_SANITIZE=1 $(MAKE) B=build-san \
	    CFLAGS="-O1 -g -fno-omit-frame-pointer $(SAN)" \
	    LDFLAGS="$(SAN)" BATSFILES="$(SANFILES)" check

# libFuzzer harnesses (clang, libclang-rt-14-dev): each runs FUZZ_SECONDS
# on its seed corpus (tests/fuzz/corpus) and the inputs that once crashed
# (tests/fuzz/regress); new finds go to build-fuzz/corpus.
FUZZ		= json reader csv time expr dec contract where calc testfile xsort
FUZZ_SECONDS	?= 60
FUZZCC		?= clang
FUZZFLAGS	= -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIBSRC) lib/mx.h $(B)/version.h
	@mkdir -p $(@D)
	$(FUZZCC) $(MXFLAGS) -I$(B) -D_GNU_SOURCE $(FUZZFLAGS) $< $(LIBSRC) -o $@ $(LDLIBS)

# (the test files' parser is mx-test's own, compiled into its harness)
build-fuzz/fuzz_testfile: tools/mx-test.c

fuzz: $(FUZZ:%=build-fuzz/fuzz_%)
	@for f in $(FUZZ); do \
		mkdir -p build-fuzz/corpus/$$f tests/fuzz/regress/$$f; \
		echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
		build-fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
		    -close_fd_mask=2 -print_final_stats=1 -artifact_prefix=build-fuzz/$$f- \
		    build-fuzz/corpus/$$f tests/fuzz/corpus/$$f \
		    tests/fuzz/regress/$$f 2>&1 | grep -E '^(stat::number_of_executed_units|==|SUMMARY|artifact)' ; \
		test $${PIPESTATUS[0]:-0} -eq 0 || exit 1; \
	done

# Every seed and regression input once, under the sanitizers.
fuzz-regress: $(FUZZ:%=build-fuzz/fuzz_%)
	@for f in $(FUZZ); do \
		ls tests/fuzz/corpus/$$f/* tests/fuzz/regress/$$f/* 2>/dev/null | \
		    xargs -r build-fuzz/fuzz_$$f -close_fd_mask=2 >/dev/null 2>&1 || \
		    { echo "fuzz-regress: $$f failed"; exit 1; }; \
	done; echo "fuzz-regress: ok"

demo: all
	scripts/demo

deps:
	scripts/deps

bench: all
	bench/run

# the lake on two ssh hosts (sshd on 127.0.0.1) against -j 2, at 10M events
bench-hosts: all
	bench/hosts

# The lake installs as bin/mx-lake and bin/mx-lake-status, its files in
# share/mx (found from the binary's place, so DESTDIR installs run too),
# with the data tests of its tables and the bats helpers of mx-test.
SHAREDIR ?= $(PREFIX)/share/mx
COMPDIR	?= $(PREFIX)/share/bash-completion/completions

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(SHAREDIR)/domains \
	    $(DESTDIR)$(SHAREDIR)/contracts $(DESTDIR)$(SHAREDIR)/catalog \
	    $(DESTDIR)$(SHAREDIR)/tests/silver $(DESTDIR)$(SHAREDIR)/tests/gold
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 755 scripts/lake $(DESTDIR)$(BINDIR)/mx-lake
	install -m 755 scripts/lake-status $(DESTDIR)$(BINDIR)/mx-lake-status
	install -m 644 scripts/lake.sh scripts/channels.tsv scripts/months.tsv scripts/product_groups.tsv scripts/freshness scripts/sla $(DESTDIR)$(SHAREDIR)
	install -m 644 scripts/domains/*.sh $(DESTDIR)$(SHAREDIR)/domains
	install -m 644 scripts/contracts/*.contract $(DESTDIR)$(SHAREDIR)/contracts
	install -m 644 scripts/catalog/*.md $(DESTDIR)$(SHAREDIR)/catalog
	install -m 644 scripts/tests/silver/*.tests $(DESTDIR)$(SHAREDIR)/tests/silver
	install -m 644 scripts/tests/gold/*.tests $(DESTDIR)$(SHAREDIR)/tests/gold
	install -m 644 scripts/mx-assert.bash $(DESTDIR)$(SHAREDIR)
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/mx.7 $(DESTDIR)$(MANDIR)/man7
	install -d $(DESTDIR)$(COMPDIR)
	install -m 644 scripts/completion.bash $(DESTDIR)$(COMPDIR)/mx
	for c in $(notdir $(BINS)) mx-lake mx-lake-status; do \
		[ $$c = mx ] || ln -sf mx $(DESTDIR)$(COMPDIR)/$$c; \
	done

clean:
	rm -rf build build-san build-fuzz

.PHONY: all check sanitize fuzz fuzz-regress demo deps bench bench-hosts install clean FORCE
.SECONDARY: $(LIBOBJ)
