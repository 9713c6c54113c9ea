#include "gpu/virgl_res.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

static uint32_t minify(uint32_t v, uint32_t level)
{
	v = level < 32 ? v >> level : 0;
	return v ? v : 1;
}

static uint32_t blocks(uint32_t texels, uint32_t block)
{
	return texels / block + (texels % block != 0);
}

/* Highest mip level a size allows: floor(log2(max)). */
static uint32_t max_level(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t m = a > b ? a : b;

	m = m > c ? m : c;
	return 31u - (uint32_t)__builtin_clz(m);
}

/* The per-target rules of Gallium (and so of virglrenderer and GL). */
static enum gpu_err target_check(const struct gpu_virgl_res_desc *d)
{
	uint32_t dim_max = GPU_VIRGL_MAX_DIM;
	bool one_h = false, one_d = true, square = false, mips = true, msaa = false;
	uint32_t layers_min = 1, layers_max = 1, layers_mul = 1;

	switch (d->target) {
	case GPU_VIRGL_BUFFER:
		/* A buffer's width is its byte size: bounded by the memory cap. */
		dim_max = UINT32_MAX;
		one_h = true;
		mips = false;
		break;
	case GPU_VIRGL_TEX_1D:
		one_h = true;
		break;
	case GPU_VIRGL_TEX_1D_ARRAY:
		one_h = true;
		layers_max = GPU_VIRGL_MAX_3D;
		break;
	case GPU_VIRGL_TEX_2D:
		msaa = true;
		break;
	case GPU_VIRGL_TEX_RECT:
		mips = false;
		break;
	case GPU_VIRGL_TEX_2D_ARRAY:
		msaa = true;
		layers_max = GPU_VIRGL_MAX_3D;
		break;
	case GPU_VIRGL_TEX_3D:
		dim_max = GPU_VIRGL_MAX_3D;
		one_d = false;
		break;
	case GPU_VIRGL_TEX_CUBE:
		square = true;
		layers_min = layers_max = 6;
		break;
	case GPU_VIRGL_TEX_CUBE_ARRAY:
		square = true;
		layers_min = layers_mul = 6;
		layers_max = GPU_VIRGL_MAX_3D;
		break;
	default:
		return GPU_E_BAD_FORMAT;
	}
	if (d->width == 0 || d->height == 0 || d->depth == 0 || d->width > dim_max ||
	    d->height > dim_max || d->depth > dim_max)
		return GPU_E_BAD_SIZE;
	if ((one_h && d->height != 1) || (one_d && d->depth != 1) ||
	    (square && d->width != d->height))
		return GPU_E_BAD_SIZE;
	if (d->array_size < layers_min || d->array_size > layers_max ||
	    d->array_size % layers_mul != 0)
		return GPU_E_BAD_SIZE;
	if (d->last_level > (mips ? max_level(d->width, d->height, d->depth) : 0))
		return GPU_E_BAD_SIZE;
	/* 0 and 1 both mean single-sampled; multisampled has no mips. */
	if (d->nr_samples > (msaa ? GPU_VIRGL_MAX_SAMPLE : 1) ||
	    (d->nr_samples > 1 && d->last_level != 0))
		return GPU_E_BAD_SIZE;
	if (d->flags & ~GPU_VIRGL_RES_FLAGS)
		return GPU_E_BAD_SIZE;
	return GPU_OK;
}

/* Texels of one level, all layers, in bytes; false on overflow. */
static bool level_bytes(const struct gpu_virgl_res_desc *d, const struct gpu_virgl_fmt *f,
			uint32_t level, uint64_t *out)
{
	uint64_t n = blocks(minify(d->width, level), f->bw);

	if (__builtin_mul_overflow(n, (uint64_t)blocks(minify(d->height, level), f->bh), &n) ||
	    __builtin_mul_overflow(n, (uint64_t)minify(d->depth, level), &n) ||
	    __builtin_mul_overflow(n, (uint64_t)d->array_size, &n) ||
	    __builtin_mul_overflow(n, (uint64_t)f->bytes, &n) ||
	    __builtin_mul_overflow(n, (uint64_t)(d->nr_samples ? d->nr_samples : 1), &n))
		return false;
	*out = n;
	return true;
}

enum gpu_err gpu_virgl_desc_check(const struct gpu_virgl_res_desc *d, uint64_t *bytes)
{
	struct gpu_virgl_fmt f;
	uint64_t total = 0, lb;

	if (!gpu_virgl_format(d->format, &f))
		return GPU_E_BAD_FORMAT;
	/* Compressed and subsampled formats are images, never buffers. */
	if (d->target == GPU_VIRGL_BUFFER && (f.bw != 1 || f.bh != 1))
		return GPU_E_BAD_FORMAT;
	enum gpu_err err = target_check(d);
	if (err)
		return err;
	for (uint32_t l = 0; l <= d->last_level; l++) {
		if (!level_bytes(d, &f, l, &lb) || __builtin_add_overflow(total, lb, &total))
			return GPU_E_BAD_SIZE;
	}
	*bytes = total;
	return GPU_OK;
}

/* Level l's extent: width, height and depth-or-layers (z and d of a box). */
static void level_extent(const struct gpu_virgl_res *r, uint32_t l, uint32_t ext[3])
{
	ext[0] = minify(r->d.width, l);
	ext[1] = minify(r->d.height, l);
	ext[2] = r->d.target == GPU_VIRGL_TEX_3D ? minify(r->d.depth, l) : r->d.array_size;
}

enum gpu_err gpu_virgl_box_check(const struct gpu_virgl_res *r, uint32_t level,
				 const struct gpu_virgl_box *b)
{
	uint32_t ext[3];

	if (level > r->d.last_level)
		return GPU_E_BAD_RECT;
	level_extent(r, level, ext);
	if (b->w == 0 || b->h == 0 || b->d == 0)
		return GPU_E_BAD_RECT;
	/* In 64 bits: x + w cannot wrap. */
	if ((uint64_t)b->x + b->w > ext[0] || (uint64_t)b->y + b->h > ext[1] ||
	    (uint64_t)b->z + b->d > ext[2])
		return GPU_E_BAD_RECT;
	return GPU_OK;
}

enum gpu_err gpu_virgl_xfer_span(const struct gpu_virgl_res *r, const struct gpu_virgl_xfer *t,
				 uint64_t *end)
{
	const struct gpu_virgl_fmt *f = &r->fmt;
	uint32_t ext[3];
	uint64_t row, stride, layer, e;

	level_extent(r, t->level, ext);
	row = (uint64_t)blocks(t->box.w, f->bw) * f->bytes;
	/* virglrenderer's defaults for 0: the level's row, the level's image. */
	stride = t->stride ? t->stride : (uint64_t)blocks(ext[0], f->bw) * f->bytes;
	layer = t->layer_stride ? t->layer_stride : stride * blocks(ext[1], f->bh);
	if (stride < row || (t->box.d > 1 && layer < stride * blocks(t->box.h, f->bh)))
		return GPU_E_BAD_OFFSET;
	if (__builtin_mul_overflow(layer, (uint64_t)(t->box.d - 1), &e) ||
	    __builtin_add_overflow(e, stride * (blocks(t->box.h, f->bh) - 1), &e) ||
	    __builtin_add_overflow(e, row, &e) || __builtin_add_overflow(e, t->offset, &e))
		return GPU_E_BAD_OFFSET;
	*end = e;
	return GPU_OK;
}

static uint32_t bucket(const struct gpu_virgl_res_table *t, uint32_t id)
{
	/* Fibonacci hashing spreads the guest's small sequential ids. */
	return (uint32_t)(id * 2654435769u) >> (32 - __builtin_ctz(t->nbuckets));
}

int gpu_virgl_res_table_init(struct gpu_virgl_res_table *t)
{
	t->nbuckets = 64;
	t->count = 0;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : -ENOMEM;
}

void gpu_virgl_res_table_fini(struct gpu_virgl_res_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
}

struct gpu_virgl_res *gpu_virgl_res_find(const struct gpu_virgl_res_table *t, uint32_t id)
{
	struct gpu_virgl_res *r = t->buckets[bucket(t, id)];

	while (r && r->id != id)
		r = r->next;
	return r;
}

static int grow(struct gpu_virgl_res_table *t)
{
	struct gpu_virgl_res_table n = {.nbuckets = t->nbuckets * 2, .count = t->count};

	n.buckets = calloc(n.nbuckets, sizeof(*n.buckets));
	if (!n.buckets)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->nbuckets; i++) {
		while (t->buckets[i]) {
			struct gpu_virgl_res *r = t->buckets[i];
			t->buckets[i] = r->next;
			r->next = n.buckets[bucket(&n, r->id)];
			n.buckets[bucket(&n, r->id)] = r;
		}
	}
	free(t->buckets);
	*t = n;
	return 0;
}

int gpu_virgl_res_insert(struct gpu_virgl_res_table *t, struct gpu_virgl_res *r)
{
	/* Keep chains short: at most one record per bucket on average. */
	if (t->count >= t->nbuckets && t->nbuckets < (1u << 30) && grow(t) != 0)
		return -ENOMEM;
	uint32_t b = bucket(t, r->id);
	r->next = t->buckets[b];
	t->buckets[b] = r;
	t->count++;
	return 0;
}

struct gpu_virgl_res *gpu_virgl_res_remove(struct gpu_virgl_res_table *t, uint32_t id)
{
	for (struct gpu_virgl_res **p = &t->buckets[bucket(t, id)]; *p; p = &(*p)->next) {
		if ((*p)->id == id) {
			struct gpu_virgl_res *r = *p;
			*p = r->next;
			t->count--;
			return r;
		}
	}
	return NULL;
}

struct gpu_virgl_res *gpu_virgl_res_any(const struct gpu_virgl_res_table *t)
{
	for (uint32_t i = 0; i < t->nbuckets && t->count; i++)
		if (t->buckets[i])
			return t->buckets[i];
	return NULL;
}
