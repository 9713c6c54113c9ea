/* Logging: one process-wide logger (the only global besides signal state).
 * log_guest_error() and log_guest_debug() are rate limited: a hostile guest
 * cannot flood the host. */
#ifndef LKVM_LOG_H
#define LKVM_LOG_H

#include <stdbool.h>

extern bool log_debug_enabled;

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The guest did something the protocol forbids. At most a few lines per
 * second are printed; the rest are counted and summarised. */
void log_guest_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A --debug line that the guest can cause as often as it likes (features
 * negotiated, worker statistics: both at every device reset). Rate limited
 * like log_guest_error, on a budget of its own. */
void log_guest_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
