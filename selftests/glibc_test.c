// SPDX-License-Identifier: GPL-2.0
/*
 * glibc_test - unchanged glibc pty functions on an instance mounted at
 * /dev/pts, with /dev/ptmx bound to its ptmx node: the setup a container
 * runtime makes. Runs on devpts (the expectation) and on mypts.
 *
 * The guest's /dev/ptmx is a symlink to pts/ptmx, so each test puts a
 * tmpfs on /dev in its private mount namespace and builds /dev from
 * scratch: /dev/pts, a regular file /dev/ptmx to bind onto, /dev/null
 * and /dev/tty.
 */
#include <pty.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "mypts_util.h"
#include "pty_util.h"

#define DEVPTS_MAGIC_NR	0x1cd1

FIXTURE(glibc) {
	int mounted;
};

FIXTURE_VARIANT(glibc) {
	const char *fstype;
	const char *opts;
	long magic;
};

FIXTURE_VARIANT_ADD(glibc, devpts) {
	.fstype = "devpts",
	.opts = "newinstance,ptmxmode=0666,mode=0620",
	.magic = DEVPTS_MAGIC_NR,
};

FIXTURE_VARIANT_ADD(glibc, mypts) {
	.fstype = "mypts",
	.opts = "ptmxmode=0666,mode=0620",
	.magic = MYPTS_MAGIC,
};

static int make_node(const char *path, unsigned int maj, unsigned int min)
{
	if (mknod(path, S_IFCHR | 0666, makedev(maj, min)))
		return -1;
	return chmod(path, 0666);
}

FIXTURE_SETUP(glibc)
{
	int fd;

	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=0755"));
	self->mounted = 1;
	ASSERT_EQ(0, mkdir("/dev/pts", 0755));
	ASSERT_EQ(0, mount("none", "/dev/pts", variant->fstype, 0, variant->opts))
		TH_LOG("mount -t %s on /dev/pts: %s", variant->fstype, strerror(errno));
	fd = open("/dev/ptmx", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL))
		TH_LOG("bind /dev/pts/ptmx onto /dev/ptmx: %s", strerror(errno));
	ASSERT_EQ(0, make_node("/dev/null", 1, 3));
	ASSERT_EQ(0, make_node("/dev/tty", 5, 0));
	ASSERT_EQ(variant->magic, mypts_fs_magic("/dev/pts"));
}

FIXTURE_TEARDOWN(glibc)
{
	if (self->mounted)
		umount2("/dev", MNT_DETACH);
}

TEST_F(glibc, posix_openpt_grantpt_unlockpt_ptsname)
{
	char name[64], buf[16];
	struct stat st;
	int m, s;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m)
		TH_LOG("posix_openpt: %s", strerror(errno));
	EXPECT_EQ(0, grantpt(m));
	EXPECT_EQ(0, unlockpt(m));
	ASSERT_NE(NULL, ptsname(m))
		TH_LOG("ptsname: %s", strerror(errno));
	EXPECT_STREQ("/dev/pts/0", ptsname(m));
	ASSERT_EQ(0, ptsname_r(m, name, sizeof(name)));
	EXPECT_STREQ("/dev/pts/0", name);
	ASSERT_EQ(0, stat(name, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0u, minor(st.st_rdev));
	s = open(name, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s)
		TH_LOG("open %s: %s", name, strerror(errno));
	ASSERT_EQ(3, pty_write_str(s, "hi\n"));
	EXPECT_STREQ("hi\r\n", pty_read_str(m, buf, sizeof(buf), 4, PTY_WAIT_MS));
	/* A second one is /dev/pts/1. */
	s = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	EXPECT_STREQ("/dev/pts/1", ptsname(s));
	close(s);
	close(m);
}

TEST_F(glibc, openpty_gives_a_working_pair)
{
	struct winsize ws = { .ws_row = 40, .ws_col = 100 }, got;
	char name[64], buf[16], *tn;
	int m, s;

	ASSERT_EQ(0, openpty(&m, &s, name, NULL, &ws))
		TH_LOG("openpty: %s", strerror(errno));
	EXPECT_STREQ("/dev/pts/0", name);
	EXPECT_EQ(O_RDWR, fcntl(s, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, ioctl(s, TIOCGWINSZ, &got));
	EXPECT_EQ(40, got.ws_row);
	EXPECT_EQ(100, got.ws_col);
	tn = ttyname(s);
	ASSERT_NE(NULL, tn)
		TH_LOG("ttyname: %s", strerror(errno));
	EXPECT_STREQ(name, tn);
	ASSERT_EQ(4, pty_write_str(m, "abc\n"));
	EXPECT_STREQ("abc\n", pty_read_str(s, buf, sizeof(buf), 4, PTY_WAIT_MS));
	ASSERT_EQ(4, pty_write_str(s, "xyz\n"));
	/* The echo of "abc\n", then what the slave wrote. */
	EXPECT_STREQ("abc\r\nxyz\r\n", pty_read_str(m, buf, sizeof(buf), 10, PTY_WAIT_MS));
	close(s);
	close(m);
}

TEST_F(glibc, forkpty_runs_a_shell)
{
	char out[512], name[64];
	size_t len = 0;
	int m, err;
	ssize_t n;
	pid_t pid;

	pid = forkpty(&m, name, NULL, NULL);
	ASSERT_LE(0, pid)
		TH_LOG("forkpty: %s", strerror(errno));
	if (!pid) {
		execl("/bin/sh", "sh", "-c", "echo hello-$((6*7)); tty", (char *)NULL);
		_exit(127);
	}
	EXPECT_STREQ("/dev/pts/0", name);
	/* Read until the shell is gone: the master then reports EIO. */
	for (;;) {
		n = pty_read_wait(m, out + len, sizeof(out) - 1 - len, PTY_WAIT_MS);
		if (n <= 0)
			break;
		len += n;
	}
	err = errno;
	out[len] = '\0';
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EIO, err);
	EXPECT_EQ(0, pty_wait_child(pid));
	EXPECT_STREQ("hello-42\r\n/dev/pts/0\r\n", out);
	close(m);
}

TEST_HARNESS_MAIN
