// SPDX-License-Identifier: GPL-2.0
/*
 * pty_jobctl_test - differential pty suite, sessions and signals: signals
 * to the slave's foreground process group (SIGWINCH, TIOCSIG, ISIG input),
 * the controlling terminal, sessions, the session leader's exit and
 * background job control. Every case runs on a private devpts instance and
 * on a mypts instance (pty_fixture.h) and asserts what Linux's devpts does.
 */
#include "kselftest_harness.h"
#include "mypts_util.h"
#include "pty_util.h"
#include "pty_fixture.h"

static int is_mypts(const char *fstype)
{
	return !strcmp(fstype, "mypts");
}

/* ---- signals to the foreground group ---- */

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
	pid = pty_fork_sigint_waiter(self->path, p.master, c2p[1], p2c[0], got);
	ASSERT_LE(0, pid);
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

/* ---- controlling terminal, sessions, job control ---- */

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

/*
 * In a background member of the slave's session: try reads and writes.
 * @fd is non-blocking, so a missing job-control check cannot hang here.
 */
static void background_member(int fd, struct bg_result *r)
{
	struct sigaction sa = { .sa_handler = pty_catch_signal };
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
	pty_take_caught();
	r->rd_handled = read(fd, &c, 1);
	r->rd_handled_errno = errno;
	r->ttin_seen = pty_take_caught() == SIGTTIN;
	r->wr_tostop = write(fd, "t", 1);
	r->wr_tostop_errno = errno;
	r->ttou_seen = pty_take_caught() == SIGTTOU;
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

/* What the session leader saw of TIOCSPGRP on the master. */
struct spgrp_result {
	int set_member;
	int set_missing;
	pid_t member;
};

TEST_F(pty, tiocspgrp_through_the_master)
{
	struct spgrp_result *r;
	struct pty_pair p;
	pid_t leader;
	int v = -1;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	r = pty_shared(sizeof(*r));
	ASSERT_NE(NULL, r);
	/* Not our controlling terminal: ENOTTY, after the argument checks. */
	v = getpgrp();
	EXPECT_EQ(-1, ioctl(p.master, TIOCSPGRP, &v));
	EXPECT_EQ(ENOTTY, errno);
	v = -1;
	EXPECT_EQ(-1, ioctl(p.master, TIOCSPGRP, &v));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(p.master, TIOCSPGRP, (void *)1));
	EXPECT_EQ(EFAULT, errno);

	leader = fork();
	ASSERT_LE(0, leader);
	if (!leader) {
		pid_t member, missing = 0x3ffffff0;
		int fd;

		pty_block_signal(SIGTTOU);
		fd = pty_make_ctty(self->path);
		if (fd < 0)
			_exit(1);
		member = fork();
		if (member < 0)
			_exit(2);
		if (!member) {
			setpgid(0, 0);
			pause();
			_exit(0);
		}
		setpgid(member, member);
		r->member = member;
		r->set_member = ioctl(p.master, TIOCSPGRP, &member) ? errno : 0;
		r->set_missing = ioctl(p.master, TIOCSPGRP, &missing) ? errno : 0;
		kill(member, SIGKILL);
		pty_wait_child(member);
		_exit(0);
	}
	EXPECT_EQ(0, pty_wait_child(leader));
	EXPECT_EQ(0, r->set_member);
	EXPECT_EQ(ESRCH, r->set_missing);
	pty_close_pair(&p);
}

TEST_HARNESS_MAIN
