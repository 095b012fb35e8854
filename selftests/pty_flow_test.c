// SPDX-License-Identifier: GPL-2.0
/*
 * pty_flow_test - master input on its way to the slave's discipline, where
 * mypts delivers in the writer's context while nothing waits in the flip
 * buffer and queues there otherwise: every byte arrives, in order, across
 * the switches between the two ways; a writer blocked for room wakes when
 * the slave reads (under either discipline); a signal character inside a
 * large write acts in its place; and TIOCSTI on the slave, which feeds the
 * same discipline, mixes with master writes without a hang.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "pty_util.h"
#include "pty_fixture.h"

#define FLOW_LEN	(256 << 10)

/* Switch the slave to N_TTY (devpts' default already), or fail. */
static void use_n_tty(struct __test_metadata *_metadata, int slave)
{
	int disc = N_TTY;

	ASSERT_EQ(0, ioctl(slave, TIOCSETD, &disc));
	ASSERT_EQ(0, ioctl(slave, TIOCGETD, &disc));
	ASSERT_EQ(N_TTY, disc);
}

/*
 * One process writes the master (non-blocking) and reads the slave in
 * pieces of varying sizes, so the discipline fills, drains and fills
 * again while more writes arrive. Everything must come out in order.
 */
static void interleave(struct __test_metadata *_metadata, const char *dir,
		       bool ntty)
{
	unsigned char *in, *out;
	size_t wpos = 0, rpos = 0, n;
	unsigned int seed = 0x666c6f77;
	struct pty_pair p;
	ssize_t w, r;

	in = malloc(FLOW_LEN);
	out = malloc(FLOW_LEN);
	ASSERT_TRUE(in && out);
	pty_fill_random(in, FLOW_LEN, seed);
	open_pair(_metadata, dir, &p);
	if (ntty)
		use_n_tty(_metadata, p.slave);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	ASSERT_EQ(0, pty_set_nonblock(p.master, 1));
	ASSERT_EQ(0, pty_set_nonblock(p.slave, 1));
	while (rpos < FLOW_LEN) {
		w = 0;
		if (wpos < FLOW_LEN) {
			n = pty_rand(&seed) % 9000 + 1;
			if (n > FLOW_LEN - wpos)
				n = FLOW_LEN - wpos;
			w = write(p.master, in + wpos, n);
			if (w < 0) {
				ASSERT_EQ(EAGAIN, errno);
				w = 0;
			}
			wpos += w;
		}
		n = pty_rand(&seed) % 5000 + 1;
		if (n > FLOW_LEN - rpos)
			n = FLOW_LEN - rpos;
		r = read(p.slave, out + rpos, n);
		if (r < 0) {
			ASSERT_EQ(EAGAIN, errno);
			/* Nothing to read and nothing written: input is stuck. */
			if (!w)
				ASSERT_EQ(POLLIN, pty_poll(p.slave, POLLIN, PTY_WAIT_MS))
					TH_LOG("written %zu, read %zu: no input", wpos, rpos);
			continue;
		}
		ASSERT_LT(0, r);
		rpos += r;
		ASSERT_LE(rpos, wpos);
	}
	EXPECT_EQ(0, memcmp(in, out, FLOW_LEN));
	EXPECT_EQ(0, pty_poll(p.slave, POLLIN, 0));
	pty_close_pair(&p);
	free(in);
	free(out);
}

TEST_F_TIMEOUT(pty, interleaved_writes_and_reads_keep_order, 120)
{
	interleave(_metadata, self->dir, false);
}

TEST_F_TIMEOUT(pty, interleaved_writes_and_reads_keep_order_n_tty, 120)
{
	interleave(_metadata, self->dir, true);
}

/*
 * A child writes more than the pair holds in one blocking write; once it
 * sleeps in write(), the slave reads everything, which must wake it.
 */
static void blocked_writer(struct __test_metadata *_metadata, const char *dir,
			   bool ntty)
{
	const size_t len = 96 << 10;
	unsigned char *in, *out;
	struct pty_pair p;
	pid_t pid;

	in = malloc(len);
	out = malloc(len);
	ASSERT_TRUE(in && out);
	pty_fill_random(in, len, 0x77616b65);
	open_pair(_metadata, dir, &p);
	if (ntty)
		use_n_tty(_metadata, p.slave);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(p.slave);
		_exit(write(p.master, in, len) == (ssize_t)len ? 0 : 1);
	}
	EXPECT_EQ(0, pty_wait_blocked(pid, SYS_write, PTY_WAIT_MS))
		TH_LOG("the writer never waited for room");
	EXPECT_EQ(len, pty_read_full(p.slave, out, len, PTY_WAIT_MS));
	EXPECT_EQ(0, memcmp(in, out, len));
	EXPECT_EQ(0, pty_wait_child(pid));
	pty_close_pair(&p);
	free(in);
	free(out);
}

TEST_F_TIMEOUT(pty, blocked_writer_woken_by_slave_read, 60)
{
	blocked_writer(_metadata, self->dir, false);
}

TEST_F_TIMEOUT(pty, blocked_writer_woken_by_slave_read_n_tty, 60)
{
	blocked_writer(_metadata, self->dir, true);
}

/*
 * ^C inside one 6001-byte write, with ISIG on and the slave reading
 * nothing: the foreground group gets SIGINT, the 3000 bytes before it are
 * flushed and the 3000 after it are kept.
 */
TEST_F_TIMEOUT(pty, intr_inside_a_large_write, 60)
{
	const size_t half = 3000;
	unsigned char *in, *out;
	struct pty_pair p;
	int c2p[2], p2c[2], *got;
	pid_t pid;

	in = malloc(2 * half + 1);
	out = malloc(2 * half + 1);
	got = pty_shared(sizeof(*got));
	ASSERT_TRUE(in && out && got);
	memset(in, 'a', half);
	in[half] = 3;
	memset(in + half + 1, 'b', half);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	ASSERT_EQ(0, pty_lflags(p.slave, ISIG, 0));
	pty_slave_path(self->dir, pty_index(p.master), self->path, sizeof(self->path));
	/* The child stays until the slave was read. */
	pid = pty_fork_sigint_waiter(self->path, p.master, c2p[1], p2c[0], got);
	ASSERT_LE(0, pid);
	hear(_metadata, c2p[0]);
	ASSERT_EQ((ssize_t)(2 * half + 1), write(p.master, in, 2 * half + 1));
	hear(_metadata, c2p[0]);
	EXPECT_EQ(1, *got);
	EXPECT_EQ(half, pty_read_full(p.slave, out, 2 * half + 1, PTY_QUIET_MS));
	memset(in, 'b', half);
	EXPECT_EQ(0, memcmp(in, out, half));
	/* No echo: ECHO is off. */
	EXPECT_TRUE(pty_quiet(p.master, PTY_QUIET_MS));
	pty_tell(p2c[1]);
	EXPECT_EQ(0, pty_wait_child(pid));
	pty_close_pair(&p);
	close(c2p[0]);
	close(c2p[1]);
	close(p2c[0]);
	close(p2c[1]);
	free(in);
	free(out);
}

/*
 * A child injects 's' with TIOCSTI on the slave while another writes the
 * master a stream without any 's', and this process reads the slave. The
 * master's bytes all arrive, in order; injected bytes (TIOCSTI drops
 * what a full discipline cannot take) fall anywhere between them.
 */
TEST_F_TIMEOUT(pty, tiocsti_mixed_with_master_writes, 120)
{
	const size_t len = 64 << 10;
	const int injections = 3000;
	unsigned char *in, *out, buf[4096];
	size_t got = 0, sti = 0;
	struct pty_pair p;
	pid_t writer, injector;
	char c = 's';
	ssize_t r, i;

	in = malloc(len);
	out = malloc(len);
	ASSERT_TRUE(in && out);
	for (i = 0; i < (ssize_t)len; i++)
		in[i] = 'A' + (i * 7 + i / 26) % 26;
	open_pair(_metadata, self->dir, &p);
	ASSERT_EQ(0, pty_set_raw(p.slave));
	if (ioctl(p.slave, TIOCSTI, &c)) {
		pty_close_pair(&p);
		SKIP(return, "TIOCSTI: %s", strerror(errno));
	}
	ASSERT_EQ(1u, pty_read_full(p.slave, buf, 1, PTY_WAIT_MS));
	writer = fork();
	ASSERT_LE(0, writer);
	if (!writer) {
		close(p.slave);
		_exit(write(p.master, in, len) == (ssize_t)len ? 0 : 1);
	}
	injector = fork();
	ASSERT_LE(0, injector);
	if (!injector) {
		for (i = 0; i < injections; i++)
			if (ioctl(p.slave, TIOCSTI, &c))
				_exit(1);
		_exit(0);
	}
	while (got < len) {
		r = pty_read_wait(p.slave, buf, sizeof(buf), PTY_WAIT_MS);
		ASSERT_LT(0, r) TH_LOG("%zu of %zu master bytes read", got, len);
		for (i = 0; i < r; i++) {
			if (buf[i] == 's') {
				sti++;
				continue;
			}
			ASSERT_LT(got, len);
			out[got++] = buf[i];
		}
	}
	EXPECT_EQ(0, memcmp(in, out, len));
	EXPECT_EQ(0, pty_wait_child(writer));
	EXPECT_EQ(0, pty_wait_child(injector));
	while ((r = pty_read_wait(p.slave, buf, sizeof(buf), PTY_QUIET_MS)) > 0)
		for (i = 0; i < r; i++)
			sti += buf[i] == 's';
	EXPECT_GE((size_t)injections, sti);
	pty_close_pair(&p);
	free(in);
	free(out);
}

TEST_HARNESS_MAIN
