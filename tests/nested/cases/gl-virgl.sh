# Real Mesa over virgl. lkvm-gpu --gpu-backend virgl runs virglrenderer on
# llvmpipe in L1 (Mesa from the host's /usr over 9p: gl_setup); L2 mounts
# the GL root filesystem (Debian's Mesa, kmscube, glmark2, gl-scene) from
# virtio-blk. Its virtio_gpu driver must negotiate VIRGL (2 capsets), EGL's
# GBM platform must load Mesa's virtio_gpu (virgl) driver, kmscube renders
# 30 frames and glmark2 two short scenes (build, texture), and gl-scene (GBM + EGL + GLES2, renderer
# "virgl (...)") draws its scene, whose screenshot must match
# tests/nested/png_gl_scene.py's definition in every pixel.
GROUP=gl
NEEDS=--gpu-backend
l1() {
	cat <<'L1'
gl_setup
l2run gl-virgl -t 240 -- $LKVM run -k "$L2_VMLINUX" -i "$L2_INITRD" -m 512 -c 1 --gpu headless --gpu-backend virgl --resolution 640x480 -d "$L2_GLIMG,ro" --screenshot "$OUT/gl-virgl.png" -p "$L2_APPEND l2test=gl l2kmscube=30 l2glframes=10 l2glmark2=build:duration=1.0,texture:duration=1.0"
L1
}
check() {
	local frames
	expect "virtio-gpu: 3D through virglrenderer"
	expect "L2: gl kernel features: +virgl"
	expect "L2: gl kernel number of cap sets: 2"
	expect "L2: gl eglinfo GBM: EGL driver name: virtio_gpu"
	expect "L2: gl kmscube rc=0"
	frames=$(sed -n 's/^L2: gl kmscube: Rendered \([0-9]*\) frames.*/\1/p' <<<"$SECTION" | awk '{ n += $1 } END { print n + 0 }')
	[ "$frames" -gt 0 ] || fail "kmscube reported no frames rendered"
	expect "L2: gl glmark2:     GL_RENDERER:    virgl ("
	grep -qE "^L2: gl glmark2: \[build\].* FPS: [1-9]" <<<"$SECTION" || fail "glmark2's build scene reported no FPS"
	expect "L2: gl glmark2:                                   glmark2 Score:"
	! grep -q "^L2: gl glmark2: .*Error" <<<"$SECTION" || fail "glmark2: $(grep -m1 "^L2: gl glmark2: .*Error" <<<"$SECTION")"
	expect 'L2: PASS gl renderer="virgl ('
	expect_rc 0
	expect_file gl-virgl.png
	python3 "$NESTED_DIR/png_gl_scene.py" "$RESULTS/gl-virgl.png" 640x480 >"$CASE_TMP/png" 2>&1 ||
		fail "screenshot: $(tail -n1 "$CASE_TMP/png")"
}
