/* A 128-byte EDID 1.4 block describing one virtual monitor whose preferred
 * (first detailed) timing is the output's size at 60 Hz. */
#ifndef LKVM_GPU_EDID_H
#define LKVM_GPU_EDID_H

#include <stdint.h>

#define GPU_EDID_SIZE 128

void gpu_edid_build(uint8_t edid[GPU_EDID_SIZE], uint32_t width, uint32_t height, unsigned output);

#endif
