// SPDX-License-Identifier: GPL-2.0
/*
 * pty_ioctl_test - differential pty suite, ioctls: termios and window size
 * through the master, packet mode, queue sizes and flushing, master-only,
 * unknown and bad-pointer ioctls, and the names a pty fd shows (fdinfo,
 * /proc links, ttyname). Every case runs on a private devpts instance and
 * on a mypts instance (pty_fixture.h) and asserts what Linux's devpts does.
 */
#include "kselftest_harness.h"
#include "mypts_util.h"
#include "pty_util.h"
#include "pty_fixture.h"

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

/* ---- packet mode ---- */

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

TEST_F(pty, packet_mode_extproc_ioctl_event)
{
	unsigned char buf[16];
	struct pty_pair p;
	int one = 1;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, ioctl(p.master, TIOCPKT, &one));
	/* Turning EXTPROC on posts TIOCPKT_IOCTL (telnetd's LINEMODE)... */
	ASSERT_EQ(0, pty_lflags(p.slave, EXTPROC, 0));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_IOCTL, buf[0]);
	/* ... and so does every termios change while it is on, */
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_IOCTL, buf[0]);
	/* turning it off included. */
	ASSERT_EQ(0, pty_lflags(p.slave, 0, EXTPROC));
	ASSERT_EQ(1, read_packet(p.master, buf, sizeof(buf)));
	EXPECT_EQ(TIOCPKT_IOCTL, buf[0]);
	ASSERT_EQ(0, pty_lflags(p.slave, ECHO, 0));
	EXPECT_EQ(0, pty_poll(p.master, POLLIN | POLLPRI, PTY_QUIET_MS));
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

/* ---- queue sizes, flushing, bad ioctls ---- */

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

/*
 * Asynchronous I/O on a master that was never given an owner with
 * F_SETOWN: the caller gets SIGIO when the slave writes, turned on with
 * FIOASYNC as with O_ASYNC. Since Linux 6.12 a file's owner is allocated
 * on demand (file_f_owner_allocate(), which the tty core's fasync calls)
 * and __f_setown() warns on a file without one.
 */
TEST_F(pty, master_async_io_without_owner)
{
	struct pty_pair p, q;
	int on = 1, fl;

	ASSERT_EQ(0, pty_block_signal(SIGIO));
	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, ioctl(p.master, FIOASYNC, &on));
	EXPECT_EQ(getpid(), fcntl(p.master, F_GETOWN));
	ASSERT_EQ(1, pty_write_str(p.slave, "x"));
	EXPECT_EQ(1, pty_signal_wait(SIGIO, PTY_WAIT_MS));
	open_pair(_metadata, self->dir, &q);
	fl = fcntl(q.master, F_GETFL);
	ASSERT_LE(0, fl);
	ASSERT_EQ(0, fcntl(q.master, F_SETFL, fl | O_ASYNC));
	ASSERT_EQ(1, pty_write_str(q.slave, "y"));
	EXPECT_EQ(1, pty_signal_wait(SIGIO, PTY_WAIT_MS));
	pty_close_pair(&q);
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

TEST_HARNESS_MAIN
