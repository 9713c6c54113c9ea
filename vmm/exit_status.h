/* The exit statuses of `lkvm-gpu run` (README, "Exit status"). The guest's
 * own value with --test-exit and 128+N on signal N come on top. */
#ifndef LKVM_VMM_EXIT_STATUS_H
#define LKVM_VMM_EXIT_STATUS_H

#define EXIT_STATUS_OK		 0 /* guest reboot/poweroff, `stop`; every --expect seen */
#define EXIT_STATUS_CRASH	 1 /* the guest crashed (kvm/vcpu.c) */
#define EXIT_STATUS_USAGE	 2 /* bad usage or setup */
#define EXIT_STATUS_FAIL_ON	 3 /* a --fail-on pattern was seen */
#define EXIT_STATUS_TIMEOUT	 4 /* --timeout ran out first */
#define EXIT_STATUS_EXPECT_UNMET 5 /* the VM ended well before every --expect was seen */
#define EXIT_STATUS_SIGNAL_BASE	 128

#endif
