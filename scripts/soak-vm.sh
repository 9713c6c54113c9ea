# soak-vm.sh: the VM side of `make soak` (scripts/soak.sh), sourced by a
# busybox sh in the nested runner's L1 (after scripts/nested/nested.sh) or
# by bash directly on a KVM host. Needs LKVM, PROBE, WORK, SOAK_SECS and
# SOAK_INTERVAL. Runs the probe's soak test with every device lkvm-gpu has
# (virtio-blk, -gpu, -console, -input) and prints, every SOAK_INTERVAL
# seconds while the VMM lives,
#   SOAK: sample t=MS rss_kb=N fds=N intervals=N stderr_lines=N
# (intervals: the probe's progress lines so far) and the new progress lines
# as "SOAK: progress soak=...", then its exit status, the
# probe's soak/PASS/FAIL lines, and the VMM's stderr: line count and the
# first 20 lines.
soak_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}
soak_img=$WORK/soak.img
rm -f "$soak_img"
truncate -s 64M "$soak_img"
echo "SOAK: begin secs=$SOAK_SECS interval=$SOAK_INTERVAL"
# Made before the VMM starts: its redirects open only when the background job
# runs, and the first sample's grep and wc must find the files.
: >"$WORK/soak.out"
: >"$WORK/soak.err"
$LKVM run -k "$PROBE" -m 128 -c 1 -d "$soak_img" --gpu headless --input --console virtio \
	--test-exit -p "probe.tests=soak probe.soak_secs=$SOAK_SECS probe.soak_interval=$SOAK_INTERVAL" \
	</dev/null >"$WORK/soak.out" 2>"$WORK/soak.err" &
soak_pid=$!
soak_t0=$(soak_ms)
while kill -0 $soak_pid 2>/dev/null; do
	soak_rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$soak_pid/status 2>/dev/null)
	soak_fds=$(ls /proc/$soak_pid/fd 2>/dev/null | wc -l)
	soak_n=$(grep -c 'PROBE: info soak=' "$WORK/soak.out")
	soak_e=$(wc -l <"$WORK/soak.err")
	[ -n "$soak_rss" ] &&
		echo "SOAK: sample t=$(($(soak_ms) - soak_t0)) rss_kb=$soak_rss fds=$soak_fds intervals=$soak_n stderr_lines=$soak_e"
	# The probe's progress lines since the last sample (judged at the end).
	grep 'PROBE: info soak=' "$WORK/soak.out" | head -n "$soak_n" | tr -d '\r' | tail -n +$((${soak_shown:-0} + 1)) |
		sed 's/^PROBE: info /SOAK: progress /'
	soak_shown=$soak_n
	# Sleep one interval, waking early when the VMM exits.
	soak_i=0
	while [ $soak_i -lt "$SOAK_INTERVAL" ] && kill -0 $soak_pid 2>/dev/null; do
		sleep 1
		soak_i=$((soak_i + 1))
	done
done
wait $soak_pid
echo "SOAK: exit rc=$? after $(($(soak_ms) - soak_t0)) ms"
grep -E '^PROBE: (info soak|PASS|FAIL|SKIP|done)' "$WORK/soak.out" | tr -d '\r'
echo "SOAK: console_lines=$(grep -c 'soak console line' "$WORK/soak.out")"
echo "SOAK: stderr_lines=$(wc -l <"$WORK/soak.err")"
head -n 20 "$WORK/soak.err" | sed 's/^/SOAK: stderr: /'
