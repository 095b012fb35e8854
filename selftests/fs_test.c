// SPDX-License-Identifier: GPL-2.0
/*
 * fs_test - mypts instances and their mount options.
 */
#include <dirent.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mypts_util.h"

#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif

static int sys_fsopen(const char *name, unsigned int flags)
{
	return syscall(__NR_fsopen, name, flags);
}

static int sys_fsconfig(int fd, unsigned int cmd, const char *key,
			const void *value, int aux)
{
	return syscall(__NR_fsconfig, fd, cmd, key, value, aux);
}

/* Read the whole fs_context log of @fd into @buf (messages joined by '\n'). */
static void read_fc_log(int fd, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t n;

	buf[0] = '\0';
	while (used + 1 < len) {
		n = read(fd, buf + used, len - used - 1);
		if (n <= 0)
			break;
		used += n;
		buf[used++] = '\n';
	}
	buf[used < len ? used : len - 1] = '\0';
}

FIXTURE(fs) {
	char dir[64];
	char dir2[64];
};

FIXTURE_SETUP(fs)
{
	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, mypts_tmpdir(self->dir2, sizeof(self->dir2)));
}

FIXTURE_TEARDOWN(fs)
{
	umount2(self->dir, MNT_DETACH);
	umount2(self->dir2, MNT_DETACH);
	rmdir(self->dir);
	rmdir(self->dir2);
}

TEST_F(fs, mount_and_umount)
{
	struct stat st;

	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, NULL));
	EXPECT_EQ(MYPTS_MAGIC, mypts_fs_magic(self->dir));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0755u, st.st_mode & 07777);
	EXPECT_EQ(0u, st.st_uid);
	ASSERT_EQ(0, umount(self->dir));
	EXPECT_EQ(TMPFS_MAGIC_NR, mypts_fs_magic(self->dir));
}

TEST_F(fs, two_mounts_are_two_instances)
{
	struct stat a, b;
	char opts[256];

	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, "mode=620"));
	ASSERT_EQ(0, mount("mypts", self->dir2, "mypts", 0, "mode=640"));
	ASSERT_EQ(0, stat(self->dir, &a));
	ASSERT_EQ(0, stat(self->dir2, &b));
	EXPECT_NE(a.st_dev, b.st_dev);
	/* Options belong to one instance only. */
	ASSERT_EQ(0, mypts_mount_opts(self->dir, opts, sizeof(opts)));
	EXPECT_STREQ("rw,mode=620,ptmxmode=000", opts);
	ASSERT_EQ(0, mypts_mount_opts(self->dir2, opts, sizeof(opts)));
	EXPECT_STREQ("rw,mode=640,ptmxmode=000", opts);
	/* Unmounting one leaves the other. */
	ASSERT_EQ(0, umount(self->dir));
	EXPECT_EQ(MYPTS_MAGIC, mypts_fs_magic(self->dir2));
}

TEST_F(fs, bind_mount_is_the_same_instance)
{
	struct stat a, b;

	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, NULL));
	ASSERT_EQ(0, mount(self->dir, self->dir2, NULL, MS_BIND, NULL));
	ASSERT_EQ(0, stat(self->dir, &a));
	ASSERT_EQ(0, stat(self->dir2, &b));
	EXPECT_EQ(a.st_dev, b.st_dev);
}

TEST_F(fs, root_holds_only_ptmx_or_nothing)
{
	int n;

	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, NULL));
	n = mypts_count_entries(self->dir);
	/* The root holds nothing but (once it exists) the ptmx node. */
	EXPECT_LE(0, n);
	EXPECT_GE(1, n);
}

TEST_F(fs, unknown_option_logged_by_fsconfig)
{
	char log[512];
	int fd;

	fd = sys_fsopen("mypts", 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, sys_fsconfig(fd, FSCONFIG_SET_STRING, "bogus", "1", 0));
	EXPECT_EQ(EINVAL, errno);
	read_fc_log(fd, log, sizeof(log));
	EXPECT_NE(NULL, strstr(log, "bogus")) TH_LOG("log: %s", log);
	close(fd);
}

TEST_F(fs, unknown_option_fails_mount)
{
	EXPECT_EQ(-1, mount("mypts", self->dir, "mypts", 0, "mode=620,bogus"));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing was mounted. */
	EXPECT_EQ(TMPFS_MAGIC_NR, mypts_fs_magic(self->dir));
}

static const struct {
	const char *opts;
	const char *msg;	/* expected in the fs_context log */
} bad_options[] = {
	{ "mode=8888", "mode" },
	{ "mode=10000", "mode" },
	{ "ptmxmode=77777", "ptmxmode" },
	{ "max=1048577", "max" },
	{ "max=-1", "max" },
	{ "max=abc", "max" },
	{ "uid=abc", "uid" },
	{ "uid=4294967295", "uid" },
	{ "gid=4294967295", "gid" },
	{ "gid=", "gid" },
	{ "newinstance=1", "newinstance" },
};

TEST_F(fs, bad_values_rejected)
{
	char log[512], key[64];
	const char *eq;
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(bad_options); i++) {
		errno = 0;
		EXPECT_EQ(-1, mount("mypts", self->dir, "mypts", 0,
				    bad_options[i].opts)) TH_LOG("%s", bad_options[i].opts);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", bad_options[i].opts);
		EXPECT_EQ(TMPFS_MAGIC_NR, mypts_fs_magic(self->dir));

		/* The same through fsconfig, with a message naming the key. */
		eq = strchr(bad_options[i].opts, '=');
		snprintf(key, sizeof(key), "%.*s",
			 (int)(eq - bad_options[i].opts), bad_options[i].opts);
		fd = sys_fsopen("mypts", 0);
		ASSERT_LE(0, fd);
		EXPECT_EQ(-1, sys_fsconfig(fd, FSCONFIG_SET_STRING, key, eq + 1, 0))
			TH_LOG("%s", bad_options[i].opts);
		read_fc_log(fd, log, sizeof(log));
		EXPECT_NE(NULL, strstr(log, bad_options[i].msg))
			TH_LOG("%s: log '%s'", bad_options[i].opts, log);
		close(fd);
	}
}

TEST_F(fs, good_edge_values_accepted)
{
	char opts[256];

	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0,
			   "max=1048576,mode=07777,ptmxmode=0,uid=0,gid=0"));
	ASSERT_EQ(0, mypts_mount_opts(self->dir, opts, sizeof(opts)));
	EXPECT_STREQ("rw,uid=0,gid=0,mode=7777,ptmxmode=000", opts);
}

TEST_F(fs, options_shown_in_mountinfo)
{
	char opts[256];

	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, NULL));
	ASSERT_EQ(0, mypts_mount_opts(self->dir, opts, sizeof(opts)));
	EXPECT_STREQ("rw,mode=600,ptmxmode=000", opts);

	ASSERT_EQ(0, mount("mypts", self->dir2, "mypts", 0,
			   "newinstance,uid=1000,gid=5,mode=620,ptmxmode=666,max=10"));
	ASSERT_EQ(0, mypts_mount_opts(self->dir2, opts, sizeof(opts)));
	EXPECT_STREQ("rw,uid=1000,gid=5,mode=620,ptmxmode=666,max=10", opts);
}

TEST_F(fs, remount_resets_unspecified_options)
{
	char opts[256];

	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0,
			   "uid=1000,mode=620,ptmxmode=666"));
	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", MS_REMOUNT, "max=5"));
	ASSERT_EQ(0, mypts_mount_opts(self->dir, opts, sizeof(opts)));
	EXPECT_STREQ("rw,mode=600,ptmxmode=000,max=5", opts);
}

TEST_F(fs, bad_remount_changes_nothing)
{
	char opts[256];

	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, "mode=620,ptmxmode=666"));
	EXPECT_EQ(-1, mount("mypts", self->dir, "mypts", MS_REMOUNT,
			    "mode=640,ptmxmode=600,bogus"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mount("mypts", self->dir, "mypts", MS_REMOUNT, "mode=640,max=2000000"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mypts_mount_opts(self->dir, opts, sizeof(opts)));
	EXPECT_STREQ("rw,mode=620,ptmxmode=666", opts);
}

/*
 * As an unprivileged user, enter a new user and mount namespace mapping
 * only that user to root. Returns 0 in the child, exits on failure.
 */
static void enter_userns(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		_exit(10);
	/* Changing credentials made us undumpable: /proc/self would be root's. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		_exit(13);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		_exit(11);
	if (mypts_write_file("/proc/self/setgroups", "deny") ||
	    mypts_write_file("/proc/self/uid_map", "0 65534 1") ||
	    mypts_write_file("/proc/self/gid_map", "0 65534 1"))
		_exit(12);
}

TEST_F(fs, user_namespace_mount)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char opts[256];

		enter_userns();
		if (mount("mypts", self->dir, "mypts", 0, "mode=620,ptmxmode=666"))
			_exit(20);
		if (mypts_fs_magic(self->dir) != MYPTS_MAGIC)
			_exit(21);
		if (mypts_mount_opts(self->dir, opts, sizeof(opts)) ||
		    strcmp(opts, "rw,mode=620,ptmxmode=666"))
			_exit(22);
		/* gid 5 has no mapping here: a clear EINVAL, nothing mounted. */
		if (mount("mypts", self->dir2, "mypts", 0, "gid=5") != -1 ||
		    errno != EINVAL)
			_exit(23);
		if (mypts_fs_magic(self->dir2) == MYPTS_MAGIC)
			_exit(24);
		/* Ids it does map are accepted. */
		if (mount("mypts", self->dir2, "mypts", 0, "uid=0,gid=0"))
			_exit(25);
		/* ... and shown as this namespace sees them. */
		if (mypts_mount_opts(self->dir2, opts, sizeof(opts)) ||
		    strcmp(opts, "rw,uid=0,gid=0,mode=600,ptmxmode=000"))
			_exit(26);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(fs, unprivileged_mount_refused_outside_userns)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (mount("mypts", self->dir, "mypts", 0, NULL) != -1)
			_exit(20);
		_exit(errno == EPERM ? 0 : 100 + errno);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
