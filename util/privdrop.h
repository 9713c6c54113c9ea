/* Dropping root for good (`lkvm-gpu run --user`, README "Sandbox").
 *
 * privdrop_resolve() turns NAME|UID[:GID] into ids while the user database
 * can still be read; privdrop_apply() then sets the supplementary groups,
 * the group and the user, in that order (setgroups and setgid need the
 * root that setuid gives up), through glibc, which applies each to every
 * thread of the process (credentials are per thread in the kernel), and
 * checks the result: every thread holds the new ids, no capability is
 * left, and neither setuid(0) nor setgid(0) works any more. The process
 * is left undumpable (no ptrace by the user's other processes). */
#ifndef LKVM_PRIVDROP_H
#define LKVM_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

#define PRIVDROP_MAX_GROUPS 64

struct privdrop_user {
	uid_t uid;
	gid_t gid;
	/* Supplementary groups: the user's own (as a login gives them, so a
	 * user in group render can open the render node), or none for a
	 * UID without a passwd entry. */
	gid_t groups[PRIVDROP_MAX_GROUPS];
	int nr_groups;
	char name[64]; /* the user's name, or the UID written out */
};

/* NAME, UID, NAME:GID or UID:GID. A name must exist; a bare UID without a
 * passwd entry needs :GID. UID 0 and GID 0 are refused (nothing would be
 * dropped). 0, or -1 with one line in err. */
int privdrop_resolve(const char *spec, struct privdrop_user *u, char *err, size_t errlen);

/* Drop the whole process to u and verify (above). Needs root. 0, or -1
 * with one line in err: the caller must not go on (some threads may
 * have dropped, others not). */
int privdrop_apply(const struct privdrop_user *u, char *err, size_t errlen);

/* The checks privdrop_apply() ends with, on their own (tests). */
int privdrop_verify(const struct privdrop_user *u, char *err, size_t errlen);

#endif
