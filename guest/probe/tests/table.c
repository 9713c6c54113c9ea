#include "tests/tests.h"

/* Run order is table order. Not in the default set: `echo` and
 * `virtio_console` wait for a line on the host's stdin, `input_events` for
 * typed keys, `virtio_input` needs `--input`, `blk_write` changes
 * the disk, `blk_durable` writes until the VMM is killed, `soak` runs for
 * minutes, `virtio_hostile`, `gpu_hostile` and `gpu3d_hostile` make the VMM
 * log guest errors, `gpu3d` needs a 3D (virgl) device, and bench_* are
 * benchmarks. */
// clang-format off
const struct probe_test probe_tests[] = {
	{"cmdline", test_cmdline, true},
	{"e820",    test_e820,    true},
	{"initrd",  test_initrd,  true},
	{"serial",  test_serial,  true},
	{"irq",     test_irq,     true},
	{"smp",     test_smp,     true},
	{"pci",     test_pci,     true},
	{"virtio_rng", test_virtio_rng, true},
	{"virtio_intx", test_virtio_intx, true},
	{"virtio_blk", test_virtio_blk, true},
	{"gpu",        test_gpu,        true},
	{"blk_write",  test_blk_write,  false},
	{"soak",       test_soak,       false},
	{"blk_durable", test_blk_durable, false},
	{"virtio_hostile", test_virtio_hostile, false},
	{"gpu_hostile", test_gpu_hostile, false},
	{"gpu_blob",   test_gpu_blob,   false},
	{"gpu3d",      test_gpu3d,      false},
	{"gpu3d_hostile", test_gpu3d_hostile, false},
	{"virtio_console", test_virtio_console, false},
	{"virtio_input", test_virtio_input, false},
	{"input_events", test_input_events, false},
	{"bench_blk",  test_bench_blk,  false},
	{"bench_rtt",  test_bench_rtt,  false},
	{"bench_gpu_frames", test_bench_gpu_frames, false},
	{"bench_gpu_rtt", test_bench_gpu_rtt, false},
	{"bench_gpu_blob_frames", test_bench_gpu_blob_frames, false},
	{"bench_gpu3d_fence", test_bench_gpu3d_fence, false},
	{"bench_gpu3d_clear", test_bench_gpu3d_clear, false},
	{"echo",    test_echo,    false},
};
// clang-format on

const unsigned probe_nr_tests = sizeof(probe_tests) / sizeof(probe_tests[0]);
