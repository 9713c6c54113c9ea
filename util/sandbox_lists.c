/* The allowlists of util/sandbox.h, per thread role, each call with who
 * needs it. clone is allowed to every role for threads only (the filter
 * checks CLONE_THREAD); clone3 gets ENOSYS so glibc uses clone. Not on any
 * list, among others: execve, fork (clone without CLONE_THREAD), socket
 * (but AF_UNIX ones for the GPU worker), bind, listen, ptrace,
 * process_vm_*, mount, setuid and friends, kexec, bpf, perf_event_open,
 * io_uring_*, userfaultfd. */
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "util/sandbox.h"

/* Every thread: memory, locks, logging, time, signals, ending. */
#define COMMON                                                                                     \
	SYS_read,		       /* eventfds, signalfd, pipes */                             \
	    SYS_write,		       /* eventfds, stderr (util/log.c), stdout */                 \
	    SYS_writev,		       /* stdio */                                                 \
	    SYS_close,		       /* teardown, worker stop */                                 \
	    SYS_futex,		       /* pthread mutexes, condvars, join */                       \
	    SYS_mmap,		       /* malloc of large blocks, thread stacks */                 \
	    SYS_munmap,		       /* free of large blocks, thread exit */                     \
	    SYS_mprotect,	       /* malloc arenas, thread stack guards */                    \
	    SYS_madvise,	       /* glibc frees a dead thread's stack */                     \
	    SYS_mremap,		       /* realloc of large blocks */                               \
	    SYS_brk,		       /* malloc */                                                \
	    SYS_rt_sigreturn,	       /* the SIGUSR1 kick that ends KVM_RUN, SIGSYS */            \
	    SYS_rt_sigprocmask,	       /* pthread_create */                                        \
	    SYS_rt_sigaction,	       /* glibc's abort() */                                       \
	    SYS_sigaltstack,	       /* ASan, glibc */                                           \
	    SYS_clock_gettime,	       /* when the vDSO cannot (a migrated TSC) */                 \
	    SYS_clock_nanosleep,       /* short waits */                                           \
	    SYS_nanosleep,	       /* short waits */                                           \
	    SYS_gettid,		       /* log lines, pthread_kill */                               \
	    SYS_getpid,		       /* pthread_kill, raise */                                   \
	    SYS_tgkill,		       /* pthread_kill: kicking a vCPU out of KVM_RUN; raise */    \
	    SYS_sched_yield,	       /* spin locks */                                            \
	    SYS_sched_getaffinity,     /* glibc and Mesa: how many CPUs */                         \
	    SYS_restart_syscall,       /* after a signal */                                        \
	    SYS_set_robust_list,       /* a new thread (glibc) */                                  \
	    SYS_rseq,		       /* a new thread (glibc) */                                  \
	    SYS_prctl,		       /* pthread_setname_np on oneself; the SIGSYS line */        \
	    SYS_exit,		       /* a thread ends */                                         \
	    SYS_exit_group,	       /* the process ends */                                      \
	    SYS_getrandom,	       /* glibc malloc, virtio-rng */                              \
	    SYS_fstat, SYS_newfstatat, /* stdio */                                                 \
	    SYS_lseek,		       /* stdio */                                                 \
	    SYS_poll, SYS_ppoll,       /* waits with a timeout */                                  \
	    SYS_epoll_create1, SYS_epoll_ctl, SYS_epoll_wait, SYS_epoll_pwait, /* workers */       \
	    SYS_eventfd2, /* workers' wake-ups */                                                  \
	    SYS_fcntl,	  /* O_NONBLOCK on an fd */                                                \
	    SYS_ioctl	  /* by request number: the *_ioctls lists below */

/* vCPU threads run the device models' register handlers, and a guest's
 * DRIVER_OK starts the virtio worker on the vCPU that wrote it (the worker
 * inherits this list): so block I/O is here too. openat: pthread_setname_np
 * of the new worker writes /proc/self/task/TID/comm. */
static const int vcpu_list[] = {
    COMMON,
    SYS_openat,		 /* naming that worker: /proc/self/task/TID/comm */
    SYS_seccomp,	 /* that worker narrowing its filter (a filter can only narrow) */
    SYS_pread64,	 /* virtio-blk reads */
    SYS_pwrite64,	 /* virtio-blk writes */
    SYS_preadv,		 /* virtio-blk reads */
    SYS_pwritev,	 /* virtio-blk writes */
    SYS_fsync,		 /* virtio-blk flush */
    SYS_fdatasync,	 /* virtio-blk flush */
    SYS_fallocate,	 /* virtio-blk discard and write-zeroes (punch hole) */
    SYS_timerfd_settime, /* the PIT's and the CI runner's timers */
};

/* A worker started by a vCPU also keeps that vCPU's list; this one narrows
 * it to a device's work: no threads, no opening files. */
static const int virtio_list[] = {
    COMMON,	 SYS_pread64, SYS_pwrite64,  SYS_preadv,
    SYS_pwritev, SYS_fsync,   SYS_fdatasync, SYS_fallocate,
};

/* The GPU worker from before its backend starts (EGL, virglrenderer, Mesa
 * loaded by then are already mapped: the dlopen of libEGL_mesa and LLVM
 * runs under it too), and every thread it makes: llvmpipe's rasterizers,
 * Mesa's shader queues, virglrenderer's vrend-sync. Learned by running
 * the virgl unit tests under SANDBOX_TRAP (tests/unit/test_gpu_virgl.c). */
static const int gpu_list[] = {
    COMMON,
    SYS_sched_setaffinity,  /* Mesa pins its queue threads */
    SYS_openat,		    /* Mesa's shader cache, /proc/self/task/TID/comm, screenshots */
    SYS_memfd_create,	    /* Wayland shm pools */
    SYS_ftruncate,	    /* Wayland shm pools, the shader cache */
    SYS_pread64,	    /* the shader cache */
    SYS_pwrite64,	    /* the shader cache */
    SYS_mkdir,		    /* the shader cache's folder */
    SYS_flock,		    /* the shader cache */
    SYS_rename,		    /* the shader cache, screenshots written then renamed */
    SYS_unlink,		    /* the shader cache */
    SYS_getdents64,	    /* the shader cache */
    SYS_readlink,	    /* Mesa: its own path */
    SYS_getuid,		    /* Mesa: the cache's home */
    SYS_geteuid,	    /* Mesa */
    SYS_sendmsg,	    /* Wayland: requests and fds to the compositor */
    SYS_recvmsg,	    /* Wayland: events */
    SYS_sendto,		    /* Wayland */
    SYS_recvfrom,	    /* Wayland */
    SYS_dup,		    /* Wayland, EGL */
    SYS_pipe2,		    /* Mesa */
    SYS_mincore,	    /* Mesa: checks a pointer */
    SYS_fchmod,		    /* screenshots */
    SYS_fsync,		    /* screenshots */
    SYS_access,		    /* Mesa, EGL: config files */
    SYS_timerfd_settime,    /* a display's frame timer */
    SYS_getgid,		    /* Mesa */
    SYS_getegid,	    /* Mesa */
    SYS_socket,		    /* AF_UNIX only (the filter checks): getpwuid's NSS asks nscd */
    SYS_connect,	    /* the same (Mesa's shader cache looks up our home) */
    SYS_setpriority,	    /* Mesa's queue threads lower their priority */
    SYS_sched_setscheduler, /* the same */
    SYS_sysinfo,	    /* Mesa: the machine's memory (seen at a screenshot) */
};

/* The main loop and everything after it: signals (signalfd), the control
 * socket (accept4, peer credentials), stdin and stdout, the CI runner's
 * timer, serial log and result file, screenshots, teardown. */
static const int main_list[] = {
    COMMON,
    SYS_accept4,	 /* control socket clients */
    SYS_getsockopt,	 /* SO_PEERCRED of a client */
    SYS_sendmsg,	 /* control replies */
    SYS_recvmsg,	 /* control requests */
    SYS_sendto,		 /* control replies, stdout as a socket */
    SYS_recvfrom,	 /* control requests */
    SYS_shutdown,	 /* a finished client */
    SYS_openat,		 /* screenshots, the result file, the serial log */
    SYS_rename,		 /* the result file and screenshots, written then renamed */
    SYS_unlink,		 /* the control socket at exit, a failed temporary */
    SYS_unlinkat,	 /* the same */
    SYS_rmdir,		 /* the control directory at exit */
    SYS_fsync,		 /* the result file */
    SYS_fdatasync,	 /* the serial log */
    SYS_fchmod,		 /* written files */
    SYS_ftruncate,	 /* written files */
    SYS_timerfd_settime, /* the CI runner's --timeout */
    SYS_timerfd_gettime, /* the same */
    SYS_kill,		 /* a signal to ourselves */
    SYS_dup,		 /* stdout */
    SYS_getuid,		 /* the control directory's owner */
    SYS_geteuid,	 /* the same */
    SYS_pread64,	 /* teardown of disks */
    SYS_pwrite64,	 /* the same */
    SYS_access,		 /* the same */
};

/* ioctl requests, per role. Every thread that raises a device's
 * interrupt may need the first three: INTx is KVM_IRQ_LINE, and an MSI-X
 * vector is routed (KVM_SET_GSI_ROUTING, KVM_IRQFD) on its first use
 * after the guest programmed it (pci/msix.c), by whichever thread fires
 * it. stdio asks isatty() (TCGETS) before buffering a stream. A new ioctl
 * on one of these threads must be added here, or the sandbox kills it. */
#define IRQ_IOCTLS                                                                                 \
	KVM_IRQ_LINE,		 /* INTx (--no-msix), the serial port's IRQ 4 */                   \
	    KVM_SET_GSI_ROUTING, /* an MSI-X vector's route */                                     \
	    KVM_IRQFD,		 /* the eventfd that fires it */                                   \
	    TCGETS		 /* isatty() from stdio */

static const uint32_t vcpu_ioctls[] = {
    IRQ_IOCTLS,	   KVM_RUN, /* the vCPU loop */
    KVM_IOEVENTFD,	    /* a queue's doorbell, (un)registered at DRIVER_OK and reset */
    KVM_GET_REGS,	    /* registers of a crash, of the probe's trap report */
    KVM_GET_SREGS,	    /* the same */
};

/* Within the vCPU list it inherits: interrupts only. */
static const uint32_t virtio_ioctls[] = {IRQ_IOCTLS};

/* The GPU worker's set is open-ended: Mesa's DRM drivers each have their
 * own requests (amdgpu, i915, nouveau, virtio-gpu in a guest...), with
 * dma-buf and sync_file ones beside them, and a driver update adds more;
 * llvmpipe, which the tests run, makes none. So any request of another
 * type passes; of KVM's own type only the interrupts (the display's input
 * and the fences raise them). */
static const uint32_t gpu_ioctls[] = {IRQ_IOCTLS};

static const uint32_t main_ioctls[] = {
    IRQ_IOCTLS,	   /* the serial port and virtio-console taking stdin, typed text */
    TCSETS,	   /* the terminal's raw mode and its restoring (tcsetattr TCSANOW) */
    KVM_IOEVENTFD, /* teardown: doorbells deassigned */
    KVM_GET_REGS,  /* --timeout: the vCPUs' registers into the result */
    KVM_GET_SREGS, /* the same */
};

#define N(a) (sizeof(a) / sizeof(a[0]))
#define RULES(list, rule, ioctls)                                                                  \
	{                                                                                          \
		.nr = list, .n = N(list), .ioctl_rule = rule, .ioctl = ioctls,                     \
		.n_ioctl = N(ioctls)                                                               \
	}

static const struct sandbox_rules rules[SANDBOX_ROLES] = {
    [SANDBOX_VCPU] = RULES(vcpu_list, SANDBOX_IOCTL_LISTED, vcpu_ioctls),
    [SANDBOX_VIRTIO] = RULES(virtio_list, SANDBOX_IOCTL_LISTED, virtio_ioctls),
    [SANDBOX_GPU] = RULES(gpu_list, SANDBOX_IOCTL_NOT_KVM, gpu_ioctls),
    [SANDBOX_MAIN] = RULES(main_list, SANDBOX_IOCTL_LISTED, main_ioctls),
};

const struct sandbox_rules *sandbox_rules(enum sandbox_role role)
{
	return &rules[role];
}
