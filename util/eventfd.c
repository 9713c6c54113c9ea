#include "util/eventfd.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

void efd_signal(int fd, const char *who)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("%s: eventfd write: %s", who, strerror(errno));
}

void efd_drain(int fd, const char *who)
{
	uint64_t v;

	if (fd >= 0 && read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_error("%s: eventfd read: %s", who, strerror(errno));
}
