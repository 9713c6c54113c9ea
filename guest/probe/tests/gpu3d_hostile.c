#include "tests/tests.h"
enum test_result test_gpu3d_hostile(struct test_ctx *ctx) { return test_skip(ctx, "todo"); }
