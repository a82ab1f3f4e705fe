# ismsd - continuous ISO/IEC 27001:2022 conformance from a git repository.
#
#   make run       install what is missing, build, create the example ISMS
#                  repository and run the main job on it
#   make check     the same set-up, then every test through prove
#   make sanitize  the tests under ASan+UBSan     make valgrind  under valgrind
#   make tsan      the daemon's threads under ThreadSanitizer
#   make bench     benchmarks (figures printed)   make lint / make format
#   make fuzz, make soak, make torture             long runs outside make check
#   make fleet-torture                             NATS and daemon restarts at length
#   make install   PREFIX=/usr/local DESTDIR=      make uninstall
#   make man       the man pages (scdoc)          make deb   the Debian package

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/ismsd
INCLUDEDIR ?= $(PREFIX)/include
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/ismsd
PCDIR     ?= $(PREFIX)/share/pkgconfig
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
BUILD     ?= build
VERSION   := 0.1.0
CC        ?= cc

PKGS := lua5.4 libevent libevent_pthreads jansson libgit2 yaml-0.1 libical zlib libsystemd libsodium
# Debian packages: what builds, what tests and what checks need.
DEBS := build-essential pkg-config git liblua5.4-dev libevent-dev \
        libjansson-dev libgit2-dev libssl-dev libyaml-dev libical-dev zlib1g-dev libsystemd-dev lua5.4 python3 \
        python3-prometheus-client python3-jsonschema python3-junitparser python3-regex python3-yaml socat chromium \
        libsodium-dev minisign libnats-dev nats-server \
        valgrind clang clang-tidy cppcheck clang-format \
        scdoc mandoc man-db systemd dpkg-dev debhelper fakeroot lintian bash-completion zsh \
        chromium python3-icalendar nodejs

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter
CFLAGS   ?= -O2 -g
# Three folders of C, each one archive: lib/ is libisms (repositories,
# records, rules, verdicts, calendar; no sockets, no event loop), daemon/ is
# ismsd, cli/ is ismsctl. `make layout` checks which may include which.
LIB_DIRS := lib/base lib/git lib/records lib/rules lib/report lib/calendar
SRC_DIRS := $(LIB_DIRS) daemon cli
INCLUDES := $(addprefix -I,$(SRC_DIRS)) -Isdk/include
# CPPFLAGS and LDFLAGS come from the environment, e.g. dpkg-buildflags.
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CPPFLAGS) $(CFLAGS) $(SAN_FLAGS) \
             $(INCLUDES) -Itests $(PKG_CFLAGS) \
             $(DEFS) -MMD -MP
DEFS      = -DISMS_DATADIR='"$(DATADIR)"' -DISMS_LIBDIR='"$(LIBDIR)"' -DISMS_VERSION='"$(VERSION)"'
LDLIBS   := $(PKG_LIBS) -lm -lpthread -ldl
# libnats: the nats plugin and ismsctl (status --fleet) only.
NATS_LIBS := $(shell pkg-config --libs libnats 2>/dev/null)

MAINS    := cli/ismsctl.c daemon/ismsd.c
LIB_SRC  := $(wildcard $(addsuffix /*.c,$(LIB_DIRS)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/sdk_lua.o
DMN_SRC  := $(filter-out $(MAINS),$(wildcard daemon/*.c))
CLI_SRC  := $(filter-out $(MAINS),$(wildcard cli/*.c))
ALL_SRC  := $(LIB_SRC) $(DMN_SRC) $(CLI_SRC)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_T   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/t/%.t)
BINS     := $(BUILD)/ismsctl $(BUILD)/ismsd
PLUGINS  := $(patsubst plugins/%.c,$(BUILD)/plugins/%.so,$(wildcard plugins/*.c))
LIBDIR   ?= $(PREFIX)/lib/ismsd

EXAMPLE  := $(BUILD)/example-isms

.SECONDARY:
.PHONY: node-deps npm-deps all deps run check layout test sanitize tsan valgrind bench fuzz soak torture fleet-torture install \
        uninstall install-programs man deb deb-test lint format clean example

all: $(BINS) $(UNIT_T) $(PLUGINS) $(BUILD)/natsconsume

# Install missing Debian packages as root, or print the line to run.
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing packages; run as root:"; \
	    echo "  apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The SDK's Lua half is built into the binaries as a C string.
$(BUILD)/gen/sdk_lua.c: lib/rules/sdk.lua
	@mkdir -p $(dir $@)
	{ echo '#include <stddef.h>'; echo 'extern const char sdk_lua[]; extern const size_t sdk_lua_len;'; \
	  echo 'const char sdk_lua[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; echo 'const size_t sdk_lua_len = sizeof(sdk_lua) - 1;'; } > $@

$(BUILD)/gen/sdk_lua.o: $(BUILD)/gen/sdk_lua.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libisms.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The dashboard's files (daemon/web/) are built into ismsd as C arrays.
WEB_FILES := $(sort $(wildcard daemon/web/*))
$(BUILD)/gen/web_assets.c: $(WEB_FILES) daemon/web-embed.sh
	@mkdir -p $(dir $@)
	sh daemon/web-embed.sh $(WEB_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/web_assets.o: $(BUILD)/gen/web_assets.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libismsd.a: $(DMN_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/web_assets.o
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libismsctl.a: $(CLI_SRC:%.c=$(BUILD)/%.o)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/ismsctl: $(BUILD)/cli/ismsctl.o $(BUILD)/libismsctl.a $(BUILD)/libisms.a
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS) $(NATS_LIBS)

$(BUILD)/ismsd: $(BUILD)/daemon/ismsd.o $(BUILD)/libismsd.a $(BUILD)/libisms.a
	$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

# Plugins are shared objects against sdk/include; they take the daemon's
# symbols at load time.
$(BUILD)/plugins/%.so: plugins/%.c $(wildcard sdk/include/*.h sdk/include/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -fPIC -shared -o $@ $< $(LDLIBS) $(if $(filter nats,$*),$(NATS_LIBS))

# The webhook speaks TLS through libevent's OpenSSL bufferevents and
# signs with OpenSSL's HMAC.
$(BUILD)/plugins/webhook.so: LDLIBS += $(shell pkg-config --libs libevent_openssl openssl 2>/dev/null)

# A unit test links whichever archives its module sits in.
$(BUILD)/t/%.t: $(BUILD)/tests/unit/%.o $(BUILD)/libismsctl.a $(BUILD)/libismsd.a $(BUILD)/libisms.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

# A durable JetStream consumer for the fleet tests (tests/fleet/).
$(BUILD)/natsconsume: tests/fleet/natsconsume.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(NATS_LIBS)

# The socket load generator of tests/bench/daemon.sh; bench only.
$(BUILD)/loadgen: tests/bench/loadgen.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN_FLAGS) -o $@ $<

# The HTTP load generator of tests/bench/http.sh; bench only.
$(BUILD)/httpgen: tests/bench/httpgen.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN_FLAGS) -o $@ $<

example: $(EXAMPLE)/.git/HEAD
$(EXAMPLE)/.git/HEAD: contrib/example-isms/make-repo.sh $(shell find contrib/example-isms -type f 2>/dev/null)
	sh contrib/example-isms/make-repo.sh $(EXAMPLE)

# The main job: the daemon in the foreground on the example ISMS.
RUNDIR = $(abspath $(BUILD))/run
run: deps
	$(MAKE) all example
	./$(BUILD)/ismsctl check --repo $(EXAMPLE) --format text > $(BUILD)/example-check.txt; \
	  echo "ismsctl check on the example exited $$? (0 conformant, 1 nonconformities, 2 error):"; \
	  tail -1 $(BUILD)/example-check.txt; echo "(full report: $(BUILD)/example-check.txt)"
	@mkdir -p $(RUNDIR)
	@echo; echo "Starting ismsd in the foreground on $(abspath $(EXAMPLE)) (Ctrl-C stops it)."
	@echo "Its socket: $(RUNDIR)/ismsd.sock - in another terminal:"
	@echo "  export ISMS_SOCKET=$(RUNDIR)/ismsd.sock"
	@echo "  $(BUILD)/ismsctl status;  $(BUILD)/ismsctl watch"
	@echo "  then commit a change in $(EXAMPLE) and watch it arrive."
	./$(BUILD)/ismsd -f --repo $(abspath $(EXAMPLE)) --socket $(RUNDIR)/ismsd.sock \
	  --state-dir $(RUNDIR)/state

# The browser tests' one npm package, playwright-core (it drives Debian's
# chromium; it downloads no browser), installed from the committed lock
# file into $(BUILD)/node. Without the registry the browser tests skip.
NODE_DIR := $(BUILD)/node
$(NODE_DIR)/node_modules/playwright-core/package.json: tests/dashboard/package.json tests/dashboard/package-lock.json
	@mkdir -p $(NODE_DIR)
	cp tests/dashboard/package.json tests/dashboard/package-lock.json $(NODE_DIR)/
	cd $(NODE_DIR) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error \
	  || echo "npm ci failed: the browser tests will be skipped"
	@touch -c $@
node-deps: $(NODE_DIR)/node_modules/playwright-core/package.json

# Every test: C unit tests, then the scripts under tests/ (they find the
# binaries through ISMS_BUILD).
test: all example node-deps npm-deps
	ISMS_BUILD=$(abspath $(BUILD)) ISMS_TOP=$(CURDIR) prove $(PROVE_FLAGS) -r $(BUILD)/t tests

# The npm packages some tests use (a third-party JSON-RPC client), as
# pinned by tests/npm/package-lock.json.
NPM_DIR := tests/npm
npm-deps: $(NPM_DIR)/node_modules/.package-lock.json
$(NPM_DIR)/node_modules/.package-lock.json: $(NPM_DIR)/package.json $(NPM_DIR)/package-lock.json
	@# nodejs from DEBS; its npm is Debian's npm package or bundled with it
	command -v npm >/dev/null || apt-get install -y -qq npm
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --loglevel=error

check: deps
	$(MAKE) layout test

# The include rule: the library never leans on a program, no circles.
layout:
	python3 tests/check-layout.py

sanitize: deps
	$(MAKE) test BUILD=build-san CC=clang CFLAGS='-O1 -g -fno-omit-frame-pointer' \
	  SAN_FLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all' \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1

# The daemon's threads under ThreadSanitizer: the evaluator, the rule
# sandboxes run side by side, plugin threads, the calendar loader. Unit
# tests of the threaded modules and the daemon's scripts.
TSAN_TESTS = $(addprefix $(BUILD)/t/,engine.t sandbox.t plugin.t model.t snapshot.t journal.t) tests/daemon
tsan: deps
	$(MAKE) all example BUILD=build-tsan CC=clang CFLAGS='-O1 -g -fno-omit-frame-pointer' \
	  SAN_FLAGS='-fsanitize=thread'
	ISMS_BUILD=$(abspath build-tsan) ISMS_TOP=$(CURDIR) TSAN_OPTIONS='halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp' \
	  prove $(PROVE_FLAGS) -r $(TSAN_TESTS:$(BUILD)/%=build-tsan/%)

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect

# C tests run under valgrind directly; the scripts wrap every binary they
# start in it through ISMS_WRAP.
valgrind: deps
	$(MAKE) all example
	prove -e '$(VALGRIND)' $(BUILD)/t
	ISMS_BUILD=$(abspath $(BUILD)) ISMS_TOP=$(CURDIR) ISMS_WRAP='$(VALGRIND)' prove -r tests

bench: deps
	$(MAKE) all example $(BUILD)/loadgen $(BUILD)/httpgen
	sh tests/bench/run.sh $(abspath $(BUILD))
	sh tests/bench/rules12.sh $(abspath $(BUILD))
	sh tests/bench/rules12.sh $(abspath $(BUILD)) --repo $(abspath $(BUILD))/example-isms
	sh tests/bench/scheduler.sh $(abspath $(BUILD))
	sh tests/bench/daemon.sh $(abspath $(BUILD))
	python3 tests/bench/subscribers.py $(abspath $(BUILD)) $(abspath $(BUILD))/example-isms
	python3 tests/bench/subscribers.py $(abspath $(BUILD)) $(abspath $(BUILD))/bench-isms
	sh tests/bench/journal.sh $(abspath $(BUILD))
	sh tests/bench/http.sh $(abspath $(BUILD))
	sh tests/bench/fleet.sh $(abspath $(BUILD))
	sh tests/bench/exports.sh $(abspath $(BUILD))
	sh tests/bench/repos.sh $(abspath $(BUILD))

# Long fuzzing, outside make check: libFuzzer targets for the record
# parsers, cron expressions and the configuration file, and hostile JSON-RPC at the sanitizer
# build's daemon, FUZZ_TIME seconds each (tests/fuzz/run.sh).
FUZZ_TIME ?= 60
FUZZ_DIR  := build-fuzz
FUZZ_CC    = clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
             -fno-sanitize-recover=all $(INCLUDES) $(PKG_CFLAGS)
# What every fuzz target links from lib/base: allocation, errors, buffers,
# logging (fatal on out of memory).
FUZZ_BASE := lib/base/escape.c lib/base/suggest.c lib/base/alloc.c lib/base/err.c lib/base/buf.c lib/base/utf8.c \
             lib/base/problems.c lib/base/sys.c lib/base/log.c
# The record parsers: doc.c and its pieces.
FUZZ_DOC  := lib/records/doc.c lib/records/doc_parse.c lib/records/doc_yaml.c \
             lib/records/doc_json.c lib/records/doc_update.c lib/base/arena.c

$(FUZZ_DIR)/doc_fuzz: tests/fuzz/doc_fuzz.c $(FUZZ_DOC) $(FUZZ_BASE)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -o $@ $^ $(PKG_LIBS) -lm -lpthread

$(FUZZ_DIR)/update_fuzz: tests/fuzz/update_fuzz.c $(FUZZ_DOC) $(FUZZ_BASE)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -o $@ $^ $(PKG_LIBS) -lm -lpthread

$(FUZZ_DIR)/cron_fuzz: tests/fuzz/cron_fuzz.c lib/calendar/cron.c lib/base/date.c $(FUZZ_BASE)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -o $@ $^ $(PKG_LIBS) -lm -lpthread

$(FUZZ_DIR)/config_fuzz: tests/fuzz/config_fuzz.c daemon/config.c $(FUZZ_DOC) $(FUZZ_BASE)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(DEFS) -o $@ $^ $(PKG_LIBS) -lm -lpthread

fuzz: deps
	$(MAKE) all example BUILD=build-san CC=clang CFLAGS='-O1 -g -fno-omit-frame-pointer' \
	  SAN_FLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all'
	$(MAKE) $(FUZZ_DIR)/doc_fuzz $(FUZZ_DIR)/update_fuzz $(FUZZ_DIR)/cron_fuzz \
	  $(FUZZ_DIR)/config_fuzz
	sh tests/fuzz/run.sh $(abspath build-san) $(abspath $(FUZZ_DIR)) $(FUZZ_TIME)

# A long run of the daemon under a stream of commits, reloads and
# rewrites: no missed notification, the incremental verdicts equal a full
# check at the end, memory flat (tests/soak/soak.py).
SOAK_TIME ?= 300
soak: deps
	$(MAKE) all
	python3 tests/soak/soak.py $(abspath $(BUILD)) $(SOAK_TIME)

# kill -9 at random moments while commits land: every evaluated commit
# must be published exactly once (tests/soak/torture.py); prints lost and
# duplicated counts.
TORTURE_COMMITS ?= 150
torture: deps
	$(MAKE) all example
	python3 tests/soak/torture.py $(abspath $(BUILD)) $(TORTURE_COMMITS)

# The NATS test at length: FLEET_COMMITS commits with up to FLEET_RESTARTS
# restarts each of the daemon and the nats-server at random moments
# (FLEET_SEED repeats a run); a durable consumer must see every event once.
FLEET_COMMITS ?= 150
FLEET_RESTARTS ?= 25
fleet-torture: deps
	$(MAKE) all example
	FLEET_COMMITS=$(FLEET_COMMITS) FLEET_RESTARTS=$(FLEET_RESTARTS) ISMS_BUILD=$(abspath $(BUILD)) \
	  ISMS_TOP=$(CURDIR) python3 tests/fleet/nats.t

# The specs of the shipped packs go to rules/specs, where `ismsctl test`
# looks by default; their fixture, the example company's records, keeps its
# place relative to them (specs/../../contrib/example-isms/records).
#
# make install builds the programs again, for the paths it installs to,
# in a build directory of their own (keyed by those paths), so that the
# compiled-in DATADIR and LIBDIR always match. The installed programs also
# find their rules and plugins relative to themselves (../share/ismsd,
# ../lib/ismsd), so a DESTDIR tree works before it is moved in place.
IKEY   := $(shell printf '%s' '$(DATADIR) $(LIBDIR) $(VERSION)' | cksum | cut -d' ' -f1)
IBUILD ?= $(BUILD)/install-$(IKEY)
MANS   := $(patsubst docs/man/%.scd,$(BUILD)/man/%,$(wildcard docs/man/*.scd))

install-programs:
	$(MAKE) BUILD=$(IBUILD) PREFIX=$(PREFIX) DATADIR=$(DATADIR) LIBDIR=$(LIBDIR) \
	  $(IBUILD)/ismsd $(IBUILD)/ismsctl $(PLUGINS:$(BUILD)/%=$(IBUILD)/%)

# The man pages, from scdoc sources in docs/man/.
man: $(MANS)
$(BUILD)/man/%: docs/man/%.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@.tmp && mv $@.tmp $@

install: install-programs man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/plugins $(DESTDIR)$(DATADIR)/sdk \
	  $(DESTDIR)$(DATADIR)/hooks $(DESTDIR)$(INCLUDEDIR)/ismsd $(DESTDIR)$(PCDIR) \
	  $(DESTDIR)$(DOCDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	  $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(IBUILD)/ismsd $(IBUILD)/ismsctl $(DESTDIR)$(BINDIR)/
	install -m 644 $(PLUGINS:$(BUILD)/%=$(IBUILD)/%) $(DESTDIR)$(LIBDIR)/plugins/
	rm -rf $(DESTDIR)$(DATADIR)/rules
	cp -R rules $(DESTDIR)$(DATADIR)/rules
	cp -R tests/specs $(DESTDIR)$(DATADIR)/rules/specs
	rm -rf $(DESTDIR)$(DATADIR)/contrib && install -d $(DESTDIR)$(DATADIR)/contrib/example-isms
	cp -R contrib/example-isms/records $(DESTDIR)$(DATADIR)/contrib/example-isms/
	rm -rf $(DESTDIR)$(DATADIR)/sdk/lua $(DESTDIR)$(DATADIR)/sdk/examples
	cp -R sdk/lua sdk/examples $(DESTDIR)$(DATADIR)/sdk/
	chmod -R u+w,go-w,a+rX $(DESTDIR)$(DATADIR)
	install -m 755 contrib/hooks/pre-commit contrib/hooks/post-receive contrib/hooks/update \
	  $(DESTDIR)$(DATADIR)/hooks/
	install -d $(DESTDIR)$(DATADIR)/ci
	install -m 755 contrib/ci/isms-gate.sh $(DESTDIR)$(DATADIR)/ci/
	install -m 644 contrib/ci/gitlab-ci.yml contrib/ci/github-actions.yml $(DESTDIR)$(DATADIR)/ci/
	install -m 644 sdk/include/ismsd/plugin.h $(DESTDIR)$(INCLUDEDIR)/ismsd/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	  -e 's|@PLUGINDIR@|$(LIBDIR)/plugins|' -e 's|@VERSION@|$(VERSION)|' \
	  sdk/ismsd-plugin.pc.in > $(DESTDIR)$(PCDIR)/ismsd-plugin.pc
	for m in $(MANS); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
	install -m 644 contrib/completion/ismsctl.bash $(DESTDIR)$(BASHCOMPDIR)/ismsctl
	install -m 644 contrib/completion/ismsd.bash $(DESTDIR)$(BASHCOMPDIR)/ismsd
	install -m 644 contrib/completion/_ismsctl contrib/completion/_ismsd $(DESTDIR)$(ZSHCOMPDIR)/
	sed 's|/usr/bin/|$(BINDIR)/|g' contrib/systemd/ismsd.service > $(DESTDIR)$(DOCDIR)/ismsd.service
	sed 's|# rules: /usr/local/share/ismsd/rules|# rules: $(DATADIR)/rules|' \
	  contrib/ismsd.example.conf > $(DESTDIR)$(DOCDIR)/ismsd.example.conf
	chmod 644 $(DESTDIR)$(DOCDIR)/ismsd.service $(DESTDIR)$(DOCDIR)/ismsd.example.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ismsd $(DESTDIR)$(BINDIR)/ismsctl
	rm -rf $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(INCLUDEDIR)/ismsd $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(PCDIR)/ismsd-plugin.pc
	rm -f $(foreach m,$(MANS),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	rm -f $(DESTDIR)$(BASHCOMPDIR)/ismsctl $(DESTDIR)$(BASHCOMPDIR)/ismsd
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_ismsctl $(DESTDIR)$(ZSHCOMPDIR)/_ismsd

# The Debian package, ismsd_$(VERSION)_amd64.deb in $(BUILD)/deb/, built
# with dpkg-buildpackage from a copy of the tree (debian/ holds the
# packaging); lintian checks it. deb-test installs it into a scratch root
# with dpkg --root and runs it on the example ISMS.
DEB_DIR := $(BUILD)/deb
deb: deps
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	git ls-files -z --cached --others --exclude-standard | \
	  tar -cf - --null -T - | tar -xf - -C $(DEB_DIR)/src
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc -j2 >../build.log 2>&1 || \
	  { tail -40 ../build.log; exit 1; }
	lintian --fail-on warning,error $(DEB_DIR)/ismsd_$(VERSION)_*.deb
	@ls $(DEB_DIR)/*.deb

deb-test: deb example
	sh tests/deb-test.sh $(abspath $(DEB_DIR)) $(abspath $(EXAMPLE))

C_FILES = $(wildcard $(addsuffix /*.c,$(SRC_DIRS)) $(addsuffix /*.h,$(SRC_DIRS)) plugins/*.c sdk/include/*/*.h)
format:
	clang-format -i $(C_FILES)

lint: deps
	clang-format --dry-run --Werror $(C_FILES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	  --std=c11 --inline-suppr $(INCLUDES) --suppress=missingIncludeSystem \
	  -D'json_array_foreach(a,i,v)=for(i=0;i<1;i++)' \
	  -D'json_object_foreach(o,k,v)=for(k=0;k;)' lib daemon cli plugins
	clang-tidy --quiet $(ALL_SRC) $(MAINS) $(wildcard plugins/*.c) -- -std=c11 -D_GNU_SOURCE \
	  $(INCLUDES) $(PKG_CFLAGS) $(DEFS)

clean:
	rm -rf build build-san build-tsan build-fuzz

-include $(ALL_SRC:%.c=$(BUILD)/%.d) $(BUILD)/cli/ismsctl.d $(BUILD)/daemon/ismsd.d \
         $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%.d)
