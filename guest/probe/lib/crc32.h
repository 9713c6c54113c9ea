/* CRC-32 (IEEE 802.3, the one of gzip and zlib), so the host can check bytes
 * the guest saw with standard tools. */
#ifndef PROBE_LIB_CRC32_H
#define PROBE_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* crc = 0 to start; feed the previous result to continue. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
