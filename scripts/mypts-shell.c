// SPDX-License-Identifier: GPL-2.0
/*
 * mypts-shell - run a shell (or one command) on a pseudo-terminal of a
 * mypts instance, relaying this terminal to it; "make run" uses it in the
 * guest.
 *
 * usage: mypts-shell DIR [COMMAND]
 *   DIR      a mounted mypts instance (its DIR/ptmx is opened)
 *   COMMAND  run with sh -c instead of a login shell
 * Exit status: the shell's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static int write_all(int fd, const char *buf, ssize_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= w;
	}
	return 0;
}

static void child(int master, const char *cmd)
{
	int slave;

	if (setsid() < 0)
		_exit(126);
	/* Opened without O_NOCTTY by a session leader: our controlling tty. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR);
	if (slave < 0)
		_exit(126);
	close(master);
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		_exit(126);
	if (slave > 2)
		close(slave);
	if (cmd)
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	else
		execl("/bin/sh", "-sh", (char *)NULL);
	_exit(127);
}

static void relay(int master)
{
	struct pollfd p[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = master, .events = POLLIN },
	};
	char buf[4096];
	ssize_t n;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				return;	/* EIO: the shell and its children are gone */
			if (write_all(STDOUT_FILENO, buf, n))
				return;
		}
		if (p[0].revents & POLLIN) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				p[0].fd = -1;
			else if (write_all(master, buf, n))
				return;
		} else if (p[0].revents & (POLLHUP | POLLERR)) {
			p[0].fd = -1;
		}
	}
}

int main(int argc, char **argv)
{
	struct termios saved, raw;
	struct winsize ws;
	int master, unlock = 0, status, is_tty;
	char path[4096];
	pid_t pid;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s DIR [COMMAND]\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/ptmx", argv[1]);
	master = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock)) {
		fprintf(stderr, "mypts-shell: %s: %s\n", path, strerror(errno));
		return 1;
	}
	is_tty = isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved);
	if (is_tty && !ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) && ws.ws_row)
		ioctl(master, TIOCSWINSZ, &ws);

	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		child(master, argc == 3 ? argv[2] : NULL);

	if (is_tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	relay(master);
	if (is_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(master);
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
