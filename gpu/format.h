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

#endif
