/* Mesa's DRI driver, once EGL has loaded it, stays loaded for the rest of
 * the test process. eglTerminate unloads it, and a block that only the
 * driver's static data pointed to then looks leaked to LeakSanitizer
 * (seen with Debian 12's Mesa 22.3.6-1+deb12u2: 128 bytes reallocated from
 * an "<unknown module>" in each virgl test); loaded, the block stays
 * reachable. Tests only: lkvm-gpu loads the driver once and exits. */
#ifndef TESTS_UNIT_DRI_PIN_H
#define TESTS_UNIT_DRI_PIN_H

#include <dlfcn.h>
#include <link.h>
#include <string.h>

struct dri_names {
	const char *name[8];
	unsigned n;
};

static inline int dri_pin_find(struct dl_phdr_info *info, size_t size, void *data)
{
	struct dri_names *d = data;
	const char *n = info->dlpi_name;
	size_t len = n ? strlen(n) : 0;

	(void)size;
	if (len > 7 && !strcmp(n + len - 7, "_dri.so") && d->n < 8)
		d->name[d->n++] = n;
	return 0;
}

static inline void dri_pin_loaded(void)
{
	struct dri_names d = {.n = 0};

	/* Collected first: dlopen inside the iteration would take the
	 * loader's locks again. */
	dl_iterate_phdr(dri_pin_find, &d);
	for (unsigned i = 0; i < d.n; i++)
		dlopen(d.name[i], RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

#endif
