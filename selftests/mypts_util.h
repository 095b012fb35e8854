/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mypts_util.h - helpers shared by the mypts selftests.
 */
#ifndef _MYPTS_UTIL_H
#define _MYPTS_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#define MYPTS_MAGIC	0x6d797074
#define TMPFS_MAGIC_NR	0x01021994

/* Enter a private mount namespace, so every mount dies with the test. */
static inline int mypts_private_ns(void)
{
	if (unshare(CLONE_NEWNS))
		return -1;
	return mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL);
}

/* Make a fresh directory under /tmp; @buf gets its path. */
static inline int mypts_tmpdir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/mypts.XXXXXX");
	if (!mkdtemp(buf))
		return -1;
	return chmod(buf, 0777);
}

/* Filesystem magic of the filesystem holding @path, or 0 on error. */
static inline long mypts_fs_magic(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs))
		return 0;
	return (long)sfs.f_type;
}

/*
 * Copy the superblock options of the mount at @dir (from
 * /proc/self/mountinfo) into @buf. Returns 0, or -1 if nothing is mounted
 * there.
 */
static inline int mypts_mount_opts(const char *dir, char *buf, size_t len)
{
	char line[1024], mnt[512], fstype[64], src[256], opts[512];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1)
			continue;
		if (strcmp(mnt, dir))
			continue;
		if (sscanf(dash + 3, "%63s %255s %511s", fstype, src, opts) != 3)
			continue;
		snprintf(buf, len, "%s", opts);
		found = 0;	/* keep the last: the top of the stack */
	}
	fclose(f);
	return found;
}

/* 1 if @needle appears as a whole line of file @path, 0 if not, -1 on error. */
static inline int mypts_file_has_line(const char *path, const char *needle)
{
	char line[512];
	FILE *f = fopen(path, "re");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, needle))
			found = 1;
	}
	fclose(f);
	return found;
}

#endif /* _MYPTS_UTIL_H */
