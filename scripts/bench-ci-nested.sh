#!/bin/sh
# bench-ci-nested.sh [--runs N]
# The CI runner's overhead where /dev/kvm exists only inside the nested
# runner's L1 (QEMU TCG: absolute times are TCG's, the differences are the
# point). In one L1 boot, N runs (default 5) of each variant of the probe
# guest, alternating (scripts/bench/ci.py describes them: plain, expect,
# gpu, screen). Prints per variant the median exec -> exit time as l2run
# measures it (/proc/uptime: 10 ms steps) and, for the judged runs, what
# lkvm-gpu's --result says: when the match came and the whole duration
# (ms precision, from lkvm-gpu's start). Needs `make nested-base`; run it
# under the machine-wide lock: flock /tmp/nested.lock scripts/bench-ci-nested.sh
set -eu
cd "$(dirname "$0")/.."
runs=5
[ "${1:-}" = --runs ] && runs=$2
dir=build/nested/bench-ci
rm -rf "$dir"
mkdir -p "$dir"
script=$dir/l1.sh
P=/l2/probe.elf
{
	echo "\$LKVM run -k $P -m 64 --gpu headless --screenshot \$OUT/ref.png -p probe.tests=gpu --test-exit </dev/null >/dev/null 2>&1"
	i=1
	while [ "$i" -le "$runs" ]; do
		echo "l2run plain-$i -t 60 -- \$LKVM run -k $P -m 64 -p 'probe.tests=' --test-exit"
		echo "l2run expect-$i -t 60 -- \$LKVM run -k $P -m 64 -p 'probe.tests= probe.end=halt' --expect '^PROBE: ready\$' --result \$OUT/expect-$i.json"
		echo "l2run gpu-$i -t 60 -- \$LKVM run -k $P -m 64 --gpu headless -p 'probe.tests=gpu' --test-exit"
		echo "l2run screen-$i -t 60 -- \$LKVM run -k $P -m 64 --gpu headless -p 'probe.tests=gpu probe.end=halt' --expect-screen \$OUT/ref.png --result \$OUT/screen-$i.json"
		i=$((i + 1))
	done
} >"$script"
t0=$(date +%s)
scripts/nested-run --quiet --timeout $((180 + runs * 4 * 30)) --log "$dir/console.log" \
	--out "$dir/out" "$script" || true
echo "CI runner overhead inside L1 (QEMU TCG), probe guest, $runs runs each:"
for v in plain expect gpu screen; do
	ms=$(awk -v v="$v" 'index($0, "L1: END " v "-") == 1 { sub(/.* ms=/, ""); print $1 + 0 }' \
		"$dir/console.log" | sort -n)
	rcs=$(awk -v v="$v" 'index($0, "L1: END " v "-") == 1 { sub(/.* rc=/, ""); print $1 }' \
		"$dir/console.log" | sort -u | tr '\n' ' ')
	med=$(printf '%s\n' "$ms" | awk 'NF { a[++n] = $1 } END { if (n) print a[int((n + 1) / 2)]; else print "-" }')
	line="  $v: exec -> exit median $med ms (exit statuses: $rcs)"
	if ls "$dir/out/$v-"*.json >/dev/null 2>&1; then
		line="$line; $(python3 - "$dir/out" "$v" <<'PY'
import glob, json, statistics, sys
rs = [json.load(open(f)) for f in sorted(glob.glob(f"{sys.argv[1]}/{sys.argv[2]}-*.json"))]
key = "expect" if sys.argv[2] == "expect" else "expect_screen"
match = [r[key][0]["time_s"] * 1e3 for r in rs if r[key] and r[key][0]["matched"]]
dur = [r["duration_s"] * 1e3 for r in rs]
print(f"match at {statistics.median(match):.0f} ms, run {statistics.median(dur):.0f} ms "
      f"(--result, median of {len(match)} matched)" if match else "no match")
PY
)"
	fi
	echo "$line"
done
echo "whole benchmark: $(($(date +%s) - t0)) s (log $dir/console.log)"
