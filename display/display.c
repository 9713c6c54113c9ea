#include "display/display.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct backend {
	const char *name;
	struct display *(*open)(const struct display_config *cfg, char *err, size_t errlen);
};

static const struct backend backends[] = {
    {"headless", display_headless_open},
    {"wayland", display_wayland_open},
    {"x11", display_x11_open},
};
#define NR_BACKENDS (sizeof(backends) / sizeof(backends[0]))

bool display_mode_known(const char *name)
{
	for (size_t i = 0; i < NR_BACKENDS; i++)
		if (!strcmp(name, backends[i].name))
			return true;
	return false;
}

void display_mode_names(char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < NR_BACKENDS && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "", backends[i].name);
}

struct display *display_open(const char *modes, const struct display_config *cfg, char *err,
			     size_t errlen)
{
	char *list = strdup(modes ? modes : ""), *save = NULL;
	char why[256] = "no display mode given";

	if (!list) {
		snprintf(err, errlen, "display: out of memory");
		return NULL;
	}
	for (char *m = strtok_r(list, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
			if (!strcmp(m, backends[i].name))
				break;
		if (i == sizeof(backends) / sizeof(backends[0])) {
			snprintf(why, sizeof(why), "unknown display mode '%s'", m);
			continue;
		}
		struct display *d = backends[i].open(cfg, why, sizeof(why));

		if (d) {
			free(list);
			return d;
		}
	}
	free(list);
	snprintf(err, errlen, "%s", why);
	return NULL;
}

struct display *display_alloc(size_t size, const struct display_ops *ops,
			      const struct display_config *cfg, const char *name, char *err,
			      size_t errlen)
{
	struct display *d;

	if (cfg->outputs == 0 || cfg->outputs > DISPLAY_MAX_OUTPUTS) {
		snprintf(err, errlen, "%s: %u outputs (1 to %u)", name, cfg->outputs,
			 DISPLAY_MAX_OUTPUTS);
		return NULL;
	}
	d = calloc(1, size);
	if (!d) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	d->ops = ops;
	d->nr_outputs = cfg->outputs;
	d->width = cfg->width;
	d->height = cfg->height;
	return d;
}

int display_screenshot_all(struct display *d, const char *path)
{
	const char *dot = strrchr(path, '.');
	size_t stem = dot ? (size_t)(dot - path) : strlen(path);
	int first = 0;

	for (unsigned i = 0; i < d->nr_outputs; i++) {
		char name[4096];
		int ret;

		if (i == 0)
			snprintf(name, sizeof(name), "%s", path);
		else
			snprintf(name, sizeof(name), "%.*s-%u%s", (int)stem, path, i,
				 dot ? dot : "");
		ret = d->ops->screenshot(d, i, name);
		/* Outputs the guest never used have nothing to write. */
		if (ret && ret != -ENODATA && !first)
			first = ret;
		if (ret == -ENODATA && i == 0 && !first)
			first = ret;
	}
	return first;
}

void display_set_events(struct display *d, const struct display_events *ev)
{
	d->ev = *ev;
	if (d->ops->events_ready)
		d->ops->events_ready(d);
}

void display_size_asked(struct display *d, unsigned output, struct display_size_ask *a, uint32_t w,
			uint32_t h)
{
	if (w == 0 || h == 0 || (w == a->w && h == a->h))
		return;
	a->w = w;
	a->h = h;
	if (d->ev.resize)
		d->ev.resize(d->ev.opaque, output, w, h);
	else
		a->pending = true;
}

void display_size_flush(struct display *d, unsigned output, struct display_size_ask *a)
{
	if (a->pending && d->ev.resize) {
		a->pending = false;
		d->ev.resize(d->ev.opaque, output, a->w, a->h);
	}
}

uint32_t display_input_abs(uint64_t pos256, uint32_t size)
{
	uint64_t v;

	if (size == 0)
		return 0;
	if (pos256 >= (uint64_t)size * 256)
		return DISPLAY_INPUT_ABS_MAX;
	/* pos256 < 2^40 here: no overflow. */
	v = (pos256 * 32768 + (uint64_t)size * 256 - 1) / ((uint64_t)size * 256);
	return v > DISPLAY_INPUT_ABS_MAX ? DISPLAY_INPUT_ABS_MAX : (uint32_t)v;
}
