/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pty_util.h - pty helpers shared by the differential selftests.
 *
 * Every helper works the same on devpts and on mypts: the multiplexer is
 * <dir>/ptmx and slave N is <dir>/N. Waiting is done with poll() timeouts
 * that are only reached when something is wrong; nothing sleeps. The last
 * helpers take the running test's metadata and fail it with ASSERT_*().
 */
#ifndef _MYPTS_PTY_UTIL_H
#define _MYPTS_PTY_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mypts_util.h"

/* How long data that must come may take (TCG emulation is slow). */
#define PTY_WAIT_MS	10000
/* How long we watch for data that must not come. */
#define PTY_QUIET_MS	200

/* Every event bit a test may look at; poll() adds POLLERR and POLLHUP. */
#define ALL_EVENTS	(POLLIN | POLLPRI | POLLOUT)

/**
 * struct pty_pair - one pty as the tests hold it
 * @master: master fd (from <dir>/ptmx)
 * @slave: slave fd (opened by path), or -1
 * @index: TIOCGPTN of @master
 */
struct pty_pair {
	int master;
	int slave;
	int index;
};

/* TIOCGPTN of @master, or -1. */
static inline int pty_index(int master)
{
	unsigned int n;

	if (ioctl(master, TIOCGPTN, &n))
		return -1;
	return (int)n;
}

static inline int pty_set_lock(int master, int lock)
{
	return ioctl(master, TIOCSPTLCK, &lock);
}

static inline void pty_slave_path(const char *dir, int index, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%d", dir, index);
}

/* Open slave @index of the instance at @dir; O_RDWR | O_NOCTTY plus @flags. */
static inline int pty_open_slave(const char *dir, int index, int flags)
{
	char path[128];

	pty_slave_path(dir, index, path, sizeof(path));
	return open(path, O_RDWR | O_NOCTTY | flags);
}

/*
 * Open a master, unlock it and open its slave by path. Returns 0, or -1
 * with errno from the step that failed and nothing left open.
 */
static inline int pty_open_pair(const char *dir, struct pty_pair *p)
{
	int err;

	p->slave = -1;
	p->master = mypts_open_ptmx(dir, 0);
	if (p->master < 0)
		return -1;
	p->index = pty_index(p->master);
	if (p->index < 0 || pty_set_lock(p->master, 0))
		goto fail;
	p->slave = pty_open_slave(dir, p->index, 0);
	if (p->slave < 0)
		goto fail;
	return 0;
fail:
	err = errno;
	close(p->master);
	p->master = -1;
	errno = err;
	return -1;
}

static inline void pty_close_pair(struct pty_pair *p)
{
	if (p->slave >= 0)
		close(p->slave);
	if (p->master >= 0)
		close(p->master);
	p->slave = -1;
	p->master = -1;
}

/* cfmakeraw() on the terminal behind @fd. */
static inline int pty_set_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -1;
	cfmakeraw(&t);
	return tcsetattr(fd, TCSANOW, &t);
}

/* Set then clear bits of one termios mode word of the terminal behind @fd. */
static inline int pty_mode(int fd, size_t field, tcflag_t set, tcflag_t clear)
{
	struct termios t;
	tcflag_t *word = (tcflag_t *)((char *)&t + field);

	if (tcgetattr(fd, &t))
		return -1;
	*word = (*word | set) & ~clear;
	return tcsetattr(fd, TCSANOW, &t);
}

#define pty_lflags(fd, set, clear) \
	pty_mode(fd, offsetof(struct termios, c_lflag), set, clear)
#define pty_iflags(fd, set, clear) \
	pty_mode(fd, offsetof(struct termios, c_iflag), set, clear)
#define pty_oflags(fd, set, clear) \
	pty_mode(fd, offsetof(struct termios, c_oflag), set, clear)

/* Set control character @idx (VMIN, VTIME, ...) of the terminal behind @fd. */
static inline int pty_set_cc(int fd, int idx, cc_t val)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -1;
	t.c_cc[idx] = val;
	return tcsetattr(fd, TCSANOW, &t);
}

static inline int pty_set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl);
}

/* revents of @fd for @events within @ms, 0 on timeout, -1 on error. */
static inline int pty_poll(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n = poll(&pfd, 1, ms);

	if (n < 0)
		return -1;
	return n ? pfd.revents : 0;
}

/*
 * Wait until @fd is readable (or hung up), then read() once. Returns what
 * read() returns, or -1 with errno ETIMEDOUT when @ms pass first.
 */
static inline ssize_t pty_read_wait(int fd, void *buf, size_t len, int ms)
{
	int rev = pty_poll(fd, POLLIN, ms);

	if (rev < 0)
		return -1;
	if (!rev) {
		errno = ETIMEDOUT;
		return -1;
	}
	return read(fd, buf, len);
}

/*
 * Read exactly @len bytes, allowing @ms for each chunk. Returns how many
 * bytes were read: fewer than @len on timeout, end of file or error.
 */
static inline size_t pty_read_full(int fd, void *buf, size_t len, int ms)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pty_read_wait(fd, (char *)buf + got, len - got, ms);

		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

/*
 * Read exactly @want bytes (at most @len - 1) into @buf as a string, so a
 * test can compare it with EXPECT_STREQ. Returns @buf.
 */
static inline const char *pty_read_str(int fd, char *buf, size_t len, size_t want, int ms)
{
	size_t got;

	if (want >= len)
		want = len - 1;
	got = pty_read_full(fd, buf, want, ms);
	buf[got] = '\0';
	return buf;
}

static inline ssize_t pty_write_str(int fd, const char *s)
{
	return write(fd, s, strlen(s));
}

/* Read one packet from master @m: returns its length, @buf gets it. */
static inline ssize_t read_packet(int m, unsigned char *buf, size_t len)
{
	return pty_read_wait(m, buf, len, PTY_WAIT_MS);
}

/* 1 if nothing becomes readable on @fd within @ms. */
static inline int pty_quiet(int fd, int ms)
{
	return pty_poll(fd, POLLIN, ms) == 0;
}

/* Handshakes between a test and its children, one byte at a time. */
static inline int pty_tell(int fd)
{
	char c = '!';

	return write(fd, &c, 1) == 1 ? 0 : -1;
}

/* 0 once a handshake byte arrived on @fd, -1 on timeout or end of file. */
static inline int pty_hear(int fd, int ms)
{
	char c;

	if (pty_read_wait(fd, &c, 1, ms) != 1)
		return -1;
	return 0;
}

/*
 * In a forked child: start a new session and make slave @path its
 * controlling terminal with TIOCSCTTY. Returns the slave fd, or -1.
 */
static inline int pty_make_ctty(const char *path)
{
	int fd;

	if (setsid() < 0)
		return -1;
	fd = open(path, O_RDWR | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (ioctl(fd, TIOCSCTTY, 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static inline int pty_block_signal(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigprocmask(SIG_BLOCK, &set, NULL);
}

/* 1 if (blocked) @sig is pending, 0 if not. */
static inline int pty_signal_pending(int sig)
{
	sigset_t set;

	if (sigpending(&set))
		return -1;
	return sigismember(&set, sig);
}

/* Take blocked @sig within @ms: 1 if it came, 0 if not. */
static inline int pty_signal_wait(int sig, int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, NULL, &ts) == sig;
}

/*
 * Fork a child that makes @path its controlling tty (a session of its own)
 * and waits there for SIGINT: it writes a byte to @c2p once ready and once
 * more after the wait, with *@got = 1 if SIGINT came, then stays until a
 * byte arrives on @p2c (a session leader's exit hangs up a non-pty
 * controlling tty). @master is closed in the child. Returns the pid, or -1.
 */
static inline pid_t pty_fork_sigint_waiter(const char *path, int master,
					   int c2p, int p2c, int *got)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	close(master);
	pty_block_signal(SIGINT);
	if (pty_make_ctty(path) < 0)
		_exit(1);
	pty_tell(c2p);
	*got = pty_signal_wait(SIGINT, PTY_WAIT_MS);
	pty_tell(c2p);
	pty_hear(p2c, PTY_WAIT_MS);
	_exit(0);
}

/* Exit code of child @pid, 128 + signal if it was killed, -1 on error. */
static inline int pty_wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/*
 * Scheduler state letter of task @pid from /proc, or 0; with @ppid, the
 * pid of its parent there too.
 */
static inline char pty_task_stat(pid_t pid, pid_t *ppid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	if (ppid)
		*ppid = strtol(p + 3, NULL, 10);
	return p[2];
}

static inline char pty_task_state(pid_t pid)
{
	return pty_task_stat(pid, NULL);
}

/* Syscall number task @pid is in (from /proc/<pid>/syscall), or -1. */
static inline long pty_task_syscall(pid_t pid)
{
	char path[64], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || buf[0] < '0' || buf[0] > '9')
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/*
 * Wait up to @ms for child @pid to sleep inside syscall @nr (a blocking
 * read, say). Returns 0 once it does, -1 if it never does.
 */
static inline int pty_wait_blocked(pid_t pid, long nr, int ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		if (pty_task_state(pid) == 'S' && pty_task_syscall(pid) == nr)
			return 0;
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 +
		 (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
	return -1;
}

/* Zeroed memory a test shares with its forked children. */
static inline void *pty_shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* The next number of a xorshift32 stream; *@state is the seed, then the last. */
static inline unsigned int pty_rand(unsigned int *state)
{
	unsigned int x = *state ? *state : 1;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* Deterministic pseudo-random bytes (xorshift32). */
static inline void pty_fill_random(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pty_rand(&seed) >> 24;
}

/* Open a master of the instance, or fail the test. */
static inline int open_master(struct __test_metadata *_metadata, const char *dir, int flags)
{
	int fd = mypts_open_ptmx(dir, flags);

	ASSERT_LE(0, fd)
		TH_LOG("open %s/ptmx: %s", dir, strerror(errno));
	return fd;
}

/* Open an unlocked pair (slave opened by path), or fail the test. */
static inline void open_pair(struct __test_metadata *_metadata, const char *dir,
			     struct pty_pair *p)
{
	ASSERT_EQ(0, pty_open_pair(dir, p))
		TH_LOG("open a pty pair in %s: %s", dir, strerror(errno));
}

/* Wait for a handshake byte from a child, or fail the test. */
static inline void hear(struct __test_metadata *_metadata, int fd)
{
	ASSERT_EQ(0, pty_hear(fd, PTY_WAIT_MS))
		TH_LOG("no word from the child");
}

/* The last signal pty_catch_signal() caught: the handler stores, tests take. */
static int pty_caught;

static inline void pty_catch_signal(int sig)
{
	__atomic_store_n(&pty_caught, sig, __ATOMIC_SEQ_CST);
}

/* The last signal caught since the previous call, or 0. */
static inline int pty_take_caught(void)
{
	return __atomic_exchange_n(&pty_caught, 0, __ATOMIC_SEQ_CST);
}

/* Handle @sig with @handler (or SIG_IGN, SIG_DFL), no flags. */
static inline void pty_set_action(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigaction(sig, &sa, NULL);
}

#endif /* _MYPTS_PTY_UTIL_H */
