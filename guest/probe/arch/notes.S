/* ELF notes: the PVH entry (so `qemu-system-x86_64 -kernel probe.elf` boots
 * it) and the LKVMGPU note that tells lkvm-gpu this is not a Linux kernel. */
#include "arch/layout.h"

	.section .note.probe, "a"
	.balign 4
	.long 4                     /* namesz: "Xen\0" */
	.long 8                     /* descsz: a 64-bit ELF carries a 64-bit address */
	.long NOTE_TYPE_PVH_ENTRY
	.asciz "Xen"
	.balign 4
	.quad pvh_start32
	.balign 4

	.long 8                     /* namesz: "LKVMGPU\0" */
	.long 4
	.long NOTE_TYPE_LKVMGPU
	.asciz "LKVMGPU"
	.balign 4
	.long 1                     /* note version */
	.balign 4
