# virtio-blk durability: the probe (blk_durable) writes 4 KiB blocks that
# name their sector and generation, FLUSHes after each batch of 32 and prints
# which blocks are flushed once the FLUSH completed; L1 SIGKILLs lkvm-gpu
# after 40 such lines, mid-stream, and the host checks the image file
# (tests/nested/blk-durable-check.py): every block reported flushed holds its
# pattern (or a newer one), every other sector is zeros or a whole pattern.
# Twice: the image on tmpfs, and on ext4 (a loop-mounted file, unmounted and
# mounted again before the image is read, so what is checked is what ext4
# stored). Directly on a KVM host (not root: no mounts): /dev/shm and $WORK.
GROUP=smp1
NEEDS=--disk
l1() {
	cat <<'L1'
echo "L1: BEGIN blk-durable"
bd_t0=$(uptime_ms)
bd_probe=/l2/probe.elf
[ -f $bd_probe ] || bd_probe=build/guest/probe.elf
# How many flushed batches the probe has reported so far (always a number).
bd_lines() {
	bd_n=$(grep -c 'dur_flushed=.*:ok' "$bd_con" 2>/dev/null)
	echo "${bd_n:-0}"
}
# blk_durable_run NAME DIR SEED: one run with the image in DIR.
blk_durable_run() {
	bd_img=$2/dur-$1.img
	bd_con=$WORK/dur-$1.console
	rm -f "$bd_img"
	truncate -s 4M "$bd_img"
	# The console file exists before lkvm-gpu starts: the background job
	# opens its redirect when it is scheduled, and a grep that ran first
	# found no file, printed nothing, and "[ '' -lt 40 ]" ended the loop, so
	# lkvm-gpu was killed before the probe printed (seen on a faster CI host).
	: >"$bd_con"
	echo "L1: blk-durable $1 fs=$(awk -v d="$2" '$2 == d { t = $3 } END { print t }' /proc/mounts)"
	$LKVM run -k "$bd_probe" -m 64 -c 1 -d "$bd_img" --test-exit \
		-p "probe.tests=blk_durable probe.blk_seed=$3" </dev/null >"$bd_con" 2>&1 &
	bd_pid=$!
	i=0
	while [ "$(bd_lines)" -lt 40 ] && [ $i -lt 1200 ] &&
		kill -0 $bd_pid 2>/dev/null; do
		usleep 100000
		i=$((i + 1))
	done
	kill -9 $bd_pid
	wait $bd_pid
	echo "L1: blk-durable $1 killed rc=$? lines=$(bd_lines)"
	cp "$bd_con" "$OUT/dur-$1.console"
}
if [ -d /l2 ] && [ "$(id -u)" = 0 ]; then
	# tmpfs
	mkdir -p /mnt/durtmp
	mount -t tmpfs -o size=16m durtmp /mnt/durtmp
	blk_durable_run tmpfs /mnt/durtmp 11
	cp /mnt/durtmp/dur-tmpfs.img "$OUT/"
	umount /mnt/durtmp
	# ext4 on a loop device over a file in L1's RAM
	bd_ok=1
	while read -r ko; do
		_m=$(basename "$ko" .ko | tr - _)
		[ -d "/sys/module/$_m" ] || insmod "/lib/modules/$ko" || bd_ok=0
	done </etc/modules-ext4.order
	# By path: busybox sh prefers its own applets (whose mke2fs makes ext2).
	if [ $bd_ok = 0 ] || ! /bin/mke2fs -V 2>&1 | grep -q "^mke2fs 1"; then
		echo "L1: SKIP blk-durable ext4: no ext4/loop modules or no e2fsprogs mke2fs in L1 (scripts/nested/mkl1base.sh copies the host's)"
	else
		truncate -s 64M "$WORK/ext4.img"
		mkdir -p /mnt/durext4
		if ! /bin/mke2fs -q -F -t ext4 "$WORK/ext4.img" ||
			! mount -t ext4 -o loop "$WORK/ext4.img" /mnt/durext4; then
			echo "L1: FAIL blk-durable ext4: mke2fs or mount failed"
		else
			blk_durable_run ext4 /mnt/durext4 12
			umount /mnt/durext4 && mount -t ext4 -o loop "$WORK/ext4.img" /mnt/durext4 ||
				echo "L1: FAIL blk-durable ext4: remount failed"
			cp /mnt/durext4/dur-ext4.img "$OUT/"
			umount /mnt/durext4
		fi
	fi
else
	blk_durable_run tmpfs /dev/shm 11
	cp /dev/shm/dur-tmpfs.img "$OUT/" && rm -f /dev/shm/dur-tmpfs.img
	blk_durable_run ext4 "$WORK" 12
	cp "$WORK/dur-ext4.img" "$OUT/"
fi
echo "L1: END blk-durable rc=0 ms=$(($(uptime_ms) - bd_t0))"
L1
}
check() {
	local fs out
	expect_rc 0
	for fs in tmpfs ext4; do
		if [ $fs = ext4 ] && grep -q "L1: SKIP blk-durable ext4" <<<"$SECTION"; then
			continue
		fi
		expect "L1: blk-durable $fs killed rc=137"
		expect_file "dur-$fs.img"
		expect_file "dur-$fs.console"
		grep -q "PROBE: done" "$RESULTS/dur-$fs.console" 2>/dev/null &&
			fail "$fs: the probe ended before the kill (not killed mid-stream)"
		[ -s "$RESULTS/dur-$fs.console" ] || continue
		out=$(python3 tests/nested/blk-durable-check.py --min-lines 40 \
			"$RESULTS/dur-$fs.console" "$RESULTS/dur-$fs.img" 2>&1) ||
			fail "$fs: $(tr '\n' ' ' <<<"$out")"
		echo "  blk-durable $fs: $out" >>"$LOGDIR/blk-durable.log"
	done
	grep -q "^L1: FAIL" <<<"$SECTION" && fail "$(grep -m1 "^L1: FAIL" <<<"$SECTION")"
}
