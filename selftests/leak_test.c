// SPDX-License-Identifier: GPL-2.0
/*
 * leak_test - 10,000 pairs allocated and closed in every order, with and
 * without TIOCGPTPEER, some with their opener killed by SIGKILL midway,
 * must leave no pair counted, no node, and the slab caches as they were.
 * MYPTS_LEAK_CYCLES sets another count (the debug kernel's tier uses 1,000).
 */
#include <dirent.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "mypts_util.h"

static unsigned int cycles = 10000;

__attribute__((constructor)) static void leak_cycles(void)
{
	unsigned long long n = mypts_env_num("MYPTS_LEAK_CYCLES", 10000);

	if (n > 0 && n <= 1000000)
		cycles = (unsigned int)n;
}

#define NR_PATH "/proc/sys/kernel/mypts/nr"

static const char *const caches[] = {
	"kmalloc-4k", "kmalloc-1k", "dentry", "inode_cache", "filp",
};

static int open_slave_path(const char *dir, int m)
{
	char path[128];
	unsigned int n;
	int unlock = 0;

	if (ioctl(m, TIOCGPTN, &n) || ioctl(m, TIOCSPTLCK, &unlock))
		return -1;
	snprintf(path, sizeof(path), "%s/%u", dir, n);
	return open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
}

static int open_peer(int m)
{
	int unlock = 0;

	if (ioctl(m, TIOCSPTLCK, &unlock))
		return -1;
	return ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK);
}

/* A child that holds a pair with data in flight and waits to be killed. */
static pid_t spawn_victim(const char *dir, int ready)
{
	pid_t pid = fork();

	if (pid == 0) {
		char c;
		int m = mypts_open_ptmx(dir, 0);
		int s = m >= 0 ? open_peer(m) : -1;

		if (s < 0)
			_exit(1);
		if (write(m, "in flight\n", 10) < 0 || write(s, "out", 3) < 0)
			_exit(2);
		if (write(ready, "r", 1) != 1)
			_exit(3);
		/* Blocks: the slave is non-blocking, the master is not. */
		if (read(m, &c, 1) < 0 || read(m, &c, 1) < 0)
			_exit(4);
		pause();
		_exit(0);
	}
	return pid;
}

FIXTURE(leak) {
	char dir[64];
};

FIXTURE_SETUP(leak)
{
	ASSERT_EQ(0, mypts_private_ns());
	ASSERT_EQ(0, mypts_tmpdir(self->dir, sizeof(self->dir)));
	ASSERT_EQ(0, mount("mypts", self->dir, "mypts", 0, "ptmxmode=0666"));
}

FIXTURE_TEARDOWN(leak)
{
	umount2(self->dir, MNT_DETACH);
	rmdir(self->dir);
}

TEST_F_TIMEOUT(leak, cycles_leave_nothing, 600)
{
	long before[ARRAY_SIZE(caches)], now;
	int base = mypts_read_int(NR_PATH);
	unsigned int i, k;
	int m, s, s2, pfd[2], status;
	pid_t pid;
	char c;

	ASSERT_LE(0, base);
	for (k = 0; k < ARRAY_SIZE(caches); k++) {
		before[k] = mypts_slab_active(caches[k]);
		ASSERT_LE(0, before[k]) TH_LOG("no slab cache %s", caches[k]);
	}

	for (i = 0; i < cycles; i++) {
		switch (i % 7) {
		case 0:		/* master alone */
			m = mypts_open_ptmx(self->dir, 0);
			ASSERT_LE(0, m);
			ASSERT_EQ(3, write(m, "abc", 3));
			close(m);
			break;
		case 1:		/* slave by path, master closed first */
			m = mypts_open_ptmx(self->dir, 0);
			ASSERT_LE(0, m);
			s = open_slave_path(self->dir, m);
			ASSERT_LE(0, s);
			ASSERT_EQ(2, write(s, "x\n", 2));
			close(m);
			close(s);
			break;
		case 2:		/* slave by path, slave closed first */
			m = mypts_open_ptmx(self->dir, 0);
			ASSERT_LE(0, m);
			s = open_slave_path(self->dir, m);
			ASSERT_LE(0, s);
			ASSERT_EQ(4, write(m, "in\n\n", 4));
			close(s);
			close(m);
			break;
		case 3:		/* peer, slave closed first */
			m = mypts_open_ptmx(self->dir, 0);
			ASSERT_LE(0, m);
			s = open_peer(m);
			ASSERT_LE(0, s);
			close(s);
			close(m);
			break;
		case 4:		/* two peers outlive the master */
			m = mypts_open_ptmx(self->dir, 0);
			ASSERT_LE(0, m);
			s = open_peer(m);
			ASSERT_LE(0, s);
			s2 = open_peer(m);
			ASSERT_LE(0, s2);
			close(m);
			close(s2);
			close(s);
			break;
		case 5:		/* slave reopened after its close */
			m = mypts_open_ptmx(self->dir, 0);
			ASSERT_LE(0, m);
			s = open_slave_path(self->dir, m);
			ASSERT_LE(0, s);
			close(s);
			s = open_slave_path(self->dir, m);
			ASSERT_LE(0, s);
			close(m);
			close(s);
			break;
		case 6:		/* the opener killed midway */
			if (i % 49 != 6) {
				m = mypts_open_ptmx(self->dir, 0);
				ASSERT_LE(0, m);
				close(m);
				break;
			}
			ASSERT_EQ(0, pipe(pfd));
			pid = spawn_victim(self->dir, pfd[1]);
			ASSERT_LE(0, pid);
			ASSERT_EQ(1, read(pfd[0], &c, 1));
			kill(pid, SIGKILL);
			ASSERT_EQ(pid, waitpid(pid, &status, 0));
			EXPECT_TRUE(WIFSIGNALED(status));
			close(pfd[0]);
			close(pfd[1]);
			break;
		}
	}

	EXPECT_EQ(base, mypts_read_int(NR_PATH));
	EXPECT_EQ(1, mypts_count_entries(self->dir)) TH_LOG("nodes are left behind");
	/* Frees go through RCU and the tty release work: wait, bounded. */
	for (k = 0; k < ARRAY_SIZE(caches); k++) {
		now = mypts_slab_settle(caches[k], before[k], 32);
		EXPECT_LE(now, before[k] + 32)
			TH_LOG("%s: %ld -> %ld after %u cycles", caches[k], before[k], now, cycles);
	}
}

TEST_HARNESS_MAIN
