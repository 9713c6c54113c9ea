/* virtio-blk FLUSH reaches the disk: the device must sync the image file
 * (fsync or fdatasync) before it answers, the written data must already be
 * in the file at that moment, and a failing sync must be reported as IOERR.
 * fsync and fdatasync are replaced for this binary by wrappers that record
 * the call and then make the real system call. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/virtio_blk.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tests/unit/vq_builder.h"
#include "virtio/blk.h"

#define DISK_SIZE (64 * 1024)
#define SECTOR	  512

/* What the wrappers saw; `watch_fd` < 0 means "record nothing". */
static int watch_fd = -1;
static int syncs;
static int sync_fail_errno;
static uint8_t at_sync[SECTOR]; /* sector 3 of the file when it was synced */

static int sync_hook(int fd, long nr)
{
	if (fd >= 0 && fd == watch_fd) {
		syncs++;
		if (pread(fd, at_sync, sizeof(at_sync), 3 * SECTOR) != sizeof(at_sync))
			memset(at_sync, 0xff, sizeof(at_sync));
		if (sync_fail_errno) {
			errno = sync_fail_errno;
			return -1;
		}
	}
	return (int)syscall(nr, fd);
}

int fsync(int fd)
{
	return sync_hook(fd, SYS_fsync);
}

int fdatasync(int fd)
{
	return sync_hook(fd, SYS_fdatasync);
}

static char path[64];
static struct vqb b;
static struct virtqueue vq;
static struct vq_elem *elem;
static struct virtio_blk *blk;

static void setup(void)
{
	char err[256];
	int fd;

	strcpy(path, "/tmp/lkvm-blkflush-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, DISK_SIZE), 0);
	close(fd);
	vqb_init(&b, 1 << 20, 16);
	cr_assert_eq(vqb_vq_init(&b, &vq, false), 0);
	elem = calloc(1, sizeof(*elem));
	blk = virtio_blk_create(&(struct virtio_blk_params){.path = path}, err, sizeof(err));
	cr_assert_not_null(blk, "%s", err);
	blk->mem = &b.gm;
	watch_fd = blk->fd;
	syncs = 0;
	sync_fail_errno = 0;
}

static void teardown(void)
{
	watch_fd = -1;
	virtio_blk_destroy(blk);
	unlink(path);
	free(elem);
	vqb_free(&b);
}

TestSuite(blk_flush, .init = setup, .fini = teardown);

/* Header, optional data going to the device, status byte; the status. */
static uint8_t submit(uint32_t type, uint64_t sector, const void *data, uint32_t len)
{
	struct {
		uint32_t type, ioprio;
		uint64_t sector;
	} h = {type, 0, sector};
	struct vqb_buf bufs[3];
	unsigned k = 0;

	bufs[k++] = vqb_buf_out(&b, &h, sizeof(h));
	if (len)
		bufs[k++] = vqb_buf_out(&b, data, len);
	bufs[k++] = vqb_buf_in(&b, 1);
	*(uint8_t *)vqb_host(&b, bufs[k - 1].gpa) = 0xee;
	vqb_add_chain(&b, bufs, k);
	cr_assert_eq(vq_pop(&vq, elem), 1);
	virtio_blk_request(blk, elem);
	return *(uint8_t *)vqb_host(&b, bufs[k - 1].gpa);
}

Test(blk_flush, syncs_the_image_after_the_write_is_in_the_file)
{
	uint8_t data[SECTOR];

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 5);
	cr_assert_eq(submit(VIRTIO_BLK_T_OUT, 3, data, sizeof(data)), VIRTIO_BLK_S_OK);
	cr_assert_eq(submit(VIRTIO_BLK_T_FLUSH, 0, NULL, 0), VIRTIO_BLK_S_OK);
	cr_assert_geq(syncs, 1, "FLUSH answered OK without fsync/fdatasync of the image");
	cr_assert_arr_eq(at_sync, data, sizeof(data),
			 "the written sector was not in the file when it was synced");
}

Test(blk_flush, failing_sync_is_ioerr)
{
	sync_fail_errno = EIO;
	cr_assert_eq(submit(VIRTIO_BLK_T_FLUSH, 0, NULL, 0), VIRTIO_BLK_S_IOERR);
	cr_assert_geq(syncs, 1);
}
