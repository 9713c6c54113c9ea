# --user: lkvm-gpu started by root with an fd it did not ask for (7, open
# on a file) runs the guest as nobody. Its disk is root's alone (0600:
# opened before the drop), its --result goes to a folder nobody may write,
# and its GPU worker starts after the drop. While the guest waits for a
# line on the console, every thread of the VMM has nobody's uid and gid in
# all four slots, fd 7 is not among its fds, and the control socket still
# answers root (`list`, `wait`); then the guest gets its line and runs to
# its normal end (reboot: 0), and the result file is nobody's.
GROUP=smp1
NEEDS=--user
l1() {
	cat <<'L1'
echo "L1: BEGIN user-drop"
ud_t0=$(uptime_ms)
# L1's busybox image has no user database; a real host has nobody already.
grep -q '^nobody:' /etc/passwd 2>/dev/null ||
	echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >>/etc/passwd
grep -q ':65534:' /etc/group 2>/dev/null || echo 'nogroup:x:65534:' >>/etc/group
echo "L1: nobody is $(id -u nobody):$(id -g nobody)"
truncate -s 8M "$WORK/ud.img" && chmod 600 "$WORK/ud.img"
mkdir -p "$WORK/ud" && chmod 777 "$WORK/ud"
rm -f "$WORK/ud.in" && mkfifo "$WORK/ud.in"
echo "a parent's file" >"$WORK/ud.leaked"
exec 7<"$WORK/ud.leaked"
$LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 256 -c 1 --name userdrop --user nobody --timeout 150 --gpu headless \
	-d "$WORK/ud.img" --result "$WORK/ud/result.json" \
	-p "$L2_APPEND l2test=echo l2mods=none" <"$WORK/ud.in" >"$WORK/ud.console" 2>&1 &
ud_pid=$!
exec 7<&-
exec 8<>"$WORK/ud.in" # read-write: never blocks, whatever the VMM did
i=0
while ! $LKVM list | grep -qx userdrop && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
$LKVM wait userdrop --expect "^L2: init reached" --timeout 120; echo "L1: wait rc=$?"
grep -E '^(Uid|Gid):' "/proc/$ud_pid/status" | tr '\t' ' ' | sed 's/^/L1: vmm /'
for t in /proc/$ud_pid/task/*; do
	echo "L1: task $(cat "$t/comm") $(grep '^Uid:' "$t/status" | tr '\t' ' ') $(grep '^Gid:' "$t/status" | tr '\t' ' ')"
done
for f in /proc/$ud_pid/fd/*; do echo "L1: fd ${f##*/} -> $(readlink "$f")"; done
echo "L1: fds listed"
# Until the guest's read takes it (a line sent before it reads is lost).
i=0
while ! grep -q "L2: PASS echo" "$WORK/ud.console" && [ $i -lt 20 ]; do
	(echo nested-echo-4711 >&8) 2>/dev/null
	sleep 2
	i=$((i + 1))
done
exec 8>&-
wait $ud_pid
ud_rc=$?
cat "$WORK/ud.console"
echo "L1: result owner $(stat -c %U "$WORK/ud/result.json" 2>&1)"
cp "$WORK/ud/result.json" "$OUT/user-drop-result.json" 2>/dev/null
echo "L1: END user-drop rc=$ud_rc ms=$(($(uptime_ms) - ud_t0))"
L1
}
check() {
	local want
	want=$(sed -n 's/^L1: nobody is \([0-9]*:[0-9]*\).*/\1/p' <<<"$SECTION" | tr -d '\r')
	[ -n "$want" ] || fail "L1 has no user nobody"
	expect "L1: wait rc=0"
	expect "L1: vmm Uid: ${want%:*} ${want%:*} ${want%:*} ${want%:*}"
	expect "L1: vmm Gid: ${want#*:} ${want#*:} ${want#*:} ${want#*:}"
	expect "L1: fds listed"
	grep -q "^L1: task .*Uid: ${want%:*} ${want%:*} ${want%:*} ${want%:*} Gid: ${want#*:} ${want#*:} ${want#*:} ${want#*:}" <<<"$SECTION" ||
		fail "no thread listed with nobody's ids"
	if grep "^L1: task " <<<"$SECTION" | grep -v "Uid: ${want%:*} ${want%:*} ${want%:*} ${want%:*} Gid: ${want#*:} ${want#*:} ${want#*:} ${want#*:}" >"$CASE_TMP/root-threads"; then
		fail "a thread kept other ids: $(head -n1 "$CASE_TMP/root-threads")"
	fi
	if grep "^L1: fd .*ud\.leaked" <<<"$SECTION" >"$CASE_TMP/leaked"; then
		fail "the inherited fd reached the VMM: $(head -n1 "$CASE_TMP/leaked")"
	fi
	expect "L2: PASS echo got=nested-echo-4711"
	expect "L1: result owner nobody"
	expect_rc 0
	expect_file user-drop-result.json
}
