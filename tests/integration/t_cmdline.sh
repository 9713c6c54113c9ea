# Long command lines: 8 KiB of words reach the guest byte for byte; one past
# lkvm-gpu's 64 KiB limit is refused with exit 2 and one line.
. "$(dirname "$0")/lib.sh"

need_kvm cmdline_8k cmdline_too_long || exit 0

name=cmdline_8k
log="$LOG_DIR/$name.log"
cmdline="probe.tests=cmdline"
i=0
while [ ${#cmdline} -lt 8192 ]; do
	cmdline="$cmdline w$i=v$i"
	i=$((i + 1))
done
lkvm "$log" -p "$cmdline" --test-exit
status=$?
why=""
v=$(probe_verdict "$log" cmdline)
[ "$v" = PASS ] || why="${why}probe: $v; "
got=$(probe_info "$log" cmdline)
[ "$got" = "$cmdline" ] || why="${why}the guest saw ${#got} bytes, not the ${#cmdline} sent; "
[ "$status" -eq 0 ] || why="${why}exit status $status; "
if [ -z "$why" ]; then
	pass "$name"
else
	fail "$name" "${why%; }" "$log"
fi

name=cmdline_too_long
log="$LOG_DIR/$name.log"
long=$(head -c 65536 /dev/zero | tr '\0' x)
lkvm "$log" -p "$long"
status=$?
lines=$(wc -l <"$log")
if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -i 'cmdline\|command line' "$log"; then
	pass "$name"
else
	fail "$name" "exit status $status with $lines output lines (want 2 and one line)" "$log"
fi
