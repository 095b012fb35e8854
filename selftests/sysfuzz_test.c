// SPDX-License-Identifier: GPL-2.0
/*
 * sysfuzz_test - random system calls on mypts objects from several
 * processes at once, for a bounded time.
 *
 * Each process picks operations at random: opens of the instances' ptmx
 * (also through a bind of one onto a file, and through a node of
 * /dev/myptmx's device beside the instances), of slave nodes by path and
 * with TIOCGPTPEER, of the instance roots and of /dev/tty; close and dup;
 * read and write (random sizes and bytes, control characters among them),
 * readv, writev, preadv2, splice, tee and sendfile; poll and epoll; every
 * pty and tty ioctl with good and bad arguments (NULL, (void *)1, a kernel
 * address, a non-canonical one, a page without access, a read-only page,
 * a buffer that runs into a guard page); random ioctl numbers; termios
 * changes; line discipline switches between N_TTY, mypts' own and random
 * numbers; fcntl, file and path operations on the instances; reads of
 * the module's proc and sysfs files and writes of kernel.mypts.max and
 * reserve; descriptors passed between unrelated processes (SCM_RIGHTS);
 * fork, kill, setsid and setpgid, and mount and user namespaces of their
 * own for forked children; vhangup(); mounts, remounts and unmounts of
 * the instances with random option strings, through mount(2) and through
 * fsopen(), fspick(), fsmount() and open_tree().
 *
 * The operations of a process come from a PRNG seeded from (seed, worker,
 * generation): a seed replays the same operation sequences, only their
 * interleaving differs. Afterwards every process must be gone in bounded
 * time, every mount must come off after the last close, and
 * kernel.mypts.nr must be back at its value before the run. An operation
 * that stays in the kernel longer than the watchdog allows is a finding,
 * reported with the process's kernel stack; so are an errno only the
 * kernel should see (512 and up) and a process killed by a fault.
 *
 * Containment. Everything runs in a private mount namespace, on instances
 * mounted under a temporary directory. Every worker starts a session of
 * its own, so its controlling terminal can only be a mypts slave, and
 * /dev/tty can only mean one. kill() goes only to the caller, its process
 * group, its own children it has not reaped yet and their process groups
 * (a pid is not reused before its parent reaps it). The test process is
 * a child subreaper: orphans come back to it; it continues stopped
 * children, respawns dead workers, and kills and reaps everyone at the
 * end. Nothing but mypts objects and /dev/tty is ever opened; TIOCCONS is
 * never issued, nor ioctls that freeze a file system or change the inode
 * flags of /dev/tty. Roots are kept, cloned and changed only when fstatfs()
 * says mypts, so neither a remount nor a file made reaches the temporary
 * directory's tmpfs; no device node is ever made in an instance. The
 * sysctls are put back at the end.
 *
 * Knobs: MYPTS_SYSFUZZ_SECONDS (20, or 180 when MYPTS_DEBUG=1),
 * MYPTS_SYSFUZZ_SEED (1) and MYPTS_SYSFUZZ_PROCS (4, at most 16); each is
 * also read in lower case, the form in which kernel command-line
 * parameters reach the guest's init.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/xattr.h>

#include "pty_util.h"
#include "ldisc_fuzz.h"

#define NR_PATH		"/proc/sys/kernel/mypts/nr"
#define MAX_PATH	"/proc/sys/kernel/mypts/max"
#define RESERVE_PATH	"/proc/sys/kernel/mypts/reserve"
#define LDISC_PARAM	"/sys/module/mypts/parameters/ldisc"

#define SF_INSTANCES	3	/* mount points under the temporary directory */
#define SF_NODES	2	/* ptmx nodes beside them: see sf_make_nodes() */
#define SF_MAX_DEPTH	3	/* mounts stacked on one of them, about */
#define SF_MAX_PROCS	64	/* processes of the fuzzer alive at once */
#define SF_MAX_WORKERS	16
#define SF_POOL		20	/* descriptors one process juggles */
#define SF_KIDS		8	/* children one process has at once */
#define SF_KNOWN	8	/* slave indices one process remembers */
#define SF_HISTORY	8	/* operations a report shows */
#define SF_BUF		65536
#define SF_DUP_BASE	100	/* where dup2() puts descriptors, upwards */
#define SF_TICK_MS	250	/* SIGALRM period that breaks blocking calls */
#define SF_STUCK_S	30	/* an operation longer than this is a finding (x2 debug) */
#define SF_GRACE_S	10	/* for the processes to see the end and exit */
#define SF_REAP_S	60	/* for the killed ones to be reaped */
#define SF_SETTLE_S	20	/* for deferred releases before umount and nr */
#define SF_SLOW		4	/* the debug kernel's factor on these limits */

/* The kernel's struct termios2 (uapi asm-generic/termbits.h). */
struct sf_ktermios {
	unsigned int iflag, oflag, cflag, lflag;
	unsigned char line;
	unsigned char cc[19];
	unsigned int ispeed, ospeed;
};

/* The kernel's struct termio. */
struct sf_termio {
	unsigned short iflag, oflag, cflag, lflag;
	unsigned char line;
	unsigned char cc[8];
};

#define SF_TCGETS2	_IOR('T', 0x2A, struct sf_ktermios)
#define SF_TCSETS2	_IOW('T', 0x2B, struct sf_ktermios)
#define SF_TCSETSW2	_IOW('T', 0x2C, struct sf_ktermios)
#define SF_TCSETSF2	_IOW('T', 0x2D, struct sf_ktermios)
#define SF_BOTHER	0010000
/* Commands the random ioctls leave out: they reach past mypts. */
#define SF_FIFREEZE		_IOWR('X', 119, int)
#define SF_FITHAW		_IOWR('X', 120, int)
#define SF_FS_IOC_SETFLAGS	_IOW('f', 2, long)
#define SF_FS_IOC32_SETFLAGS	_IOW('f', 2, int)
#define SF_FS_IOC_FSSETXATTR	_IOW('X', 32, char[28])

enum sf_kind { SF_MASTER, SF_SLAVE, SF_DIR, SF_TTY };

#define SF_K(kind)	(1u << (kind))
#define SF_ANY		(SF_K(SF_MASTER) | SF_K(SF_SLAVE) | SF_K(SF_DIR) | SF_K(SF_TTY))
#define SF_TTYISH	(SF_K(SF_MASTER) | SF_K(SF_SLAVE) | SF_K(SF_TTY))

enum sf_op_nr {
	SF_OPEN_PTMX, SF_OPEN_SLAVE, SF_OPEN_PEER, SF_OPEN_DIR, SF_OPEN_TTY, SF_CLOSE, SF_DUP,
	SF_READ, SF_WRITE, SF_POLL, SF_EPOLL, SF_IOCTL, SF_IOCTL_RANDOM, SF_TERMIOS, SF_LDISC,
	SF_VECTOR, SF_FCNTL, SF_FILE, SF_PATH, SF_SYSCTL, SF_PASS, SF_FORK, SF_KILL, SF_SESSION,
	SF_UNSHARE, SF_MOUNT, SF_UMOUNT, SF_REMOUNT, SF_VHANGUP, SF_NR_OPS
};

/* One finished operation, as a report shows it. */
struct sf_rec {
	unsigned int op;
	int fd;
	long arg;
	long ret;
	int err;
};

/*
 * One process of the fuzzer, in shared memory. @pid is 0 when the slot is
 * free and -1 while a parent forks into it; whoever reaps the process
 * frees the slot. Everything else is written by the process itself and
 * read by the test process for its reports.
 */
struct sf_slot {
	int pid;
	unsigned int worker, gen, depth;
	unsigned long long seed;
	long long op_start;	/* CLOCK_MONOTONIC ms, 0 between operations */
	long long reported;	/* @op_start of the stuck operation reported */
	unsigned int op;
	int fd;
	long arg;
	unsigned int hist_pos;
	struct sf_rec hist[SF_HISTORY];
};

struct sf_shared {
	int stop;
	int findings;
	int stuck;
	unsigned int forks;
	int nr_peak;		/* the most pairs seen at once */
	unsigned long long calls[SF_NR_OPS];
	unsigned long long ok[SF_NR_OPS];
	unsigned long long us[SF_NR_OPS];	/* time spent in them */
	unsigned long long max_us[SF_NR_OPS];	/* the longest one */
	unsigned int errnos[SF_NR_OPS][134];	/* how often each errno came */
	unsigned long long worker_ops[SF_MAX_WORKERS];
	unsigned int deaths[65];
	struct sf_slot slot[SF_MAX_PROCS];
};

struct sf_fd {
	int fd;
	enum sf_kind kind;
};

/* What one process knows: its PRNG, its descriptors, its children. */
struct sf_proc {
	struct fz_rng r;
	struct sf_slot *slot;
	unsigned int worker, gen, depth;
	unsigned long long ops, budget;
	struct sf_fd pool[SF_POOL];
	unsigned int npool;
	pid_t kids[SF_KIDS];
	unsigned int nkids;
	int known[SF_KNOWN];
	int epfd, infd;
	int pipe[2];		/* for splice() and tee() */
	bool reborn;		/* a fork's child, back from the fork operation */
	struct termios tio;	/* the last termios read or set */
};

/* The run, fixed before the first fork. */
static struct {
	struct sf_shared *sh;
	char dir[64];
	char inst[SF_INSTANCES][96];
	char node[SF_NODES][96];	/* "" when it could not be made */
	unsigned long long seed;
	unsigned int seconds, procs, slots, slow;
	int ldisc;
	int sock[2];		/* descriptors in flight between any processes */
	pid_t super;
	unsigned char *edge;	/* a writable page's end: a guard page follows */
	unsigned long bad[7];
} sf;

static struct sf_proc me;
static unsigned char sf_buf[SF_BUF];

static long long sf_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static long long sf_now_ms(void)
{
	return sf_now_us() / 1000;
}

static unsigned int sf_knob(const char *name, const char *alt, unsigned int def)
{
	return mypts_env_num(name, mypts_env_num(alt, def));
}

/* The debug kernel's factor on every limit. */
static unsigned int sf_slowness(void)
{
	return mypts_env_num("MYPTS_DEBUG", 0) ? SF_SLOW : 1;
}

static unsigned int sf_seconds(void)
{
	return sf_knob("MYPTS_SYSFUZZ_SECONDS", "mypts_sysfuzz_seconds",
		       sf_slowness() > 1 ? 180 : 20);
}

/* One of the @n values at @v. */
static int sf_choose(struct sf_proc *p, const int *v, unsigned int n)
{
	return v[fz_below(&p->r, n)];
}

static void sf_note(struct sf_proc *p, int fd, long arg)
{
	p->slot->fd = fd;
	p->slot->arg = arg;
}

/* Report a finding of this process; the test fails on any. */
static void sf_finding(struct sf_proc *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg),
		     "# sysfuzz: seed %llu: FINDING: pid %d (worker %u, generation %u, depth %u): ",
		     sf.seed, getpid(), p->worker, p->gen, p->depth);
	va_start(ap, fmt);
	n += vsnprintf(msg + n, sizeof(msg) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(msg) - 2)
		n = sizeof(msg) - 2;
	msg[n++] = '\n';
	if (write(STDOUT_FILENO, msg, n) < 0)
		n = 0;
	__atomic_add_fetch(&sf.sh->findings, 1, __ATOMIC_SEQ_CST);
}

/* Descriptors */

static int sf_pick(struct sf_proc *p, unsigned int kinds)
{
	unsigned int i, n = 0, idx[SF_POOL];

	for (i = 0; i < p->npool; i++)
		if (kinds & SF_K(p->pool[i].kind))
			idx[n++] = i;
	return n ? (int)idx[fz_below(&p->r, n)] : -1;
}

/* A descriptor of one of @kinds, any other when there is none; or a bad one. */
static int sf_fd(struct sf_proc *p, unsigned int kinds)
{
	int i;

	if (fz_pct(&p->r, 2))
		return fz_pct(&p->r, 50) ? -1 : 4000;
	i = sf_pick(p, kinds);
	if (i < 0)
		i = sf_pick(p, SF_ANY);
	return i < 0 ? -1 : p->pool[i].fd;
}

static int sf_find(struct sf_proc *p, int fd)
{
	unsigned int i;

	for (i = 0; i < p->npool; i++)
		if (p->pool[i].fd == fd)
			return i;
	return -1;
}

static void sf_forget_fd(struct sf_proc *p, unsigned int i)
{
	p->pool[i] = p->pool[--p->npool];
}

/* Keep @fd as @kind; when the pool is full, close another one to make room. */
static void sf_keep(struct sf_proc *p, int fd, enum sf_kind kind)
{
	int i;

	if (fd < 0)
		return;
	i = sf_find(p, fd);
	if (i < 0 && p->npool == SF_POOL) {
		i = fz_below(&p->r, SF_POOL);
		close(p->pool[i].fd);
	} else if (i < 0) {
		i = p->npool++;
	}
	p->pool[i].fd = fd;
	p->pool[i].kind = kind;
}

static void sf_learn(struct sf_proc *p, unsigned int index)
{
	p->known[fz_below(&p->r, SF_KNOWN)] = index;
}

/* Memory for the calls */

/*
 * A buffer of @len bytes for a call to read from or write into: mostly
 * sf_buf, @bad_pct percent of the time a bad address or one that runs
 * into the guard page after a few good bytes.
 */
static void *sf_ptr(struct sf_proc *p, size_t len, unsigned int bad_pct)
{
	if (!fz_pct(&p->r, bad_pct))
		return sf_buf;
	if (len > 1 && len < 4096 && fz_pct(&p->r, 30))
		return sf.edge - fz_range(&p->r, 1, len - 1);
	return (void *)sf.bad[fz_below(&p->r, FZ_ARRAY_SIZE(sf.bad))];
}

static int sf_map_bad(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return -1;
	/* A writable page, a guard page, a read-only page. */
	if (mprotect(m + pg, pg, PROT_NONE) || mprotect(m + 2 * pg, pg, PROT_READ))
		return -1;
	sf.edge = m + pg;
	sf.bad[0] = 0;
	sf.bad[1] = 1;
	sf.bad[2] = 0xffffffff81000000UL;	/* kernel text */
	sf.bad[3] = (unsigned long)m + pg + 64;
	sf.bad[4] = (unsigned long)m + 2 * pg;
	sf.bad[5] = ~0UL;
	sf.bad[6] = 1UL << 63;			/* not canonical */
	return 0;
}

/* A length for a read: zero, one, small, a page, or the whole buffer. */
static size_t sf_len(struct sf_proc *p)
{
	unsigned int k = fz_below(&p->r, 100);

	if (k < 5)
		return 0;
	if (k < 25)
		return 1;
	if (k < 60)
		return fz_range(&p->r, 2, 64);
	if (k < 90)
		return fz_range(&p->r, 65, 4096);
	return fz_range(&p->r, 4097, SF_BUF);
}

/* Bytes to write into sf_buf: terminal input and control, noise, or bulk. */
static size_t sf_fill(struct sf_proc *p)
{
	static const char ctl[] = "\003\004\032\034\021\023\r\n\177\025\027\026\022\017";
	unsigned int k = fz_below(&p->r, 100);
	size_t len, i;

	if (k < 40) {
		len = fz_range(&p->r, 1, 64);
		for (i = 0; i < len; )
			i += fz_input(&p->r, &p->tio, sf_buf + i);
		return i;
	}
	if (k < 60) {
		sf_buf[0] = ctl[fz_below(&p->r, sizeof(ctl) - 1)];
		return 1;
	}
	if (k < 80) {
		len = fz_range(&p->r, 1, 4096);
		pty_fill_random(sf_buf, len, fz_next(&p->r));
		return len;
	}
	len = fz_range(&p->r, 1, k < 95 ? 16384 : SF_BUF);
	memset(sf_buf, 'a' + fz_below(&p->r, 26), len);
	for (i = fz_range(&p->r, 1, 200); i < len; i += fz_range(&p->r, 1, 200))
		sf_buf[i] = '\n';
	return len;
}

/* Opening */

/*
 * Is @fd on a mypts instance? Asked of the descriptor itself, so the
 * answer holds whatever is mounted or unmounted later.
 */
static bool sf_on_mypts(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs))
		return false;
	return (unsigned long)sfs.f_type == MYPTS_MAGIC;
}

static int sf_open_flags(struct sf_proc *p)
{
	static const int acc[] = { O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	int fl = acc[fz_below(&p->r, FZ_ARRAY_SIZE(acc))];

	if (fz_pct(&p->r, 85))
		fl |= O_NONBLOCK;
	if (fz_pct(&p->r, 75))
		fl |= O_NOCTTY;
	if (fz_pct(&p->r, 10))
		fl |= O_CLOEXEC;
	if (fz_pct(&p->r, 3))
		fl |= O_APPEND | O_TRUNC;
	if (fz_pct(&p->r, 2))
		fl |= O_PATH;
	return fl;
}

static const char *sf_inst(struct sf_proc *p)
{
	return sf.inst[fz_below(&p->r, SF_INSTANCES)];
}

/* Open @name in an instance: by path, or relative to a root we hold. */
static int sf_open_in(struct sf_proc *p, const char *name, int flags)
{
	char path[160];
	int d = fz_pct(&p->r, 20) ? sf_pick(p, SF_K(SF_DIR)) : -1;

	if (d >= 0) {
		sf_note(p, p->pool[d].fd, flags);
		return openat(p->pool[d].fd, name, flags);
	}
	snprintf(path, sizeof(path), "%s/%s", sf_inst(p), name);
	sf_note(p, -1, flags);
	return open(path, flags);
}

/*
 * A new master: from an instance's ptmx, or now and then from a ptmx node
 * bound elsewhere, which the module maps back to an instance.
 */
static long sf_op_open_ptmx(struct sf_proc *p)
{
	unsigned int k = fz_below(&p->r, 100);
	int flags = sf_open_flags(p);
	int fd, unlock = 0;
	unsigned int n;

	if (k < 15 && sf.node[k % SF_NODES][0]) {
		sf_note(p, -1, flags);
		fd = open(sf.node[k % SF_NODES], flags);
	} else {
		fd = sf_open_in(p, "ptmx", flags);
	}
	if (fd < 0)
		return -1;
	if (fz_pct(&p->r, 80) && !ioctl(fd, TIOCGPTN, &n))
		sf_learn(p, n);
	if (fz_pct(&p->r, 75))
		ioctl(fd, TIOCSPTLCK, &unlock);
	sf_keep(p, fd, SF_MASTER);
	return fd;
}

static long sf_op_open_slave(struct sf_proc *p)
{
	static const char *const odd[] = { "-1", "4294967296", "00", "1048576", "0x1", "" };
	unsigned int k = fz_below(&p->r, 100);
	char name[32];
	int fd;

	if (k < 75)
		snprintf(name, sizeof(name), "%d", p->known[fz_below(&p->r, SF_KNOWN)]);
	else if (k < 95)
		snprintf(name, sizeof(name), "%u", fz_below(&p->r, 64));
	else
		snprintf(name, sizeof(name), "%s", odd[fz_below(&p->r, FZ_ARRAY_SIZE(odd))]);
	fd = sf_open_in(p, name, sf_open_flags(p));
	sf_keep(p, fd, SF_SLAVE);
	return fd;
}

static int sf_peer_flags(struct sf_proc *p)
{
	if (fz_pct(&p->r, 5))
		return (int)fz_next(&p->r);
	return (sf_open_flags(p) & ~O_PATH) | (fz_pct(&p->r, 80) ? O_NOCTTY : 0);
}

static long sf_op_open_peer(struct sf_proc *p)
{
	int m = sf_fd(p, SF_K(SF_MASTER));
	int flags = sf_peer_flags(p);
	int fd;

	sf_note(p, m, flags);
	fd = ioctl(m, TIOCGPTPEER, flags);
	sf_keep(p, fd, SF_SLAVE);
	return fd;
}

/*
 * A root of an instance. Not kept when nothing is mounted there: every
 * SF_DIR descriptor is on mypts, so nothing done through one reaches the
 * temporary directory's file system.
 */
static int sf_open_root(const char *dir, int flags)
{
	int fd = open(dir, flags);

	if (fd >= 0 && !sf_on_mypts(fd)) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	return fd;
}

static long sf_op_open_dir(struct sf_proc *p)
{
	int flags = O_RDONLY | O_DIRECTORY | (fz_pct(&p->r, 15) ? O_PATH : 0);
	const char *dir = sf_inst(p);
	int fd;

	sf_note(p, -1, flags);
	fd = sf_open_root(dir, flags);
	sf_keep(p, fd, SF_DIR);
	return fd;
}

/* Every process is in a session of the fuzzer: its tty, if any, is a mypts slave. */
static long sf_op_open_tty(struct sf_proc *p)
{
	int flags = sf_open_flags(p);
	int fd;

	sf_note(p, -1, flags);
	fd = open("/dev/tty", flags);
	sf_keep(p, fd, SF_TTY);
	return fd;
}

static long sf_op_close(struct sf_proc *p)
{
	int i = sf_pick(p, SF_ANY);
	int fd;

	if (i < 0 || fz_pct(&p->r, 3)) {
		sf_note(p, -1, 0);
		return close(-1);
	}
	fd = p->pool[i].fd;
	sf_forget_fd(p, i);
	sf_note(p, fd, 0);
	return close(fd);
}

static long sf_op_dup(struct sf_proc *p)
{
	int i = sf_pick(p, SF_ANY), j, src, dst, fd;
	unsigned int k = fz_below(&p->r, 100);
	enum sf_kind kind;

	if (i < 0)
		return dup(-1);
	src = p->pool[i].fd;
	kind = p->pool[i].kind;
	if (k < 30) {
		fd = dup(src);
	} else if (k < 55) {
		/* Over another descriptor of ours. */
		j = sf_pick(p, SF_ANY);
		dst = p->pool[j].fd;
		sf_note(p, src, dst);
		fd = dup2(src, dst);
	} else if (k < 85) {
		dst = SF_DUP_BASE + fz_below(&p->r, 32);
		sf_note(p, src, dst);
		fd = fz_pct(&p->r, 50) ? dup2(src, dst) : dup3(src, dst, O_CLOEXEC);
	} else {
		fd = fcntl(src, F_DUPFD_CLOEXEC, SF_DUP_BASE);
	}
	sf_keep(p, fd, kind);
	return fd;
}

/* Data */

/* One read() or write() of a size and, for a write, bytes of their own. */
static long sf_io(struct sf_proc *p, bool out)
{
	int fd = sf_fd(p, SF_TTYISH);
	size_t len = out ? sf_fill(p) : sf_len(p);
	void *buf = sf_ptr(p, len, out ? 6 : 8);
	ssize_t n;

	sf_note(p, fd, len);
	n = out ? write(fd, buf, len) : read(fd, buf, len);
	if (n > (ssize_t)len)
		sf_finding(p, "%s(%d, %zu) returned %zd", out ? "write" : "read", fd, len, n);
	return n;
}

static long sf_op_read(struct sf_proc *p)
{
	return sf_io(p, false);
}

static long sf_op_write(struct sf_proc *p)
{
	return sf_io(p, true);
}

/* The other ways in and out: vectors, flags, splice, sendfile, tee. */
static long sf_op_vector(struct sf_proc *p)
{
	static const int rwf[] = { 0, 0, RWF_NOWAIT, RWF_HIPRI, RWF_DSYNC, RWF_APPEND, -1 };
	unsigned int k = fz_below(&p->r, 100), i, n = fz_range(&p->r, 1, 4);
	int fd = sf_fd(p, SF_TTYISH), to = sf_fd(p, SF_TTYISH);
	size_t len = sf_fill(p);
	struct iovec iov[4];

	for (i = 0; i < n; i++) {
		iov[i].iov_base = fz_pct(&p->r, 5) ? sf_ptr(p, 64, 100) : sf_buf + i * 64;
		iov[i].iov_len = fz_below(&p->r, 64) + (i == n - 1 ? len : 0);
	}
	sf_note(p, fd, k);
	if (k < 20)
		return readv(fd, iov, n);
	if (k < 40)
		return writev(fd, iov, n);
	if (k < 50)
		return preadv2(fd, iov, n, -1, sf_choose(p, rwf, FZ_ARRAY_SIZE(rwf)));
	if (k < 60)
		return pwritev2(fd, iov, n, fz_pct(&p->r, 90) ? -1 : 0,
				sf_choose(p, rwf, FZ_ARRAY_SIZE(rwf)));
	if (k < 72)
		return splice(fd, NULL, p->pipe[1], NULL, fz_range(&p->r, 1, 8192),
			      SPLICE_F_NONBLOCK);
	if (k < 84)
		return splice(p->pipe[0], NULL, to, NULL, fz_range(&p->r, 1, 8192),
			      fz_pct(&p->r, 80) ? SPLICE_F_NONBLOCK : 0);
	if (k < 94)
		return sendfile(to, fd, NULL, fz_range(&p->r, 1, 8192));
	if (k < 97)
		return tee(p->pipe[0], p->pipe[1], 4096, SPLICE_F_NONBLOCK);
	/* Keep the pipe from filling up for good. */
	return read(p->pipe[0], sf_buf, SF_BUF);
}

static short sf_events(struct sf_proc *p)
{
	static const short ev[] = {
		POLLIN, POLLOUT, POLLPRI, POLLRDNORM, POLLWRNORM, POLLRDHUP, POLLIN | POLLOUT,
	};

	if (fz_pct(&p->r, 5))
		return (short)fz_next(&p->r);
	return ev[fz_below(&p->r, FZ_ARRAY_SIZE(ev))] | (fz_pct(&p->r, 30) ? POLLIN : 0);
}

static long sf_op_poll(struct sf_proc *p)
{
	struct pollfd pfd[4];
	unsigned int i, n = fz_range(&p->r, 1, 4);
	int ms = fz_pct(&p->r, 80) ? 0 : (int)fz_range(&p->r, 1, 30);

	for (i = 0; i < n; i++) {
		pfd[i].fd = sf_fd(p, SF_ANY);
		pfd[i].events = sf_events(p);
		pfd[i].revents = 0;
	}
	sf_note(p, pfd[0].fd, n);
	if (fz_pct(&p->r, 3))
		return poll(sf_ptr(p, sizeof(pfd), 100), n, 0);
	return poll(pfd, n, ms);
}

static long sf_op_epoll(struct sf_proc *p)
{
	static const unsigned int ev[] = {
		EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLRDHUP, EPOLLET, EPOLLONESHOT, EPOLLWAKEUP,
	};
	struct epoll_event e = { .data.u64 = fz_next(&p->r) }, out[8];
	unsigned int k = fz_below(&p->r, 100), i;
	int fd = sf_fd(p, SF_ANY);

	for (i = 0; i < FZ_ARRAY_SIZE(ev); i++)
		if (fz_pct(&p->r, 35))
			e.events |= ev[i];
	sf_note(p, fd, k);
	if (k < 30)
		return epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd,
				 fz_pct(&p->r, 5) ? sf_ptr(p, sizeof(e), 100) : &e);
	if (k < 37) {
		e.events |= EPOLLEXCLUSIVE;
		return epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &e);
	}
	if (k < 50)
		return epoll_ctl(p->epfd, EPOLL_CTL_MOD, fd, &e);
	if (k < 62)
		return epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL);
	if (k < 97)
		return epoll_wait(p->epfd, fz_pct(&p->r, 4) ? sf_ptr(p, sizeof(out), 100) : out,
				  FZ_ARRAY_SIZE(out),
				  fz_pct(&p->r, 80) ? 0 : fz_range(&p->r, 1, 20));
	/* A new epoll instance; the old one may be shared with relatives. */
	close(p->epfd);
	p->epfd = epoll_create1(0);
	return p->epfd;
}

/* ioctls */

enum sf_arg {
	SF_ARG_NONE,	/* none: 0, now and then garbage */
	SF_ARG_VAL,	/* a small integer by value */
	SF_ARG_OUT,	/* a buffer the kernel fills */
	SF_ARG_INT,	/* a pointer to a small integer */
	SF_ARG_TIO,	/* a pointer to a termios, termio or termios2 */
	SF_ARG_WINSZ,	/* a pointer to a window size */
	SF_ARG_PGRP,	/* a pointer to a process group id */
	SF_ARG_CHAR,	/* a pointer to an input byte */
	SF_ARG_SIG,	/* a signal number by value */
	SF_ARG_FLAGS,	/* open flags by value */
	SF_ARG_BYTES,	/* a pointer to random bytes */
};

static const struct sf_ioctl {
	unsigned int cmd;
	unsigned char arg;
} sf_ioctls[] = {
	{ TCGETS, SF_ARG_OUT }, { TCSETS, SF_ARG_TIO }, { TCSETSW, SF_ARG_TIO },
	{ TCSETSF, SF_ARG_TIO }, { SF_TCGETS2, SF_ARG_OUT }, { SF_TCSETS2, SF_ARG_TIO },
	{ SF_TCSETSW2, SF_ARG_TIO }, { SF_TCSETSF2, SF_ARG_TIO }, { TCGETA, SF_ARG_OUT },
	{ TCSETA, SF_ARG_TIO }, { TCSETAW, SF_ARG_TIO }, { TCSETAF, SF_ARG_TIO },
	{ TCSBRK, SF_ARG_VAL }, { TCSBRKP, SF_ARG_VAL }, { TIOCSBRK, SF_ARG_NONE },
	{ TIOCCBRK, SF_ARG_NONE }, { TCXONC, SF_ARG_VAL }, { TCFLSH, SF_ARG_VAL },
	{ TIOCGWINSZ, SF_ARG_OUT }, { TIOCSWINSZ, SF_ARG_WINSZ }, { TIOCGPGRP, SF_ARG_OUT },
	{ TIOCSPGRP, SF_ARG_PGRP }, { TIOCSCTTY, SF_ARG_VAL }, { TIOCNOTTY, SF_ARG_NONE },
	{ TIOCOUTQ, SF_ARG_OUT }, { FIONREAD, SF_ARG_OUT }, { TIOCSTI, SF_ARG_CHAR },
	{ TIOCPKT, SF_ARG_INT }, { TIOCGPKT, SF_ARG_OUT }, { TIOCSPTLCK, SF_ARG_INT },
	{ TIOCGPTLCK, SF_ARG_OUT }, { TIOCGPTN, SF_ARG_OUT }, { TIOCGPTPEER, SF_ARG_FLAGS },
	{ TIOCSIG, SF_ARG_SIG }, { TIOCGSID, SF_ARG_OUT }, { TIOCEXCL, SF_ARG_NONE },
	{ TIOCNXCL, SF_ARG_NONE }, { TIOCGEXCL, SF_ARG_OUT }, { TIOCGETD, SF_ARG_OUT },
	{ TIOCSETD, SF_ARG_INT }, { TIOCVHANGUP, SF_ARG_NONE }, { TIOCMGET, SF_ARG_OUT },
	{ TIOCMSET, SF_ARG_INT }, { TIOCMBIS, SF_ARG_INT }, { TIOCMBIC, SF_ARG_INT },
	{ FIONBIO, SF_ARG_INT }, { FIOASYNC, SF_ARG_INT }, { FIOCLEX, SF_ARG_NONE },
	{ FIONCLEX, SF_ARG_NONE }, { TIOCGSERIAL, SF_ARG_OUT }, { TIOCSSERIAL, SF_ARG_BYTES },
	{ TIOCGICOUNT, SF_ARG_OUT }, { TIOCGLCKTRMIOS, SF_ARG_OUT },
	{ TIOCSLCKTRMIOS, SF_ARG_TIO }, { TIOCGSOFTCAR, SF_ARG_OUT },
	{ TIOCSSOFTCAR, SF_ARG_INT }, { TIOCGDEV, SF_ARG_OUT }, { TIOCMIWAIT, SF_ARG_VAL },
	{ TIOCSERGETLSR, SF_ARG_OUT }, { TIOCGRS485, SF_ARG_OUT },
};

static bool sf_forbidden(unsigned int cmd)
{
	static const unsigned int no[] = {
		TIOCCONS, SF_FIFREEZE, SF_FITHAW, SF_FS_IOC_SETFLAGS, SF_FS_IOC32_SETFLAGS,
		SF_FS_IOC_FSSETXATTR,
	};
	unsigned int i;

	for (i = 0; i < FZ_ARRAY_SIZE(no); i++)
		if (cmd == no[i])
			return true;
	return false;
}

/* Mostly 0 to 3, the range of most tty arguments; now and then anything. */
static long sf_small(struct sf_proc *p)
{
	return fz_pct(&p->r, 88) ? (long)fz_below(&p->r, 4) : (long)(int)fz_next(&p->r);
}

static int sf_ldisc_nr(struct sf_proc *p)
{
	static const int odd[] = { -1, 30, 31, 64, 255, INT_MAX, INT_MIN };
	unsigned int k = fz_below(&p->r, 100);

	if (k < 40)
		return N_TTY;
	if (k < 80)
		return sf.ldisc;
	if (k < 93)
		return fz_below(&p->r, 30);
	return odd[fz_below(&p->r, FZ_ARRAY_SIZE(odd))];
}

/* A process (group) id: ours, a child's, or one that is not ours to use. */
static pid_t sf_pid(struct sf_proc *p)
{
	unsigned int k = fz_below(&p->r, 100);

	if (k < 35)
		return getpgrp();
	if (k < 50)
		return getpid();
	if (k < 70 && p->nkids)
		return p->kids[fz_below(&p->r, p->nkids)];
	if (k < 80)
		return 0;
	if (k < 85)
		return 1;
	return fz_pct(&p->r, 50) ? -1 : (pid_t)fz_next(&p->r);
}

/* A termios near the current one, in the layout @cmd takes, into sf_buf. */
static void sf_build_tio(struct sf_proc *p, unsigned int cmd)
{
	static const unsigned int speeds[] = { 0, 50, 9600, 38400, 115200, 4000000, 123457 };
	struct termios t = p->tio;
	struct sf_ktermios k;
	struct sf_termio o;
	unsigned int i, n;

	if (fz_pct(&p->r, 15)) {
		fz_random_termios(&p->r, &t);
	} else {
		for (n = fz_range(&p->r, 1, 3), i = 0; i < n; i++)
			fz_mutate(&p->r, &t);
	}
	if (fz_pct(&p->r, 10))
		t.c_cflag ^= 1u << fz_below(&p->r, 32);
	if (fz_pct(&p->r, 5))
		t.c_line = fz_pct(&p->r, 50) ? sf_ldisc_nr(p) : (cc_t)fz_next(&p->r);
	p->tio = t;
	if (cmd == SF_TCSETS2 || cmd == SF_TCSETSW2 || cmd == SF_TCSETSF2) {
		memcpy(&k, &t, offsetof(struct sf_ktermios, ispeed));
		k.ispeed = speeds[fz_below(&p->r, FZ_ARRAY_SIZE(speeds))];
		k.ospeed = speeds[fz_below(&p->r, FZ_ARRAY_SIZE(speeds))];
		if (fz_pct(&p->r, 30))
			k.cflag = (k.cflag & ~CBAUD) | SF_BOTHER;
		memcpy(sf_buf, &k, sizeof(k));
	} else if (cmd == TCSETA || cmd == TCSETAW || cmd == TCSETAF) {
		o.iflag = t.c_iflag;
		o.oflag = t.c_oflag;
		o.cflag = t.c_cflag;
		o.lflag = t.c_lflag;
		o.line = t.c_line;
		memcpy(o.cc, t.c_cc, sizeof(o.cc));
		memcpy(sf_buf, &o, sizeof(o));
	} else {
		/* The kernel's struct termios is a prefix of glibc's. */
		memcpy(sf_buf, &t, sizeof(t));
	}
}

static unsigned long sf_ioctl_arg(struct sf_proc *p, unsigned int cmd, unsigned int kind)
{
	static const int tiocsig[] = { SIGINT, SIGQUIT, SIGTSTP };
	struct winsize ws;
	int *ip = (int *)sf_buf;

	switch (kind) {
	case SF_ARG_NONE:
		return fz_pct(&p->r, 90) ? 0 : fz_next(&p->r);
	case SF_ARG_VAL:
		return sf_small(p);
	case SF_ARG_OUT:
		return (unsigned long)sf_ptr(p, 256, 12);
	case SF_ARG_INT:
		*ip = cmd == TIOCSETD ? sf_ldisc_nr(p) : sf_small(p);
		return (unsigned long)sf_ptr(p, sizeof(int), 10);
	case SF_ARG_TIO:
		sf_build_tio(p, cmd);
		return (unsigned long)sf_ptr(p, sizeof(struct sf_ktermios), 8);
	case SF_ARG_WINSZ:
		ws.ws_row = fz_pct(&p->r, 90) ? fz_below(&p->r, 300) : fz_next(&p->r);
		ws.ws_col = fz_pct(&p->r, 90) ? fz_below(&p->r, 300) : fz_next(&p->r);
		ws.ws_xpixel = fz_pct(&p->r, 80) ? 0 : fz_next(&p->r);
		ws.ws_ypixel = fz_pct(&p->r, 80) ? 0 : fz_next(&p->r);
		memcpy(sf_buf, &ws, sizeof(ws));
		return (unsigned long)sf_ptr(p, sizeof(ws), 8);
	case SF_ARG_PGRP:
		*ip = sf_pid(p);
		return (unsigned long)sf_ptr(p, sizeof(int), 8);
	case SF_ARG_CHAR:
		fz_input(&p->r, &p->tio, sf_buf);
		return (unsigned long)sf_ptr(p, 1, 8);
	case SF_ARG_SIG:
		if (fz_pct(&p->r, 75))
			return sf_choose(p, tiocsig, FZ_ARRAY_SIZE(tiocsig));
		return fz_pct(&p->r, 50) ? fz_below(&p->r, 66) : fz_next(&p->r);
	case SF_ARG_FLAGS:
		return sf_peer_flags(p);
	default:
		pty_fill_random(sf_buf, 256, fz_next(&p->r));
		return (unsigned long)sf_ptr(p, 256, 8);
	}
}

/* After a call that may have made or found something worth keeping. */
static void sf_ioctl_done(struct sf_proc *p, unsigned int cmd, unsigned long arg, long ret)
{
	if (ret < 0)
		return;
	if (cmd == TIOCGPTPEER)
		sf_keep(p, ret, SF_SLAVE);
	else if (cmd == TIOCGPTN && arg == (unsigned long)sf_buf)
		sf_learn(p, *(unsigned int *)sf_buf);
	else if (cmd == TCGETS && arg == (unsigned long)sf_buf)
		memcpy(&p->tio, sf_buf, offsetof(struct sf_ktermios, ispeed));
}

static long sf_op_ioctl(struct sf_proc *p)
{
	const struct sf_ioctl *io = &sf_ioctls[fz_below(&p->r, FZ_ARRAY_SIZE(sf_ioctls))];
	int fd = sf_fd(p, fz_pct(&p->r, 95) ? SF_TTYISH : SF_ANY);
	unsigned long arg = sf_ioctl_arg(p, io->cmd, io->arg);
	long ret;

	sf_note(p, fd, io->cmd);
	ret = ioctl(fd, io->cmd, arg);
	sf_ioctl_done(p, io->cmd, arg, ret);
	return ret;
}

static long sf_op_ioctl_random(struct sf_proc *p)
{
	unsigned int k = fz_below(&p->r, 100), cmd;
	int fd = sf_fd(p, SF_ANY);
	unsigned long arg;
	long ret;

	if (k < 20)
		cmd = fz_next(&p->r);
	else if (k < 45)
		cmd = 0x5400 | fz_below(&p->r, 256);
	else if (k < 65)
		cmd = _IOC(fz_below(&p->r, 4), 'T', fz_below(&p->r, 256), fz_below(&p->r, 256));
	else if (k < 85)
		cmd = sf_ioctls[fz_below(&p->r, FZ_ARRAY_SIZE(sf_ioctls))].cmd ^
		      (1u << fz_below(&p->r, 32));
	else
		cmd = _IOC(fz_below(&p->r, 4), fz_below(&p->r, 256), fz_below(&p->r, 256),
			   fz_below(&p->r, 1024));
	if (sf_forbidden(cmd))
		cmd = TIOCGWINSZ;
	k = fz_below(&p->r, 100);
	if (k < 40) {
		pty_fill_random(sf_buf, 1024, fz_next(&p->r));
		arg = (unsigned long)sf_buf;
	} else if (k < 70) {
		arg = (unsigned long)sf_ptr(p, 1024, 100);
	} else {
		arg = sf_small(p);
	}
	sf_note(p, fd, cmd);
	ret = ioctl(fd, cmd, arg);
	sf_ioctl_done(p, cmd, arg, ret);
	return ret;
}

/* A termios change relative to the terminal's own, through any of the setters. */
static long sf_op_termios(struct sf_proc *p)
{
	static const unsigned int set[] = {
		TCSETS, TCSETS, TCSETSW, TCSETSF, SF_TCSETS2, SF_TCSETSW2, SF_TCSETSF2,
		TCSETA, TCSETAW, TCSETAF, TIOCSLCKTRMIOS,
	};
	unsigned int cmd = set[fz_below(&p->r, FZ_ARRAY_SIZE(set))];
	int fd = sf_fd(p, SF_TTYISH);

	if (!ioctl(fd, TCGETS, sf_buf))
		memcpy(&p->tio, sf_buf, offsetof(struct sf_ktermios, ispeed));
	if (cmd == TIOCSLCKTRMIOS && fz_pct(&p->r, 70)) {
		/* Mostly unlock; a lock now and then. */
		memset(sf_buf, 0, sizeof(struct termios));
		if (fz_pct(&p->r, 30))
			((struct termios *)sf_buf)->c_lflag = 1u << fz_below(&p->r, 16);
	} else {
		sf_build_tio(p, cmd);
	}
	sf_note(p, fd, cmd);
	return ioctl(fd, cmd, sf_buf);
}

static long sf_op_ldisc(struct sf_proc *p)
{
	int fd = sf_fd(p, fz_pct(&p->r, 90) ? SF_K(SF_SLAVE) | SF_K(SF_TTY) : SF_ANY);
	int *ip = (int *)sf_buf;
	long ret;

	*ip = sf_ldisc_nr(p);
	sf_note(p, fd, *ip);
	ret = ioctl(fd, TIOCSETD, sf_ptr(p, sizeof(int), 4));
	if (fz_pct(&p->r, 30))
		ioctl(fd, TIOCGETD, sf_buf);
	return ret;
}

/* Files and paths */

static long sf_op_fcntl(struct sf_proc *p)
{
	static const int fl[] = { O_NONBLOCK, O_NONBLOCK, O_ASYNC, O_APPEND, O_NOATIME, O_DIRECT };
	static const int sigs[] = { 0, SIGIO, SIGUSR1, SIGURG };
	static const int owners[] = { F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP };
	static const int locks[] = { F_RDLCK, F_WRLCK, F_UNLCK };
	static const int lockcmds[] = { F_SETLK, F_GETLK, F_OFD_SETLK };
	unsigned int k = fz_below(&p->r, 100), i;
	int fd = sf_fd(p, SF_ANY), v = 0;
	struct f_owner_ex own;
	struct flock lk;

	sf_note(p, fd, k);
	if (k < 25) {
		for (i = 0; i < FZ_ARRAY_SIZE(fl); i++)
			if (fz_pct(&p->r, 30))
				v |= fl[i];
		return fcntl(fd, F_SETFL, v);
	}
	if (k < 35)
		return fcntl(fd, F_GETFL);
	if (k < 50)
		return fcntl(fd, F_SETOWN, fz_pct(&p->r, 50) ? getpid() : -getpgrp());
	if (k < 58)
		return fcntl(fd, F_SETSIG, sf_choose(p, sigs, FZ_ARRAY_SIZE(sigs)));
	if (k < 66) {
		own.type = sf_choose(p, owners, FZ_ARRAY_SIZE(owners));
		own.pid = own.type == F_OWNER_PGRP ? getpgrp() : getpid();
		return fcntl(fd, F_SETOWN_EX, &own);
	}
	if (k < 80) {
		memset(&lk, 0, sizeof(lk));
		lk.l_type = sf_choose(p, locks, FZ_ARRAY_SIZE(locks));
		lk.l_len = fz_below(&p->r, 100);
		return fcntl(fd, sf_choose(p, lockcmds, FZ_ARRAY_SIZE(lockcmds)), &lk);
	}
	if (k < 90)
		return fcntl(fd, F_NOTIFY, DN_CREATE | DN_DELETE | DN_ATTRIB |
			     (fz_pct(&p->r, 50) ? DN_MULTISHOT : 0));
	return fcntl(fd, F_SETFD, fz_pct(&p->r, 50) ? FD_CLOEXEC : 0);
}

static long sf_op_file(struct sf_proc *p)
{
	static const int flocks[] = { LOCK_EX, LOCK_SH, LOCK_UN };
	unsigned int k = fz_below(&p->r, 100);
	int fd = sf_fd(p, SF_ANY);
	char path[64], link[256];
	struct statfs sfs;
	struct stat st;
	void *map;
	long ret;
	int pfd;

	sf_note(p, fd, k);
	if (k < 15)
		return fstat(fd, &st);
	if (k < 22)
		return fstatfs(fd, &sfs);
	if (k < 37)
		return syscall(SYS_getdents64, fd, sf_ptr(p, 4096, 5), fz_range(&p->r, 1, 4096));
	if (k < 45)
		return lseek(fd, (off_t)sf_small(p), fz_below(&p->r, 5));
	if (k < 62) {
		/* show_fdinfo */
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		pfd = open(path, O_RDONLY | O_CLOEXEC);
		if (pfd < 0)
			return -1;
		ret = read(pfd, sf_buf, 4096);
		close(pfd);
		return ret;
	}
	if (k < 70) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		return readlink(path, link, sizeof(link));
	}
	if (k < 80) {
		if (!sf_on_mypts(fd))
			return fstat(fd, &st);
		if (fz_pct(&p->r, 50))
			return fchmod(fd, fz_below(&p->r, 010000));
		return fchown(fd, fz_below(&p->r, 2000), fz_below(&p->r, 2000));
	}
	if (k < 85)
		return flock(fd, sf_choose(p, flocks, FZ_ARRAY_SIZE(flocks)) | LOCK_NB);
	if (k < 89)
		return fz_pct(&p->r, 50) ? fsync(fd) : fdatasync(fd);
	if (k < 94) {
		map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED)
			return -1;
		munmap(map, 4096);
		return 0;
	}
	if (k < 97 && sf_on_mypts(fd))
		return fsetxattr(fd, fz_pct(&p->r, 50) ? "user.sf" : "security.sf", "x", 1, 0);
	return flistxattr(fd, (char *)sf_ptr(p, 256, 10), 256);
}

/*
 * Path operations in an instance (@dfd is on mypts): look-ups, watches,
 * and the changes a mypts root must refuse (never a device node).
 */
static long sf_path_at(struct sf_proc *p, int dfd, const char *inst, unsigned int k)
{
	/* "." and ".." only to look at: ".." of a root is outside mypts. */
	static const char *const names[] = { "ptmx", "0", "1", "2", "sf-x", "sf-y", ".", ".." };
	static const int modes[] = { F_OK, R_OK, W_OK, X_OK };
	const char *name = names[fz_below(&p->r, FZ_ARRAY_SIZE(names))];
	struct statx stx;
	struct stat st;

	if (k < 15)
		return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
	if (k < 23)
		return faccessat(dfd, name, sf_choose(p, modes, FZ_ARRAY_SIZE(modes)), 0);
	if (k < 33)
		return inotify_add_watch(p->infd, inst, IN_ALL_EVENTS);
	if (k < 38)
		return read(p->infd, sf_buf, 4096);
	if (k < 46)
		return statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_ALL, &stx);
	if (name[0] == '.')
		name = "ptmx";
	if (k < 54)
		return unlinkat(dfd, name, fz_pct(&p->r, 30) ? AT_REMOVEDIR : 0);
	if (k < 60)
		return mkdirat(dfd, "sf-x", 0700);
	if (k < 66)
		return mknodat(dfd, "sf-x", fz_pct(&p->r, 50) ? S_IFIFO | 0600 : S_IFREG | 0600, 0);
	if (k < 72)
		return renameat(dfd, name, dfd, fz_pct(&p->r, 50) ? "sf-y" : "ptmx");
	if (k < 76)
		return symlinkat("sf-x", dfd, "sf-y");
	if (k < 80)
		return linkat(dfd, name, dfd, "sf-y", 0);
	if (k < 87)
		return fchmodat(dfd, name, fz_below(&p->r, 010000), 0);
	if (k < 94)
		return utimensat(dfd, name, NULL, 0);
	/* A working directory inside pins the instance. */
	if (fchdir(dfd))
		return -1;
	return fz_pct(&p->r, 50) ? chdir("/") : 0;
}

static long sf_op_path(struct sf_proc *p)
{
	unsigned int k = fz_below(&p->r, 100);
	int d = sf_pick(p, SF_K(SF_DIR));
	const char *inst = sf_inst(p);
	long ret;
	int dfd, err;

	if (d >= 0 && fz_pct(&p->r, 50)) {
		sf_note(p, p->pool[d].fd, k);
		return sf_path_at(p, p->pool[d].fd, inst, k);
	}
	dfd = sf_open_root(inst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	sf_note(p, dfd, k);
	if (dfd < 0)
		return -1;
	ret = sf_path_at(p, dfd, inst, k);
	err = errno;
	close(dfd);
	errno = err;
	return ret;
}

/*
 * The module's global files: read them all, or set kernel.mypts.max or
 * reserve (the test puts both back at the end).
 */
static long sf_op_sysctl(struct sf_proc *p)
{
	static const char *const files[] = {
		NR_PATH, MAX_PATH, RESERVE_PATH, LDISC_PARAM, "/proc/tty/drivers",
		"/proc/tty/ldiscs", "/sys/module/mypts/refcnt",
	};
	/*
	 * Mostly limits that leave room: our instances are not in the initial
	 * mount namespace, so they get max - reserve, and at a small one every
	 * open fails.
	 */
	static const char *const max[] = { "4096", "100000", "2147483647", "2000" };
	static const char *const reserve[] = { "1024", "0", "100", "-1", "x" };
	static const char *const tight[] = { "0", "1", "5", "64", "-1", "x", "" };
	unsigned int k = fz_below(&p->r, 100);
	const char *file;
	long ret;
	int fd;

	if (k < 80) {
		file = files[fz_below(&p->r, FZ_ARRAY_SIZE(files))];
		fd = open(file, O_RDONLY | O_CLOEXEC);
		sf_note(p, fd, k);
		if (fd < 0)
			return -1;
		ret = read(fd, sf_buf, 4096);
		close(fd);
		return ret;
	}
	sf_note(p, -1, k);
	k = fz_below(&p->r, 100);
	if (k < 75)
		return mypts_write_file(MAX_PATH, max[fz_below(&p->r, FZ_ARRAY_SIZE(max))]);
	if (k < 95)
		return mypts_write_file(RESERVE_PATH,
					reserve[fz_below(&p->r, FZ_ARRAY_SIZE(reserve))]);
	return mypts_write_file(MAX_PATH, tight[fz_below(&p->r, FZ_ARRAY_SIZE(tight))]);
}

/*
 * Pass a descriptor to whichever process of the fuzzer takes it next, or
 * take one: masters and slaves move between unrelated processes, and out
 * of other namespaces.
 */
static long sf_op_pass(struct sf_proc *p)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct msghdr msg = { .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct iovec iov = { .iov_base = sf_buf, .iov_len = 1 };
	struct cmsghdr *cm;
	int i = sf_pick(p, SF_ANY), fd;
	long ret;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fz_pct(&p->r, 50) && i >= 0) {
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &p->pool[i].fd, sizeof(int));
		sf_buf[0] = p->pool[i].kind;
		sf_note(p, p->pool[i].fd, 1);
		return sendmsg(sf.sock[0], &msg, MSG_DONTWAIT);
	}
	sf_note(p, -1, 0);
	ret = recvmsg(sf.sock[1], &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	cm = CMSG_FIRSTHDR(&msg);
	if (ret == 1 && cm && cm->cmsg_type == SCM_RIGHTS) {
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		sf_keep(p, fd, sf_buf[0] <= SF_TTY ? sf_buf[0] : SF_TTY);
	}
	return ret;
}

/* Processes */

static void sf_slot_free(pid_t pid)
{
	unsigned int i;

	for (i = 0; i < sf.slots; i++)
		if (sf.sh->slot[i].pid == pid)
			__atomic_store_n(&sf.sh->slot[i].pid, 0, __ATOMIC_SEQ_CST);
}

static int sf_slot_claim(void)
{
	unsigned int i;
	int free;

	for (i = sf.procs; i < sf.slots; i++) {
		free = 0;
		if (__atomic_compare_exchange_n(&sf.sh->slot[i].pid, &free, -1, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return i;
	}
	return -1;
}

static void sf_on_alarm(int sig)
{
}

static void sf_on_signal(int sig)
{
}

/* Random dispositions: caught, ignored, or the default (stop, or die). */
static void sf_signals(struct sf_proc *p)
{
	static const int sigs[] = {
		SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGIO, SIGPIPE, SIGUSR1,
		SIGWINCH, SIGURG, SIGCONT,
	};
	struct sigaction sa;
	unsigned int i, k;

	for (i = 0; i < FZ_ARRAY_SIZE(sigs); i++) {
		memset(&sa, 0, sizeof(sa));
		k = fz_below(&p->r, 100);
		sa.sa_handler = k < 70 ? sf_on_signal : k < 85 ? SIG_IGN : SIG_DFL;
		if (fz_pct(&p->r, 50))
			sa.sa_flags = SA_RESTART;
		sigaction(sigs[i], &sa, NULL);
	}
	/* No SA_RESTART: the tick must break blocking calls. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sf_on_alarm;
	sigaction(SIGALRM, &sa, NULL);
}

/* Become process @slot of the fuzzer: its PRNG, signals, tick. */
static void sf_become(struct sf_proc *p, unsigned int slot, unsigned int depth,
		      unsigned long long seed)
{
	struct itimerval tick = {
		.it_interval = { .tv_usec = SF_TICK_MS * 1000 },
		.it_value = { .tv_usec = SF_TICK_MS * 1000 },
	};
	struct sf_slot *s = &sf.sh->slot[slot];
	sigset_t none;

	p->r.s = seed;
	p->slot = s;
	p->depth = depth;
	p->ops = 0;
	p->nkids = 0;
	p->budget = depth ? fz_range(&p->r, 20, 3000) : 0;
	/* Not @pid: the slot is ours already, and a zero would free it. */
	s->op_start = 0;
	s->reported = 0;
	s->hist_pos = 0;
	s->worker = p->worker;
	s->gen = p->gen;
	s->depth = depth;
	s->seed = seed;
	__atomic_store_n(&s->pid, getpid(), __ATOMIC_SEQ_CST);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	sf_signals(p);
	setitimer(ITIMER_REAL, &tick, NULL);
}

static long sf_op_fork(struct sf_proc *p)
{
	unsigned long long seed = fz_next(&p->r);
	unsigned int k = fz_below(&p->r, 100);
	int slot;
	pid_t pid;

	if (p->depth >= 3 || p->nkids >= SF_KIDS)
		return 0;
	slot = sf_slot_claim();
	if (slot < 0)
		return 0;
	pid = fork();
	if (pid < 0) {
		__atomic_store_n(&sf.sh->slot[slot].pid, 0, __ATOMIC_SEQ_CST);
		return -1;
	}
	if (pid == 0) {
		sf_become(p, slot, p->depth + 1, seed);
		p->reborn = true;
		if (k < 40)
			setsid();
		else if (k < 60)
			setpgid(0, 0);
		return 0;
	}
	__atomic_store_n(&sf.sh->slot[slot].pid, pid, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&sf.sh->forks, 1, __ATOMIC_RELAXED);
	p->kids[p->nkids++] = pid;
	return pid;
}

/* A process of the fuzzer is gone: count how; a fault is a finding. */
static void sf_died(pid_t pid, int st)
{
	char msg[160];
	int sig, n;

	sf_slot_free(pid);
	if (!WIFSIGNALED(st))
		return;
	sig = WTERMSIG(st);
	__atomic_add_fetch(&sf.sh->deaths[sig < 65 ? sig : 0], 1, __ATOMIC_RELAXED);
	if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE &&
	    sig != SIGABRT && sig != SIGSYS)
		return;
	n = snprintf(msg, sizeof(msg), "# sysfuzz: seed %llu: FINDING: pid %d killed by %s\n",
		     sf.seed, pid, strsignal(sig));
	if (write(STDOUT_FILENO, msg, n) < 0)
		n = 0;
	__atomic_add_fetch(&sf.sh->findings, 1, __ATOMIC_SEQ_CST);
}

/*
 * The next child of ours that ended, reaped; the stopped ones on the way
 * are continued. Returns 0 (or -1) when there is none.
 */
static pid_t sf_next_ended(void)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG | WUNTRACED)) > 0) {
		if (!WIFSTOPPED(st)) {
			sf_died(pid, st);
			return pid;
		}
		kill(pid, SIGCONT);
	}
	return pid;
}

/* Reap our own children, continue the stopped ones. */
static void sf_tend(struct sf_proc *p)
{
	unsigned int i;
	pid_t pid;

	while ((pid = sf_next_ended()) > 0) {
		for (i = 0; i < p->nkids; i++)
			if (p->kids[i] == pid)
				p->kids[i] = p->kids[--p->nkids];
	}
}

static long sf_op_kill(struct sf_proc *p)
{
	static const int sigs[] = {
		SIGSTOP, SIGCONT, SIGHUP, SIGTTOU, SIGTTIN, SIGTSTP, SIGINT, SIGQUIT, SIGWINCH,
		SIGIO, SIGUSR1, SIGPIPE, SIGURG, 0,
	};
	int sig = fz_pct(&p->r, 5) ? SIGKILL : sigs[fz_below(&p->r, FZ_ARRAY_SIZE(sigs))];
	unsigned int k = fz_below(&p->r, 100);
	pid_t to;

	/* Only pids that cannot have been reused: see the top of the file. */
	if (k < 35 && p->nkids)
		to = p->kids[fz_below(&p->r, p->nkids)];
	else if (k < 50 && p->nkids)
		to = -p->kids[fz_below(&p->r, p->nkids)];
	else if (k < 85)
		to = 0;
	else
		to = getpid();
	sf_note(p, to, sig);
	return kill(to, sig);
}

static long sf_op_session(struct sf_proc *p)
{
	unsigned int k = fz_below(&p->r, 100);
	pid_t kid = p->nkids ? p->kids[fz_below(&p->r, p->nkids)] : getpid();

	sf_note(p, -1, k);
	if (k < 30)
		return setsid();
	if (k < 50)
		return setpgid(0, 0);
	if (k < 65)
		return setpgid(kid, fz_pct(&p->r, 50) ? 0 : getpgrp());
	if (k < 80)
		return setpgid(0, kid);
	return getsid(0);
}

/*
 * A forked child's own mount namespace, in a user namespace of its own now
 * and then (where it is root, and mounts go through FS_USERNS_MOUNT): its
 * mounts on the mount points are its alone and go with it.
 */
static long sf_op_unshare(struct sf_proc *p)
{
	/* Rarely: a namespace is for the rest of the process's life. */
	if (!p->depth || !fz_pct(&p->r, 5))
		return getpid();
	sf_note(p, -1, 0);
	if (fz_pct(&p->r, 40))
		return unshare(CLONE_NEWNS);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return -1;
	if (mypts_write_file("/proc/self/setgroups", "deny") ||
	    mypts_write_file("/proc/self/uid_map", "0 0 1") ||
	    mypts_write_file("/proc/self/gid_map", "0 0 1"))
		return -1;
	return 0;
}

static long sf_op_vhangup(struct sf_proc *p)
{
	sf_note(p, -1, 0);
	return vhangup();
}

/* Mounts */

/* One mount option into @buf: mostly a good one, @bad_pct percent a bad one. */
static void sf_opt(struct sf_proc *p, char *buf, size_t len, unsigned int bad_pct)
{
	static const char *const bad[] = {
		"bogus", "mode=abc", "mode=99999", "ptmxmode=8", "uid=-1", "gid=x", "max=-5",
		"max=99999999999999999999", "uid", "mode", "=", "", "newinstance=1", "ro",
		"rw", "max=", "ptmxmode=0777777", "gid=4294967295", "source=x", "sync",
	};
	/* A small max makes every open in the instance fail: now and then. */
	static const unsigned int roomy[] = { 0, 64, 1024, 1u << 20 };
	static const unsigned int tight[] = { 1, 2, 5 };
	size_t i;

	if (fz_pct(&p->r, bad_pct)) {
		if (fz_pct(&p->r, 10)) {
			for (i = 0; i < len - 1; i++)
				buf[i] = "ab=,0x7"[fz_below(&p->r, 7)];
			buf[i] = '\0';
			return;
		}
		snprintf(buf, len, "%s", bad[fz_below(&p->r, FZ_ARRAY_SIZE(bad))]);
		return;
	}
	switch (fz_below(&p->r, 6)) {
	case 0:
		snprintf(buf, len, "uid=%u", fz_below(&p->r, 2000));
		break;
	case 1:
		snprintf(buf, len, "gid=%u", fz_below(&p->r, 2000));
		break;
	case 2:
		snprintf(buf, len, "mode=%o", fz_below(&p->r, 010000));
		break;
	case 3:
		snprintf(buf, len, "ptmxmode=%o",
			 fz_pct(&p->r, 70) ? 0666 : fz_below(&p->r, 010000));
		break;
	case 4:
		snprintf(buf, len, "max=%u", fz_pct(&p->r, 85) ?
			 roomy[fz_below(&p->r, FZ_ARRAY_SIZE(roomy))] :
			 tight[fz_below(&p->r, FZ_ARRAY_SIZE(tight))]);
		break;
	default:
		snprintf(buf, len, "newinstance");
	}
}

/* A mount option string of up to four options. */
static void sf_opts(struct sf_proc *p, char *buf, size_t len, unsigned int bad_pct)
{
	unsigned int n = fz_below(&p->r, 5), i;
	char one[320];
	size_t at = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		sf_opt(p, one, fz_pct(&p->r, 95) ? 64 : sizeof(one), bad_pct);
		at += snprintf(buf + at, len - at, "%s%s", i ? "," : "", one);
		if (at >= len)
			break;
	}
}

static unsigned long sf_mount_flags(struct sf_proc *p)
{
	static const unsigned long fl[] = {
		0, 0, 0, MS_RDONLY, MS_NOSUID | MS_NODEV | MS_NOEXEC, MS_SILENT, MS_NOATIME,
	};

	return fl[fz_below(&p->r, FZ_ARRAY_SIZE(fl))];
}

/* fsconfig() with random keys, values and types, some of them wrong. */
static void sf_fsconfig(struct sf_proc *p, int fsfd)
{
	static const char *const keys[] = {
		"uid", "gid", "mode", "ptmxmode", "max", "newinstance", "bogus", "source",
	};
	unsigned int n = fz_below(&p->r, 5), i, k;
	const char *key;
	char val[64];

	for (i = 0; i < n; i++) {
		key = keys[fz_below(&p->r, FZ_ARRAY_SIZE(keys))];
		k = fz_below(&p->r, 100);
		sf_opt(p, val, sizeof(val), 30);
		if (k < 60)
			fsconfig(fsfd, FSCONFIG_SET_STRING, key,
				 strchr(val, '=') ? strchr(val, '=') + 1 : val, 0);
		else if (k < 75)
			fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0);
		else if (k < 82)
			fsconfig(fsfd, FSCONFIG_SET_BINARY, key, sf_buf, fz_range(&p->r, 1, 64));
		else if (k < 88)
			fsconfig(fsfd, FSCONFIG_SET_FD, key, NULL, sf_fd(p, SF_ANY));
		else if (k < 94)
			fsconfig(fsfd, FSCONFIG_SET_PATH, key, "/", AT_FDCWD);
		else
			fsconfig(fsfd, fz_below(&p->r, 12), key, val, 0);
	}
	/* The context's message log. */
	if (fz_pct(&p->r, 20))
		if (read(fsfd, sf_buf, 1024) < 0)
			errno = 0;
}

/* A new instance through fsopen(): moved onto a mount point, or kept detached. */
static long sf_fsmount(struct sf_proc *p, unsigned int i)
{
	static const unsigned int attrs[] = {
		0, 0, MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, MOUNT_ATTR_NOEXEC,
	};
	int fsfd = fsopen("mypts", FSOPEN_CLOEXEC), mfd = -1;

	if (fsfd < 0)
		return -1;
	sf_fsconfig(p, fsfd);
	if (!fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs[fz_below(&p->r, FZ_ARRAY_SIZE(attrs))]);
	close(fsfd);
	if (mfd < 0)
		return -1;
	if (fz_pct(&p->r, 50) && mypts_mount_count(sf.inst[i]) < SF_MAX_DEPTH)
		move_mount(mfd, "", AT_FDCWD, sf.inst[i], MOVE_MOUNT_F_EMPTY_PATH);
	sf_keep(p, mfd, SF_DIR);
	return mfd;
}

/*
 * A clone of a mypts mount we hold a root of, moved onto mount point @i.
 * Never a bind of a path: an empty mount point would bind the temporary
 * directory's file system, and a remount would then reconfigure it.
 */
static long sf_bind(struct sf_proc *p, unsigned int i)
{
	int d = sf_pick(p, SF_K(SF_DIR)), tfd;
	long ret;

	if (d < 0)
		return open_tree(-1, "", AT_EMPTY_PATH);
	tfd = open_tree(p->pool[d].fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			(fz_pct(&p->r, 50) ? AT_RECURSIVE : 0));
	if (tfd < 0)
		return -1;
	ret = move_mount(tfd, "", AT_FDCWD, sf.inst[i], MOVE_MOUNT_F_EMPTY_PATH);
	close(tfd);
	return ret;
}

static long sf_op_mount(struct sf_proc *p)
{
	unsigned int i = fz_below(&p->r, SF_INSTANCES), k = fz_below(&p->r, 100);
	unsigned long flags = sf_mount_flags(p);
	char opts[1400];

	sf_opts(p, opts, sizeof(opts), 10);
	sf_note(p, -1, i);
	if (k < 30)
		return sf_fsmount(p, i);
	if (mypts_mount_count(sf.inst[i]) >= SF_MAX_DEPTH)
		return umount2(sf.inst[i], MNT_DETACH);
	if (k < 85)
		return mount("mypts", sf.inst[i], "mypts", flags, fz_pct(&p->r, 5) ? NULL : opts);
	return sf_bind(p, i);
}

static long sf_op_umount(struct sf_proc *p)
{
	static const int fl[] = {
		0, 0, 0, 0, 0, 0, MNT_DETACH, MNT_DETACH, MNT_DETACH, MNT_FORCE, MNT_EXPIRE,
		UMOUNT_NOFOLLOW,
	};
	unsigned int i = fz_below(&p->r, SF_INSTANCES);
	int flags = fl[fz_below(&p->r, FZ_ARRAY_SIZE(fl))];

	/* Keep the instances mounted most of the time. */
	if (mypts_mount_count(sf.inst[i]) <= 1 && fz_pct(&p->r, 60))
		return sf_op_mount(p);
	sf_note(p, -1, flags);
	return umount2(sf.inst[i], flags);
}

static long sf_op_remount(struct sf_proc *p)
{
	unsigned int i = fz_below(&p->r, SF_INSTANCES), k = fz_below(&p->r, 100);
	char opts[1400];
	long ret;
	int fd;

	sf_opts(p, opts, sizeof(opts), 10);
	sf_note(p, -1, k);
	if (k < 50)
		return mount(NULL, sf.inst[i], NULL, MS_REMOUNT | sf_mount_flags(p), opts);
	if (k < 65)
		return mount(NULL, sf.inst[i], NULL,
			     MS_REMOUNT | MS_BIND | (fz_pct(&p->r, 50) ? MS_RDONLY : 0), NULL);
	fd = fspick(AT_FDCWD, sf.inst[i], FSPICK_CLOEXEC);
	if (fd < 0)
		return -1;
	sf_fsconfig(p, fd);
	ret = fsconfig(fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0);
	close(fd);
	return ret;
}

/* The operations, with how often each is picked. */

static const struct sf_op {
	const char *name;
	unsigned int weight;
	long (*fn)(struct sf_proc *p);
} sf_ops[SF_NR_OPS] = {
	[SF_OPEN_PTMX] = { "open-ptmx", 10, sf_op_open_ptmx },
	[SF_OPEN_SLAVE] = { "open-slave", 10, sf_op_open_slave },
	[SF_OPEN_PEER] = { "open-peer", 5, sf_op_open_peer },
	[SF_OPEN_DIR] = { "open-dir", 2, sf_op_open_dir },
	[SF_OPEN_TTY] = { "open-tty", 3, sf_op_open_tty },
	[SF_CLOSE] = { "close", 14, sf_op_close },
	[SF_DUP] = { "dup", 4, sf_op_dup },
	[SF_READ] = { "read", 18, sf_op_read },
	[SF_WRITE] = { "write", 18, sf_op_write },
	[SF_VECTOR] = { "vector", 4, sf_op_vector },
	[SF_POLL] = { "poll", 6, sf_op_poll },
	[SF_EPOLL] = { "epoll", 5, sf_op_epoll },
	[SF_IOCTL] = { "ioctl", 40, sf_op_ioctl },
	[SF_IOCTL_RANDOM] = { "ioctl-random", 8, sf_op_ioctl_random },
	[SF_TERMIOS] = { "termios", 8, sf_op_termios },
	[SF_LDISC] = { "ldisc", 4, sf_op_ldisc },
	[SF_FCNTL] = { "fcntl", 4, sf_op_fcntl },
	[SF_FILE] = { "file", 4, sf_op_file },
	[SF_PATH] = { "path", 3, sf_op_path },
	[SF_SYSCTL] = { "sysctl", 1, sf_op_sysctl },
	[SF_PASS] = { "pass", 3, sf_op_pass },
	[SF_FORK] = { "fork", 1, sf_op_fork },
	[SF_KILL] = { "kill", 2, sf_op_kill },
	[SF_SESSION] = { "session", 2, sf_op_session },
	[SF_UNSHARE] = { "unshare", 1, sf_op_unshare },
	[SF_MOUNT] = { "mount", 1, sf_op_mount },
	[SF_UMOUNT] = { "umount", 1, sf_op_umount },
	[SF_REMOUNT] = { "remount", 1, sf_op_remount },
	[SF_VHANGUP] = { "vhangup", 1, sf_op_vhangup },
};

static unsigned int sf_pick_op(struct sf_proc *p)
{
	static const unsigned int opens[] = {
		SF_OPEN_PTMX, SF_OPEN_PTMX, SF_OPEN_PTMX, SF_OPEN_PEER, SF_OPEN_SLAVE, SF_OPEN_TTY,
	};
	static unsigned int total;
	unsigned int i, k;

	/* Most operations want a descriptor: get one first, mostly. */
	if (!p->npool && fz_pct(&p->r, 50))
		return opens[fz_below(&p->r, FZ_ARRAY_SIZE(opens))];
	if (!total)
		for (i = 0; i < SF_NR_OPS; i++)
			total += sf_ops[i].weight;
	k = fz_below(&p->r, total);
	for (i = 0; k >= sf_ops[i].weight; i++)
		k -= sf_ops[i].weight;
	return i;
}

static void sf_run_one(struct sf_proc *p)
{
	unsigned int op = sf_pick_op(p);
	struct sf_slot *s = p->slot;
	long long t0 = sf_now_us();
	struct sf_rec *h;
	long ret;
	int err;

	s->fd = -1;
	s->arg = 0;
	s->op = op;
	__atomic_store_n(&s->op_start, t0 / 1000 ?: 1, __ATOMIC_SEQ_CST);
	errno = 0;
	ret = sf_ops[op].fn(p);
	err = ret < 0 ? errno : 0;
	if (p->reborn) {
		/* A fork's child: its slot is new and it did not run this operation. */
		p->reborn = false;
		return;
	}
	__atomic_store_n(&s->op_start, 0, __ATOMIC_SEQ_CST);
	t0 = sf_now_us() - t0;
	__atomic_add_fetch(&sf.sh->us[op], t0, __ATOMIC_RELAXED);
	if ((unsigned long long)t0 > __atomic_load_n(&sf.sh->max_us[op], __ATOMIC_RELAXED))
		__atomic_store_n(&sf.sh->max_us[op], t0, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sf.sh->calls[op], 1, __ATOMIC_RELAXED);
	if (ret >= 0)
		__atomic_add_fetch(&sf.sh->ok[op], 1, __ATOMIC_RELAXED);
	else if (err > 0 && err < (int)FZ_ARRAY_SIZE(sf.sh->errnos[op]))
		__atomic_add_fetch(&sf.sh->errnos[op][err], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sf.sh->worker_ops[p->worker], 1, __ATOMIC_RELAXED);
	h = &s->hist[s->hist_pos++ % SF_HISTORY];
	h->op = op;
	h->fd = s->fd;
	h->arg = s->arg;
	h->ret = ret;
	h->err = err;
	p->ops++;
	if (err >= 512)
		sf_finding(p, "%s (fd %d, arg %#lx): errno %d, which only the kernel should see",
			   sf_ops[op].name, s->fd, s->arg, err);
}

static void sf_loop(struct sf_proc *p)
{
	for (;;) {
		if (__atomic_load_n(&sf.sh->stop, __ATOMIC_RELAXED))
			_exit(0);
		if (p->budget && p->ops >= p->budget)
			_exit(0);
		/* Orphaned after the test process died: nobody would reap us. */
		if (p->depth && !(p->ops & 63) && getppid() == 1)
			_exit(0);
		if (p->nkids)
			sf_tend(p);
		sf_run_one(p);
	}
}

static unsigned long long sf_worker_seed(unsigned int w, unsigned int gen)
{
	struct fz_rng r = { sf.seed * 0x9e3779b97f4a7c15ULL + ((unsigned long long)w << 32) + gen };

	return fz_next(&r);
}

/* Worker @w, generation @gen: a session of its own, dies with the test process. */
static void sf_worker(unsigned int w, unsigned int gen)
{
	struct sf_proc *p = &me;
	unsigned int i;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != sf.super || setsid() < 0)
		_exit(1);
	memset(p, 0, sizeof(*p));
	p->worker = w;
	p->gen = gen;
	for (i = 0; i < SF_KNOWN; i++)
		p->known[i] = i;
	fz_std_termios(&p->tio);
	p->epfd = epoll_create1(0);
	p->infd = inotify_init1(IN_NONBLOCK);
	if (pipe2(p->pipe, O_NONBLOCK | O_CLOEXEC)) {
		p->pipe[0] = -1;
		p->pipe[1] = -1;
	}
	sf_become(p, w, 0, sf_worker_seed(w, gen));
	sf_loop(p);
}

/* The test process */

static pid_t sf_spawn(unsigned int w, unsigned int gen)
{
	pid_t pid;

	memset(&sf.sh->slot[w], 0, sizeof(sf.sh->slot[w]));
	sf.sh->slot[w].pid = -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		sf_worker(w, gen);
	__atomic_store_n(&sf.sh->slot[w].pid, pid > 0 ? pid : 0, __ATOMIC_SEQ_CST);
	return pid;
}

/*
 * Reap what has ended among our children (orphans included), continue
 * the stopped ones, and with @respawn start a dead worker again.
 */
static void sf_reap(pid_t *workers, unsigned int *gens, bool respawn)
{
	unsigned int w;
	pid_t pid;

	while ((pid = sf_next_ended()) > 0) {
		for (w = 0; w < sf.procs; w++) {
			if (workers[w] != pid)
				continue;
			workers[w] = respawn ? sf_spawn(w, ++gens[w]) : 0;
		}
	}
}

static void sf_print_file(const char *fmt, pid_t pid, const char *lead, unsigned int lines)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), fmt, pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (lines-- && fgets(line, sizeof(line), f))
		printf("#   %s%s%s", lead, line, strchr(line, '\n') ? "" : "\n");
	fclose(f);
}

/* What the process in @s is doing, and what it did last. */
static void sf_report_proc(struct sf_slot *s, pid_t pid)
{
	unsigned int i, n;
	struct sf_rec *h;

	printf("#   pid %d: worker %u, generation %u, depth %u, seed %#llx, state %c, nr %ld\n",
	       pid, s->worker, s->gen, s->depth, s->seed, pty_task_state(pid),
	       pty_task_syscall(pid));
	if (s->op_start)
		printf("#   in %s (fd %d, arg %#lx)\n", sf_ops[s->op % SF_NR_OPS].name, s->fd,
		       s->arg);
	sf_print_file("/proc/%d/wchan", pid, "wchan ", 1);
	sf_print_file("/proc/%d/stack", pid, "", 32);
	n = s->hist_pos < SF_HISTORY ? s->hist_pos : SF_HISTORY;
	for (i = 0; i < n; i++) {
		h = &s->hist[(s->hist_pos - n + i) % SF_HISTORY];
		printf("#   before: %s (fd %d, arg %#lx) = %ld, errno %d\n",
		       sf_ops[h->op % SF_NR_OPS].name, h->fd, h->arg, h->ret, h->err);
	}
	fflush(stdout);
}

/* The per-operation watchdog: report an operation that does not end. */
static void sf_watchdog(void)
{
	long long now = sf_now_ms(), start;
	struct sf_slot *s;
	unsigned int i;
	char state;
	pid_t pid;

	for (i = 0; i < sf.slots; i++) {
		s = &sf.sh->slot[i];
		pid = __atomic_load_n(&s->pid, __ATOMIC_SEQ_CST);
		start = __atomic_load_n(&s->op_start, __ATOMIC_SEQ_CST);
		if (pid <= 0 || !start || s->reported == start ||
		    now - start < SF_STUCK_S * 1000LL * (sf.slow > 1 ? 2 : 1))
			continue;
		state = pty_task_state(pid);
		/* Stopped ones are continued by their parents; zombies wait for them. */
		if (!state || state == 'T' || state == 't' || state == 'Z')
			continue;
		s->reported = start;
		sf.sh->stuck++;
		printf("# sysfuzz: seed %llu: FINDING: an operation has not returned for %lld s\n",
		       sf.seed, (now - start) / 1000);
		sf_report_proc(s, pid);
	}
}

/*
 * SIGKILL every child of ours (orphans are ours too), or with @report
 * describe them; how many there were. /proc/PID/task/TID/children needs
 * CONFIG_PROC_CHILDREN, which the debug kernel lacks: look at every task.
 */
static unsigned int sf_kill_children(bool report)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	unsigned int n = 0, i;
	pid_t pid, ppid;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		pid = strtol(de->d_name, NULL, 10);
		ppid = 0;
		if (pid <= 0 || !pty_task_stat(pid, &ppid) || ppid != sf.super)
			continue;
		n++;
		if (!report) {
			kill(pid, SIGKILL);
			continue;
		}
		printf("# sysfuzz: seed %llu: FINDING: pid %d cannot be reaped\n", sf.seed, pid);
		for (i = 0; i < sf.slots && sf.sh->slot[i].pid != pid; i++)
			;
		if (i < sf.slots)
			sf_report_proc(&sf.sh->slot[i], pid);
		else
			sf_print_file("/proc/%d/stack", pid, "", 32);
	}
	closedir(d);
	return n;
}

static bool sf_have_children(void)
{
	siginfo_t si;

	return !waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT);
}

/* Wait for a child to change state, at most @ms. */
static void sf_nap(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigtimedwait(&chld, NULL, &ts);
}

/* Unmount every layer at @dir; 0, or the errno of the umount that failed. */
static int sf_unmount_all(const char *dir, unsigned int *layers)
{
	long long end = sf_now_ms() + SF_SETTLE_S * 1000LL * sf.slow;

	for (;;) {
		if (!umount2(dir, 0)) {
			(*layers)++;
			continue;
		}
		if (errno == EINVAL)
			return 0;
		if (errno != EBUSY || sf_now_ms() > end)
			return errno;
		/* A pair's release may still hold the mount for a moment. */
		usleep(20000);
	}
}

/* The three errnos @op failed with most often. */
static void sf_print_errnos(unsigned int op)
{
	const unsigned int *e = sf.sh->errnos[op];
	unsigned int i, j, best, shown = 0;
	bool done[134] = { false };

	for (j = 0; j < 3; j++) {
		best = 0;
		for (i = 1; i < FZ_ARRAY_SIZE(done); i++)
			if (!done[i] && e[i] > e[best])
				best = i;
		if (!e[best])
			break;
		done[best] = true;
		printf("%s%s %u", shown++ ? ", " : "  ", strerrorname_np(best), e[best]);
	}
}

static void sf_print_stats(double secs)
{
	unsigned long long total = 0;
	unsigned int i;

	for (i = 0; i < SF_NR_OPS; i++)
		total += sf.sh->calls[i];
	printf("# sysfuzz: %llu ops in %.1f s, %.0f ops/s, seed %llu\n",
	       total, secs, total / (secs > 0 ? secs : 1), sf.seed);
	printf("# sysfuzz:   %-13s %9s %9s %9s %9s %9s  %s\n", "operation", "calls", "succeeded",
	       "total s", "mean ms", "max ms", "errors");
	for (i = 0; i < SF_NR_OPS; i++) {
		printf("# sysfuzz:   %-13s %9llu %9llu %9.1f %9.2f %9.1f", sf_ops[i].name,
		       sf.sh->calls[i], sf.sh->ok[i], sf.sh->us[i] / 1e6,
		       sf.sh->us[i] / 1e3 / (sf.sh->calls[i] ?: 1), sf.sh->max_us[i] / 1e3);
		sf_print_errnos(i);
		printf("\n");
	}
	for (i = 0; i < sf.procs; i++)
		printf("# sysfuzz:   worker %u and its children: %llu ops\n", i,
		       sf.sh->worker_ops[i]);
	printf("# sysfuzz:   %u forks; deaths by signal:", sf.sh->forks);
	for (i = 1; i < 65; i++)
		if (sf.sh->deaths[i])
			printf(" %s %u", strsignal(i), sf.sh->deaths[i]);
	printf("\n");
	fflush(stdout);
}

/*
 * <dir>/ptmx: the first instance's ptmx node bound onto a file, as
 * /dev/pts/ptmx is onto /dev/ptmx; <dir>/myptmx: a node of the module's
 * global device, which opens in the instance on <dir>/mypts (or pts).
 */
static void sf_make_nodes(void)
{
	char from[160];
	struct stat st;
	int fd;

	snprintf(from, sizeof(from), "%s/ptmx", sf.inst[0]);
	snprintf(sf.node[0], sizeof(sf.node[0]), "%s/ptmx", sf.dir);
	fd = open(sf.node[0], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd >= 0)
		close(fd);
	if (fd < 0 || mount(from, sf.node[0], NULL, MS_BIND, NULL)) {
		unlink(sf.node[0]);
		sf.node[0][0] = '\0';
	}
	snprintf(sf.node[1], sizeof(sf.node[1]), "%s/myptmx", sf.dir);
	if (stat("/dev/myptmx", &st) || !S_ISCHR(st.st_mode) ||
	    mknod(sf.node[1], S_IFCHR | 0666, st.st_rdev))
		sf.node[1][0] = '\0';
}

FIXTURE(sysfuzz) {
	int nr_before;
	int max_before, reserve_before;
};

FIXTURE_SETUP(sysfuzz)
{
	static const char *const names[SF_INSTANCES] = { "mypts", "pts", "m2" };
	unsigned int i;

	sf.seconds = sf_seconds();
	sf.seed = mypts_env_num("MYPTS_SYSFUZZ_SEED", mypts_env_num("mypts_sysfuzz_seed", 1));
	sf.procs = sf_knob("MYPTS_SYSFUZZ_PROCS", "mypts_sysfuzz_procs", 4);
	if (sf.procs < 1)
		sf.procs = 1;
	if (sf.procs > SF_MAX_WORKERS)
		sf.procs = SF_MAX_WORKERS;
	sf.slots = sf.procs * 4 < SF_MAX_PROCS ? sf.procs * 4 : SF_MAX_PROCS;
	sf.slow = sf_slowness();
	sf.super = getpid();
	sf.ldisc = mypts_read_int(LDISC_PARAM);
	ASSERT_LT(0, sf.ldisc) TH_LOG("no %s: is mypts loaded?", LDISC_PARAM);
	self->nr_before = mypts_read_int(NR_PATH);
	ASSERT_LE(0, self->nr_before);
	self->max_before = mypts_read_int(MAX_PATH);
	ASSERT_LE(0, self->max_before);
	self->reserve_before = mypts_read_int(RESERVE_PATH);
	ASSERT_LE(0, self->reserve_before);
	sf.sh = pty_shared(sizeof(*sf.sh));
	ASSERT_NE(NULL, sf.sh);
	ASSERT_EQ(0, sf_map_bad());
	/* The debug kernel has no AF_UNIX: no passing there. */
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sf.sock)) {
		sf.sock[0] = -1;
		sf.sock[1] = -1;
	}
	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(sf.dir, sizeof(sf.dir)));
	for (i = 0; i < SF_INSTANCES; i++) {
		snprintf(sf.inst[i], sizeof(sf.inst[i]), "%s/%s", sf.dir, names[i]);
		ASSERT_EQ(0, mkdir(sf.inst[i], 0755));
		ASSERT_EQ(0, mount("mypts", sf.inst[i], "mypts", 0, "ptmxmode=0666"));
	}
	sf_make_nodes();
}

FIXTURE_TEARDOWN(sysfuzz)
{
	static const char *const junk[] = { "sf-x", "sf-y" };
	char path[160];
	unsigned int i, j;

	if (self->max_before > 0) {
		mypts_write_int(MAX_PATH, self->max_before);
		mypts_write_int(RESERVE_PATH, self->reserve_before);
	}
	for (i = 0; i < SF_NODES; i++) {
		if (!sf.node[i][0])
			continue;
		umount2(sf.node[i], MNT_DETACH);
		unlink(sf.node[i]);
	}
	for (i = 0; i < SF_INSTANCES && sf.inst[i][0]; i++) {
		while (!umount2(sf.inst[i], MNT_DETACH))
			;
		/* Made while the instance was not mounted, if ever. */
		for (j = 0; j < FZ_ARRAY_SIZE(junk); j++) {
			snprintf(path, sizeof(path), "%s/%s", sf.inst[i], junk[j]);
			if (unlink(path))
				rmdir(path);
		}
		rmdir(sf.inst[i]);
	}
	rmdir(sf.dir);
}

TEST_F_TIMEOUT(sysfuzz, run, 600)
{
	pid_t workers[SF_MAX_WORKERS] = { 0 };
	unsigned int gens[SF_MAX_WORKERS] = { 0 };
	unsigned int i, layers = 0, left;
	int errs[SF_INSTANCES + SF_NODES], nr, fd;
	long long start, end, stop;
	struct rlimit nocore = { 0, 0 };
	sigset_t chld;

	printf("# sysfuzz: seed %llu, %u s, %u workers (%u processes at most), ldisc %d, in %s\n",
	       sf.seed, sf.seconds, sf.procs, sf.slots, sf.ldisc, sf.dir);
	printf("# sysfuzz: replay with MYPTS_SYSFUZZ_SEED=%llu MYPTS_SYSFUZZ_PROCS=%u%s%s\n",
	       sf.seed, sf.procs, sf.node[0][0] ? "; ptmx bound beside" : "",
	       sf.node[1][0] ? "; myptmx beside" : "");
	fflush(stdout);

	/* No child keeps the console that the harness gave us as stdin. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dup2(fd, STDIN_FILENO));
	close(fd);
	ASSERT_EQ(0, setrlimit(RLIMIT_CORE, &nocore));
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &chld, NULL));

	/* From here to the last reap nothing may return early. */
	start = sf_now_ms();
	end = start + sf.seconds * 1000LL;
	for (i = 0; i < sf.procs; i++)
		workers[i] = sf_spawn(i, 0);
	while (sf_now_ms() < end) {
		sf_nap(50);
		sf_reap(workers, gens, true);
		sf_watchdog();
		nr = mypts_read_int(NR_PATH);
		if (nr > sf.sh->nr_peak)
			sf.sh->nr_peak = nr;
	}
	stop = sf_now_ms();
	__atomic_store_n(&sf.sh->stop, 1, __ATOMIC_SEQ_CST);

	/* The processes see the end and exit; then whoever remains is killed. */
	end = sf_now_ms() + SF_GRACE_S * 1000LL * sf.slow;
	while (sf_have_children() && sf_now_ms() < end) {
		sf_nap(50);
		sf_reap(workers, gens, false);
		sf_watchdog();
	}
	end = sf_now_ms() + SF_REAP_S * 1000LL * sf.slow;
	while (sf_have_children() && sf_now_ms() < end) {
		sf_kill_children(false);
		sf_nap(50);
		sf_reap(workers, gens, false);
	}
	left = sf_kill_children(true);
	fflush(stdout);
	/* What is still in flight goes with the socket. */
	if (sf.sock[0] >= 0) {
		close(sf.sock[0]);
		close(sf.sock[1]);
	}
	EXPECT_EQ(0, mypts_write_int(MAX_PATH, self->max_before));
	EXPECT_EQ(0, mypts_write_int(RESERVE_PATH, self->reserve_before));

	for (i = 0; i < SF_NODES; i++)
		errs[SF_INSTANCES + i] = sf.node[i][0] ? sf_unmount_all(sf.node[i], &layers) : 0;
	for (i = 0; i < SF_INSTANCES; i++)
		errs[i] = sf_unmount_all(sf.inst[i], &layers);
	end = sf_now_ms() + SF_SETTLE_S * 1000LL * sf.slow;
	while ((nr = mypts_read_int(NR_PATH)) != self->nr_before && sf_now_ms() < end)
		usleep(20000);

	sf_print_stats((stop - start) / 1000.0);
	printf("# sysfuzz: %d pairs at most (%d before); %u mounts left, reaped in %.1f s\n",
	       sf.sh->nr_peak, self->nr_before, layers, (sf_now_ms() - stop) / 1000.0);
	fflush(stdout);

	EXPECT_EQ(0U, left) TH_LOG("seed %llu: %u processes could not be reaped", sf.seed, left);
	EXPECT_EQ(0, sf.sh->stuck)
		TH_LOG("seed %llu: %d operations did not return", sf.seed, sf.sh->stuck);
	EXPECT_EQ(0, sf.sh->findings)
		TH_LOG("seed %llu: %d findings (see above)", sf.seed, sf.sh->findings);
	for (i = 0; i < SF_INSTANCES + SF_NODES; i++) {
		EXPECT_EQ(0, errs[i])
			TH_LOG("seed %llu: umount %s after every close: %s", sf.seed,
			       i < SF_INSTANCES ? sf.inst[i] : sf.node[i - SF_INSTANCES],
			       strerror(errs[i]));
	}
	EXPECT_EQ(self->nr_before, nr)
		TH_LOG("seed %llu: kernel.mypts.nr %d before, %d after", sf.seed,
		       self->nr_before, nr);
	EXPECT_LT(0ULL, sf.sh->ok[SF_OPEN_PTMX])
		TH_LOG("seed %llu: no pty was ever opened", sf.seed);
}

/* The harness's timeout for the test: its duration, and time to tear down. */
static void __attribute__((constructor)) sf_set_timeout(void)
{
	_sysfuzz_run_object.timeout = sf_seconds() + 60 +
		(SF_GRACE_S + SF_REAP_S + 2 * SF_SETTLE_S) * sf_slowness();
}

TEST_HARNESS_MAIN
