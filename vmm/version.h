#ifndef LKVM_VMM_VERSION_H
#define LKVM_VMM_VERSION_H

#define LKVM_GPU_VERSION "0.1.0"

#endif
