// SPDX-License-Identifier: GPL-2.0
/*
 * compat32_test - built with -m32: the master's ioctls through the 32-bit
 * compat path, on devpts and on mypts alike.
 */
#include <sys/ioctl.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "mypts_util.h"

FIXTURE(compat) {
	char dir[64];
	int master;
};

FIXTURE_VARIANT(compat) {
	const char *fstype;
	const char *opts;
};

FIXTURE_VARIANT_ADD(compat, devpts) {
	.fstype = "devpts",
	.opts = "newinstance,ptmxmode=0666",
};

FIXTURE_VARIANT_ADD(compat, mypts) {
	.fstype = "mypts",
	.opts = "ptmxmode=0666",
};

FIXTURE_SETUP(compat)
{
	char path[128];

	ASSERT_EQ(4u, sizeof(long)) TH_LOG("not built with -m32");
	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, mount(variant->fstype, self->dir, variant->fstype, 0, variant->opts));
	snprintf(path, sizeof(path), "%s/ptmx", self->dir);
	self->master = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, self->master);
}

FIXTURE_TEARDOWN(compat)
{
	close(self->master);
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F(compat, pty_ioctls)
{
	struct winsize ws = { .ws_row = 33, .ws_col = 111 }, ws2;
	struct termios tm, ts;
	int lock = -1, pkt = -1, zero = 0, one = 1, n, s;
	unsigned int idx = 99;
	char buf[8];

	ASSERT_EQ(0, ioctl(self->master, TIOCGPTN, &idx));
	EXPECT_EQ(0u, idx);
	ASSERT_EQ(0, ioctl(self->master, TIOCGPTLCK, &lock));
	EXPECT_EQ(1, lock);
	ASSERT_EQ(0, ioctl(self->master, TIOCSPTLCK, &zero));
	ASSERT_EQ(0, ioctl(self->master, TIOCGPTLCK, &lock));
	EXPECT_EQ(0, lock);
	s = ioctl(self->master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);

	/* glibc's termios is longer than the kernel's: clear the tail. */
	memset(&tm, 0, sizeof(tm));
	memset(&ts, 0, sizeof(ts));
	ASSERT_EQ(0, ioctl(self->master, TCGETS, &tm));
	ASSERT_EQ(0, ioctl(s, TCGETS, &ts));
	EXPECT_EQ(0, memcmp(&tm, &ts, sizeof(tm)));
	tm.c_lflag &= ~ECHO;
	ASSERT_EQ(0, ioctl(self->master, TCSETS, &tm));
	ASSERT_EQ(0, ioctl(s, TCGETS, &ts));
	EXPECT_EQ(0u, ts.c_lflag & ECHO);

	ASSERT_EQ(0, ioctl(self->master, TIOCSWINSZ, &ws));
	ASSERT_EQ(0, ioctl(s, TIOCGWINSZ, &ws2));
	EXPECT_EQ(33, ws2.ws_row);
	EXPECT_EQ(111, ws2.ws_col);

	ASSERT_EQ(0, ioctl(self->master, TIOCPKT, &one));
	ASSERT_EQ(0, ioctl(self->master, TIOCGPKT, &pkt));
	EXPECT_EQ(1, pkt);
	ASSERT_EQ(0, ioctl(self->master, TIOCPKT, &zero));

	ASSERT_EQ(3, write(s, "abc", 3));
	n = -1;
	ASSERT_EQ(3, read(self->master, buf, sizeof(buf)));
	ASSERT_EQ(0, ioctl(self->master, FIONREAD, &n));
	EXPECT_EQ(0, n);

	EXPECT_EQ(-1, ioctl(self->master, TIOCSIG, SIGKILL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->master, TIOCGPTN, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->master, TCFLSH, 7));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ioctl(self->master, TCFLSH, TCIOFLUSH));
	close(s);
}

TEST_HARNESS_MAIN
