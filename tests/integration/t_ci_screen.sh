# Running in CI, --expect-screen over the probe guest's GPU picture: the
# reference is a first run's --screenshot (its pixels checked against the
# CRC the probe reports, so it is the guest's picture, not lkvm-gpu's idea of
# it); matched exactly, within a tolerance (a copy with one channel moved by
# 3), on a crop; a wrong reference times out with the last frame and its
# diff beside the result. The usage errors need no KVM.
. "$(dirname "$0")/lib.sh"
CHECK="$(dirname "$0")/ci_result_check.py"

# screen_usage NAME PATTERN ARGS...: exit 2, one line naming PATTERN, no result.
screen_usage() {
	name=$1 pattern=$2
	shift 2
	err="$LOG_DIR/$name.err" result="$LOG_DIR/$name.json"
	rm -f "$result"
	timeout -k 5 "$RUN_TIMEOUT" "$LKVM" run "$@" --result "$result" </dev/null >/dev/null 2>"$err"
	status=$?
	if [ "$status" -ne 2 ] || [ "$(wc -l <"$err")" -ne 1 ] || ! grep -q -E -- "$pattern" "$err"; then
		fail "$name" "exit status $status, want 2 and one line naming '$pattern'" "$err"
	elif [ -e "$result" ]; then
		fail "$name" "a result file was written for a usage error"
	else
		pass "$name"
	fi
}

# A 16x8 PNG (python3's zlib), for the size error.
small="$LOG_DIR/ci_screen_small.png"
have_python && python3 - "$small" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
raw = b"".join(b"\0" + b"\x10\x20\x30" * 16 for _ in range(8))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 8, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
screen_usage ci_screen_usage_no_gpu "--expect-screen needs --gpu" --expect-screen "$small"
screen_usage ci_screen_usage_syntax "--expect-screen: '.*,tol=300'" --gpu headless --expect-screen "$small,tol=300"
screen_usage ci_screen_usage_missing "cannot read the reference" --gpu headless --expect-screen "$LOG_DIR/no-such.png"
screen_usage ci_screen_usage_not_png "cannot read the reference" --gpu headless --expect-screen "$0"
if have_python; then
	screen_usage ci_screen_usage_size "the reference is 16x8, output 0 is 1280x800" --gpu headless --expect-screen "$small"
	screen_usage ci_screen_usage_rect_outside "not inside output 0" --gpu headless --expect-screen "$small,rect=1270,0,16,8"
else
	need_python ci_screen_usage_size ci_screen_usage_rect_outside
fi

need_kvm ci_screen_reference ci_screen_exact ci_screen_tolerance ci_screen_crop ci_screen_wrong || exit 0
need_python ci_screen_reference ci_screen_exact ci_screen_tolerance ci_screen_crop ci_screen_wrong || exit 0

# The reference: the probe's picture, checked against the CRC it reports.
ref="$LOG_DIR/ci_screen_ref.png" log="$LOG_DIR/ci_screen_reference.log"
rm -f "$ref"
lkvm "$log" --gpu headless --screenshot "$ref" -p "probe.tests=gpu" --test-exit
if [ ! -s "$ref" ]; then
	fail ci_screen_reference "no reference screenshot" "$log"
	exit 0
fi
check_screenshot ci_screen_reference "$ref" "$(probe_info "$log" gpu_screen)" "$log"

# screen_run NAME WANT_STATUS SPEC CHECK_ARGS...: the probe draws and halts;
# only the runner can end the run.
screen_run() {
	name=$1 want=$2 spec=$3
	shift 3
	result="$LOG_DIR/$name.json" log="$LOG_DIR/$name.log"
	lkvm "$log" --gpu headless -p "probe.tests=gpu probe.end=halt" --expect-screen "$spec" \
		--timeout 5 --result "$result"
	status=$?
	if [ "$status" -ne "$want" ]; then
		fail "$name" "exit status $status, expected $want" "$log"
	elif why=$(python3 "$CHECK" "$result" --status "$want" "$@"); then
		pass "$name"
	else
		fail "$name" "$why" "$log"
	fi
}

screen_run ci_screen_exact 0 "$ref" --reason expect --screens-matched 1

# One pixel's red moved by 3: tolerance 3 takes it, tolerance 2 does not.
near="$LOG_DIR/ci_screen_near.png" crop="$LOG_DIR/ci_screen_crop.png"
python3 - "$ROOT/tests/nested" "$ref" "$near" "$crop" <<'PY'
import struct, sys, zlib
sys.path.insert(0, sys.argv[1])
from png_text_rows import read_png
w, h, rows = read_png(sys.argv[2])
def write(path, w, h, rows):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    raw = b"".join(b"\0" + b"".join(bytes(p) for p in row) for row in rows)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
near = [list(r) for r in rows]
r, g, b = near[100][200]
near[100][200] = bytes(((r + 3) if r < 128 else (r - 3), g, b))
write(sys.argv[3], w, h, near)
write(sys.argv[4], 64, 32, [rows[y][300:364] for y in range(200, 232)])
PY
screen_run ci_screen_tolerance 0 "$near,tol=3" --reason expect --screens-matched 1
screen_run ci_screen_crop 0 "$crop,rect=300,200,64,32" --reason expect --screens-matched 1
screen_run ci_screen_wrong 4 "$near,tol=2" --reason timeout --screens-matched 0
if [ -s "$LOG_DIR/ci_screen_wrong-expect-screen-0.png" ] && [ -s "$LOG_DIR/ci_screen_wrong-expect-screen-0-diff.png" ]; then
	check_screenshot ci_screen_wrong_frame "$LOG_DIR/ci_screen_wrong-expect-screen-0.png" \
		"$(probe_info "$LOG_DIR/ci_screen_wrong.log" gpu_screen)" "$LOG_DIR/ci_screen_wrong.log"
else
	fail ci_screen_wrong_frame "no frame or diff beside the result" "$LOG_DIR/ci_screen_wrong.log"
fi
