# The two set-up commands of README.md: `make demo` and `make test`.
# Each installs its Debian packages, configures and builds before it runs.
BUILD ?= build
MESON_OPTS ?= -Dgpio=enabled -Deink=enabled -Dsystemd=enabled
DEMO_OUT ?= /tmp/calendarbot-demo.png

.PHONY: all deps configure build demo test sanitize bless clean

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

clean:
	rm -rf $(BUILD)
