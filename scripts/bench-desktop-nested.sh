#!/bin/sh
# bench-desktop-nested.sh [--runs N] [--presses N] [--secs S]
# (BENCH_WAYLAND=0: the X11 part only; BENCH_X11=0: the Wayland part only)
# The desktop runner against QEMU 7.2 on one X server, inside the nested
# runner's L1 (this project's hosts have no usable /dev/kvm; L1 has KVM
# under QEMU TCG). Both VMMs run the same probe guest under KVM in the same
# L1 boot, on the same Xvfb (1920x1080, the host's /usr over 9p), measured
# by the same tool from the X server's side (build/bench/x11_vm):
#   - X11 presents: the probe's 1080p transfer+flush loop
#     (probe.bench_display=1); the area the server saw drawn into the
#     VMM's window per second, in 1080p frames: lkvm-gpu --gpu x11 (MIT-SHM
#     and LKVM_X11_NO_SHM=1) against QEMU -display sdl;
#   - key latency: XTEST press -> the probe printing the evdev event, p50
#     and p99 of N presses, lkvm-gpu --gpu x11 against QEMU -display sdl
#     with virtio-keyboard-pci;
#   - Wayland, on weston's x11 backend on the same Xvfb: presents counted
#     on weston's own window (what weston drew), lkvm-gpu --gpu wayland
#     against QEMU -display gtk (GDK_BACKEND=wayland); key latency the
#     same way, XTEST into weston's window, weston to the VMM's surface;
#   - the sandbox's cost: the same presents and latency runs, and the
#     probe's virtio round trips (blk notify->interrupt, GPU 1x1
#     transfer+flush) headless, with and without --no-sandbox.
# Everything under TCG is slower than on hardware; the point is the ratio
# of two VMMs under the same conditions. QEMU's SDL window is titled
# "QEMU (NAME-0)": the tool matches a part of the title. Medians of N runs (default 3).
set -eu
cd "$(dirname "$0")/.."

runs=3
presses=100
secs=5
report=""
while [ $# -gt 0 ]; do
	case $1 in
	--report) report=$2 && shift ;;
	--runs) runs=$2 && shift ;;
	--presses) presses=$2 && shift ;;
	--secs) secs=$2 && shift ;;
	*)
		echo "usage: bench-desktop-nested.sh [--runs N] [--presses N] [--secs S] [--report CONSOLE_LOG]" >&2
		exit 2
		;;
	esac
	shift
done

dir=build/nested/bench-desktop
mkdir -p "$dir"
script=$dir/l1.sh
cat >"$script" <<L1
WAYLAND=${BENCH_WAYLAND:-1}
X11=${BENCH_X11:-1}
RUNS=$runs
PRESSES=$presses
SECS=$secs
L1
cat >>"$script" <<'L1'
gl_setup
export PATH=$PATH:/usr/bin
# GTK (QEMU -display gtk) wants fontconfig's configuration, which lives in
# /etc, not in the /usr that gl_setup mounted: the host's, over 9p too.
mkdir -p /etc/fonts
mount -t 9p -o trans=virtio,version=9p2000.L,ro hostfonts /etc/fonts 2>/dev/null ||
	echo "L1: WARN no /etc/fonts from the host: QEMU's GTK window may not start"
mkdir -p /tmp/.X11-unix
if ! command -v Xvfb >/dev/null || ! command -v qemu-system-x86_64 >/dev/null; then
	echo "L1: SKIP desktop bench: no Xvfb or QEMU in the host's /usr"
else
	Xvfb :6 -screen 0 1920x1080x24 -nolisten tcp >/tmp/xvfb.log 2>&1 &
	i=0
	while [ ! -S /tmp/.X11-unix/X6 ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
	export DISPLAY=:6
	X=/in/x11_vm
	FR="probe.tests=bench_gpu_frames probe.bench_display=1 probe.bench_frames=1000000"
	IN="probe.tests=input_events probe.input_ms=600000"
	# q35, not microvm: with a window (-display sdl or gtk) microvm's
	# firmware stops before the kernel (seen under TCG: qboot spinning on
	# its own jmp). q35's ECAM is at 0xb0000000. -cpu host: L2 sees the CPU
	# lkvm-gpu gives it.
	Q0="qemu-system-x86_64 -enable-kvm -cpu host -M q35 -m 256 -nodefaults -no-reboot -serial stdio -kernel /l2/probe.elf"
	Q="$Q0 -display sdl"
	QA="probe.ecam=0xb0000000"
	# presents TAG NAME TITLE W H CMD...: one run of CMD in the background,
	# measured on the window titled TITLE (W x H frames) once its guest is
	# in its loop (it says its size first); a VMM whose guest never got
	# there gets no figure.
	presents() {
		tag=$1 n=$2 t=$3 pw=$4 ph=$5
		shift 5
		echo "L1: step $tag $n up=$(cut -d' ' -f1 /proc/uptime)"
		# The last run's log goes first: the child truncates it only
		# once it runs, and a grep before that would see the old loop.
		rm -f /tmp/p.log
		"$@" </dev/null >/tmp/p.log 2>&1 &
		p=$!
		i=0
		while ! grep -q bench_gpu_size /tmp/p.log && kill -0 $p 2>/dev/null && [ $i -lt 300 ]; do
			sleep 1
			i=$((i + 1))
		done
		echo "L1: step $n looping after ${i}s"
		if grep -q bench_gpu_size /tmp/p.log; then
			sleep 2
			echo "L1: RESULT $tag $n $($X presents "$SECS" "$t" "$pw" "$ph" 2>&1)"
		else
			echo "L1: $n never looped:"
			head -n 20 /tmp/p.log
		fi
		kill -0 $p 2>/dev/null || { echo "L1: $n ended early:"; head -n 20 /tmp/p.log; }
		kill $p 2>/dev/null
		wait $p 2>/dev/null || true
	}
	# latency NAME TITLE CMD...: the VMM's output (on x11_vm's stderr)
	# is kept; shown when no figure came.
	latency() {
		n=$1 t=$2
		shift 2
		echo "L1: step latency $n up=$(cut -d' ' -f1 /proc/uptime)"
		# stdin /dev/null: QEMU's -serial stdio sets up a terminal on
		# stdin, and from the background that stops it (SIGTTOU).
		v=$($X latency "$PRESSES" "$t" -- "$@" </dev/null 2>/tmp/l.log | tail -n1)
		echo "L1: RESULT latency $n $v"
		[ -n "$v" ] || { echo "L1: latency $n failed:"; tail -n 20 /tmp/l.log; }
	}
	r=1
	[ "$X11" = 0 ] && echo "L1: SKIP x11: BENCH_X11=0" && r=$((RUNS + 1))
	while [ $r -le $RUNS ]; do
		presents presents lkvm-shm xp1 1920 1080 $LKVM run -k /l2/probe.elf -m 256 -c 1 --gpu x11 --resolution 1920x1080 --name xp1 -p "$FR"
		presents presents lkvm-putimage xp2 1920 1080 env LKVM_X11_NO_SHM=1 $LKVM run -k /l2/probe.elf -m 256 -c 1 --gpu x11 --resolution 1920x1080 --name xp2 -p "$FR"
		presents presents lkvm-nosandbox xp3 1920 1080 $LKVM run -k /l2/probe.elf -m 256 -c 1 --gpu x11 --resolution 1920x1080 --name xp3 --no-sandbox -p "$FR"
		presents presents qemu-sdl "(xpq" 1920 1080 $Q -name xpq -device virtio-gpu-pci,xres=1920,yres=1080 -append "$QA $FR"
		latency lkvm xl1 $LKVM run -k /l2/probe.elf -m 128 -c 1 --gpu x11 --resolution 640x480 --name xl1 -p "$IN"
		latency lkvm-nosandbox xl2 $LKVM run -k /l2/probe.elf -m 128 -c 1 --gpu x11 --resolution 640x480 --name xl2 --no-sandbox -p "$IN"
		latency qemu-sdl "(xlq" $Q -name xlq -device virtio-gpu-pci,xres=640,yres=480 -device virtio-keyboard-pci,disable-legacy=on -append "$QA $IN"
		dd if=/dev/zero of=/tmp/rtt.img bs=1M count=4 2>/dev/null
		for sb in sandbox nosandbox; do
			o=""
			[ $sb = nosandbox ] && o=--no-sandbox
			$LKVM run -k /l2/probe.elf -m 256 -c 1 --gpu headless --test-exit $o -d /tmp/rtt.img \
				-p "probe.tests=bench_rtt,bench_gpu_rtt probe.bench_n=3000" </dev/null 2>&1 |
				sed -n -e "s/^PROBE: info \(bench_[a-z_]*rtt\)=.*per_s_x100=\([0-9]*\).*/L1: RESULT rtt $sb \1 \2/p" \
					-e "s/^PROBE: info \(bench_[a-z_]*rtt\)=.*per_s=\([0-9]*\).*/L1: RESULT rtt $sb \1 \200/p" \
					-e "s/^PROBE: \(FAIL\|SKIP\)/L1: rtt $sb: &/p"
		done
		r=$((r + 1))
	done
	# Wayland: weston's x11 backend on the same Xvfb; both VMMs' windows
	# in weston, measured on weston's own X window (what weston presented).
	if [ "$WAYLAND" = 0 ]; then
		echo "L1: SKIP wayland: BENCH_WAYLAND=0"
	elif command -v weston >/dev/null; then
		mkdir -p /tmp/wrt && chmod 700 /tmp/wrt
		XDG_RUNTIME_DIR=/tmp/wrt weston --backend=x11-backend.so --use-pixman --socket=wlb \
			--idle-time=0 --width=1920 --height=1080 --log=/tmp/weston.log 2>/dev/null &
		wpid=$!
		i=0
		while [ ! -S /tmp/wrt/wlb ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
		export XDG_RUNTIME_DIR=/tmp/wrt WAYLAND_DISPLAY=wlb
		WF="probe.tests=bench_gpu_frames probe.bench_display=1 probe.bench_frames=1000000"
		r=1
		while [ $r -le $RUNS ]; do
			presents wpresents lkvm "Weston Compositor" 1280 720 $LKVM run -k /l2/probe.elf -m 256 -c 1 --gpu wayland --resolution 1280x720 --name wp1 -p "$WF"
			presents wpresents qemu-gtk "Weston Compositor" 1280 720 env GDK_BACKEND=wayland $Q0 -display gtk -name wpq -device virtio-gpu-pci,xres=1280,yres=720 -append "$QA $WF"
			latency wayland-lkvm "Weston Compositor" $LKVM run -k /l2/probe.elf -m 128 -c 1 --gpu wayland --resolution 640x480 --name wl1 -p "$IN"
			latency wayland-qemu-gtk "Weston Compositor" env GDK_BACKEND=wayland $Q0 -display gtk -name wlq -device virtio-gpu-pci,xres=640,yres=480 -device virtio-keyboard-pci,disable-legacy=on -append "$QA $IN"
			r=$((r + 1))
		done
		# Guest blobs against 2D (issue 10's zero-copy scanout), 720p,
		# headless and in weston, in this same L1 boot.
		for disp in headless wayland; do
			echo "L1: step blob frames $disp up=$(cut -d' ' -f1 /proc/uptime)"
			$LKVM run -k /l2/probe.elf -m 512 -c 1 --gpu $disp --resolution 1280x720 --test-exit \
				-p "probe.tests=bench_gpu_blob_frames probe.bench_frames=60" </dev/null 2>&1 |
				sed -n -e "s/^PROBE: info \(bench_gpu_[a-z0-9_]*frames\)=.*per_s_x100=\([0-9]*\).*/L1: RESULT blob $disp \1 \2/p" \
					-e "s/^PROBE: \(FAIL\|SKIP\)/L1: blob $disp: &/p"
		done
		kill $wpid 2>/dev/null || true
	else
		echo "L1: SKIP wayland: no weston in the host's /usr"
	fi
	kill %1 2>/dev/null || true
fi
L1

log=$dir/console.log
if [ -n "$report" ]; then
	# Only the figures of an earlier run's console log.
	log=$report
	runs=$(grep -c "^L1: RESULT presents lkvm-shm" "$log" || true)
	total="?"
else
	make -s build/bench/x11_vm
	t0=$(date +%s)
	scripts/nested-run --quiet --smp "${BENCH_SMP:-1}" --timeout $((900 + runs * 900)) \
		--share hostusr=/usr --share hostfonts=/etc/fonts --share l2gl=build/nested/gl --file build/bench/x11_vm \
		--log "$log" --out "$dir/out" "$script" || true
	total=$(($(date +%s) - t0))
fi

if grep -q "L1: SKIP desktop bench" "$log"; then
	echo "SKIP desktop bench: no Xvfb or QEMU in the host's /usr"
	exit 0
fi
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else print "none" }'; }
res() { sed -n "s/^L1: RESULT $1 //p" "$log" | tr -d '\r'; }
fps() { sed -n 's/.* \([0-9.]*\) fps .*/\1/p'; }
echo "desktop runner inside L1 (QEMU TCG; both VMMs on KVM in L1, one Xvfb 1920x1080), median of $runs runs, $total s in all:"
for v in lkvm-shm lkvm-putimage lkvm-nosandbox qemu-sdl; do
	m=$(res "presents $v" | fps | median)
	echo "  X11 1080p presents  $v: $m fps ($(res "presents $v" | fps | tr '\n' ' '))"
	eval "pres_$(echo $v | tr - _)=$m"
done
for v in lkvm lkvm-nosandbox qemu-sdl wayland-lkvm wayland-qemu-gtk; do
	p50=$(res "latency $v" | sed -n 's/.*p50=\([0-9]*\).*/\1/p' | median)
	p99=$(res "latency $v" | sed -n 's/.*p99=\([0-9]*\).*/\1/p' | median)
	echo "  key latency         $v: p50 $p50 us, p99 $p99 us"
	eval "p50_$(echo $v | tr - _)=$p50"
done
for v in lkvm qemu-gtk; do
	m=$(res "wpresents $v" | fps | median)
	echo "  Wayland 720p presents (weston's output) $v: $m fps"
	eval "wp_$(echo $v | tr - _)=$m"
done
for disp in headless wayland; do
	echo "  guest blob frames 720p, $disp (fps): $(res "blob $disp" | awk '{ printf "%s %.1f  ", $1, $2 / 100 }')"
done
for k in bench_rtt bench_gpu_rtt; do
	a=$(res "rtt sandbox $k" | awk '{ print $1 / 100 }' | median)
	b=$(res "rtt nosandbox $k" | awk '{ print $1 / 100 }' | median)
	echo "  $k /s: sandbox $a, --no-sandbox $b"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "n/a" }'; }
echo "  ratios: presents shm/qemu $(ratio "$pres_lkvm_shm" "$pres_qemu_sdl"), putimage/qemu $(ratio "$pres_lkvm_putimage" "$pres_qemu_sdl"), sandbox/no-sandbox $(ratio "$pres_lkvm_shm" "$pres_lkvm_nosandbox"); latency p50 qemu/lkvm $(ratio "$p50_qemu_sdl" "$p50_lkvm"); wayland presents lkvm/qemu $(ratio "$wp_lkvm" "$wp_qemu_gtk"), wayland latency p50 qemu/lkvm $(ratio "$p50_wayland_qemu_gtk" "$p50_wayland_lkvm")"
