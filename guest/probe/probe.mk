# The probe guest (included by the top Makefile, which sets PROBE_ELF).
# Freestanding, its own compiler flags: never the host's CFLAGS.
PROBE_DIR   := guest/probe
PROBE_OUT   := $(B)/guest/obj
PROBE_CC    ?= cc
PROBE_C     := $(wildcard $(PROBE_DIR)/*.c $(PROBE_DIR)/lib/*.c $(PROBE_DIR)/tests/*.c)
PROBE_S     := $(wildcard $(PROBE_DIR)/arch/*.S)
PROBE_OBJS  := $(PROBE_C:%.c=$(PROBE_OUT)/%.o) $(PROBE_S:%.S=$(PROBE_OUT)/%.o)
PROBE_FLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-tree-loop-distribute-patterns \
	-fcf-protection=none -mno-red-zone -mcmodel=small --param=min-pagesize=0 -I$(PROBE_DIR) -MMD -MP
PROBE_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
	-Wl,-z,max-page-size=4096 -T $(PROBE_DIR)/probe.ld

$(filter %.o,$(PROBE_C:%.c=$(PROBE_OUT)/%.o)): $(PROBE_OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(PROBE_CC) $(PROBE_FLAGS) -c $< -o $@

$(filter %.o,$(PROBE_S:%.S=$(PROBE_OUT)/%.o)): $(PROBE_OUT)/%.o: %.S
	@mkdir -p $(dir $@)
	$(PROBE_CC) $(PROBE_FLAGS) -c $< -o $@

$(PROBE_ELF): $(PROBE_OBJS) $(PROBE_DIR)/probe.ld
	@mkdir -p $(dir $@)
	$(PROBE_CC) $(PROBE_FLAGS) $(PROBE_LDFLAGS) -o $@ $(PROBE_OBJS)

-include $(PROBE_OBJS:.o=.d)
