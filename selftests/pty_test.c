// SPDX-License-Identifier: GPL-2.0
/*
 * pty_test - differential pty suite: every scenario runs on a private devpts
 * instance and on a mypts instance, and asserts what Linux's devpts does.
 * The devpts variant proves the expectation, the mypts variant the match.
 */
#include <dirent.h>
#include <limits.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "mypts_util.h"
#include "pty_util.h"

/* Every event bit a test may look at; poll() adds POLLERR and POLLHUP. */
#define ALL_EVENTS	(POLLIN | POLLPRI | POLLOUT)

FIXTURE(pty) {
	char dir[64];
	char path[128];
};

FIXTURE_VARIANT(pty) {
	const char *fstype;
	const char *opts;
};

FIXTURE_VARIANT_ADD(pty, devpts) {
	.fstype = "devpts",
	.opts = "newinstance,ptmxmode=0666,mode=0620",
};

FIXTURE_VARIANT_ADD(pty, mypts) {
	.fstype = "mypts",
	.opts = "ptmxmode=0666,mode=0620",
};

FIXTURE_SETUP(pty)
{
	int err;

	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->dir, sizeof(self->dir)));
	if (mount("none", self->dir, variant->fstype, 0, variant->opts)) {
		err = errno;
		rmdir(self->dir);
		ASSERT_EQ(0, err)
			TH_LOG("mount -t %s -o %s: %s", variant->fstype, variant->opts,
			       strerror(err));
	}
}

FIXTURE_TEARDOWN(pty)
{
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

static int is_mypts(const char *fstype)
{
	return !strcmp(fstype, "mypts");
}

/* Open a master of the instance, or fail the test. */
static int open_master(struct __test_metadata *_metadata, const char *dir, int flags)
{
	int fd = pty_open_master(dir, flags);

	ASSERT_LE(0, fd)
		TH_LOG("open %s/ptmx: %s", dir, strerror(errno));
	return fd;
}

/* Open an unlocked pair (slave opened by path), or fail the test. */
static void open_pair(struct __test_metadata *_metadata, const char *dir, struct pty_pair *p)
{
	ASSERT_EQ(0, pty_open_pair(dir, p))
		TH_LOG("open a pty pair in %s: %s", dir, strerror(errno));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* Names in @dir except "." and "..", sorted, joined by spaces; -1 on error. */
static int list_dir(const char *dir, char *buf, size_t len)
{
	char names[32][NAME_MAX + 1], *ptrs[32];
	struct dirent *de;
	size_t used = 0;
	int n = 0, i;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d)) && n < 32) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(names[n], sizeof(names[n]), "%s", de->d_name);
		ptrs[n] = names[n];
		n++;
	}
	closedir(d);
	qsort(ptrs, n, sizeof(ptrs[0]), cmp_names);
	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? " " : "", ptrs[i]);
	return 0;
}

/* Wait for a handshake byte from a child, or fail the test. */
static void hear(struct __test_metadata *_metadata, int fd)
{
	ASSERT_EQ(0, pty_hear(fd, PTY_WAIT_MS))
		TH_LOG("no word from the child");
}

/* ---- nodes, indices, locking, TIOCGPTPEER ---- */

TEST_F(pty, ptmx_node_and_empty_root)
{
	char names[256];
	struct stat st;

	snprintf(self->path, sizeof(self->path), "%s/ptmx", self->dir);
	ASSERT_EQ(0, stat(self->path, &st))
		TH_LOG("stat %s: %s", self->path, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666u, st.st_mode & 07777);
	ASSERT_EQ(0, list_dir(self->dir, names, sizeof(names)));
	EXPECT_STREQ("ptmx", names);
}

TEST_F(pty, index_sequence_and_reuse)
{
	int a, b, c;

	a = open_master(_metadata, self->dir, 0);
	b = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(0, pty_index(a));
	EXPECT_EQ(1, pty_index(b));
	/* A master that never had a slave frees its index at close. */
	close(a);
	c = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(0, pty_index(c));
	close(b);
	close(c);
}

TEST_F(pty, slave_node_appears_at_open)
{
	struct stat st, st1;
	char names[256];
	int m, m1;

	m = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(0, pty_index(m));
	pty_slave_path(self->dir, 0, self->path, sizeof(self->path));
	ASSERT_EQ(0, stat(self->path, &st))
		TH_LOG("stat %s: %s", self->path, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0620u, st.st_mode & 07777);
	EXPECT_EQ(geteuid(), st.st_uid);
	EXPECT_EQ(getegid(), st.st_gid);
	EXPECT_EQ(0u, minor(st.st_rdev));

	m1 = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(1, pty_index(m1));
	pty_slave_path(self->dir, 1, self->path, sizeof(self->path));
	ASSERT_EQ(0, stat(self->path, &st1));
	EXPECT_EQ(1u, minor(st1.st_rdev));
	EXPECT_EQ(major(st.st_rdev), major(st1.st_rdev));
	ASSERT_EQ(0, list_dir(self->dir, names, sizeof(names)));
	EXPECT_STREQ("0 1 ptmx", names);
	close(m1);
	ASSERT_EQ(0, list_dir(self->dir, names, sizeof(names)));
	EXPECT_STREQ("0 ptmx", names);
	close(m);
}

TEST_F(pty, slave_owner_is_opener_fsuid)
{
	struct stat st;
	int m;

	setfsgid(4321);
	setfsuid(1234);
	m = pty_open_master(self->dir, 0);
	setfsuid(0);
	setfsgid(0);
	ASSERT_LE(0, m)
		TH_LOG("open ptmx as fsuid 1234: %s", strerror(errno));
	pty_slave_path(self->dir, pty_index(m), self->path, sizeof(self->path));
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(1234u, st.st_uid);
	EXPECT_EQ(4321u, st.st_gid);
	EXPECT_EQ(0620u, st.st_mode & 07777);
	close(m);
}

TEST_F(pty, slave_node_chmod_chown)
{
	struct pty_pair p;
	struct stat st;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	EXPECT_EQ(0, chmod(self->path, 0600));
	EXPECT_EQ(0, chown(self->path, 65534, 65534));
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(0600u, st.st_mode & 07777);
	EXPECT_EQ(65534u, st.st_uid);
	EXPECT_EQ(65534u, st.st_gid);
	ASSERT_EQ(0, fstat(p.slave, &st));
	EXPECT_EQ(0600u, st.st_mode & 07777);
	pty_close_pair(&p);
}

TEST_F(pty, slave_locked_until_unlock)
{
	char buf[16];
	int m, s, s2, lock = -1;

	m = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(0, ioctl(m, TIOCGPTLCK, &lock));
	EXPECT_EQ(1, lock);
	s = pty_open_slave(self->dir, 0, 0);
	EXPECT_EQ(-1, s);
	EXPECT_EQ(EIO, errno);

	ASSERT_EQ(0, pty_set_lock(m, 0));
	ASSERT_EQ(0, ioctl(m, TIOCGPTLCK, &lock));
	EXPECT_EQ(0, lock);
	s = pty_open_slave(self->dir, 0, 0);
	ASSERT_LE(0, s);

	/* Any non-zero value locks again; open fds keep working. */
	ASSERT_EQ(0, pty_set_lock(m, 5));
	ASSERT_EQ(0, ioctl(m, TIOCGPTLCK, &lock));
	EXPECT_EQ(1, lock);
	EXPECT_EQ(3, pty_write_str(s, "ok\n"));
	EXPECT_STREQ("ok\r\n", pty_read_str(m, buf, sizeof(buf), 4, PTY_WAIT_MS));
	s2 = pty_open_slave(self->dir, 0, 0);
	EXPECT_EQ(-1, s2);
	EXPECT_EQ(EIO, errno);

	ASSERT_EQ(0, pty_set_lock(m, 0));
	s2 = pty_open_slave(self->dir, 0, 0);
	EXPECT_LE(0, s2);
	close(s2);
	close(s);
	close(m);
}

TEST_F(pty, peer_opens_the_slave)
{
	struct stat pst, st;
	char buf[16];
	int m, p, p2, p3;

	m = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(0, pty_set_lock(m, 0));
	p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, p)
		TH_LOG("TIOCGPTPEER: %s", strerror(errno));
	EXPECT_EQ(O_RDWR, fcntl(p, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(0, fcntl(p, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(1, isatty(p));
	pty_slave_path(self->dir, pty_index(m), self->path, sizeof(self->path));
	ASSERT_EQ(0, stat(self->path, &st));
	ASSERT_EQ(0, fstat(p, &pst));
	EXPECT_EQ(st.st_rdev, pst.st_rdev);
	EXPECT_EQ(st.st_ino, pst.st_ino);
	EXPECT_EQ(5, pty_write_str(m, "ping\n"));
	EXPECT_STREQ("ping\n", pty_read_str(p, buf, sizeof(buf), 5, PTY_WAIT_MS));

	/* The flags are the new fd's open flags. */
	p2 = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, p2);
	EXPECT_EQ(FD_CLOEXEC, fcntl(p2, F_GETFD) & FD_CLOEXEC);
	p3 = ioctl(m, TIOCGPTPEER, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	ASSERT_LE(0, p3);
	EXPECT_EQ(O_RDONLY | O_NONBLOCK, fcntl(p3, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
	EXPECT_EQ(-1, read(p3, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, write(p3, "x", 1));
	EXPECT_EQ(EBADF, errno);
	close(p3);
	close(p2);
	close(p);
	close(m);
}

TEST_F(pty, peer_of_locked_pty_is_eio)
{
	int m;

	m = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(-1, ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, pty_set_lock(m, 0));
	ASSERT_EQ(0, pty_set_lock(m, 1));
	EXPECT_EQ(-1, ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	EXPECT_EQ(EIO, errno);
	close(m);
}

TEST_F(pty, master_only_ioctls_on_slave)
{
	struct pty_pair p;
	unsigned int n;
	int v = 0;

	open_pair(_metadata, self->dir, &p);
	EXPECT_EQ(-1, ioctl(p.slave, TIOCGPTN, &n));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TIOCSPTLCK, &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TIOCGPTLCK, &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TIOCPKT, &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TIOCGPKT, &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TIOCSIG, SIGINT));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	EXPECT_EQ(EIO, errno);
	pty_close_pair(&p);
}

/* ---- termios, line discipline ---- */

TEST_F(pty, initial_slave_termios)
{
	struct pty_pair p;
	struct termios t;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, tcgetattr(p.slave, &t));
	EXPECT_EQ((tcflag_t)(ICRNL | IXON), t.c_iflag);
	EXPECT_EQ((tcflag_t)(OPOST | ONLCR), t.c_oflag);
	EXPECT_EQ((tcflag_t)(B38400 | CS8 | CREAD), t.c_cflag);
	EXPECT_EQ((tcflag_t)(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN),
		  t.c_lflag);
	EXPECT_EQ((speed_t)B38400, cfgetospeed(&t));
	EXPECT_EQ((speed_t)B38400, cfgetispeed(&t));
	EXPECT_EQ(003, t.c_cc[VINTR]);
	EXPECT_EQ(034, t.c_cc[VQUIT]);
	EXPECT_EQ(0177, t.c_cc[VERASE]);
	EXPECT_EQ(025, t.c_cc[VKILL]);
	EXPECT_EQ(004, t.c_cc[VEOF]);
	EXPECT_EQ(0, t.c_cc[VTIME]);
	EXPECT_EQ(1, t.c_cc[VMIN]);
	EXPECT_EQ(021, t.c_cc[VSTART]);
	EXPECT_EQ(023, t.c_cc[VSTOP]);
	EXPECT_EQ(032, t.c_cc[VSUSP]);
	EXPECT_EQ(0, t.c_cc[VEOL]);
	EXPECT_EQ(022, t.c_cc[VREPRINT]);
	EXPECT_EQ(017, t.c_cc[VDISCARD]);
	EXPECT_EQ(027, t.c_cc[VWERASE]);
	EXPECT_EQ(026, t.c_cc[VLNEXT]);
	EXPECT_EQ(0, t.c_cc[VEOL2]);
	pty_close_pair(&p);
}

TEST_F(pty, canonical_master_to_slave)
{
	struct pty_pair p;
	char buf[64];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(4, pty_write_str(p.master, "abc\n"));
	EXPECT_STREQ("abc\r\n", pty_read_str(p.master, buf, sizeof(buf), 5, PTY_WAIT_MS));
	/* One read returns the whole line, and only it. */
	EXPECT_EQ(4, pty_read_wait(p.slave, buf, sizeof(buf), PTY_WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "abc\n", 4));

	/* A partial line is not readable. */
	ASSERT_EQ(2, pty_write_str(p.master, "de"));
	EXPECT_STREQ("de", pty_read_str(p.master, buf, sizeof(buf), 2, PTY_WAIT_MS));
	EXPECT_TRUE(pty_quiet(p.slave, PTY_QUIET_MS));
	ASSERT_EQ(1, pty_write_str(p.master, "\n"));
	EXPECT_EQ(3, pty_read_wait(p.slave, buf, sizeof(buf), PTY_WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "de\n", 3));
	pty_close_pair(&p);
}

TEST_F(pty, onlcr_slave_to_master)
{
	struct pty_pair p;
	char buf[64];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(2, pty_write_str(p.slave, "x\n"));
	EXPECT_STREQ("x\r\n", pty_read_str(p.master, buf, sizeof(buf), 3, PTY_WAIT_MS));
	ASSERT_EQ(0, pty_oflags(p.slave, 0, ONLCR));
	ASSERT_EQ(2, pty_write_str(p.slave, "y\n"));
	EXPECT_STREQ("y\n", pty_read_str(p.master, buf, sizeof(buf), 2, PTY_WAIT_MS));
	ASSERT_EQ(0, pty_oflags(p.slave, ONLCR | OCRNL, 0));
	ASSERT_EQ(2, pty_write_str(p.slave, "\rz"));
	EXPECT_STREQ("\nz", pty_read_str(p.master, buf, sizeof(buf), 2, PTY_WAIT_MS));
	EXPECT_TRUE(pty_quiet(p.master, PTY_QUIET_MS));
	pty_close_pair(&p);
}

TEST_F(pty, echo_of_input)
{
	struct pty_pair p;
	char buf[64];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(3, pty_write_str(p.master, "hi\n"));
	EXPECT_STREQ("hi\r\n", pty_read_str(p.master, buf, sizeof(buf), 4, PTY_WAIT_MS));
	EXPECT_TRUE(pty_quiet(p.master, PTY_QUIET_MS));
	EXPECT_STREQ("hi\n", pty_read_str(p.slave, buf, sizeof(buf), 3, PTY_WAIT_MS));
	pty_close_pair(&p);
}

TEST_F(pty, no_echo_without_echo_flag)
{
	struct pty_pair p;
	char buf[64];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	ASSERT_EQ(7, pty_write_str(p.master, "secret\n"));
	EXPECT_STREQ("secret\n", pty_read_str(p.slave, buf, sizeof(buf), 7, PTY_WAIT_MS));
	EXPECT_TRUE(pty_quiet(p.master, PTY_QUIET_MS));
	/* ECHONL still echoes the newline. */
	ASSERT_EQ(0, pty_lflags(p.slave, ECHONL, 0));
	ASSERT_EQ(3, pty_write_str(p.master, "pw\n"));
	EXPECT_STREQ("\r\n", pty_read_str(p.master, buf, sizeof(buf), 2, PTY_WAIT_MS));
	EXPECT_STREQ("pw\n", pty_read_str(p.slave, buf, sizeof(buf), 3, PTY_WAIT_MS));
	pty_close_pair(&p);
}

TEST_F(pty, icrnl_and_echoctl)
{
	struct pty_pair p;
	char buf[64];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(2, pty_write_str(p.master, "a\r"));
	EXPECT_STREQ("a\r\n", pty_read_str(p.master, buf, sizeof(buf), 3, PTY_WAIT_MS));
	EXPECT_STREQ("a\n", pty_read_str(p.slave, buf, sizeof(buf), 2, PTY_WAIT_MS));
	ASSERT_EQ(2, pty_write_str(p.master, "\x01\n"));
	EXPECT_STREQ("^A\r\n", pty_read_str(p.master, buf, sizeof(buf), 4, PTY_WAIT_MS));
	EXPECT_STREQ("\x01\n", pty_read_str(p.slave, buf, sizeof(buf), 2, PTY_WAIT_MS));
	pty_close_pair(&p);
}

TEST_F(pty, raw_mode_passes_all_bytes)
{
	unsigned char out[256], in[256];
	struct pty_pair p;
	int i;

	for (i = 0; i < 256; i++)
		out[i] = i;
	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	ASSERT_EQ(256, write(p.master, out, sizeof(out)));
	ASSERT_EQ(256u, pty_read_full(p.slave, in, sizeof(in), PTY_WAIT_MS));
	EXPECT_EQ(0, memcmp(out, in, sizeof(in)));
	/* No echo in raw mode. */
	EXPECT_TRUE(pty_quiet(p.master, PTY_QUIET_MS));
	ASSERT_EQ(256, write(p.slave, out, sizeof(out)));
	ASSERT_EQ(256u, pty_read_full(p.master, in, sizeof(in), PTY_WAIT_MS));
	EXPECT_EQ(0, memcmp(out, in, sizeof(in)));
	pty_close_pair(&p);
}

TEST_F(pty, vmin_waits_for_min_bytes)
{
	struct pty_pair p;
	char buf[16];
	int n = -1;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	ASSERT_EQ(0, pty_set_cc(p.slave, VMIN, 3));
	ASSERT_EQ(2, pty_write_str(p.master, "ab"));
	EXPECT_TRUE(pty_quiet(p.slave, PTY_QUIET_MS));
	ASSERT_EQ(0, ioctl(p.slave, FIONREAD, &n));
	EXPECT_EQ(2, n);
	ASSERT_EQ(1, pty_write_str(p.master, "c"));
	EXPECT_EQ(POLLIN, pty_poll(p.slave, POLLIN, PTY_WAIT_MS));
	EXPECT_EQ(3, read(p.slave, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "abc", 3));
	pty_close_pair(&p);
}

TEST_F(pty, vmin_zero_reads)
{
	struct pty_pair p;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	ASSERT_EQ(0, pty_set_cc(p.slave, VMIN, 0));
	/* MIN 0, TIME 0: return at once with what is there. */
	EXPECT_EQ(0, read(p.slave, buf, sizeof(buf)));
	/* MIN 0, TIME 1: 0 when a tenth of a second passes without data. */
	ASSERT_EQ(0, pty_set_cc(p.slave, VTIME, 1));
	EXPECT_EQ(0, read(p.slave, buf, sizeof(buf)));
	ASSERT_EQ(1, pty_write_str(p.master, "z"));
	EXPECT_EQ(1, pty_read_wait(p.slave, buf, sizeof(buf), PTY_WAIT_MS));
	EXPECT_EQ('z', buf[0]);
	pty_close_pair(&p);
}

TEST_F(pty, nonblocking_master_read_empty)
{
	struct pty_pair p;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(POLLOUT, pty_poll(p.master, ALL_EVENTS, 0));
	pty_close_pair(&p);
}

TEST_F(pty, nonblocking_slave_read_empty)
{
	struct pty_pair p;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_nonblock(p.slave, 1));
	EXPECT_EQ(-1, read(p.slave, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(POLLOUT, pty_poll(p.slave, ALL_EVENTS, 0));
	ASSERT_EQ(0, pty_set_raw(p.slave));
	EXPECT_EQ(-1, read(p.slave, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	pty_close_pair(&p);
}

TEST_F(pty, master_unreadable_before_slave_open)
{
	char buf[16];
	int m;

	m = open_master(_metadata, self->dir, O_NONBLOCK);
	EXPECT_EQ(POLLOUT, pty_poll(m, ALL_EVENTS, PTY_QUIET_MS));
	EXPECT_EQ(-1, read(m, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, pty_set_lock(m, 0));
	EXPECT_EQ(POLLOUT, pty_poll(m, ALL_EVENTS, PTY_QUIET_MS));
	EXPECT_EQ(-1, read(m, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(m);
}

TEST_F(pty, master_writes_before_slave_open)
{
	char buf[64];
	int m, s;

	m = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(0, pty_set_lock(m, 0));
	ASSERT_EQ(6, pty_write_str(m, "early\n"));
	EXPECT_STREQ("early\r\n", pty_read_str(m, buf, sizeof(buf), 7, PTY_WAIT_MS));
	s = pty_open_slave(self->dir, pty_index(m), 0);
	ASSERT_LE(0, s);
	EXPECT_STREQ("early\n", pty_read_str(s, buf, sizeof(buf), 6, PTY_WAIT_MS));
	close(s);
	close(m);
}

/* ---- the other side goes away ---- */

TEST_F(pty, master_eio_after_last_slave_close)
{
	struct pty_pair p;
	char buf[64];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(4, pty_write_str(p.slave, "bye\n"));
	close(p.slave);
	p.slave = -1;
	/* What the slave wrote is read first, then EIO. */
	EXPECT_STREQ("bye\r\n", pty_read_str(p.master, buf, sizeof(buf), 5, PTY_WAIT_MS));
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(POLLOUT | POLLHUP, pty_poll(p.master, ALL_EVENTS, 0));
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	pty_close_pair(&p);
}

TEST_F(pty, master_writes_after_slave_close)
{
	struct pty_pair p;
	char buf[64];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	close(p.slave);
	EXPECT_EQ(4, pty_write_str(p.master, "late"));
	p.slave = pty_open_slave(self->dir, p.index, 0);
	ASSERT_LE(0, p.slave);
	EXPECT_STREQ("late", pty_read_str(p.slave, buf, sizeof(buf), 4, PTY_WAIT_MS));
	pty_close_pair(&p);
}

TEST_F(pty, slave_hung_up_after_master_close)
{
	struct pty_pair p;
	struct termios t;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	close(p.master);
	p.master = -1;
	EXPECT_EQ(0, read(p.slave, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(p.slave, "x", 1));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(POLLIN | POLLOUT | POLLERR | POLLHUP, pty_poll(p.slave, ALL_EVENTS, 0));
	EXPECT_EQ(-1, tcgetattr(p.slave, &t));
	EXPECT_EQ(EIO, errno);
	pty_close_pair(&p);
}

TEST_F(pty, node_removed_at_master_close)
{
	struct pty_pair p;
	char names[256];
	struct stat st;
	int m2, m3;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	close(p.master);
	p.master = -1;
	EXPECT_EQ(-1, stat(self->path, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, open(self->path, O_RDWR | O_NOCTTY));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, list_dir(self->dir, names, sizeof(names)));
	EXPECT_STREQ("ptmx", names);
	EXPECT_EQ(0, fstat(p.slave, &st));
	/* The index stays taken while a slave fd is open. */
	m2 = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(1, pty_index(m2));
	close(p.slave);
	p.slave = -1;
	m3 = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(0, pty_index(m3));
	close(m3);
	close(m2);
}

TEST_F(pty, reopened_slave_clears_eio)
{
	struct pty_pair p;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	close(p.slave);
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	p.slave = pty_open_slave(self->dir, p.index, 0);
	ASSERT_LE(0, p.slave);
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(POLLOUT, pty_poll(p.master, ALL_EVENTS, 0));
	pty_close_pair(&p);
}

TEST_F(pty, state_survives_slave_reopen)
{
	struct winsize ws = { .ws_row = 33, .ws_col = 77 }, got;
	struct pty_pair p;
	struct termios t;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	ASSERT_EQ(0, ioctl(p.slave, TIOCSWINSZ, &ws));
	ASSERT_EQ(5, pty_write_str(p.master, "keep\n"));
	ASSERT_EQ(POLLIN, pty_poll(p.slave, POLLIN, PTY_WAIT_MS));
	close(p.slave);
	p.slave = pty_open_slave(self->dir, p.index, 0);
	ASSERT_LE(0, p.slave);
	ASSERT_EQ(0, tcgetattr(p.slave, &t));
	EXPECT_EQ(0u, t.c_lflag & ECHO);
	EXPECT_EQ((tcflag_t)ICANON, t.c_lflag & ICANON);
	ASSERT_EQ(0, ioctl(p.slave, TIOCGWINSZ, &got));
	EXPECT_EQ(33, got.ws_row);
	EXPECT_EQ(77, got.ws_col);
	EXPECT_STREQ("keep\n", pty_read_str(p.slave, buf, sizeof(buf), 5, PTY_WAIT_MS));
	pty_close_pair(&p);
}

TEST_F(pty, two_slave_fds)
{
	struct pty_pair p;
	char buf[16];
	int s2;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	s2 = pty_open_slave(self->dir, p.index, 0);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	ASSERT_EQ(4, pty_write_str(p.master, "one\n"));
	EXPECT_STREQ("one\n", pty_read_str(s2, buf, sizeof(buf), 4, PTY_WAIT_MS));
	close(p.slave);
	p.slave = -1;
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(2, pty_write_str(s2, "2\n"));
	EXPECT_STREQ("2\r\n", pty_read_str(p.master, buf, sizeof(buf), 3, PTY_WAIT_MS));
	close(s2);
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	pty_close_pair(&p);
}

struct read_result {
	int n;
	int err;
};

TEST_F(pty, master_close_wakes_blocked_reader)
{
	struct read_result *r;
	struct pty_pair p;
	int sync[2];
	pid_t pid;

	open_pair(_metadata, self->dir, &p);
	r = pty_shared(sizeof(*r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char buf[16];

		close(p.master);
		pty_tell(sync[1]);
		r->n = read(p.slave, buf, sizeof(buf));
		r->err = r->n < 0 ? errno : 0;
		_exit(0);
	}
	hear(_metadata, sync[0]);
	ASSERT_EQ(0, pty_wait_blocked(pid, SYS_read, PTY_WAIT_MS))
		TH_LOG("the child never blocked in read()");
	close(p.master);
	p.master = -1;
	EXPECT_EQ(0, pty_wait_child(pid));
	/* A reader asleep at hangup sees EIO; later reads see end of file. */
	EXPECT_EQ(-1, r->n);
	EXPECT_EQ(EIO, r->err);
	EXPECT_EQ(0, read(p.slave, r, sizeof(*r)));
	pty_close_pair(&p);
}

/* ---- termios and window size through the master ---- */

TEST_F(pty, termios_on_master_acts_on_slave)
{
	struct termios tm, ts;
	struct pty_pair p;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, tcgetattr(p.master, &tm));
	ASSERT_EQ(0, tcgetattr(p.slave, &ts));
	EXPECT_EQ(ts.c_iflag, tm.c_iflag);
	EXPECT_EQ(ts.c_oflag, tm.c_oflag);
	EXPECT_EQ(ts.c_cflag, tm.c_cflag);
	EXPECT_EQ(ts.c_lflag, tm.c_lflag);
	EXPECT_EQ(0, memcmp(ts.c_cc, tm.c_cc, sizeof(ts.c_cc)));

	tm.c_lflag &= ~ECHO;
	tm.c_cc[VERASE] = '\b';
	ASSERT_EQ(0, tcsetattr(p.master, TCSANOW, &tm));
	ASSERT_EQ(0, tcgetattr(p.slave, &ts));
	EXPECT_EQ(0u, ts.c_lflag & ECHO);
	EXPECT_EQ('\b', ts.c_cc[VERASE]);
	ASSERT_EQ(5, pty_write_str(p.master, "ab\bc\n"));
	EXPECT_STREQ("ac\n", pty_read_str(p.slave, buf, sizeof(buf), 3, PTY_WAIT_MS));
	EXPECT_TRUE(pty_quiet(p.master, PTY_QUIET_MS));

	ASSERT_EQ(0, pty_oflags(p.slave, 0, OPOST));
	ASSERT_EQ(0, tcgetattr(p.master, &tm));
	EXPECT_EQ(0u, tm.c_oflag & OPOST);
	pty_close_pair(&p);
}

TEST_F(pty, isatty_on_both_sides)
{
	struct pty_pair p;
	int fl;

	open_pair(_metadata, self->dir, &p);
	EXPECT_EQ(1, isatty(p.master));
	EXPECT_EQ(1, isatty(p.slave));
	pty_close_pair(&p);
	/* ptmx open flags become the master's flags. */
	p.master = open_master(_metadata, self->dir, O_NONBLOCK);
	fl = fcntl(p.master, F_GETFL);
	EXPECT_EQ(O_RDWR | O_NONBLOCK, fl & (O_ACCMODE | O_NONBLOCK));
	close(p.master);
}

TEST_F(pty, window_size_both_ways)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80, .ws_xpixel = 640, .ws_ypixel = 480 };
	struct winsize got;
	struct pty_pair p;

	open_pair(_metadata, self->dir, &p);
	memset(&got, 0xff, sizeof(got));
	ASSERT_EQ(0, ioctl(p.slave, TIOCGWINSZ, &got));
	EXPECT_EQ(0, got.ws_row);
	EXPECT_EQ(0, got.ws_col);
	EXPECT_EQ(0, got.ws_xpixel);
	EXPECT_EQ(0, got.ws_ypixel);
	ASSERT_EQ(0, ioctl(p.master, TIOCSWINSZ, &ws));
	ASSERT_EQ(0, ioctl(p.slave, TIOCGWINSZ, &got));
	EXPECT_EQ(0, memcmp(&ws, &got, sizeof(ws)));
	ASSERT_EQ(0, ioctl(p.master, TIOCGWINSZ, &got));
	EXPECT_EQ(0, memcmp(&ws, &got, sizeof(ws)));
	ws.ws_row = 50;
	ws.ws_col = 132;
	ASSERT_EQ(0, ioctl(p.slave, TIOCSWINSZ, &ws));
	ASSERT_EQ(0, ioctl(p.master, TIOCGWINSZ, &got));
	EXPECT_EQ(0, memcmp(&ws, &got, sizeof(ws)));
	pty_close_pair(&p);
}

struct sig_result {
	int first;
	int second;
	int other;
};

TEST_F(pty, sigwinch_to_foreground_group)
{
	struct winsize ws = { .ws_row = 30, .ws_col = 90 };
	int c2p[2], p2c[2], rc;
	struct sig_result *r;
	struct pty_pair p;
	pid_t pid;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	r = pty_shared(sizeof(*r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p.master);
		pty_block_signal(SIGWINCH);
		if (pty_make_ctty(self->path) < 0)
			_exit(1);
		pty_tell(c2p[1]);
		if (pty_hear(p2c[0], PTY_WAIT_MS))
			_exit(2);
		r->first = pty_signal_wait(SIGWINCH, 0);
		pty_tell(c2p[1]);
		if (pty_hear(p2c[0], PTY_WAIT_MS))
			_exit(3);
		r->second = pty_signal_pending(SIGWINCH);
		_exit(0);
	}
	hear(_metadata, c2p[0]);
	/* Resizing signals the slave's foreground group before returning. */
	ASSERT_EQ(0, ioctl(p.master, TIOCSWINSZ, &ws));
	pty_tell(p2c[1]);
	hear(_metadata, c2p[0]);
	/* Setting the same size again is no change and no signal. */
	ASSERT_EQ(0, ioctl(p.master, TIOCSWINSZ, &ws));
	pty_tell(p2c[1]);
	rc = pty_wait_child(pid);
	EXPECT_EQ(0, rc);
	EXPECT_EQ(1, r->first);
	EXPECT_EQ(0, r->second);
	pty_close_pair(&p);
}

TEST_F(pty, pgrp_and_sid_through_master)
{
	int c2p[2], p2c[2], v = -1;
	struct pty_pair p;
	pid_t pid;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	/* No session yet: process group 0, no session id. */
	ASSERT_EQ(0, ioctl(p.master, TIOCGPGRP, &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(-1, ioctl(p.master, TIOCGSID, &v));
	EXPECT_EQ(ENOTTY, errno);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p.master);
		if (pty_make_ctty(self->path) < 0)
			_exit(1);
		pty_tell(c2p[1]);
		pty_hear(p2c[0], PTY_WAIT_MS);
		_exit(0);
	}
	hear(_metadata, c2p[0]);
	EXPECT_EQ(0, ioctl(p.master, TIOCGPGRP, &v));
	EXPECT_EQ(pid, v);
	EXPECT_EQ(0, ioctl(p.master, TIOCGSID, &v));
	EXPECT_EQ(pid, v);
	EXPECT_EQ(pid, tcgetpgrp(p.master));
	/* On the slave these need it to be the caller's terminal. */
	EXPECT_EQ(-1, ioctl(p.slave, TIOCGPGRP, &v));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TIOCGSID, &v));
	EXPECT_EQ(ENOTTY, errno);
	pty_tell(p2c[1]);
	EXPECT_EQ(0, pty_wait_child(pid));
	pty_close_pair(&p);
}

struct tiocsig_result {
	int intr;
	int quit;
	int kill_einval;
};

TEST_F(pty, tiocsig_signals_foreground_group)
{
	struct tiocsig_result *r;
	int c2p[2], p2c[2];
	struct pty_pair p;
	char buf[16];
	pid_t pid;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	/* Allowed without any session: nobody to signal. */
	EXPECT_EQ(0, ioctl(p.master, TIOCSIG, SIGINT));
	r = pty_shared(sizeof(*r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p.master);
		pty_block_signal(SIGINT);
		pty_block_signal(SIGQUIT);
		if (pty_make_ctty(self->path) < 0)
			_exit(1);
		pty_tell(c2p[1]);
		if (pty_hear(p2c[0], PTY_WAIT_MS))
			_exit(2);
		r->intr = pty_signal_pending(SIGINT);
		r->quit = pty_signal_pending(SIGQUIT);
		_exit(0);
	}
	hear(_metadata, c2p[0]);
	ASSERT_EQ(0, pty_lflags(p.master, 0, ECHO));
	ASSERT_EQ(3, pty_write_str(p.master, "ab\n"));
	ASSERT_EQ(POLLIN, pty_poll(p.slave, POLLIN, PTY_WAIT_MS));
	EXPECT_EQ(0, ioctl(p.master, TIOCSIG, SIGINT));
	EXPECT_EQ(0, ioctl(p.master, TIOCSIG, SIGQUIT));
	EXPECT_EQ(-1, ioctl(p.master, TIOCSIG, SIGKILL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCSIG, SIGHUP));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCSIG, 0));
	EXPECT_EQ(EINVAL, errno);
	/* TIOCSIG neither echoes nor flushes. */
	EXPECT_TRUE(pty_quiet(p.master, PTY_QUIET_MS));
	EXPECT_STREQ("ab\n", pty_read_str(p.slave, buf, sizeof(buf), 3, PTY_WAIT_MS));
	pty_tell(p2c[1]);
	EXPECT_EQ(0, pty_wait_child(pid));
	EXPECT_EQ(1, r->intr);
	EXPECT_EQ(1, r->quit);
	pty_close_pair(&p);
}

/* ---- packet mode and flow control ---- */

/* Read one packet from master @m: returns its length, @buf gets it. */
static ssize_t read_packet(int m, unsigned char *buf, size_t len)
{
	return pty_read_wait(m, buf, len, PTY_WAIT_MS);
}

TEST_F(pty, packet_mode_data_prefix)
{
	unsigned char buf[16];
	struct pty_pair p;
	int v = -1;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, ioctl(p.master, TIOCGPKT, &v));
	EXPECT_EQ(0, v);
	/* Raw mode first: clearing IXON in packet mode posts NOSTOP. */
	ASSERT_EQ(0, pty_set_raw(p.slave));
	v = 1;
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &v));
	ASSERT_EQ(0, ioctl(p.master, TIOCGPKT, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(2, pty_write_str(p.slave, "ab"));
	EXPECT_EQ(POLLIN, pty_poll(p.master, POLLIN | POLLPRI, PTY_WAIT_MS));
	ASSERT_EQ(3, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_DATA, buf[0]);
	EXPECT_EQ(0, memcmp(buf + 1, "ab", 2));

	v = 0;
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &v));
	ASSERT_EQ(0, ioctl(p.master, TIOCGPKT, &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(1, pty_write_str(p.slave, "c"));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ('c', buf[0]);
	pty_close_pair(&p);
}

TEST_F(pty, packet_mode_flush_events)
{
	unsigned char buf[16];
	struct pty_pair p;
	int one = 1;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &one));
	ASSERT_EQ(0, tcflush(p.slave, TCIFLUSH));
	EXPECT_EQ(POLLIN | POLLPRI, pty_poll(p.master, POLLIN | POLLPRI, PTY_WAIT_MS));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_FLUSHREAD, buf[0]);
	EXPECT_EQ(0, pty_poll(p.master, POLLIN | POLLPRI, 0));

	ASSERT_EQ(0, tcflush(p.slave, TCOFLUSH));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_FLUSHWRITE, buf[0]);

	ASSERT_EQ(0, tcflush(p.slave, TCIOFLUSH));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE, buf[0]);
	pty_close_pair(&p);
}

TEST_F(pty, packet_mode_stop_start)
{
	unsigned char buf[16];
	struct pty_pair p;
	int one = 1;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &one));
	ASSERT_EQ(0, tcflow(p.slave, TCOOFF));
	EXPECT_EQ(POLLIN | POLLPRI, pty_poll(p.master, POLLIN | POLLPRI, PTY_WAIT_MS));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_STOP, buf[0]);
	ASSERT_EQ(0, tcflow(p.slave, TCOON));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_START, buf[0]);
	/* A start replaces a stop not yet read. */
	ASSERT_EQ(0, tcflow(p.slave, TCOOFF));
	ASSERT_EQ(0, tcflow(p.slave, TCOON));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_START, buf[0]);
	EXPECT_EQ(0, pty_poll(p.master, POLLIN | POLLPRI, 0));
	pty_close_pair(&p);
}

TEST_F(pty, packet_mode_ixon_toggle)
{
	unsigned char buf[16];
	struct pty_pair p;
	int one = 1;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &one));
	ASSERT_EQ(0, pty_iflags(p.slave, 0, IXON));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_NOSTOP, buf[0]);
	ASSERT_EQ(0, pty_iflags(p.slave, IXON, 0));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_DOSTOP, buf[0]);
	/* Other termios changes post nothing. */
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	EXPECT_EQ(0, pty_poll(p.master, POLLIN | POLLPRI, PTY_QUIET_MS));
	/* Through the master too: it sets the slave's termios. */
	ASSERT_EQ(0, pty_iflags(p.master, 0, IXON));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_NOSTOP, buf[0]);
	pty_close_pair(&p);
}

TEST_F(pty, packet_mode_reenable_clears_status)
{
	unsigned char buf[16];
	struct pty_pair p;
	int one = 1, zero = 0;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &one));
	ASSERT_EQ(0, tcflow(p.slave, TCOOFF));
	/* Enabling again while enabled keeps the pending status. */
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &one));
	EXPECT_EQ(POLLIN | POLLPRI, pty_poll(p.master, POLLIN | POLLPRI, 0));
	/* Off then on clears it. */
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &zero));
	EXPECT_EQ(0, pty_poll(p.master, POLLIN | POLLPRI, 0));
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &one));
	EXPECT_EQ(0, pty_poll(p.master, POLLIN | POLLPRI, 0));
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, tcflow(p.slave, TCOON));
	pty_close_pair(&p);
}

TEST_F(pty, ixon_stop_and_start_chars)
{
	unsigned char buf[16];
	struct pty_pair p;
	int one = 1;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &one));
	ASSERT_EQ(0, pty_set_nonblock(p.slave, 1));
	ASSERT_EQ(1, pty_write_str(p.master, "\x13"));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_STOP, buf[0]);
	/* Output is stopped: no room to write. */
	EXPECT_EQ(0, pty_poll(p.slave, POLLOUT, PTY_QUIET_MS));
	EXPECT_EQ(-1, write(p.slave, "z", 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(1, pty_write_str(p.master, "\x11"));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_START, buf[0]);
	EXPECT_EQ(POLLOUT, pty_poll(p.slave, POLLOUT, PTY_WAIT_MS));
	EXPECT_EQ(1, write(p.slave, "z", 1));
	ASSERT_EQ(2, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_DATA, buf[0]);
	EXPECT_EQ('z', buf[1]);
	/* The flow characters were consumed, not queued or echoed. */
	ASSERT_EQ(0, pty_set_nonblock(p.slave, 0));
	EXPECT_EQ(0, pty_poll(p.slave, POLLIN, 0));
	pty_close_pair(&p);
}

TEST_F(pty, tcooff_blocks_slave_output)
{
	struct pty_pair p;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_nonblock(p.slave, 1));
	ASSERT_EQ(0, tcflow(p.slave, TCOOFF));
	EXPECT_EQ(-1, write(p.slave, "q", 1));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_TRUE(pty_quiet(p.master, PTY_QUIET_MS));
	ASSERT_EQ(0, tcflow(p.slave, TCOON));
	EXPECT_EQ(1, write(p.slave, "q", 1));
	EXPECT_EQ(1, pty_read_wait(p.master, buf, sizeof(buf), PTY_WAIT_MS));
	EXPECT_EQ('q', buf[0]);
	pty_close_pair(&p);
}

/* ---- queue sizes, flushing, bad ioctls ---- */

TEST_F(pty, fionread_on_both_sides)
{
	struct pty_pair p;
	char buf[16];
	int n = -1;

	open_pair(_metadata, self->dir, &p);
	/* Canonical: only complete lines count. */
	ASSERT_EQ(2, pty_write_str(p.master, "ab"));
	EXPECT_STREQ("ab", pty_read_str(p.master, buf, sizeof(buf), 2, PTY_WAIT_MS));
	ASSERT_EQ(0, ioctl(p.slave, FIONREAD, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(2, pty_write_str(p.master, "c\n"));
	EXPECT_STREQ("c\r\n", pty_read_str(p.master, buf, sizeof(buf), 3, PTY_WAIT_MS));
	ASSERT_EQ(0, ioctl(p.slave, FIONREAD, &n));
	EXPECT_EQ(4, n);
	/* The master counts every byte. */
	ASSERT_EQ(3, pty_write_str(p.slave, "xyz"));
	ASSERT_EQ(POLLIN, pty_poll(p.master, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(0, ioctl(p.master, FIONREAD, &n));
	EXPECT_EQ(3, n);
	/* Non-canonical: every byte too. */
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ICANON));
	ASSERT_EQ(0, ioctl(p.slave, FIONREAD, &n));
	EXPECT_EQ(4, n);
	pty_close_pair(&p);
}

TEST_F(pty, tiocoutq_is_zero)
{
	struct pty_pair p;
	int n = -1;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(3, pty_write_str(p.slave, "abc"));
	ASSERT_EQ(POLLIN, pty_poll(p.master, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(0, ioctl(p.slave, TIOCOUTQ, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	ASSERT_EQ(3, pty_write_str(p.master, "abc"));
	n = -1;
	ASSERT_EQ(0, ioctl(p.master, TIOCOUTQ, &n));
	EXPECT_EQ(0, n);
	pty_close_pair(&p);
}

TEST_F(pty, tcflush_discards_input)
{
	struct pty_pair p;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	ASSERT_EQ(0, pty_set_nonblock(p.slave, 1));
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	ASSERT_EQ(4, pty_write_str(p.master, "abc\n"));
	ASSERT_EQ(POLLIN, pty_poll(p.slave, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(0, tcflush(p.slave, TCIFLUSH));
	EXPECT_EQ(-1, read(p.slave, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	/* On the master it discards what the slave wrote. */
	ASSERT_EQ(4, pty_write_str(p.slave, "out\n"));
	ASSERT_EQ(POLLIN, pty_poll(p.master, POLLIN, PTY_WAIT_MS));
	ASSERT_EQ(0, tcflush(p.master, TCIFLUSH));
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	pty_close_pair(&p);
}

TEST_F(pty, tcflsh_bad_argument)
{
	struct pty_pair p;

	open_pair(_metadata, self->dir, &p);
	EXPECT_EQ(-1, ioctl(p.master, TCFLSH, 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TCFLSH, 3));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TCXONC, 7));
	EXPECT_EQ(EINVAL, errno);
	pty_close_pair(&p);
}

TEST_F(pty, bad_pointers_give_efault)
{
	void *bad = (void *)1;
	struct winsize ws;
	struct pty_pair p;
	int v = -1;

	open_pair(_metadata, self->dir, &p);
	EXPECT_EQ(-1, ioctl(p.master, TIOCSPTLCK, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCGPTLCK, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCGPTN, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCSWINSZ, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCGWINSZ, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, TCGETS, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, TCSETS, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCPKT, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCGPKT, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, FIONREAD, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCOUTQ, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCGPGRP, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TCGETS, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.slave, TIOCGWINSZ, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(p.slave, FIONREAD, bad));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing changed. */
	ASSERT_EQ(0, ioctl(p.master, TIOCGPTLCK, &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, ioctl(p.master, TIOCGPKT, &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, ioctl(p.slave, TIOCGWINSZ, &ws));
	EXPECT_EQ(0, ws.ws_row);
	EXPECT_EQ(0, ws.ws_col);
	pty_close_pair(&p);
}

TEST_F(pty, unknown_ioctls_give_enotty)
{
	static const unsigned long cmds[] = {
		_IO('T', 0x7f), _IOR('x', 0x7e, int), TIOCMGET, TIOCMBIS, TIOCGICOUNT,
		TIOCGSERIAL,
	};
	char arg[256];
	struct pty_pair p;
	unsigned int i;

	open_pair(_metadata, self->dir, &p);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(arg, 0, sizeof(arg));
		EXPECT_EQ(-1, ioctl(p.master, cmds[i], arg))
			TH_LOG("master ioctl %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno)
			TH_LOG("master ioctl %#lx", cmds[i]);
		EXPECT_EQ(-1, ioctl(p.slave, cmds[i], arg))
			TH_LOG("slave ioctl %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno)
			TH_LOG("slave ioctl %#lx", cmds[i]);
	}
	pty_close_pair(&p);
}

TEST_F(pty, drain_and_break_succeed)
{
	struct pty_pair p;

	open_pair(_metadata, self->dir, &p);
	EXPECT_EQ(0, tcdrain(p.slave));
	EXPECT_EQ(0, tcdrain(p.master));
	EXPECT_EQ(0, tcsendbreak(p.slave, 0));
	EXPECT_EQ(0, tcsendbreak(p.master, 0));
	EXPECT_TRUE(pty_quiet(p.master, PTY_QUIET_MS));
	EXPECT_TRUE(pty_quiet(p.slave, 0));
	pty_close_pair(&p);
}

/* ---- canonical editing and signals from input ---- */

TEST_F(pty, isig_interrupt_char)
{
	int c2p[2], p2c[2], *got;
	struct pty_pair p;
	char buf[16];
	pid_t pid;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	got = pty_shared(sizeof(*got));
	ASSERT_NE(NULL, got);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p.master);
		pty_block_signal(SIGINT);
		if (pty_make_ctty(self->path) < 0)
			_exit(1);
		pty_tell(c2p[1]);
		*got = pty_signal_wait(SIGINT, PTY_WAIT_MS);
		pty_tell(c2p[1]);
		pty_hear(p2c[0], PTY_WAIT_MS);
		_exit(0);
	}
	hear(_metadata, c2p[0]);
	/* A partial line, then ^C: signal, echo "^C", line discarded. */
	ASSERT_EQ(3, pty_write_str(p.master, "abc"));
	EXPECT_STREQ("abc", pty_read_str(p.master, buf, sizeof(buf), 3, PTY_WAIT_MS));
	ASSERT_EQ(1, pty_write_str(p.master, "\x03"));
	hear(_metadata, c2p[0]);
	EXPECT_EQ(1, *got);
	EXPECT_STREQ("^C", pty_read_str(p.master, buf, sizeof(buf), 2, PTY_WAIT_MS));
	ASSERT_EQ(2, pty_write_str(p.master, "d\n"));
	EXPECT_STREQ("d\r\n", pty_read_str(p.master, buf, sizeof(buf), 3, PTY_WAIT_MS));
	EXPECT_STREQ("d\n", pty_read_str(p.slave, buf, sizeof(buf), 2, PTY_WAIT_MS));
	pty_tell(p2c[1]);
	EXPECT_EQ(0, pty_wait_child(pid));
	pty_close_pair(&p);
}

TEST_F(pty, canonical_erase)
{
	struct pty_pair p;
	char buf[32];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(3, pty_write_str(p.master, "ab\x7f"));
	EXPECT_STREQ("ab\b \b", pty_read_str(p.master, buf, sizeof(buf), 5, PTY_WAIT_MS));
	ASSERT_EQ(2, pty_write_str(p.master, "c\n"));
	EXPECT_STREQ("c\r\n", pty_read_str(p.master, buf, sizeof(buf), 3, PTY_WAIT_MS));
	EXPECT_STREQ("ac\n", pty_read_str(p.slave, buf, sizeof(buf), 3, PTY_WAIT_MS));
	/* Erasing an echoed control character takes two columns. */
	ASSERT_EQ(3, pty_write_str(p.master, "\x01\x7f\n"));
	EXPECT_STREQ("^A\b \b\b \b\r\n",
		     pty_read_str(p.master, buf, sizeof(buf), 10, PTY_WAIT_MS));
	EXPECT_STREQ("\n", pty_read_str(p.slave, buf, sizeof(buf), 1, PTY_WAIT_MS));
	pty_close_pair(&p);
}

TEST_F(pty, canonical_kill_and_werase)
{
	struct pty_pair p;
	char buf[64];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(4, pty_write_str(p.master, "abc\x15"));
	EXPECT_STREQ("abc\b \b\b \b\b \b",
		     pty_read_str(p.master, buf, sizeof(buf), 12, PTY_WAIT_MS));
	ASSERT_EQ(2, pty_write_str(p.master, "d\n"));
	EXPECT_STREQ("d\r\n", pty_read_str(p.master, buf, sizeof(buf), 3, PTY_WAIT_MS));
	EXPECT_STREQ("d\n", pty_read_str(p.slave, buf, sizeof(buf), 2, PTY_WAIT_MS));

	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	/* A word is letters, digits and '_' (BSD ALTWERASE). */
	ASSERT_EQ(9, pty_write_str(p.master, "foo-bar\x17\n"));
	EXPECT_STREQ("foo-\n", pty_read_str(p.slave, buf, sizeof(buf), 5, PTY_WAIT_MS));
	pty_close_pair(&p);
}

TEST_F(pty, eof_char)
{
	struct pty_pair p;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	/* ^D at line start: read returns 0; ^D is not echoed. */
	ASSERT_EQ(1, pty_write_str(p.master, "\x04"));
	EXPECT_EQ(0, pty_read_wait(p.slave, buf, sizeof(buf), PTY_WAIT_MS));
	/* Mid-line: pushes the line without the ^D. */
	ASSERT_EQ(2, pty_write_str(p.master, "x\x04"));
	EXPECT_EQ(1, pty_read_wait(p.slave, buf, sizeof(buf), PTY_WAIT_MS));
	EXPECT_EQ('x', buf[0]);
	EXPECT_STREQ("x", pty_read_str(p.master, buf, sizeof(buf), 1, PTY_WAIT_MS));
	EXPECT_TRUE(pty_quiet(p.master, PTY_QUIET_MS));
	ASSERT_EQ(0, pty_set_nonblock(p.slave, 1));
	EXPECT_EQ(-1, read(p.slave, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	pty_close_pair(&p);
}

TEST_F(pty, canonical_line_limit)
{
	static char line[5001], got[8192];
	struct pty_pair p;
	ssize_t n;
	int i;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	memset(line, 'a', 5000);
	line[5000] = '\n';
	ASSERT_EQ(5001, write(p.master, line, sizeof(line)));
	/* 4095 characters are kept, then the newline. */
	n = pty_read_wait(p.slave, got, sizeof(got), PTY_WAIT_MS);
	ASSERT_EQ(4096, n);
	for (i = 0; i < 4095; i++)
		if (got[i] != 'a')
			break;
	EXPECT_EQ(4095, i);
	EXPECT_EQ('\n', got[4095]);
	ASSERT_EQ(0, pty_set_nonblock(p.slave, 1));
	EXPECT_EQ(-1, read(p.slave, got, sizeof(got)));
	EXPECT_EQ(EAGAIN, errno);
	pty_close_pair(&p);
}

/* ---- bulk data ---- */

#define BULK_LEN	((size_t)1 << 20)

/*
 * Push @len bytes from @wfd (non-blocking) to @rfd in one poll loop.
 * Returns how many bytes arrived; @out gets them.
 */
static size_t pump(int wfd, int rfd, const unsigned char *in, unsigned char *out, size_t len)
{
	size_t wr = 0, rd = 0;

	while (rd < len) {
		struct pollfd pfd[2] = {
			{ .fd = rfd, .events = POLLIN },
			{ .fd = wfd, .events = wr < len ? POLLOUT : 0 },
		};
		ssize_t n;

		if (poll(pfd, 2, PTY_WAIT_MS) <= 0)
			break;
		if (pfd[1].revents & POLLOUT) {
			n = write(wfd, in + wr, len - wr < 4096 ? len - wr : 4096);
			if (n > 0)
				wr += n;
			else if (errno != EAGAIN)
				break;
		}
		if (pfd[0].revents & POLLIN) {
			n = read(rfd, out + rd, len - rd);
			if (n <= 0)
				break;
			rd += n;
		} else if (pfd[0].revents) {
			break;
		}
	}
	return rd;
}

TEST_F_TIMEOUT(pty, bulk_master_to_slave, 120)
{
	unsigned char *in, *out;
	struct pty_pair p;

	in = malloc(BULK_LEN);
	out = malloc(BULK_LEN);
	ASSERT_TRUE(in && out);
	pty_fill_random(in, BULK_LEN, 0x6d797074);
	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	EXPECT_EQ(BULK_LEN, pump(p.master, p.slave, in, out, BULK_LEN));
	EXPECT_EQ(0, memcmp(in, out, BULK_LEN));
	EXPECT_EQ(0, pty_poll(p.master, POLLIN, 0));
	pty_close_pair(&p);
	free(in);
	free(out);
}

TEST_F_TIMEOUT(pty, bulk_slave_to_master, 120)
{
	unsigned char *in, *out;
	struct pty_pair p;

	in = malloc(BULK_LEN);
	out = malloc(BULK_LEN);
	ASSERT_TRUE(in && out);
	pty_fill_random(in, BULK_LEN, 0x70747321);
	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	ASSERT_EQ(0, pty_set_nonblock(p.slave, 1));
	EXPECT_EQ(BULK_LEN, pump(p.slave, p.master, in, out, BULK_LEN));
	EXPECT_EQ(0, memcmp(in, out, BULK_LEN));
	EXPECT_EQ(0, pty_poll(p.slave, POLLIN, 0));
	pty_close_pair(&p);
	free(in);
	free(out);
}

/*
 * Fill @wfd (non-blocking) with nobody reading @rfd, then read everything
 * back: returns the capacity, *@back gets how many bytes came out.
 */
static size_t fill_and_drain(int wfd, int rfd, size_t *back)
{
	static unsigned char buf[1 << 16];
	size_t total = 0;
	ssize_t n;

	memset(buf, 'f', sizeof(buf));
	for (;;) {
		n = write(wfd, buf, 512);
		if (n <= 0)
			break;
		total += n;
		if (total > (16 << 20))
			break;
	}
	*back = pty_read_full(rfd, buf, total < sizeof(buf) ? total : sizeof(buf), PTY_WAIT_MS);
	return n < 0 && errno == EAGAIN ? total : 0;
}

TEST_F(pty, capacity_master_to_slave)
{
	struct pty_pair p;
	size_t cap, back;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	cap = fill_and_drain(p.master, p.slave, &back);
	TH_LOG("%s: master accepts %zu bytes with nobody reading", variant->fstype, cap);
	EXPECT_LE(4096u, cap);
	EXPECT_EQ(cap, back);
	EXPECT_EQ(0, pty_poll(p.slave, POLLIN, PTY_QUIET_MS));
	EXPECT_EQ(POLLOUT, pty_poll(p.master, POLLOUT, PTY_WAIT_MS));
	pty_close_pair(&p);
}

TEST_F(pty, capacity_slave_to_master)
{
	struct pty_pair p;
	size_t cap, back;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	ASSERT_EQ(0, pty_set_nonblock(p.slave, 1));
	cap = fill_and_drain(p.slave, p.master, &back);
	TH_LOG("%s: slave accepts %zu bytes with nobody reading", variant->fstype, cap);
	EXPECT_LE(4096u, cap);
	EXPECT_EQ(cap, back);
	EXPECT_EQ(0, pty_poll(p.master, POLLIN, PTY_QUIET_MS));
	EXPECT_EQ(POLLOUT, pty_poll(p.slave, POLLOUT, PTY_WAIT_MS));
	pty_close_pair(&p);
}

/* ---- names: fdinfo, /proc links, ttyname ---- */

TEST_F(pty, fdinfo_shows_tty_index)
{
	struct pty_pair p;
	char path[64];
	int m0;

	m0 = open_master(_metadata, self->dir, 0);
	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(1, p.index);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", p.master);
	EXPECT_EQ(1, mypts_file_has_line(path, "tty-index:\t1"));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", m0);
	EXPECT_EQ(1, mypts_file_has_line(path, "tty-index:\t0"));
	/* Only masters have it. */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", p.slave);
	EXPECT_EQ(0, mypts_file_has_line(path, "tty-index:\t1"));
	pty_close_pair(&p);
	close(m0);
}

TEST_F(pty, peer_fd_names_the_slave)
{
	char link[256], proc[64], want[16];
	size_t wl;
	ssize_t n;
	int m, pfd;
	char *name;

	m = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(0, pty_set_lock(m, 0));
	pfd = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, pfd);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	n = readlink(proc, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	snprintf(want, sizeof(want), "/%d", pty_index(m));
	wl = strlen(want);
	ASSERT_LE(wl, (size_t)n);
	EXPECT_STREQ(want, link + n - wl);
	pty_slave_path(self->dir, pty_index(m), self->path, sizeof(self->path));
	name = ttyname(pfd);
	ASSERT_NE(NULL, name)
		TH_LOG("ttyname of the TIOCGPTPEER fd: %s", strerror(errno));
	EXPECT_STREQ(self->path, name);
	close(pfd);
	close(m);
}

TEST_F(pty, ttyname_of_slave)
{
	struct pty_pair p;
	char buf[128];
	char *name;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	name = ttyname(p.slave);
	ASSERT_NE(NULL, name)
		TH_LOG("ttyname: %s", strerror(errno));
	EXPECT_STREQ(self->path, name);
	ASSERT_EQ(0, ttyname_r(p.slave, buf, sizeof(buf)));
	EXPECT_STREQ(self->path, buf);
	pty_close_pair(&p);
}

/* ---- controlling terminal, sessions, job control ---- */

struct ctty_result {
	int before_errno;
	int sctty;
	int devtty_write;
	int sid;
	int pgrp;
	int steal_errno;
};

TEST_F(pty, controlling_tty_via_tiocsctty)
{
	struct ctty_result *r;
	int c2p[2], p2c[2];
	struct pty_pair p;
	pid_t pid, thief;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	r = pty_shared(sizeof(*r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	/* Not a session leader: EPERM. */
	EXPECT_EQ(-1, ioctl(p.slave, TIOCSCTTY, 0));
	EXPECT_EQ(EPERM, errno);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd, tty;

		close(p.master);
		setsid();
		fd = open(self->path, O_RDWR | O_NOCTTY);
		if (fd < 0)
			_exit(1);
		tty = open("/dev/tty", O_RDWR);
		r->before_errno = tty < 0 ? errno : 0;
		r->sctty = ioctl(fd, TIOCSCTTY, 0) ? errno : 0;
		tty = open("/dev/tty", O_RDWR);
		r->devtty_write = tty < 0 ? -errno : write(tty, "T", 1);
		r->sid = tcgetsid(fd);
		r->pgrp = tcgetpgrp(fd);
		pty_tell(c2p[1]);
		pty_hear(p2c[0], PTY_WAIT_MS);
		_exit(0);
	}
	hear(_metadata, c2p[0]);
	EXPECT_EQ(ENXIO, r->before_errno);
	EXPECT_EQ(0, r->sctty);
	/* /dev/tty is now the slave. */
	EXPECT_EQ(1, r->devtty_write);
	EXPECT_STREQ("T", pty_read_str(p.master, buf, sizeof(buf), 1, PTY_WAIT_MS));
	EXPECT_EQ(pid, r->sid);
	EXPECT_EQ(pid, r->pgrp);
	/* Another session leader cannot take it. */
	thief = fork();
	ASSERT_LE(0, thief);
	if (!thief) {
		close(p.master);
		setsid();
		r->steal_errno = ioctl(p.slave, TIOCSCTTY, 0) ? errno : 0;
		_exit(0);
	}
	EXPECT_EQ(0, pty_wait_child(thief));
	EXPECT_EQ(EPERM, r->steal_errno);
	pty_tell(p2c[1]);
	EXPECT_EQ(0, pty_wait_child(pid));
	pty_close_pair(&p);
}

TEST_F(pty, tiocsctty_on_master_takes_the_slave)
{
	int c2p[2], p2c[2], *wr, v = -1;
	struct pty_pair p;
	char buf[16];
	pid_t pid;

	open_pair(_metadata, self->dir, &p);
	wr = pty_shared(sizeof(*wr));
	ASSERT_NE(NULL, wr);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int tty;

		close(p.slave);
		setsid();
		if (ioctl(p.master, TIOCSCTTY, 0))
			_exit(1);
		tty = open("/dev/tty", O_RDWR);
		*wr = tty < 0 ? -errno : write(tty, "S", 1);
		pty_tell(c2p[1]);
		pty_hear(p2c[0], PTY_WAIT_MS);
		_exit(0);
	}
	hear(_metadata, c2p[0]);
	/* The slave, not the master, became the controlling terminal. */
	EXPECT_EQ(1, *wr);
	EXPECT_STREQ("S", pty_read_str(p.master, buf, sizeof(buf), 1, PTY_WAIT_MS));
	EXPECT_EQ(0, ioctl(p.master, TIOCGSID, &v));
	EXPECT_EQ(pid, v);
	pty_tell(p2c[1]);
	EXPECT_EQ(0, pty_wait_child(pid));
	pty_close_pair(&p);
}

struct leader_exit_result {
	int hup;
	int wr;
	int wr_errno;
	int rd;
	int rd_errno;
};

/*
 * The session leader exits while a member of its foreground group holds
 * the slave. devpts: SIGHUP to that group, the slave keeps working.
 * mypts (DESIGN.md decision 2): the tty core hangs the slave up, as for
 * any non-pty terminal; SIGHUP as well.
 */
TEST_F(pty, session_leader_exit)
{
	struct leader_exit_result *r;
	int c2p[2], p2c[2], v = -1;
	struct pty_pair p;
	pid_t leader;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	r = pty_shared(sizeof(*r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	leader = fork();
	ASSERT_LE(0, leader);
	if (!leader) {
		pid_t member;
		int fd;

		close(p.master);
		close(p.slave);
		pty_block_signal(SIGHUP);
		fd = pty_make_ctty(self->path);
		if (fd < 0)
			_exit(1);
		member = fork();
		if (member < 0)
			_exit(2);
		if (member) {
			/* The member shares our group and blocks SIGHUP. */
			pty_tell(c2p[1]);
			_exit(0);
		}
		if (pty_hear(p2c[0], PTY_WAIT_MS))
			_exit(3);
		r->hup = pty_signal_pending(SIGHUP);
		r->wr = write(fd, "g", 1);
		r->wr_errno = r->wr < 0 ? errno : 0;
		pty_set_nonblock(fd, 1);
		r->rd = read(fd, buf, sizeof(buf));
		r->rd_errno = r->rd < 0 ? errno : 0;
		pty_tell(c2p[1]);
		_exit(0);
	}
	hear(_metadata, c2p[0]);
	EXPECT_EQ(0, pty_wait_child(leader));
	pty_tell(p2c[1]);
	hear(_metadata, c2p[0]);
	EXPECT_EQ(1, r->hup);
	if (!is_mypts(variant->fstype)) {
		/* The terminal lives on, without a session. */
		EXPECT_EQ(1, r->wr);
		EXPECT_EQ(-1, r->rd);
		EXPECT_EQ(EAGAIN, r->rd_errno);
		EXPECT_STREQ("g", pty_read_str(p.master, buf, sizeof(buf), 1, PTY_WAIT_MS));
		EXPECT_EQ(-1, ioctl(p.master, TIOCGSID, &v));
		EXPECT_EQ(ENOTTY, errno);
		EXPECT_EQ(0, ioctl(p.master, TIOCGPGRP, &v));
		EXPECT_EQ(0, v);
		EXPECT_EQ(1, pty_write_str(p.slave, "h"));
	} else {
		/* Hung up: reads see end of file, writes EIO. */
		EXPECT_EQ(-1, r->wr);
		EXPECT_EQ(EIO, r->wr_errno);
		EXPECT_EQ(0, r->rd);
		EXPECT_EQ(-1, write(p.slave, "h", 1));
		EXPECT_EQ(EIO, errno);
	}
	pty_close_pair(&p);
}

struct bg_result {
	int rd_blocked;
	int rd_blocked_errno;
	int wr;
	int set_tostop;
	int wr_tostop_blocked;
	int rd_handled;
	int rd_handled_errno;
	int ttin_seen;
	int wr_tostop;
	int wr_tostop_errno;
	int ttou_seen;
};

/* Last signal caught; the handler stores, the test loads, both atomic. */
static int caught;

static void catch_signal(int sig)
{
	__atomic_store_n(&caught, sig, __ATOMIC_SEQ_CST);
}

static int take_caught(void)
{
	return __atomic_exchange_n(&caught, 0, __ATOMIC_SEQ_CST);
}

/*
 * In a background member of the slave's session: try reads and writes.
 * @fd is non-blocking, so a missing job-control check cannot hang here.
 */
static void background_member(int fd, struct bg_result *r)
{
	struct sigaction sa = { .sa_handler = catch_signal };
	sigset_t set;
	char c;

	sigemptyset(&set);
	sigaddset(&set, SIGTTIN);
	sigaddset(&set, SIGTTOU);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* SIGTTIN blocked: EIO, and no signal. */
	r->rd_blocked = read(fd, &c, 1);
	r->rd_blocked_errno = errno;
	/* Without TOSTOP a background write goes through. */
	r->wr = write(fd, "w", 1);
	/* SIGTTOU blocked: a background tcsetattr() and writes are allowed. */
	r->set_tostop = pty_lflags(fd, TOSTOP, 0) ? errno : 0;
	r->wr_tostop_blocked = write(fd, "b", 1);
	/* Caught, SIGTTIN and SIGTTOU interrupt the read and the write. */
	sigaction(SIGTTIN, &sa, NULL);
	sigaction(SIGTTOU, &sa, NULL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	take_caught();
	r->rd_handled = read(fd, &c, 1);
	r->rd_handled_errno = errno;
	r->ttin_seen = take_caught() == SIGTTIN;
	r->wr_tostop = write(fd, "t", 1);
	r->wr_tostop_errno = errno;
	r->ttou_seen = take_caught() == SIGTTOU;
}

TEST_F(pty, background_job_control)
{
	struct bg_result *r;
	struct pty_pair p;
	char buf[16];
	pid_t leader;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	r = pty_shared(sizeof(*r));
	ASSERT_NE(NULL, r);
	leader = fork();
	ASSERT_LE(0, leader);
	if (!leader) {
		pid_t member;
		int fd, rc;

		close(p.master);
		close(p.slave);
		fd = pty_make_ctty(self->path);
		if (fd < 0)
			_exit(1);
		pty_set_nonblock(fd, 1);
		member = fork();
		if (member < 0)
			_exit(2);
		if (!member) {
			if (setpgid(0, 0))
				_exit(3);
			background_member(fd, r);
			_exit(0);
		}
		setpgid(member, member);
		rc = pty_wait_child(member);
		_exit(rc);
	}
	EXPECT_EQ(0, pty_wait_child(leader));
	EXPECT_EQ(-1, r->rd_blocked);
	EXPECT_EQ(EIO, r->rd_blocked_errno);
	EXPECT_EQ(1, r->wr);
	EXPECT_EQ(0, r->set_tostop);
	EXPECT_EQ(1, r->wr_tostop_blocked);
	EXPECT_EQ(-1, r->rd_handled);
	EXPECT_EQ(EINTR, r->rd_handled_errno);
	EXPECT_EQ(1, r->ttin_seen);
	EXPECT_EQ(-1, r->wr_tostop);
	EXPECT_EQ(EINTR, r->wr_tostop_errno);
	EXPECT_EQ(1, r->ttou_seen);
	/* What the member wrote: "w" and, with SIGTTOU blocked, "b". */
	EXPECT_STREQ("wb", pty_read_str(p.master, buf, sizeof(buf), 2, PTY_WAIT_MS));
	pty_close_pair(&p);
}

struct fg_result {
	int member_int;
	int leader_set;
};

TEST_F(pty, tcsetpgrp_moves_the_foreground)
{
	int c2p[2], p2c[2], l2m[2], v = -1;
	struct fg_result *r;
	struct pty_pair p;
	pid_t leader;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	r = pty_shared(sizeof(*r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	ASSERT_EQ(0, pipe(l2m));
	leader = fork();
	ASSERT_LE(0, leader);
	if (!leader) {
		pid_t member;
		int fd;

		close(p.master);
		close(p.slave);
		pty_block_signal(SIGINT);
		pty_block_signal(SIGTTOU);
		fd = pty_make_ctty(self->path);
		if (fd < 0)
			_exit(1);
		member = fork();
		if (member < 0)
			_exit(2);
		if (!member) {
			setpgid(0, 0);
			if (pty_hear(l2m[0], PTY_WAIT_MS))
				_exit(3);
			r->member_int = pty_signal_wait(SIGINT, PTY_WAIT_MS);
			_exit(0);
		}
		setpgid(member, member);
		r->leader_set = tcsetpgrp(fd, member) ? errno : 0;
		pty_tell(l2m[1]);
		pty_tell(c2p[1]);
		if (pty_hear(p2c[0], PTY_WAIT_MS))
			_exit(4);
		_exit(pty_wait_child(member));
	}
	hear(_metadata, c2p[0]);
	EXPECT_EQ(0, r->leader_set);
	ASSERT_EQ(0, ioctl(p.master, TIOCGPGRP, &v));
	EXPECT_NE(leader, v);
	EXPECT_LT(0, v);
	EXPECT_EQ(0, ioctl(p.master, TIOCSIG, SIGINT));
	pty_tell(p2c[1]);
	EXPECT_EQ(0, pty_wait_child(leader));
	EXPECT_EQ(1, r->member_int);
	pty_close_pair(&p);
}

/* ---- several ptys ---- */

TEST_F(pty, ptys_are_independent)
{
	struct pty_pair p[3];
	char buf[16], want[16];
	int i;

	for (i = 0; i < 3; i++) {
		open_pair(_metadata, self->dir, &p[i]);
		EXPECT_EQ(i, p[i].index);
		ASSERT_EQ(0, pty_lflags(p[i].slave, 0, ECHO));
	}
	for (i = 2; i >= 0; i--) {
		snprintf(want, sizeof(want), "pty%d\n", i);
		ASSERT_EQ(5, pty_write_str(p[i].master, want));
	}
	for (i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "pty%d\n", i);
		EXPECT_STREQ(want, pty_read_str(p[i].slave, buf, sizeof(buf), 5, PTY_WAIT_MS));
		EXPECT_TRUE(pty_quiet(p[i].master, 0));
	}
	/* Closing one master leaves the others alone. */
	close(p[1].master);
	p[1].master = -1;
	EXPECT_EQ(0, read(p[1].slave, buf, sizeof(buf)));
	for (i = 0; i < 3; i += 2) {
		ASSERT_EQ(3, pty_write_str(p[i].slave, "ok\n"));
		EXPECT_STREQ("ok\r\n", pty_read_str(p[i].master, buf, sizeof(buf), 4,
						    PTY_WAIT_MS));
	}
	for (i = 0; i < 3; i++)
		pty_close_pair(&p[i]);
}

TEST_HARNESS_MAIN
