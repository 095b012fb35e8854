// SPDX-License-Identifier: GPL-2.0
/*
 * data_test - nothing lost, nothing reordered: 16 MiB of pseudo-random
 * bytes each way through a raw pair, a fast writer against a slow reader
 * that reads in small, varying pieces. MYPTS_DATA_MIB sets another size
 * (the debug kernel's tier uses 2: KASAN checks every byte copied).
 */
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "mypts_util.h"

static unsigned int total_bytes = 16u << 20;

__attribute__((constructor)) static void data_size(void)
{
	unsigned long long mib = mypts_env_num("MYPTS_DATA_MIB", 16);

	if (mib > 0 && mib <= 1024)
		total_bytes = (unsigned int)mib << 20;
}

/* xorshift32: both ends derive the same stream from the seed. */
static unsigned int next_rand(unsigned int *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void fill(unsigned char *buf, size_t n, unsigned int *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = next_rand(s) & 0xff;
}

/* Write total_bytes bytes of the stream in large pieces; exit status says how it went. */
static void writer(int fd, unsigned int seed)
{
	static unsigned char buf[65536];
	unsigned int s = seed, done = 0;
	size_t want, off;
	ssize_t n;

	while (done < total_bytes) {
		want = total_bytes - done < sizeof(buf) ? total_bytes - done : sizeof(buf);
		fill(buf, want, &s);
		for (off = 0; off < want; off += n) {
			n = write(fd, buf + off, want - off);
			if (n <= 0)
				_exit(2);
		}
		done += want;
	}
	_exit(0);
}

/* Read total_bytes bytes in small varying pieces; returns the first bad offset or -1. */
static long reader(int fd, unsigned int seed, unsigned int *got)
{
	unsigned char buf[4096];
	unsigned int s = seed, sizes = seed * 7 + 1, want;
	ssize_t n, i;

	*got = 0;
	while (*got < total_bytes) {
		want = next_rand(&sizes);
		want = (want & 63) ? (want % 512) + 1 : (want % 4096) + 1;
		n = read(fd, buf, want);
		if (n <= 0)
			return *got;
		for (i = 0; i < n; i++)
			if (buf[i] != (next_rand(&s) & 0xff))
				return *got + i;
		*got += n;
	}
	return -1;
}

FIXTURE(data) {
	char dir[64];
	int master;
	int slave;
};

FIXTURE_VARIANT(data) {
	const char *fstype;
	const char *opts;
};

FIXTURE_VARIANT_ADD(data, devpts) {
	.fstype = "devpts",
	.opts = "newinstance,ptmxmode=0666",
};

FIXTURE_VARIANT_ADD(data, mypts) {
	.fstype = "mypts",
	.opts = "ptmxmode=0666",
};

FIXTURE_SETUP(data)
{
	char path[128];
	struct termios t;
	int unlock = 0;

	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, mount(variant->fstype, self->dir, variant->fstype, 0, variant->opts));
	snprintf(path, sizeof(path), "%s/ptmx", self->dir);
	self->master = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, self->master);
	ASSERT_EQ(0, ioctl(self->master, TIOCSPTLCK, &unlock));
	self->slave = ioctl(self->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, self->slave);
	ASSERT_EQ(0, tcgetattr(self->slave, &t));
	cfmakeraw(&t);
	ASSERT_EQ(0, tcsetattr(self->slave, TCSANOW, &t));
}

FIXTURE_TEARDOWN(data)
{
	close(self->slave);
	close(self->master);
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

static void one_way(struct __test_metadata *_metadata, int wfd, int rfd,
		    unsigned int seed)
{
	unsigned int got;
	int status;
	long bad;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		writer(wfd, seed);
	bad = reader(rfd, seed, &got);
	EXPECT_EQ(-1, bad) TH_LOG("stream broken at byte %ld of %u (read %u)",
				  bad, total_bytes, got);
	if (bad != -1)
		kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F_TIMEOUT(data, master_to_slave_bulk, 400)
{
	one_way(_metadata, self->master, self->slave, 0x12345678);
}

TEST_F_TIMEOUT(data, slave_to_master_bulk, 400)
{
	one_way(_metadata, self->slave, self->master, 0x9abcdef1);
}

TEST_HARNESS_MAIN
