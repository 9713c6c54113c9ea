/* lkvm-gpu: a small KVM virtual machine monitor with a virtio-gpu device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/ci_match.h"
#include "vmm/control.h"
#include "vmm/exit_status.h"
#include "util/log.h"
#include "vmm/options.h"
#include "vmm/run.h"
#include "vmm/version.h"
#include "kvm/vcpu.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: lkvm-gpu COMMAND [options]\n"
	    "\n"
	    "commands:\n"
	    "  run       boot a guest (lkvm-gpu run --help for its options)\n"
	    "  list [--json]               names of the running VMs (--json: name, pid, socket)\n"
	    "  stop NAME                   stop a running VM (its exit status is 0)\n"
	    "  screenshot NAME FILE.png    save a running VM's screen\n"
	    "  type NAME TEXT              type TEXT on the VM's keyboard (run --input);\n"
	    "            keys spelled <ret> <tab> <esc> <bs> <up> <ctrl-c> ... (README)\n"
	    "  wait NAME --expect REGEX [--timeout SECONDS]\n"
	    "            until a console line of the VM matches (the last 50 lines count too):\n"
	    "            prints it and exits 0; 4 on timeout, 1 if the VM ends first\n"
	    "  version   print the version\n"
	    "  help      this text\n"
	    "\n"
	    "example: lkvm-gpu run -k bzImage -i initrd.img -p \"console=ttyS0\" -m 512 -c 2\n");
}

/* The benchmark passes its spawn time so we can report time to first KVM_RUN
 * from both the spawn and our own main(). */
static void read_t0(void)
{
	const char *t0 = getenv("LKVM_GPU_T0_NS");
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	vcpu_set_t0_ns(t0 ? strtoull(t0, NULL, 10) : 0,
		       (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec);
}

/* The arguments of `run` as given, for --result: parsing reorders argv
 * and cuts ",ro" off --disk values in place. Lives as long as the process. */
static char **copy_args(int argc, char **argv)
{
	char **copy = calloc(argc + 1, sizeof(*copy));

	for (int i = 0; copy && i < argc; i++)
		if (!(copy[i] = strdup(argv[i])))
			copy[i] = "?";
	return copy;
}

/* lkvm-gpu wait NAME --expect REGEX [--timeout SECONDS] */
static int cmd_wait(int argc, char **argv)
{
	const char *regex = NULL;
	uint64_t timeout_ms = 0;
	char err[512];

	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--expect") && !regex) {
			regex = argv[i + 1];
		} else if (!strcmp(argv[i], "--timeout") &&
			   !options_parse_seconds(argv[i + 1], &timeout_ms)) {
		} else {
			fprintf(stderr, "lkvm-gpu: wait: bad argument '%s' (try lkvm-gpu help)\n",
				argv[i]);
			return EXIT_STATUS_USAGE;
		}
	}
	if (argc % 2 == 0 || !regex || !*regex) {
		fprintf(stderr, "lkvm-gpu: wait NAME --expect REGEX [--timeout SECONDS]\n");
		return EXIT_STATUS_USAGE;
	}
	if (ci_pattern_check("--expect", regex, err, sizeof(err))) {
		fprintf(stderr, "lkvm-gpu: wait: %s\n", err);
		return EXIT_STATUS_USAGE;
	}
	return control_cmd_wait(argv[2], regex, (long long)timeout_ms);
}

int main(int argc, char **argv)
{
	struct run_options o;
	char err[512], **given;
	int r;

	read_t0();
	if (argc < 2) {
		usage(stderr);
		return EXIT_STATUS_USAGE;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("lkvm-gpu %s\n", LKVM_GPU_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "list") && argc == 2)
		return control_cmd_list(false);
	if (!strcmp(argv[1], "list") && argc == 3 && !strcmp(argv[2], "--json"))
		return control_cmd_list(true);
	if (!strcmp(argv[1], "wait") && argc >= 3)
		return cmd_wait(argc, argv);
	if (!strcmp(argv[1], "stop") && argc == 3)
		return control_cmd_stop(argv[2]);
	if (!strcmp(argv[1], "screenshot") && argc == 4)
		return control_cmd_screenshot(argv[2], argv[3]);
	if (!strcmp(argv[1], "type") && argc == 4)
		return control_cmd_type(argv[2], argv[3]);
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "stop") || !strcmp(argv[1], "wait") ||
	    !strcmp(argv[1], "screenshot") || !strcmp(argv[1], "type")) {
		fprintf(stderr, "lkvm-gpu: wrong arguments for '%s' (try lkvm-gpu help)\n",
			argv[1]);
		return EXIT_STATUS_USAGE;
	}
	if (strcmp(argv[1], "run")) {
		fprintf(stderr, "lkvm-gpu: unknown command '%s' (try lkvm-gpu help)\n", argv[1]);
		return EXIT_STATUS_USAGE;
	}
	given = copy_args(argc - 1, argv + 1);
	r = options_parse_run(argc - 1, argv + 1, &o, err, sizeof(err));
	if (r == 1) {
		options_print_run_help();
		return 0;
	}
	if (r < 0) {
		fprintf(stderr, "lkvm-gpu: %s\n", err);
		return EXIT_STATUS_USAGE;
	}
	o.argc = given ? argc - 1 : 0;
	o.argv = given;
	return run_vm(&o);
}
