#include "kvm/acpi.h"

int acpi_write(const struct guest_mem *mem, unsigned nr_cpus, uint64_t *rsdp)
{
	*rsdp = 0;
	return 0;
}
