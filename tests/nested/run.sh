#!/bin/bash
# The nested suite: real Debian Linux (L2) under lkvm-gpu, inside an L1
# Linux under QEMU TCG with SVM (scripts/nested-run), so it runs on hosts
# whose /dev/kvm cannot boot Linux (PVM). On a host with hardware KVM the same
# cases run directly, without QEMU (--direct, or automatic).
#
#   tests/nested/run.sh [--nested|--direct] [CASE...]
#
# Each case is tests/nested/cases/NAME.sh: GROUP (smp1: L1 with 1 vCPU, smp2:
# with 2, gl: with 2 and the host's /usr and the L2 GL image exported over
# virtio-9p for lkvm-gpu's virgl backend, see gl_setup), optional NEEDS (an option `lkvm-gpu run --help` must list, else
# the case fails: a renamed or dropped option must not turn cases into
# silent skips), l1() printing its commands for L1 (they use l2run
# from scripts/nested/nested.sh) and check() judging the result with the
# helpers below. All cases of a group share one L1 boot.
# NESTED_SKIP="name ..." skips cases by name (reported as skipped).
# NESTED_JOBS (default 2, the machine's cores) splits the smp1 cases over
# that many L1 guests running side by side; the smp2 group runs alone after,
# then the gl group.
# Ends with "N passed, M failed, K skipped"; exit 1 if any failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
NESTED_DIR=tests/nested
LOGDIR=build/nested/suite
mode=auto
case ${1:-} in
--nested) mode=nested && shift ;;
--direct) mode=direct && shift ;;
esac
if [ $mode = auto ]; then
	if [ -c /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] && [ -w /dev/kvm ]; then
		mode=direct
	else
		mode=nested
	fi
fi

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	for f in "$NESTED_DIR"/cases/*.sh; do
		cases+=("$(basename "$f" .sh)")
	done
fi

passed=0
failed=0
skipped=0
failed_cases=()
declare -A group_of
jobs=${NESTED_JOBS:-2}
n_smp1=0

# The GL root filesystem L2 gets on virtio-blk (make gl-guest).
L2_GLIMG_HOST=build/nested/gl/l2-gl.img
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
t_start=$(date +%s)

help_text=$(build/lkvm-gpu run --help 2>&1)
# Whether `lkvm-gpu run --help` lists option $1 as an option of its own
# ("--disk" does not match "--disk-cache" or "--disk-image").
lists_option() {
	grep -qE -- "(^|[[:space:],])$1([[:space:]=,]|\$)" <<<"$help_text"
}
for c in "${cases[@]}"; do
	f=$NESTED_DIR/cases/$c.sh
	if [ ! -f "$f" ]; then
		echo "FAIL $c: no such case ($f)"
		failed=$((failed + 1))
		continue
	fi
	GROUP=smp1 NEEDS=""
	# shellcheck disable=SC1090
	. "$f"
	if [[ " ${NESTED_SKIP:-} " == *" $c "* ]]; then
		echo "SKIP $c: listed in NESTED_SKIP"
		skipped=$((skipped + 1))
		continue
	fi
	if [ -n "$NEEDS" ] && ! lists_option "$NEEDS"; then
		echo "FAIL $c: needs $NEEDS, which \`lkvm-gpu run --help\` does not list (renamed or removed?)"
		failed=$((failed + 1))
		continue
	fi
	g=$GROUP
	if [ "$GROUP" = smp1 ]; then
		g=smp1-$((n_smp1 % jobs))
		n_smp1=$((n_smp1 + 1))
	fi
	group_of[$c]=$g
	{
		echo "# case $c"
		l1
	} >>"$LOGDIR/$g.l1.sh"
done

# One L1 boot (or one direct shell) per group.
run_group() {
	local g=$1 smp=1 tmo shares=()
	[ "${g%%-*}" = smp2 ] && smp=2
	if [ "$g" = gl ]; then
		smp=2
		shares=(--share hostusr=/usr --share "l2gl=$(dirname "$L2_GLIMG_HOST")")
	fi
	local n
	n=$(grep -c '^# case ' "$LOGDIR/$g.l1.sh")
	tmo=$((120 + n * 130))
	if [ $mode = nested ]; then
		echo "nested: L1 group $g ($n cases, -smp $smp), log $LOGDIR/$g.log"
		scripts/nested-run --quiet --smp "$smp" --timeout "$tmo" "${shares[@]}" \
			--out "$LOGDIR/$g.out" --log "$LOGDIR/$g.log" "$LOGDIR/$g.l1.sh"
	else
		echo "direct: group $g ($n cases) on this host's KVM, log $LOGDIR/$g.log"
		mkdir -p "$LOGDIR/$g.out" "$LOGDIR/$g.work"
		(
			export L2_BZIMAGE=build/guest/bzImage L2_VMLINUX=build/guest/vmlinux
			export L2_INITRD=build/guest/initramfs.cpio L2_INITRD_GZ=build/guest/initramfs.cpio.gz
			export OUT=$LOGDIR/$g.out WORK=$LOGDIR/$g.work LKVM=build/lkvm-gpu
			export L2_GLIMG=$L2_GLIMG_HOST
			export PATH=$PWD/build/guest/bin:$PATH
			# shellcheck disable=SC1091
			. scripts/nested/nested.sh
			# shellcheck disable=SC1090
			. "$LOGDIR/$g.l1.sh"
		) >"$LOGDIR/$g.log" 2>&1
	fi
}

# The smp1 guests side by side (one TCG thread each), then smp2 alone: its
# two vCPU threads slow down badly when they have to share the cores.
for g in $(cd "$LOGDIR" && ls smp1-*.l1.sh 2>/dev/null); do
	run_group "${g%.l1.sh}" &
done
wait
[ -f "$LOGDIR/smp2.l1.sh" ] && run_group smp2
# Alone too: lkvm-gpu's renderer (llvmpipe) and the L2 vCPU use both L1 vCPUs.
[ -f "$LOGDIR/gl.l1.sh" ] && run_group gl

# --- helpers for check() -------------------------------------------------
FAILMSG=""
SKIPMSG=""
fail() {
	[ -n "$FAILMSG" ] || FAILMSG=$1
}
# The case could not run here (a host tool missing): reported as skipped.
skip() {
	SKIPMSG=$1
}
expect() {
	grep -qF -- "$1" <<<"$SECTION" || fail "never saw '$1'"
}
expect_rc() {
	[ "$RC" = "$1" ] || fail "lkvm-gpu exit status $RC, want $1$(rc_hint)"
}
# A crash is reported as 1; a timeout (124) means the guest hung instead.
expect_rc_crash() {
	[ "$RC" = 1 ] || fail "lkvm-gpu exit status $RC, want 1 (crash)$(rc_hint)"
}
rc_hint() {
	case $RC in
	124) echo " (timed out: the guest hung or never ended the VM)" ;;
	127) echo " (lkvm-gpu not found in L1)" ;;
	esac
}
expect_file() {
	[ -s "$RESULTS/$1" ] || fail "no $1 came back from the run"
}

for c in "${cases[@]}"; do
	g=${group_of[$c]:-}
	[ -n "$g" ] || continue
	log=$LOGDIR/$g.log
	RESULTS=$LOGDIR/$g.out
	CASE_TMP=$LOGDIR/$c.tmp
	mkdir -p "$CASE_TMP"
	SECTION=$(awk -v n="$c" '
		$0 == "L1: BEGIN " n { on = 1; next }
		on && index($0, "L1: END " n " rc=") == 1 { print; exit }
		on { print }' "$log" 2>/dev/null)
	printf '%s\n' "$SECTION" >"$LOGDIR/$c.log"
	FAILMSG="" SKIPMSG=""
	endline=$(grep "^L1: END $c rc=" <<<"$SECTION")
	if [ -z "$SECTION" ]; then
		fail "never started (L1 crashed or timed out first? see $log)"
	elif [ -z "$endline" ]; then
		fail "never ended (no 'L1: END' line; see $log)"
	else
		RC=$(sed 's/.* rc=\([0-9]*\).*/\1/' <<<"$endline")
		ms=$(sed -n 's/.* ms=\([0-9]*\).*/\1/p' <<<"$endline")
		mark=$(sed -n 's/^L1: MARK +\([0-9]*\) ms.*/\1/p' <<<"$SECTION" | head -n1)
		# shellcheck disable=SC1090
		. "$NESTED_DIR/cases/$c.sh"
		check
		[ -n "$FAILMSG" ] && [ "$RC" = 124 ] && FAILMSG="$FAILMSG; lkvm-gpu timed out and was killed"
	fi
	if [ -n "$SKIPMSG" ] && [ -z "$FAILMSG" ]; then
		echo "SKIP $c: $SKIPMSG"
		skipped=$((skipped + 1))
	elif [ -z "$FAILMSG" ]; then
		echo "PASS $c (${ms}ms${mark:+, init marker at ${mark}ms})"
		passed=$((passed + 1))
	else
		echo "FAIL $c: $FAILMSG (log $LOGDIR/$c.log)"
		failed=$((failed + 1))
		failed_cases+=("$c")
	fi
done

echo "nested suite ($mode): $(($(date +%s) - t_start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
# Now and then an L2 guest dies for no reason a test can see: a probe's
# triple fault in the middle of printing a line, seen twice in about 40
# suite runs, in different tests. The cause is not found yet; QEMU TCG's
# emulation of SVM, under which L1 runs, is the first suspect. A case that fails is run once more in a new
# L1; it counts as passed only if that run passes, and says so (FLAKY),
# with the first run's log kept. More than 2 failures: no second chance.
if [ $failed -gt 0 ] && [ $failed -le 2 ] && [ -z "${NESTED_RERUN:-}" ]; then
	rm -rf "$LOGDIR-first"
	mv "$LOGDIR" "$LOGDIR-first"
	echo "nested: running ${failed_cases[*]} once more (first run's logs: $LOGDIR-first)"
	if NESTED_RERUN=1 "$0" ${mode:+--$mode} "${failed_cases[@]}"; then
		echo "FLAKY ${failed_cases[*]}: failed once, passed when run again"
		echo "$((passed + failed)) passed ($failed on a second run), 0 failed, $skipped skipped"
		exit 0
	fi
	exit 1
fi
[ $failed -eq 0 ]
