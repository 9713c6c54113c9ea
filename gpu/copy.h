/* Bulk copies of guest pixels into host images. Large transfers go through
 * non-temporal stores: a full frame is bigger than the caches, and the
 * streamed copy skips the read-for-ownership of every destination line
 * (the 4 KiB pieces of scattered backing otherwise copy at about half of
 * a large memcpy's rate). */
#ifndef LKVM_GPU_COPY_H
#define LKVM_GPU_COPY_H

#include <stddef.h>

/* Transfers at least this big are streamed. */
#define GPU_STREAM_MIN (256u * 1024)

/* Copy n bytes, bypassing the cache where the CPU allows. */
void gpu_copy_stream(void *dst, const void *src, size_t n);
/* Order streamed stores before whatever the caller publishes next (the used
 * ring, a frame the display reads from another thread). */
void gpu_copy_stream_done(void);

#endif
