#include <criterion/criterion.h>
#include <string.h>

#include "vmm/options.h"

static int parse(struct run_options *o, char *err, const char *const *args)
{
	static char store[32][128];
	char *argv[32];
	int argc = 0;

	for (; args[argc]; argc++) {
		strcpy(store[argc], args[argc]);
		argv[argc] = store[argc];
	}
	argv[argc] = NULL;
	return options_parse_run(argc, argv, o, err, 256);
}

#define PARSE(...) parse(&o, err, (const char *const[]){"run", __VA_ARGS__, NULL})

Test(options, defaults)
{
	struct run_options o;
	char err[256];

	cr_assert_eq(parse(&o, err, (const char *const[]){"run", NULL}), 0);
	cr_assert_eq(o.mem_mib, 512);
	cr_assert_eq(o.cpus, 1);
	cr_assert(o.rng);
	cr_assert(o.msix);
	cr_assert_null(o.kernel);
	cr_assert_eq(o.width, 1280);
	cr_assert_eq(o.height, 800);
}

Test(options, kvmtool_style_short_options)
{
	struct run_options o;
	char err[256];

	cr_assert_eq(PARSE("-k", "bz", "-i", "rd", "-p", "console=ttyS0", "-m", "2G", "-c", "2",
			   "-d", "a.img", "--disk", "b.img,ro"),
		     0, "%s", err);
	cr_assert_str_eq(o.kernel, "bz");
	cr_assert_str_eq(o.initrd, "rd");
	cr_assert_str_eq(o.cmdline, "console=ttyS0");
	cr_assert_eq(o.mem_mib, 2048);
	cr_assert_eq(o.cpus, 2);
	cr_assert_eq(o.nr_disks, 2);
	cr_assert_str_eq(o.disks[1].path, "b.img");
	cr_assert(o.disks[1].read_only);
	cr_assert_not(o.disks[0].read_only);
}

Test(options, bad_values_give_one_line_errors)
{
	struct run_options o;
	char err[256];

	cr_assert_eq(PARSE("-m", "abc"), -1);
	cr_assert(strstr(err, "--mem"), "%s", err);
	cr_assert_eq(PARSE("-m", "1"), -1);
	cr_assert_eq(PARSE("-m", "-512"), -1);
	cr_assert_eq(PARSE("-m", "99999999999999999999"), -1);
	cr_assert_eq(PARSE("-c", "0"), -1);
	cr_assert(strstr(err, "--cpus"), "%s", err);
	cr_assert_eq(PARSE("-c", "1x"), -1);
	cr_assert_eq(PARSE("-d", "x,rw"), -1);
	cr_assert_eq(PARSE("-d", ",ro"), -1);
	cr_assert_eq(PARSE("--console", "tty"), -1);
	cr_assert_eq(PARSE("--gpu", "opengl"), -1);
	cr_assert_eq(PARSE("--gpu", "wayland,"), -1);
	cr_assert_eq(PARSE("--gpu", "sdl"), -1, "no SDL display: refuse it up front");
	cr_assert_eq(PARSE("--gpu-outputs", "17"), -1);
	cr_assert_eq(PARSE("--resolution", "800"), -1);
	cr_assert_eq(PARSE("--resolution", "0x600"), -1);
	cr_assert_eq(PARSE("--bogus"), -1);
	cr_assert(strstr(err, "--bogus"), "%s", err);
	cr_assert_eq(PARSE("-k"), -1);
	cr_assert(strstr(err, "needs a value"), "%s", err);
	cr_assert_eq(PARSE("stray"), -1);
	cr_assert_eq(PARSE("--screenshot", "x.png"), -1);
	cr_assert_null(strchr(err, '\n'));
}

Test(options, gpu_options)
{
	struct run_options o;
	char err[256];

	cr_assert_eq(PARSE("--gpu", "wayland,headless", "--gpu-outputs", "2", "--resolution",
			   "1920x1080", "--screenshot", "s.png", "--gpu-mem", "64"),
		     0, "%s", err);
	cr_assert_str_eq(o.gpu, "wayland,headless");
	cr_assert_eq(o.gpu_outputs, 2);
	cr_assert_eq(o.width, 1920);
	cr_assert_eq(o.height, 1080);
	cr_assert_eq(o.gpu_mem_mib, 64);
	cr_assert_eq(PARSE("--gpu", "wayland,x11,headless"), 0, "%s", err);
	cr_assert_str_eq(o.gpu, "wayland,x11,headless");
}

Test(options, help)
{
	struct run_options o;
	char err[256];

	cr_assert_eq(PARSE("--help"), 1);
}

Test(options, no_msix_and_no_rng)
{
	struct run_options o;
	char err[256];

	cr_assert_eq(PARSE("--no-msix", "--no-rng"), 0, "%s", err);
	cr_assert(!o.msix);
	cr_assert_not(o.rng);
}

Test(options, gpu_backend)
{
	struct run_options o;
	char err[256];

	cr_assert_eq(PARSE("--gpu", "headless"), 0);
	cr_assert_eq(o.gpu_backend, GPU_BACKEND_2D, "2D is the default");
	cr_assert_eq(PARSE("--gpu", "headless", "--gpu-backend", "virgl"), 0);
	cr_assert_eq(o.gpu_backend, GPU_BACKEND_VIRGL);
	cr_assert_eq(PARSE("--gpu", "headless", "--gpu-backend", "2d"), 0);
	cr_assert_eq(o.gpu_backend, GPU_BACKEND_2D);
	cr_assert_eq(PARSE("--gpu", "headless", "--gpu-backend", "vulkan"), -1);
	cr_assert_str_eq(err, "--gpu-backend: 'vulkan' is not 2d or virgl");
	cr_assert_eq(PARSE("--gpu-backend", "virgl"), -1);
	cr_assert_str_eq(err, "--gpu-backend needs --gpu");
}
