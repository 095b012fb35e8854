// SPDX-License-Identifier: GPL-2.0
/*
 * ldisc_jobctl_test - directed tests of the line discipline, signals and
 * flow: ISIG characters and their flushes (with packet-mode events),
 * background reads and writes (SIGTTIN, SIGTTOU, TOSTOP, orphaned process
 * groups), SIGWINCH, software flow control (IXON, IXANY, TCXONC), TCFLSH,
 * and a writer that fills a slave nobody reads. Every case runs on N_TTY,
 * on our discipline on a devpts slave and on a mypts slave
 * (ldisc_fixture.h).
 */
#include "ldisc_fixture.h"

#define STD_I	(ICRNL | IXON)
#define STD_O	(OPOST | ONLCR)
#define STD_L	(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN)

#define PKT_FLUSH	(TIOCPKT_FLUSHREAD | TIOCPKT_FLUSHWRITE)

/* ---- a session leader with the slave as controlling terminal ---- */

/**
 * struct leader - a forked session leader, driven through two pipes
 * @pid: its pid
 * @cmd: write end: 'w' waits up to 10 s for a signal, 'n' takes one only
 *	if pending, 'q' ends it
 * @ans: read end: one byte per command, the signal number or 0
 *
 * It blocks SIGINT, SIGQUIT, SIGTSTP and SIGWINCH, so they stay pending
 * for it to report.
 */
struct leader {
	pid_t pid;
	int cmd;
	int ans;
};

static void leader_main(const char *path, int cmd, int ans)
{
	struct timespec ts;
	sigset_t set;
	char c;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (pty_make_ctty(path) < 0)
		_exit(1);
	pty_tell(ans);
	while (read(cmd, &c, 1) == 1 && c != 'q') {
		ts.tv_sec = c == 'w' ? PTY_WAIT_MS / 1000 : 0;
		ts.tv_nsec = 0;
		sig = sigtimedwait(&set, NULL, &ts);
		c = sig > 0 ? sig : 0;
		if (write(ans, &c, 1) != 1)
			_exit(2);
	}
	_exit(0);
}

static void leader_start(struct __test_metadata *_metadata, const char *path, struct leader *l)
{
	int c2p[2], p2c[2];

	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	l->pid = fork();
	ASSERT_LE(0, l->pid);
	if (!l->pid) {
		close(c2p[0]);
		close(p2c[1]);
		leader_main(path, p2c[0], c2p[1]);
	}
	close(c2p[1]);
	close(p2c[0]);
	l->cmd = p2c[1];
	l->ans = c2p[0];
	ASSERT_EQ(0, pty_hear(l->ans, PTY_WAIT_MS))
		TH_LOG("the session leader did not start");
}

/* Send @cmd to the leader: the signal it reports, or -1. */
static int leader_ask(struct leader *l, char cmd)
{
	unsigned char c;

	if (write(l->cmd, &cmd, 1) != 1)
		return -1;
	if (pty_read_wait(l->ans, &c, 1, 2 * PTY_WAIT_MS) != 1)
		return -1;
	return c;
}

static int leader_stop(struct leader *l)
{
	char c = 'q';

	if (write(l->cmd, &c, 1) != 1)
		return -1;
	close(l->cmd);
	close(l->ans);
	return pty_wait_child(l->pid);
}

/* ---- ISIG ---- */

/*
 * VINTR, VQUIT and VSUSP send SIGINT, SIGQUIT and SIGTSTP to the
 * foreground process group, echo as ^X and, without NOFLSH, flush the
 * input (the partial line is gone) and the output, which a packet-mode
 * master learns as FLUSHREAD and FLUSHWRITE (n_tty.c:1100-1131,
 * 1216-1226; pty.c:204-218).
 */
TEST_F(ldisc, isig_signals_and_flushes)
{
	static const struct {
		char c;
		int sig;
		const char *echo;
	} k[] = {
		{ '\003', SIGINT, "^C" },
		{ '\034', SIGQUIT, "^\\" },
		{ '\032', SIGTSTP, "^Z" },
	};
	struct leader l;
	unsigned int i;

	leader_start(_metadata, self->path, &l);
	ASSERT_EQ(0, ld_packet(self->m, 1));
	for (i = 0; i < ARRAY_SIZE(k); i++) {
		PUT(self->m, "ab");
		EXPECT_PACKETS(self->m, "ab", 0);
		ASSERT_EQ(1, write(self->m, &k[i].c, 1));
		ld_expect_packets(_metadata, self->m, k[i].echo, 2, PKT_FLUSH, __LINE__);
		EXPECT_EQ(k[i].sig, leader_ask(&l, 'w'));
	}
	PUT(self->m, "d\n");
	EXPECT_PACKETS(self->m, "d\r\n", 0);
	EXPECT_READ(self->s, "d\n");
	EXPECT_EQ(0, leader_ask(&l, 'n'));
	EXPECT_EQ(0, leader_stop(&l));
}

/*
 * NOFLSH: the signal and its echo, but no flush and no packet event; the
 * line goes on. Without ISIG the characters are ordinary input.
 */
TEST_F(ldisc, noflsh_and_isig_off)
{
	struct leader l;

	leader_start(_metadata, self->path, &l);
	ASSERT_EQ(0, pty_lflags(self->s, NOFLSH, 0));
	ASSERT_EQ(0, ld_packet(self->m, 1));
	PUT(self->m, "ab");
	EXPECT_PACKETS(self->m, "ab", 0);
	PUT(self->m, "\x03");
	EXPECT_PACKETS(self->m, "^C", 0);
	EXPECT_EQ(SIGINT, leader_ask(&l, 'w'));
	PUT(self->m, "\x1a");
	EXPECT_PACKETS(self->m, "^Z", 0);
	EXPECT_EQ(SIGTSTP, leader_ask(&l, 'w'));
	PUT(self->m, "c\n");
	EXPECT_PACKETS(self->m, "c\r\n", 0);
	EXPECT_READ(self->s, "abc\n");

	ASSERT_EQ(0, pty_lflags(self->s, 0, ISIG | NOFLSH));
	PUT(self->m, "x\x03\x1c\x1a\n");
	EXPECT_PACKETS(self->m, "x^C^\\^Z\r\n", 0);
	EXPECT_READ(self->s, "x\x03\x1c\x1a\n");
	EXPECT_EQ(0, leader_ask(&l, 'n'));
	EXPECT_EQ(0, leader_stop(&l));
}

/*
 * An ISIG character restarts output stopped by ^S (n_tty.c:1219-1220),
 * and in raw mode it flushes the unread input as well.
 */
TEST_F(ldisc, isig_restarts_output_and_flushes_raw_input)
{
	struct leader l;
	char buf[16];

	leader_start(_metadata, self->path, &l);
	ASSERT_EQ(0, ld_modes(self->s, IXON, STD_O, ISIG | ECHO | ECHOCTL));
	ASSERT_EQ(0, ld_packet(self->m, 1));
	PUT(self->m, "abc");
	EXPECT_PACKETS(self->m, "abc", 0);
	PUT(self->m, "\x13");
	EXPECT_EQ(TIOCPKT_STOP, ld_status(self->m));
	PUT(self->m, "\x03");
	EXPECT_PACKETS(self->m, "^C", TIOCPKT_START | PKT_FLUSH);
	EXPECT_EQ(SIGINT, leader_ask(&l, 'w'));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, leader_stop(&l));
}

/* ---- background jobs ---- */

struct bg_result {
	int rd_handled;
	int rd_handled_errno;
	int ttin_seen;
	int rd_blocked;
	int rd_blocked_errno;
	int rd_ignored;
	int rd_ignored_errno;
	int wr_plain;
	int set_tostop;
	int wr_blocked;
	int wr_handled;
	int wr_handled_errno;
	int ttou_seen;
	int wr_ignored;
};

static void set_blocked(int sig, int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(how, &set, NULL);
}

/* A member of a background process group of the slave's session. */
static void background_member(int fd, struct bg_result *r)
{
	char c;

	pty_set_action(SIGTTIN, pty_catch_signal);
	r->rd_handled = read(fd, &c, 1);
	r->rd_handled_errno = errno;
	r->ttin_seen = pty_take_caught() == SIGTTIN;
	set_blocked(SIGTTIN, SIG_BLOCK);
	r->rd_blocked = read(fd, &c, 1);
	r->rd_blocked_errno = errno;
	set_blocked(SIGTTIN, SIG_UNBLOCK);
	pty_set_action(SIGTTIN, SIG_IGN);
	r->rd_ignored = read(fd, &c, 1);
	r->rd_ignored_errno = errno;

	r->wr_plain = write(fd, "w", 1);
	set_blocked(SIGTTOU, SIG_BLOCK);
	r->set_tostop = pty_lflags(fd, TOSTOP, 0);
	r->wr_blocked = write(fd, "b", 1);
	set_blocked(SIGTTOU, SIG_UNBLOCK);
	pty_take_caught();
	pty_set_action(SIGTTOU, pty_catch_signal);
	r->wr_handled = write(fd, "h", 1);
	r->wr_handled_errno = errno;
	r->ttou_seen = pty_take_caught() == SIGTTOU;
	pty_set_action(SIGTTOU, SIG_IGN);
	r->wr_ignored = write(fd, "i", 1);
}

/*
 * A background reader gets SIGTTIN (EINTR under a handler), or EIO when
 * it ignores or blocks SIGTTIN (tty_jobctrl.c:33-67, n_tty.c:2108-2120);
 * a background writer may write unless TOSTOP, then gets SIGTTOU unless
 * it ignores or blocks it (n_tty.c:2354).
 */
TEST_F(ldisc, background_reads_and_writes)
{
	struct bg_result *r = ld_shared(_metadata, sizeof(*r));
	pid_t leader;

	leader = fork();
	ASSERT_LE(0, leader);
	if (!leader) {
		pid_t member;
		int fd;

		fd = pty_make_ctty(self->path);
		if (fd < 0)
			_exit(1);
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
		_exit(pty_wait_child(member));
	}
	EXPECT_EQ(0, pty_wait_child(leader));
	EXPECT_EQ(-1, r->rd_handled);
	EXPECT_EQ(EINTR, r->rd_handled_errno);
	EXPECT_EQ(1, r->ttin_seen);
	EXPECT_EQ(-1, r->rd_blocked);
	EXPECT_EQ(EIO, r->rd_blocked_errno);
	EXPECT_EQ(-1, r->rd_ignored);
	EXPECT_EQ(EIO, r->rd_ignored_errno);
	EXPECT_EQ(1, r->wr_plain);
	EXPECT_EQ(0, r->set_tostop);
	EXPECT_EQ(1, r->wr_blocked);
	EXPECT_EQ(-1, r->wr_handled);
	EXPECT_EQ(EINTR, r->wr_handled_errno);
	EXPECT_EQ(1, r->ttou_seen);
	EXPECT_EQ(1, r->wr_ignored);
	EXPECT_BYTES(self->m, "wbi");
}

struct orphan_result {
	int reparented;
	int rd;
	int rd_errno;
	int wr;
	int wr_errno;
};

/*
 * A process group with no parent in another group of its session is
 * orphaned: its reads fail with EIO instead of stopping on SIGTTIN, and
 * so do its writes under TOSTOP (tty_jobctrl.c:52-57).
 */
TEST_F(ldisc, orphaned_group_gets_eio)
{
	struct orphan_result *r = ld_shared(_metadata, sizeof(*r));
	int done[2], release[2];
	pid_t leader;

	ASSERT_EQ(0, pty_lflags(self->s, TOSTOP, 0));
	ASSERT_EQ(0, pipe(done));
	ASSERT_EQ(0, pipe(release));
	leader = fork();
	ASSERT_LE(0, leader);
	if (!leader) {
		pid_t member;
		int fd;

		close(done[0]);
		close(release[1]);
		fd = pty_make_ctty(self->path);
		if (fd < 0)
			_exit(1);
		member = fork();
		if (member < 0)
			_exit(2);
		if (!member) {
			pid_t parent = getpid(), orphan;
			char c;
			int i;

			if (setpgid(0, 0))
				_exit(3);
			orphan = fork();
			if (orphan)
				_exit(orphan < 0);
			for (i = 0; i < 10000 && getppid() == parent; i++)
				usleep(1000);
			r->reparented = getppid() != parent;
			r->rd = read(fd, &c, 1);
			r->rd_errno = errno;
			r->wr = write(fd, "o", 1);
			r->wr_errno = errno;
			pty_tell(done[1]);
			_exit(0);
		}
		close(done[1]);
		setpgid(member, member);
		pty_wait_child(member);
		/* Stay the session leader until the orphan is done. */
		pty_hear(release[0], 3 * PTY_WAIT_MS);
		_exit(0);
	}
	close(done[1]);
	close(release[0]);
	hear(_metadata, done[0]);
	pty_tell(release[1]);
	EXPECT_EQ(0, pty_wait_child(leader));
	EXPECT_EQ(1, r->reparented);
	EXPECT_EQ(-1, r->rd);
	EXPECT_EQ(EIO, r->rd_errno);
	EXPECT_EQ(-1, r->wr);
	EXPECT_EQ(EIO, r->wr_errno);
	EXPECT_QUIET(self->m);
}

/* TIOCSWINSZ signals SIGWINCH to the foreground group only on a change. */
TEST_F(ldisc, sigwinch_on_size_change_only)
{
	struct winsize ws = { .ws_row = 33, .ws_col = 99 };
	struct leader l;

	leader_start(_metadata, self->path, &l);
	ASSERT_EQ(0, ioctl(self->s, TIOCSWINSZ, &ws));
	EXPECT_EQ(SIGWINCH, leader_ask(&l, 'w'));
	ASSERT_EQ(0, ioctl(self->s, TIOCSWINSZ, &ws));
	EXPECT_EQ(0, leader_ask(&l, 'n'));
	ws.ws_xpixel = 640;
	ASSERT_EQ(0, ioctl(self->m, TIOCSWINSZ, &ws));
	EXPECT_EQ(SIGWINCH, leader_ask(&l, 'w'));
	EXPECT_EQ(0, leader_stop(&l));
}

/*
 * O_ASYNC: SIGIO when input becomes readable, in canonical mode only
 * when a line ends (n_tty.c:1366, 1635-1636).
 */
TEST_F(ldisc, sigio_when_input_is_readable)
{
	int fl;

	ASSERT_EQ(0, pty_block_signal(SIGIO));
	ASSERT_EQ(0, fcntl(self->s, F_SETOWN, getpid()));
	fl = fcntl(self->s, F_GETFL);
	ASSERT_EQ(0, fcntl(self->s, F_SETFL, fl | O_ASYNC));
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	PUT(self->m, "ab");
	EXPECT_EQ(0, pty_signal_wait(SIGIO, PTY_QUIET_MS));
	PUT(self->m, "\n");
	EXPECT_EQ(1, pty_signal_wait(SIGIO, PTY_WAIT_MS));
	EXPECT_READ(self->s, "ab\n");
	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	PUT(self->m, "c");
	EXPECT_EQ(1, pty_signal_wait(SIGIO, PTY_WAIT_MS));
	EXPECT_READ(self->s, "c");
}

/* ---- software flow control ---- */

/*
 * IXON: ^S stops output and ^Q restarts it, both consumed (n_tty.c:1248-1266);
 * a packet-mode master sees STOP and START; echoes wait while stopped and
 * come out at the restart (n_tty.c:1258).
 */
TEST_F(ldisc, ixon_stop_start_and_held_echo)
{
	ASSERT_EQ(0, ld_packet(self->m, 1));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	PUT(self->m, "\x13");
	EXPECT_EQ(TIOCPKT_STOP, ld_status(self->m));
	EXPECT_EQ(-1, write(self->s, "z", 1));
	EXPECT_EQ(EAGAIN, errno);
	PUT(self->m, "ab");
	EXPECT_QUIET(self->m);
	PUT(self->m, "\x11");
	EXPECT_PACKETS(self->m, "ab", TIOCPKT_START);
	EXPECT_EQ(1, write(self->s, "z", 1));
	EXPECT_PACKETS(self->m, "z", 0);
	PUT(self->m, "\n");
	EXPECT_PACKETS(self->m, "\r\n", 0);
	EXPECT_READ(self->s, "ab\n");
}

/*
 * VSTOP and VSTART may be redefined; a ^S that is no longer VSTOP is data.
 * Output stopped by a blocking writer's peer resumes the writer.
 */
TEST_F(ldisc, redefined_stop_start_and_blocked_writer)
{
	struct ld_io *r = ld_shared(_metadata, sizeof(*r));
	struct termios t;
	pid_t pid;

	ld_std_termios(&t);
	t.c_lflag &= ~ECHO;
	t.c_cc[VSTOP] = 's';
	t.c_cc[VSTART] = 'g';
	ASSERT_EQ(0, tcsetattr(self->s, TCSANOW, &t));
	ASSERT_EQ(0, ld_packet(self->m, 1));
	PUT(self->m, "\x13s");
	EXPECT_EQ(TIOCPKT_STOP, ld_status(self->m));
	pid = ld_fork_write(self->s, "out", 3, r);
	ASSERT_LE(0, pid);
	ld_blocked(_metadata, pid, SYS_write);
	PUT(self->m, "\x11g\n");
	EXPECT_PACKETS(self->m, "out", TIOCPKT_START);
	EXPECT_EQ(0, pty_wait_child(pid));
	EXPECT_EQ(3, r->n);
	EXPECT_READ(self->s, "\x13\x11\n");
}

/*
 * IXANY: any character restarts output stopped by ^S, and is then
 * processed as usual (n_tty.c:1289-1292, 1410); output stopped with
 * TCOOFF is not restarted by it nor by ^Q (tco_stopped), and TCOON
 * restarts it without writing the held echoes: the next output does
 * (n_tty.c:2367).
 */
TEST_F(ldisc, ixany_restarts_but_not_after_tcooff)
{
	ASSERT_EQ(0, pty_iflags(self->s, IXANY, 0));
	ASSERT_EQ(0, ld_packet(self->m, 1));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	PUT(self->m, "\x13");
	EXPECT_EQ(TIOCPKT_STOP, ld_status(self->m));
	PUT(self->m, "x");
	EXPECT_PACKETS(self->m, "x", TIOCPKT_START);
	EXPECT_EQ(1, write(self->s, "1", 1));
	EXPECT_PACKETS(self->m, "1", 0);

	ASSERT_EQ(0, tcflow(self->s, TCOOFF));
	EXPECT_EQ(TIOCPKT_STOP, ld_status(self->m));
	PUT(self->m, "y\x11");
	EXPECT_QUIET(self->m);
	EXPECT_EQ(-1, write(self->s, "2", 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, tcflow(self->s, TCOON));
	EXPECT_EQ(TIOCPKT_START, ld_status(self->m));
	EXPECT_EQ(1, write(self->s, "3", 1));
	EXPECT_PACKETS(self->m, "y3", 0);
	PUT(self->m, "\n");
	EXPECT_PACKETS(self->m, "\r\n", 0);
	EXPECT_READ(self->s, "xy\n");
}

/*
 * Clearing IXON while ^S holds output restarts it and writes the held
 * echoes (n_tty.c:1853-1858); after TCOOFF it does not.
 */
TEST_F(ldisc, clearing_ixon_restarts_output)
{
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	PUT(self->m, "\023ab");
	EXPECT_QUIET(self->m);
	EXPECT_EQ(-1, write(self->s, "z", 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, pty_iflags(self->s, 0, IXON));
	EXPECT_BYTES(self->m, "ab");
	EXPECT_EQ(1, write(self->s, "z", 1));
	EXPECT_BYTES(self->m, "z");

	ASSERT_EQ(0, pty_iflags(self->s, IXON, 0));
	ASSERT_EQ(0, tcflow(self->s, TCOOFF));
	ASSERT_EQ(0, pty_iflags(self->s, 0, IXON));
	EXPECT_EQ(-1, write(self->s, "q", 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, tcflow(self->s, TCOON));
	EXPECT_EQ(1, write(self->s, "q", 1));
	EXPECT_BYTES(self->m, "q");
	PUT(self->m, "\n");
	EXPECT_BYTES(self->m, "\r\n");
	EXPECT_READ(self->s, "ab\n");
}

/*
 * TCIOFF and TCION send VSTOP and VSTART to the other side, none when
 * disabled (tty_ioctl.c:982-989); TCOOFF and TCOON stop and start output
 * with STOP and START events.
 */
TEST_F(ldisc, tcxonc_actions)
{
	ASSERT_EQ(0, tcflow(self->s, TCIOFF));
	EXPECT_BYTES(self->m, "\x13");
	ASSERT_EQ(0, tcflow(self->s, TCION));
	EXPECT_BYTES(self->m, "\x11");
	ASSERT_EQ(0, pty_set_cc(self->s, VSTOP, _POSIX_VDISABLE));
	ASSERT_EQ(0, tcflow(self->s, TCIOFF));
	ASSERT_EQ(0, tcflow(self->s, TCION));
	EXPECT_BYTES(self->m, "\x11");
	EXPECT_EQ(-1, ioctl(self->s, TCXONC, 7));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, ld_packet(self->m, 1));
	ASSERT_EQ(0, tcflow(self->s, TCOOFF));
	EXPECT_EQ(TIOCPKT_STOP, ld_status(self->m));
	ASSERT_EQ(0, tcflow(self->s, TCOON));
	EXPECT_EQ(TIOCPKT_START, ld_status(self->m));
	EXPECT_EQ(1, write(self->s, "k", 1));
	EXPECT_PACKETS(self->m, "k", 0);
}

/*
 * TCFLSH on the slave: TCIFLUSH drops the input, complete lines and the
 * partial one, posting FLUSHREAD (n_tty.c:368-378); TCOFLUSH posts
 * FLUSHWRITE; TCIOFLUSH both. Input after the flush is a fresh line.
 */
TEST_F(ldisc, tcflush_with_packet_events)
{
	char buf[16];

	/* The echoes tell when the input has been processed. */
	ASSERT_EQ(0, ld_packet(self->m, 1));
	PUT(self->m, "abc\nde");
	EXPECT_PACKETS(self->m, "abc\r\nde", 0);
	ASSERT_EQ(0, tcflush(self->s, TCIFLUSH));
	EXPECT_EQ(TIOCPKT_FLUSHREAD, ld_status(self->m));
	EXPECT_EQ(0, ld_inq(self->s));
	PUT(self->m, "f\n");
	EXPECT_PACKETS(self->m, "f\r\n", 0);
	EXPECT_READ(self->s, "f\n");
	ASSERT_EQ(0, tcflush(self->s, TCOFLUSH));
	EXPECT_EQ(TIOCPKT_FLUSHWRITE, ld_status(self->m));
	PUT(self->m, "gh");
	EXPECT_PACKETS(self->m, "gh", 0);
	ASSERT_EQ(0, tcflush(self->s, TCIOFLUSH));
	EXPECT_EQ(PKT_FLUSH, ld_status(self->m));
	PUT(self->m, "\n");
	EXPECT_PACKETS(self->m, "\r\n", 0);
	EXPECT_READ(self->s, "\n");
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

#define LA_ROUNDS	10

/*
 * Flow characters that arrive while the slave's buffer is full act at
 * once through the lookahead (n_tty.c:1484-1502), and are consumed, not
 * acted on again, when the buffer drains (n_tty.c:1248-1256): after the
 * drain no STOP or START event follows. Ten rounds, as the worker's
 * timing varies.
 */
TEST_F_TIMEOUT(ldisc, flow_control_looks_ahead_of_a_full_buffer, 60)
{
	static char in[5000], out[5001];
	size_t got;
	int i, st;

	memset(in, 'x', sizeof(in));
	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	ASSERT_EQ(0, pty_iflags(self->s, IXON, 0));
	ASSERT_EQ(0, ld_packet(self->m, 1));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	for (i = 0; i < LA_ROUNDS; i++) {
		ASSERT_EQ(5000, write(self->m, in, sizeof(in)));
		PUT(self->m, "\x13");
		st = ld_status(self->m);
		EXPECT_EQ(TIOCPKT_STOP, st)
			TH_LOG("round %d", i);
		EXPECT_EQ(-1, write(self->s, "z", 1));
		EXPECT_EQ(EAGAIN, errno);
		/*
		 * One byte a write: a status read between the lookahead's
		 * events of one write would leave the later ones pending.
		 */
		PUT(self->m, "\x11");
		st = ld_status(self->m);
		EXPECT_EQ(TIOCPKT_START, st)
			TH_LOG("round %d", i);
		PUT(self->m, "\x13");
		st = ld_status(self->m);
		EXPECT_EQ(TIOCPKT_STOP, st)
			TH_LOG("round %d", i);
		PUT(self->m, "\x11");
		st = ld_status(self->m);
		EXPECT_EQ(TIOCPKT_START, st)
			TH_LOG("round %d", i);
		got = pty_read_full(self->s, out, sizeof(in), PTY_WAIT_MS);
		EXPECT_EQ(sizeof(in), got);
		EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
		st = pty_poll(self->m, POLLIN | POLLPRI, PTY_QUIET_MS);
		EXPECT_EQ(0, st)
			TH_LOG("round %d: status 0x%x after the drain", i, ld_status(self->m));
		EXPECT_EQ(1, write(self->s, "z", 1));
		EXPECT_PACKETS(self->m, "z", 0);
		if (!_metadata->passed)
			break;
	}
}

/* ---- a slave nobody reads ---- */

#define FILL_LEN	(256 * 1024)

/*
 * A blocking master writer fills a raw slave nobody reads and sleeps;
 * when the slave reads, the writer finishes and every byte arrives in
 * order: none lost, no deadlock (n_tty.c:1700-1721, 271-280).
 */
TEST_F_TIMEOUT(ldisc, full_raw_slave_blocks_the_writer, 120)
{
	struct ld_io *r = ld_shared(_metadata, sizeof(*r));
	static unsigned char in[FILL_LEN], out[FILL_LEN];
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	pty_fill_random(in, sizeof(in), 0x6c646973);
	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	pid = ld_fork_write(self->m, in, sizeof(in), r);
	ASSERT_LE(0, pid);
	ld_blocked(_metadata, pid, SYS_write);
	while (got < sizeof(out)) {
		n = pty_read_wait(self->s, out + got, sizeof(out) - got, PTY_WAIT_MS);
		if (n <= 0)
			break;
		got += n;
	}
	EXPECT_EQ(0, pty_wait_child(pid));
	EXPECT_EQ((ssize_t)sizeof(in), r->n);
	EXPECT_EQ(sizeof(in), got);
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	EXPECT_QUIET(self->m);
}

/*
 * The same with O_NONBLOCK: EAGAIN when full, and nothing lost of what
 * was accepted.
 */
TEST_F(ldisc, full_raw_slave_gives_eagain)
{
	static unsigned char in[1 << 20], out[1 << 20];
	size_t total = 0, got = 0;
	ssize_t n;

	pty_fill_random(in, sizeof(in), 0x21);
	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	ASSERT_EQ(0, pty_set_nonblock(self->m, 1));
	while (total < sizeof(in)) {
		n = write(self->m, in + total, 1000);
		if (n <= 0)
			break;
		total += n;
	}
	ASSERT_EQ(EAGAIN, errno);
	while (got < total) {
		n = pty_read_wait(self->s, out + got, sizeof(out) - got, PTY_WAIT_MS);
		if (n <= 0)
			break;
		got += n;
	}
	EXPECT_EQ(total, got);
	EXPECT_EQ(0, memcmp(in, out, got));
	EXPECT_EQ(POLLOUT, pty_poll(self->m, POLLOUT, PTY_WAIT_MS));
	EXPECT_EQ(1, write(self->m, "!", 1));
	EXPECT_BYTES(self->s, "!");
}

#define LINES		2000
#define LINE_LEN	100

/*
 * Canonical: complete lines fill the buffer, so the writer sleeps (no
 * overflow dropping while a line is readable, n_tty.c:1704-1709); each
 * read then returns one whole line, all of them in order.
 */
TEST_F_TIMEOUT(ldisc, full_canonical_slave_keeps_every_line, 120)
{
	static char in[LINES * LINE_LEN], buf[4096];
	struct ld_io *r = ld_shared(_metadata, sizeof(*r));
	char line[LINE_LEN + 1];
	int i, bad = 0;
	pid_t pid;
	ssize_t n;

	for (i = 0; i < LINES; i++) {
		memset(in + i * LINE_LEN, 'a' + i % 26, LINE_LEN - 1);
		snprintf(line, sizeof(line), "%05d", i);
		memcpy(in + i * LINE_LEN, line, 5);
		in[i * LINE_LEN + LINE_LEN - 1] = '\n';
	}
	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	pid = ld_fork_write(self->m, in, sizeof(in), r);
	ASSERT_LE(0, pid);
	ld_blocked(_metadata, pid, SYS_write);
	for (i = 0; i < LINES; i++) {
		n = pty_read_wait(self->s, buf, sizeof(buf), PTY_WAIT_MS);
		if (n != LINE_LEN || memcmp(buf, in + i * LINE_LEN, LINE_LEN)) {
			ld_log_diff(_metadata, __LINE__, "line", in + i * LINE_LEN, LINE_LEN,
				    buf, n);
			if (++bad > 2 || n <= 0)
				break;
		}
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, pty_wait_child(pid));
	EXPECT_EQ((ssize_t)sizeof(in), r->n);
}

TEST_HARNESS_MAIN
