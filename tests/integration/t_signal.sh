# SIGTERM / SIGINT while the guest runs (halted in the probe): lkvm-gpu shuts
# down cleanly and exits 128 + the signal number.
. "$(dirname "$0")/lib.sh"

need_kvm signal_sigterm signal_sigint || exit 0

for sig in TERM INT; do
	name=signal_sig$(echo "$sig" | tr 'A-Z' 'a-z')
	log="$LOG_DIR/$name.log"
	want=$((128 + $(kill -l "$sig")))
	# A background job of a script starts with SIGINT ignored; lkvm-gpu
	# installs its own handlers, so it must still react to it.
	timeout -k 5 "$RUN_TIMEOUT" "$LKVM" run -p "probe.tests= probe.end=halt" </dev/null >"$log" 2>&1 &
	pid=$!
	why=""
	if wait_for_line "$log" '^PROBE: done ' 15; then
		sleep 0.2
		# Signal lkvm-gpu itself (timeout's child), not timeout(1).
		child=$(pgrep -P "$pid" | head -n1)
		kill -s "$sig" "${child:-$pid}"
	else
		why="the probe never finished; "
	fi
	start=$(date +%s%N)
	wait "$pid"
	status=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq "$want" ] || why="${why}exit status $status, expected $want; "
	[ "$ms" -lt 5000 ] || why="${why}took $ms ms to exit; "
	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "${why%; }" "$log"
	fi
done
