#include "util/privdrop.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A decimal id below (uid_t)-1 (which means "unchanged" to setresuid). */
static bool parse_id(const char *s, size_t len, uint32_t *id)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= UINT32_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

static int lookup_user(const char *who, size_t len, struct privdrop_user *u, bool *found, char *err,
		       size_t errlen)
{
	char buf[4096], name[64];
	struct passwd pw, *res = NULL;
	uint32_t id;
	int r;

	*found = false;
	if (parse_id(who, len, &id)) {
		u->uid = id;
		snprintf(u->name, sizeof(u->name), "%u", (unsigned)id);
		r = getpwuid_r(id, &pw, buf, sizeof(buf), &res);
	} else {
		if (len == 0 || len >= sizeof(name)) {
			snprintf(err, errlen, "--user %.*s: not a user name or UID", (int)len, who);
			return -1;
		}
		memcpy(name, who, len);
		name[len] = 0;
		r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
		if (r == 0 && !res) {
			snprintf(err, errlen, "--user %s: no such user", name);
			return -1;
		}
	}
	if (r) {
		snprintf(err, errlen, "--user %.*s: cannot read the user database: %s", (int)len,
			 who, strerror(r));
		return -1;
	}
	if (!res)
		return 0;
	*found = true;
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	snprintf(u->name, sizeof(u->name), "%s", pw.pw_name);
	/* The groups a login gives: /etc/group's, and the gid itself. */
	u->nr_groups = PRIVDROP_MAX_GROUPS;
	if (getgrouplist(pw.pw_name, u->gid, u->groups, &u->nr_groups) < 0) {
		snprintf(err, errlen, "--user %s: in more than %d groups", u->name,
			 PRIVDROP_MAX_GROUPS);
		return -1;
	}
	return 0;
}

int privdrop_resolve(const char *spec, struct privdrop_user *u, char *err, size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	bool found;
	uint32_t gid;

	memset(u, 0, sizeof(*u));
	if (lookup_user(spec, ulen, u, &found, err, errlen))
		return -1;
	if (colon) {
		if (!parse_id(colon + 1, strlen(colon + 1), &gid)) {
			snprintf(err, errlen, "--user %s: the part after ':' must be a numeric GID",
				 spec);
			return -1;
		}
		u->gid = gid;
		if (found) { /* the user's groups, with this gid for the primary one */
			u->nr_groups = PRIVDROP_MAX_GROUPS;
			if (getgrouplist(u->name, gid, u->groups, &u->nr_groups) < 0) {
				snprintf(err, errlen, "--user %s: in more than %d groups", spec,
					 PRIVDROP_MAX_GROUPS);
				return -1;
			}
		}
	} else if (!found) {
		snprintf(err, errlen,
			 "--user %s: uid %u has no passwd entry: give its group too (UID:GID)",
			 spec, (unsigned)u->uid);
		return -1;
	}
	if (u->uid == 0 || u->gid == 0) {
		snprintf(err, errlen, "--user %s: that is %s 0 (root): nothing would be dropped",
			 spec, u->uid == 0 ? "uid" : "gid");
		return -1;
	}
	return 0;
}

/* "Uid:" or "Gid:" of one thread's status: all four ids (real,
 * effective, saved, filesystem) must be want. */
static int check_status_ids(FILE *f, const char *tag, unsigned want, unsigned *seen)
{
	char line[256];
	size_t tl = strlen(tag);

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned id[4];

		if (strncmp(line, tag, tl))
			continue;
		if (sscanf(line + tl, "%u %u %u %u", &id[0], &id[1], &id[2], &id[3]) != 4)
			return -1;
		for (int i = 0; i < 4; i++)
			if (id[i] != want) {
				*seen = id[i];
				return -1;
			}
		return 0;
	}
	return -1;
}

/* Every thread, not only this one: the kernel keeps credentials per
 * thread, and a thread made by a raw clone would escape glibc's
 * broadcast. */
static int check_threads(const struct privdrop_user *u, char *err, size_t errlen)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int r = 0;

	if (!d) {
		snprintf(err, errlen, "/proc/self/task: %s", strerror(errno));
		return -1;
	}
	while (!r && (e = readdir(d))) {
		char path[300];
		unsigned seen = ~0u;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue; /* a thread that ended meanwhile */
		if (check_status_ids(f, "Uid:", u->uid, &seen)) {
			snprintf(err, errlen, "thread %s still has uid %u", e->d_name, seen);
			r = -1;
		} else if (check_status_ids(f, "Gid:", u->gid, &seen)) {
			snprintf(err, errlen, "thread %s still has gid %u", e->d_name, seen);
			r = -1;
		}
		fclose(f);
	}
	closedir(d);
	return r;
}

static bool same_groups(const struct privdrop_user *u, const gid_t *g, int n)
{
	if (n != u->nr_groups)
		return false;
	for (int i = 0; i < n; i++) {
		bool in = false;

		for (int k = 0; k < u->nr_groups && !in; k++)
			in = g[i] == u->groups[k];
		if (!in)
			return false;
	}
	return true;
}

int privdrop_verify(const struct privdrop_user *u, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[2];
	gid_t groups[PRIVDROP_MAX_GROUPS + 1];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int n;

	if (getresuid(&ru, &eu, &su) || ru != u->uid || eu != u->uid || su != u->uid) {
		snprintf(err, errlen, "uids are %u/%u/%u, not %u", (unsigned)ru, (unsigned)eu,
			 (unsigned)su, (unsigned)u->uid);
		return -1;
	}
	if (getresgid(&rg, &eg, &sg) || rg != u->gid || eg != u->gid || sg != u->gid) {
		snprintf(err, errlen, "gids are %u/%u/%u, not %u", (unsigned)rg, (unsigned)eg,
			 (unsigned)sg, (unsigned)u->gid);
		return -1;
	}
	n = getgroups(PRIVDROP_MAX_GROUPS + 1, groups);
	if (n < 0 || !same_groups(u, groups, n)) {
		snprintf(err, errlen, "supplementary groups are not the %d of %s", u->nr_groups,
			 u->name);
		return -1;
	}
	if (syscall(SYS_capget, &hdr, caps) ||
	    (caps[0].effective | caps[0].permitted | caps[1].effective | caps[1].permitted)) {
		snprintf(err, errlen, "capabilities are left");
		return -1;
	}
	/* Before the setuid(0) probe: glibc runs it on every thread and
	 * aborts when a thread that kept root succeeds where we fail. */
	if (check_threads(u, err, errlen))
		return -1;
	/* Root must be out of reach, not only out of use. */
	if (setuid(0) == 0 || setgid(0) == 0) {
		snprintf(err, errlen, "setuid(0) or setgid(0) still works");
		return -1;
	}
	return 0;
}

int privdrop_apply(const struct privdrop_user *u, char *err, size_t errlen)
{
	if (geteuid() != 0) {
		snprintf(err, errlen, "--user needs lkvm-gpu to start as root (it runs as uid %u)",
			 (unsigned)geteuid());
		return -1;
	}
	/* Groups first: setgroups and setgid need the root setuid gives up. */
	if (setgroups((size_t)u->nr_groups, u->nr_groups ? u->groups : NULL)) {
		snprintf(err, errlen, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setgid(u->gid)) {
		snprintf(err, errlen, "setgid(%u): %s", (unsigned)u->gid, strerror(errno));
		return -1;
	}
	if (setuid(u->uid)) {
		snprintf(err, errlen, "setuid(%u): %s", (unsigned)u->uid, strerror(errno));
		return -1;
	}
	/* The kernel made us undumpable for the change unless suid_dumpable
	 * says otherwise: make sure, so that the user's other processes
	 * cannot ptrace the VMM (its /dev/kvm, disks, guest memory). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		snprintf(err, errlen, "PR_SET_DUMPABLE: %s", strerror(errno));
		return -1;
	}
	return privdrop_verify(u, err, errlen);
}
