# Hatch: the two commands a newcomer runs are `make demo` and `make check`.
BUILD ?= build
MESON_OPTS ?=

.PHONY: all deps build appliance demo check hardening fuzz bench clean

all: build

deps:
	@./deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

# meson lists api/*.py, daemon/AREA/*.c and fish/*.c when it configures:
# reconfigure when that list changes (a file added, moved or removed since
# the last build).
build: deps $(BUILD)/build.ninja
	@ls api/*.py daemon/*/*.c fish/*.c > $(BUILD)/.srclist.new; \
	if ! cmp -s $(BUILD)/.srclist.new $(BUILD)/.srclist; then \
	  [ -f $(BUILD)/.srclist ] && meson setup --reconfigure $(BUILD) >/dev/null; \
	  mv $(BUILD)/.srclist.new $(BUILD)/.srclist; \
	else rm -f $(BUILD)/.srclist.new; fi
	ninja -C $(BUILD)

# Build (or find in the cache) the appliance now, so the first launch is quick.
appliance: build
	$(BUILD)/appliance/hatch-make-appliance --cachedir $${LIBGUESTFS_CACHEDIR:-/var/tmp} \
	  --daemon $(BUILD)/daemon/guestfsd --init $(BUILD)/appliance/hatch-init \
	  --packages appliance/packages.txt >/dev/null

demo: appliance
	@./demo.sh $(BUILD)

check: appliance
	@tests/run-tests.sh $(BUILD)

# The long runs kept out of make check (tests/soak/, tests/hostile/soak/,
# fuzzing for FUZZ_RUNS executions per target), then one table of figures.
hardening: appliance
	@tests/hardening.sh $(BUILD)

# Each libFuzzer target for FUZZ_RUNS executions (default 200 000).
fuzz: build
	@tests/fuzz/run-fuzz.sh $(BUILD) $${FUZZ_RUNS:-200000}

# The baseline (libguestfs) is installed only for the benchmark; meson
# finds it at the next configure, so reconfigure once it is there.
bench: appliance
	@./deps.sh --bench
	@if [ ! -x $(BUILD)/bench/bench-libguestfs ] && [ -f /usr/include/guestfs.h ]; then \
	  meson setup --reconfigure $(BUILD) >/dev/null && ninja -C $(BUILD); fi
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD)
