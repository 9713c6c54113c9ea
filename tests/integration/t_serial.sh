# Console input: the host writes a line on lkvm-gpu's stdin (a pipe, not a
# TTY) once the probe waits for it; the probe reads it through the UART
# (serial_echo) or through virtio-console's receive queue (virtio_console,
# which also sends a line out through the transmit queue) and echoes it.
. "$(dirname "$0")/lib.sh"

need_kvm serial_echo virtio_console || exit 0

line="hello probe: 0123456789 ~!@#\$%^&*()_+ end"

name=serial_echo
log="$LOG_DIR/$name.log"
lkvm_typed "$log" '^PROBE: info echo_waiting=' "$line" -p "probe.tests=echo" --test-exit
status=$?
why=""
[ "$status" -ne 125 ] || why="the probe never waited for input; "
v=$(probe_verdict "$log" echo)
[ "$v" = PASS ] || why="${why}probe: $v; "
got=$(probe_info "$log" echo)
[ "$got" = "$line" ] || why="${why}echoed '$got', sent '$line'; "
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi

name=virtio_console
log="$LOG_DIR/$name.log"
lkvm_typed "$log" '^PROBE: info vcon_waiting=' "$line" --console virtio \
	-p "probe.tests=virtio_console" --test-exit
status=$?
why=""
[ "$status" -ne 125 ] || why="the probe never waited for input; "
v=$(probe_verdict "$log" virtio_console)
[ "$v" = PASS ] || why="${why}probe: $v; "
[ "$(probe_info "$log" vcon)" = "hello through virtio-console" ] || why="${why}no line out through the port; "
got=$(probe_info "$log" vcon_echo)
[ "$got" = "$line" ] || why="${why}port received '$got', sent '$line'; "
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then pass "$name"; else fail "$name" "${why%; }" "$log"; fi
