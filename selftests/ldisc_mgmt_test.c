// SPDX-License-Identifier: GPL-2.0
/*
 * ldisc_mgmt_test - directed tests of the line discipline as a kernel
 * object and under concurrency: its number (TIOCGETD, c_line,
 * /proc/tty/ldiscs), switching it with TIOCSETD (with pending input and
 * during traffic), several readers and writers, termios changes under a
 * blocked reader, and hangup or master close under blocked readers and
 * writers. Every case runs on N_TTY, on our discipline on a devpts slave
 * and on a mypts slave (ldisc_fixture.h); no case asserts a duration.
 */
#include "ldisc_fixture.h"

/* The discipline the tests switch to and back from: N_TTY or ours. */
static int other_disc(struct __test_metadata *_metadata, int disc)
{
	int ours = ld_our_disc();

	ASSERT_LT(0, ours)
		TH_LOG("no line discipline: cannot read %s", LD_PARAM);
	return disc == N_TTY ? ours : N_TTY;
}

static bool is_mypts(const char *fstype)
{
	return !strcmp(fstype, "mypts");
}

/*
 * After 200 ms, is child @pid still asleep in syscall @nr? 0 if so, -1 if
 * it returned (a wait for something that must not happen).
 */
static int still_blocked(pid_t pid, long nr)
{
	poll(NULL, 0, PTY_QUIET_MS);
	if (waitpid(pid, NULL, WNOHANG))
		return -1;
	return pty_wait_blocked(pid, nr, PTY_WAIT_MS);
}

/* ld_fork_read() or ld_fork_write() (@p set) in a child that closes @drop. */
static pid_t fork_io_without(int drop, int fd, const void *p, size_t len, struct ld_io *r)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	close(drop);
	if (p)
		r->n = write(fd, p, len);
	else
		r->n = read(fd, r->buf, len);
	r->err = r->n < 0 ? errno : 0;
	_exit(0);
}

/* ---- the discipline's number ---- */

/*
 * TIOCGETD and termios' c_line name the slave's discipline: the number the
 * module exports on both of our variants.
 */
TEST_F(ldisc, tiocgetd_and_c_line_name_it)
{
	struct termios t;
	int ours = ld_our_disc();

	EXPECT_EQ(self->disc, ld_get(self->s));
	ASSERT_EQ(0, tcgetattr(self->s, &t));
	EXPECT_EQ(self->disc, t.c_line);
	EXPECT_EQ(variant->ours ? ours : N_TTY, self->disc);
	/* The master answers for the slave's termios, c_line included. */
	ASSERT_EQ(0, tcgetattr(self->m, &t));
	if (is_mypts(variant->fstype))
		EXPECT_EQ(self->disc, t.c_line);
}

/* /proc/tty/ldiscs lists the discipline, "<name> <number>". */
TEST_F(ldisc, proc_tty_ldiscs_lists_it)
{
	char line[128], name[64];
	FILE *f = fopen("/proc/tty/ldiscs", "re");
	int n, found = 0;

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %d", name, &n) == 2 && n == self->disc)
			found++;
	fclose(f);
	EXPECT_EQ(1, found);
}

/* TIOCSETD of an unregistered number fails and changes nothing. */
TEST_F(ldisc, tiocsetd_of_nothing_changes_nothing)
{
	EXPECT_EQ(-1, ld_set(self->s, 30));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ld_set(self->s, -1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(self->disc, ld_get(self->s));
	EXPECT_EQ(0, ld_set(self->s, self->disc));
	PUT(self->m, "ok\n");
	EXPECT_BYTES(self->m, "ok\r\n");
	EXPECT_READ(self->s, "ok\n");
}

/*
 * Switching the discipline away and back: each close drops the pending
 * input and posts FLUSHREAD to a packet-mode master (n_tty.c:1874-1881),
 * termios stays, and the new discipline starts empty and works. (N_TTY on
 * a mypts slave cannot post it: Documentation/divergences.rst.)
 */
TEST_F(ldisc, switch_away_and_back)
{
	int other = other_disc(_metadata, self->disc);
	char buf[16];
	int want;

	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHOCTL));
	ASSERT_EQ(0, ld_packet(self->m, 1));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	PUT(self->m, "abc\nde");
	EXPECT_PACKETS(self->m, "abc\r\nde", 0);
	ASSERT_EQ(0, ld_set(self->s, other));
	EXPECT_EQ(other, ld_get(self->s));
	EXPECT_EQ(TIOCPKT_FLUSHREAD, ld_status(self->m));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	PUT(self->m, "x\n");
	EXPECT_PACKETS(self->m, "x\r\n", 0);
	EXPECT_READ(self->s, "x\n");
	ASSERT_EQ(1, pty_write_str(self->s, "\n"));
	EXPECT_PACKETS(self->m, "\r\n", 0);

	PUT(self->m, "fg");
	EXPECT_PACKETS(self->m, "fg", 0);
	ASSERT_EQ(0, ld_set(self->s, self->disc));
	EXPECT_EQ(self->disc, ld_get(self->s));
	want = is_mypts(variant->fstype) && other == N_TTY ? 0 : TIOCPKT_FLUSHREAD;
	EXPECT_EQ(want, want ? ld_status(self->m) :
		  pty_poll(self->m, POLLIN | POLLPRI, PTY_QUIET_MS));
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	PUT(self->m, "y\x01\n");
	EXPECT_PACKETS(self->m, "y\x01\r\n", 0);
	EXPECT_READ(self->s, "y\x01\n");
}

/* ---- concurrency ---- */

#define SW_ROUNDS	30

struct traffic {
	int stop;
	long in_sent;
	long in_got;
	long in_bad;
	long out_sent;
	long out_got;
	long out_bad;
};

static bool stopping(struct traffic *t)
{
	return __atomic_load_n(&t->stop, __ATOMIC_ACQUIRE);
}

/* Write letters to @fd (non-blocking) until told to stop, then one '!'. */
static int traffic_write(int fd, struct traffic *t, long *sent)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz";
	ssize_t n;

	while (!stopping(t)) {
		pty_poll(fd, POLLOUT, 100);
		n = write(fd, abc, 26);
		if (n > 0)
			__atomic_add_fetch(sent, n, __ATOMIC_RELAXED);
	}
	if (pty_poll(fd, POLLOUT, 3 * PTY_WAIT_MS) != POLLOUT)
		return 1;
	return write(fd, "!", 1) == 1 ? 0 : 2;
}

/* Read from @fd (non-blocking) until a '!': letters only before it. */
static int traffic_read(int fd, long *got, long *bad)
{
	char buf[512];
	ssize_t n, i;

	for (;;) {
		if (pty_poll(fd, POLLIN, 3 * PTY_WAIT_MS) <= 0)
			return 1;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0)
			return 2;
		for (i = 0; i < n; i++) {
			if (buf[i] == '!')
				return 0;
			if (buf[i] < 'a' || buf[i] > 'z')
				(*bad)++;
			(*got)++;
		}
	}
}

/*
 * The discipline switched back and forth while bytes flow both ways: every
 * switch succeeds, nothing hangs, the flow resumes each time (bytes
 * pending at a switch may be dropped, as N_TTY drops them), and no byte
 * is corrupted.
 */
TEST_F_TIMEOUT(ldisc, switch_during_traffic, 120)
{
	struct traffic *t = ld_shared(_metadata, sizeof(*t));
	int other = other_disc(_metadata, self->disc);
	pid_t pid[4];
	int i, rc = 0;

	ASSERT_EQ(0, ld_raw(self->s, 1, 0));
	ASSERT_EQ(0, pty_set_nonblock(self->m, 1));
	ASSERT_EQ(0, pty_set_nonblock(self->s, 1));
	for (i = 0; i < 4; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i])
			continue;
		switch (i) {
		case 0:
			_exit(traffic_write(self->m, t, &t->in_sent));
		case 1:
			_exit(traffic_read(self->s, &t->in_got, &t->in_bad));
		case 2:
			_exit(traffic_write(self->s, t, &t->out_sent));
		default:
			_exit(traffic_read(self->m, &t->out_got, &t->out_bad));
		}
	}
	for (i = 0; i < SW_ROUNDS; i++) {
		rc = ld_set(self->s, i % 2 ? self->disc : other);
		if (rc)
			break;
	}
	EXPECT_EQ(0, rc)
		TH_LOG("round %d: TIOCSETD: %s", i, strerror(errno));
	if (ld_get(self->s) != self->disc)
		EXPECT_EQ(0, ld_set(self->s, self->disc));
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, pty_wait_child(pid[i]))
			TH_LOG("child %d failed", i);
	TH_LOG("in: %ld sent, %ld got; out: %ld sent, %ld got", t->in_sent, t->in_got,
	       t->out_sent, t->out_got);
	EXPECT_EQ(0, t->in_bad);
	EXPECT_EQ(0, t->out_bad);
	EXPECT_GE(t->in_sent, t->in_got);
	EXPECT_GE(t->out_sent, t->out_got);
	EXPECT_EQ(self->disc, ld_get(self->s));
}

/*
 * TIOCSETD asks the readers and writers asleep in the discipline to let
 * go: with TTY_LDISC_CHANGING set they fail with EAGAIN as if
 * non-blocking (tty_ldisc.c:305-312, tty_io_nonblock()), and the switch
 * succeeds.
 */
TEST_F(ldisc, switch_releases_blocked_reader_and_writer)
{
	struct ld_io *rd = ld_shared(_metadata, sizeof(*rd));
	struct ld_io *wr = ld_shared(_metadata, sizeof(*wr));
	int other = other_disc(_metadata, self->disc);
	pid_t rpid, wpid;

	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	PUT(self->m, "\x13");
	EXPECT_EQ(0, pty_poll(self->s, POLLOUT, PTY_QUIET_MS));
	rpid = ld_fork_read(self->s, 64, rd);
	ASSERT_LE(0, rpid);
	wpid = ld_fork_write(self->s, "never", 5, wr);
	ASSERT_LE(0, wpid);
	ld_blocked(_metadata, rpid, SYS_read);
	ld_blocked(_metadata, wpid, SYS_write);
	EXPECT_EQ(0, ld_set(self->s, other));
	EXPECT_EQ(0, pty_wait_child(rpid));
	EXPECT_EQ(0, pty_wait_child(wpid));
	EXPECT_EQ(-1, rd->n);
	EXPECT_EQ(EAGAIN, rd->err);
	EXPECT_EQ(-1, wr->n);
	EXPECT_EQ(EAGAIN, wr->err);
	EXPECT_EQ(other, ld_get(self->s));
	EXPECT_EQ(0, ld_set(self->s, self->disc));
	PUT(self->m, "\021go\n");
	EXPECT_READ(self->s, "go\n");
	EXPECT_EQ(1, write(self->s, "k", 1));
	EXPECT_BYTES(self->m, "k");
}

#define NR_RW		3
#define RW_LINES	300
#define RW_LEN		50

struct rw_result {
	int lines[NR_RW];
	int bad;
};

/* Read whole lines until an empty one; each must be one letter repeated. */
static int line_reader(int fd, struct rw_result *r)
{
	char buf[256];
	ssize_t n, i;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == 1 && buf[0] == '\n')
			return 0;
		if (n != RW_LEN || buf[0] < 'a' || buf[0] >= 'a' + NR_RW) {
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
			return n <= 0;
		}
		for (i = 1; i < RW_LEN - 1; i++)
			if (buf[i] != buf[0])
				break;
		if (i != RW_LEN - 1 || buf[RW_LEN - 1] != '\n')
			__atomic_add_fetch(&r->bad, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&r->lines[buf[0] - 'a'], 1, __ATOMIC_RELAXED);
	}
}

/*
 * Several writers of whole lines on the master and several canonical
 * readers on the slave: every read returns one whole line of one writer
 * (a write is not split by another, a read never spans lines), and every
 * line arrives once.
 */
TEST_F_TIMEOUT(ldisc, several_readers_and_writers, 120)
{
	struct rw_result *r = ld_shared(_metadata, sizeof(*r));
	pid_t rd[NR_RW], wr[NR_RW];
	char line[RW_LEN];
	int i, j;

	ASSERT_EQ(0, pty_lflags(self->s, 0, ECHO));
	for (i = 0; i < NR_RW; i++) {
		rd[i] = fork();
		ASSERT_LE(0, rd[i]);
		if (!rd[i])
			_exit(line_reader(self->s, r));
	}
	for (i = 0; i < NR_RW; i++) {
		wr[i] = fork();
		ASSERT_LE(0, wr[i]);
		if (wr[i])
			continue;
		memset(line, 'a' + i, RW_LEN - 1);
		line[RW_LEN - 1] = '\n';
		for (j = 0; j < RW_LINES; j++)
			if (write(self->m, line, RW_LEN) != RW_LEN)
				_exit(1);
		_exit(0);
	}
	for (i = 0; i < NR_RW; i++)
		EXPECT_EQ(0, pty_wait_child(wr[i]));
	for (i = 0; i < NR_RW; i++)
		PUT(self->m, "\n");
	for (i = 0; i < NR_RW; i++)
		EXPECT_EQ(0, pty_wait_child(rd[i]));
	EXPECT_EQ(0, r->bad);
	for (i = 0; i < NR_RW; i++)
		EXPECT_EQ(RW_LINES, r->lines[i]);
}

/*
 * Several writers on the slave and one reader on the master: output is
 * never lost or corrupted, and with OPOST each NL still becomes CR NL.
 */
TEST_F_TIMEOUT(ldisc, several_slave_writers, 120)
{
	static char out[NR_RW * RW_LINES * (RW_LEN + 1)];
	size_t len = 0, want = sizeof(out);
	int counts[NR_RW] = { 0 }, bad = 0;
	pid_t wr[NR_RW];
	char line[RW_LEN];
	size_t k;
	ssize_t n;
	int i, j;

	for (i = 0; i < NR_RW; i++) {
		wr[i] = fork();
		ASSERT_LE(0, wr[i]);
		if (wr[i])
			continue;
		memset(line, 'a' + i, RW_LEN - 1);
		line[RW_LEN - 1] = '\n';
		for (j = 0; j < RW_LINES; j++)
			if (write(self->s, line, RW_LEN) != RW_LEN)
				_exit(1);
		_exit(0);
	}
	while (len < want) {
		n = pty_read_wait(self->m, out + len, want - len, PTY_WAIT_MS);
		if (n <= 0)
			break;
		len += n;
	}
	for (i = 0; i < NR_RW; i++)
		EXPECT_EQ(0, pty_wait_child(wr[i]));
	EXPECT_EQ(want, len);
	for (k = 0; k + RW_LEN < len + 1; k += RW_LEN + 1) {
		for (j = 1; j < RW_LEN - 1; j++)
			if (out[k + j] != out[k])
				break;
		if (out[k] < 'a' || out[k] >= 'a' + NR_RW || j != RW_LEN - 1 ||
		    memcmp(out + k + RW_LEN - 1, "\r\n", 2)) {
			bad++;
			continue;
		}
		counts[out[k] - 'a']++;
	}
	EXPECT_EQ(0, bad);
	for (i = 0; i < NR_RW; i++)
		EXPECT_EQ(RW_LINES, counts[i]);
}

/*
 * A termios change wakes a blocked reader (n_tty.c:1860-1862): turning
 * ICANON off hands a canonical reader the partial line.
 */
TEST_F(ldisc, icanon_change_wakes_a_blocked_reader)
{
	struct ld_io *r = ld_shared(_metadata, sizeof(*r));
	pid_t pid;

	PUT(self->m, "abc");
	EXPECT_BYTES(self->m, "abc");
	pid = ld_fork_read(self->s, 64, r);
	ASSERT_LE(0, pid);
	ld_blocked(_metadata, pid, SYS_read);
	ASSERT_EQ(0, pty_lflags(self->s, 0, ICANON));
	EXPECT_EQ(0, pty_wait_child(pid));
	EXPECT_EQ(3, r->n);
	EXPECT_EQ(0, memcmp(r->buf, "abc", 3));
}

/*
 * A blocked raw reader keeps the VMIN it started with (n_tty.c:2203-2213
 * read it once): lowering VMIN does not release it, enough bytes for the
 * old VMIN do; after ICANON is turned on it goes on reading lines until
 * it has them (n_tty.c:2286-2288).
 */
TEST_F(ldisc, blocked_reader_keeps_its_vmin)
{
	struct ld_io *r = ld_shared(_metadata, sizeof(*r));
	pid_t pid;

	ASSERT_EQ(0, ld_raw(self->s, 5, 0));
	PUT(self->m, "ab");
	pid = ld_fork_read(self->s, 64, r);
	ASSERT_LE(0, pid);
	ld_blocked(_metadata, pid, SYS_read);
	ASSERT_EQ(0, pty_set_cc(self->s, VMIN, 1));
	EXPECT_EQ(0, still_blocked(pid, SYS_read));
	PUT(self->m, "cde");
	EXPECT_EQ(0, pty_wait_child(pid));
	EXPECT_EQ(5, r->n);
	EXPECT_EQ(0, memcmp(r->buf, "abcde", 5));

	/* Turning ICANON on: it takes whole lines until it has its VMIN. */
	ASSERT_EQ(0, pty_set_cc(self->s, VMIN, 5));
	PUT(self->m, "de");
	pid = ld_fork_read(self->s, 64, r);
	ASSERT_LE(0, pid);
	ld_blocked(_metadata, pid, SYS_read);
	ASSERT_EQ(0, pty_lflags(self->s, ICANON, 0));
	EXPECT_EQ(0, still_blocked(pid, SYS_read));
	PUT(self->m, "fgh\n");
	EXPECT_EQ(0, pty_wait_child(pid));
	EXPECT_EQ(6, r->n);
	EXPECT_EQ(0, memcmp(r->buf, "defgh\n", 6));
}

/* ---- hangup ---- */

/*
 * TIOCVHANGUP on the slave: a blocked reader returns end of file, a
 * blocked writer EIO (n_tty.c:2251-2252, 2378-2381); the old descriptor
 * reads 0 and writes EIO. A reopened slave works again with the driver's
 * initial termios, whose c_line is N_TTY on devpts and our discipline on
 * mypts.
 */
TEST_F(ldisc, vhangup_wakes_blocked_reader_and_writer)
{
	struct ld_io *rd = ld_shared(_metadata, sizeof(*rd));
	struct ld_io *wr = ld_shared(_metadata, sizeof(*wr));
	pid_t rpid, wpid;
	char buf[16];
	int fd;

	ASSERT_EQ(0, ld_packet(self->m, 1));
	PUT(self->m, "\x13");
	EXPECT_EQ(TIOCPKT_STOP, ld_status(self->m));
	rpid = ld_fork_read(self->s, 64, rd);
	ASSERT_LE(0, rpid);
	wpid = ld_fork_write(self->s, "never", 5, wr);
	ASSERT_LE(0, wpid);
	ld_blocked(_metadata, rpid, SYS_read);
	ld_blocked(_metadata, wpid, SYS_write);
	ASSERT_EQ(0, ioctl(self->s, TIOCVHANGUP));
	EXPECT_EQ(0, pty_wait_child(rpid));
	EXPECT_EQ(0, rd->n);
	EXPECT_EQ(0, pty_wait_child(wpid));
	EXPECT_EQ(-1, wr->n);
	EXPECT_EQ(EIO, wr->err);
	EXPECT_EQ(0, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(self->s, "x", 1));
	EXPECT_EQ(EIO, errno);

	fd = pty_open_slave(self->dir, self->index, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(is_mypts(variant->fstype) ? self->disc : N_TTY, ld_get(fd));
	ASSERT_EQ(0, ld_packet(self->m, 0));
	/* Hangup keeps the ^S: restart output first. */
	PUT(self->m, "\x11");
	ASSERT_EQ(2, pty_write_str(fd, "z\n"));
	EXPECT_BYTES(self->m, "z\r\n");
	PUT(self->m, "q\n");
	EXPECT_BYTES(self->m, "q\r\n");
	EXPECT_READ(fd, "q\n");
	close(fd);
}

/*
 * Closing the master: a blocked slave reader gets EIO (the other side is
 * gone, n_tty.c:2245-2248), a writer held by ^S gets EIO (n_tty.c:2378),
 * and later reads see end of file.
 */
TEST_F(ldisc, master_close_wakes_blocked_reader_and_writer)
{
	struct ld_io *rd = ld_shared(_metadata, sizeof(*rd));
	struct ld_io *wr = ld_shared(_metadata, sizeof(*wr));
	pid_t rpid, wpid;
	char buf[16];

	PUT(self->m, "\x13");
	EXPECT_EQ(0, pty_poll(self->s, POLLOUT, PTY_QUIET_MS));
	rpid = fork_io_without(self->m, self->s, NULL, 64, rd);
	ASSERT_LE(0, rpid);
	wpid = fork_io_without(self->m, self->s, "never", 5, wr);
	ASSERT_LE(0, wpid);
	ld_blocked(_metadata, rpid, SYS_read);
	ld_blocked(_metadata, wpid, SYS_write);
	close(self->m);
	self->m = -1;
	EXPECT_EQ(0, pty_wait_child(rpid));
	EXPECT_EQ(0, pty_wait_child(wpid));
	EXPECT_EQ(-1, rd->n);
	EXPECT_EQ(EIO, rd->err);
	EXPECT_EQ(-1, wr->n);
	EXPECT_EQ(EIO, wr->err);
	EXPECT_EQ(0, read(self->s, buf, sizeof(buf)));
}

TEST_HARNESS_MAIN
