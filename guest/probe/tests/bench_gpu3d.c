#include "tests/tests.h"
enum test_result test_bench_gpu3d_fence(struct test_ctx *ctx) { return test_skip(ctx, "todo"); }
enum test_result test_bench_gpu3d_clear(struct test_ctx *ctx) { return test_skip(ctx, "todo"); }
