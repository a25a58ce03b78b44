# The two set-up commands of README.md: `make demo` and `make test`.
# Each installs its Debian packages, configures and builds before it runs.
BUILD ?= build
# Our own builds treat warnings as errors; `make install` and the Debian package do not.
MESON_OPTS ?= -Dgpio=enabled -Deink=enabled -Dwerror=true
DEMO_OUT ?= /tmp/calendarbot-demo.png
SAN_BUILD ?= build-sanitize
SAN_SUITES ?= ics hal render layouts golden daemon integration systemd style
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= ingest snapshot config tzif rrule
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: all deps configure build demo test bless gallery sanitize fuzz system-test release deb install clean

all: build

deps:
	@.ci/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

configure: deps $(BUILD)/build.ninja

build: configure
	ninja -C $(BUILD)

# The real daemon on the bundled demo calendar; FB=1 shows it on /dev/fb0.
demo: build
	@if [ -n "$(FB)" ]; then \
	  echo "demo: drawing on /dev/fb0 (Ctrl-C to stop)"; \
	  $(BUILD)/daemon/calendarbot run --config daemon/demo/demo.toml --display framebuffer:/dev/fb0; \
	else \
	  echo "demo: the frame is $(DEMO_OUT), redrawn every minute (Ctrl-C to stop)"; \
	  $(BUILD)/daemon/calendarbot run --config daemon/demo/demo.toml --display png:$(DEMO_OUT); \
	fi

test: build
	meson test -C $(BUILD) --print-errorlogs

# Regenerates tests/golden/ after an intended visual change (review every image).
bless: build
	CB_BLESS=1 meson test -C $(BUILD) --suite golden

# Every golden scenario rendered afresh into one contact sheet, $(BUILD)/gallery.png.
gallery: build
	rm -rf $(BUILD)/gallery
	CB_BLESS=1 CB_GOLDEN_DIR=$(CURDIR)/$(BUILD)/gallery meson test -C $(BUILD) --suite golden
	$(BUILD)/tests/layouts/gallery $(BUILD)/gallery.png $(BUILD)/gallery

# Every suite (SAN_SUITES) under AddressSanitizer + UndefinedBehaviorSanitizer (leaks included,
# libraries' one-time allocations suppressed in .ci/lsan.supp), in its own build dir (-O0: quick
# to compile; only what those tests need is built). CI runs it after `make test`. Under ASan the
# fetch child runs without its address-space limit (the shadow takes terabytes of it; the
# memory-limit test says so and passes over it) and ends with _exit (no leak check in its
# seccomp sandbox).
sanitize: deps
	@[ -f $(SAN_BUILD)/build.ninja ] || meson setup $(SAN_BUILD) $(MESON_OPTS) \
	  -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	ninja -C $(SAN_BUILD) build.ninja  # reconfigures when a meson.build changed: fresh introspection
	@for suite in $(SAN_SUITES); do \
	  targets=$$(.ci/suite-targets $(SAN_BUILD) $$suite) || exit 1; \
	  [ -z "$$targets" ] || ninja -C $(SAN_BUILD) $$targets || exit 1; \
	  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  meson test -C $(SAN_BUILD) --no-rebuild --suite $$suite --print-errorlogs || exit 1; \
	done

# The libFuzzer targets of fuzz/ (clang, ASan + UBSan, their own build dir), each run for
# FUZZ_SECONDS on seeds that fuzz/make-seeds.py writes; the corpus grows in
# $(FUZZ_BUILD)/fuzz-work. CI runs each for a minute.
fuzz:
	@CB_EXTRA_PACKAGES="clang-14 libclang-rt-14-dev" .ci/install-deps
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CXX=clang++-14 meson setup $(FUZZ_BUILD) $(MESON_OPTS) \
	  -Dfuzz=enabled -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized \
	  -Dwerror=false
	ninja -C $(FUZZ_BUILD) daemon/calendarbot $(addprefix fuzz/fuzz_,$(FUZZ_TARGETS))
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  fuzz/run-fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Boot-to-display proven on an emulated arm64 machine (tests/system/run.py): the arm64 package
# installed by apt in a bookworm root, booted with systemd under QEMU; the framebuffer, the
# button, the journal, offline, reboot, reload, crash and power cut checked from outside.
# Root filesystem, boot pieces and the disk with the package installed are cached in
# $(SYSTEM_TEST_CACHE); SYSTEM_TEST_DEB=FILE tests that package instead of building it. Of this
# machine's build only the daemon is needed (the renders the screens are compared with).
SYSTEM_TEST_CACHE ?= build/system-test-cache
SYSTEM_TEST_DEB ?=
system-test: configure
	ninja -C $(BUILD) daemon/calendarbot
	@tests/system/deps
	@deb="$(SYSTEM_TEST_DEB)"; \
	if [ -z "$$deb" ]; then \
	  $(MAKE) deb ARCH=arm64 || exit 1; \
	  deb=$$(ls -t build-deb/calendarbot_*_arm64.deb | head -n 1); \
	fi; \
	$(SUDO) /usr/bin/python3 tests/system/run.py --deb "$$deb" --cache $(SYSTEM_TEST_CACHE) \
	  --calendarbot $(BUILD)/daemon/calendarbot

# The release configuration with every target, tests included, warnings as errors: NDEBUG and
# -O2, the optimisation the package is built with (dpkg-buildflags), so that the benchmarks
# measure what ships (the daemon's and layouts' code -Os in both, see meson.build). CI builds
# it; GCC 12 warns differently when it optimises (e.g. its bug 105651, a false -Wrestrict).
release: deps
	@[ -f build-release/build.ninja ] || meson setup build-release $(MESON_OPTS) --buildtype=release \
	  -Doptimization=2
	ninja -C build-release

# Debian package in build-deb/: `make deb` for this machine, `make deb ARCH=arm64|armhf` for a
# Raspberry Pi (cross-built in a bootstrapped bookworm build root; see .ci/deb).
deb:
	.ci/deb $(ARCH)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD) build-release build-install

# Install on a Pi: binary, unit and config; enables the service (boot-to-display). Builds only
# what it installs (no tests, no benchmarks), warnings not errors, as many compilers at once as
# the free memory allows (.ci/build-jobs: one on a 512 MB Pi Zero 2W).
install:
	@.ci/install-deps install
	@[ -f build-install/build.ninja ] || meson setup build-install -Dgpio=enabled -Deink=enabled \
	  -Dtests=disabled --prefix=/usr --sysconfdir=/etc --buildtype=release
	ninja -C build-install -j $$(.ci/build-jobs)
	$(SUDO) meson install -C build-install --no-rebuild
	$(SUDO) systemd-sysusers calendarbot.conf
	@# The udev rule (60-calendarbot.rules) applies to the GPIO and SPI devices already there.
	-$(SUDO) udevadm trigger --action=change --subsystem-match=gpio --subsystem-match=spidev
	@if [ ! -f /etc/calendarbot/config.toml ]; then \
	  $(SUDO) install -m 0640 -g calendarbot systemd/config.example.toml /etc/calendarbot/config.toml; \
	  echo "install: wrote /etc/calendarbot/config.toml — edit it (your feed URL, display kind)"; \
	fi
	$(SUDO) systemctl daemon-reload
	$(SUDO) systemctl enable calendarbot.service
	@echo "install: done; 'sudo systemctl start calendarbot' or reboot; logs: journalctl -u calendarbot"
