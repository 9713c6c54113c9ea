# lkvm-gpu: one binary, a probe guest, tests. Plain make + pkg-config.
CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS    := pixman-1 libpng
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -I. -MMD -MP $(shell pkg-config --cflags $(PKGS))
LDLIBS  := $(shell pkg-config --libs $(PKGS)) -lpthread -lm

B := build
SUBDIRS := kvm pci virtio gpu display
LIB_SRC := $(foreach d,$(SUBDIRS),$(wildcard $(d)/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)
MAIN_OBJ := $(B)/obj/main.o
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/obj/%.o)

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ASAN_OBJ := $(LIB_SRC:%.c=$(B)/asan/%.o) $(UNIT_SRC:%.c=$(B)/asan/%.o)

.PHONY: all guest check unit asan asan-check integration demo bench fuzz clean format deps linux-guest nested
all: $(B)/lkvm-gpu

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -c $< -o $@

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(ASAN_FLAGS) -c $< -o $@

$(B)/lkvm-gpu: $(MAIN_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
	@ln -sf $(B)/lkvm-gpu lkvm-gpu 2>/dev/null || true

$(B)/unit-tests: $(UNIT_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lcriterion

$(B)/unit-tests-asan: $(ASAN_OBJ)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS) -lcriterion

# The probe guest: freestanding, its own flags (guest/probe/probe.mk).
PROBE_ELF := $(B)/guest/probe.elf
-include guest/probe/probe.mk
-include guest/linux/linux.mk

guest: $(PROBE_ELF)

unit: $(B)/unit-tests
	$(B)/unit-tests --jobs 2

asan: $(B)/unit-tests-asan
asan-check: $(B)/unit-tests-asan
	ASAN_OPTIONS=detect_leaks=1 $(B)/unit-tests-asan --jobs 2

integration: $(B)/lkvm-gpu $(PROBE_ELF)
	tests/integration/run.sh

check: $(B)/lkvm-gpu $(B)/unit-tests $(B)/unit-tests-asan $(PROBE_ELF)
	$(B)/unit-tests --jobs 2
	ASAN_OPTIONS=detect_leaks=1 $(B)/unit-tests-asan --jobs 2
	tests/integration/run.sh

deps:
	scripts/install-deps.sh

demo: deps
	$(MAKE) $(B)/lkvm-gpu $(PROBE_ELF)
	scripts/demo.sh

bench: $(B)/lkvm-gpu $(PROBE_ELF)
	scripts/bench.sh

# libFuzzer harnesses (clang): a short fixed run each; crashes land in build/fuzz/.
FUZZ_CC    ?= clang
FUZZ_RUNS  ?= 200000
FUZZ_FLAGS := -std=gnu11 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined
$(B)/fuzz/fuzz_virtqueue: tests/fuzz/fuzz_virtqueue.c virtio/virtqueue.c kvm/guest_mem.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $^ -o $@

$(B)/fuzz/fuzz_gpu: tests/fuzz/fuzz_gpu.c $(filter-out gpu/setup.c,$(wildcard gpu/*.c)) $(wildcard display/*.c) virtio/virtqueue.c kvm/guest_mem.c kvm/log.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(shell pkg-config --cflags $(PKGS)) $^ -o $@ $(LDLIBS)

FUZZ_VPCI_SRC := tests/fuzz/fuzz_virtio_pci.c $(wildcard pci/*.c virtio/*.c) kvm/bus.c \
		 kvm/guest_mem.c kvm/log.c kvm/vm.c
$(B)/fuzz/fuzz_virtio_pci: $(FUZZ_VPCI_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $^ -o $@ -lpthread

fuzz: $(B)/fuzz/fuzz_virtqueue $(B)/fuzz/fuzz_gpu $(B)/fuzz/fuzz_virtio_pci
	cd $(B)/fuzz && ./fuzz_virtqueue -runs=$(FUZZ_RUNS) -max_len=16388 -seed=1
	cd $(B)/fuzz && ./fuzz_gpu -runs=$(FUZZ_RUNS) -max_len=8192 -seed=1
	cd $(B)/fuzz && ./fuzz_virtio_pci -runs=$(FUZZ_RUNS) -max_len=36000 -seed=1

format:
	clang-format -i $(LIB_SRC) main.c $(wildcard */*.h) $(UNIT_SRC)

clean:
	rm -rf $(B) lkvm-gpu

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(ASAN_OBJ:.o=.d)
