// SPDX-License-Identifier: GPL-2.0
/*
 * race_test - threads and processes hammering one pair and one instance at
 * once: slave opens against master closes, TIOCGPTPEER against the close of
 * its master, hangups under blocked reads and writes, termios and line
 * discipline changes under traffic, umount during allocation, SIGKILL at
 * random points, and rmmod attempts while all of it is in use.
 *
 * Each case mounts a private instance, hammers it for MYPTS_RACE_SECONDS
 * (default 2) seconds, then checks that kernel.mypts.nr is back where it
 * was, that no slave node is left, that a fresh pair passes bytes both
 * ways, that every thread and child is gone, and that the instance
 * unmounts. Random choices come from a seed each case prints;
 * MYPTS_RACE_SEED=S makes the same choices again (the scheduler makes its
 * own). Errnos are counted and logged, and each case lists those it allows.
 * Nothing waits without a bound, and no alarm() is used: loops look at
 * CLOCK_MONOTONIC deadlines.
 */
#include <pthread.h>
#include <stdbool.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "mypts_util.h"
#include "pty_util.h"

#define NR_PATH		"/proc/sys/kernel/mypts/nr"
#define LDISC_PARAM	"/sys/module/mypts/parameters/ldisc"
/* Per case; the debug kernel under TCG is several times slower. */
#define RACE_TIMEOUT	120
/* A thread or child that has not finished this long after being told is stuck. */
#define REAP_MS		30000
/* A writer that finds no room this long while its reader runs is stalled. */
#define STALL_MS	30000
#define MAX_WORKERS	8
/* Errnos counted one by one; anything above lands in slot 0. */
#define ERRNO_SLOTS	134

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Seconds each case hammers: MYPTS_RACE_SECONDS, else 2. */
static double race_seconds(void)
{
	const char *s = getenv("MYPTS_RACE_SECONDS");
	double v = s ? strtod(s, NULL) : 0;

	return v > 0 ? v : 2;
}

/* The case's seed: MYPTS_RACE_SEED, else from the clock and the pid. */
static unsigned int race_seed(void)
{
	const char *s = getenv("MYPTS_RACE_SEED");
	struct timespec ts;

	if (s && *s)
		return (unsigned int)strtoul(s, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned int)(ts.tv_nsec ^ ts.tv_sec ^ (getpid() << 16)) | 1;
}

/* Uniform enough in [0, n). */
static unsigned int rnd(unsigned int *rng, unsigned int n)
{
	return n ? pty_rand(rng) % n : 0;
}

/* Sleep up to @max_us microseconds, or not at all: a random point in time. */
static void pause_random(unsigned int *rng, unsigned int max_us)
{
	unsigned int us = rnd(rng, max_us + 1);
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000L };

	if (us % 4 == 0)
		sched_yield();
	else
		nanosleep(&ts, NULL);
}

/* ---- counting errnos ---- */

struct tally {
	unsigned long ok;
	unsigned long err[ERRNO_SLOTS];
};

/* Count one result: 0 for success, else the errno. */
static void tally_add(struct tally *t, int err)
{
	if (!err)
		__atomic_add_fetch(&t->ok, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&t->err[err < ERRNO_SLOTS ? err : 0], 1, __ATOMIC_RELAXED);
}

static const char *errno_name(int err)
{
	static char buf[16];
	const char *name = err ? strerrorname_np(err) : NULL;

	if (name)
		return name;
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

/*
 * Log what @t counted, as "name: N ok, ENOENT 3, EIO 2" (nothing if it
 * counted nothing), and fail the test for any errno missing from @allowed
 * (0-terminated; NULL only logs).
 */
static void check_tally(struct __test_metadata *_metadata, const char *name,
			const struct tally *t, const int *allowed)
{
	unsigned long total = t->ok;
	int len, e, i, bad = 0;
	char buf[512];

	len = snprintf(buf, sizeof(buf), "%s: %lu ok", name, t->ok);
	for (e = 0; e < ERRNO_SLOTS; e++) {
		if (!t->err[e])
			continue;
		total += t->err[e];
		len += snprintf(buf + len, sizeof(buf) - len, ", %s %lu", errno_name(e), t->err[e]);
		for (i = 0; allowed && allowed[i] && allowed[i] != e; i++)
			;
		if (allowed && !allowed[i] && !bad)
			bad = e ? e : -1;
	}
	if (total)
		TH_LOG("%s", buf);
	EXPECT_EQ(0, bad)
		TH_LOG("%s: %s is not among the errnos allowed", name, errno_name(bad));
}

/* ---- the state a case shares with its threads and children ---- */

/**
 * struct race - one case's hammering, shared by its threads and children
 * @dir: the instance's mount point
 * @end: when the hammering stops (CLOCK_MONOTONIC, ms)
 * @stop: set to stop every worker early
 * @failed: the first failure took @why
 * @why: what went wrong first
 */
struct race {
	const char *dir;
	long long end;
	int stop;
	int failed;
	char why[256];
};

static bool running(struct race *r)
{
	return !__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE) && now_ms() < r->end;
}

static void race_stop(struct race *r)
{
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
}

/* Record the first failure, "@what: @err's message" (no errno when 0), and stop. */
static void race_fail(struct race *r, const char *what, int err)
{
	if (!__atomic_exchange_n(&r->failed, 1, __ATOMIC_ACQ_REL))
		snprintf(r->why, sizeof(r->why), "%s%s%s", what, err ? ": " : "",
			 err ? strerror(err) : "");
	race_stop(r);
}

/* Sleep (a little at a time) until the hammering is over. */
static void race_wait(struct race *r)
{
	while (running(r))
		poll(NULL, 0, 20);
}

/* Shared memory for a case's state, or fail the test. */
static void *race_shared(struct __test_metadata *_metadata, size_t len)
{
	void *p = pty_shared(len);

	ASSERT_NE(NULL, p);
	return p;
}

static void race_begin(struct race *r, const char *dir)
{
	r->dir = dir;
	r->end = now_ms() + (long long)(race_seconds() * 1000);
}

/* ---- threads ---- */

/**
 * struct worker - one thread of a case
 * @thread: its handle
 * @tid: its task id, to show where it sleeps if it gets stuck
 * @fn: what it runs
 * @r: the case
 * @arg: the case's own state
 * @rng: its random stream
 * @id: its number among the case's workers
 */
struct worker {
	pthread_t thread;
	pid_t tid;
	void *(*fn)(struct worker *w);
	struct race *r;
	void *arg;
	unsigned int rng;
	int id;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
	return w->fn(w);
}

/* Print where task @tid sleeps: its syscall and its kernel stack. */
static void show_task(pid_t tid)
{
	char path[64], buf[2048];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stack", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	fprintf(stderr, "# task %d: state %c, syscall %ld, stack:\n%s", tid, pty_task_state(tid),
		pty_task_syscall(tid), buf);
}

/* Start @n workers running @fn; each gets its own random stream from @seed. */
static void start_workers(struct __test_metadata *_metadata, struct worker *w, int n,
			  void *(*fn)(struct worker *w), struct race *r, void *arg,
			  unsigned int seed)
{
	int i;

	ASSERT_GE(MAX_WORKERS, n);
	for (i = 0; i < n; i++) {
		w[i].fn = fn;
		w[i].r = r;
		w[i].arg = arg;
		w[i].id = i;
		w[i].rng = seed * 2654435761u + i * 40503u + 1;
		ASSERT_EQ(0, pthread_create(&w[i].thread, NULL, worker_main, &w[i]));
	}
}

/* Join @n workers, REAP_MS each at the most; a worker still running is stuck. */
static void join_workers(struct __test_metadata *_metadata, struct worker *w, int n)
{
	struct timespec ts;
	int i, err;

	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += REAP_MS / 1000;
		err = pthread_timedjoin_np(w[i].thread, NULL, &ts);
		if (err)
			show_task(w[i].tid);
		ASSERT_EQ(0, err)
			TH_LOG("worker %d did not finish: %s", i, strerror(err));
	}
}

/* ---- children ---- */

/*
 * Reap child @pid within @ms. Returns its wait status, or -1 when it is
 * stuck: then its stack is printed and it is killed (and reaped if it can be).
 */
static int reap_within(pid_t pid, int ms)
{
	long long end = now_ms() + ms;
	int status;
	pid_t got;

	do {
		got = waitpid(pid, &status, WNOHANG);
		if (got == pid)
			return status;
		if (got < 0)
			return -1;
		usleep(1000);
	} while (now_ms() < end);
	show_task(pid);
	kill(pid, SIGKILL);
	waitpid(pid, &status, WNOHANG);
	return -1;
}

/* ---- the checks after each case ---- */

/* Wait (bounded) for kernel.mypts.nr to come back to @base; returns the last value. */
static int settle_nr(int base)
{
	int nr = mypts_read_int(NR_PATH), i;

	for (i = 0; i < 200 && nr != base; i++) {
		usleep(50000);
		nr = mypts_read_int(NR_PATH);
	}
	return nr;
}

/* The names in directory @dfd (an O_PATH fd will do), sorted, space-separated. */
static int list_names(int dfd, char *buf, size_t len)
{
	struct dirent **names;
	size_t used = 0;
	char path[64];
	int n, i;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", dfd);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 used ? " " : "", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return 0;
}

/* Open a new pair of the instance at @dfd; its slave by name, unlocked, raw. */
static int open_pair_at(int dfd, struct pty_pair *p)
{
	char name[16];
	int err;

	p->slave = -1;
	p->master = openat(dfd, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->master < 0)
		return -1;
	p->index = pty_index(p->master);
	snprintf(name, sizeof(name), "%d", p->index);
	if (p->index < 0 || pty_set_lock(p->master, 0))
		goto fail;
	p->slave = openat(dfd, name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->slave < 0 || pty_set_raw(p->slave))
		goto fail;
	return 0;
fail:
	err = errno;
	pty_close_pair(p);
	errno = err;
	return -1;
}

/* A fresh pair of the instance at @dfd passes bytes both ways. */
static void pair_works(struct __test_metadata *_metadata, int dfd)
{
	struct pty_pair p;
	char buf[16];

	ASSERT_EQ(0, open_pair_at(dfd, &p))
		TH_LOG("a fresh pair: %s", strerror(errno));
	ASSERT_EQ(4, write(p.master, "ping", 4));
	EXPECT_STREQ("ping", pty_read_str(p.slave, buf, sizeof(buf), 4, PTY_WAIT_MS));
	ASSERT_EQ(4, write(p.slave, "pong", 4));
	EXPECT_STREQ("pong", pty_read_str(p.master, buf, sizeof(buf), 4, PTY_WAIT_MS));
	pty_close_pair(&p);
}

/*
 * The invariants every case ends with, on the instance at @dfd: no child
 * left, kernel.mypts.nr back at @base, only the ptmx node, and a fresh pair
 * that works and leaves nothing behind either.
 */
static void check_instance(struct __test_metadata *_metadata, int dfd, int base)
{
	char names[256];

	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG));
	EXPECT_EQ(ECHILD, errno) TH_LOG("a child is left");
	EXPECT_EQ(base, settle_nr(base)) TH_LOG("kernel.mypts.nr did not come back");
	ASSERT_EQ(0, list_names(dfd, names, sizeof(names)));
	EXPECT_STREQ("ptmx", names);
	pair_works(_metadata, dfd);
	EXPECT_EQ(base, settle_nr(base));
	ASSERT_EQ(0, list_names(dfd, names, sizeof(names)));
	EXPECT_STREQ("ptmx", names);
}

/* ---- the fixture: a private instance per case ---- */

FIXTURE(race) {
	char dir[64];
	bool mounted;
	int base;
	unsigned int seed;
	int disc;
};

FIXTURE_SETUP(race)
{
	ASSERT_EQ(1, mypts_mod_count()) TH_LOG("mypts.ko is not loaded");
	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, "ptmxmode=0666"))
		TH_LOG("mount -t mypts: %s", strerror(errno));
	self->mounted = true;
	self->base = mypts_read_int(NR_PATH);
	ASSERT_LE(0, self->base);
	self->disc = mypts_read_int(LDISC_PARAM);
	ASSERT_LT(0, self->disc) TH_LOG("no discipline number in %s", LDISC_PARAM);
	self->seed = race_seed();
	TH_LOG("seed %u (MYPTS_RACE_SEED=%u replays it), %.1f s", self->seed, self->seed,
	       race_seconds());
}

FIXTURE_TEARDOWN(race)
{
	if (self->mounted)
		umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
	/* Whatever went wrong, leave the module loaded as init had it. */
	if (mypts_mod_count() == 0 && mypts_mod_load())
		TH_LOG("could not reload %s: %s", mypts_ko_path(), strerror(errno));
}

/* Check the invariants on the instance at @dir, then unmount it: that must work. */
static void finish(struct __test_metadata *_metadata, const char *dir, int base, bool *mounted)
{
	int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	ASSERT_LE(0, dfd);
	check_instance(_metadata, dfd, base);
	close(dfd);
	ASSERT_EQ(0, umount(dir))
		TH_LOG("umount with everything closed: %s", strerror(errno));
	*mounted = false;
}

/* Report the first failure a worker recorded. */
static void check_race(struct __test_metadata *_metadata, struct race *r)
{
	EXPECT_EQ(0, r->failed) TH_LOG("%s", r->why);
}

/* Poke at an open slave (a byte either way, or tcgetattr); count how it went. */
static void poke_slave(int s, unsigned int *rng, struct tally *t)
{
	struct termios tio;
	char c;
	int ret;

	switch (rnd(rng, 3)) {
	case 0:
		ret = write(s, "x", 1);
		break;
	case 1:
		ret = read(s, &c, 1);
		break;
	default:
		ret = tcgetattr(s, &tio);
		break;
	}
	tally_add(t, ret < 0 ? errno : 0);
}

/* ---- 1: slave opens while masters close and new ones come ---- */

#define NSLOTS		4
/* Slot i's master lives at this fd + i, far above what open() hands out. */
#define SLOT_FD		500

struct slots {
	struct race r;
	int index[NSLOTS];	/* the pair at SLOT_FD + i, or -1 */
	struct tally path_open, peer_open, slave_io;
};

/*
 * Put new, unlocked masters into the slots with dup2(), which closes the
 * master that was there; now and then close a slot instead.
 */
static void *slot_allocator(struct worker *w)
{
	struct slots *sl = w->arg;
	int i, m, idx;

	while (running(w->r)) {
		i = rnd(&w->rng, NSLOTS);
		if (rnd(&w->rng, 4) == 0) {
			__atomic_store_n(&sl->index[i], -1, __ATOMIC_RELAXED);
			close(SLOT_FD + i);
			continue;
		}
		m = mypts_open_ptmx(w->r->dir, 0);
		if (m < 0) {
			race_fail(w->r, "open ptmx", errno);
			break;
		}
		idx = pty_index(m);
		if (idx < 0 || pty_set_lock(m, 0) || dup2(m, SLOT_FD + i) < 0) {
			race_fail(w->r, "TIOCGPTN, TIOCSPTLCK or dup2 of a new master", errno);
			close(m);
			break;
		}
		__atomic_store_n(&sl->index[i], idx, __ATOMIC_RELAXED);
		close(m);
		pause_random(&w->rng, 300);
	}
	return NULL;
}

/* Open the slave of a slot by its path (any low number while the slot is empty). */
static void *slot_path_opener(struct worker *w)
{
	struct slots *sl = w->arg;
	int idx, s;

	while (running(w->r)) {
		idx = __atomic_load_n(&sl->index[rnd(&w->rng, NSLOTS)], __ATOMIC_RELAXED);
		if (idx < 0)
			idx = rnd(&w->rng, 2 * NSLOTS);
		s = pty_open_slave(w->r->dir, idx, O_NONBLOCK | O_CLOEXEC);
		tally_add(&sl->path_open, s < 0 ? errno : 0);
		if (s < 0)
			continue;
		poke_slave(s, &w->rng, &sl->slave_io);
		pause_random(&w->rng, 100);
		poke_slave(s, &w->rng, &sl->slave_io);
		close(s);
	}
	return NULL;
}

/* TIOCGPTPEER on whatever master a slot holds right now. */
static void *slot_peer_opener(struct worker *w)
{
	struct slots *sl = w->arg;
	int s;

	while (running(w->r)) {
		s = ioctl(SLOT_FD + rnd(&w->rng, NSLOTS), TIOCGPTPEER,
			  O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		tally_add(&sl->peer_open, s < 0 ? errno : 0);
		if (s < 0)
			continue;
		poke_slave(s, &w->rng, &sl->slave_io);
		close(s);
	}
	return NULL;
}

/*
 * Slave opens by path and by TIOCGPTPEER while another thread closes the
 * masters and allocates new ones. A path open may find no node (ENOENT) or
 * a pair whose master is going or that is still locked (EIO); TIOCGPTPEER
 * holds its master, so it can only miss a slot closed just then (EBADF).
 * Reads, writes and tcgetattr() on the slaves meanwhile see nothing worse
 * than EAGAIN, or EIO once their master is gone.
 */
TEST_F_TIMEOUT(race, master_close_during_slave_open, RACE_TIMEOUT)
{
	static const int path_errs[] = { ENOENT, EIO, 0 };
	static const int peer_errs[] = { EBADF, 0 };
	static const int io_errs[] = { EAGAIN, EIO, 0 };
	struct slots *sl = race_shared(_metadata, sizeof(*sl));
	struct worker w[5];
	int i;

	for (i = 0; i < NSLOTS; i++)
		sl->index[i] = -1;
	race_begin(&sl->r, self->dir);
	start_workers(_metadata, &w[0], 2, slot_allocator, &sl->r, sl, self->seed);
	start_workers(_metadata, &w[2], 2, slot_path_opener, &sl->r, sl, self->seed + 2);
	start_workers(_metadata, &w[4], 1, slot_peer_opener, &sl->r, sl, self->seed + 4);
	race_wait(&sl->r);
	race_stop(&sl->r);
	join_workers(_metadata, w, 5);
	for (i = 0; i < NSLOTS; i++)
		close(SLOT_FD + i);
	check_race(_metadata, &sl->r);
	check_tally(_metadata, "slave opens by path", &sl->path_open, path_errs);
	check_tally(_metadata, "TIOCGPTPEER", &sl->peer_open, peer_errs);
	check_tally(_metadata, "slave reads, writes, tcgetattr", &sl->slave_io, io_errs);
	finish(_metadata, self->dir, self->base, &self->mounted);
}

/* ---- 2: TIOCGPTPEER while its master is closed or hung up ---- */

struct peer_race {
	struct race r;
	pthread_barrier_t go, done;
	int master;	/* the only fd of the master under attack */
	unsigned int delay;
	int quit;
	int slave;	/* what TIOCGPTPEER returned */
	int err;
	struct tally peer;
};

/* Each round: wait a little, then TIOCGPTPEER on the master of the round. */
static void *peer_thread(struct worker *w)
{
	struct peer_race *pr = w->arg;
	unsigned int i;

	for (;;) {
		pthread_barrier_wait(&pr->go);
		if (pr->quit)
			break;
		for (i = 0; i < pr->delay; i++)
			__asm__ __volatile__("" ::: "memory");
		pr->slave = ioctl(pr->master, TIOCGPTPEER,
				  O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		pr->err = pr->slave < 0 ? errno : 0;
		pthread_barrier_wait(&pr->done);
	}
	return NULL;
}

/*
 * One thread calls TIOCGPTPEER on a master while another closes its only
 * fd (a dup of the one ptmx gave), or hangs it up with TIOCVHANGUP. The
 * ioctl either misses the fd (EBADF), finds the master hung up (EIO), or
 * opens the slave; then, once the round is over, that slave is hung up:
 * it reads end of file and writes EIO, and its node is gone.
 */
TEST_F_TIMEOUT(race, peer_open_during_master_close, RACE_TIMEOUT)
{
	static const int peer_errs[] = { EBADF, EIO, 0 };
	struct peer_race *pr = race_shared(_metadata, sizeof(*pr));
	unsigned int rng = self->seed, i, rounds = 0, delay;
	int m, idx, hangup, bad = 0;
	char path[128], c;
	struct worker w;

	race_begin(&pr->r, self->dir);
	ASSERT_EQ(0, pthread_barrier_init(&pr->go, NULL, 2));
	ASSERT_EQ(0, pthread_barrier_init(&pr->done, NULL, 2));
	start_workers(_metadata, &w, 1, peer_thread, &pr->r, pr, self->seed);
	while (running(&pr->r) && !bad) {
		m = open_master(_metadata, self->dir, 0);
		idx = pty_index(m);
		ASSERT_EQ(0, pty_set_lock(m, 0));
		pr->master = dup(m);
		ASSERT_LE(0, pr->master);
		close(m);
		pr->delay = rnd(&rng, 4000);
		delay = rnd(&rng, 4000);
		hangup = rnd(&rng, 3) == 0;
		pthread_barrier_wait(&pr->go);
		for (i = 0; i < delay; i++)
			__asm__ __volatile__("" ::: "memory");
		if (!hangup)
			close(pr->master);
		else if (ioctl(pr->master, TIOCVHANGUP))
			race_fail(&pr->r, "TIOCVHANGUP", errno);
		pthread_barrier_wait(&pr->done);
		if (hangup)
			close(pr->master);
		tally_add(&pr->peer, pr->err);
		rounds++;
		if (pr->slave < 0)
			continue;
		/* The master's release ran before the ioctl returned, at the latest. */
		pty_slave_path(self->dir, idx, path, sizeof(path));
		if (read(pr->slave, &c, 1) != 0 || write(pr->slave, "x", 1) != -1 ||
		    errno != EIO || !access(path, F_OK))
			bad = rounds;
		close(pr->slave);
	}
	pr->quit = 1;
	pthread_barrier_wait(&pr->go);
	join_workers(_metadata, &w, 1);
	TH_LOG("%u rounds", rounds);
	EXPECT_EQ(0, bad) TH_LOG("round %d: the slave TIOCGPTPEER opened was not hung up", bad);
	check_race(_metadata, &pr->r);
	check_tally(_metadata, "TIOCGPTPEER", &pr->peer, peer_errs);
	pthread_barrier_destroy(&pr->go);
	pthread_barrier_destroy(&pr->done);
	finish(_metadata, self->dir, self->base, &self->mounted);
}

/* ---- 3: hangup under blocked reads and writes ---- */

enum trigger {
	T_MASTER_CLOSE,		/* close the master */
	T_MASTER_VHANGUP,	/* TIOCVHANGUP on the master */
	T_SLAVE_VHANGUP,	/* TIOCVHANGUP on the slave */
	T_SLAVE_CTTY_VHANGUP,	/* vhangup() in a session the slave controls */
	T_NR,
};

static const char *const trigger_names[T_NR] = {
	"master close", "TIOCVHANGUP on the master", "TIOCVHANGUP on the slave",
	"vhangup()",
};

enum blocked_op { OP_SLAVE_READ, OP_SLAVE_WRITE, OP_MASTER_READ, OP_MASTER_WRITE, OP_NR };

static const char *const op_names[OP_NR] = {
	"slave read", "slave write", "master read", "master write",
};

struct blocked {
	pid_t pid;
	long ret;
	int err;
};

struct hangup_race {
	struct race r;
	struct blocked op[OP_NR];
	struct tally results[T_NR][OP_NR];
};

static bool op_on_slave(int op)
{
	return op == OP_SLAVE_READ || op == OP_SLAVE_WRITE;
}

/* A child that makes one call that blocks, and writes down how it returned. */
static pid_t fork_blocked(struct blocked *b, int op, int m, int s)
{
	static char buf[65536];
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	fd = op_on_slave(op) ? s : m;
	close(op_on_slave(op) ? m : s);
	if (op == OP_SLAVE_READ || op == OP_MASTER_READ) {
		b->ret = read(fd, buf, sizeof(buf));
	} else {
		memset(buf, 'w', sizeof(buf));
		b->ret = write(fd, buf, sizeof(buf));
	}
	b->err = b->ret < 0 ? errno : 0;
	_exit(0);
}

/* vhangup() from a new session whose controlling terminal is the slave at @path. */
static pid_t fork_ctty_vhangup(const char *path)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	pty_set_action(SIGHUP, SIG_IGN);
	fd = pty_make_ctty(path);
	if (fd < 0)
		_exit(1);
	_exit(vhangup() ? 2 : 0);
}

/*
 * How a call blocked at a hangup may return: a reader of a hung-up slave
 * reads end of file (or EIO when the master closed under it, n_tty.c's
 * TTY_OTHER_CLOSED), a writer returns what it wrote before it blocked or
 * EIO, a master reader after TIOCVHANGUP reads 0, and after the last slave
 * fd closed EIO.
 */
static bool hangup_result_ok(int trigger, int op, const struct blocked *b)
{
	switch (op) {
	case OP_SLAVE_READ:
		return b->ret == 0 || (trigger == T_MASTER_CLOSE && b->ret == -1 && b->err == EIO);
	case OP_SLAVE_WRITE:
	case OP_MASTER_WRITE:
		return b->ret > 0 || (b->ret == -1 && b->err == EIO);
	case OP_MASTER_READ:
		if (trigger == T_MASTER_VHANGUP)
			return b->ret == 0;
		return b->ret == -1 && b->err == EIO;
	}
	return false;
}

/* Wait for the children of @ops (a bit mask) to return; false if one is stuck. */
static bool reap_ops(struct hangup_race *h, unsigned int ops, bool slave_side)
{
	bool ok = true;
	int op, status;

	for (op = 0; op < OP_NR; op++) {
		if (!(ops & (1u << op)) || op_on_slave(op) != slave_side)
			continue;
		status = reap_within(h->op[op].pid, REAP_MS);
		if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			char what[64];

			snprintf(what, sizeof(what), "the blocked %s did not return", op_names[op]);
			race_fail(&h->r, what, 0);
			ok = false;
		}
	}
	return ok;
}

/*
 * Each round opens a pair, starts children that block in read() and
 * write() (a slave reader in canonical mode with no line, a slave writer
 * with its output stopped or the master's buffer full, a master reader
 * with nothing to read, a master writer with the slave's buffers full),
 * then, once they sleep or at a random moment before, hangs the pair up:
 * master close, TIOCVHANGUP on either side, or vhangup() in a session the
 * slave controls. Every call returns within REAP_MS with an allowed
 * result; a master reader or writer is only woken once the slave's fds are
 * closed (as on Linux, a slave hangup alone leaves them be), so the round
 * closes the slave before it waits for them.
 */
TEST_F_TIMEOUT(race, hangup_during_blocked_io, RACE_TIMEOUT)
{
	static const long sys_of[OP_NR] = { SYS_read, SYS_write, SYS_read, SYS_write };
	struct hangup_race *h = race_shared(_metadata, sizeof(*h));
	unsigned int rng = self->seed, ops;
	int rounds = 0, trigger, op, m, s, idx, status, t;
	char path[128], buf[64];
	pid_t vpid;

	race_begin(&h->r, self->dir);
	while (running(&h->r)) {
		trigger = rnd(&rng, T_NR);
		m = open_master(_metadata, self->dir, 0);
		idx = pty_index(m);
		ASSERT_EQ(0, pty_set_lock(m, 0));
		pty_slave_path(self->dir, idx, path, sizeof(path));
		s = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		ASSERT_LE(0, s);
		ASSERT_EQ(0, pty_lflags(s, 0, ECHO));
		switch (trigger) {
		case T_MASTER_CLOSE:
			/* Nothing may hold the master but the parent. */
			ops = 1u << OP_SLAVE_READ | 1u << OP_SLAVE_WRITE;
			if (rnd(&rng, 2))
				ASSERT_EQ(0, tcflow(s, TCOOFF));
			break;
		case T_MASTER_VHANGUP:
			/* Non-canonical: the master writer fills the slave's buffers. */
			ops = 1u << OP_MASTER_READ | 1u << OP_MASTER_WRITE | 1u << OP_SLAVE_WRITE;
			ASSERT_EQ(0, pty_lflags(s, 0, ICANON));
			ASSERT_EQ(0, tcflow(s, TCOOFF));
			break;
		default:
			ops = 1u << OP_SLAVE_READ | 1u << OP_SLAVE_WRITE | 1u << OP_MASTER_READ;
			ASSERT_EQ(0, tcflow(s, TCOOFF));
			break;
		}
		memset(h->op, 0, sizeof(h->op));
		for (op = 0; op < OP_NR; op++) {
			if (!(ops & (1u << op)))
				continue;
			h->op[op].pid = fork_blocked(&h->op[op], op, m, s);
			ASSERT_LE(0, h->op[op].pid);
		}
		if (rnd(&rng, 4)) {
			for (op = 0; op < OP_NR; op++)
				if (ops & (1u << op) &&
				    pty_wait_blocked(h->op[op].pid, sys_of[op], PTY_WAIT_MS)) {
					snprintf(buf, sizeof(buf), "the %s never blocked",
						 op_names[op]);
					race_fail(&h->r, buf, 0);
				}
		} else {
			pause_random(&rng, 2000);
		}

		switch (trigger) {
		case T_MASTER_CLOSE:
			close(m);
			m = -1;
			break;
		case T_MASTER_VHANGUP:
			EXPECT_EQ(0, ioctl(m, TIOCVHANGUP));
			break;
		case T_SLAVE_VHANGUP:
			EXPECT_EQ(0, ioctl(s, TIOCVHANGUP));
			break;
		default:
			vpid = fork_ctty_vhangup(path);
			ASSERT_LE(0, vpid);
			status = reap_within(vpid, REAP_MS);
			EXPECT_EQ(0, status) TH_LOG("vhangup() child: status %#x", status);
			break;
		}
		if (!reap_ops(h, ops, true))
			break;
		close(s);
		if (!reap_ops(h, ops, false))
			break;
		if (m >= 0)
			close(m);
		for (op = 0; op < OP_NR; op++) {
			if (!(ops & (1u << op)))
				continue;
			tally_add(&h->results[trigger][op], h->op[op].ret < 0 ? h->op[op].err : 0);
			if (!hangup_result_ok(trigger, op, &h->op[op])) {
				snprintf(buf, sizeof(buf), "%s: the %s returned %ld (%s)",
					 trigger_names[trigger], op_names[op], h->op[op].ret,
					 errno_name(h->op[op].err));
				race_fail(&h->r, buf, 0);
			}
		}
		rounds++;
	}
	TH_LOG("%d rounds", rounds);
	for (t = 0; t < T_NR; t++)
		for (op = 0; op < OP_NR; op++) {
			snprintf(buf, sizeof(buf), "%s, %s", trigger_names[t], op_names[op]);
			check_tally(_metadata, buf, &h->results[t][op], NULL);
		}
	check_race(_metadata, &h->r);
	finish(_metadata, self->dir, self->base, &self->mounted);
}

/* ---- 4 and 5: termios and discipline changes under traffic ---- */

enum { DIR_IN, DIR_OUT };	/* master to slave, slave to master */

/**
 * struct traffic - a pair with bytes flowing both ways
 * @r: the case
 * @m: master, non-blocking
 * @s: slave, non-blocking
 * @disc: mypts' discipline, which the slave gets back at the end; or 0
 * @slave_eof_ok: a slave read may return 0 (VMIN = VTIME = 0)
 * @sent: bytes written, by direction
 * @got: bytes read, by direction (echoes and ONLCR's \r included)
 * @changes: results of the termios or discipline changes
 */
struct traffic {
	struct race r;
	int m;
	int s;
	int disc;
	bool slave_eof_ok;
	long sent[2];
	long got[2];
	struct tally changes;
};

/*
 * Only letters and newlines are written. On the way to the master ONLCR
 * adds \r, and ECHOCTL echoes a newline as ^J when ICANON is off.
 */
static bool traffic_byte_ok(char c, bool to_master)
{
	if ((c >= 'a' && c <= 'z') || c == '\n')
		return true;
	return to_master && (c == '\r' || c == '^' || c == 'J');
}

/* Fail @r for byte @i of @buf, showing (with dots for the unprintable) what came before. */
static void traffic_bad_byte(struct race *r, bool master, const char *buf, ssize_t i)
{
	ssize_t from = i < 16 ? 0 : i - 16, k;
	char what[96], seen[17];

	for (k = from; k < i; k++)
		seen[k - from] = buf[k] >= ' ' && buf[k] < 0x7f ? buf[k] : '.';
	seen[k - from] = '\0';
	snprintf(what, sizeof(what), "the %s read %#x, which nobody wrote, after \"%s\"",
		 master ? "master" : "slave", (unsigned char)buf[i], seen);
	race_fail(r, what, 0);
}

/* Worker 0 writes lines on the master, worker 1 on the slave. */
static void *traffic_writer(struct worker *w)
{
	struct traffic *t = w->arg;
	int fd = w->id ? t->s : t->m;
	long long idle = now_ms();
	ssize_t n, off, len;
	char line[64];

	while (running(w->r)) {
		len = rnd(&w->rng, 60) + 1;
		for (off = 0; off < len; off++)
			line[off] = 'a' + rnd(&w->rng, 26);
		line[len++] = '\n';
		for (off = 0; off < len && running(w->r);) {
			n = write(fd, line + off, len - off);
			if (n > 0) {
				off += n;
				__atomic_add_fetch(&t->sent[w->id], n, __ATOMIC_RELAXED);
				idle = now_ms();
			} else if (n < 0 && errno == EAGAIN) {
				if (now_ms() - idle > STALL_MS) {
					race_fail(w->r, w->id ? "no room for the slave's output" :
						  "no room for the master's input", 0);
					return NULL;
				}
				pty_poll(fd, POLLOUT, 100);
			} else {
				race_fail(w->r, w->id ? "slave write" : "master write",
					  n ? errno : 0);
				return NULL;
			}
		}
	}
	return NULL;
}

/* Worker 0 reads the slave, worker 1 the master; every byte must be traffic. */
static void *traffic_reader(struct worker *w)
{
	struct traffic *t = w->arg;
	bool master = w->id;
	int fd = master ? t->m : t->s;
	char buf[4096];
	ssize_t n, i;

	while (running(w->r)) {
		pty_poll(fd, POLLIN, 100);
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			for (i = 0; i < n; i++)
				if (!traffic_byte_ok(buf[i], master))
					break;
			if (i < n) {
				traffic_bad_byte(w->r, master, buf, i);
				return NULL;
			}
			__atomic_add_fetch(&t->got[master], n, __ATOMIC_RELAXED);
		} else if (!(n < 0 && errno == EAGAIN) && !(!n && !master && t->slave_eof_ok)) {
			race_fail(w->r, master ? "master read" : "slave read", n ? errno : 0);
			return NULL;
		}
	}
	return NULL;
}

/*
 * Read @fd until @marker (capitals traffic never has) arrives; what
 * comes before it must be traffic. Returns 0, or -1.
 */
static int read_marker(int fd, const char *marker, bool to_master)
{
	size_t len = strlen(marker), have = 0;
	char buf[4096];
	ssize_t n, i;

	while (have < len) {
		n = pty_read_wait(fd, buf, sizeof(buf), PTY_WAIT_MS);
		if (n <= 0)
			return -1;
		for (i = 0; i < n; i++) {
			if (have < len && buf[i] == marker[have])
				have++;
			else if (have || !traffic_byte_ok(buf[i], to_master))
				return -1;
		}
	}
	return 0;
}

/*
 * Run @n changers against traffic both ways on one pair of the instance at
 * @dir until the time is up, then make the slave raw again, flush, and
 * require that a marker still crosses each way, behind nothing but traffic.
 * With @t->disc set, the slave gets that discipline back first.
 */
static void run_traffic(struct __test_metadata *_metadata, const char *dir, unsigned int seed,
			struct traffic *t, void *(*changer)(struct worker *w), int n,
			const int *change_errs)
{
	struct termios tio;
	struct worker w[4 + 2];
	struct pty_pair p;

	open_pair(_metadata, dir, &p);
	t->m = p.master;
	t->s = p.slave;
	ASSERT_EQ(0, pty_set_nonblock(t->m, 1));
	ASSERT_EQ(0, pty_set_nonblock(t->s, 1));
	race_begin(&t->r, dir);
	start_workers(_metadata, &w[0], 2, traffic_writer, &t->r, t, seed);
	start_workers(_metadata, &w[2], 2, traffic_reader, &t->r, t, seed + 2);
	start_workers(_metadata, &w[4], n, changer, &t->r, t, seed + 4);
	race_wait(&t->r);
	race_stop(&t->r);
	join_workers(_metadata, w, 4 + n);
	TH_LOG("master to slave: %ld written, %ld read; slave to master: %ld written, %ld read",
	       t->sent[DIR_IN], t->got[DIR_IN], t->sent[DIR_OUT], t->got[DIR_OUT]);
	check_race(_metadata, &t->r);
	check_tally(_metadata, "changes", &t->changes, change_errs);
	EXPECT_LT(0, t->got[DIR_IN]) TH_LOG("nothing reached the slave");
	EXPECT_LT(0, t->got[DIR_OUT]) TH_LOG("nothing reached the master");
	EXPECT_GE(t->sent[DIR_IN], t->got[DIR_IN]);

	if (t->disc) {
		int disc = -1;

		ASSERT_EQ(0, ioctl(t->s, TIOCSETD, &t->disc));
		ASSERT_EQ(0, ioctl(t->s, TIOCGETD, &disc));
		EXPECT_EQ(t->disc, disc);
	}
	ASSERT_EQ(0, tcgetattr(t->s, &tio));
	cfmakeraw(&tio);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	ASSERT_EQ(0, tcsetattr(t->s, TCSAFLUSH, &tio));
	/*
	 * TCSAFLUSH pushes the flip buffer into the discipline, which may
	 * leave both full: flush each side's input for good to make room.
	 */
	ASSERT_EQ(0, tcflush(t->s, TCIFLUSH));
	ASSERT_EQ(0, tcflush(t->m, TCIFLUSH));
	ASSERT_EQ(4, write(t->m, "RACE", 4));
	EXPECT_EQ(0, read_marker(t->s, "RACE", false)) TH_LOG("master to slave is broken");
	ASSERT_EQ(4, write(t->s, "DONE", 4));
	EXPECT_EQ(0, read_marker(t->m, "DONE", true)) TH_LOG("slave to master is broken");
	pty_close_pair(&p);
}

/* The termios flags the changers flip: none of them turns a letter into another byte. */
static const struct {
	size_t word;
	tcflag_t bit;
} flips[] = {
	{ offsetof(struct termios, c_lflag), ICANON },
	{ offsetof(struct termios, c_lflag), ECHO },
	{ offsetof(struct termios, c_oflag), OPOST },
	{ offsetof(struct termios, c_oflag), ONLCR },
	{ offsetof(struct termios, c_iflag), IXON },
};

/* Flip a flag or set VMIN or VTIME of the pair, from either side, with any action. */
static void *termios_changer(struct worker *w)
{
	static const int actions[] = { TCSANOW, TCSADRAIN, TCSAFLUSH };
	static const cc_t vmins[] = { 0, 1, 5, 255 };
	struct traffic *t = w->arg;
	struct termios tio;
	unsigned int k;
	int fd;

	while (running(w->r)) {
		fd = rnd(&w->rng, 2) ? t->m : t->s;
		if (tcgetattr(fd, &tio)) {
			race_fail(w->r, "tcgetattr", errno);
			break;
		}
		k = rnd(&w->rng, ARRAY_SIZE(flips) + 2);
		if (k < ARRAY_SIZE(flips))
			*(tcflag_t *)((char *)&tio + flips[k].word) ^= flips[k].bit;
		else if (k == ARRAY_SIZE(flips))
			tio.c_cc[VMIN] = vmins[rnd(&w->rng, ARRAY_SIZE(vmins))];
		else
			tio.c_cc[VTIME] = rnd(&w->rng, 2);
		tally_add(&t->changes,
			  tcsetattr(fd, actions[rnd(&w->rng, 3)], &tio) ? errno : 0);
		pause_random(&w->rng, 500);
	}
	return NULL;
}

/*
 * Two threads change termios (ICANON, ECHO, OPOST, ONLCR, IXON, VMIN,
 * VTIME; TCSANOW, TCSADRAIN, TCSAFLUSH) on the master and the slave while
 * lines of letters flow both ways. Every change succeeds, the flow never
 * stalls, no byte appears that was not written (flushes may drop some),
 * and the pair works afterwards.
 */
TEST_F_TIMEOUT(race, termios_changes_during_traffic, RACE_TIMEOUT)
{
	static const int none[] = { 0 };
	struct traffic *t = race_shared(_metadata, sizeof(*t));

	t->slave_eof_ok = true;
	run_traffic(_metadata, self->dir, self->seed, t, termios_changer, 2, none);
	finish(_metadata, self->dir, self->base, &self->mounted);
}

/* Switch the slave between N_TTY and mypts' discipline. */
static void *ldisc_changer(struct worker *w)
{
	struct traffic *t = w->arg;
	int disc;

	while (running(w->r)) {
		disc = rnd(&w->rng, 2) ? N_TTY : t->disc;
		tally_add(&t->changes, ioctl(t->s, TIOCSETD, &disc) ? errno : 0);
		pause_random(&w->rng, 1000);
	}
	return NULL;
}

/*
 * Two threads switch the slave's discipline between N_TTY and mypts' own
 * (TIOCSETD) while lines flow both ways in canonical mode with echo. Every
 * switch succeeds; readers and writers see nothing worse than EAGAIN
 * (tty_io_nonblock() during a switch); input pending at a switch may be
 * lost but nothing else appears; the flow resumes, and the pair works
 * afterwards with mypts' discipline back.
 */
TEST_F_TIMEOUT(race, ldisc_switches_during_traffic, RACE_TIMEOUT)
{
	static const int none[] = { 0 };
	struct traffic *t = race_shared(_metadata, sizeof(*t));

	t->disc = self->disc;
	run_traffic(_metadata, self->dir, self->seed, t, ldisc_changer, 2, none);
	finish(_metadata, self->dir, self->base, &self->mounted);
}

/* ---- 6: umount during allocation ---- */

#define NR_OPENERS	3

/**
 * struct umount_race - threads allocating pairs under a changing mount
 * @r: the case
 * @dfd: the instance's root (O_PATH), or -1; odd openers use it if set
 * @epoch: odd while an umount (and the remount after it) is under way
 * @detached: set before umount2(MNT_DETACH)
 * @holding: opener i holds an fd of the instance
 * @gen: how many times opener i began to hold one
 * @ptmx: results of opening ptmx
 * @slave: results of opening the slave, by TIOCGPTPEER or by name
 */
struct umount_race {
	struct race r;
	int dfd;
	int epoch;
	int detached;
	int holding[NR_OPENERS];
	unsigned long gen[NR_OPENERS];
	struct tally ptmx;
	struct tally slave;
};

static int umount_open(struct umount_race *u, bool via_dfd, const char *name, int flags)
{
	char path[128];

	flags |= O_RDWR | O_NOCTTY | O_CLOEXEC;
	if (via_dfd)
		return openat(u->dfd, name, flags);
	snprintf(path, sizeof(path), "%s/%s", u->r.dir, name);
	return open(path, flags);
}

/* Could the instance have left the path since @epoch was read? */
static bool path_may_be_gone(struct umount_race *u, int epoch)
{
	return __atomic_load_n(&u->detached, __ATOMIC_SEQ_CST) || (epoch & 1) ||
	       epoch != __atomic_load_n(&u->epoch, __ATOMIC_SEQ_CST);
}

/*
 * Open a master, often its slave too (by TIOCGPTPEER or by name), pass a
 * few bytes, close them in either order; over and over. @holding is set
 * after the first open returns and cleared before the first close.
 */
static void *ptmx_opener(struct worker *w)
{
	struct umount_race *u = w->arg;
	bool via_dfd = u->dfd >= 0 && w->id % 2;
	int m, s, epoch, idx;
	char name[16];

	while (running(w->r)) {
		epoch = __atomic_load_n(&u->epoch, __ATOMIC_SEQ_CST);
		m = umount_open(u, via_dfd, "ptmx", 0);
		tally_add(&u->ptmx, m < 0 ? errno : 0);
		if (m < 0) {
			if (errno == ENOENT && !via_dfd && path_may_be_gone(u, epoch))
				continue;
			race_fail(w->r, "open ptmx", errno);
			break;
		}
		__atomic_add_fetch(&u->gen[w->id], 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&u->holding[w->id], 1, __ATOMIC_SEQ_CST);
		s = -1;
		if (rnd(&w->rng, 4)) {
			idx = pty_index(m);
			snprintf(name, sizeof(name), "%d", idx);
			if (idx < 0 || pty_set_lock(m, 0)) {
				race_fail(w->r, "TIOCGPTN or TIOCSPTLCK", errno);
				close(m);
				break;
			}
			if (rnd(&w->rng, 2))
				s = ioctl(m, TIOCGPTPEER,
					  O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
			else
				s = umount_open(u, via_dfd, name, O_NONBLOCK);
			tally_add(&u->slave, s < 0 ? errno : 0);
			if (s < 0 && !(errno == ENOENT && !via_dfd &&
				       __atomic_load_n(&u->detached, __ATOMIC_SEQ_CST))) {
				race_fail(w->r, "open the slave of a master held", errno);
				close(m);
				break;
			}
			if (s >= 0 && (write(m, "in\n", 3) != 3 || write(s, "out\n", 4) != 4)) {
				race_fail(w->r, "write a few bytes", errno);
				close(s);
				close(m);
				break;
			}
		}
		pause_random(&w->rng, 200);
		__atomic_store_n(&u->holding[w->id], 0, __ATOMIC_SEQ_CST);
		if (s >= 0 && rnd(&w->rng, 2)) {
			close(s);
			s = -1;
		}
		close(m);
		if (s >= 0)
			close(s);
		/* Now and then hold nothing for a while: an umount may go through. */
		if (!rnd(&w->rng, 3))
			pause_random(&w->rng, 3000);
	}
	return NULL;
}

/*
 * Threads open and close pairs through the mount point while umount() is
 * tried over and over. In the first half a master stays open, so every
 * umount fails with EBUSY. In the second half an umount may find nothing
 * open and succeed (the instance is mounted again at once, and the path
 * may give ENOENT meanwhile), but never while a thread held an fd across
 * the whole call. At the end umount fails while one master is open and
 * succeeds once it is closed.
 */
TEST_F_TIMEOUT(race, umount_during_allocation, RACE_TIMEOUT)
{
	static const int ptmx_errs[] = { ENOENT, 0 };
	static const int slave_errs[] = { 0 };
	struct umount_race *u = race_shared(_metadata, sizeof(*u));
	int held[NR_OPENERS], busy = 0, done = 0, i, rc, err, pin;
	unsigned long gen[NR_OPENERS];
	unsigned int rng = self->seed;
	struct worker w[NR_OPENERS];
	long long half;

	u->dfd = -1;
	race_begin(&u->r, self->dir);
	half = now_ms() + (u->r.end - now_ms()) / 2;
	pin = open_master(_metadata, self->dir, 0);
	start_workers(_metadata, w, NR_OPENERS, ptmx_opener, &u->r, u, self->seed);
	while (running(&u->r)) {
		if (pin >= 0 && now_ms() >= half) {
			close(pin);
			pin = -1;
		}
		for (i = 0; i < NR_OPENERS; i++) {
			gen[i] = __atomic_load_n(&u->gen[i], __ATOMIC_SEQ_CST);
			held[i] = __atomic_load_n(&u->holding[i], __ATOMIC_SEQ_CST);
		}
		__atomic_add_fetch(&u->epoch, 1, __ATOMIC_SEQ_CST);
		rc = umount(self->dir);
		err = errno;
		if (!rc) {
			self->mounted = false;
			done++;
			for (i = 0; i < NR_OPENERS; i++)
				if (held[i] && __atomic_load_n(&u->holding[i], __ATOMIC_SEQ_CST) &&
				    gen[i] == __atomic_load_n(&u->gen[i], __ATOMIC_SEQ_CST))
					race_fail(&u->r, "umount went through an fd held", 0);
			if (pin >= 0)
				race_fail(&u->r, "umount succeeded while a master was open", 0);
			if (mount("mypts", self->dir, "mypts", 0, "ptmxmode=0666")) {
				race_fail(&u->r, "mount again", errno);
				break;
			}
			self->mounted = true;
		} else if (err == EBUSY) {
			busy++;
		} else {
			race_fail(&u->r, "umount", err);
		}
		__atomic_add_fetch(&u->epoch, 1, __ATOMIC_SEQ_CST);
		pause_random(&rng, 1000);
	}
	if (pin >= 0)
		close(pin);
	race_stop(&u->r);
	join_workers(_metadata, w, NR_OPENERS);
	TH_LOG("umount: %d refused with EBUSY, %d succeeded (mounted again)", busy, done);
	check_race(_metadata, &u->r);
	check_tally(_metadata, "open ptmx", &u->ptmx, ptmx_errs);
	check_tally(_metadata, "open the slave", &u->slave, slave_errs);
	ASSERT_TRUE(self->mounted);

	pin = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(-1, umount(self->dir));
	EXPECT_EQ(EBUSY, errno);
	close(pin);
	finish(_metadata, self->dir, self->base, &self->mounted);
}

/*
 * Threads open and close pairs, some through the mount point and some
 * through an O_PATH fd of the instance's root, while the instance is
 * detached (umount2 MNT_DETACH) at a random moment. Opens through the path
 * fail with ENOENT after that, never before; opens through the fd go on
 * working, and so does the detached instance at the end.
 */
TEST_F_TIMEOUT(race, umount_detach_during_allocation, RACE_TIMEOUT)
{
	static const int path_errs[] = { ENOENT, 0 };
	struct umount_race *u = race_shared(_metadata, sizeof(*u));
	unsigned int rng = self->seed;
	struct worker w[NR_OPENERS];
	long long at;

	u->dfd = open(self->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, u->dfd);
	race_begin(&u->r, self->dir);
	at = now_ms() + (u->r.end - now_ms()) / 4;
	at += rnd(&rng, (u->r.end - now_ms()) / 2 + 1);
	start_workers(_metadata, w, NR_OPENERS, ptmx_opener, &u->r, u, self->seed);
	while (running(&u->r) && now_ms() < at)
		poll(NULL, 0, 5);
	__atomic_store_n(&u->detached, 1, __ATOMIC_SEQ_CST);
	EXPECT_EQ(0, umount2(self->dir, MNT_DETACH)) TH_LOG("%s", strerror(errno));
	self->mounted = false;
	EXPECT_EQ(TMPFS_MAGIC_NR, mypts_fs_magic(self->dir));
	race_wait(&u->r);
	race_stop(&u->r);
	join_workers(_metadata, w, NR_OPENERS);
	check_race(_metadata, &u->r);
	check_tally(_metadata, "open ptmx", &u->ptmx, path_errs);
	check_tally(_metadata, "open the slave", &u->slave, path_errs);
	check_instance(_metadata, u->dfd, self->base);
	close(u->dfd);
	EXPECT_EQ(self->base, settle_nr(self->base));
}

/* ---- 7: SIGKILL at random points ---- */

#define NR_HOLDERS	4
#define HOLDER_PAIRS	3

/* Open the slave of new master @m: unlock, then TIOCGPTPEER or its path. */
static int holder_slave(const char *dir, int m, unsigned int *rng)
{
	if (pty_set_lock(m, 0))
		return -1;
	if (rnd(rng, 2))
		return ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	return pty_open_slave(dir, pty_index(m), O_CLOEXEC);
}

/*
 * One random operation on pair @p. Failures other than EAGAIN and EIO (a
 * hangup: a session leader of the slave died) end the process with exit
 * code 20 + the operation.
 */
static void holder_op(struct pty_pair *p, unsigned int *rng, int disc)
{
	struct winsize ws = { .ws_row = rnd(rng, 100), .ws_col = rnd(rng, 200) };
	int fd = rnd(rng, 2) ? p->master : p->slave;
	int op = rnd(rng, 10), v;
	char buf[256];
	long ret;

	switch (op) {
	case 0:
		ret = write(p->master, "abc\n", 4);
		break;
	case 1:
		ret = write(p->slave, "def\n", 4);
		break;
	case 2:
		ret = read(fd, buf, sizeof(buf));
		break;
	case 3:
		ret = ioctl(fd, TIOCSWINSZ, &ws);
		break;
	case 4:
		v = rnd(rng, 2);
		ret = ioctl(p->master, TIOCPKT, &v);
		break;
	case 5:
		ret = pty_lflags(fd, rnd(rng, 2) ? ICANON | ECHO : 0, rnd(rng, 2) ? ICANON : 0);
		break;
	case 6:
		v = rnd(rng, 2) ? N_TTY : disc;
		ret = ioctl(p->slave, TIOCSETD, &v);
		break;
	case 7:
		ret = ioctl(fd, TCFLSH, TCIOFLUSH);
		break;
	case 8:
		ret = ioctl(p->master, FIONREAD, &v);
		break;
	default:
		ret = ioctl(p->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (ret >= 0)
			close(ret);
		break;
	}
	if (ret < 0 && errno != EAGAIN && errno != EIO)
		_exit(20 + op);
}

/*
 * A holder: a session leader that keeps up to HOLDER_PAIRS pairs (some
 * blocking, some its controlling terminal), works on them, closes and
 * reopens them, and now and then forks a helper that works on the same
 * fds. It never exits by itself: the test kills it. Exit codes: 10 open
 * ptmx, 11 open the slave, 20 and up holder_op().
 */
static void holder(const char *dir, unsigned int seed, int disc)
{
	struct pty_pair p[HOLDER_PAIRS];
	unsigned int rng = seed;
	pid_t helper = 0, holder_pid = getpid();
	int i, k, flags;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pty_set_action(SIGHUP, SIG_IGN);
	pty_set_action(SIGTTIN, SIG_IGN);
	pty_set_action(SIGTTOU, SIG_IGN);
	setsid();
	for (i = 0; i < HOLDER_PAIRS; i++)
		p[i] = (struct pty_pair){ .master = -1, .slave = -1 };
	for (;;) {
		i = rnd(&rng, HOLDER_PAIRS);
		if (p[i].master < 0) {
			flags = rnd(&rng, 4) ? O_NONBLOCK : 0;
			p[i].master = mypts_open_ptmx(dir, flags);
			if (p[i].master < 0)
				_exit(10);
			p[i].slave = holder_slave(dir, p[i].master, &rng);
			if (p[i].slave < 0)
				_exit(11);
			if (flags)
				pty_set_nonblock(p[i].slave, 1);
			if (!rnd(&rng, 3))
				ioctl(p[i].slave, TIOCSCTTY, 0);
			continue;
		}
		k = rnd(&rng, 24);
		if (k == 0) {
			if (rnd(&rng, 2)) {
				close(p[i].master);
				p[i].master = -1;
			}
			pty_close_pair(&p[i]);
		} else if (k == 1 && (!helper || waitpid(helper, NULL, WNOHANG) == helper)) {
			helper = fork();
			if (helper)
				continue;
			/* Die with the holder, even if it died before this. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != holder_pid)
				_exit(0);
			for (k = 0; k < 100; k++)
				if (p[k % HOLDER_PAIRS].master >= 0)
					holder_op(&p[k % HOLDER_PAIRS], &rng, disc);
			_exit(0);
		} else {
			holder_op(&p[i], &rng, disc);
		}
	}
}

static pid_t spawn_holder(const char *dir, unsigned int seed, int disc)
{
	pid_t pid = fork();

	if (!pid)
		holder(dir, seed, disc);
	return pid;
}

/* A holder may only die of SIGKILL; a helper may also finish. */
static bool death_ok(int status, bool helper)
{
	if (status < 0)
		return false;
	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGKILL;
	return helper && WIFEXITED(status) && !WEXITSTATUS(status);
}

/* Show where each child of ours sleeps. */
static void show_children(void)
{
	char path[64], line[512], *p;
	struct dirent *de;
	DIR *d = opendir("/proc");
	FILE *f;
	int ppid;

	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "re");
		p = f && fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
		if (f)
			fclose(f);
		if (p && sscanf(p, ") %*c %d", &ppid) == 1 && ppid == getpid())
			show_task(atoi(de->d_name));
	}
	if (d)
		closedir(d);
}

/* Reap the helpers left to us (we are their subreaper); false on a bad death. */
static bool reap_strays(struct race *r, bool wait_all)
{
	long long end = now_ms() + REAP_MS;
	char what[64];
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			if (!death_ok(status, true)) {
				snprintf(what, sizeof(what), "a helper ended: status %#x", status);
				race_fail(r, what, 0);
				return false;
			}
			continue;
		}
		if (pid < 0 || !wait_all)
			return true;
		if (now_ms() > end) {
			show_children();
			race_fail(r, "a helper is stuck", 0);
			return false;
		}
		usleep(1000);
	}
}

/* SIGKILL holder @pid (and its group if @group) and reap it; false on a bad death. */
static bool kill_holder(struct race *r, pid_t pid, bool group)
{
	char what[64];
	int status;

	if (group)
		kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	status = reap_within(pid, REAP_MS);
	/* And the helpers its group may still have. */
	kill(-pid, SIGKILL);
	if (death_ok(status, false))
		return true;
	snprintf(what, sizeof(what), "a holder ended with status %#x", status);
	race_fail(r, what, 0);
	return false;
}

/*
 * Holders (session leaders with pairs, blocking and not, controlling
 * terminals, helpers sharing their fds) are killed with SIGKILL at random
 * moments, one process or their whole group, and replaced. Each dies of
 * SIGKILL within REAP_MS, never of a failed operation; in the end every
 * pair is gone.
 */
TEST_F_TIMEOUT(race, sigkill_holders_at_random_points, RACE_TIMEOUT)
{
	struct race *r = race_shared(_metadata, sizeof(*r));
	unsigned int rng = self->seed, spawned = 0, kills = 0;
	pid_t pid[NR_HOLDERS];
	int i;

	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	race_begin(r, self->dir);
	for (i = 0; i < NR_HOLDERS; i++) {
		pid[i] = spawn_holder(self->dir, self->seed + ++spawned, self->disc);
		ASSERT_LT(0, pid[i]);
	}
	while (running(r)) {
		pause_random(&rng, 5000);
		i = rnd(&rng, NR_HOLDERS);
		if (!kill_holder(r, pid[i], !rnd(&rng, 3))) {
			pid[i] = 0;
			break;
		}
		kills++;
		if (!reap_strays(r, false))
			break;
		pid[i] = spawn_holder(self->dir, self->seed + ++spawned, self->disc);
		ASSERT_LT(0, pid[i]);
	}
	for (i = 0; i < NR_HOLDERS; i++)
		if (pid[i])
			kill_holder(r, pid[i], true);
	reap_strays(r, true);
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 0));
	TH_LOG("%u holders killed", kills);
	check_race(_metadata, r);
	finish(_metadata, self->dir, self->base, &self->mounted);
}

/* ---- 8: rmmod while in use; keep it last ---- */

struct rmmod_race {
	struct umount_race u;
	char dir2[64];
	struct tally unload;
	struct tally cycles;
};

/* Mount a second instance, use one pair of it, unmount it; over and over. */
static void *mount_cycler(struct worker *w)
{
	struct rmmod_race *rr = w->arg;
	struct pty_pair p;
	char buf[4];
	int dfd;

	while (running(w->r)) {
		if (mount("mypts", rr->dir2, "mypts", 0, "ptmxmode=0666")) {
			race_fail(w->r, "mount a second instance", errno);
			break;
		}
		dfd = open(rr->dir2, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || open_pair_at(dfd, &p)) {
			race_fail(w->r, "a pair of the second instance", errno);
			break;
		}
		close(dfd);
		if (write(p.master, "hi", 2) != 2 ||
		    pty_read_full(p.slave, buf, 2, PTY_WAIT_MS) != 2)
			race_fail(w->r, "bytes through a pair of the second instance", errno);
		pty_close_pair(&p);
		if (umount(rr->dir2)) {
			race_fail(w->r, "umount the second instance", errno);
			break;
		}
		tally_add(&rr->cycles, 0);
	}
	return NULL;
}

/* Unload mypts, waiting up to @ms for its last users (tty release work) to let go. */
static int unload_within(int ms)
{
	long long end = now_ms() + ms;
	int rc;

	for (;;) {
		rc = mypts_mod_unload();
		if (!rc || (errno != EWOULDBLOCK && errno != EBUSY) || now_ms() > end)
			return rc;
		usleep(10000);
	}
}

/*
 * delete_module("mypts", O_NONBLOCK) is tried over and over while threads
 * allocate and use pairs and another mounts, uses and unmounts a second
 * instance: each attempt fails with EWOULDBLOCK (or EBUSY) and the module
 * stays. Once everything is closed and unmounted, the unload succeeds;
 * then the module is loaded again as the guest's init loads it, and works.
 * Whatever fails, the module is loaded again before the test ends.
 */
TEST_F_TIMEOUT(race, rmmod_refused_while_in_use, RACE_TIMEOUT)
{
	static const int unload_errs[] = { EWOULDBLOCK, EBUSY, 0 };
	static const int none[] = { 0 };
	struct rmmod_race *rr = race_shared(_metadata, sizeof(*rr));
	struct race *r = &rr->u.r;
	unsigned int rng = self->seed;
	int rc, err, count, lrc = 0, lerr = 0, dfd;
	struct worker w[3];

	rr->u.dfd = -1;
	ASSERT_EQ(0, mypts_tmpdir(rr->dir2, sizeof(rr->dir2)));
	race_begin(r, self->dir);
	start_workers(_metadata, &w[0], 2, ptmx_opener, r, &rr->u, self->seed);
	start_workers(_metadata, &w[2], 1, mount_cycler, r, rr, self->seed + 2);
	while (running(r)) {
		rc = mypts_mod_unload();
		tally_add(&rr->unload, rc ? errno : 0);
		if (!rc) {
			race_fail(r, "mypts unloaded while in use", 0);
			mypts_mod_load();
			break;
		}
		if (mypts_mod_count() != 1) {
			race_fail(r, "mypts is gone after a refused unload", 0);
			break;
		}
		pause_random(&rng, 2000);
	}
	race_stop(r);
	join_workers(_metadata, w, 3);
	umount2(rr->dir2, MNT_DETACH);
	rmdir(rr->dir2);
	check_race(_metadata, r);
	check_tally(_metadata, "unload attempts", &rr->unload, unload_errs);
	EXPECT_EQ(0ul, rr->unload.ok);
	check_tally(_metadata, "second instances", &rr->cycles, none);
	check_tally(_metadata, "open ptmx", &rr->u.ptmx, none);
	check_tally(_metadata, "open the slave", &rr->u.slave, none);
	finish(_metadata, self->dir, self->base, &self->mounted);

	/* Nothing is in use now: the unload goes through, then load it again. */
	rc = unload_within(REAP_MS);
	err = errno;
	count = mypts_mod_count();
	if (count == 0) {
		lrc = mypts_mod_load();
		lerr = errno;
	}
	EXPECT_EQ(0, rc) TH_LOG("unload with nothing in use: %s", strerror(err));
	EXPECT_EQ(0, count);
	EXPECT_EQ(0, lrc) TH_LOG("load %s: %s", mypts_ko_path(), strerror(lerr));
	ASSERT_EQ(1, mypts_mod_count());
	EXPECT_EQ(1, mypts_file_has_line("/proc/filesystems", "nodev\tmypts"));

	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, "ptmxmode=0666"));
	self->mounted = true;
	dfd = open(self->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dfd);
	pair_works(_metadata, dfd);
	close(dfd);
	EXPECT_EQ(0, umount(self->dir));
	self->mounted = false;
}

TEST_HARNESS_MAIN
