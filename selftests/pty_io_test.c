// SPDX-License-Identifier: GPL-2.0
/*
 * pty_io_test - differential pty suite, data through the pair: the slave's
 * initial termios, echo, output processing, canonical and raw input, VMIN
 * and VTIME, canonical editing, flow control, bulk transfers and how much
 * each direction holds. Every case runs on a private devpts instance and on
 * a mypts instance (pty_fixture.h) and asserts what Linux's devpts does.
 */
#include <stdbool.h>

#include "kselftest_harness.h"
#include "mypts_util.h"

#include "pty_util.h"
#include "pty_fixture.h"

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

/* ---- canonical editing ---- */

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

/* ---- flow control ---- */

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

/* BULK_LEN random bytes from one side to the other, raw, compared. */
static void bulk_one_way(struct __test_metadata *_metadata, const char *dir,
			 bool from_master, unsigned int seed)
{
	unsigned char *in, *out;
	struct pty_pair p;
	int from, to;

	in = malloc(BULK_LEN);
	out = malloc(BULK_LEN);
	ASSERT_TRUE(in && out);
	pty_fill_random(in, BULK_LEN, seed);
	open_pair(_metadata, dir, &p);
	from = from_master ? p.master : p.slave;
	to = from_master ? p.slave : p.master;
	ASSERT_EQ(0, pty_set_raw(p.slave));
	ASSERT_EQ(0, pty_set_nonblock(from, 1));
	EXPECT_EQ(BULK_LEN, pump(from, to, in, out, BULK_LEN));
	EXPECT_EQ(0, memcmp(in, out, BULK_LEN));
	EXPECT_EQ(0, pty_poll(from, POLLIN, 0));
	pty_close_pair(&p);
	free(in);
	free(out);
}

TEST_F_TIMEOUT(pty, bulk_master_to_slave, 120)
{
	bulk_one_way(_metadata, self->dir, true, 0x6d797074);
}

TEST_F_TIMEOUT(pty, bulk_slave_to_master, 120)
{
	bulk_one_way(_metadata, self->dir, false, 0x70747321);
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

TEST_HARNESS_MAIN
