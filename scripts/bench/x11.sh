#!/bin/sh
# X11 presents: 1080p frames per second through MIT-SHM and through the
# PutImage fallback, full-frame damage presented straight through the
# display ops (build/bench/x11_fps) on a private Xvfb. Median of
# BENCH_RUNS (default 5) runs of BENCH_X11_SECS (default 2) seconds each.
set -eu
cd "$(dirname "$0")/../.."
BIN=build/bench/x11_fps
RUNS=${BENCH_RUNS:-5}
SECS=${BENCH_X11_SECS:-2}

if ! command -v Xvfb >/dev/null 2>&1; then
	echo "SKIP x11 presents: Xvfb missing (apt-get install xvfb)"
	exit 0
fi
# A display number nobody uses.
n=400
while [ -e /tmp/.X11-unix/X$n ] || [ -e /tmp/.X$n-lock ]; do n=$((n + 1)); done
Xvfb :$n -nolisten tcp -screen 0 1920x1080x24 -noreset 2>/dev/null &
xpid=$!
trap 'kill $xpid 2>/dev/null; wait $xpid 2>/dev/null' EXIT INT TERM
i=0
while [ ! -e /tmp/.X11-unix/X$n ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
export DISPLAY=:$n

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for path in shm putimage; do
	vals=""
	r=0
	while [ $r -lt "$RUNS" ]; do
		if [ $path = putimage ]; then
			v=$(LKVM_X11_NO_SHM=1 $BIN 1920 1080 "$SECS" 2>/dev/null | awk '{ print $3 }')
		else
			v=$($BIN 1920 1080 "$SECS" 2>/dev/null | awk '{ print $3 }')
		fi
		vals="$vals $v"
		r=$((r + 1))
	done
	m=$(echo "$vals" | tr ' ' '\n' | grep . | median)
	echo "x11 1080p presents, $path: $m fps (median of $RUNS:$vals)"
done
echo "x11 vs QEMU: scripts/bench-desktop-nested.sh (make bench-desktop-nested, part of make bench) runs both VMMs on one Xvfb inside the nested runner"
