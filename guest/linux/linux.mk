# The Linux test guest (Debian kernel + busybox initramfs) and the nested
# runner that boots it under lkvm-gpu inside an L1 guest under QEMU TCG.
# Included by the top Makefile.

DEB_DIR    := $(B)/debian
DEBGL_DIR  := $(B)/debian-gl
LINUX_DIR  := $(B)/guest
NESTED_DIR := $(B)/nested
L1RUN      := $(LINUX_DIR)/bin/l1run
L2_PROGS   := $(LINUX_DIR)/bin/drm-pattern $(LINUX_DIR)/bin/evdev-read
LINUX_GUEST := $(LINUX_DIR)/bzImage $(LINUX_DIR)/vmlinux $(LINUX_DIR)/initramfs.cpio.gz

# The GL guest: Debian's Mesa and GL programs plus gl-scene on an ext2
# image that L2 gets on virtio-blk; L1 reaches it over 9p.
GL_SCENE   := $(LINUX_DIR)/gl/gl-scene
L2_GLIMG   := $(NESTED_DIR)/gl/l2-gl.img

.PHONY: linux-guest nested-base nested-check bench-nested bench-desktop-nested gl-guest

linux-guest: $(LINUX_GUEST)

$(DEB_DIR)/stamp: guest/linux/fetch-debian.sh guest/linux/extract-vmlinux.sh
	rm -f $@
	guest/linux/fetch-debian.sh $(DEB_DIR)

$(LINUX_DIR)/bzImage: $(DEB_DIR)/stamp
	@mkdir -p $(dir $@)
	cp $(DEB_DIR)/vmlinuz $@

$(LINUX_DIR)/vmlinux: $(DEB_DIR)/stamp
	@mkdir -p $(dir $@)
	cp $(DEB_DIR)/vmlinux $@

$(LINUX_DIR)/initramfs.cpio.gz: $(DEB_DIR)/stamp guest/linux/mkinitramfs-l2.sh \
		guest/linux/modorder.sh guest/linux/l2/init guest/linux/l2/l2tests.sh $(L2_PROGS)
	@mkdir -p $(dir $@)
	guest/linux/mkinitramfs-l2.sh $(DEB_DIR) $(LINUX_DIR) $(L2_PROGS)

# Small static programs that run inside the guests.
$(LINUX_DIR)/bin/%: guest/linux/src/%.c guest/linux/src/kms.h
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -std=gnu11 $(WARN) -o $@ $<

$(DEBGL_DIR)/stamp: guest/linux/fetch-debian-gl.sh
	rm -f $@
	guest/linux/fetch-debian-gl.sh $(DEBGL_DIR)

# Linked against Debian 12's libgbm, libEGL and libGLESv2 (this machine's
# are the same packages L2 gets), so it runs on L2's Mesa.
$(GL_SCENE): guest/linux/src/gl-scene.c guest/linux/src/kms.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=gnu11 $(WARN) -o $@ $< $(shell pkg-config --libs gbm egl glesv2)

$(L2_GLIMG): $(DEBGL_DIR)/stamp guest/linux/mkrootfs-gl.sh $(GL_SCENE)
	@mkdir -p $(dir $@)
	guest/linux/mkrootfs-gl.sh $(DEBGL_DIR) $@ $(GL_SCENE)

gl-guest: $(L2_GLIMG)

# The L1 base image also holds lkvm-gpu when it has been built; it is
# rebuilt whenever lkvm-gpu is (the wildcard makes that dependency optional).
$(NESTED_DIR)/l1-base.cpio: $(LINUX_GUEST) $(L1RUN) $(wildcard $(B)/lkvm-gpu) $(PROBE_ELF) \
		scripts/nested/mkl1base.sh scripts/nested/l1-init scripts/nested/nested.sh
	@mkdir -p $(dir $@)
	scripts/nested/mkl1base.sh $@

# The same plus QEMU, for the microvm comparison in the benchmark.
$(NESTED_DIR)/l1-base-qemu.cpio: $(NESTED_DIR)/l1-base.cpio
	scripts/nested/mkl1base.sh --qemu $@

nested-base: $(NESTED_DIR)/l1-base.cpio $(L2_GLIMG)

nested-check: $(B)/lkvm-gpu
	$(MAKE) nested-base
	tests/nested/run.sh

# The desktop runner against QEMU on one Xvfb (and weston) inside L1.
bench-desktop-nested: $(B)/lkvm-gpu
	$(MAKE) nested-base
	scripts/bench-desktop-nested.sh

bench-nested: $(B)/lkvm-gpu
	$(MAKE) $(NESTED_DIR)/l1-base-qemu.cpio
	scripts/bench-nested.sh
