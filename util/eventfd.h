/* The two things every thread does with an eventfd: signal it, and drain it
 * after a wake-up. Both are non-fatal: a write only fails if the counter
 * would overflow (a wake-up is pending anyway), a read of a non-blocking
 * eventfd with nothing pending gives EAGAIN. Other errors are logged. */
#ifndef LKVM_EVENTFD_H
#define LKVM_EVENTFD_H

void efd_signal(int fd, const char *who);
void efd_drain(int fd, const char *who);

#endif
