/* Fences as events: fenced replies park until the backend's fence fd says
 * their fence completed, in order per timeline; unfenced replies and
 * backends without fences (2D) answer at once. */
#include <criterion/criterion.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "gpu/fence.h"
#include "gpu/gpu_priv.h"
#include "tests/unit/test_gpu_util.h"
#include "tests/unit/gpu_queues.h"
#include "tests/unit/vq_builder.h"

static uint16_t pushed[16];
static unsigned npushed;

static void rec_push(void *opaque, uint16_t head, uint32_t len)
{
	pushed[npushed++] = head;
}

Test(gpu_fence, retire_in_order_per_timeline)
{
	struct gpu_fences f;
	struct gpu_timeline a = {1, 0}, b = {1, 1};

	cr_assert_eq(gpu_fences_init(&f, 8), 0);
	npushed = 0;
	gpu_fences_park(&f, &(struct gpu_parked){a, 1, 10, 24});
	gpu_fences_park(&f, &(struct gpu_parked){b, 1, 11, 24});
	gpu_fences_park(&f, &(struct gpu_parked){a, 2, 12, 24});
	gpu_fences_park(&f, &(struct gpu_parked){a, 3, 13, 24});
	cr_assert(gpu_fences_busy(&f, a));
	cr_assert_not(gpu_fences_busy(&f, (struct gpu_timeline){2, 0}));
	cr_assert_eq(gpu_fences_retire(&f, a, 2, rec_push, NULL), 2);
	cr_assert_eq(pushed[0], 10);
	cr_assert_eq(pushed[1], 12);
	cr_assert_eq(gpu_fences_retire(&f, b, 0, rec_push, NULL), 0);
	cr_assert_eq(gpu_fences_retire(&f, b, 1, rec_push, NULL), 1);
	cr_assert_eq(pushed[2], 11);
	cr_assert_eq(gpu_fences_retire(&f, a, 9, rec_push, NULL), 1);
	cr_assert_eq(pushed[3], 13);
	cr_assert_not(gpu_fences_busy(&f, a));
	gpu_fences_free(&f);
}

Test(gpu_fence, a_reused_smaller_id_waits_behind_a_pending_one)
{
	struct gpu_fences f;
	struct gpu_timeline a = {0, 0};

	cr_assert_eq(gpu_fences_init(&f, 2), 0);
	npushed = 0;
	gpu_fences_park(&f, &(struct gpu_parked){a, 5, 1, 24});
	gpu_fences_park(&f, &(struct gpu_parked){a, 3, 2, 24});
	cr_assert_eq(gpu_fences_park(&f, &(struct gpu_parked){a, 6, 3, 24}), -1, "full");
	cr_assert_eq(gpu_fences_retire(&f, a, 4, rec_push, NULL), 0);
	cr_assert_eq(gpu_fences_retire(&f, a, 5, rec_push, NULL), 2);
	cr_assert_eq(pushed[0], 1);
	cr_assert_eq(pushed[1], 2);
	gpu_fences_free(&f);
}

/* A backend whose fences complete when the test says so. */
static int fence_efd = -1;
static uint64_t completed; /* global timeline */
static unsigned created;

static enum gpu_err fake_create_2d(void *be, struct gpu_resource *r, const struct gpu_cmd *c)
{
	r->width = c->u.create_2d.width;
	r->height = c->u.create_2d.height;
	return GPU_OK;
}

static void fake_res_destroy(void *be, struct gpu_resource *r)
{
}

static int fake_fence_fd(void *be)
{
	return fence_efd;
}

static enum gpu_err fake_create_fence(void *be, struct gpu_timeline tl, uint64_t id)
{
	created++;
	return GPU_OK;
}

static void fake_retire(void *be, void (*done)(void *, struct gpu_timeline, uint64_t), void *op)
{
	uint64_t v;

	if (read(fence_efd, &v, 8) != 8)
		return;
	done(op, (struct gpu_timeline){0, 0}, __atomic_load_n(&completed, __ATOMIC_SEQ_CST));
}

static void fake_destroy(void *be)
{
}

static const struct gpu_backend_ops fake_ops = {
    .name = "fenced",
    .destroy = fake_destroy,
    .resource_create_2d = fake_create_2d,
    .resource_destroy = fake_res_destroy,
    .fence_fd = fake_fence_fd,
    .create_fence = fake_create_fence,
    .retire_fences = fake_retire,
};

static int fake_create(const struct gpu_backend_env *env, struct gpu_backend *out, char *err,
		       size_t errlen)
{
	out->ops = &fake_ops;
	out->be = NULL;
	return 0;
}

static void nop_queue(struct virtio_irq *irq, unsigned q)
{
}

static void nop(struct virtio_irq *irq)
{
}

static struct virtio_irq irq = {nop_queue, nop, nop};
static struct vqb ctrl, cursor;
static struct virtio_queue queues[2];
static struct fake_display fdisp;
static struct gpu *g;

static void setup(void)
{
	struct gpu_config cfg = {.outputs = 1,
				 .width = 64,
				 .height = 64,
				 .display = &fdisp.d,
				 .backend_create = fake_create};

	fake_display_init(&fdisp, 1);
	fence_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	completed = created = 0;
	gpu_queues_init(&ctrl, &cursor, queues, 1 << 18, 16, 1 << 16);
	g = gpu_create(&cfg, NULL, 0);
	cr_assert_not_null(g);
	cr_assert_eq(gpu_virtio_ops.activate(g, 0, &ctrl.gm, queues, &irq), 0);
}

static void teardown(void)
{
	gpu_destroy(g);
	close(fence_efd);
	gpu_queues_free(&ctrl, &cursor, queues);
}

static uint16_t send(uint32_t type, uint32_t flags, uint64_t fence, uint64_t *resp)
{
	uint8_t req[64];
	size_t n = type == VIRTIO_GPU_CMD_RESOURCE_CREATE_2D
		       ? req_create_2d(req, (uint32_t)fence, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 4, 4)
		       : req_hdr(req, type, 0, 0);
	struct vqb_buf b[2];
	uint64_t one = 1;
	uint16_t head;

	w32(req, 4, flags);
	w64(req, 8, fence);
	b[0] = vqb_buf_out(&ctrl, req, n);
	b[1] = vqb_buf_in(&ctrl, 408);
	*resp = b[1].gpa;
	head = vqb_add_chain(&ctrl, b, 2);
	cr_assert_eq(write(queues[0].kick_fd, &one, 8), 8);
	return head;
}

/* The next used head within ms, or -1. */
static int next_used(int ms)
{
	uint16_t id;
	uint32_t len;

	for (int i = 0; i < ms; i++) {
		if (vqb_get_used(&ctrl, &id, &len))
			return id;
		usleep(1000);
	}
	return -1;
}

static void complete(uint64_t id)
{
	uint64_t one = 1;

	__atomic_store_n(&completed, id, __ATOMIC_SEQ_CST);
	cr_assert_eq(write(fence_efd, &one, 8), 8);
}

Test(gpu_fence, fenced_replies_wait_for_the_fence_fd, .init = setup, .fini = teardown)
{
	uint64_t r1, r2, r3, r4;
	uint16_t h1 = send(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, VIRTIO_GPU_FLAG_FENCE, 1, &r1);
	uint16_t h2 = send(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, VIRTIO_GPU_FLAG_FENCE, 2, &r2);
	uint16_t h3 = send(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, 0, &r3);

	/* The unfenced query answers at once; the fenced ones wait. */
	cr_assert_eq(next_used(2000), h3);
	cr_assert_eq(next_used(50), -1);
	cr_assert_eq(created, 2);
	/* Their replies are already written, fence echoed. */
	cr_assert_eq(r32(vqb_host(&ctrl, r1), 0), VIRTIO_GPU_RESP_OK_NODATA);
	cr_assert_eq(r64(vqb_host(&ctrl, r2), 8), 2);
	complete(1);
	cr_assert_eq(next_used(2000), h1);
	cr_assert_eq(next_used(50), -1);
	/* A fenced error behind a pending fence waits its turn. */
	uint16_t h4 = send(0x4444, VIRTIO_GPU_FLAG_FENCE, 3, &r4);
	cr_assert_eq(next_used(50), -1);
	cr_assert_eq(r32(vqb_host(&ctrl, r4), 0), VIRTIO_GPU_RESP_ERR_UNSPEC);
	complete(3);
	cr_assert_eq(next_used(2000), h2);
	cr_assert_eq(next_used(2000), h4);
	cr_assert_eq(created, 2, "no fence for a failed command");
}

/* A reply parked when the device is reset belongs to the old queues: it
 * must not come out after the next activate, even once its fence is done
 * (the guest reuses that descriptor). */
Test(gpu_fence, reset_drops_parked_replies, .init = setup, .fini = teardown)
{
	uint64_t r;
	uint16_t h;

	send(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, VIRTIO_GPU_FLAG_FENCE, 1, &r);
	cr_assert_eq(next_used(50), -1, "parked");
	gpu_virtio_ops.reset(g);
	cr_assert_eq(gpu_virtio_ops.activate(g, 0, &ctrl.gm, queues, &irq), 0);
	complete(1);
	cr_assert_eq(next_used(100), -1, "a reply from before the reset came out");
	/* The new activation works: an unfenced query is answered. */
	h = send(VIRTIO_GPU_CMD_GET_DISPLAY_INFO, 0, 0, &r);
	cr_assert_eq(next_used(2000), h);
}
