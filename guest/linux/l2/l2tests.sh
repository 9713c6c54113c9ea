# Tests run by the L2 /init, one function per l2test= name. Each prints
# "L2: PASS <name> ..." or "L2: FAIL <name> <why>"; the host-side checks
# (tests/nested/) look for those lines. Sourced by /init (busybox ash).

cmdline_arg() {
	for a in $(cat /proc/cmdline); do
		case $a in "$1"=*) echo "${a#"$1"=}" && return 0 ;; esac
	done
	return 1
}

# Boot: the kernel reached init with the CPUs and memory lkvm-gpu gave it.
test_boot() {
	cpus=$(nproc)
	online=$(cat /sys/devices/system/cpu/online)
	memkb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
	want=$(cmdline_arg l2cpus) || want=$cpus
	minkb=$(cmdline_arg l2memkb) || minkb=0
	if [ "$memkb" -lt "$minkb" ]; then
		echo "L2: FAIL boot memkb=$memkb, want at least $minkb"
	elif [ "$cpus" = "$want" ]; then
		echo "L2: PASS boot cpus=$cpus online=$online memkb=$memkb"
	else
		echo "L2: FAIL boot cpus=$cpus want=$want online=$online"
	fi
}

# Reboot: nothing to do but boot; /init's reboot -f is the test.
test_reboot() {
	echo "L2: PASS reboot requested"
}

test_poweroff() {
	echo "L2: PASS poweroff requested"
}

# Panic: a deliberate crash through sysrq. With panic=-1 reboot=t on the
# command line the kernel then resets by triple fault, which lkvm-gpu must
# report as a crash (non-zero exit).
test_panic() {
	echo "L2: PASS panic triggering"
	echo 1 >/proc/sys/kernel/sysrq
	echo c >/proc/sysrq-trigger
	echo "L2: FAIL panic sysrq-c returned"
}

# Echo: the host side feeds lines into lkvm-gpu's stdin; one must arrive
# on ttyS0 within 30 s. The line is sent again and again because the 8250
# driver drops anything that came before it opened the port; that reset can
# also cut the head off a line arriving at that moment, so only a line that
# starts as the host's lines start counts (a cut one is reported, the next
# awaited), and the console is opened once.
test_echo() {
	stty -F /dev/console -echo 2>/dev/null
	end=$(($(date +%s) + 30))
	exec 3</dev/console # opened once: each open resets the FIFO
	while [ "$(date +%s)" -lt "$end" ]; do
		read -r -t 30 line <&3 || break
		case $line in
		nested-echo-*)
			echo "L2: PASS echo got=$line"
			exec 3<&-
			return
			;;
		*) echo "L2: echo skipped a partial line '$line'" ;;
		esac
	done
	exec 3<&-
	echo "L2: FAIL echo no line on the console within 30 s"
}

# virtio-blk: write a known pattern over the first MiB of /dev/vda; the host
# checks the image after the run (tests/nested/ checks the same pattern).
test_blk() {
	if [ ! -b /dev/vda ]; then
		echo "L2: FAIL blk no /dev/vda"
		return
	fi
	sectors=$(cat /sys/block/vda/size)
	# 256 blocks of 4 KiB: "lkvm-gpu blk block NNNNNNNN", space padded.
	awk 'BEGIN { for (i = 0; i < 256; i++) printf "%-4095s\n", sprintf("lkvm-gpu blk block %08d", i) }' >/tmp/blk
	if dd if=/tmp/blk of=/dev/vda bs=64k conv=fsync 2>/dev/null && sync; then
		back=$(dd if=/dev/vda bs=4096 skip=255 count=1 2>/dev/null | head -c 27)
		echo "L2: PASS blk wrote 1 MiB sectors=$sectors last='$back'"
	else
		echo "L2: FAIL blk write to /dev/vda failed"
	fi
}

# virtio-blk read-only (-d IMG,ro): the host filled the image; L2 reads the
# first MiB (fresh page cache, so from the device) and prints its md5 for
# the host to compare, and a write must be refused.
test_blkro() {
	if [ ! -b /dev/vda ]; then
		echo "L2: FAIL blkro no /dev/vda"
		return
	fi
	ro=$(cat /sys/block/vda/ro)
	sum=$(head -c 1048576 /dev/vda | md5sum | cut -d' ' -f1)
	echo "L2: blkro md5=$sum"
	if echo overwrite | dd of=/dev/vda conv=fsync 2>/dev/null; then
		echo "L2: FAIL blkro a write to the read-only disk succeeded (ro=$ro)"
	elif [ "$ro" != 1 ]; then
		echo "L2: FAIL blkro /sys/block/vda/ro=$ro"
	else
		echo "L2: PASS blkro ro=1 write refused"
	fi
}

# virtio-rng: /dev/hwrng must be backed by virtio and yield varying bytes.
test_rng() {
	cur=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)
	a=$(head -c 32 /dev/hwrng 2>/dev/null | od -An -tx1 | tr -d ' \n')
	b=$(head -c 32 /dev/hwrng 2>/dev/null | od -An -tx1 | tr -d ' \n')
	case $cur in
	virtio_rng*) ;;
	*)
		echo "L2: FAIL rng rng_current='$cur'"
		return
		;;
	esac
	if [ ${#a} -eq 64 ] && [ "$a" != "$b" ]; then
		echo "L2: PASS rng $cur bytes=$a"
	else
		echo "L2: FAIL rng read '$a' then '$b'"
	fi
}

# virtio-gpu: the guest's own driver binds and fbcon takes the console; the
# text written to tty1 is what the host looks for in the screenshot.
test_gpu() {
	# card0's parent is the PCI function; the virtio device under it is
	# what the virtio_gpu driver binds.
	bound=$(ls -d /sys/bus/virtio/drivers/virtio_gpu/virtio* 2>/dev/null | head -n1)
	if [ ! -e /sys/class/drm/card0 ] || [ -z "$bound" ]; then
		echo "L2: FAIL gpu virtio_gpu not bound (card0: $(ls /sys/class/drm 2>/dev/null | tr '\n' ' '))"
		return
	fi
	drv=virtio_gpu
	if [ ! -e /dev/fb0 ]; then
		echo "L2: FAIL gpu no /dev/fb0 (fbdev emulation)"
		return
	fi
	i=0
	while [ $i -lt 8 ]; do
		echo "lkvm-gpu fbcon line $i ################################" >/dev/tty1
		i=$((i + 1))
	done
	mode=$(cat /sys/class/drm/card0-Virtual-1/modes 2>/dev/null | head -n1)
	sleep 1
	echo "L2: PASS gpu driver=$drv mode=$mode"
}

# virtio-console: with lkvm-gpu --console virtio, /dev/hvc0 appears once
# virtio_console is loaded; a line written there must reach lkvm-gpu's stdout.
test_hvc() {
	i=0
	while [ ! -c /dev/hvc0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -c /dev/hvc0 ]; then
		echo "L2: FAIL hvc no /dev/hvc0"
		return
	fi
	if echo "L2: hvc0 says hello" >/dev/hvc0; then
		echo "L2: PASS hvc wrote to /dev/hvc0"
	else
		echo "L2: FAIL hvc write to /dev/hvc0 failed"
	fi
	sleep 1
}

# virtio-input: the guest's virtio_input driver binds the keyboard, tablet
# and mouse, evdev makes /dev/input/event* for them (their names and event
# types listed for the host to check), then the keys L1 types with
# `lkvm-gpu type` once "L2: evdev ready" is out are printed as they arrive,
# until Esc is released.
load_input_modules() {
	while read -r ko; do
		[ -n "$ko" ] || continue
		insmod "/lib/modules/$ko" 2>/dev/null || echo "L2: WARN insmod $ko failed"
	done </etc/modules-input.order
}

# A shell on the first virtual terminal, which the virtio keyboard types
# into (Linux's VT keyboard handler), with its prompt and output on the
# serial console: the host types a command there and reads its result.
test_vtshell() {
	load_input_modules
	PS1='vtshell# ' sh -i </dev/tty1 >/dev/console 2>&1
	echo "L2: vtshell ended"
}

test_input() {
	load_input_modules
	n=$(ls -d /sys/bus/virtio/drivers/virtio_input/virtio* 2>/dev/null | wc -l)
	i=0
	while [ "$(ls /dev/input 2>/dev/null | grep -c '^event')" -lt 3 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	evdev-read list
	if [ "$n" -ne 3 ]; then
		echo "L2: FAIL input virtio_input bound $n devices, want 3"
		return
	fi
	if evdev-read keys 300; then
		echo "L2: PASS input"
	else
		echo "L2: FAIL input no Esc release"
	fi
}

# DRM dumb buffer: /bin/drm-pattern draws a pattern the host compares with
# the screenshot pixel by pixel.
test_drm() {
	if [ ! -x /bin/drm-pattern ]; then
		echo "L2: FAIL drm /bin/drm-pattern missing from the initramfs"
		return
	fi
	if out=$(/bin/drm-pattern 2>&1); then
		echo "L2: PASS drm $out"
	else
		echo "L2: FAIL drm $out"
	fi
}

# Modes: the connector lists the EDID's modes (l2modes=, comma-separated,
# the preferred first), and drm-pattern switches to another (l2switch=).
test_drmmodes() {
	f=$(ls /sys/class/drm/card*-Virtual-*/modes 2>/dev/null | head -n1)
	if [ -z "$f" ]; then
		echo "L2: FAIL drmmodes no /sys/class/drm/card*-Virtual-*/modes"
		return
	fi
	list=$(tr '\n' ' ' <"$f")
	want=$(cmdline_arg l2modes) || want=""
	first=$(head -n1 "$f")
	for m in $(echo "$want" | tr ',' ' '); do
		if ! grep -qx "$m" "$f"; then
			echo "L2: FAIL drmmodes $m not listed: $list"
			return
		fi
	done
	if [ -n "$want" ] && [ "$first" != "${want%%,*}" ]; then
		echo "L2: FAIL drmmodes preferred $first, want ${want%%,*}: $list"
		return
	fi
	to=$(cmdline_arg l2switch) || to=$first
	if out=$(/bin/drm-pattern /dev/dri/card0 "$to" 2>&1); then
		echo "L2: PASS drmmodes listed=$(wc -l <"$f") modes: $list; switched $out"
	else
		echo "L2: FAIL drmmodes $out (modes: $list)"
	fi
}

# Diagnosis, not a check: copies interrupt, serial and PCI state to the
# kernel log at KERN_CRIT, which the console prints by polling the UART, so
# it arrives even when the UART's interrupt (which tty writes wait for)
# does not.
test_diag() {
	{
		echo "== /proc/interrupts"
		cat /proc/interrupts
		echo "== /proc/tty/driver/serial"
		cat /proc/tty/driver/serial
		echo "== /proc/consoles"
		cat /proc/consoles
		echo "== lspci"
		ls /sys/bus/pci/devices
		echo "== cmdline"
		cat /proc/cmdline
		echo "== reboot"
		cat /sys/kernel/reboot/mode /sys/kernel/reboot/type 2>/dev/null
	} 2>&1 | while IFS= read -r l; do
		echo "<2>L2: diag: $l" >/dev/kmsg
	done
	echo "L2: PASS diag"
}

# GL with real Mesa: the GL root filesystem (guest/linux/mkrootfs-gl.sh:
# Debian's Mesa, eglinfo, kmscube, glmark2, our gl-scene) comes on /dev/vda
# (read-only ext2); its programs run chrooted. Reports what the kernel
# negotiated (virgl or not), what EGL's GBM platform found (eglinfo), runs
# kmscube for l2kmscube=N frames (0: not at all) and glmark2-es2-drm for
# the l2glmark2=SCENE,... scenes (none by default), and last gl-scene,
# whose picture stays on the screen for the host's screenshot. Mesa picks
# the virgl driver when the device offers VIRGL, kms_swrast otherwise;
# the host-side case says which it expects.
# glmark2-es2-drm: alpha=0, or it picks an ARGB8888 config whose buffers
# the virtio_gpu driver's primary plane (XRGB8888 only) refuses: SETCRTC
# fails with EINVAL. With -s 320x240 it still runs fullscreen at the
# output's mode (its "Surface Size" line); without -s, and with
# --fullscreen, this glmark2 (2023.01) stopped at "glwindow has never been
# initialized" here (tried before alpha=0; not looked into further).
GLMARK2_OPTS="-s 320x240 --visual-config alpha=0"
gl_run() {
	env -i PATH=/usr/bin:/bin HOME=/tmp XDG_RUNTIME_DIR=/tmp \
		MESA_SHADER_CACHE_DISABLE=true \
		LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu \
		chroot /gl "$@"
}

test_gl() {
	while read -r ko; do
		[ -n "$ko" ] || continue
		insmod "/lib/modules/$ko" 2>/dev/null || echo "L2: WARN insmod $ko failed"
	done </etc/modules-gl.order
	mkdir -p /gl
	if [ ! -b /dev/vda ] || ! mount -t ext4 -o ro /dev/vda /gl; then
		echo "L2: FAIL gl cannot mount the GL root filesystem from /dev/vda"
		return
	fi
	mount -t devtmpfs dev /gl/dev
	mount -t proc proc /gl/proc
	mount -t sysfs sys /gl/sys
	mount -t tmpfs tmp /gl/tmp
	if [ ! -e /dev/dri/card0 ]; then
		echo "L2: FAIL gl no /dev/dri/card0"
		return
	fi
	# virtio_gpu's probe prints "[drm] features: +virgl +edid ..." and the
	# number of capsets.
	dmesg | sed -n 's/.*\[drm\] \(features: .*\)/L2: gl kernel \1/p; s/.*\[drm\] \(number of cap sets: .*\)/L2: gl kernel \1/p'
	ls /dev/dri | tr '\n' ' ' | sed 's/^/L2: gl dev: /; s/$/\n/'

	# eglinfo: each platform's header and who answered.
	gl_run /usr/bin/eglinfo.x86_64-linux-gnu 2>&1 |
		awk '/platform:$/ { p = $1 } /^EGL (vendor|version) string|^EGL driver name|eglInitialize failed/ { print "L2: gl eglinfo " p ": " $0 }'

	n=$(cmdline_arg l2kmscube) || n=0
	if [ "$n" -gt 0 ]; then
		out=$(gl_run /usr/bin/kmscube -c "$n" 2>&1)
		rc=$?
		# Its first "Rendered" line comes after the first second; the last
		# one is the run.
		printf '%s\n' "$out" | grep -E '^Rendered|^failed|^[Ee]rror' | cut -c1-200 | sed 's/^/L2: gl kmscube: /'
		echo "L2: gl kmscube rc=$rc"
	fi

	scenes=$(cmdline_arg l2glmark2) || scenes=""
	if [ -n "$scenes" ]; then
		set --
		for s in $(echo "$scenes" | tr ',' ' '); do
			set -- "$@" -b "$s"
		done
		# shellcheck disable=SC2086 # options, one word each
		gl_run /usr/bin/glmark2-es2-drm $GLMARK2_OPTS "$@" 2>&1 |
			grep -v '^ *$' | cut -c1-200 | sed 's/^/L2: gl glmark2: /'
	fi

	frames=$(cmdline_arg l2glframes) || frames=0
	if out=$(gl_run /usr/bin/gl-scene -n "$frames" 2>&1); then
		echo "L2: PASS gl $out"
	else
		echo "L2: FAIL gl gl-scene: $out"
	fi
	sleep 1
}
