/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the line-discipline suites.
 *
 * Each ldisc_*_test.c includes this once. Every TEST_F(ldisc, ...) runs
 * three times, with one pty pair open in self->m (master) and self->s
 * (slave):
 *
 *   n_tty         a devpts slave with Linux's N_TTY: proves the expectation
 *   devpts_mypts  a devpts slave switched to our discipline with TIOCSETD
 *   mypts         a mypts slave with the discipline it gets at allocation
 *
 * Our discipline's number is read from /sys/module/mypts/parameters/ldisc;
 * when it is missing the two last variants fail in setup (never skip).
 * The expectations are written from POSIX and from Linux 6.1's n_tty.c,
 * whose line numbers the comments cite as "n_tty.c:N".
 */
#ifndef _MYPTS_LDISC_FIXTURE_H
#define _MYPTS_LDISC_FIXTURE_H

#include <ctype.h>
#include <stdbool.h>

#include "kselftest_harness.h"
#include "mypts_util.h"
#include "pty_util.h"

#define LD_PARAM	"/sys/module/mypts/parameters/ldisc"

FIXTURE(ldisc) {
	char dir[64];
	char path[128];
	int m;
	int s;
	int index;
	int disc;
};

FIXTURE_VARIANT(ldisc) {
	const char *fstype;
	const char *opts;
	bool ours;
};

FIXTURE_VARIANT_ADD(ldisc, n_tty) {
	.fstype = "devpts",
	.opts = "newinstance,ptmxmode=0666,mode=0620",
	.ours = false,
};

FIXTURE_VARIANT_ADD(ldisc, devpts_mypts) {
	.fstype = "devpts",
	.opts = "newinstance,ptmxmode=0666,mode=0620",
	.ours = true,
};

FIXTURE_VARIANT_ADD(ldisc, mypts) {
	.fstype = "mypts",
	.opts = "ptmxmode=0666,mode=0620",
	.ours = true,
};

/* Our discipline's number, or -1 when the module does not offer one. */
static inline int ld_our_disc(void)
{
	return mypts_read_int(LD_PARAM);
}

/* The discipline of the tty behind @fd, or -1. */
static inline int ld_get(int fd)
{
	int d = -1;

	if (ioctl(fd, TIOCGETD, &d))
		return -1;
	return d;
}

static inline int ld_set(int fd, int disc)
{
	return ioctl(fd, TIOCSETD, &disc);
}

FIXTURE_SETUP(ldisc)
{
	struct pty_pair p;
	int err;

	self->m = -1;
	self->s = -1;
	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->dir, sizeof(self->dir)));
	if (mount("none", self->dir, variant->fstype, 0, variant->opts)) {
		err = errno;
		rmdir(self->dir);
		ASSERT_EQ(0, err)
			TH_LOG("mount -t %s -o %s: %s", variant->fstype, variant->opts,
			       strerror(err));
	}
	ASSERT_EQ(0, pty_open_pair(self->dir, &p))
		TH_LOG("open a pty pair in %s: %s", self->dir, strerror(errno));
	self->m = p.master;
	self->s = p.slave;
	self->index = p.index;
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	if (!variant->ours) {
		self->disc = N_TTY;
		ASSERT_EQ(N_TTY, ld_get(self->s));
		return;
	}
	self->disc = ld_our_disc();
	ASSERT_LT(0, self->disc)
		TH_LOG("no line discipline: cannot read %s", LD_PARAM);
	if (!strcmp(variant->fstype, "devpts"))
		ASSERT_EQ(0, ld_set(self->s, self->disc))
			TH_LOG("TIOCSETD %d on a devpts slave: %s", self->disc,
			       strerror(errno));
	ASSERT_EQ(self->disc, ld_get(self->s));
}

FIXTURE_TEARDOWN(ldisc)
{
	if (self->s >= 0)
		close(self->s);
	if (self->m >= 0)
		close(self->m);
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

/* ---- exact bytes ---- */

/* @n bytes of @p as a C string literal body into @out (at most @len). */
static inline const char *ld_escape(const void *p, size_t n, char *out, size_t len)
{
	const unsigned char *c = p;
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < len; i++) {
		if (c[i] == '\\' || c[i] == '"')
			o += snprintf(out + o, len - o, "\\%c", c[i]);
		else if (c[i] == '\r')
			o += snprintf(out + o, len - o, "\\r");
		else if (c[i] == '\n')
			o += snprintf(out + o, len - o, "\\n");
		else if (c[i] == '\t')
			o += snprintf(out + o, len - o, "\\t");
		else if (c[i] == '\b')
			o += snprintf(out + o, len - o, "\\b");
		else if (c[i] < 0x20 || c[i] >= 0x7f)
			o += snprintf(out + o, len - o, "\\x%02x", c[i]);
		else
			out[o++] = c[i];
	}
	if (i < n && o + 4 < len)
		o += snprintf(out + o, len - o, "...");
	out[o < len ? o : len - 1] = '\0';
	return out;
}

/* Log @want and @got (C-escaped) for a failure at @line. */
static inline void ld_log_diff(struct __test_metadata *_metadata, int line, const char *what,
			       const void *want, size_t wlen, const void *got, ssize_t glen)
{
	static char w[1024], g[1024];

	ld_escape(want, wlen, w, sizeof(w));
	if (glen < 0)
		snprintf(g, sizeof(g), "error %s", strerror(errno));
	else
		ld_escape(got, glen, g, sizeof(g));
	TH_LOG("line %d: %s: expected \"%s\" (%zu), got \"%s\" (%zd)", line, what, w, wlen,
	       g, glen);
}

/*
 * Read exactly @len bytes from @fd (10 s for each chunk) and compare them
 * with @want. Returns true when they match; logs both when not.
 */
static inline bool ld_expect(struct __test_metadata *_metadata, int fd, const void *want,
			     size_t len, int line)
{
	static unsigned char got[16384];
	size_t n;

	n = pty_read_full(fd, got, len < sizeof(got) ? len : sizeof(got), PTY_WAIT_MS);
	if (n == len && !memcmp(got, want, len))
		return true;
	ld_log_diff(_metadata, line, "bytes", want, len, got, n);
	_metadata->passed = 0;
	return false;
}

/*
 * One read() (waiting up to 10 s for readability) must return exactly
 * @len bytes equal to @want: a canonical read returns one line.
 */
static inline bool ld_expect_read(struct __test_metadata *_metadata, int fd, const void *want,
				  size_t len, int line)
{
	static unsigned char got[16384];
	ssize_t n;

	n = pty_read_wait(fd, got, sizeof(got), PTY_WAIT_MS);
	if (n == (ssize_t)len && !memcmp(got, want, len))
		return true;
	ld_log_diff(_metadata, line, "one read", want, len, got, n);
	_metadata->passed = 0;
	return false;
}

/* Nothing becomes readable on @fd for 200 ms; logs what came if it did. */
static inline bool ld_expect_quiet(struct __test_metadata *_metadata, int fd, int line)
{
	unsigned char got[256];
	ssize_t n;

	if (pty_quiet(fd, PTY_QUIET_MS))
		return true;
	n = read(fd, got, sizeof(got));
	ld_log_diff(_metadata, line, "nothing", "", 0, got, n);
	_metadata->passed = 0;
	return false;
}

/* One read() (waiting up to 10 s) must return 0: end of file. */
static inline bool ld_expect_eof(struct __test_metadata *_metadata, int fd, int line)
{
	unsigned char got[256];
	ssize_t n;

	n = pty_read_wait(fd, got, sizeof(got), PTY_WAIT_MS);
	if (!n)
		return true;
	ld_log_diff(_metadata, line, "end of file", "", 0, got, n);
	_metadata->passed = 0;
	return false;
}

/* String literals only: the expected bytes are sizeof() - 1 long. */
#define EXPECT_BYTES(fd, lit) ld_expect(_metadata, fd, lit, sizeof(lit) - 1, __LINE__)
#define EXPECT_READ(fd, lit) ld_expect_read(_metadata, fd, lit, sizeof(lit) - 1, __LINE__)
#define EXPECT_QUIET(fd) ld_expect_quiet(_metadata, fd, __LINE__)
#define EXPECT_EOF(fd) ld_expect_eof(_metadata, fd, __LINE__)

/* Write a string literal (which may hold NULs) or fail the test. */
#define PUT(fd, lit) ASSERT_EQ((ssize_t)sizeof(lit) - 1, write(fd, lit, sizeof(lit) - 1))

/* ---- termios ---- */

/* Linux's tty_std_termios, the initial termios of a pty slave. */
static inline void ld_std_termios(struct termios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD;
	t->c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	t->c_cc[VINTR] = 003;
	t->c_cc[VQUIT] = 034;
	t->c_cc[VERASE] = 0177;
	t->c_cc[VKILL] = 025;
	t->c_cc[VEOF] = 004;
	t->c_cc[VMIN] = 1;
	t->c_cc[VSTART] = 021;
	t->c_cc[VSTOP] = 023;
	t->c_cc[VSUSP] = 032;
	t->c_cc[VREPRINT] = 022;
	t->c_cc[VDISCARD] = 017;
	t->c_cc[VWERASE] = 027;
	t->c_cc[VLNEXT] = 026;
}

/* Set exactly these modes (the rest of tty_std_termios) on @fd. */
static inline int ld_modes(int fd, tcflag_t iflag, tcflag_t oflag, tcflag_t lflag)
{
	struct termios t;

	ld_std_termios(&t);
	t.c_iflag = iflag;
	t.c_oflag = oflag;
	t.c_lflag = lflag;
	return tcsetattr(fd, TCSANOW, &t);
}

/* Non-canonical, no echo, no signals, no input or output mapping. */
static inline int ld_raw(int fd, cc_t vmin, cc_t vtime)
{
	struct termios t;

	ld_std_termios(&t);
	t.c_iflag = 0;
	t.c_oflag = 0;
	t.c_lflag = 0;
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	return tcsetattr(fd, TCSANOW, &t);
}

/* FIONREAD of @fd, or -1. */
static inline int ld_inq(int fd)
{
	int n = -1;

	if (ioctl(fd, FIONREAD, &n))
		return -1;
	return n;
}

/* ---- packet mode ---- */

static inline int ld_packet(int m, int on)
{
	return ioctl(m, TIOCPKT, &on);
}

/*
 * Read packets from master @m until @len data bytes came (or 10 s pass
 * without any): *@status gets every status byte OR-ed, @data the data.
 * Returns how many data bytes came.
 */
static inline size_t ld_packets(int m, int *status, void *data, size_t len)
{
	unsigned char buf[4096];
	size_t got = 0;
	ssize_t n;

	*status = 0;
	while (got < len) {
		n = pty_read_wait(m, buf, sizeof(buf), PTY_WAIT_MS);
		if (n <= 0)
			break;
		if (buf[0] != TIOCPKT_DATA) {
			*status |= buf[0];
			continue;
		}
		if ((size_t)n - 1 > len - got)
			n = len - got + 1;
		memcpy((char *)data + got, buf + 1, n - 1);
		got += n - 1;
	}
	return got;
}

/*
 * Collect packets from master @m until @len data bytes came: they must be
 * @want, and the status bytes met on the way OR-ed must be @status.
 */
static inline bool ld_expect_packets(struct __test_metadata *_metadata, int m,
				     const char *want, size_t len, int status, int line)
{
	char got[256];
	size_t n;
	int st;

	n = ld_packets(m, &st, got, len < sizeof(got) ? len : sizeof(got));
	if (n == len && !memcmp(got, want, len) && st == status)
		return true;
	ld_log_diff(_metadata, line, "packet data", want, len, got, n);
	TH_LOG("line %d: packet status: expected 0x%x, got 0x%x", line, status, st);
	_metadata->passed = 0;
	return false;
}

#define EXPECT_PACKETS(m, lit, st) \
	ld_expect_packets(_metadata, m, lit, sizeof(lit) - 1, st, __LINE__)

/* One status packet from master @m within 10 s: its byte, or -1. */
static inline int ld_status(int m)
{
	unsigned char buf[64];
	ssize_t n = pty_read_wait(m, buf, sizeof(buf), PTY_WAIT_MS);

	if (n != 1)
		return -1;
	return buf[0];
}

/* ---- children ---- */

/* A forked child's results, in memory it shares with the test. */
static inline void *ld_shared(struct __test_metadata *_metadata, size_t len)
{
	void *p = pty_shared(len);

	ASSERT_NE(NULL, p);
	return p;
}

/* What a child's read() or write() returned, in shared memory. */
struct ld_io {
	ssize_t n;
	int err;
	unsigned char buf[4096];
};

/* Fork a child that reads once (at most @len bytes) from @fd into @r. */
static inline pid_t ld_fork_read(int fd, size_t len, struct ld_io *r)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	r->n = read(fd, r->buf, len < sizeof(r->buf) ? len : sizeof(r->buf));
	r->err = r->n < 0 ? errno : 0;
	_exit(0);
}

/* Fork a child that writes @len bytes of @p to @fd once, into @r. */
static inline pid_t ld_fork_write(int fd, const void *p, size_t len, struct ld_io *r)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	r->n = write(fd, p, len);
	r->err = r->n < 0 ? errno : 0;
	_exit(0);
}

/* Wait until child @pid sleeps in syscall @nr, or fail the test. */
static inline void ld_blocked(struct __test_metadata *_metadata, pid_t pid, long nr)
{
	ASSERT_EQ(0, pty_wait_blocked(pid, nr, PTY_WAIT_MS))
		TH_LOG("child %d never blocked in syscall %ld", (int)pid, nr);
}

#endif /* _MYPTS_LDISC_FIXTURE_H */
