/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mypts_util.h - helpers shared by the mypts selftests.
 */
#ifndef _MYPTS_UTIL_H
#define _MYPTS_UTIL_H

#include <dirent.h>
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

/* How many mounts are stacked at @dir in this mount namespace, or -1. */
static inline int mypts_mount_count(const char *dir)
{
	char line[1024], mnt[512];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %511s", mnt) == 1 && !strcmp(mnt, dir))
			n++;
	fclose(f);
	return n;
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

/* Open the ptmx node of the instance mounted at @dir: a new master. */
static inline int mypts_open_ptmx(const char *dir, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/ptmx", dir);
	return open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | flags);
}

/* The integer in a file such as a sysctl, or -1. */
static inline int mypts_read_int(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

/* The number in environment variable @name, or @def when it is unset or not a number. */
static inline unsigned long long mypts_env_num(const char *name, unsigned long long def)
{
	const char *v = getenv(name);
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return def;
	n = strtoull(v, &end, 0);
	return *end ? def : n;
}

/* Write @text to @path in one write(); 0 or -1. */
static inline int mypts_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static inline int mypts_write_int(const char *path, int val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", val);
	return mypts_write_file(path, buf);
}

/* Entries of @dir other than "." and "..", or -1. */
static inline int mypts_count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Active objects of a slab cache, after asking SLUB to shrink it; or -1. */
static inline long mypts_slab_active(const char *name)
{
	char path[128], line[512], cache[64];
	long active = -1, n;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			active = -1;
		close(fd);
	}
	f = fopen("/proc/slabinfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", cache, &n) == 2 && !strcmp(cache, name))
			active = n;
	fclose(f);
	return active;
}

/*
 * Wait (bounded) for RCU-deferred and worker frees, until slab cache @name
 * is back within @slack objects of @base. Returns the last count.
 */
static inline long mypts_slab_settle(const char *name, long base, long slack)
{
	long now = mypts_slab_active(name);
	int i;

	for (i = 0; i < 100 && now > base + slack; i++) {
		usleep(50000);
		now = mypts_slab_active(name);
	}
	return now;
}

/* Where the guest keeps mypts.ko: $MYPTS_KO, as the guest's init sets it. */
static inline const char *mypts_ko_path(void)
{
	const char *p = getenv("MYPTS_KO");

	return p ? p : "/lib/mypts.ko";
}

/* Load mypts.ko as the guest's init does, dynamic debug on; 0 or -1. */
static inline int mypts_mod_load(void)
{
	int fd = open(mypts_ko_path(), O_RDONLY | O_CLOEXEC);
	int ret, err;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "dyndbg=+p", 0);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

/* Unload mypts without waiting for its users to go; 0 or -1. */
static inline int mypts_mod_unload(void)
{
	return syscall(SYS_delete_module, "mypts", O_NONBLOCK);
}

/* How many lines of /proc/modules name mypts: 1 loaded, 0 not, -1 error. */
static inline int mypts_mod_count(void)
{
	char line[512];
	FILE *f = fopen("/proc/modules", "re");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "mypts ", 6))
			n++;
	fclose(f);
	return n;
}

#endif /* _MYPTS_UTIL_H */
