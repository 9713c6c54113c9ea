/* Whole-file reads for kernel and initrd images. */
#ifndef LKVM_FILE_H
#define LKVM_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Returns a malloc'ed buffer, or NULL with one line in err. max bounds the
 * size we are willing to read. */
void *file_read_all(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
