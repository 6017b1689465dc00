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
LDLIBS	= -ljq -lcsv -lxxhash -lz -lm

TOOLS	= $(patsubst tools/%.c,%,$(wildcard tools/mx-*.c))
LIBSRC	= $(wildcard lib/*.c)
LIBOBJ	= $(patsubst lib/%.c,$(B)/lib/%.o,$(LIBSRC))
BINS	= $(addprefix $(B)/bin/,$(TOOLS))
SAN	= -fsanitize=address,undefined -fno-sanitize-recover=all

all: $(BINS)

$(B)/lib/%.o: lib/%.c lib/mx.h
	@mkdir -p $(@D)
	$(CC) $(MXFLAGS) $(CFLAGS) -c $< -o $@

$(B)/libmx.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(B)/bin/%: tools/%.c $(B)/libmx.a lib/mx.h
	@mkdir -p $(@D)
	$(CC) $(MXFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ $(B)/libmx.a $(LDLIBS)

# The test suite runs the binaries of $(B) (PATH), one bats file per tool.
check: all
	PATH="$(CURDIR)/$(B)/bin:$$PATH" bats $(BATSFLAGS) tests/bats

# The same suite against binaries built with ASan and UBSan.
sanitize:
	$(MAKE) B=build-san CFLAGS="-O1 -g -fno-omit-frame-pointer $(SAN)" \
	    LDFLAGS="$(SAN)" check

demo: all
	scripts/demo

deps:
	scripts/deps

bench: all
	bench/run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/mx.7 $(DESTDIR)$(MANDIR)/man7

clean:
	rm -rf build build-san

.PHONY: all check sanitize demo deps bench install clean
.SECONDARY: $(LIBOBJ)
