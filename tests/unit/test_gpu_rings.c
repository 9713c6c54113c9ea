/* Fence timelines (VIRTIO_GPU_F_CONTEXT_INIT) through the real worker and
 * ctrl queue, over a fake renderer whose fences complete when the test
 * says: replies with INFO_RING_IDX come back per (context, ring), out of
 * order across rings and in order within one; the global timeline keeps
 * working beside them; CTX_DESTROY releases what its context left parked.
 * Also the pure table of context fences the virgl layer keeps
 * (gpu/virgl_ring.h). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "gpu/gpu_priv.h"
#include "gpu/virgl_ring.h"
#include "tests/unit/gpu_queues.h"
#include "tests/unit/test_gpu_util.h"
#include "tests/unit/vq_builder.h"

/* virtio 1.2 numbers. */
#define OK_NODATA	   0x1100
#define FLAG_FENCE	   1u
#define FLAG_INFO_RING_IDX 2u
#define CMD_CTX_CREATE	   0x0200
#define CMD_CTX_DESTROY	   0x0201
#define CMD_SUBMIT_3D	   0x0207

/* The fake renderer: completions the test posts, reported at retire. */
struct done {
	struct gpu_timeline tl;
	uint64_t id;
};

static struct fake {
	pthread_mutex_t lock;
	int efd;
	struct done todo[64];
	unsigned ntodo;
	unsigned created;
} fk = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t fake_features(void *be)
{
	return 1ull << 0 | 1ull << 4; /* VIRGL, CONTEXT_INIT */
}

static enum gpu_err fake_ctx_create(void *be, uint32_t ctx, const struct gpu_cmd *c)
{
	return GPU_OK;
}

static enum gpu_err fake_ctx_destroy(void *be, uint32_t ctx)
{
	return GPU_OK;
}

static enum gpu_err fake_submit(void *be, uint32_t ctx, const struct gpu_cmd *c)
{
	return GPU_OK;
}

static int fake_fence_fd(void *be)
{
	return fk.efd;
}

static enum gpu_err fake_create_fence(void *be, struct gpu_timeline tl, uint64_t fence_id)
{
	pthread_mutex_lock(&fk.lock);
	fk.created++;
	pthread_mutex_unlock(&fk.lock);
	return GPU_OK;
}

static void fake_retire(void *be, void (*done)(void *, struct gpu_timeline, uint64_t), void *opaque)
{
	uint64_t v;
	struct done todo[64];
	unsigned n;

	if (read(fk.efd, &v, 8) != 8)
		return;
	pthread_mutex_lock(&fk.lock);
	n = fk.ntodo;
	memcpy(todo, fk.todo, sizeof(todo));
	fk.ntodo = 0;
	pthread_mutex_unlock(&fk.lock);
	for (unsigned i = 0; i < n; i++)
		done(opaque, todo[i].tl, todo[i].id);
}

static void fake_destroy(void *be)
{
}

static const struct gpu_backend_ops fake_ops = {
    .name = "fake-fences",
    .destroy = fake_destroy,
    .features = fake_features,
    .ctx_create = fake_ctx_create,
    .ctx_destroy = fake_ctx_destroy,
    .submit_3d = fake_submit,
    .fence_fd = fake_fence_fd,
    .create_fence = fake_create_fence,
    .retire_fences = fake_retire,
};

static int fake_create(const struct gpu_backend_env *env, struct gpu_backend *out, char *err,
		       size_t errlen)
{
	out->ops = &fake_ops;
	out->be = &fk;
	return 0;
}

static struct fake_display fd;
static struct gpu *g;
static struct vqb ctrl, cursor;
static struct virtio_queue queues[2];
static uint8_t req[256];

static void nop_queue(struct virtio_irq *irq, unsigned q)
{
}

static void nop(struct virtio_irq *irq)
{
}

static struct virtio_irq irq = {nop_queue, nop, nop};

static void setup(void)
{
	struct gpu_config cfg = {.outputs = 1,
				 .width = 64,
				 .height = 64,
				 .display = &fd.d,
				 .backend_create = fake_create};

	fk.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	fk.ntodo = fk.created = 0;
	fake_display_init(&fd, 1);
	gpu_queues_init(&ctrl, &cursor, queues, 1 << 20, 64, 1 << 16);
	g = gpu_create(&cfg, NULL, 0);
	cr_assert_not_null(g);
	cr_assert_eq(gpu_virtio_ops.activate(g, 0, &ctrl.gm, queues, &irq), 0);
}

static void teardown(void)
{
	gpu_destroy(g);
	gpu_queues_free(&ctrl, &cursor, queues);
	close(fk.efd);
}

TestSuite(gpu_rings, .init = setup, .fini = teardown, .timeout = 30);

static uint8_t *replies[64]; /* by descriptor head */

static uint16_t post(size_t len)
{
	struct vqb_buf b[2] = {vqb_buf_out(&ctrl, req, (uint32_t)len), vqb_buf_in(&ctrl, 64)};
	uint64_t one = 1;
	uint16_t head = vqb_add_chain(&ctrl, b, 2);

	replies[head] = vqb_host(&ctrl, b[1].gpa);
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

static uint16_t cmd(uint32_t type, uint32_t ctx, uint32_t flags, uint64_t fence, uint8_t ring)
{
	memset(req, 0, 96);
	req_hdr(req, type, flags, fence);
	w32(req, 16, ctx);
	req[20] = ring;
	return post(type == CMD_CTX_CREATE ? 96 : type == CMD_SUBMIT_3D ? 32 : 24);
}

static uint16_t submit(uint32_t ctx, uint8_t ring, uint64_t fence)
{
	return cmd(CMD_SUBMIT_3D, ctx, FLAG_FENCE | FLAG_INFO_RING_IDX, fence, ring);
}

static void complete(uint32_t ctx, uint8_t ring, uint64_t id)
{
	uint64_t one = 1;

	pthread_mutex_lock(&fk.lock);
	fk.todo[fk.ntodo++] = (struct done){{ctx, ring}, id};
	pthread_mutex_unlock(&fk.lock);
	cr_assert_eq(write(fk.efd, &one, 8), 8);
}

static void expect_reply(uint16_t head, uint32_t ctx, uint8_t ring, uint64_t fence)
{
	const uint8_t *r = replies[head];

	cr_assert_eq(r32(r, 0), OK_NODATA);
	cr_assert_eq(r32(r, 4), FLAG_FENCE | FLAG_INFO_RING_IDX);
	cr_assert_eq(r64(r, 8), fence);
	cr_assert_eq(r32(r, 16), ctx);
	cr_assert_eq(r[20], ring);
}

static void expect_none(void)
{
	cr_assert_eq(next_used(50), -1, "a reply came back too early");
}

static void setup_contexts(void)
{
	cmd(CMD_CTX_CREATE, 1, 0, 0, 0);
	cmd(CMD_CTX_CREATE, 2, 0, 0, 0);
	cr_assert_geq(next_used(2000), 0);
	cr_assert_geq(next_used(2000), 0);
}

Test(gpu_rings, out_of_order_across_rings_in_order_within_one)
{
	uint16_t a1, a2, a3, b1, c1, gl;

	setup_contexts();
	a1 = submit(1, 0, 1);
	a2 = submit(1, 0, 2);
	a3 = submit(1, 0, 3);
	b1 = submit(1, 1, 1);
	c1 = submit(2, 0, 1);
	gl = cmd(CMD_SUBMIT_3D, 1, FLAG_FENCE, 100, 0); /* the global timeline */
	expect_none();
	/* The last-created timeline finishes first: only its reply. */
	complete(2, 0, 1);
	cr_assert_eq(next_used(2000), c1);
	expect_reply(c1, 2, 0, 1);
	expect_none();
	/* Ring 1 of context 1, while ring 0 still waits. */
	complete(1, 1, 1);
	cr_assert_eq(next_used(2000), b1);
	expect_reply(b1, 1, 1, 1);
	expect_none();
	/* Ring 0 up to 2: its first two, in order; the third stays. */
	complete(1, 0, 2);
	cr_assert_eq(next_used(2000), a1);
	cr_assert_eq(next_used(2000), a2);
	expect_reply(a2, 1, 0, 2);
	expect_none();
	/* The global timeline beside them. */
	complete(0, 0, 100);
	cr_assert_eq(next_used(2000), gl);
	cr_assert_eq(r32(replies[gl], 4), FLAG_FENCE);
	complete(1, 0, 3);
	cr_assert_eq(next_used(2000), a3);
	cr_assert_eq(fk.created, 6);
}

Test(gpu_rings, a_ring_done_early_releases_only_up_to_its_id)
{
	uint16_t a1;

	setup_contexts();
	a1 = submit(1, 5, 7);
	submit(1, 5, 8);
	/* Another context's ring with the same number does nothing here. */
	complete(2, 5, 8);
	expect_none();
	complete(1, 5, 7);
	cr_assert_eq(next_used(2000), a1);
	expect_reply(a1, 1, 5, 7);
	expect_none();
}

Test(gpu_rings, ctx_destroy_releases_its_parked_replies)
{
	uint16_t a1, a2, c1, d;

	setup_contexts();
	a1 = submit(1, 0, 1);
	a2 = submit(1, 3, 1);
	c1 = submit(2, 0, 1);
	expect_none();
	d = cmd(CMD_CTX_DESTROY, 1, 0, 0, 0);
	/* Context 1's fences will never signal: both released, then the
	 * destroy's own reply; context 2 still waits. */
	cr_assert_eq(next_used(2000), a1);
	cr_assert_eq(next_used(2000), a2);
	cr_assert_eq(next_used(2000), d);
	expect_none();
	complete(2, 0, 1);
	cr_assert_eq(next_used(2000), c1);
}

/* The virgl layer's table of context fences. */
struct seen {
	uint32_t ctx;
	uint8_t ring;
	uint64_t id;
} seen[16];
static unsigned nseen;

static void note(void *opaque, uint32_t ctx, uint8_t ring, uint64_t id)
{
	seen[nseen++] = (struct seen){ctx, ring, id};
}

Test(gpu_virgl_rings, reports_each_timeline_once_and_forgets_a_dead_context)
{
	struct gpu_virgl_rings t;

	nseen = 0;
	cr_assert_eq(gpu_virgl_rings_init(&t, 3), 0);
	gpu_virgl_rings_created(&t, 1, 0, 5);
	gpu_virgl_rings_created(&t, 1, 2, 9);
	gpu_virgl_rings_created(&t, 2, 0, 1);
	cr_assert_not(gpu_virgl_rings_room(&t, 3, 0), "cap of timelines");
	cr_assert(gpu_virgl_rings_room(&t, 1, 2), "a known timeline has room");
	gpu_virgl_rings_done(&t, 1, 2, 9);
	gpu_virgl_rings_done(&t, 1, 0, 4);
	gpu_virgl_rings_done(&t, 1, 0, 5); /* newer report wins */
	gpu_virgl_rings_done(&t, 7, 0, 1); /* unknown: ignored */
	cr_assert_eq(gpu_virgl_rings_drain(&t, note, NULL), 2);
	cr_assert_eq(nseen, 2);
	cr_assert_eq(seen[0].ctx, 1);
	cr_assert_eq(seen[0].ring, 0);
	cr_assert_eq(seen[0].id, 5);
	cr_assert_eq(seen[1].ring, 2);
	cr_assert_eq(seen[1].id, 9);
	cr_assert_eq(gpu_virgl_rings_drain(&t, note, NULL), 0, "reported once");
	/* Context 2 dies with a fence in flight and a report pending: a new
	 * context 2 never sees the old one's report. */
	gpu_virgl_rings_done(&t, 2, 0, 1);
	gpu_virgl_rings_ctx_gone(&t, 2);
	cr_assert(gpu_virgl_rings_room(&t, 3, 0), "its slot is free");
	gpu_virgl_rings_created(&t, 2, 0, 1);
	cr_assert_eq(gpu_virgl_rings_drain(&t, note, NULL), 0);
	gpu_virgl_rings_fini(&t);
}
