// SPDX-License-Identifier: GPL-2.0
/*
 * ptmx_test - mypts's own ptmx behaviour: nodes, limits, instances, the
 * global /dev/myptmx, and what devpts cannot be compared on.
 */
#include <dirent.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "mypts_util.h"
#include "pty_util.h"

#define NR_PATH		"/proc/sys/kernel/mypts/nr"
#define MAX_PATH	"/proc/sys/kernel/mypts/max"
#define RESERVE_PATH	"/proc/sys/kernel/mypts/reserve"

static int open_slave(const char *dir, int master, int flags)
{
	char path[128];
	unsigned int n;
	int unlock = 0;

	if (ioctl(master, TIOCGPTN, &n) || ioctl(master, TIOCSPTLCK, &unlock))
		return -1;
	snprintf(path, sizeof(path), "%s/%u", dir, n);
	return open(path, flags | O_CLOEXEC);
}

FIXTURE(ptmx) {
	char dir[64];
	char dir2[64];
};

FIXTURE_SETUP(ptmx)
{
	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, mypts_tmpdir(self->dir2, sizeof(self->dir2)));
	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, "ptmxmode=0666"));
}

FIXTURE_TEARDOWN(ptmx)
{
	umount2(self->dir, MNT_DETACH);
	umount2(self->dir2, MNT_DETACH);
	rmdir(self->dir);
	rmdir(self->dir2);
}

TEST_F(ptmx, ptmx_node_follows_ptmxmode)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/ptmx", self->dir);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666u, st.st_mode & 07777);
	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", MS_REMOUNT, "ptmxmode=0620"));
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0620u, st.st_mode & 07777);
}

TEST_F(ptmx, pair_lifecycle_and_nr)
{
	int base = mypts_read_int(NR_PATH);
	char path[128], buf[16];
	unsigned int n;
	struct stat st;
	int m, s;

	ASSERT_LE(0, base);
	m = mypts_open_ptmx(self->dir, 0);
	ASSERT_LE(0, m);
	EXPECT_EQ(base + 1, mypts_read_int(NR_PATH));
	ASSERT_EQ(0, ioctl(m, TIOCGPTN, &n));
	EXPECT_EQ(0u, n);
	snprintf(path, sizeof(path), "%s/%u", self->dir, n);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600u, st.st_mode & 07777);
	EXPECT_EQ(n, (unsigned int)minor(st.st_rdev));
	/* Locked until unlocked. */
	EXPECT_EQ(-1, open(path, O_RDWR | O_NOCTTY));
	EXPECT_EQ(EIO, errno);
	s = open_slave(self->dir, m, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	ASSERT_EQ(4, write(m, "hi!\n", 4));
	ASSERT_EQ(4, read(s, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hi!\n", 4));
	/* The echo comes back, with ONLCR. */
	ASSERT_EQ(5, read(m, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "hi!\r\n", 5));
	ASSERT_EQ(2, write(s, "x\n", 2));
	ASSERT_EQ(3, read(m, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "x\r\n", 3));
	/* The master's close removes the node; the number waits for the slave. */
	close(m);
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(base + 1, mypts_read_int(NR_PATH));
	EXPECT_EQ(0, read(s, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(s, "y", 1));
	EXPECT_EQ(EIO, errno);
	close(s);
	EXPECT_EQ(base, mypts_read_int(NR_PATH));
}

TEST_F(ptmx, numbers_are_per_instance_and_reused)
{
	unsigned int a, b, c;
	int m1, m2, m3;

	ASSERT_EQ(0, mount("mypts", self->dir2, "mypts", 0, "ptmxmode=0666"));
	m1 = mypts_open_ptmx(self->dir, 0);
	m2 = mypts_open_ptmx(self->dir2, 0);
	ASSERT_LE(0, m1);
	ASSERT_LE(0, m2);
	ASSERT_EQ(0, ioctl(m1, TIOCGPTN, &a));
	ASSERT_EQ(0, ioctl(m2, TIOCGPTN, &b));
	EXPECT_EQ(0u, a);
	EXPECT_EQ(0u, b);
	close(m1);
	m3 = mypts_open_ptmx(self->dir, 0);
	ASSERT_LE(0, m3);
	ASSERT_EQ(0, ioctl(m3, TIOCGPTN, &c));
	EXPECT_EQ(0u, c);
	close(m2);
	close(m3);
}

TEST_F(ptmx, instance_max_gives_enospc)
{
	int m[3], i;

	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", MS_REMOUNT, "ptmxmode=0666,max=2"));
	for (i = 0; i < 2; i++) {
		m[i] = mypts_open_ptmx(self->dir, 0);
		ASSERT_LE(0, m[i]);
	}
	EXPECT_EQ(-1, mypts_open_ptmx(self->dir, 0));
	EXPECT_EQ(ENOSPC, errno);
	close(m[0]);
	m[2] = mypts_open_ptmx(self->dir, 0);
	EXPECT_LE(0, m[2]);
	close(m[1]);
	close(m[2]);
}

TEST_F(ptmx, global_max_is_exact)
{
	int oldmax = mypts_read_int(MAX_PATH), base = mypts_read_int(NR_PATH);
	int oldres = mypts_read_int(RESERVE_PATH);
	int m[4], i, n = 0;

	ASSERT_LE(0, oldmax);
	ASSERT_LE(0, oldres);
	/* This test's namespace is not the initial one: the reserve applies. */
	ASSERT_EQ(0, mypts_write_int(RESERVE_PATH, 1));
	ASSERT_EQ(0, mypts_write_int(MAX_PATH, base + 4));
	for (i = 0; i < 4; i++) {
		m[i] = mypts_open_ptmx(self->dir, 0);
		if (m[i] >= 0)
			n++;
		else
			EXPECT_EQ(ENOSPC, errno);
	}
	/* Exactly max - reserve pairs, where devpts stops one short. */
	EXPECT_EQ(3, n);
	for (i = 0; i < 4; i++)
		if (m[i] >= 0)
			close(m[i]);
	EXPECT_EQ(0, mypts_write_int(MAX_PATH, oldmax));
	EXPECT_EQ(0, mypts_write_int(RESERVE_PATH, oldres));
	EXPECT_EQ(base, mypts_read_int(NR_PATH));
}

TEST_F(ptmx, sysctl_bad_values_refused)
{
	int oldmax = mypts_read_int(MAX_PATH);

	EXPECT_EQ(-1, mypts_write_int(MAX_PATH, -1));
	EXPECT_EQ(-1, mypts_write_int(MAX_PATH, 1048577));
	EXPECT_EQ(-1, mypts_write_int(RESERVE_PATH, -5));
	EXPECT_EQ(oldmax, mypts_read_int(MAX_PATH));
	EXPECT_EQ(-1, mypts_write_int(NR_PATH, 5));
}

TEST_F(ptmx, umount_busy_with_pairs_free_without)
{
	int m;

	m = mypts_open_ptmx(self->dir, 0);
	ASSERT_LE(0, m);
	EXPECT_EQ(-1, umount(self->dir));
	EXPECT_EQ(EBUSY, errno);
	close(m);
	EXPECT_EQ(0, umount(self->dir));
}

TEST_F(ptmx, global_myptmx_uses_sibling_instance)
{
	unsigned int n;
	char path[128];
	struct stat st;
	int m;

	/* A private /dev with the instance at /dev/mypts beside myptmx. */
	ASSERT_EQ(0, stat("/dev/myptmx", &st));
	ASSERT_EQ(0, mount("tmpfs", self->dir2, "tmpfs", 0, NULL));
	snprintf(path, sizeof(path), "%s/myptmx", self->dir2);
	ASSERT_EQ(0, mknod(path, S_IFCHR | 0666, st.st_rdev));
	m = open(path, O_RDWR | O_NOCTTY);
	EXPECT_EQ(-1, m);
	EXPECT_EQ(ENODEV, errno);
	snprintf(path, sizeof(path), "%s/mypts", self->dir2);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(0, mount("mypts", path, "mypts", 0, NULL));
	snprintf(path, sizeof(path), "%s/myptmx", self->dir2);
	m = open(path, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, TIOCGPTN, &n));
	snprintf(path, sizeof(path), "%s/mypts/%u", self->dir2, n);
	EXPECT_EQ(0, stat(path, &st));
	close(m);
}

TEST_F(ptmx, bind_of_ptmx_node_allocates_in_its_instance)
{
	char src[128], dst[128];
	unsigned int n;
	int fd, m, s;

	snprintf(src, sizeof(src), "%s/ptmx", self->dir);
	ASSERT_EQ(0, mount("tmpfs", self->dir2, "tmpfs", 0, NULL));
	snprintf(dst, sizeof(dst), "%s/ptmx", self->dir2);
	fd = open(dst, O_CREAT | O_WRONLY, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, mount(src, dst, NULL, MS_BIND, NULL));
	m = open(dst, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, TIOCGPTN, &n));
	EXPECT_EQ(0u, n);
	/* TIOCGPTPEER finds no instance beside the bound node: as devpts. */
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	EXPECT_EQ(-1, s);
	EXPECT_EQ(ENODEV, errno);
	close(m);
}

TEST_F(ptmx, peer_and_fdinfo)
{
	char path[128], link[256], line[256];
	unsigned int n;
	int m, s, unlock = 0, found = 0;
	FILE *f;

	m = mypts_open_ptmx(self->dir, 0);
	ASSERT_LE(0, m);
	ASSERT_EQ(0, ioctl(m, TIOCGPTN, &n));
	EXPECT_EQ(-1, ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, ioctl(m, TIOCSPTLCK, &unlock));
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", s);
	memset(link, 0, sizeof(link));
	ASSERT_LT(0, readlink(path, link, sizeof(link) - 1));
	snprintf(path, sizeof(path), "%s/%u", self->dir, n);
	EXPECT_STREQ(path, link);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", m);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	snprintf(path, sizeof(path), "tty-index:\t%u\n", n);
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, path))
			found = 1;
	fclose(f);
	EXPECT_EQ(1, found);
	close(s);
	close(m);
}

TEST_F(ptmx, unprivileged_container_gets_working_ptys)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char buf[16], path[128];
		int m, s, unlock = 0;
		struct stat st;
		unsigned int n;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534) ||
		    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
			_exit(10);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) ||
		    mypts_write_file("/proc/self/setgroups", "deny") ||
		    mypts_write_file("/proc/self/uid_map", "0 65534 1") ||
		    mypts_write_file("/proc/self/gid_map", "0 65534 1"))
			_exit(11);
		if (mount("mypts", self->dir2, "mypts", 0, "mode=0620"))
			_exit(12);
		/* ptmxmode=000 by default, but the mounter owns ptmx: as root here. */
		snprintf(path, sizeof(path), "%s/ptmx", self->dir2);
		m = open(path, O_RDWR | O_NOCTTY);
		if (m < 0)
			_exit(13);
		if (ioctl(m, TIOCGPTN, &n) || ioctl(m, TIOCSPTLCK, &unlock))
			_exit(14);
		snprintf(path, sizeof(path), "%s/%u", self->dir2, n);
		if (stat(path, &st) || st.st_uid != 0 || st.st_gid != 0 ||
		    (st.st_mode & 07777) != 0620)
			_exit(15);
		s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
		if (s < 0)
			_exit(16);
		if (write(s, "ok\n", 3) != 3 || read(m, buf, sizeof(buf)) != 4 ||
		    memcmp(buf, "ok\r\n", 4))
			_exit(17);
		close(s);
		close(m);
		if (umount(self->dir2))
			_exit(18);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Bytes a non-blocking writer gets in before EAGAIN, nobody reading. */
static long fill(int fd)
{
	char buf[512];
	long total = 0;
	ssize_t n;

	memset(buf, 'x', sizeof(buf));
	for (;;) {
		n = write(fd, buf, sizeof(buf));
		if (n <= 0)
			return n < 0 && errno == EAGAIN ? total : -1;
		total += n;
	}
}

static void raw_pair(struct __test_metadata *_metadata, const char *dir,
		     int *m, int *s)
{
	char path[128];
	struct termios t;
	int unlock = 0;

	snprintf(path, sizeof(path), "%s/ptmx", dir);
	*m = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
	ASSERT_LE(0, *m);
	ASSERT_EQ(0, ioctl(*m, TIOCSPTLCK, &unlock));
	*s = ioctl(*m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK);
	ASSERT_LE(0, *s);
	ASSERT_EQ(0, tcgetattr(*s, &t));
	cfmakeraw(&t);
	ASSERT_EQ(0, tcsetattr(*s, TCSANOW, &t));
}

TEST_F(ptmx, capacity_at_least_devpts)
{
	long dev_in, dev_out, my_in, my_out;
	int dm, ds, m, s;

	ASSERT_EQ(0, mount("devpts", self->dir2, "devpts", 0, "newinstance,ptmxmode=0666"));
	raw_pair(_metadata, self->dir2, &dm, &ds);
	raw_pair(_metadata, self->dir, &m, &s);
	dev_in = fill(dm);
	dev_out = fill(ds);
	my_in = fill(m);
	my_out = fill(s);
	TH_LOG("master to slave: devpts %ld, mypts %ld; slave to master: devpts %ld, mypts %ld",
	       dev_in, my_in, dev_out, my_out);
	EXPECT_LT(0, dev_in);
	EXPECT_LT(0, dev_out);
	EXPECT_LE(dev_in, my_in);
	EXPECT_LE(dev_out, my_out);
	close(s);
	close(m);
	close(ds);
	close(dm);
}

/*
 * The slave's output waits in chunks of a little less than 4 KiB that come
 * and go with the data. Byte i of a stream is i mod 251, so a byte lost,
 * doubled or moved at a chunk's edge shows.
 */
static void out_pattern(unsigned char *buf, size_t n, unsigned long from)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (from + i) % 251;
}

/* Write @n bytes of the stream from @from on @s in one write(). */
static ssize_t out_put(int s, size_t n, unsigned long from)
{
	static unsigned char buf[40000];

	out_pattern(buf, n, from);
	return write(s, buf, n);
}

/*
 * Read @n bytes from master @m in reads of the sizes in @sizes (cycled),
 * checking them against the stream from @from. Returns the bytes that
 * were right, stopping at the first wrong one.
 */
static size_t out_take(int m, size_t n, unsigned long from, const size_t *sizes,
		       size_t nsizes)
{
	static unsigned char got[40000], want[40000];
	size_t done = 0, i = 0, k;
	ssize_t r;

	while (done < n) {
		k = sizes[i++ % nsizes];
		if (k > n - done)
			k = n - done;
		r = pty_read_wait(m, got, k, PTY_WAIT_MS);
		if (r <= 0)
			break;
		out_pattern(want, r, from + done);
		if (memcmp(got, want, r))
			break;
		done += r;
	}
	return done;
}

static int out_inq(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) ? -1 : n;
}

/*
 * Fill and drain the slave's output many times: the capacity is exactly
 * 32768 every time, FIONREAD follows, and the bytes come out in order
 * whatever the read sizes.
 */
TEST_F(ptmx, output_queue_capacity_exact_after_cycles)
{
	static const size_t sizes[] = { 1, 4095, 4097, 7, 4096, 333, 4088, 4089 };
	unsigned long from;
	int m, s, cycle;
	long total;
	ssize_t n;

	raw_pair(_metadata, self->dir, &m, &s);
	for (cycle = 0; cycle < 12; cycle++) {
		from = cycle * 7;
		total = 0;
		for (;;) {
			n = out_put(s, 509 + cycle, from + total);
			if (n <= 0)
				break;
			total += n;
		}
		EXPECT_EQ(EAGAIN, errno);
		EXPECT_EQ(32768, total) TH_LOG("cycle %d", cycle);
		EXPECT_EQ(32768, out_inq(m));
		EXPECT_EQ((size_t)total, out_take(m, total, from, sizes + cycle % 3,
						  ARRAY_SIZE(sizes) - cycle % 3))
			TH_LOG("cycle %d", cycle);
		EXPECT_EQ(0, out_inq(m));
		EXPECT_EQ(-1, read(m, &n, 1));
		EXPECT_EQ(EAGAIN, errno);
	}
	close(s);
	close(m);
}

/* FIONREAD is exact on both sides of a chunk's edge, read by read. */
TEST_F(ptmx, output_queue_fionread_at_chunk_edges)
{
	static const size_t lens[] = { 1, 4087, 4088, 4089, 4095, 4096, 4097, 8176, 8177,
				       12000, 32767, 32768 };
	static const size_t one[] = { 1 };
	size_t i, k;
	int m, s;

	raw_pair(_metadata, self->dir, &m, &s);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		ASSERT_EQ((ssize_t)lens[i], out_put(s, lens[i], i));
		EXPECT_EQ((int)lens[i], out_inq(m)) TH_LOG("%zu bytes", lens[i]);
		ASSERT_EQ(1u, out_take(m, 1, i, one, 1));
		EXPECT_EQ((int)lens[i] - 1, out_inq(m)) TH_LOG("%zu bytes", lens[i]);
		k = lens[i] - 1;
		EXPECT_EQ(k, out_take(m, k, i + 1, lens, ARRAY_SIZE(lens)));
		EXPECT_EQ(0, out_inq(m));
	}
	/* Byte by byte across three chunks. */
	ASSERT_EQ(9000, out_put(s, 9000, 5));
	EXPECT_EQ(9000u, out_take(m, 9000, 5, one, 1));
	EXPECT_EQ(0, out_inq(m));
	close(s);
	close(m);
}

/*
 * TCIFLUSH on the master drops a queue of several chunks; what comes
 * after is whole, and the capacity is back to 32768.
 */
TEST_F(ptmx, output_queue_flush_then_more)
{
	static const size_t sizes[] = { 4096 };
	long total = 0;
	int m, s;
	ssize_t n;

	raw_pair(_metadata, self->dir, &m, &s);
	ASSERT_EQ(10000, out_put(s, 10000, 0));
	ASSERT_EQ(0, tcflush(m, TCIFLUSH));
	EXPECT_EQ(0, out_inq(m));
	EXPECT_EQ(-1, read(m, &n, 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(5000, out_put(s, 5000, 3));
	EXPECT_EQ(5000, out_inq(m));
	EXPECT_EQ(5000u, out_take(m, 5000, 3, sizes, 1));
	ASSERT_EQ(3000, out_put(s, 3000, 1));
	ASSERT_EQ(0, tcflush(m, TCIFLUSH));
	for (;;) {
		n = out_put(s, 4000, total);
		if (n <= 0)
			break;
		total += n;
	}
	EXPECT_EQ(32768, total);
	EXPECT_EQ(32768u, out_take(m, total, 0, sizes, 1));
	close(s);
	close(m);
}

TEST_HARNESS_MAIN
