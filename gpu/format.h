/* The virtio-gpu 2D formats and the pixman formats that describe the same
 * bytes on this (little-endian) host. virtio names list bytes in memory
 * order; pixman names list bits of a 32-bit word from the top, so the two
 * read in opposite directions. */
#ifndef LKVM_GPU_FORMAT_H
#define LKVM_GPU_FORMAT_H

#include <pixman.h>
#include <stdbool.h>
#include <stdint.h>

#define GPU_FORMAT_BPP 4 /* every 2D format is 32 bits a pixel */

/* false if fmt is not one of the spec's 2D formats. */
bool gpu_format_to_pixman(uint32_t fmt, pixman_format_code_t *out);

/* The 64x64 cursor image at pixels (format pf, rows stride bytes apart) as
 * PIXMAN_a8r8g8b8 into argb; false if pixman runs out of memory. Both
 * backends sample their cursors through it. */
bool gpu_format_cursor(pixman_format_code_t pf, void *pixels, uint32_t stride, uint32_t *argb);

#endif
