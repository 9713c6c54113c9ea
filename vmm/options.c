#include "vmm/options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display/display.h"
#include "gpu/gpu.h"
#include "vmm/ci_match.h"
#include "vmm/keymap.h"
#include "vmm/ci_screen_spec.h"

#define MEM_DEFAULT_MIB 512
#define MEM_MIN_MIB	64
#define MEM_MAX_MIB	(32 * 1024) /* RAM must stay below the 64-bit PCI window */
#define CPUS_MAX	64
#define RES_MIN		16
#define RES_MAX		16384
#define GPU_MEM_MIN_MIB 16
#define GPU_MEM_MAX_MIB 65536

enum {
	OPT_TEST_EXIT = 256,
	OPT_DEBUG,
	OPT_CONSOLE,
	OPT_NAME,
	OPT_NO_RNG,
	OPT_NO_MSIX,
	OPT_GPU,
	OPT_GPU_OUTPUTS,
	OPT_RESOLUTION,
	OPT_GPU_MEM,
	OPT_GPU_BACKEND,
	OPT_SCREENSHOT,
	OPT_TIMEOUT,
	OPT_EXPECT,
	OPT_FAIL_ON,
	OPT_SERIAL_LOG,
	OPT_RESULT,
	OPT_INPUT,
	OPT_TYPE,
	OPT_TYPE_AFTER,
	OPT_EXPECT_SCREEN,
	OPT_NO_SANDBOX,
	OPT_USER,
};

static const struct option long_opts[] = {
    {"kernel", required_argument, NULL, 'k'},
    {"initrd", required_argument, NULL, 'i'},
    {"params", required_argument, NULL, 'p'},
    {"mem", required_argument, NULL, 'm'},
    {"cpus", required_argument, NULL, 'c'},
    {"disk", required_argument, NULL, 'd'},
    {"name", required_argument, NULL, OPT_NAME},
    {"console", required_argument, NULL, OPT_CONSOLE},
    {"no-rng", no_argument, NULL, OPT_NO_RNG},
    {"no-msix", no_argument, NULL, OPT_NO_MSIX},
    {"test-exit", no_argument, NULL, OPT_TEST_EXIT},
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
    {"user", required_argument, NULL, OPT_USER},
    {"gpu", required_argument, NULL, OPT_GPU},
    {"gpu-outputs", required_argument, NULL, OPT_GPU_OUTPUTS},
    {"resolution", required_argument, NULL, OPT_RESOLUTION},
    {"gpu-mem", required_argument, NULL, OPT_GPU_MEM},
    {"gpu-backend", required_argument, NULL, OPT_GPU_BACKEND},
    {"screenshot", required_argument, NULL, OPT_SCREENSHOT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"expect", required_argument, NULL, OPT_EXPECT},
    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
    {"serial-log", required_argument, NULL, OPT_SERIAL_LOG},
    {"result", required_argument, NULL, OPT_RESULT},
    {"input", no_argument, NULL, OPT_INPUT},
    {"type", required_argument, NULL, OPT_TYPE},
    {"type-after", required_argument, NULL, OPT_TYPE_AFTER},
    {"expect-screen", required_argument, NULL, OPT_EXPECT_SCREEN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void options_print_run_help(void)
{
	char modes[128];

	display_mode_names(modes, sizeof(modes));
	printf("usage: lkvm-gpu run [options]\n"
	       "\n"
	       "Boot a guest under KVM. With no --kernel, boots the built probe guest.\n"
	       "\n"
	       "  -k, --kernel FILE      bzImage or ELF64 (vmlinux, probe guest)\n"
	       "  -i, --initrd FILE      initial ramdisk\n"
	       "  -p, --params TEXT      kernel command line\n"
	       "  -m, --mem SIZE         guest RAM in MiB, or with a G/M suffix (default %d,\n"
	       "                         %d MiB to %d GiB)\n"
	       "  -c, --cpus N           vCPUs (default 1, at most %d)\n"
	       "  -d, --disk FILE[,ro]   virtio-blk disk image, repeatable (at most %d)\n"
	       "      --console KIND     serial (default) or virtio (hvc0; serial stays too)\n"
	       "      --no-rng           no virtio-rng device\n"
	       "      --no-msix          PCI devices offer INTx only (no MSI-X capability)\n"
	       "      --name NAME        VM name (control socket, window title)\n"
	       "      --gpu MODES        virtio-gpu display: %s, or a list\n"
	       "                         tried in order, e.g. wayland,x11,headless\n"
	       "                         (x11: LKVM_X11_NO_SHM=1 forces PutImage over MIT-SHM)\n"
	       "      --gpu-outputs N    scanouts, 1 to %d (default 1)\n"
	       "      --resolution WxH   output size (default %ux%u)\n"
	       "      --gpu-mem MiB      host memory cap for guest GPU resources (default %u)\n"
	       "      --gpu-backend B    2d (default) or virgl: OpenGL for the guest through\n"
	       "                         virglrenderer (needs EGL and Mesa; exit 2 if it cannot "
	       "start)\n"
	       "      --screenshot FILE  write the last frame as PNG when the VM ends\n"
	       "      --timeout SECONDS  stop the VM after this long (exit 4); a screenshot of\n"
	       "                         each output is kept (see --result)\n"
	       "      --expect REGEX     succeed (exit 0) once the console (ttyS0, hvc0) showed\n"
	       "                         a line matching each --expect in turn; repeatable\n"
	       "      --fail-on REGEX    fail at once (exit 3) on a console line matching it;\n"
	       "                         repeatable\n"
	       "      --serial-log FILE  the whole console with host timestamps, as it comes\n"
	       "      --result FILE.json how the run ended, as one JSON object (README)\n"
	       "      --input            virtio-input keyboard, tablet and mouse (implied by a\n"
	       "                         wayland or x11 display, and by --type)\n"
	       "      --type TEXT        type TEXT on the keyboard once its driver is ready;\n"
	       "                         keys spelled <ret> <tab> <esc> <bs> <up> <ctrl-c> ...\n"
	       "                         (README, \"Typing into the guest\")\n"
	       "      --type-after REGEX:TEXT  type TEXT once a console line (or the prompt\n"
	       "                         being printed) matches REGEX; in order with --type;\n"
	       "                         write a ':' in REGEX as \\:\n"
	       "      --expect-screen REF.png[,tol=N][,rect=X,Y,W,H][,output=N]\n"
	       "                         succeed only once the output showed each reference in\n"
	       "                         turn (within tol per channel, in rect); repeatable\n"
	       "      --test-exit        let the guest set the exit status (port 0xf4)\n"
	       "      --debug            verbose log: host KVM, boot, devices, registers\n"
	       "      --no-sandbox       no seccomp filters on the VMM's threads\n"
	       "      --user NAME|UID[:GID]  started as root: become that user once /dev/kvm,\n"
	       "                         the disks, the control socket and the display are\n"
	       "                         open, before the guest runs (README, \"Sandbox\")\n"
	       "  -h, --help             this text\n"
	       "\n"
	       "Exit status: 0 guest rebooted or powered off, or every --expect (and\n"
	       "--expect-screen) seen; the guest's value with --test-exit; 1 guest crashed\n"
	       "(triple fault, KVM error); 2 bad usage or setup; 3 a --fail-on pattern seen;\n"
	       "4 --timeout ran out; 5 the guest ended before every --expect (and\n"
	       "--expect-screen) was seen; 128+N stopped by signal N.\n"
	       "Serial console: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A.\n",
	       MEM_DEFAULT_MIB, MEM_MIN_MIB, MEM_MAX_MIB / 1024, CPUS_MAX, OPT_MAX_DISKS, modes,
	       DISPLAY_MAX_OUTPUTS, GPU_DEFAULT_WIDTH, GPU_DEFAULT_HEIGHT, GPU_DEFAULT_MEM_MIB);
}

/* Whole-string unsigned decimal in [min, max]. */
static int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_mem(const char *s, uint64_t *mib)
{
	char buf[32];
	size_t n = strlen(s);
	uint64_t mult = 1, v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	if (buf[n - 1] == 'G' || buf[n - 1] == 'g') {
		mult = 1024;
		buf[--n] = 0;
	} else if (buf[n - 1] == 'M' || buf[n - 1] == 'm') {
		buf[--n] = 0;
	}
	if (parse_uint(buf, 1, UINT32_MAX, &v) || __builtin_mul_overflow(v, mult, &v))
		return -1;
	if (v < MEM_MIN_MIB || v > MEM_MAX_MIB)
		return -1;
	*mib = v;
	return 0;
}

static int parse_disk(const char *s, struct disk_option *d)
{
	const char *comma = strchr(s, ',');

	d->read_only = false;
	d->path = s;
	if (!comma)
		return *s ? 0 : -1;
	if (comma == s || strcmp(comma, ",ro") != 0)
		return -1;
	/* The path is s up to the comma: cut it in place (argv is writable). */
	*(char *)comma = 0;
	d->read_only = true;
	return 0;
}

static int parse_resolution(const char *s, unsigned *w, unsigned *h)
{
	char buf[32], *x;
	uint64_t vw, vh;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	x = strchr(buf, 'x');
	if (!x)
		return -1;
	*x = 0;
	if (parse_uint(buf, RES_MIN, RES_MAX, &vw) || parse_uint(x + 1, RES_MIN, RES_MAX, &vh))
		return -1;
	*w = vw;
	*h = vh;
	return 0;
}

static int valid_gpu_modes(const char *s)
{
	char buf[128], *save, *tok;

	if (!*s || strlen(s) >= sizeof(buf))
		return 0;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!display_mode_known(tok))
			return 0;
	return s[strlen(s) - 1] != ',';
}

/* Seconds as decimal digits with up to 3 decimals ("30", "2.5"), more
 * than 0 and at most OPT_MAX_TIMEOUT_S, in milliseconds. */
int options_parse_seconds(const char *s, uint64_t *ms)
{
	char whole[16];
	const char *dot = strchr(s, '.');
	size_t n = dot ? (size_t)(dot - s) : strlen(s);
	uint64_t secs, frac = 0, decimals = dot ? strlen(dot + 1) : 0;

	if (n == 0 || n >= sizeof(whole) || (dot && (decimals == 0 || decimals > 3)))
		return -1;
	memcpy(whole, s, n);
	whole[n] = 0;
	if (parse_uint(whole, 0, OPT_MAX_TIMEOUT_S, &secs))
		return -1;
	if (dot && parse_uint(dot + 1, 0, 999, &frac))
		return -1;
	while (decimals++ < 3)
		frac *= 10;
	*ms = secs * 1000 + frac;
	return *ms > 0 && *ms <= OPT_MAX_TIMEOUT_S * 1000ull ? 0 : -1;
}

/* Writes the one-line error; returns -1 so callers can `return fail(...)`. */
static int __attribute__((format(printf, 3, 4)))
fail(char *err, unsigned errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void set_defaults(struct run_options *o)
{
	memset(o, 0, sizeof(*o));
	o->mem_mib = MEM_DEFAULT_MIB;
	o->cpus = 1;
	o->rng = true;
	o->msix = true;
	o->console = CONSOLE_SERIAL;
	o->gpu_outputs = 1;
	o->width = GPU_DEFAULT_WIDTH;
	o->height = GPU_DEFAULT_HEIGHT;
	o->gpu_mem_mib = GPU_DEFAULT_MEM_MIB;
}

/* An option not handled by the function it was offered to. */
#define NOT_MINE 1

/* The machine: images, RAM, CPUs, naming, debugging. */
static int parse_machine_option(int c, char *arg, struct run_options *o, char *err, unsigned errlen)
{
	uint64_t v;

	switch (c) {
	case 'k':
		o->kernel = arg;
		return 0;
	case 'i':
		o->initrd = arg;
		return 0;
	case 'p':
		o->cmdline = arg;
		return 0;
	case 'm':
		if (parse_mem(arg, &o->mem_mib))
			return fail(err, errlen, "--mem: '%s' is not a size from %d MiB to %d GiB",
				    arg, MEM_MIN_MIB, MEM_MAX_MIB / 1024);
		return 0;
	case 'c':
		if (parse_uint(arg, 1, CPUS_MAX, &v))
			return fail(err, errlen, "--cpus: '%s' is not a number from 1 to %d", arg,
				    CPUS_MAX);
		o->cpus = v;
		return 0;
	case OPT_NAME:
		if (!*arg || strlen(arg) > 64 || strchr(arg, '/'))
			return fail(err, errlen, "--name: '%s' must be 1-64 characters without '/'",
				    arg);
		o->name = arg;
		return 0;
	case OPT_TEST_EXIT:
		o->test_exit = true;
		return 0;
	case OPT_NO_SANDBOX:
		o->no_sandbox = true;
		return 0;
	case OPT_USER: /* looked up when the machine is built (vmm/machine_user.c) */
		if (!*arg)
			return fail(err, errlen, "--user: give a user name or UID");
		o->user = arg;
		return 0;
	case OPT_DEBUG:
		o->debug = true;
		return 0;
	}
	return NOT_MINE;
}

/* The simple virtio devices and how PCI offers interrupts. */
static int parse_device_option(int c, char *arg, struct run_options *o, char *err, unsigned errlen)
{
	switch (c) {
	case 'd':
		if (o->nr_disks == OPT_MAX_DISKS)
			return fail(err, errlen, "--disk: at most %d disks", OPT_MAX_DISKS);
		if (parse_disk(arg, &o->disks[o->nr_disks]))
			return fail(err, errlen, "--disk: '%s' is not FILE or FILE,ro", arg);
		o->nr_disks++;
		return 0;
	case OPT_CONSOLE:
		if (!strcmp(arg, "serial"))
			o->console = CONSOLE_SERIAL;
		else if (!strcmp(arg, "virtio"))
			o->console = CONSOLE_VIRTIO;
		else
			return fail(err, errlen, "--console: '%s' is not serial or virtio", arg);
		return 0;
	case OPT_NO_RNG:
		o->rng = false;
		return 0;
	case OPT_NO_MSIX:
		o->msix = false;
		return 0;
	}
	return NOT_MINE;
}

/* The GPU and its display. */
static int parse_gpu_option(int c, char *arg, struct run_options *o, char *err, unsigned errlen)
{
	char modes[128];
	uint64_t v;

	switch (c) {
	case OPT_GPU:
		if (!valid_gpu_modes(arg)) {
			display_mode_names(modes, sizeof(modes));
			return fail(err, errlen, "--gpu: '%s' is not a list of %s", arg, modes);
		}
		o->gpu = arg;
		return 0;
	case OPT_GPU_OUTPUTS:
		if (parse_uint(arg, 1, DISPLAY_MAX_OUTPUTS, &v))
			return fail(err, errlen, "--gpu-outputs: '%s' is not a number from 1 to %d",
				    arg, DISPLAY_MAX_OUTPUTS);
		o->gpu_outputs = v;
		return 0;
	case OPT_RESOLUTION:
		if (parse_resolution(arg, &o->width, &o->height))
			return fail(err, errlen, "--resolution: '%s' is not WxH (%d to %d each)",
				    arg, RES_MIN, RES_MAX);
		return 0;
	case OPT_GPU_MEM:
		if (parse_uint(arg, GPU_MEM_MIN_MIB, GPU_MEM_MAX_MIB, &v))
			return fail(err, errlen,
				    "--gpu-mem: '%s' is not a number of MiB from %d to %d", arg,
				    GPU_MEM_MIN_MIB, GPU_MEM_MAX_MIB);
		o->gpu_mem_mib = v;
		return 0;
	case OPT_GPU_BACKEND:
		if (!strcmp(arg, "2d"))
			o->gpu_backend = GPU_BACKEND_2D;
		else if (!strcmp(arg, "virgl"))
			o->gpu_backend = GPU_BACKEND_VIRGL;
		else
			return fail(err, errlen, "--gpu-backend: '%s' is not 2d or virgl", arg);
		o->gpu_backend_set = true;
		return 0;
	case OPT_SCREENSHOT:
		if (!*arg)
			return fail(err, errlen, "--screenshot: empty file name");
		o->screenshot = arg;
		return 0;
	}
	return NOT_MINE;
}

/* A console pattern: one more of at most OPT_MAX_PATTERNS, and it compiles. */
static int add_pattern(const char *opt, char *arg, const char **list, unsigned *n, char *err,
		       unsigned errlen)
{
	if (*n == OPT_MAX_PATTERNS)
		return fail(err, errlen, "%s: at most %d patterns", opt, OPT_MAX_PATTERNS);
	if (!*arg)
		return fail(err, errlen, "%s: empty pattern (it would match every line)", opt);
	if (ci_pattern_check(opt, arg, err, errlen))
		return -1;
	list[(*n)++] = arg;
	return 0;
}

bool options_gpu_has_input(const char *gpu)
{
	char buf[128], *save, *tok;

	if (!gpu || strlen(gpu) >= sizeof(buf))
		return false;
	strcpy(buf, gpu);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, "wayland") || !strcmp(tok, "x11"))
			return true;
	return false;
}

/* --type TEXT, --type-after REGEX:TEXT: the REGEX ends at the first ':'
 * not written as "\:" (cut in place, "\:" unescaped); both are checked now
 * so a bad spelling stops the run before anything boots. */
static int add_type(int c, char *arg, struct run_options *o, char *err, unsigned errlen)
{
	const char *opt = c == OPT_TYPE ? "--type" : "--type-after";
	struct type_option *t = &o->types[o->nr_types];
	struct key_action *acts;
	char kerr[512];
	size_t n;

	if (o->nr_types == OPT_MAX_TYPES)
		return fail(err, errlen, "%s: at most %d of --type and --type-after", opt,
			    OPT_MAX_TYPES);
	*t = (struct type_option){.text = arg};
	if (c == OPT_TYPE_AFTER) {
		char *r = arg, *w = arg;

		while (*r && *r != ':') {
			if (r[0] == '\\' && r[1] == ':')
				r++;
			*w++ = *r++;
		}
		if (*r != ':' || w == arg)
			return fail(err, errlen, "--type-after: '%s' is not REGEX:TEXT", arg);
		t->text = r + 1;
		*w = 0;
		t->after = arg;
		if (ci_pattern_check(opt, arg, err, errlen))
			return -1;
	}
	if (keymap_parse(t->text, &acts, &n, kerr, sizeof(kerr)))
		return fail(err, errlen, "%s: %s", opt, kerr);
	free(acts);
	o->nr_types++;
	o->input = true;
	return 0;
}

/* A screen expectation: its syntax now, its file when the run starts. */
static int add_screen(char *arg, struct run_options *o, char *err, unsigned errlen)
{
	struct ci_screen_spec spec;

	_Static_assert(OPT_MAX_SCREENS == CI_MAX_SCREENS, "options and runner agree on the bound");
	if (o->nr_expect_screens == OPT_MAX_SCREENS)
		return fail(err, errlen, "--expect-screen: at most %d references", OPT_MAX_SCREENS);
	if (ci_screen_spec_parse(arg, &spec, err, errlen))
		return -1;
	o->expect_screens[o->nr_expect_screens++] = arg;
	return 0;
}

/* Running in CI: the verdict and where it is written. */
static int parse_ci_option(int c, char *arg, struct run_options *o, char *err, unsigned errlen)
{
	switch (c) {
	case OPT_TIMEOUT:
		if (options_parse_seconds(arg, &o->timeout_ms))
			return fail(err, errlen,
				    "--timeout: '%s' is not a number of seconds above 0 and at "
				    "most %d (up to 3 decimals)",
				    arg, OPT_MAX_TIMEOUT_S);
		return 0;
	case OPT_EXPECT:
		return add_pattern("--expect", arg, o->expects, &o->nr_expects, err, errlen);
	case OPT_FAIL_ON:
		return add_pattern("--fail-on", arg, o->fail_ons, &o->nr_fail_ons, err, errlen);
	case OPT_EXPECT_SCREEN:
		return add_screen(arg, o, err, errlen);
	case OPT_SERIAL_LOG:
	case OPT_RESULT:
		if (!*arg)
			return fail(err, errlen, "%s: empty file name",
				    c == OPT_RESULT ? "--result" : "--serial-log");
		*(c == OPT_RESULT ? &o->result : &o->serial_log) = arg;
		return 0;
	case OPT_INPUT:
		o->input = true;
		return 0;
	case OPT_TYPE:
	case OPT_TYPE_AFTER:
		return add_type(c, arg, o, err, errlen);
	}
	return NOT_MINE;
}

int options_parse_run(int argc, char **argv, struct run_options *o, char *err, unsigned errlen)
{
	int c, r;

	set_defaults(o);
	optind = 0; /* full reset: parse may run more than once (tests) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:i:p:m:c:d:h", long_opts, NULL)) != -1) {
		if (c == 'h')
			return 1;
		if (c == ':')
			return fail(err, errlen, "option '%s' needs a value", argv[optind - 1]);
		r = parse_machine_option(c, optarg, o, err, errlen);
		if (r == NOT_MINE)
			r = parse_device_option(c, optarg, o, err, errlen);
		if (r == NOT_MINE)
			r = parse_gpu_option(c, optarg, o, err, errlen);
		if (r == NOT_MINE)
			r = parse_ci_option(c, optarg, o, err, errlen);
		if (r == NOT_MINE)
			return fail(err, errlen, "unknown option '%s' (see lkvm-gpu run --help)",
				    argv[optind - 1]);
		if (r)
			return r;
	}
	if (optind < argc)
		return fail(err, errlen, "unexpected argument '%s' (see lkvm-gpu run --help)",
			    argv[optind]);
	if (o->screenshot && !o->gpu)
		return fail(err, errlen, "--screenshot needs --gpu");
	if (o->gpu_backend_set && !o->gpu)
		return fail(err, errlen, "--gpu-backend needs --gpu");
	if (options_gpu_has_input(o->gpu))
		o->input = true;
	if (o->nr_expect_screens && !o->gpu)
		return fail(err, errlen, "--expect-screen needs --gpu");
	return 0;
}
