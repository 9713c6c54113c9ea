/* `lkvm-gpu run` options: parsed once in main, read only by the composition
 * root (vmm/), which turns them into each device's own config. */
#ifndef LKVM_VMM_OPTIONS_H
#define LKVM_VMM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#define OPT_MAX_DISKS	  8
#define OPT_MAX_PATTERNS  32 /* of --expect, and of --fail-on */
#define OPT_MAX_TIMEOUT_S 1000000
#define OPT_MAX_TYPES	  32 /* of --type and --type-after */
#define OPT_MAX_SCREENS	  16 /* of --expect-screen */

struct disk_option {
	const char *path;
	bool read_only;
};

enum console_kind { CONSOLE_SERIAL, CONSOLE_VIRTIO };

/* --type TEXT (after NULL) or --type-after REGEX:TEXT. */
struct type_option {
	const char *after;
	const char *text;
};

struct run_options {
	const char *kernel; /* NULL: the built probe guest */
	const char *initrd;
	const char *cmdline;
	const char *name; /* VM name (control socket, window title) */
	uint64_t mem_mib;
	unsigned cpus;
	bool test_exit;
	bool debug;
	bool no_sandbox;  /* --no-sandbox: no seccomp filters */
	const char *user; /* --user: drop root to it after setup (NULL: stay) */
	enum console_kind console;
	struct disk_option disks[OPT_MAX_DISKS];
	unsigned nr_disks;
	bool rng;  /* virtio-rng, on by default */
	bool msix; /* PCI devices offer MSI-X (on by default; off: --no-msix, INTx only) */

	/* GPU and its display */
	const char *gpu; /* NULL: no GPU; "headless", "wayland", "wayland,headless" */
	enum gpu_backend_kind { GPU_BACKEND_2D, GPU_BACKEND_VIRGL } gpu_backend;
	bool gpu_backend_set;
	unsigned gpu_outputs;
	unsigned width, height;
	uint64_t gpu_mem_mib;
	const char *screenshot;

	/* Keyboard, tablet and mouse (vmm/input.c): --input, or a display
	 * that delivers input (wayland, x11), or typed text. */
	bool input;
	struct type_option types[OPT_MAX_TYPES];
	unsigned nr_types;

	/* CI runs (vmm/ci.c, README "Running in CI") */
	uint64_t timeout_ms; /* 0: none */
	const char *expects[OPT_MAX_PATTERNS];
	unsigned nr_expects;
	const char *fail_ons[OPT_MAX_PATTERNS];
	unsigned nr_fail_ons;
	const char *serial_log;
	const char *result;
	/* --expect-screen arguments as given (vmm/ci_screen_spec.h). */
	const char *expect_screens[OPT_MAX_SCREENS];
	unsigned nr_expect_screens;
	/* The arguments of `run` as given, for --result; set by main. */
	int argc;
	char **argv;
};

/* Parse argv of `run` (argv[0] is "run"). On error writes one line to err and
 * returns -1; on --help returns 1. Pure: no I/O. */
int options_parse_run(int argc, char **argv, struct run_options *o, char *err, unsigned errlen);
void options_print_run_help(void);
/* Does the --gpu mode list name a display that delivers input? */
bool options_gpu_has_input(const char *gpu);
/* Seconds above 0 with up to 3 decimals, at most OPT_MAX_TIMEOUT_S, as ms
 * (--timeout, and `lkvm-gpu wait --timeout`). 0 or -1. */
int options_parse_seconds(const char *s, uint64_t *ms);

#endif
