# Serial input: the host writes a line on lkvm-gpu's stdin (a pipe, not a
# TTY) once the probe waits for it; the probe reads it through the UART and
# echoes it back.
. "$(dirname "$0")/lib.sh"

need_kvm serial_echo || exit 0

name=serial_echo
log="$LOG_DIR/$name.log"
fifo="$LOG_DIR/$name.fifo"
rm -f "$fifo"
mkfifo "$fifo"
line="hello probe: 0123456789 ~!@#\$%^&*()_+ end"

timeout -k 5 "$RUN_TIMEOUT" "$LKVM" run -p "probe.tests=echo" --test-exit <"$fifo" >"$log" 2>&1 &
pid=$!
exec 3>"$fifo" # opening the write end lets lkvm-gpu's open of stdin finish
why=""
if wait_for_line "$log" '^PROBE: info echo_waiting=' 15; then
	printf '%s\n' "$line" >&3
else
	why="the probe never waited for input; "
fi
wait "$pid"
status=$?
exec 3>&-
rm -f "$fifo"

v=$(probe_verdict "$log" echo)
[ "$v" = PASS ] || why="${why}probe: $v; "
got=$(probe_info "$log" echo)
[ "$got" = "$line" ] || why="${why}echoed '$got', sent '$line'; "
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then
	pass "$name"
else
	fail "$name" "${why%; }" "$log"
fi
