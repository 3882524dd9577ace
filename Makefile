# voxcart build. `make` builds voxcartd, voxcart and libvoxcart; `make test` runs
# every test (installing what it needs first through `make deps`).
# Sources are picked up by directory, so a new module needs no Makefile edit.

PREFIX  ?= /usr/local
DESTDIR ?=
# systemd units (voxcartd.service, voxcartd@.service); /usr/local/lib/systemd/system
# is on systemd's search path.
SYSTEMD_UNITDIR ?= $(PREFIX)/lib/systemd/system
# The units read $(SYSCONFDIR)/voxcart/voxcart.conf: installed from config.example
# when there is none yet (an existing one is never overwritten).
SYSCONFDIR ?= /etc
CC      ?= cc
VERSION := 0.1.0

PKGS_SERVER := libwebsockets libcjson sqlite3 libpq libsodium libcurl opus sndfile speexdsp pocketsphinx sphinxbase espeak-ng
PKGS_CLIENT := libwebsockets libcjson libcurl opus portaudio-2.0 sndfile speexdsp readline
PKGS_TUI    := ncursesw
PKGS_ALL    := $(sort $(PKGS_SERVER) $(PKGS_CLIENT) $(PKGS_TUI))
# WebRTC's audio processing module (server/voice/apm_webrtc.cc, the server's
# cleaning before recognition) is C++: its flags go only to that file, and whatever
# links the server library links the C++ runtime too.
PKGS_APM    := webrtc-audio-processing

# pkg-config is asked lazily so that `make deps` works before the libraries exist.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS_ALL) 2>/dev/null)
# (its headers as system headers: they have warnings of their own)
APM_CFLAGS  = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS_APM) 2>/dev/null))
LIBS_APM    = $(shell pkg-config --libs $(PKGS_APM) 2>/dev/null) -lstdc++
LIBS_SERVER = $(shell pkg-config --libs $(PKGS_SERVER) 2>/dev/null) $(LIBS_APM) -lev -lpthread -lm
LIBS_CLIENT = $(shell pkg-config --libs $(PKGS_CLIENT) 2>/dev/null) -lpthread -lm
LIBS_TUI    = $(shell pkg-config --libs $(PKGS_CLIENT) $(PKGS_TUI) 2>/dev/null) -lpthread -lm
LIBS_TEST   = $(shell pkg-config --libs check $(PKGS_ALL) 2>/dev/null) $(LIBS_APM) -lev -lpthread -lm

WERROR  := $(if $(CI),-Werror,)
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic $(WERROR) -MMD -MP
CFLAGS  += -DVOXCART_VERSION=\"$(VERSION)\"
CXX     ?= g++
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++11 -Wall -Wextra $(WERROR) -MMD -MP

# Include paths per layer, so a file sees only what lies below it: shared/ (config,
# log) < shared/proto/ (what travels on the wire) < shared/media/ (audio) <
# shared/client/ (REST, session, buddy client, audio devices); the server sees
# shared/ without client/; cli/ and tui/ never see server/ (scripts/check-layers.sh
# also refuses a client or libvoxcart file that reaches for one by a relative path).
INC_PROTO  := -Ishared -Ishared/proto
INC_MEDIA  := $(INC_PROTO) -Ishared/media
INC_CLIENT := $(INC_MEDIA) -Ishared/client
INC_SERVER := $(INC_MEDIA) -Iserver
INC_TEST   := $(INC_CLIENT) -Iserver
INC        := $(INC_TEST)
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer
CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
BUILD   := build/san
else ifeq ($(SANITIZE),thread)
CFLAGS  += -fsanitize=thread -fno-omit-frame-pointer
CXXFLAGS += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS += -fsanitize=thread
BUILD   := build/tsan
else
BUILD   := build/rel
endif

SHARED_SRC := $(wildcard shared/*.c shared/*/*.c)
SERVER_SRC := $(filter-out server/main.c,$(wildcard server/*.c server/buddy/*.c server/voice/*.c \
						   server/turn/*.c server/store/*.c server/store/sqlite/*.c \
						   server/store/postgres/*.c))
SERVER_CXX_SRC := $(wildcard server/voice/*.cc)
CLI_SRC    := $(wildcard cli/*.c)
TUI_SRC    := $(wildcard tui/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

LIBVOXCART := $(BUILD)/libvoxcart.a
LIBSERVER  := $(BUILD)/libvoxcartd.a
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

PROGRAMS := voxcartd voxcart $(if $(TUI_SRC),voxcart-tui,)

# libFuzzer harnesses (tests/fuzz/fuzz_*.c), built with clang, ASan and UBSan in
# build/fuzz.  `make fuzz FUZZ_TIME=secs` runs each for that long, growing its corpus
# in tests/fuzz/corpus/<name>/; `make fuzz-check` (part of `make test`) runs each for
# FUZZ_CHECK_TIME seconds over that corpus without changing it.
FUZZ_CC    ?= clang
FUZZ_CXX   ?= clang++
FUZZ_BUILD := build/fuzz
FUZZ_TIME  ?= 60
FUZZ_CHECK_TIME ?= 20
FUZZ_SAN    = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS = -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -MMD -MP $(INC_TEST) \
	-DVOXCART_VERSION=\"$(VERSION)\" $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))
FUZZ_LIB   := $(FUZZ_BUILD)/libfuzzme.a

.PHONY: all deps build-unit-san test unit integration bench voice-model demo scale-demo test-pg install clean check-deps
.PHONY: fuzz fuzz-build fuzz-check soak
all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/server/%.o: server/%.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(INC_SERVER) $(APM_CFLAGS) -c $< -o $@

$(BUILD)/shared/%.o:       INC = -Ishared
$(BUILD)/shared/proto/%.o: INC = $(INC_PROTO)
$(BUILD)/shared/media/%.o: INC = $(INC_MEDIA)
$(BUILD)/shared/client/%.o: INC = $(INC_CLIENT)
$(BUILD)/server/%.o:       INC = $(INC_SERVER)
$(BUILD)/cli/%.o:          INC = $(INC_CLIENT)
$(BUILD)/tui/%.o:          INC = $(INC_CLIENT)

# cli/, tui/ and shared/ include nothing of server/, not even by a relative path.
$(BUILD)/layers.ok: scripts/check-layers.sh $(SHARED_SRC) $(CLI_SRC) $(TUI_SRC) \
		$(wildcard shared/*.h shared/*/*.h cli/*.h tui/*.h)
	@scripts/check-layers.sh
	@mkdir -p $(dir $@) && touch $@

$(LIBVOXCART): $(call obj,$(SHARED_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBSERVER): $(call obj,$(SERVER_SRC)) $(patsubst %.cc,$(BUILD)/%.o,$(SERVER_CXX_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

voxcartd: $(call obj,server/main.c) $(LIBSERVER) $(LIBVOXCART)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SERVER)

voxcart: $(call obj,$(CLI_SRC)) $(LIBVOXCART) | $(BUILD)/layers.ok
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CLIENT)

voxcart-tui: $(call obj,$(TUI_SRC)) $(LIBVOXCART) | $(BUILD)/layers.ok
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_TUI)

$(BUILD)/tests/%: tests/unit/%.c $(LIBSERVER) $(LIBVOXCART)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC_TEST) $(PKG_CFLAGS) -o $@ $< $(LIBSERVER) $(LIBVOXCART) $(LDFLAGS) $(LIBS_TEST)

build-unit-san: $(UNIT_BINS)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) -g -O1 -std=c++11 -Wall -Wextra -MMD -MP $(INC_SERVER) $(APM_CFLAGS) $(FUZZ_SAN) \
		-fno-sanitize=vptr \
		-fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(SERVER_SRC) $(SHARED_SRC)) \
		$(patsubst %.cc,$(FUZZ_BUILD)/obj/%.o,$(SERVER_CXX_SRC))
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_EXTRA) $(FUZZ_LIB) \
		$(shell pkg-config --libs $(PKGS_ALL) 2>/dev/null) $(LIBS_APM) -lev -lpthread -lm

# fuzz_tui links the TUI's screens (not its main, its buddy connection or its worker
# thread: the harness stands in for those).
FUZZ_TUI_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out tui/main.c tui/voice.c tui/worker.c,$(TUI_SRC)))
$(FUZZ_BUILD)/fuzz_tui: $(FUZZ_TUI_OBJ) tui/worker.c
$(FUZZ_BUILD)/fuzz_tui: FUZZ_EXTRA = $(FUZZ_TUI_OBJ)

fuzz-build: $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@scripts/fuzz.sh grow $(FUZZ_TIME) $(FUZZ_BINS)

fuzz-check: deps
	@$(MAKE) --no-print-directory fuzz-build
	@scripts/fuzz.sh check $(FUZZ_CHECK_TIME) $(FUZZ_BINS)

soak: deps
	@$(MAKE) --no-print-directory $(PROGRAMS)
	@python3 tests/soak/soak.py $(if $(SOAK_TIME),--seconds $(SOAK_TIME),)

deps:
	@scripts/deps.sh

check-deps:
	@scripts/deps.sh --check

unit: $(UNIT_BINS)
	@scripts/run-unit.sh $(UNIT_BINS)

integration: $(PROGRAMS)
	@scripts/run-integration.sh

test: deps
	@$(MAKE) --no-print-directory $(PROGRAMS) $(UNIT_BINS)
	@$(MAKE) --no-print-directory unit integration
	@$(if $(SANITIZE),,$(MAKE) --no-print-directory fuzz-check)

# The integration suite again with every voxcartd on PostgreSQL (one throwaway
# cluster, a database per voxcartd): about 1.4 times as long as `make integration`,
# so apart from `make test`; CI runs both (.ci/run).  With test_dialogues.py: search
# answers are the same on both backends (the in-memory index ranks by FTS5's bm25 on
# either), so the corpus and its known failures are too.
PG_INTEGRATION := $(sort $(wildcard tests/integration/test_*.py))
test-pg: deps
	@$(MAKE) --no-print-directory $(PROGRAMS)
	@VOXCART_TEST_DB=postgres scripts/run-integration.sh $(PG_INTEGRATION)

bench: deps
	@$(MAKE) --no-print-directory $(PROGRAMS)
	@tests/bench/run.sh

# PocketSphinx's acoustic model MAP-adapted to synthesised speech in the voice grid's
# kinds of condition (scripts/voice-adapt.py; a few CPU minutes): build/voice-model, used
# when [voice] asr_options = -hmm <that folder>; also the MLLR transform build/voice-mllr.
voice-model: deps
	@$(MAKE) --no-print-directory $(PROGRAMS)
	@nice -n 10 python3 scripts/voice-adapt.py --out build/voice-mllr --map build/voice-model

demo: deps
	@$(MAKE) --no-print-directory $(PROGRAMS)
	@scripts/demo.sh

scale-demo: deps
	@$(MAKE) --no-print-directory $(PROGRAMS)
	@scripts/scale-demo.sh

install: $(PROGRAMS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/voxcart
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 server/data/*.csv $(DESTDIR)$(PREFIX)/share/voxcart/
	install -m 0644 config.example $(DESTDIR)$(PREFIX)/share/voxcart/
	install -m 0644 dist/haproxy/voxcart.cfg $(DESTDIR)$(PREFIX)/share/voxcart/haproxy.cfg
	install -d $(DESTDIR)$(SYSTEMD_UNITDIR)
	for u in dist/systemd/*.service; do \
		sed 's|@BINDIR@|$(PREFIX)/bin|g' $$u > $(DESTDIR)$(SYSTEMD_UNITDIR)/$$(basename $$u) && \
		chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/$$(basename $$u) || exit 1; \
	done
	install -d $(DESTDIR)$(SYSCONFDIR)/voxcart
	[ -e $(DESTDIR)$(SYSCONFDIR)/voxcart/voxcart.conf ] || \
		install -m 0644 config.example $(DESTDIR)$(SYSCONFDIR)/voxcart/voxcart.conf
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	./voxcart completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/voxcart
	./voxcart completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_voxcart

clean:
	rm -rf build voxcartd voxcart voxcart-tui

-include $(shell find build -name '*.d' 2>/dev/null)
