// SPDX-License-Identifier: GPL-2.0
/*
 * failslab_test - fail the slab allocations of each mypts path, one at a
 * time, and check that the path either works or fails cleanly.
 *
 * /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION, in the kernel of
 * "make check-debug") makes the Nth fault-injection point the thread passes
 * fail. With failslab the only capability built in, every point is a slab
 * allocation, whoever makes it: the VFS, the tty core, kmemleak's own
 * records (which it replaces from a pool without a word) or mypts. For each
 * operation the walk arms N = 1, 2, ..., runs the operation in this thread,
 * reads fail-nth back (0: the fault was injected) and disarms, until an
 * operation completes without reaching its Nth point. After every step:
 *
 *  - the operation succeeded, or failed with an errno of its allowed set,
 *    and what it did is there (or, failed, is not);
 *  - kernel.mypts.nr is back to its baseline, the instance holds only its
 *    ptmx node, a new pair gets number 0 again and carries bytes both ways;
 *  - the module's "created" and "destroyed" debug lines balance (the
 *    guest's end-of-run check, pinned to an operation and a point).
 *
 * An injection into kmemleak's own records does not fail the operation,
 * so the walk prints both counts: "# op: N points, M failed it". A failed
 * vmalloc() (the data of N_TTY and of mypts' discipline, whose open every
 * pair allocation and TIOCSETD passes) prints a stack with "vmalloc error"
 * through warn_alloc(), at most one per 10 s: the kernel's way, not a
 * fault of the path under test. The debug tier's log scan sets such
 * reports aside (scripts/scan-log.sh), and only those.
 *
 * failslab is set to fail sleeping allocations too (ignore-gfp-wait = N)
 * and to stay silent (verbose = 0); both are restored at the end. On a
 * kernel without fail-nth each operation runs once, unfailed, with the same
 * checks, and the case reports SKIP when they pass.
 */
#include <stdbool.h>

#include "kselftest_harness.h"
#include "mypts_util.h"
#include "pty_util.h"

#define NR_PATH		"/proc/sys/kernel/mypts/nr"
#define MAX_PATH	"/proc/sys/kernel/mypts/max"
#define LDISC_PARAM	"/sys/module/mypts/parameters/ldisc"
#define NTH_PATH	"/proc/thread-self/fail-nth"
#define DEBUGFS		"/sys/kernel/debug"
#define GFP_WAIT	DEBUGFS "/failslab/ignore-gfp-wait"
#define VERBOSE		DEBUGFS "/failslab/verbose"

#define FI_OPTS		"mode=620,ptmxmode=666,max=8"
#define FI_SHOWN	"rw,mode=620,ptmxmode=666,max=8"
#define FI_OPTS2	"mode=600,ptmxmode=640,max=6"
#define FI_SHOWN2	"rw,mode=600,ptmxmode=640,max=6"
/* No operation here comes near this many points; a walk past it is a bug. */
#define FI_LIMIT	3000
#define FI_STEPS	8

/* The state of one test: what it set up, and the operation at hand. */
struct fi_ctx {
	char dir[64];		/* the instance under test, FI_OPTS */
	char dir2[64];		/* for other mounts */
	char path[128];		/* a path an operation opens */
	int nth;		/* /proc/thread-self/fail-nth, or -1 */
	int kmsg;		/* /dev/kmsg, read from the test's start */
	int live;		/* objects the module's debug lines left alive */
	int held;		/* of those, instances the test holds on dir2 */
	char line[128];		/* the module's last debug line */
	int base;		/* kernel.mypts.nr before the test */
	int ldisc;		/* mypts' discipline number */
	char gfp_wait[16];	/* failslab settings to restore */
	char verbose[16];
	int point;		/* the point armed */
	/* The operation at hand: its pair, and what each step returned. */
	struct pty_pair p;
	int fd;
	int ret[FI_STEPS];
	int err[FI_STEPS];
	char got[FI_STEPS][256];
	long val;
};

FIXTURE(fi) {
	struct fi_ctx ctx;
};

/**
 * struct fi_op - one operation the walk fails point by point
 * @name: its name in the output
 * @errs: errnos it may fail with, 0-terminated
 * @prepare: before arming; may be NULL
 * @run: the operation, armed: system calls only, no assertion; returns 0
 *	or the errno of the first step that failed
 * @check: after disarming, with what @run returned: asserts what the
 *	operation left and cleans it up
 */
struct fi_op {
	const char *name;
	const int *errs;
	void (*prepare)(struct __test_metadata *_metadata, struct fi_ctx *fi);
	int (*run)(struct fi_ctx *fi);
	void (*check)(struct __test_metadata *_metadata, struct fi_ctx *fi, int err);
};

/*
 * One case per operation, as a variant of the fixture (the list is at the
 * end); its name in TAP is fi.<variant>.each_point.
 */
FIXTURE_VARIANT(fi) {
	struct fi_op op;
};

/* Read a short text file into @buf, newline stripped; 0 or -1. */
static int fi_read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Arm the thread's fail-nth: its @n-th fault-injection point fails. */
static int fi_arm(int nth, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return write(nth, buf, len) == len ? 0 : -1;
}

/*
 * Disarm, and say whether the armed fault was injected: 1 if it was, 0 if
 * the operation passed fewer points, -1 on error. Call it right after the
 * operation: the count goes down at every point until it reaches 0.
 */
static int fi_disarm(int nth)
{
	char buf[16] = "";
	ssize_t n = pread(nth, buf, sizeof(buf) - 1, 0);

	if (write(nth, "0", 1) != 1 || n <= 0)
		return -1;
	return atoi(buf) == 0;
}

/* errno of a call that returned @ret (< 0 means it failed), 0 if it worked. */
static int fi_errno(long ret)
{
	return ret < 0 ? errno : 0;
}

/*
 * Read the kernel log since the last call and count the module's
 * "<kind> <id> created" lines against its "destroyed" ones (the guest's
 * balance check, step by step). Frees wait for RCU and the tty core's
 * release work: while more is alive than the test holds, wait (bounded).
 * Returns how many objects the lines leave alive.
 */
static int fi_kmsg_settle(struct fi_ctx *fi)
{
	char rec[1024], kind[32], what[16];
	int waited = 0, id, dir;
	ssize_t n;

	for (;;) {
		n = read(fi->kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (n > 0) {
			const char *text = memchr(rec, ';', n);

			rec[n] = '\0';
			if (!text || sscanf(text + 1, "mypts: %31s %d %15s", kind, &id, what) != 3)
				continue;
			dir = !strcmp(what, "created") - !strcmp(what, "destroyed");
			if (dir)
				snprintf(fi->line, sizeof(fi->line), "%s %d %s", kind, id, what);
			fi->live += dir;
			continue;
		}
		if (fi->live <= fi->held || waited >= PTY_WAIT_MS)
			return fi->live;
		pty_poll(fi->kmsg, POLLIN, 100);
		waited += 100;
	}
}

/*
 * Bytes both ways on a pair, disarmed: the master's "ping\n" reaches the
 * slave and the slave's "pong\n" the master; with @cooked the slave's
 * termios are the defaults (ECHO, ONLCR), else cfmakeraw()'s.
 */
static void fi_round_trip(struct __test_metadata *_metadata, int m, int s, bool cooked)
{
	const char *pong = cooked ? "pong\r\n" : "pong\n";
	char buf[32];

	ASSERT_EQ(5, pty_write_str(m, "ping\n"));
	EXPECT_STREQ("ping\n", pty_read_str(s, buf, sizeof(buf), 5, PTY_WAIT_MS));
	if (cooked)
		EXPECT_STREQ("ping\r\n", pty_read_str(m, buf, sizeof(buf), 6, PTY_WAIT_MS));
	ASSERT_EQ(5, pty_write_str(s, "pong\n"));
	EXPECT_STREQ(pong, pty_read_str(m, buf, sizeof(buf), strlen(pong), PTY_WAIT_MS));
}

/*
 * The instance at @dir is whole: no pair counted but the test's own, no
 * node but ptmx, and a new pair (number 0: nothing kept a number) works.
 */
static void fi_instance_works(struct __test_metadata *_metadata, struct fi_ctx *fi,
			      const char *dir)
{
	struct pty_pair p;

	EXPECT_EQ(fi->base, mypts_read_int(NR_PATH))
		TH_LOG("point %d: pairs counted after the operation", fi->point);
	EXPECT_EQ(1, mypts_count_entries(dir))
		TH_LOG("point %d: nodes left in %s", fi->point, dir);
	EXPECT_EQ(fi->held, fi_kmsg_settle(fi))
		TH_LOG("point %d: the module's debug lines: %d alive, the last \"%s\"",
		       fi->point, fi->live, fi->line);
	fi->live = fi->held;
	open_pair(_metadata, dir, &p);
	EXPECT_EQ(0, p.index) TH_LOG("point %d: a number was not given back", fi->point);
	fi_round_trip(_metadata, p.master, p.slave, true);
	pty_close_pair(&p);
	EXPECT_EQ(fi->base, mypts_read_int(NR_PATH));
}

static const int fi_enomem[] = { ENOMEM, 0 };
static const int fi_none[] = { 0 };

static bool fi_allowed(const int *errs, int err)
{
	for (; *errs; errs++)
		if (*errs == err)
			return true;
	return false;
}

static double fi_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Fail each point of @op in turn; print how many it has. Without fail-nth,
 * run it once, unfailed.
 */
static void fi_walk(struct __test_metadata *_metadata, struct fi_ctx *fi,
		    const struct fi_op *op)
{
	double start = fi_now();
	int n, err, hit = 1, failed = 0;

	for (n = 1; hit && n <= FI_LIMIT; n++) {
		fi->point = n;
		if (op->prepare)
			op->prepare(_metadata, fi);
		if (fi->nth >= 0)
			ASSERT_EQ(0, fi_arm(fi->nth, n));
		err = op->run(fi);
		hit = fi->nth >= 0 ? fi_disarm(fi->nth) : 0;
		ASSERT_LE(0, hit) TH_LOG("%s: reading %s: %s", op->name, NTH_PATH,
					 strerror(errno));
		if (!hit) {
			EXPECT_EQ(0, err)
				TH_LOG("%s: %s with no fault injected", op->name, strerror(err));
		} else if (err) {
			failed++;
			EXPECT_TRUE(fi_allowed(op->errs, err))
				TH_LOG("%s: point %d failed it with %s (%d)", op->name, n,
				       strerror(err), err);
		}
		op->check(_metadata, fi, err);
		fi_instance_works(_metadata, fi, fi->dir);
	}
	EXPECT_FALSE(hit) TH_LOG("%s: still failing after %d points", op->name, FI_LIMIT);
	if (fi->nth >= 0)
		ksft_print_msg("%s: %d points, %d failed it (%.1f s)\n", op->name, n - 2,
			       failed, fi_now() - start);
	fflush(stdout);	/* the test's process ends with _exit() */
}

/* failslab: fail sleeping allocations too, and print nothing when failing. */
static void fi_setup_failslab(struct __test_metadata *_metadata, struct fi_ctx *fi)
{
	if (access(GFP_WAIT, F_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	ASSERT_EQ(0, fi_read_text(GFP_WAIT, fi->gfp_wait, sizeof(fi->gfp_wait)))
		TH_LOG("%s: %s", GFP_WAIT, strerror(errno));
	ASSERT_EQ(0, fi_read_text(VERBOSE, fi->verbose, sizeof(fi->verbose)));
	ASSERT_EQ(0, mypts_write_file(GFP_WAIT, "N"));
	ASSERT_EQ(0, mypts_write_file(VERBOSE, "0"));
}

FIXTURE_SETUP(fi)
{
	struct fi_ctx *fi = &self->ctx;

	fi->nth = -1;
	fi->kmsg = -1;
	fi->fd = -1;
	fi->p.master = -1;
	fi->p.slave = -1;
	ASSERT_EQ(0, mypts_private_ns());
	if (!access(NTH_PATH, F_OK)) {
		fi_setup_failslab(_metadata, fi);
		fi->nth = open(NTH_PATH, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fi->nth);
	}
	fi->ldisc = mypts_read_int(LDISC_PARAM);
	ASSERT_LT(0, fi->ldisc) TH_LOG("no %s", LDISC_PARAM);
	fi->base = mypts_read_int(NR_PATH);
	ASSERT_LE(0, fi->base);
	ASSERT_EQ(0, mypts_tmpdir(fi->dir, sizeof(fi->dir)));
	ASSERT_EQ(0, mypts_tmpdir(fi->dir2, sizeof(fi->dir2)));
	ASSERT_EQ(0, mount("mypts", fi->dir, "mypts", 0, FI_OPTS));
	fi->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fi->kmsg);
	ASSERT_LE(0, lseek(fi->kmsg, 0, SEEK_END));
}

FIXTURE_TEARDOWN(fi)
{
	struct fi_ctx *fi = &self->ctx;

	if (fi->nth >= 0) {
		if (write(fi->nth, "0", 1) != 1)
			TH_LOG("could not disarm fail-nth");
		close(fi->nth);
	}
	if (fi->gfp_wait[0] && mypts_write_file(GFP_WAIT, fi->gfp_wait))
		TH_LOG("could not restore %s", GFP_WAIT);
	if (fi->verbose[0] && mypts_write_file(VERBOSE, fi->verbose))
		TH_LOG("could not restore %s", VERBOSE);
	if (fi->fd >= 0)
		close(fi->fd);
	if (fi->kmsg >= 0)
		close(fi->kmsg);
	pty_close_pair(&fi->p);
	/* The instance must still go away at the end. */
	EXPECT_EQ(0, umount(fi->dir)) TH_LOG("umount %s: %s", fi->dir, strerror(errno));
	umount2(fi->dir2, MNT_DETACH);
	rmdir(fi->dir);
	rmdir(fi->dir2);
	if (fi->nth < 0 && _metadata->passed)
		SKIP(return, "no %s (no CONFIG_FAULT_INJECTION): ran once, unfailed", NTH_PATH);
}

/* A master and its slave (TIOCGPTPEER) with default termios, disarmed. */
static void fi_open_peer_pair(struct __test_metadata *_metadata, struct fi_ctx *fi)
{
	fi->p.master = open_master(_metadata, fi->dir, 0);
	fi->p.index = pty_index(fi->p.master);
	ASSERT_EQ(0, pty_set_lock(fi->p.master, 0));
	fi->p.slave = ioctl(fi->p.master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, fi->p.slave);
}

/* A master alone, unlocked, disarmed. */
static void fi_open_master(struct __test_metadata *_metadata, struct fi_ctx *fi)
{
	fi->p.master = open_master(_metadata, fi->dir, 0);
	fi->p.index = pty_index(fi->p.master);
	ASSERT_LE(0, fi->p.index);
	ASSERT_EQ(0, pty_set_lock(fi->p.master, 0));
}

/* The pair of the operation works as it is (disarmed), then goes. */
static void fi_pair_works(struct __test_metadata *_metadata, struct fi_ctx *fi,
			  bool cooked)
{
	fi_round_trip(_metadata, fi->p.master, fi->p.slave, cooked);
	pty_close_pair(&fi->p);
}

/* ---- mount and umount of a new instance ---- */

static int fi_run_mount(struct fi_ctx *fi)
{
	return fi_errno(mount("mypts", fi->dir2, "mypts", 0, FI_OPTS));
}

static void fi_check_mount(struct __test_metadata *_metadata, struct fi_ctx *fi, int err)
{
	char opts[256];

	if (err) {
		EXPECT_NE(MYPTS_MAGIC, mypts_fs_magic(fi->dir2))
			TH_LOG("point %d: a failed mount left an instance", fi->point);
		return;
	}
	ASSERT_EQ(MYPTS_MAGIC, mypts_fs_magic(fi->dir2));
	fi->held = 1;
	ASSERT_EQ(0, mypts_mount_opts(fi->dir2, opts, sizeof(opts)));
	EXPECT_STREQ(FI_SHOWN, opts);
	fi_instance_works(_metadata, fi, fi->dir2);
	ASSERT_EQ(0, umount(fi->dir2));
	fi->held = 0;
}

static void fi_prepare_umount(struct __test_metadata *_metadata, struct fi_ctx *fi)
{
	ASSERT_EQ(0, mount("mypts", fi->dir2, "mypts", 0, FI_OPTS));
	fi->held = 1;
	fi_instance_works(_metadata, fi, fi->dir2);
}

static int fi_run_umount(struct fi_ctx *fi)
{
	return fi_errno(umount(fi->dir2));
}

static void fi_check_umount(struct __test_metadata *_metadata, struct fi_ctx *fi, int err)
{
	if (err) {
		ASSERT_EQ(MYPTS_MAGIC, mypts_fs_magic(fi->dir2));
		fi_instance_works(_metadata, fi, fi->dir2);
		ASSERT_EQ(0, umount(fi->dir2));
	}
	EXPECT_NE(MYPTS_MAGIC, mypts_fs_magic(fi->dir2));
	fi->held = 0;
}

/* ---- allocation of a pair: open of a ptmx node ---- */

static int fi_run_open_ptmx(struct fi_ctx *fi)
{
	fi->fd = open(fi->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	return fi_errno(fi->fd);
}

/* A master that opened: it is pair 0 of the instance, with its node. */
static void fi_check_open_ptmx(struct __test_metadata *_metadata, struct fi_ctx *fi,
			       int err)
{
	if (err) {
		EXPECT_EQ(-1, fi->fd);
		return;
	}
	fi->p.master = fi->fd;
	fi->fd = -1;
	EXPECT_EQ(0, pty_index(fi->p.master));
	EXPECT_EQ(2, mypts_count_entries(fi->dir));
	ASSERT_EQ(0, pty_set_lock(fi->p.master, 0));
	fi->p.slave = ioctl(fi->p.master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, fi->p.slave);
	fi_pair_works(_metadata, fi, true);
}

static void fi_prepare_ptmx(struct __test_metadata *_metadata, struct fi_ctx *fi)
{
	snprintf(fi->path, sizeof(fi->path), "%s/ptmx", fi->dir);
}

/*
 * The global ptmx device, opened through a node of its own beside a "mypts"
 * directory (as /dev/myptmx beside /dev/mypts): it finds the instance
 * mounted there and allocates in it.
 */
static void fi_prepare_global(struct __test_metadata *_metadata, struct fi_ctx *fi)
{
	char sub[128];
	struct stat st;

	if (fi->path[0])
		return;
	ASSERT_EQ(0, stat("/dev/myptmx", &st)) TH_LOG("/dev/myptmx: %s", strerror(errno));
	ASSERT_EQ(0, mount("tmpfs", fi->dir2, "tmpfs", 0, NULL));
	snprintf(fi->path, sizeof(fi->path), "%s/myptmx", fi->dir2);
	ASSERT_EQ(0, mknod(fi->path, S_IFCHR | 0666, st.st_rdev));
	snprintf(sub, sizeof(sub), "%s/mypts", fi->dir2);
	ASSERT_EQ(0, mkdir(sub, 0755));
	ASSERT_EQ(0, mount(fi->dir, sub, NULL, MS_BIND, NULL));
}

/* ---- opening a slave: by its node's path, and with TIOCGPTPEER ---- */

static int fi_run_open_slave(struct fi_ctx *fi)
{
	fi->fd = pty_open_slave(fi->dir, fi->p.index, 0);
	return fi_errno(fi->fd);
}

static int fi_run_peer(struct fi_ctx *fi)
{
	fi->fd = ioctl(fi->p.master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	return fi_errno(fi->fd);
}

/*
 * The slave opened, or (failed) opens now; either way it has mypts'
 * discipline and the pair works.
 */
static void fi_check_slave(struct __test_metadata *_metadata, struct fi_ctx *fi, int err)
{
	int disc = -1;

	if (err) {
		EXPECT_EQ(-1, fi->fd);
		fi->fd = pty_open_slave(fi->dir, fi->p.index, 0);
		ASSERT_LE(0, fi->fd)
			TH_LOG("point %d: slave open after the failed one: %s", fi->point,
			       strerror(errno));
	}
	EXPECT_EQ(0, ioctl(fi->fd, TIOCGETD, &disc));
	EXPECT_EQ(fi->ldisc, disc) TH_LOG("point %d", fi->point);
	fi->p.slave = fi->fd;
	fi->fd = -1;
	fi_pair_works(_metadata, fi, true);
}

/*
 * A slave reopened after TIOCVHANGUP: the hangup took the discipline away,
 * so the open makes a new one (mypts', from c_line) before it succeeds.
 */
static void fi_prepare_hungup(struct __test_metadata *_metadata, struct fi_ctx *fi)
{
	fi_open_peer_pair(_metadata, fi);
	ASSERT_EQ(0, ioctl(fi->p.slave, TIOCVHANGUP));
	close(fi->p.slave);
	fi->p.slave = -1;
}

/* ---- data both ways, canonical then raw, read back ---- */

static const char *const fi_data[] = {
	"canon\n",	/* master to slave, canonical */
	"out\n",	/* slave to master, OPOST */
	"raw",		/* master to slave, raw */
	"bytes",	/* slave to master, raw */
};

/* Step @i: write fi_data[i] on @fd, then read what it brings on @rfd. */
static void fi_data_step(struct fi_ctx *fi, int i, int fd, int rfd, const char *expect)
{
	size_t len = strlen(fi_data[i]);

	fi->ret[i] = write(fd, fi_data[i], len);
	fi->err[i] = fi_errno(fi->ret[i]);
	if (fi->ret[i] == (int)len)
		pty_read_str(rfd, fi->got[i], sizeof(fi->got[i]), strlen(expect),
			     PTY_WAIT_MS);
}

static int fi_run_data(struct fi_ctx *fi)
{
	int m = fi->p.master, s = fi->p.slave, i;

	memset(fi->got, 0, sizeof(fi->got));
	fi_data_step(fi, 0, m, s, "canon\n");
	/* The echo of the line, then the slave's line, both with ONLCR. */
	if (fi->ret[0] > 0)
		pty_read_str(m, fi->got[4], sizeof(fi->got[4]), 7, PTY_WAIT_MS);
	fi_data_step(fi, 1, s, m, "out\r\n");
	fi->ret[5] = pty_set_raw(s);
	fi->err[5] = fi_errno(fi->ret[5]);
	fi_data_step(fi, 2, m, s, "raw");
	fi_data_step(fi, 3, s, m, "bytes");
	for (i = 0; i < 6; i++)
		if (fi->err[i])
			return fi->err[i];
	return 0;
}

static void fi_check_data(struct __test_metadata *_metadata, struct fi_ctx *fi, int err)
{
	static const char *const expect[] = { "canon\n", "out\r\n", "raw", "bytes" };
	int i;

	for (i = 0; i < 4; i++) {
		if (fi->ret[i] < 0) {
			EXPECT_EQ(ENOMEM, fi->err[i])
				TH_LOG("point %d: write %d: %s", fi->point, i,
				       strerror(fi->err[i]));
			continue;
		}
		EXPECT_EQ((int)strlen(fi_data[i]), fi->ret[i])
			TH_LOG("point %d: write %d was short", fi->point, i);
		EXPECT_STREQ(expect[i], fi->got[i]) TH_LOG("point %d: step %d", fi->point, i);
	}
	if (fi->ret[0] > 0)
		EXPECT_STREQ("canon\r\n", fi->got[4]) TH_LOG("point %d: the echo", fi->point);
	EXPECT_EQ(0, fi->ret[5])
		TH_LOG("point %d: raw mode: %s", fi->point, strerror(fi->err[5]));
	if (fi->ret[5])
		ASSERT_EQ(0, pty_set_raw(fi->p.slave));
	fi_pair_works(_metadata, fi, false);
}

/* ---- TIOCSETD to N_TTY and back ---- */

static int fi_run_setd(struct fi_ctx *fi)
{
	int ntty = N_TTY;

	fi->ret[0] = ioctl(fi->p.slave, TIOCSETD, &ntty);
	fi->err[0] = fi_errno(fi->ret[0]);
	fi->ret[1] = ioctl(fi->p.slave, TIOCSETD, &fi->ldisc);
	fi->err[1] = fi_errno(fi->ret[1]);
	return fi->err[0] ? fi->err[0] : fi->err[1];
}

/* A failed TIOCSETD leaves the discipline that was there. */
static void fi_check_setd(struct __test_metadata *_metadata, struct fi_ctx *fi, int err)
{
	int disc = -1, want;

	if (fi->ret[1] == 0)
		want = fi->ldisc;
	else
		want = fi->ret[0] == 0 ? N_TTY : fi->ldisc;
	EXPECT_EQ(0, ioctl(fi->p.slave, TIOCGETD, &disc));
	EXPECT_EQ(want, disc) TH_LOG("point %d: TIOCSETD returned %d, %d", fi->point,
				     fi->ret[0], fi->ret[1]);
	if (fi->ret[1])
		EXPECT_EQ(ENOMEM, fi->err[1]);
	if (disc != fi->ldisc)
		ASSERT_EQ(0, ioctl(fi->p.slave, TIOCSETD, &fi->ldisc));
	fi_pair_works(_metadata, fi, true);
}

/* ---- remount with other options ---- */

static int fi_run_remount(struct fi_ctx *fi)
{
	return fi_errno(mount("mypts", fi->dir, "mypts", MS_REMOUNT, FI_OPTS2));
}

/*
 * A remount that worked shows the new options and applies them (ptmx
 * mode, new nodes' mode); a failed one changed nothing.
 */
static void fi_check_remount(struct __test_metadata *_metadata, struct fi_ctx *fi,
			     int err)
{
	char opts[256], node[128];
	struct stat st;

	ASSERT_EQ(0, mypts_mount_opts(fi->dir, opts, sizeof(opts)));
	EXPECT_STREQ(err ? FI_SHOWN : FI_SHOWN2, opts) TH_LOG("point %d", fi->point);
	snprintf(node, sizeof(node), "%s/ptmx", fi->dir);
	ASSERT_EQ(0, stat(node, &st));
	EXPECT_EQ(err ? 0666u : 0640u, st.st_mode & 07777);
	fi_open_master(_metadata, fi);
	pty_slave_path(fi->dir, fi->p.index, node, sizeof(node));
	ASSERT_EQ(0, stat(node, &st));
	EXPECT_EQ(err ? 0620u : 0600u, st.st_mode & 07777);
	pty_close_pair(&fi->p);
	ASSERT_EQ(0, mount("mypts", fi->dir, "mypts", MS_REMOUNT, FI_OPTS));
}

/* ---- O_ASYNC on a master: fasync_helper() allocates ---- */

static int fi_run_fasync(struct fi_ctx *fi)
{
	int on = 1;

	return fi_errno(ioctl(fi->p.master, FIOASYNC, &on));
}

/* Armed, a slave write signals SIGIO; failed, the flag is not set. */
static void fi_check_fasync(struct __test_metadata *_metadata, struct fi_ctx *fi, int err)
{
	int fl = fcntl(fi->p.master, F_GETFL);
	char c;

	ASSERT_LE(0, fl);
	EXPECT_EQ(err ? 0 : O_ASYNC, fl & O_ASYNC) TH_LOG("point %d", fi->point);
	if (!err) {
		/* A SIGIO the last round trip left pending must not count. */
		pty_signal_wait(SIGIO, 0);
		ASSERT_EQ(1, write(fi->p.slave, "x", 1));
		EXPECT_EQ(1, pty_signal_wait(SIGIO, PTY_WAIT_MS));
		EXPECT_EQ(1u, pty_read_full(fi->p.master, &c, 1, PTY_WAIT_MS));
	}
	fi_pair_works(_metadata, fi, true);
}

static void fi_prepare_fasync(struct __test_metadata *_metadata, struct fi_ctx *fi)
{
	ASSERT_EQ(0, pty_block_signal(SIGIO));
	fi_open_peer_pair(_metadata, fi);
}

/* ---- the master's fdinfo (show_fdinfo) ---- */

static int fi_run_fdinfo(struct fi_ctx *fi)
{
	char path[64];
	int fd, n;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fi->p.master);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	fi->ret[0] = read(fd, fi->got[0], sizeof(fi->got[0]) - 1);
	fi->err[0] = fi_errno(fi->ret[0]);
	close(fd);
	n = fi->ret[0] > 0 ? fi->ret[0] : 0;
	fi->got[0][n] = '\0';
	return fi->err[0];
}

static void fi_check_fdinfo(struct __test_metadata *_metadata, struct fi_ctx *fi, int err)
{
	if (!err)
		EXPECT_TRUE(!!strstr(fi->got[0], "tty-index:\t0\n"))
			TH_LOG("point %d: fdinfo %s", fi->point, fi->got[0]);
	pty_close_pair(&fi->p);
}

/* ---- a write of kernel.mypts.max ---- */

static void fi_prepare_sysctl(struct __test_metadata *_metadata, struct fi_ctx *fi)
{
	fi->val = mypts_read_int(MAX_PATH);
	ASSERT_LT(1, fi->val);
}

static int fi_run_sysctl(struct fi_ctx *fi)
{
	return mypts_write_int(MAX_PATH, fi->val - 1) ? errno : 0;
}

static void fi_check_sysctl(struct __test_metadata *_metadata, struct fi_ctx *fi, int err)
{
	EXPECT_EQ(err ? fi->val : fi->val - 1, mypts_read_int(MAX_PATH));
	ASSERT_EQ(0, mypts_write_int(MAX_PATH, fi->val));
}

/* ---- closing a pair with data in flight: release never fails ---- */

static void fi_prepare_close(struct __test_metadata *_metadata, struct fi_ctx *fi)
{
	fi_open_peer_pair(_metadata, fi);
	ASSERT_EQ(10, pty_write_str(fi->p.master, "in flight\n"));
	ASSERT_EQ(3, pty_write_str(fi->p.slave, "out"));
	fi->fd = pty_open_slave(fi->dir, fi->p.index, O_CLOEXEC);
	ASSERT_LE(0, fi->fd);
}

static int fi_run_close(struct fi_ctx *fi)
{
	fi->ret[0] = close(fi->p.master);
	fi->err[0] = fi_errno(fi->ret[0]);
	fi->ret[1] = close(fi->p.slave);
	fi->err[1] = fi_errno(fi->ret[1]);
	fi->ret[2] = close(fi->fd);
	fi->err[2] = fi_errno(fi->ret[2]);
	fi->p.master = -1;
	fi->p.slave = -1;
	fi->fd = -1;
	return fi->err[0] ? fi->err[0] : fi->err[1] ? fi->err[1] : fi->err[2];
}

static void fi_check_close(struct __test_metadata *_metadata, struct fi_ctx *fi, int err)
{
	EXPECT_EQ(0, err) TH_LOG("point %d: close: %s", fi->point, strerror(err));
}

FIXTURE_VARIANT_ADD(fi, mount) {
	.op = { "mount", fi_enomem, NULL, fi_run_mount, fi_check_mount },
};

FIXTURE_VARIANT_ADD(fi, umount) {
	.op = { "umount", fi_enomem, fi_prepare_umount, fi_run_umount, fi_check_umount },
};

FIXTURE_VARIANT_ADD(fi, open_ptmx) {
	.op = { "open ptmx", fi_enomem, fi_prepare_ptmx, fi_run_open_ptmx, fi_check_open_ptmx },
};

FIXTURE_VARIANT_ADD(fi, open_global_ptmx) {
	.op = { "open global ptmx", fi_enomem, fi_prepare_global, fi_run_open_ptmx,
		fi_check_open_ptmx },
};

FIXTURE_VARIANT_ADD(fi, open_slave) {
	.op = { "open slave", fi_enomem, fi_open_master, fi_run_open_slave, fi_check_slave },
};

FIXTURE_VARIANT_ADD(fi, peer) {
	.op = { "TIOCGPTPEER", fi_enomem, fi_open_master, fi_run_peer, fi_check_slave },
};

FIXTURE_VARIANT_ADD(fi, reopen_after_hangup) {
	.op = { "reopen after hangup", fi_enomem, fi_prepare_hungup, fi_run_open_slave,
		fi_check_slave },
};

FIXTURE_VARIANT_ADD(fi, writes) {
	.op = { "writes", fi_enomem, fi_open_peer_pair, fi_run_data, fi_check_data },
};

FIXTURE_VARIANT_ADD(fi, setd) {
	.op = { "TIOCSETD", fi_enomem, fi_open_peer_pair, fi_run_setd, fi_check_setd },
};

FIXTURE_VARIANT_ADD(fi, remount) {
	.op = { "remount", fi_enomem, NULL, fi_run_remount, fi_check_remount },
};

FIXTURE_VARIANT_ADD(fi, fasync) {
	.op = { "FIOASYNC", fi_enomem, fi_prepare_fasync, fi_run_fasync, fi_check_fasync },
};

FIXTURE_VARIANT_ADD(fi, fdinfo) {
	.op = { "fdinfo", fi_enomem, fi_open_master, fi_run_fdinfo, fi_check_fdinfo },
};

FIXTURE_VARIANT_ADD(fi, sysctl) {
	.op = { "sysctl max", fi_enomem, fi_prepare_sysctl, fi_run_sysctl, fi_check_sysctl },
};

FIXTURE_VARIANT_ADD(fi, close) {
	.op = { "close", fi_none, fi_prepare_close, fi_run_close, fi_check_close },
};

TEST_F_TIMEOUT(fi, each_point, 600)
{
	fi_walk(_metadata, &self->ctx, &variant->op);
}

TEST_HARNESS_MAIN
