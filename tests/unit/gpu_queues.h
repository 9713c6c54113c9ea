/* The GPU's two queues (ctrl, cursor) over vq_builder memory, each with a
 * kick eventfd, for tests that run the real worker. */
#ifndef TESTS_GPU_QUEUES_H
#define TESTS_GPU_QUEUES_H

#include <criterion/criterion.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/unit/vq_builder.h"
#include "virtio/virtio_dev.h"

static inline void gpu_queues_init(struct vqb *ctrl, struct vqb *cursor, struct virtio_queue q[2],
				   uint64_t ctrl_mem, uint16_t ctrl_size, uint64_t cursor_mem)
{
	vqb_init(ctrl, ctrl_mem, ctrl_size);
	vqb_init(cursor, cursor_mem, 16);
	cr_assert_eq(vqb_vq_init(ctrl, &q[0].vq, false), 0);
	cr_assert_eq(vqb_vq_init(cursor, &q[1].vq, false), 0);
	q[0].kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q[1].kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

static inline void gpu_queues_free(struct vqb *ctrl, struct vqb *cursor, struct virtio_queue q[2])
{
	close(q[0].kick_fd);
	close(q[1].kick_fd);
	vqb_free(ctrl);
	vqb_free(cursor);
}

#endif
