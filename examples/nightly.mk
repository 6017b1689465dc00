# nightly.mk: rebuild the mx lake every night, from cron:
#
#   0 2 * * *  make -f /path/to/mx/examples/nightly.mk RAW=/data/raw LAKE=/data/lake
#
# Each domain is a target whose prerequisites are its raw files, so make's
# own dependency tracking runs only the domains that have something new; a
# second make right after does nothing.  Within a domain, scripts/lake
# takes in only the raw files its ledger has not seen and rebuilds only the
# partitions they touch.  After a change of contract, rebuild what it
# governs with, for a month:  make -B LAKEFLAGS='--reprocess 31'

MX	?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
RAW	?= raw
LAKE	?= lake
LAKEFLAGS ?=

DOMAINS	= ecommerce calendly adclicks crm
ecommerce_SOURCES = ecommerce
calendly_SOURCES = calendly spend
adclicks_SOURCES = adclicks
crm_SOURCES = customers online_sales marketing_spend

# every file under each source directory (names without spaces)
raw_files = $(foreach s,$($(1)_SOURCES),$(shell find $(RAW)/$(s) -type f ! -name '.*' 2> /dev/null))

all: $(DOMAINS:%=$(LAKE)/_state/%.built)

.SECONDEXPANSION:
$(LAKE)/_state/%.built: $$(call raw_files,$$*)
	$(MX)/scripts/lake $(LAKEFLAGS) -r $(RAW) -l $(LAKE) $*
	touch $@

status:
	$(MX)/scripts/lake-status -l $(LAKE)

.PHONY: all status
