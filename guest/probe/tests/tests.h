/* The probe's test table. A test returns its verdict; on FAIL or SKIP it
 * writes the reason (one line, no newline) into ctx->why. Tests print their
 * findings as `PROBE: info` lines for the host to compare. */
#ifndef PROBE_TESTS_H
#define PROBE_TESTS_H

#include <stdbool.h>

#include "lib/fmt.h"

enum test_result { TEST_PASS, TEST_FAIL, TEST_SKIP };

struct test_ctx {
	const char *cmdline; /* the whole command line, "" if none */
	char why[256];
};

struct probe_test {
	const char *name;
	enum test_result (*run)(struct test_ctx *ctx);
	bool by_default; /* part of the run when probe.tests= is not given */
};

/* Set ctx->why and return the verdict, e.g. `return test_fail(ctx, "x=%d", x);` */
#define test_fail(ctx, ...) (fmt_snprintf((ctx)->why, sizeof((ctx)->why), __VA_ARGS__), TEST_FAIL)
#define test_skip(ctx, ...) (fmt_snprintf((ctx)->why, sizeof((ctx)->why), __VA_ARGS__), TEST_SKIP)

/* In a test with a `ctx`: fail unless a device's response type is `want`. */
#define EXPECT(what, got, want)                                                                    \
	do {                                                                                       \
		uint32_t got_ = (got);                                                             \
		if (got_ != (want))                                                                \
			return test_fail(ctx, "%s: response 0x%x, want 0x%x", what, got_, want);   \
	} while (0)

extern const struct probe_test probe_tests[];
extern const unsigned probe_nr_tests;

/* One prototype per test, grouped by file. */
enum test_result test_cmdline(struct test_ctx *ctx); /* tests/boot.c */
enum test_result test_e820(struct test_ctx *ctx);
enum test_result test_initrd(struct test_ctx *ctx);
enum test_result test_smp(struct test_ctx *ctx);    /* tests/smp.c */
enum test_result test_serial(struct test_ctx *ctx); /* tests/serial.c */
enum test_result test_echo(struct test_ctx *ctx);
enum test_result test_irq(struct test_ctx *ctx);	 /* tests/irq.c */
enum test_result test_pci(struct test_ctx *ctx);	 /* tests/pci.c */
enum test_result test_virtio_rng(struct test_ctx *ctx);	 /* tests/virtio_rng.c */
enum test_result test_virtio_intx(struct test_ctx *ctx); /* tests/virtio_intx.c */
enum test_result test_virtio_blk(struct test_ctx *ctx);	 /* tests/virtio_blk.c */
enum test_result test_blk_write(struct test_ctx *ctx);
enum test_result test_blk_durable(struct test_ctx *ctx);	   /* tests/blk_durable.c */
enum test_result test_soak(struct test_ctx *ctx);		   /* tests/soak.c */
enum test_result test_virtio_hostile(struct test_ctx *ctx);	   /* tests/virtio_hostile.c */
enum test_result test_gpu(struct test_ctx *ctx);		   /* tests/gpu.c */
enum test_result test_gpu_hostile(struct test_ctx *ctx);	   /* tests/gpu_hostile.c */
enum test_result test_gpu_blob(struct test_ctx *ctx);		   /* tests/gpu_blob.c */
enum test_result test_bench_gpu_blob_frames(struct test_ctx *ctx); /* tests/gpu_blob_bench.c */
enum test_result test_gpu3d(struct test_ctx *ctx);		   /* tests/gpu3d.c */
enum test_result test_gpu3d_hostile(struct test_ctx *ctx);	   /* tests/gpu3d_hostile.c */
enum test_result test_virtio_console(struct test_ctx *ctx);	   /* tests/virtio_console.c */
enum test_result test_virtio_input(struct test_ctx *ctx);	   /* tests/virtio_input.c */
enum test_result test_input_events(struct test_ctx *ctx);
enum test_result test_bench_blk(struct test_ctx *ctx); /* tests/bench.c */
enum test_result test_bench_rtt(struct test_ctx *ctx);
enum test_result test_bench_gpu_frames(struct test_ctx *ctx); /* tests/bench_gpu.c */
enum test_result test_bench_gpu_rtt(struct test_ctx *ctx);
enum test_result test_bench_gpu3d_fence(struct test_ctx *ctx); /* tests/bench_gpu3d.c */
enum test_result test_bench_gpu3d_clear(struct test_ctx *ctx);

#endif
