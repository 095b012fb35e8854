// SPDX-License-Identifier: GPL-2.0
/*
 * ldisc_fuzz_test - differential fuzzer of mypts' line discipline.
 *
 * Each seed makes a scenario (ldisc_fuzz.h): termios, window size, packet
 * mode, then operations on a pty pair. It runs on every target, each in a
 * process of its own that is a session leader with the target's slave as
 * its controlling terminal and its process group in the foreground:
 *
 *   devpts        a devpts pty with Linux's N_TTY: the reference
 *   devpts-ldisc  a devpts pty switched to mypts' discipline (TIOCSETD)
 *   mypts         a mypts pty, with the discipline it gets at allocation
 *                 (TIOCGETD must name mypts' discipline)
 *   mypts-ntty    a mypts pty switched to N_TTY; run only to tell, for a
 *                 seed that differs, the driver's part from the discipline's
 *
 * A target records a transcript: every byte the master and the slave read
 * and how each read ended, FIONREAD, packet status bytes, what each call
 * returned, and every signal the process got (ISIG characters, SIGWINCH),
 * in order. Each scenario starts on a pair as good as new (a new one, or
 * one reset with a new discipline: fz_reset_pair()), so a transcript is a
 * function of the seed.
 * Transcripts are compared byte by byte with the reference's; the first
 * seed that differs is run again to print the scenario, both transcripts
 * and the command that replays it.
 *
 * Determinism. Input written on a devpts master reaches the slave's
 * discipline later, from the flip buffer worker, and so does the slave's
 * output reach the master's. The runner therefore:
 *  - injects most input with TIOCSTI on the slave, which calls the
 *    discipline's receive_buf before it returns;
 *  - writes input on the master only as ldisc_fuzz.h allows (no signal
 *    characters, room to spare), and then reads the slave until EAGAIN:
 *    a read that finds nothing waits for the worker first, so EAGAIN means
 *    all was processed. Non-canonical reads are compared as one stream,
 *    since how they split depends on the worker; canonical ones return one
 *    line each whatever the timing;
 *  - drains the master after every operation (and before each byte that
 *    may raise a signal): a master read that finds nothing waits for the
 *    master's worker too. So devpts' flush of its flip buffer (signal
 *    characters, TCOFLUSH) finds nothing to discard, a flush that mypts
 *    never does (Documentation/divergences.rst);
 *  - keeps each slave fd non-blocking: VTIME never runs a timer, and
 *    VMIN = VTIME = 0 reads return at once.
 * One limit stays: devpts' master takes at most about 8 KiB at once (its
 * flip buffer) and n_tty writes echoes only as far as that room goes. A
 * drain of FZ_CAP bytes or more (a kill or reprint of a long line, say)
 * may have been cut short by it; the scenario stops there, marked, and the
 * number of such scenarios is reported.
 *
 * Knobs (environment; the guest takes them from the kernel command line):
 *   MYPTS_FUZZ_SEEDS    scenarios to run (default 5000)
 *   MYPTS_FUZZ_SEED     the first seed (default 1)
 *   MYPTS_FUZZ_TARGETS  comma-separated targets (default
 *                       devpts,devpts-ldisc,mypts); the first is the
 *                       reference, so "devpts,devpts" checks the harness
 *   MYPTS_FUZZ_FRESH    1: a new pair for every scenario, none reset
 *   MYPTS_FUZZ_PROFILE  1: print the time each kind of operation took
 * With one seed, the scenario and every transcript are printed.
 */
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "kselftest_harness.h"
#include "mypts_util.h"
#include "pty_util.h"
#include "ldisc_fuzz.h"

#define FZ_SEEDS_DEFAULT	5000
#define FZ_CAP			6000	/* see "One limit stays" above */
#define FZ_TRANSCRIPT		(1024 * 1024)
#define FZ_MAX_TARGETS		6
#define FZ_LDISC_PARAM		"/sys/module/mypts/parameters/ldisc"
#define FZ_N_DEVELOPMENT	29

struct fz_target {
	const char *name;
	bool mypts;		/* a mypts pty, else devpts */
	int setd;		/* TIOCSETD this after allocation: -1 none, -2 mypts' */
	int getd;		/* TIOCGETD must say: -2 mypts' */
	bool fresh;		/* a new pair for every scenario, never a reset one */
};

/* The fourth is the diagnosis target; the "-fresh" ones check the resets. */
static const struct fz_target fz_targets[] = {
	{ "devpts",	  false, -1, N_TTY, false },
	{ "devpts-ldisc", false, -2, -2, false },
	{ "mypts",	  true,	 -1, -2, false },
	{ "mypts-ntty",	  true,	 N_TTY, N_TTY, false },
	{ "devpts-fresh", false, -1, N_TTY, true },
	{ "mypts-fresh",  true,	 -1, -2, true },
};

/* ---- transcripts ---- */

enum fz_rec_type {
	FR_MASTER,	/* data a master drain read (packet headers taken off) */
	FR_STATUS,	/* a packet status byte: val */
	FR_SREAD,	/* read() of the slave: val = result or -errno, data */
	FR_SLINE,	/* one read() of a canonical slave drain: data */
	FR_SDATA,	/* what a non-canonical slave drain read, as one stream */
	FR_SZERO,	/* a read() of 0 that a non-canonical drain went past */
	FR_SEND,	/* how a slave drain ended: val = 0 or -errno */
	FR_RET,		/* what the operation's call returned: val (-errno) */
	FR_INQ,		/* at 0: FIONREAD, at 1: TIOCOUTQ; val (-errno) */
	FR_POLL,	/* val = slave revents | master revents << 16 */
	FR_SIG,		/* a signal arrived: val */
	FR_OVERCAP,	/* a master drain read val >= FZ_CAP bytes: stopped */
	FR_ERROR,	/* the harness failed: data is the message */
};

static const char * const fz_rec_names[] = {
	"master", "status", "sread", "sline", "sdata", "szero", "send", "ret",
	"inq", "poll", "signal", "overcap", "error",
};

/* A record: this header, then @len bytes of data. */
struct fz_rec {
	unsigned char type;
	unsigned char err;	/* FR_INQ: the call failed, val is -errno */
	unsigned short op;
	unsigned short at;	/* byte of the operation, or FZ_AT_END */
	unsigned short pad2;
	int val;
	unsigned int len;
};

#define FZ_AT_END	0xffff

/*
 * Signals are queued by the handler and recorded after each call. The
 * handler runs on the runner's own thread: the atomics only keep the
 * compiler from caching the queue.
 */
#define FZ_SIGQ		4096
static int fz_sig_head;
static int fz_sigq[FZ_SIGQ];

static void fz_on_signal(int sig)
{
	int head = __atomic_load_n(&fz_sig_head, __ATOMIC_SEQ_CST);

	if (head < FZ_SIGQ)
		__atomic_store_n(&fz_sigq[head], sig, __ATOMIC_SEQ_CST);
	if (head <= FZ_SIGQ)
		__atomic_store_n(&fz_sig_head, head + 1, __ATOMIC_SEQ_CST);
}

static int fz_sig_count(void)
{
	return __atomic_load_n(&fz_sig_head, __ATOMIC_SEQ_CST);
}

static const int fz_signals_caught[] = {
	SIGINT, SIGQUIT, SIGTSTP, SIGWINCH, SIGTTIN, SIGTTOU, SIGCONT, SIGHUP, SIGIO,
	SIGURG,
};

/* Runner of one target. */
struct fz_ctx {
	const struct fz_target *tg;
	const char *dir;	/* the instance of this target */
	int ldisc;		/* mypts' discipline number */
	int m, s;		/* master and slave of the current pair */
	int line;		/* c_line the slave reports */
	bool packet;
	bool stop;		/* the scenario was cut short */
	bool overcap;		/* ... at a drain of FZ_CAP bytes */
	bool failed;		/* ... by a harness error (FR_ERROR) */
	unsigned int op;
	int sig_tail;
	unsigned char *tr;
	size_t tr_len;
	unsigned char buf[65536];
	unsigned char acc[65536];
	size_t acc_len;
	char error[256];	/* a setup failure: the target cannot run */
	double prof[FZ_NR_OPS + 4];	/* MYPTS_FUZZ_PROFILE: seconds by operation */
	unsigned int nprof[FZ_NR_OPS + 4];
	bool profile;
	bool reuse;		/* reset the pair for the next scenario (fz_reset_pair()) */
};

static double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Records are padded to 4 bytes, so that each header is aligned. */
#define FZ_PAD(n)	(((n) + 3) & ~(size_t)3)

static void fz_rec_err(struct fz_ctx *c, unsigned int type, bool err, unsigned int at, int val,
		       const void *data, size_t len)
{
	struct fz_rec r = {
		.type = type, .err = err, .op = c->op, .at = at, .val = val, .len = len,
	};

	if (c->tr_len + sizeof(r) + FZ_PAD(len) + 64 > FZ_TRANSCRIPT) {
		if (!c->stop) {
			static const char msg[] = "transcript full";

			r.type = FR_ERROR;
			r.len = sizeof(msg) - 1;
			memset(c->tr + c->tr_len, 0, sizeof(r) + FZ_PAD(r.len));
			memcpy(c->tr + c->tr_len, &r, sizeof(r));
			memcpy(c->tr + c->tr_len + sizeof(r), msg, r.len);
			c->tr_len += sizeof(r) + FZ_PAD(r.len);
		}
		c->stop = true;
		c->failed = true;
		return;
	}
	memcpy(c->tr + c->tr_len, &r, sizeof(r));
	memset(c->tr + c->tr_len + sizeof(r) + len, 0, FZ_PAD(len) - len);
	if (len)
		memcpy(c->tr + c->tr_len + sizeof(r), data, len);
	c->tr_len += sizeof(r) + FZ_PAD(len);
}

static void fz_rec(struct fz_ctx *c, unsigned int type, unsigned int at, int val,
		   const void *data, size_t len)
{
	fz_rec_err(c, type, false, at, val, data, len);
}

static void fz_error(struct fz_ctx *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fz_rec(c, FR_ERROR, FZ_AT_END, 0, msg, n < (int)sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	c->stop = true;
	c->failed = true;
}

static void fz_take_signals(struct fz_ctx *c, unsigned int at)
{
	while (c->sig_tail < fz_sig_count()) {
		if (c->sig_tail >= FZ_SIGQ) {
			fz_error(c, "signal queue overflow");
			c->sig_tail = fz_sig_count();
			return;
		}
		fz_rec(c, FR_SIG, at, __atomic_load_n(&fz_sigq[c->sig_tail], __ATOMIC_SEQ_CST),
		       NULL, 0);
		c->sig_tail++;
	}
}

static int fz_ret(long n)
{
	return n < 0 ? -errno : (int)n;
}

static void fz_acc(struct fz_ctx *c, const unsigned char *p, size_t n)
{
	if (c->acc_len + n > sizeof(c->acc))
		n = sizeof(c->acc) - c->acc_len;
	memcpy(c->acc + c->acc_len, p, n);
	c->acc_len += n;
}

static void fz_acc_flush(struct fz_ctx *c, unsigned int type, unsigned int at)
{
	if (c->acc_len)
		fz_rec(c, type, at, c->acc_len, c->acc, c->acc_len);
	c->acc_len = 0;
}

/*
 * Read the master until EAGAIN. Packet headers go; status bytes become
 * records of their own, in their place.
 */
static void fz_master_drain(struct fz_ctx *c, unsigned int at)
{
	size_t total = 0;
	unsigned int i;
	ssize_t n;

	c->acc_len = 0;
	for (i = 0; i < 100000; i++) {
		n = read(c->m, c->buf, sizeof(c->buf));
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN) {
				fz_acc_flush(c, FR_MASTER, at);
				fz_rec(c, FR_RET, at, fz_ret(n), "master read", 11);
			}
			break;
		}
		if (c->packet && c->buf[0] != TIOCPKT_DATA) {
			fz_acc_flush(c, FR_MASTER, at);
			fz_rec(c, FR_STATUS, at, c->buf[0], c->buf + 1, n - 1);
			continue;
		}
		if (c->packet)
			fz_acc(c, c->buf + 1, n - 1);
		else
			fz_acc(c, c->buf, n);
		total += c->packet ? n - 1 : n;
	}
	fz_acc_flush(c, FR_MASTER, at);
	fz_take_signals(c, at);
	if (total >= FZ_CAP) {
		fz_rec(c, FR_OVERCAP, at, 0, NULL, 0);
		c->overcap = true;
		c->stop = true;
	}
}

/*
 * Read the slave until EAGAIN (or, with VMIN = VTIME = 0, until 0). A slave
 * that never runs dry is not the harness's failure: N_TTY has one (past its
 * 4095-byte limit under EXTPROC|ICANON, the reader's index overtakes the
 * writer's; once ICANON goes, reads return the old buffer forever). After
 * FZ_DRAIN_MAX bytes or reads, the drain ends with val 1.
 */
#define FZ_DRAIN_MAX	32768

static void fz_slave_drain(struct fz_ctx *c, unsigned int mode)
{
	size_t total = 0;
	unsigned int i;
	ssize_t n = 0;
	int end = 1;

	c->acc_len = 0;
	for (i = 0; i < FZ_DRAIN_MAX && total < FZ_DRAIN_MAX; i++) {
		n = read(c->s, c->buf, 8192);
		fz_take_signals(c, FZ_AT_END);
		if (n < 0) {
			end = -errno;
			break;
		}
		total += n;
		if (mode & FZ_DRAIN_LINES) {
			fz_rec(c, FR_SLINE, FZ_AT_END, n, c->buf, n);
			continue;
		}
		if (!n) {
			if (mode & FZ_DRAIN_ZERO) {
				end = 0;
				break;
			}
			fz_acc_flush(c, FR_SDATA, FZ_AT_END);
			fz_rec(c, FR_SZERO, FZ_AT_END, 0, NULL, 0);
			continue;
		}
		fz_acc(c, c->buf, n);
	}
	fz_acc_flush(c, FR_SDATA, FZ_AT_END);
	fz_rec(c, FR_SEND, FZ_AT_END, end, NULL, 0);
}

/* FIONREAD or TIOCOUTQ: a count, which N_TTY can make negative. */
static void fz_inq(struct fz_ctx *c, unsigned long cmd, unsigned int at)
{
	int v;

	if (ioctl(c->s, cmd, &v))
		fz_rec_err(c, FR_INQ, true, at, -errno, NULL, 0);
	else
		fz_rec(c, FR_INQ, at, v, NULL, 0);
}

static void fz_poll(struct fz_ctx *c)
{
	struct pollfd p[2] = {
		{ .fd = c->s, .events = POLLIN | POLLOUT | POLLPRI },
		{ .fd = c->m, .events = POLLIN | POLLOUT | POLLPRI },
	};
	int n = poll(p, 2, 0);

	fz_rec(c, FR_POLL, FZ_AT_END, n < 0 ? -errno : p[0].revents | p[1].revents << 16,
	       NULL, 0);
}

static void fz_step(struct fz_ctx *c, const struct fz_scenario *sc, unsigned int i)
{
	const struct fz_op *op = &sc->op[i];
	const unsigned char *p = sc->pool + op->off;
	struct termios t;
	unsigned int k;
	int v;

	c->op = i;
	switch (op->type) {
	case FZ_STI:
		for (k = 0; k < op->len && !c->stop; k++) {
			if (sc->mark[op->off + k] & FZ_MARK_DRAIN)
				fz_master_drain(c, k);
			if (ioctl(c->s, TIOCSTI, p + k))
				fz_rec(c, FR_RET, k, -errno, NULL, 0);
			fz_take_signals(c, k);
		}
		break;
	case FZ_MWRITE:
		fz_rec(c, FR_RET, FZ_AT_END, fz_ret(write(c->m, p, op->len)), NULL, 0);
		fz_take_signals(c, FZ_AT_END);
		fz_slave_drain(c, op->drain);
		break;
	case FZ_SWRITE:
		fz_rec(c, FR_RET, FZ_AT_END, fz_ret(write(c->s, p, op->len)), NULL, 0);
		break;
	case FZ_SREAD:
		v = fz_ret(read(c->s, c->buf, op->arg));
		fz_rec(c, FR_SREAD, FZ_AT_END, v, c->buf, v > 0 ? v : 0);
		break;
	case FZ_SDRAIN:
		fz_slave_drain(c, op->drain);
		break;
	case FZ_INQ:
		fz_inq(c, FIONREAD, 0);
		fz_inq(c, TIOCOUTQ, 1);
		break;
	case FZ_POLL:
		fz_poll(c);
		break;
	case FZ_TERMIOS:
		t = op->t;
		t.c_line = op->line >= 0 ? op->line : c->line;
		v = tcsetattr(op->master ? c->m : c->s, op->arg, &t);
		fz_rec(c, FR_RET, FZ_AT_END, fz_ret(v), NULL, 0);
		break;
	case FZ_FLUSH:
		fz_rec(c, FR_RET, FZ_AT_END, fz_ret(ioctl(c->s, TCFLSH, op->arg)), NULL, 0);
		break;
	case FZ_XONC:
		fz_rec(c, FR_RET, FZ_AT_END, fz_ret(ioctl(c->s, TCXONC, op->arg)), NULL, 0);
		break;
	case FZ_WINSZ:
		v = ioctl(op->master ? c->m : c->s, TIOCSWINSZ, &op->ws);
		fz_rec(c, FR_RET, FZ_AT_END, fz_ret(v), NULL, 0);
		break;
	case FZ_PKT:
		v = op->arg;
		fz_rec(c, FR_RET, FZ_AT_END, fz_ret(ioctl(c->m, TIOCPKT, &v)), NULL, 0);
		c->packet = op->arg;
		break;
	}
	fz_take_signals(c, FZ_AT_END);
	if (c->stop)
		return;
	if (op->poll)
		fz_poll(c);
	fz_master_drain(c, FZ_AT_END);
}

static int fz_ldisc_of(const struct fz_ctx *c, int which)
{
	return which == -2 ? c->ldisc : which;
}

static int fz_fail(struct fz_ctx *c, const char *what)
{
	snprintf(c->error, sizeof(c->error), "%s: %s", what, strerror(errno));
	return -1;
}

static int fz_setd(struct fz_ctx *c, int ldisc)
{
	if (ioctl(c->s, TIOCSETD, &ldisc)) {
		snprintf(c->error, sizeof(c->error), "TIOCSETD %d on the slave: %s%s", ldisc,
			 strerror(errno), errno == EINVAL ?
			 " (is mypts' line discipline registered?)" : "");
		return -1;
	}
	return 0;
}

/* TIOCGETD must say what the target expects. */
static int fz_check_getd(struct fz_ctx *c)
{
	int want = fz_ldisc_of(c, c->tg->getd), d;

	if (ioctl(c->s, TIOCGETD, &d))
		return fz_fail(c, "TIOCGETD");
	if (d != want) {
		snprintf(c->error, sizeof(c->error), "TIOCGETD on the slave is %d, not %d%s", d,
			 want, c->tg->mypts && want == c->ldisc ?
			 " (mypts' discipline is not installed on new slaves)" : "");
		return -1;
	}
	return 0;
}

/*
 * A new pair whose slave is the caller's controlling terminal, with the
 * target's discipline. Returns 0, or -1 with c->error set.
 */
static int fz_open_pair(struct fz_ctx *c)
{
	c->s = -1;
	c->m = mypts_open_ptmx(c->dir, O_NONBLOCK);
	if (c->m < 0)
		return fz_fail(c, "open ptmx");
	if (pty_set_lock(c->m, 0))
		return fz_fail(c, "TIOCSPTLCK");
	c->s = ioctl(c->m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (c->s < 0)
		return fz_fail(c, "TIOCGPTPEER");
	if (ioctl(c->s, TIOCSCTTY, 0))
		return fz_fail(c, "TIOCSCTTY");
	if (c->tg->setd != -1 && fz_setd(c, fz_ldisc_of(c, c->tg->setd)))
		return -1;
	return fz_check_getd(c);
}

static void fz_close_pair(struct fz_ctx *c)
{
	if (c->s >= 0)
		close(c->s);
	if (c->m >= 0)
		close(c->m);
	c->s = -1;
	c->m = -1;
}

/*
 * Make the pair of the last scenario as good as new, at a fraction of the
 * cost of a new one (allocating pairs was a third of the runtime under
 * TCG). The discipline itself is new: the slave goes to N_TTY (from
 * mypts' discipline; the reference, on N_TTY, goes through mypts' and
 * back) and, for the targets that use it, to mypts' discipline again:
 * each change is a close and an open with zeroed state, so nothing of the
 * last scenario (not even an echo queue's old bytes, which an N_TTY bug
 * can print) survives. Under that new N_TTY the tty's own state is reset:
 * output stopped by TCOOFF (TCOON) or by a stop character (a start
 * character under IXON), packet mode (off), whatever input or output is
 * still queued (TCIOFLUSH, then a drain of the master). Termios and the
 * window size are set by each scenario.
 * MYPTS_FUZZ_TARGETS=devpts,devpts-fresh,mypts-fresh compares this with
 * new pairs.
 */
static int fz_reset_pair(struct fz_ctx *c)
{
	int want = fz_ldisc_of(c, c->tg->getd), d, off = 0;
	struct termios t;
	char start = 021;

	if (ioctl(c->s, TIOCGETD, &d))
		return fz_fail(c, "TIOCGETD");
	if ((d == N_TTY && fz_setd(c, c->ldisc)) || fz_setd(c, N_TTY))
		return -1;
	fz_std_termios(&t);
	t.c_line = N_TTY;
	if (ioctl(c->m, TIOCPKT, &off) || ioctl(c->s, TCXONC, TCOON) ||
	    tcsetattr(c->s, TCSANOW, &t) || ioctl(c->s, TIOCSTI, &start) ||
	    ioctl(c->s, TCFLSH, TCIOFLUSH))
		return fz_fail(c, "resetting the pair");
	while (read(c->m, c->buf, sizeof(c->buf)) > 0)
		;
	if (want != N_TTY && fz_setd(c, want))
		return -1;
	return fz_check_getd(c);
}

/*
 * Run @sc; the transcript is in c->tr. Returns -1 when the pair cannot be
 * had (c->error says why).
 */
static int fz_run(struct fz_ctx *c, const struct fz_scenario *sc)
{
	struct termios t;
	unsigned int i;
	int one = 1;
	double t0;

	c->tr_len = 0;
	c->stop = false;
	c->overcap = false;
	c->failed = false;
	c->op = 0;
	t0 = c->profile ? fz_now() : 0;
	/* Signals of the last pair's hangup (SIGHUP, SIGCONT) are long taken. */
	__atomic_store_n(&fz_sig_head, 0, __ATOMIC_SEQ_CST);
	c->sig_tail = 0;
	if (c->m >= 0 && fz_reset_pair(c)) {
		fz_close_pair(c);
		return -1;
	}
	if (c->m < 0 && fz_open_pair(c)) {
		fz_close_pair(c);
		return -1;
	}
	if (tcgetattr(c->s, &t)) {
		fz_error(c, "tcgetattr: %s", strerror(errno));
		goto out;
	}
	c->line = t.c_line;
	t = sc->t0;
	t.c_line = c->line;
	if (tcsetattr(c->s, TCSANOW, &t) || ioctl(c->s, TIOCSWINSZ, &sc->ws0) ||
	    (sc->packet && ioctl(c->m, TIOCPKT, &one))) {
		fz_error(c, "setting up the pair: %s", strerror(errno));
		goto out;
	}
	c->packet = sc->packet;
	/* Whatever the setup raised (SIGWINCH, the last pair's SIGHUP) is not recorded. */
	c->sig_tail = fz_sig_count();
	if (c->profile) {
		c->prof[FZ_NR_OPS + 2] += fz_now() - t0;
		c->nprof[FZ_NR_OPS + 2]++;
	}
	for (i = 0; i < sc->nops && !c->stop; i++) {
		double t = c->profile ? fz_now() : 0;

		fz_step(c, sc, i);
		if (c->profile) {
			c->prof[sc->op[i].type] += fz_now() - t;
			c->nprof[sc->op[i].type]++;
		}
	}
out:
	t0 = c->profile ? fz_now() : 0;
	if (!c->reuse || c->failed)
		fz_close_pair(c);
	if (c->profile) {
		c->prof[FZ_NR_OPS + 3] += fz_now() - t0;
		c->nprof[FZ_NR_OPS + 3]++;
	}
	return 0;
}

/* ---- the targets' processes ---- */

#define FZ_RES_OVERCAP	0x01
#define FZ_RES_ERROR	0x02

struct fz_result {
	unsigned long long hash;
	unsigned int len;
	unsigned int flags;
};

/* Shared by the test and the targets' processes. */
struct fz_shared {
	char error[FZ_MAX_TARGETS][256];
	unsigned int dump_len[FZ_MAX_TARGETS];
	unsigned char dump[FZ_MAX_TARGETS][FZ_TRANSCRIPT];
	struct fz_result res[];	/* [target * seeds + seed] */
};

static unsigned long long fz_hash(const unsigned char *p, size_t n)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/*
 * Body of a target's process: a session of its own, each scenario on a
 * new pair that is its controlling terminal. With @dump, the transcript of
 * the single seed is copied out for printing.
 */
static void fz_target_main(struct fz_shared *sh, unsigned int ti, const struct fz_target *tg,
			   const char *dir, int ldisc, bool reuse, unsigned long long first,
			   unsigned int seeds, bool dump)
{
	static struct fz_scenario sc;
	struct sigaction sa = { .sa_handler = fz_on_signal, .sa_flags = SA_RESTART };
	struct fz_result *res = &sh->res[(size_t)ti * seeds];
	struct fz_ctx *c;
	unsigned int i;

	c = calloc(1, sizeof(*c));
	if (!c || setsid() < 0)
		_exit(3);
	c->tr = malloc(FZ_TRANSCRIPT);
	if (!c->tr)
		_exit(3);
	c->tg = tg;
	c->dir = dir;
	c->ldisc = ldisc;
	c->m = -1;
	c->s = -1;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < FZ_ARRAY_SIZE(fz_signals_caught); i++)
		sigaction(fz_signals_caught[i], &sa, NULL);
	c->profile = mypts_env_num("MYPTS_FUZZ_PROFILE", 0);
	c->reuse = reuse && !tg->fresh;
	for (i = 0; i < seeds; i++) {
		double t = fz_now();

		fz_generate(&sc, first + i);
		if (c->profile) {
			c->prof[FZ_NR_OPS] += fz_now() - t;
			c->nprof[FZ_NR_OPS]++;
		}
		t = fz_now();
		if (fz_run(c, &sc)) {
			snprintf(sh->error[ti], sizeof(sh->error[ti]), "%s: seed %llu: %s",
				 tg->name, first + i, c->error);
			_exit(2);
		}
		res[i].hash = fz_hash(c->tr, c->tr_len);
		res[i].len = c->tr_len;
		res[i].flags = (c->overcap ? FZ_RES_OVERCAP : 0) | (c->failed ? FZ_RES_ERROR : 0);
		if (dump) {
			memcpy(sh->dump[ti], c->tr, c->tr_len);
			sh->dump_len[ti] = c->tr_len;
		}
		if (c->profile) {
			c->prof[FZ_NR_OPS + 1] += fz_now() - t;
			c->nprof[FZ_NR_OPS + 1]++;
		}
	}
	if (c->profile) {
		for (i = 0; i < FZ_NR_OPS + 4; i++)
			fprintf(stderr, "# profile %-12s %-8s %8u calls %8.3f s %8.1f us\n",
				tg->name, i < FZ_NR_OPS ? fz_op_names[i] :
				i == FZ_NR_OPS ? "generate" : i == FZ_NR_OPS + 1 ? "scenario" :
				i == FZ_NR_OPS + 2 ? "setup" : "teardown", c->nprof[i], c->prof[i],
				c->nprof[i] ? c->prof[i] / c->nprof[i] * 1e6 : 0);
	}
	_exit(0);
}

/* Run the targets side by side; returns how many failed to run (sh->error says why). */
static int fz_run_targets(struct fz_shared *sh, const struct fz_target **tg, unsigned int n,
			  const char * const *dirs, int ldisc, bool reuse,
			  unsigned long long first, unsigned int seeds, bool dump)
{
	pid_t pid[FZ_MAX_TARGETS];
	unsigned int i;
	int bad = 0, status;

	for (i = 0; i < n; i++) {
		sh->error[i][0] = '\0';
		pid[i] = fork();
		if (pid[i] < 0) {
			snprintf(sh->error[i], sizeof(sh->error[i]), "fork: %s", strerror(errno));
			continue;
		}
		if (!pid[i])
			fz_target_main(sh, i, tg[i], dirs[tg[i]->mypts], ldisc, reuse, first,
				       seeds, dump);
	}
	for (i = 0; i < n; i++) {
		if (pid[i] < 0) {
			bad++;
			continue;
		}
		if (waitpid(pid[i], &status, 0) != pid[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			if (!sh->error[i][0])
				snprintf(sh->error[i], sizeof(sh->error[i]),
					 "%s: the target's process died (status 0x%x)",
					 tg[i]->name, status);
			bad++;
		}
	}
	return bad;
}

/* ---- reports ---- */

static const struct fz_rec *fz_rec_at(const unsigned char *tr, size_t len, size_t off)
{
	const struct fz_rec *r = (const struct fz_rec *)(tr + off);

	if (off + sizeof(*r) > len || off + sizeof(*r) + r->len > len)
		return NULL;
	return r;
}

static size_t fz_rec_size(const struct fz_rec *r)
{
	return sizeof(*r) + FZ_PAD(r->len);
}

static void fz_print_status(FILE *f, int v)
{
	static const char * const bits[] = {
		"FLUSHREAD", "FLUSHWRITE", "STOP", "START", "NOSTOP", "DOSTOP", "IOCTL",
	};
	unsigned int i;

	fprintf(f, " 0x%02x", v);
	for (i = 0; i < FZ_ARRAY_SIZE(bits); i++)
		if (v & (1 << i))
			fprintf(f, "%c%s", v & ((1 << i) - 1) ? '|' : ' ', bits[i]);
}

static void fz_print_events(FILE *f, int ev)
{
	fprintf(f, "%s%s%s%s%s%s", ev & POLLIN ? " IN" : "", ev & POLLPRI ? " PRI" : "",
		ev & POLLOUT ? " OUT" : "", ev & POLLERR ? " ERR" : "",
		ev & POLLHUP ? " HUP" : "", ev ? "" : " -");
}

static void fz_print_val(FILE *f, int v)
{
	if (v < 0)
		fprintf(f, " %s", strerror(-v));
	else
		fprintf(f, " %d", v);
}

/* One record, on one line or more; @lead starts each. */
static void fz_print_rec(FILE *f, const char *lead, const struct fz_scenario *sc,
			 const struct fz_rec *r)
{
	const unsigned char *data = (const unsigned char *)(r + 1);
	char pos[48], sub[64];

	if (r->at == FZ_AT_END)
		snprintf(pos, sizeof(pos), "op %u %s", r->op,
			 r->op < sc->nops ? fz_op_names[sc->op[r->op].type] : "?");
	else
		snprintf(pos, sizeof(pos), "op %u %s @%u", r->op,
			 r->op < sc->nops ? fz_op_names[sc->op[r->op].type] : "?", r->at);
	fprintf(f, "%s%-22s %-7s", lead, pos, fz_rec_names[r->type]);
	switch (r->type) {
	case FR_STATUS:
		fz_print_status(f, r->val);
		break;
	case FR_POLL:
		if (r->val < 0) {
			fz_print_val(f, r->val);
			break;
		}
		fprintf(f, " slave");
		fz_print_events(f, r->val & 0xffff);
		fprintf(f, ", master");
		fz_print_events(f, r->val >> 16);
		break;
	case FR_SIG:
		fprintf(f, " %s", strsignal(r->val));
		break;
	case FR_INQ:
		fprintf(f, " %s", r->at ? "TIOCOUTQ" : "FIONREAD");
		if (r->err)
			fz_print_val(f, r->val);
		else
			fprintf(f, " %d", r->val);
		break;
	case FR_OVERCAP:
		fprintf(f, " (a master drain of %d+ bytes: stopped here)", FZ_CAP);
		break;
	case FR_SEND:
		if (r->val == 1)
			fprintf(f, " (still more after %d bytes: stopped)", FZ_DRAIN_MAX);
		else
			fz_print_val(f, r->val);
		break;
	case FR_ERROR:
		fprintf(f, " %.*s\n", (int)r->len, data);
		return;
	case FR_MASTER:
	case FR_SDATA:
		fprintf(f, " %u bytes", r->len);
		break;
	default:
		fz_print_val(f, r->val);
		break;
	}
	if (!r->len) {
		fprintf(f, "\n");
		return;
	}
	fprintf(f, "\n");
	snprintf(sub, sizeof(sub), "%s    ", lead);
	fz_print_bytes(f, sub, data, r->len, NULL);
}

/*
 * Print transcript @tr: records up to @upto (all when beyond the end),
 * with at most @before records ahead of it and @after behind it.
 */
static void fz_print_transcript(FILE *f, const char *name, const struct fz_scenario *sc,
				const unsigned char *tr, size_t len, unsigned int upto,
				unsigned int before, unsigned int after)
{
	const struct fz_rec *r;
	unsigned int n = 0, i = 0, first;
	size_t off;

	for (off = 0; (r = fz_rec_at(tr, len, off)); off += fz_rec_size(r))
		n++;
	first = upto > before ? upto - before : 0;
	fprintf(f, "# transcript of %s (%u records, %zu bytes):\n", name, n, len);
	if (first)
		fprintf(f, "#   ... %u records before\n", first);
	for (off = 0; (r = fz_rec_at(tr, len, off)); off += fz_rec_size(r), i++) {
		if (i < first)
			continue;
		if (upto < n && i > upto + after) {
			fprintf(f, "#   ... %u records after\n", n - i);
			break;
		}
		fz_print_rec(f, i == upto ? "# >>" : "#   ", sc, r);
	}
}

/* Index of the first record that differs, and the byte of its data; n if none. */
static unsigned int fz_first_diff(const unsigned char *a, size_t alen, const unsigned char *b,
				  size_t blen, long *byte)
{
	const struct fz_rec *ra, *rb;
	size_t oa = 0, ob = 0;
	unsigned int i = 0, k;

	*byte = -1;
	for (;; i++) {
		ra = fz_rec_at(a, alen, oa);
		rb = fz_rec_at(b, blen, ob);
		if (!ra || !rb)
			return ra || rb ? i : UINT_MAX;
		if (memcmp(ra, rb, sizeof(*ra)) || memcmp(ra + 1, rb + 1, ra->len)) {
			for (k = 0; k < ra->len && k < rb->len; k++)
				if (((const char *)(ra + 1))[k] != ((const char *)(rb + 1))[k])
					break;
			*byte = k;
			return i;
		}
		oa += fz_rec_size(ra);
		ob += fz_rec_size(rb);
	}
}

/* Does any of the first @n dumped transcripts differ from the first? */
static bool fz_dump_differs(const struct fz_shared *sh, unsigned int n)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if (sh->dump_len[i] != sh->dump_len[0] ||
		    memcmp(sh->dump[i], sh->dump[0], sh->dump_len[0]))
			return true;
	return false;
}

/*
 * Compare the dumped transcripts of @tg[1..@n) with the reference's (0) and
 * print where they differ: the reference once, around the last of the
 * first differences, then each target that differs around its own. When
 * the diagnosis target (mypts-ntty, @diag) ran, say whose a difference of
 * the mypts target is.
 */
static void fz_report(FILE *f, struct fz_shared *sh, const struct fz_scenario *sc,
		      const struct fz_target **tg, unsigned int n, int diag)
{
	unsigned int at[FZ_MAX_TARGETS], i, last = 0;
	long byte;
	bool any = false;

	for (i = 1; i < n; i++) {
		at[i] = fz_first_diff(sh->dump[0], sh->dump_len[0], sh->dump[i], sh->dump_len[i],
				      &byte);
		if (at[i] == UINT_MAX) {
			fprintf(f, "# %s: same transcript as %s\n", tg[i]->name, tg[0]->name);
			continue;
		}
		fprintf(f, "# %s differs from %s at record %u", tg[i]->name, tg[0]->name, at[i]);
		if (byte >= 0)
			fprintf(f, " (its data from byte %ld on, or its header)", byte);
		fprintf(f, "\n");
		last = at[i] > last ? at[i] : last;
		any = true;
	}
	for (i = 1; diag > 0 && i < n; i++) {
		if (!tg[i]->mypts || (int)i == diag || at[i] == UINT_MAX)
			continue;
		fprintf(f, "# %s: with N_TTY the mypts slave %s: ", tg[i]->name,
			at[diag] == UINT_MAX ? "agrees" : "differs too");
		fprintf(f, "%s\n", at[diag] == UINT_MAX ? "the discipline differs" :
			"(also) a driver difference");
	}
	if (!any)
		return;
	fz_print_transcript(f, tg[0]->name, sc, sh->dump[0], sh->dump_len[0], last, 200, 8);
	for (i = 1; i < n; i++)
		if (at[i] != UINT_MAX)
			fz_print_transcript(f, tg[i]->name, sc, sh->dump[i], sh->dump_len[i], at[i],
					    200, 8);
}

/* ---- the test ---- */

/* Targets named in MYPTS_FUZZ_TARGETS (or the default three); returns how many. */
static unsigned int fz_pick_targets(const struct fz_target **tg, char *bad, size_t badlen)
{
	const char *list = getenv("MYPTS_FUZZ_TARGETS");
	char copy[256], *tok, *save;
	unsigned int n = 0, i;

	if (!list || !*list)
		list = "devpts,devpts-ldisc,mypts";
	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok && n < FZ_MAX_TARGETS - 1;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < FZ_ARRAY_SIZE(fz_targets); i++)
			if (!strcmp(tok, fz_targets[i].name))
				break;
		if (i == FZ_ARRAY_SIZE(fz_targets)) {
			snprintf(bad, badlen, "%s", tok);
			return 0;
		}
		tg[n++] = &fz_targets[i];
	}
	return n;
}

/* mypts' discipline number, from its module parameter; -1 if absent. */
static int fz_read_ldisc(void)
{
	return mypts_read_int(FZ_LDISC_PARAM);
}

/* CPU seconds the waited-for children used. */
static double fz_child_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Busy CPU seconds of the whole machine (all CPUs), from /proc/stat. */
static double fz_busy(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "re");
	double hz = sysconf(_SC_CLK_TCK);

	if (!f)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		memset(v, 0, sizeof(v));
	fclose(f);
	/* All but idle (3) and iowait (4). */
	return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz;
}

FIXTURE(fuzz) {
	char devpts[64];
	char mypts[64];
	int mypts_err;		/* errno of the mypts mount, 0 if mounted */
};

FIXTURE_SETUP(fuzz)
{
	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->devpts, sizeof(self->devpts)));
	ASSERT_EQ(0, mypts_tmpdir(self->mypts, sizeof(self->mypts)));
	ASSERT_EQ(0, mount("devpts", self->devpts, "devpts", 0,
			   "newinstance,ptmxmode=0666,mode=0620"))
		TH_LOG("mount devpts: %s", strerror(errno));
	self->mypts_err = 0;
	if (mount("mypts", self->mypts, "mypts", 0, "ptmxmode=0666,mode=0620"))
		self->mypts_err = errno;
}

FIXTURE_TEARDOWN(fuzz)
{
	umount2(self->devpts, MNT_DETACH);
	umount2(self->mypts, MNT_DETACH);
	rmdir(self->devpts);
	rmdir(self->mypts);
}

/* The discipline is registered, TIOCSETD takes it, mypts installs it. */
TEST_F(fuzz, discipline_registered)
{
	int ldisc = fz_read_ldisc(), d = -1;
	struct pty_pair p;

	ASSERT_LT(0, ldisc)
		TH_LOG("%s: %s: mypts' line discipline is not there", FZ_LDISC_PARAM,
		       strerror(errno));
	open_pair(_metadata, self->devpts, &p);
	EXPECT_EQ(0, ioctl(p.slave, TIOCSETD, &ldisc))
		TH_LOG("TIOCSETD %d on a devpts slave: %s", ldisc, strerror(errno));
	EXPECT_EQ(0, ioctl(p.slave, TIOCGETD, &d));
	EXPECT_EQ(ldisc, d);
	pty_close_pair(&p);
	ASSERT_EQ(0, self->mypts_err)
		TH_LOG("mount -t mypts: %s", strerror(self->mypts_err));
	open_pair(_metadata, self->mypts, &p);
	EXPECT_EQ(0, ioctl(p.slave, TIOCGETD, &d));
	EXPECT_EQ(ldisc, d)
		TH_LOG("a new mypts slave has discipline %d, not mypts' %d", d, ldisc);
	pty_close_pair(&p);
}

TEST_F_TIMEOUT(fuzz, differential, 86400)
{
	unsigned int seeds = mypts_env_num("MYPTS_FUZZ_SEEDS", FZ_SEEDS_DEFAULT);
	unsigned long long first = mypts_env_num("MYPTS_FUZZ_SEED", 1);
	const char *dirs[2] = { self->devpts, self->mypts };
	const struct fz_target *tg[FZ_MAX_TARGETS];
	unsigned int nt, i, s, differ = 0, listed = 0, overcap = 0, errors = 0, report = 0;
	unsigned int tries;
	unsigned int ndiff[FZ_MAX_TARGETS] = { 0 };
	int ldisc = fz_read_ldisc(), failed;
	static struct fz_scenario sc;
	struct fz_shared *sh;
	struct utsname un;
	bool want_mypts = false, reuse;
	double t0, dt, cpu, busy;
	char bad[64] = "";
	size_t shlen;

	/* The harness ends a test with _exit(): no buffered output may wait. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	nt = fz_pick_targets(tg, bad, sizeof(bad));
	ASSERT_LT(0U, nt) TH_LOG("MYPTS_FUZZ_TARGETS: no target \"%s\"", bad);
	ASSERT_LT(0U, seeds);
	for (i = 0; i < nt; i++)
		want_mypts |= tg[i]->mypts;
	if (want_mypts)
		ASSERT_EQ(0, self->mypts_err)
			TH_LOG("mount -t mypts: %s", strerror(self->mypts_err));
	/* Pairs are reset by way of mypts' discipline: without it, new pairs. */
	reuse = ldisc > 0 && !mypts_env_num("MYPTS_FUZZ_FRESH", 0);
	if (ldisc < 0) {
		ksft_print_msg("%s missing: mypts' line discipline is not registered; trying %d\n",
			       FZ_LDISC_PARAM, FZ_N_DEVELOPMENT);
		ldisc = FZ_N_DEVELOPMENT;
	}
	uname(&un);

	shlen = sizeof(*sh) + sizeof(struct fz_result) * (size_t)seeds * FZ_MAX_TARGETS;
	sh = mmap(NULL, shlen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);

	t0 = fz_now();
	cpu = fz_child_cpu();
	busy = fz_busy();
	failed = fz_run_targets(sh, tg, nt, dirs, ldisc, reuse, first, seeds, seeds == 1);
	dt = fz_now() - t0;
	cpu = fz_child_cpu() - cpu;
	busy = fz_busy() - busy;
	ksft_print_msg("ldisc_fuzz: %u scenarios, seeds %llu..%llu, %u targets, kernel %s\n",
		       seeds, first, first + seeds - 1, nt, un.release);
	ksft_print_msg("ldisc_fuzz: %.1f s, %.2f ms a scenario; CPU: targets %.1f s, all %.1f s\n",
		       dt, dt * 1000 / seeds, cpu, busy);
	for (i = 0; i < nt; i++)
		if (sh->error[i][0])
			ksft_print_msg("ldisc_fuzz: cannot run %s\n", sh->error[i]);
	ASSERT_EQ(0, failed);

	for (s = 0; s < seeds; s++) {
		const struct fz_result *ref = &sh->res[s];
		bool d = false, err = false;

		for (i = 0; i < nt; i++) {
			const struct fz_result *r = &sh->res[(size_t)i * seeds + s];

			err |= r->flags & FZ_RES_ERROR;
			if (i && (r->hash != ref->hash || r->len != ref->len)) {
				ndiff[i]++;
				d = true;
			}
		}
		overcap += !!(ref->flags & FZ_RES_OVERCAP);
		errors += err;
		differ += d;
		if ((d || err) && !report)
			report = s + 1;
		if ((d || err) && listed++ < 20)
			ksft_print_msg("ldisc_fuzz: seed %llu %s\n", first + s,
				       err ? "hit a harness error" : "differs");
	}
	if (overcap)
		ksft_print_msg("ldisc_fuzz: %u scenarios stopped at a master drain of %d+ bytes\n",
			       overcap, FZ_CAP);
	for (i = 1; i < nt; i++)
		ksft_print_msg("ldisc_fuzz: %s: %u of %u scenarios differ from %s\n",
			       tg[i]->name, ndiff[i], seeds, tg[0]->name);

	if (seeds == 1 || report) {
		unsigned long long seed = seeds == 1 ? first : first + report - 1;
		const struct fz_target *all[FZ_MAX_TARGETS];
		unsigned int na = nt;

		memcpy(all, tg, sizeof(tg[0]) * nt);
		/* mypts with N_TTY tells the driver's part from the discipline's. */
		if (want_mypts && na < FZ_MAX_TARGETS)
			all[na++] = &fz_targets[3];
		fz_generate(&sc, seed);
		fz_print_scenario(stdout, &sc);
		/*
		 * A seed that differed should differ again. If it does not, it
		 * is timing that made it differ: say so, and try to catch it.
		 */
		for (tries = 1; tries <= 50; tries++) {
			if (fz_run_targets(sh, all, na, dirs, ldisc, reuse, seed, 1, true)) {
				for (i = 0; i < na; i++)
					if (sh->error[i][0])
						ksft_print_msg("ldisc_fuzz: cannot run %s\n",
							       sh->error[i]);
				break;
			}
			if (seeds == 1 || fz_dump_differs(sh, nt))
				break;
		}
		if (seeds > 1 && tries > 1)
			ksft_print_msg("ldisc_fuzz: NONDETERMINISTIC %llu, %u reruns agreed\n",
				       seed, tries - 1);
		if (seeds == 1)
			fz_print_transcript(stdout, all[0]->name, &sc, sh->dump[0],
					    sh->dump_len[0], UINT_MAX, UINT_MAX, 0);
		fz_report(stdout, sh, &sc, all, na, na > nt ? (int)nt : -1);
		printf("# replay: make fuzz SEED=%llu SEEDS=1 (this kernel: %s)\n", seed,
		       un.release);
		fflush(stdout);
	}
	munmap(sh, shlen);
	EXPECT_EQ(0U, differ)
		TH_LOG("%u of %u scenarios differ from %s", differ, seeds, tg[0]->name);
	EXPECT_EQ(0U, errors)
		TH_LOG("the harness failed on %u scenarios", errors);
}

TEST_HARNESS_MAIN
