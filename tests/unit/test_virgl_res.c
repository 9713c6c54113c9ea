/* The checks the virgl layer makes before virglrenderer sees a command:
 * create rules per target, the memory estimate, boxes and transfer spans.
 * Pure: no GL. */
#include <criterion/criterion.h>

#include "gpu/virgl_res.h"

static struct gpu_virgl_res_desc desc(uint32_t target, uint32_t w, uint32_t h, uint32_t d,
				      uint32_t layers)
{
	return (struct gpu_virgl_res_desc){.target = target,
					   .format = GPU_VIRGL_FMT_R8G8B8A8_UNORM,
					   .width = w,
					   .height = h,
					   .depth = d,
					   .array_size = layers};
}

static enum gpu_err check(struct gpu_virgl_res_desc d)
{
	uint64_t b;

	return gpu_virgl_desc_check(&d, &b);
}

Test(virgl_res, estimate_counts_every_level_layer_and_block)
{
	struct gpu_virgl_res_desc d = desc(GPU_VIRGL_TEX_2D, 64, 64, 1, 1);
	uint64_t b;

	d.last_level = 6;
	cr_assert_eq(gpu_virgl_desc_check(&d, &b), GPU_OK);
	cr_assert_eq(b, 4u * (4096 + 1024 + 256 + 64 + 16 + 4 + 1));
	d = desc(GPU_VIRGL_TEX_2D_ARRAY, 10, 3, 1, 5);
	cr_assert_eq(gpu_virgl_desc_check(&d, &b), GPU_OK);
	cr_assert_eq(b, 10u * 3 * 4 * 5);
	d = desc(GPU_VIRGL_TEX_2D, 9, 5, 1, 1);
	d.format = GPU_VIRGL_FMT_DXT1_RGB; /* 8 bytes a 4x4 block: 3x2 blocks */
	cr_assert_eq(gpu_virgl_desc_check(&d, &b), GPU_OK);
	cr_assert_eq(b, 6u * 8);
	d = desc(GPU_VIRGL_BUFFER, 1000, 1, 1, 1);
	d.format = GPU_VIRGL_FMT_R8_UNORM;
	cr_assert_eq(gpu_virgl_desc_check(&d, &b), GPU_OK);
	cr_assert_eq(b, 1000);
	d = desc(GPU_VIRGL_TEX_2D, 16, 16, 1, 1);
	d.nr_samples = 4;
	cr_assert_eq(gpu_virgl_desc_check(&d, &b), GPU_OK);
	cr_assert_eq(b, 16u * 16 * 4 * 4);
}

Test(virgl_res, target_rules)
{
	cr_assert_eq(check(desc(GPU_VIRGL_TARGET_COUNT, 16, 16, 1, 1)), GPU_E_BAD_FORMAT);
	cr_assert_eq(check(desc(UINT32_MAX, 16, 16, 1, 1)), GPU_E_BAD_FORMAT);
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_CUBE, 16, 16, 1, 6)), GPU_OK);
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_CUBE, 16, 8, 1, 6)), GPU_E_BAD_SIZE, "not square");
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_CUBE, 16, 16, 1, 1)), GPU_E_BAD_SIZE, "one face");
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_CUBE_ARRAY, 16, 16, 1, 12)), GPU_OK);
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_CUBE_ARRAY, 16, 16, 1, 7)), GPU_E_BAD_SIZE);
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_1D, 16, 2, 1, 1)), GPU_E_BAD_SIZE, "1D height");
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_1D_ARRAY, 16, 1, 1, 2048)), GPU_OK);
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_1D_ARRAY, 16, 1, 1, 2049)), GPU_E_BAD_SIZE);
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_2D, 16, 16, 1, 2)), GPU_E_BAD_SIZE, "2D layers");
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_3D, 16, 16, 16, 1)), GPU_OK);
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_3D, 4096, 16, 16, 1)), GPU_E_BAD_SIZE);
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_3D, 16, 16, 0, 1)), GPU_E_BAD_SIZE, "depth 0");
	cr_assert_eq(check(desc(GPU_VIRGL_TEX_2D, 16, 16, 1, 0)), GPU_E_BAD_SIZE, "no layer");
	struct gpu_virgl_res_desc d = desc(GPU_VIRGL_TEX_RECT, 16, 16, 1, 1);
	d.last_level = 1;
	cr_assert_eq(check(d), GPU_E_BAD_SIZE, "rect has no mips");
	d = desc(GPU_VIRGL_TEX_2D, 16, 16, 1, 1);
	d.nr_samples = 4;
	d.last_level = 1;
	cr_assert_eq(check(d), GPU_E_BAD_SIZE, "MSAA has no mips");
	d = desc(GPU_VIRGL_TEX_3D, 16, 16, 16, 1);
	d.nr_samples = 2;
	cr_assert_eq(check(d), GPU_E_BAD_SIZE, "no MSAA 3D");
	d = desc(GPU_VIRGL_TEX_2D, 16, 16, 1, 1);
	d.flags = 8;
	cr_assert_eq(check(d), GPU_E_BAD_SIZE, "unknown flag");
	d = desc(GPU_VIRGL_BUFFER, 64, 2, 1, 1);
	cr_assert_eq(check(d), GPU_E_BAD_SIZE, "buffer height");
	d = desc(GPU_VIRGL_BUFFER, 64, 1, 1, 1);
	d.format = GPU_VIRGL_FMT_DXT1_RGB;
	cr_assert_eq(check(d), GPU_E_BAD_FORMAT, "compressed buffer");
}

Test(virgl_res, box_and_span_at_a_level)
{
	struct gpu_virgl_res r = {.d = desc(GPU_VIRGL_TEX_3D, 64, 32, 8, 1)};
	struct gpu_virgl_xfer t = {.level = 2, .box = {0, 0, 0, 16, 8, 2}};
	uint64_t end;

	r.d.last_level = 2;
	gpu_virgl_format(r.d.format, &r.fmt);
	cr_assert_eq(gpu_virgl_box_check(&r, 2, &t.box), GPU_OK);
	t.box.d = 3; /* level 2 is 16x8x2 */
	cr_assert_eq(gpu_virgl_box_check(&r, 2, &t.box), GPU_E_BAD_RECT);
	t.box.d = 2;
	struct gpu_virgl_box one = {0, 0, 0, 1, 1, 1};
	cr_assert_eq(gpu_virgl_box_check(&r, 3, &one), GPU_E_BAD_RECT, "level past last_level");
	/* Default strides: 16 * 4 a row, 8 rows a layer. */
	cr_assert_eq(gpu_virgl_xfer_span(&r, &t, &end), GPU_OK);
	cr_assert_eq(end, 2u * 16 * 8 * 4);
	t.offset = 10;
	t.stride = 100;
	t.layer_stride = 1000;
	cr_assert_eq(gpu_virgl_xfer_span(&r, &t, &end), GPU_OK);
	cr_assert_eq(end, 10u + 1000 + 7 * 100 + 64);
	t.layer_stride = 799; /* shorter than 8 rows of 100 */
	cr_assert_eq(gpu_virgl_xfer_span(&r, &t, &end), GPU_E_BAD_OFFSET);
	t.layer_stride = 0;
	t.offset = UINT64_MAX - 100;
	cr_assert_eq(gpu_virgl_xfer_span(&r, &t, &end), GPU_E_BAD_OFFSET);
}

Test(virgl_res, table_find_insert_remove_grow)
{
	struct gpu_virgl_res_table t;
	static struct gpu_virgl_res recs[300];

	cr_assert_eq(gpu_virgl_res_table_init(&t), 0);
	for (uint32_t i = 0; i < 300; i++) {
		recs[i].id = i * 7 + 1;
		cr_assert_eq(gpu_virgl_res_insert(&t, &recs[i]), 0);
	}
	cr_assert_eq(t.count, 300);
	for (uint32_t i = 0; i < 300; i++)
		cr_assert_eq(gpu_virgl_res_find(&t, i * 7 + 1), &recs[i]);
	cr_assert_null(gpu_virgl_res_find(&t, 2));
	cr_assert_eq(gpu_virgl_res_remove(&t, 8), &recs[1]);
	cr_assert_null(gpu_virgl_res_find(&t, 8));
	cr_assert_null(gpu_virgl_res_remove(&t, 8));
	while (gpu_virgl_res_any(&t))
		gpu_virgl_res_remove(&t, gpu_virgl_res_any(&t)->id);
	cr_assert_eq(t.count, 0);
	gpu_virgl_res_table_fini(&t);
}
