// SPDX-License-Identifier: GPL-2.0
/*
 * pty_nodes_test - differential pty suite, nodes and lifetimes: the ptmx
 * node, slave nodes and their owners, indices, locking, TIOCGPTPEER, and
 * what one side sees when the other is not yet open, closes or hangs up.
 * Every case runs on a private devpts instance and on a mypts instance
 * (pty_fixture.h) and asserts what Linux's devpts does.
 */
#include <dirent.h>
#include <limits.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "mypts_util.h"
#include "pty_util.h"
#include "pty_fixture.h"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* Names in @dir except "." and "..", sorted, joined by spaces; -1 on error. */
static int list_dir(const char *dir, char *buf, size_t len)
{
	char names[32][NAME_MAX + 1], *ptrs[32];
	struct dirent *de;
	size_t used = 0;
	int n = 0, i;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d)) && n < 32) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(names[n], sizeof(names[n]), "%s", de->d_name);
		ptrs[n] = names[n];
		n++;
	}
	closedir(d);
	qsort(ptrs, n, sizeof(ptrs[0]), cmp_names);
	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? " " : "", ptrs[i]);
	return 0;
}

/* ---- nodes, indices, locking, TIOCGPTPEER ---- */

TEST_F(pty, ptmx_node_and_empty_root)
{
	char names[256];
	struct stat st;

	snprintf(self->path, sizeof(self->path), "%s/ptmx", self->dir);
	ASSERT_EQ(0, stat(self->path, &st))
		TH_LOG("stat %s: %s", self->path, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666u, st.st_mode & 07777);
	ASSERT_EQ(0, list_dir(self->dir, names, sizeof(names)));
	EXPECT_STREQ("ptmx", names);
}

TEST_F(pty, index_sequence_and_reuse)
{
	int a, b, c;

	a = open_master(_metadata, self->dir, 0);
	b = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(0, pty_index(a));
	EXPECT_EQ(1, pty_index(b));
	/* A master that never had a slave frees its index at close. */
	close(a);
	c = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(0, pty_index(c));
	close(b);
	close(c);
}

TEST_F(pty, slave_node_appears_at_open)
{
	struct stat st, st1;
	char names[256];
	int m, m1;

	m = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(0, pty_index(m));
	pty_slave_path(self->dir, 0, self->path, sizeof(self->path));
	ASSERT_EQ(0, stat(self->path, &st))
		TH_LOG("stat %s: %s", self->path, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0620u, st.st_mode & 07777);
	EXPECT_EQ(geteuid(), st.st_uid);
	EXPECT_EQ(getegid(), st.st_gid);
	EXPECT_EQ(0u, minor(st.st_rdev));

	m1 = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(1, pty_index(m1));
	pty_slave_path(self->dir, 1, self->path, sizeof(self->path));
	ASSERT_EQ(0, stat(self->path, &st1));
	EXPECT_EQ(1u, minor(st1.st_rdev));
	EXPECT_EQ(major(st.st_rdev), major(st1.st_rdev));
	ASSERT_EQ(0, list_dir(self->dir, names, sizeof(names)));
	EXPECT_STREQ("0 1 ptmx", names);
	close(m1);
	ASSERT_EQ(0, list_dir(self->dir, names, sizeof(names)));
	EXPECT_STREQ("0 ptmx", names);
	close(m);
}

TEST_F(pty, slave_owner_is_opener_fsuid)
{
	struct stat st;
	int m;

	setfsgid(4321);
	setfsuid(1234);
	m = mypts_open_ptmx(self->dir, 0);
	setfsuid(0);
	setfsgid(0);
	ASSERT_LE(0, m)
		TH_LOG("open ptmx as fsuid 1234: %s", strerror(errno));
	pty_slave_path(self->dir, pty_index(m), self->path, sizeof(self->path));
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(1234u, st.st_uid);
	EXPECT_EQ(4321u, st.st_gid);
	EXPECT_EQ(0620u, st.st_mode & 07777);
	close(m);
}

TEST_F(pty, slave_node_chmod_chown)
{
	struct pty_pair p;
	struct stat st;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	EXPECT_EQ(0, chmod(self->path, 0600));
	EXPECT_EQ(0, chown(self->path, 65534, 65534));
	ASSERT_EQ(0, stat(self->path, &st));
	EXPECT_EQ(0600u, st.st_mode & 07777);
	EXPECT_EQ(65534u, st.st_uid);
	EXPECT_EQ(65534u, st.st_gid);
	ASSERT_EQ(0, fstat(p.slave, &st));
	EXPECT_EQ(0600u, st.st_mode & 07777);
	pty_close_pair(&p);
}

TEST_F(pty, refused_slave_open_is_not_a_close)
{
	char c;
	int m;

	/* A refused open of the locked slave leaves the master as it was. */
	m = open_master(_metadata, self->dir, O_NONBLOCK);
	EXPECT_EQ(-1, pty_open_slave(self->dir, 0, 0));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(POLLOUT, pty_poll(m, POLLIN | POLLOUT, 200));
	EXPECT_EQ(-1, read(m, &c, 1));
	EXPECT_EQ(EAGAIN, errno);
	close(m);
}

TEST_F(pty, slave_locked_until_unlock)
{
	char buf[16];
	int m, s, s2, lock = -1;

	m = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(0, ioctl(m, TIOCGPTLCK, &lock));
	EXPECT_EQ(1, lock);
	s = pty_open_slave(self->dir, 0, 0);
	EXPECT_EQ(-1, s);
	EXPECT_EQ(EIO, errno);

	ASSERT_EQ(0, pty_set_lock(m, 0));
	ASSERT_EQ(0, ioctl(m, TIOCGPTLCK, &lock));
	EXPECT_EQ(0, lock);
	s = pty_open_slave(self->dir, 0, 0);
	ASSERT_LE(0, s);

	/* Any non-zero value locks again; open fds keep working. */
	ASSERT_EQ(0, pty_set_lock(m, 5));
	ASSERT_EQ(0, ioctl(m, TIOCGPTLCK, &lock));
	EXPECT_EQ(1, lock);
	EXPECT_EQ(3, pty_write_str(s, "ok\n"));
	EXPECT_STREQ("ok\r\n", pty_read_str(m, buf, sizeof(buf), 4, PTY_WAIT_MS));
	s2 = pty_open_slave(self->dir, 0, 0);
	EXPECT_EQ(-1, s2);
	EXPECT_EQ(EIO, errno);

	ASSERT_EQ(0, pty_set_lock(m, 0));
	s2 = pty_open_slave(self->dir, 0, 0);
	EXPECT_LE(0, s2);
	close(s2);
	close(s);
	close(m);
}

TEST_F(pty, peer_opens_the_slave)
{
	struct stat pst, st;
	char buf[16];
	int m, p, p2, p3;

	m = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(0, pty_set_lock(m, 0));
	p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, p)
		TH_LOG("TIOCGPTPEER: %s", strerror(errno));
	EXPECT_EQ(O_RDWR, fcntl(p, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(0, fcntl(p, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(1, isatty(p));
	pty_slave_path(self->dir, pty_index(m), self->path, sizeof(self->path));
	ASSERT_EQ(0, stat(self->path, &st));
	ASSERT_EQ(0, fstat(p, &pst));
	EXPECT_EQ(st.st_rdev, pst.st_rdev);
	EXPECT_EQ(st.st_ino, pst.st_ino);
	EXPECT_EQ(5, pty_write_str(m, "ping\n"));
	EXPECT_STREQ("ping\n", pty_read_str(p, buf, sizeof(buf), 5, PTY_WAIT_MS));

	/* The flags are the new fd's open flags. */
	p2 = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, p2);
	EXPECT_EQ(FD_CLOEXEC, fcntl(p2, F_GETFD) & FD_CLOEXEC);
	p3 = ioctl(m, TIOCGPTPEER, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	ASSERT_LE(0, p3);
	EXPECT_EQ(O_RDONLY | O_NONBLOCK, fcntl(p3, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
	EXPECT_EQ(-1, read(p3, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, write(p3, "x", 1));
	EXPECT_EQ(EBADF, errno);
	close(p3);
	close(p2);
	close(p);
	close(m);
}

TEST_F(pty, peer_of_locked_pty_is_eio)
{
	int m;

	m = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(-1, ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, pty_set_lock(m, 0));
	ASSERT_EQ(0, pty_set_lock(m, 1));
	EXPECT_EQ(-1, ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	EXPECT_EQ(EIO, errno);
	close(m);
}

/* ---- before the slave is opened ---- */

TEST_F(pty, master_unreadable_before_slave_open)
{
	char buf[16];
	int m;

	m = open_master(_metadata, self->dir, O_NONBLOCK);
	EXPECT_EQ(POLLOUT, pty_poll(m, ALL_EVENTS, PTY_QUIET_MS));
	EXPECT_EQ(-1, read(m, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, pty_set_lock(m, 0));
	EXPECT_EQ(POLLOUT, pty_poll(m, ALL_EVENTS, PTY_QUIET_MS));
	EXPECT_EQ(-1, read(m, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(m);
}

TEST_F(pty, master_writes_before_slave_open)
{
	char buf[64];
	int m, s;

	m = open_master(_metadata, self->dir, 0);
	ASSERT_EQ(0, pty_set_lock(m, 0));
	ASSERT_EQ(6, pty_write_str(m, "early\n"));
	EXPECT_STREQ("early\r\n", pty_read_str(m, buf, sizeof(buf), 7, PTY_WAIT_MS));
	s = pty_open_slave(self->dir, pty_index(m), 0);
	ASSERT_LE(0, s);
	EXPECT_STREQ("early\n", pty_read_str(s, buf, sizeof(buf), 6, PTY_WAIT_MS));
	close(s);
	close(m);
}

/* ---- the other side goes away ---- */

TEST_F(pty, master_eio_after_last_slave_close)
{
	struct pty_pair p;
	char buf[64];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(4, pty_write_str(p.slave, "bye\n"));
	close(p.slave);
	p.slave = -1;
	/* What the slave wrote is read first, then EIO. */
	EXPECT_STREQ("bye\r\n", pty_read_str(p.master, buf, sizeof(buf), 5, PTY_WAIT_MS));
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(POLLOUT | POLLHUP, pty_poll(p.master, ALL_EVENTS, 0));
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	pty_close_pair(&p);
}

TEST_F(pty, master_writes_after_slave_close)
{
	struct pty_pair p;
	char buf[64];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	close(p.slave);
	EXPECT_EQ(4, pty_write_str(p.master, "late"));
	p.slave = pty_open_slave(self->dir, p.index, 0);
	ASSERT_LE(0, p.slave);
	EXPECT_STREQ("late", pty_read_str(p.slave, buf, sizeof(buf), 4, PTY_WAIT_MS));
	pty_close_pair(&p);
}

TEST_F(pty, slave_hung_up_after_master_close)
{
	struct pty_pair p;
	struct termios t;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	close(p.master);
	p.master = -1;
	EXPECT_EQ(0, read(p.slave, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(p.slave, "x", 1));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(POLLIN | POLLOUT | POLLERR | POLLHUP, pty_poll(p.slave, ALL_EVENTS, 0));
	EXPECT_EQ(-1, tcgetattr(p.slave, &t));
	EXPECT_EQ(EIO, errno);
	pty_close_pair(&p);
}

TEST_F(pty, node_removed_at_master_close)
{
	struct pty_pair p;
	char names[256];
	struct stat st;
	int m2, m3;

	open_pair(_metadata, self->dir, &p);
	pty_slave_path(self->dir, p.index, self->path, sizeof(self->path));
	close(p.master);
	p.master = -1;
	EXPECT_EQ(-1, stat(self->path, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, open(self->path, O_RDWR | O_NOCTTY));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, list_dir(self->dir, names, sizeof(names)));
	EXPECT_STREQ("ptmx", names);
	EXPECT_EQ(0, fstat(p.slave, &st));
	/* The index stays taken while a slave fd is open. */
	m2 = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(1, pty_index(m2));
	close(p.slave);
	p.slave = -1;
	m3 = open_master(_metadata, self->dir, 0);
	EXPECT_EQ(0, pty_index(m3));
	close(m3);
	close(m2);
}

TEST_F(pty, reopened_slave_clears_eio)
{
	struct pty_pair p;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	close(p.slave);
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	p.slave = pty_open_slave(self->dir, p.index, 0);
	ASSERT_LE(0, p.slave);
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(POLLOUT, pty_poll(p.master, ALL_EVENTS, 0));
	pty_close_pair(&p);
}

TEST_F(pty, state_survives_slave_reopen)
{
	struct winsize ws = { .ws_row = 33, .ws_col = 77 }, got;
	struct pty_pair p;
	struct termios t;
	char buf[16];

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	ASSERT_EQ(0, ioctl(p.slave, TIOCSWINSZ, &ws));
	ASSERT_EQ(5, pty_write_str(p.master, "keep\n"));
	ASSERT_EQ(POLLIN, pty_poll(p.slave, POLLIN, PTY_WAIT_MS));
	close(p.slave);
	p.slave = pty_open_slave(self->dir, p.index, 0);
	ASSERT_LE(0, p.slave);
	ASSERT_EQ(0, tcgetattr(p.slave, &t));
	EXPECT_EQ(0u, t.c_lflag & ECHO);
	EXPECT_EQ((tcflag_t)ICANON, t.c_lflag & ICANON);
	ASSERT_EQ(0, ioctl(p.slave, TIOCGWINSZ, &got));
	EXPECT_EQ(33, got.ws_row);
	EXPECT_EQ(77, got.ws_col);
	EXPECT_STREQ("keep\n", pty_read_str(p.slave, buf, sizeof(buf), 5, PTY_WAIT_MS));
	pty_close_pair(&p);
}

TEST_F(pty, two_slave_fds)
{
	struct pty_pair p;
	char buf[16];
	int s2;

	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	s2 = pty_open_slave(self->dir, p.index, 0);
	ASSERT_LE(0, s2);
	ASSERT_EQ(0, pty_lflags(p.slave, 0, ECHO));
	ASSERT_EQ(4, pty_write_str(p.master, "one\n"));
	EXPECT_STREQ("one\n", pty_read_str(s2, buf, sizeof(buf), 4, PTY_WAIT_MS));
	close(p.slave);
	p.slave = -1;
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(2, pty_write_str(s2, "2\n"));
	EXPECT_STREQ("2\r\n", pty_read_str(p.master, buf, sizeof(buf), 3, PTY_WAIT_MS));
	close(s2);
	EXPECT_EQ(-1, read(p.master, buf, sizeof(buf)));
	EXPECT_EQ(EIO, errno);
	pty_close_pair(&p);
}

struct read_result {
	int n;
	int err;
};

TEST_F(pty, master_close_wakes_blocked_reader)
{
	struct read_result *r;
	struct pty_pair p;
	int sync[2];
	pid_t pid;

	open_pair(_metadata, self->dir, &p);
	r = pty_shared(sizeof(*r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, pipe(sync));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char buf[16];

		close(p.master);
		pty_tell(sync[1]);
		r->n = read(p.slave, buf, sizeof(buf));
		r->err = r->n < 0 ? errno : 0;
		_exit(0);
	}
	hear(_metadata, sync[0]);
	ASSERT_EQ(0, pty_wait_blocked(pid, SYS_read, PTY_WAIT_MS))
		TH_LOG("the child never blocked in read()");
	close(p.master);
	p.master = -1;
	EXPECT_EQ(0, pty_wait_child(pid));
	/* A reader asleep at hangup sees EIO; later reads see end of file. */
	EXPECT_EQ(-1, r->n);
	EXPECT_EQ(EIO, r->err);
	EXPECT_EQ(0, read(p.slave, r, sizeof(*r)));
	pty_close_pair(&p);
}

/* ---- several ptys ---- */

TEST_F(pty, ptys_are_independent)
{
	struct pty_pair p[3];
	char buf[16], want[16];
	int i;

	for (i = 0; i < 3; i++) {
		open_pair(_metadata, self->dir, &p[i]);
		EXPECT_EQ(i, p[i].index);
		ASSERT_EQ(0, pty_lflags(p[i].slave, 0, ECHO));
	}
	for (i = 2; i >= 0; i--) {
		snprintf(want, sizeof(want), "pty%d\n", i);
		ASSERT_EQ(5, pty_write_str(p[i].master, want));
	}
	for (i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "pty%d\n", i);
		EXPECT_STREQ(want, pty_read_str(p[i].slave, buf, sizeof(buf), 5, PTY_WAIT_MS));
		EXPECT_TRUE(pty_quiet(p[i].master, 0));
	}
	/* Closing one master leaves the others alone. */
	close(p[1].master);
	p[1].master = -1;
	EXPECT_EQ(0, read(p[1].slave, buf, sizeof(buf)));
	for (i = 0; i < 3; i += 2) {
		ASSERT_EQ(3, pty_write_str(p[i].slave, "ok\n"));
		EXPECT_STREQ("ok\r\n", pty_read_str(p[i].master, buf, sizeof(buf), 4,
						    PTY_WAIT_MS));
	}
	for (i = 0; i < 3; i++)
		pty_close_pair(&p[i]);
}

TEST_HARNESS_MAIN
