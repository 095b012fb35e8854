// SPDX-License-Identifier: GPL-2.0
/*
 * pty_bench - mypts against the kernel's devpts, side by side in one boot.
 *
 * Every figure is measured on both targets, each time on a fresh instance,
 * alternately: round r runs A then B when r is even and B then A when it
 * is odd, and the ratio B/A is taken round by round, so slow drift of the
 * guest (TCG, a busy host) falls on both. With --aa both targets are devpts:
 * the spread of those ratios is the noise floor of the method.
 *
 * usage: pty_bench [--rounds N] [--aa] [--quick] [--metrics FILE] [--only NAME,...]
 *
 * Prints a table for people on stdout and, with --metrics, one
 * "metric value unit" line per figure. Exit status 0, or 1 when a byte
 * arrived wrong or a step failed: the figures are only worth reading when
 * every byte was checked. No figure is ever judged here: speed goals are
 * for the reader (Documentation/performance.rst), never a test verdict.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_ROUNDS	64
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_METRICS	32

struct target {
	const char *name;	/* in the table and the metric names */
	const char *fstype;
	const char *opts;
	char dir[64];
	char ptmx[96];
};

static struct target targets[2] = {
	{ .name = "devpts", .fstype = "devpts",
	  .opts = "newinstance,ptmxmode=0666,mode=0620" },
	{ .name = "mypts", .fstype = "mypts", .opts = "ptmxmode=0666,mode=0620" },
};

/* Sizes; --quick shrinks them to a smoke run. */
static size_t xfer_bytes = 1 << 20;
static size_t xfer_chunk = 4096;
static int canon_lines = 3277;		/* 256 KiB of 80-byte lines */
static int pingpong_iters = 2000;
static int alloc_cycles = 2000;
static int mem_pairs = 1000;
static int many_pairs = 10000;
static int rounds = 5;
static bool quick;
static const char *only;

/*
 * One figure: per round, the value of each target (and, for ceilings,
 * just one value). higher: whether bigger is better (for the ratio's
 * reading only).
 */
struct metric {
	const char *name;
	const char *unit;
	const char *what;
	bool single;		/* a ceiling: one value per round */
	bool signed_ok;		/* a difference: noise may make it negative */
	double v[2][MAX_ROUNDS];
	int n;
};

static struct metric metrics[MAX_METRICS];
static int nmetrics;
static int failures;

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "pty_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

static struct metric *metric(const char *name, const char *unit,
			     const char *what, bool single)
{
	struct metric *m;
	int i;

	for (i = 0; i < nmetrics; i++)
		if (!strcmp(metrics[i].name, name))
			return &metrics[i];
	if (nmetrics == MAX_METRICS) {
		fprintf(stderr, "pty_bench: too many metrics\n");
		exit(2);
	}
	m = &metrics[nmetrics++];
	m->name = name;
	m->unit = unit;
	m->what = what;
	m->single = single;
	return m;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The @p quantile of @v (0 <= p <= 1), interpolated between neighbours. */
static double percentile(const double *v, int n, double p)
{
	double *t, pos, r;
	int i;

	if (n <= 0)
		return 0;
	t = malloc(n * sizeof(*t));
	if (!t)
		return 0;
	memcpy(t, v, n * sizeof(*t));
	qsort(t, n, sizeof(*t), cmp_double);
	pos = p * (n - 1);
	i = (int)pos;
	r = i + 1 < n ? t[i] + (pos - i) * (t[i + 1] - t[i]) : t[i];
	free(t);
	return r;
}

static void write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	/* Best effort: not every kernel has every knob. */
	if (write(fd, val, strlen(val)) < 0)
		errno = 0;
	close(fd);
}

/* ---- targets ---- */

static int target_mount(struct target *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/bench.XXXXXX");
	if (!mkdtemp(t->dir)) {
		fail("mkdtemp: %s", strerror(errno));
		return -1;
	}
	if (mount(t->fstype, t->dir, t->fstype, 0, t->opts)) {
		fail("mount -t %s %s: %s", t->fstype, t->dir, strerror(errno));
		rmdir(t->dir);
		return -1;
	}
	strcpy(t->ptmx, t->dir);
	strcat(t->ptmx, "/ptmx");
	return 0;
}

static void target_umount(struct target *t)
{
	if (umount2(t->dir, MNT_DETACH))
		fail("umount %s: %s", t->dir, strerror(errno));
	rmdir(t->dir);
}

/* Open a pair: master and slave, unlocked, the slave by its path. */
static int open_pair(struct target *t, int *master, int *slave)
{
	char path[128];
	int zero = 0, n;

	*master = open(t->ptmx, O_RDWR | O_NOCTTY);
	if (*master < 0)
		return -1;
	if (ioctl(*master, TIOCSPTLCK, &zero) || ioctl(*master, TIOCGPTN, &n))
		goto fail;
	snprintf(path, sizeof(path), "%s/%d", t->dir, n);
	*slave = open(path, O_RDWR | O_NOCTTY);
	if (*slave < 0)
		goto fail;
	return 0;
fail:
	n = errno;
	close(*master);
	errno = n;
	return -1;
}

static int set_raw(int slave)
{
	struct termios tio;

	if (tcgetattr(slave, &tio))
		return -1;
	cfmakeraw(&tio);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	return tcsetattr(slave, TCSANOW, &tio);
}

/* ---- byte streams ---- */

static inline unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 11) + 1);
}

/* Write @total pattern bytes to @fd in @chunk-byte writes. */
static int write_pattern(int fd, size_t total, size_t chunk)
{
	unsigned char *buf = malloc(chunk);
	size_t off = 0, i, n;
	ssize_t w;

	if (!buf)
		return -1;
	while (off < total) {
		n = total - off < chunk ? total - off : chunk;
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		for (i = 0; i < n; i += w) {
			w = write(fd, buf + i, n - i);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				goto fail;
		}
		off += n;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}

/* Read @total bytes from @fd, checking each. Returns 0, or -1. */
static int read_pattern(int fd, size_t total)
{
	static unsigned char buf[65536];
	size_t off = 0, i;
	ssize_t r;

	while (off < total) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fail("read after %zu of %zu bytes: %s", off, total,
			     r ? strerror(errno) : "EOF");
			return -1;
		}
		for (i = 0; i < (size_t)r; i++) {
			if (buf[i] != pattern(off + i)) {
				fail("byte %zu is 0x%02x, not 0x%02x", off + i,
				     buf[i], pattern(off + i));
				return -1;
			}
		}
		off += r;
	}
	return 0;
}

static int reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fail("child %d ended with status 0x%x", pid, status);
		return -1;
	}
	return 0;
}

/*
 * Move xfer_bytes from @wfd (written by a child) to @rfd (read and
 * checked here). Returns MB/s, or -1.
 */
static double stream(int wfd, int rfd, int close_in_child)
{
	int go[2];
	double t0, t1;
	pid_t pid;
	char c = 0;

	if (pipe(go))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(go[1]);
		if (close_in_child >= 0)
			close(close_in_child);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(write_pattern(wfd, xfer_bytes, xfer_chunk) ? 1 : 0);
	}
	close(go[0]);
	t0 = now();
	if (write(go[1], &c, 1) != 1)
		c = 1;
	close(go[1]);
	if (read_pattern(rfd, xfer_bytes)) {
		kill(pid, SIGKILL);
		reap(pid);
		return -1;
	}
	t1 = now();
	if (reap(pid) || c)
		return -1;
	return xfer_bytes / (t1 - t0) / 1e6;
}

/* ---- the measurements: each returns its value, or -1 ---- */

static double m_raw(struct target *t, bool to_slave)
{
	int master, slave;
	double v = -1;

	if (open_pair(t, &master, &slave)) {
		fail("%s: open a pair: %s", t->name, strerror(errno));
		return -1;
	}
	if (set_raw(slave)) {
		fail("%s: raw mode: %s", t->name, strerror(errno));
		goto out;
	}
	v = to_slave ? stream(master, slave, -1) : stream(slave, master, -1);
out:
	close(slave);
	close(master);
	return v;
}

static double m_raw_m2s(struct target *t)
{
	return m_raw(t, true);
}

static double m_raw_s2m(struct target *t)
{
	return m_raw(t, false);
}

/* Letter @k of line @i: upper case as typed, lower case as sent back. */
static inline char canon_letter(size_t i, size_t k, bool upper)
{
	return (upper ? 'A' : 'a') + (i + k) % 26;
}

/*
 * The slave side of the canonical test: read canon_lines lines, check
 * each, and send it back in lower case, as a filter on a terminal would.
 */
static int canon_child(int slave)
{
	char line[256], want[80];
	int i, k;
	ssize_t r;

	for (i = 0; i < canon_lines; i++) {
		for (k = 0; k < 79; k++)
			want[k] = canon_letter(i, k, true);
		want[79] = '\n';
		r = read(slave, line, sizeof(line));
		if (r != 80 || memcmp(line, want, 80))
			return 1;
		for (k = 0; k < 79; k++)
			line[k] = canon_letter(i, k, false);
		if (write(slave, line, 80) != 80)
			return 1;
	}
	return 0;
}

/*
 * What the master reads in the canonical test: the lines sent back (lower
 * case) and, with ECHO, the echoes of the typed ones (upper case), in an
 * order the scheduler picks. The lines must come back in order and whole;
 * the transfer is complete when every line came back. Echoes are only
 * counted: N_TTY drops the oldest pending echoes when its echo buffer
 * fills (the master reads slower than it types), and writes echoes out
 * lazily, at the next input or output, so the last ones may never come.
 */
struct canon_rx {
	size_t lower, upper, other;
	bool cooked;
};

static int canon_take(struct canon_rx *rx, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = buf[i];

		if (c >= 'a' && c <= 'z') {
			if (c != canon_letter(rx->lower / 79, rx->lower % 79, false))
				return -1;
			rx->lower++;
		} else if (c >= 'A' && c <= 'Z' && rx->cooked) {
			/* Echoes: counted only, see above. */
			rx->upper++;
		} else if (c == '\n' || (c == '\r' && rx->cooked)) {
			/* Without echo, each line ends with its NL, at once. */
			if (!rx->cooked && (rx->lower % 79 ||
					    rx->lower / 79 != rx->other + 1))
				return -1;
			rx->other++;
		} else {
			return -1;
		}
	}
	return 0;
}

/*
 * Canonical mode: the master types canon_lines 80-byte lines (ending in
 * CR when ICRNL is on, else NL); a child on the slave reads each line and
 * sends it back. With ECHO the master also reads the echoes, with ONLCR
 * every NL it reads is CR NL. Returns MB/s of typed input.
 */
static double m_canon(struct target *t, bool cooked)
{
	size_t in_total = (size_t)canon_lines * 80, in_off = 0,
	       want = (size_t)canon_lines * 79;
	struct canon_rx rx = { .cooked = cooked };
	int master, slave, flags, go[2];
	struct termios tio;
	char buf[8192], c = 0;
	double t0, t1, v = -1;
	pid_t pid;

	if (open_pair(t, &master, &slave)) {
		fail("%s: open a pair: %s", t->name, strerror(errno));
		return -1;
	}
	if (tcgetattr(slave, &tio))
		goto out;
	tio.c_lflag |= ICANON | ISIG | IEXTEN;
	tio.c_oflag |= OPOST;
	if (cooked) {
		tio.c_iflag |= ICRNL;
		tio.c_oflag |= ONLCR;
		tio.c_lflag |= ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE;
	} else {
		tio.c_iflag &= ~ICRNL;
		tio.c_oflag &= ~ONLCR;
		tio.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
	}
	if (tcsetattr(slave, TCSANOW, &tio))
		goto out;
	if (pipe(go))
		goto out;
	pid = fork();
	if (pid < 0)
		goto out;
	if (!pid) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(canon_child(slave));
	}
	close(go[0]);
	flags = fcntl(master, F_GETFL);
	fcntl(master, F_SETFL, flags | O_NONBLOCK);
	t0 = now();
	if (write(go[1], &c, 1) != 1)
		goto kill;
	close(go[1]);
	while (rx.lower < want) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		ssize_t r;

		if (in_off < in_total)
			p.events |= POLLOUT;
		if (poll(&p, 1, 20000) <= 0) {
			fail("%s: canonical: stalled after %zu of %zu letters",
			     t->name, rx.lower, want);
			goto kill;
		}
		if (p.revents & POLLIN) {
			r = read(master, buf, sizeof(buf));
			if (r < 0 && errno != EAGAIN)
				goto kill;
			if (r > 0 && canon_take(&rx, buf, r)) {
				fail("%s: canonical: wrong byte after %zu letters",
				     t->name, rx.lower);
				goto kill;
			}
		}
		if (p.revents & POLLOUT && in_off < in_total) {
			size_t n = 0, pos;

			/* Up to 4 KiB of whole lines at a time. */
			for (pos = in_off; pos < in_total && n < 4080; pos++, n++)
				buf[n] = pos % 80 == 79 ? (cooked ? '\r' : '\n') :
					canon_letter(pos / 80, pos % 80, true);
			r = write(master, buf, n);
			if (r < 0 && errno != EAGAIN)
				goto kill;
			if (r > 0)
				in_off += r;
		}
	}
	t1 = now();
	if (reap(pid))
		goto out;
	v = in_total / (t1 - t0) / 1e6;
	goto out;
kill:
	kill(pid, SIGKILL);
	reap(pid);
	fail("%s: canonical transfer failed", t->name);
out:
	close(slave);
	close(master);
	return v;
}

static double m_canon_cooked(struct target *t)
{
	return m_canon(t, true);
}

static double m_canon_plain(struct target *t)
{
	return m_canon(t, false);
}

static double lat_p99;

/*
 * One-byte ping-pong: a child in raw mode on the slave sends back every
 * byte; the master sends one and waits for it. Returns the median round
 * trip in microseconds and leaves the 99th percentile in lat_p99.
 */
static double m_pingpong(struct target *t)
{
	int master, slave, i, n = pingpong_iters, warm = 50;
	double *lat = calloc(n, sizeof(*lat)), v = -1;
	pid_t pid;
	char c;

	if (!lat)
		return -1;
	if (open_pair(t, &master, &slave)) {
		fail("%s: open a pair: %s", t->name, strerror(errno));
		free(lat);
		return -1;
	}
	if (set_raw(slave))
		goto out;
	pid = fork();
	if (pid < 0)
		goto out;
	if (!pid) {
		for (;;) {
			if (read(slave, &c, 1) != 1)
				_exit(1);
			if (c == 'q')
				_exit(0);
			if (write(slave, &c, 1) != 1)
				_exit(1);
		}
	}
	for (i = -warm; i < n; i++) {
		char out = 'a' + (i & 15), in = 0;
		double t0 = now();

		if (write(master, &out, 1) != 1 || read(master, &in, 1) != 1 ||
		    in != out) {
			fail("%s: ping-pong %d: sent %c, got 0x%02x", t->name,
			     i, out, in);
			kill(pid, SIGKILL);
			reap(pid);
			goto out;
		}
		if (i >= 0)
			lat[i] = (now() - t0) * 1e6;
	}
	c = 'q';
	if (write(master, &c, 1) != 1 || reap(pid))
		goto out;
	v = percentile(lat, n, 0.5);
	lat_p99 = percentile(lat, n, 0.99);
out:
	close(slave);
	close(master);
	free(lat);
	return v;
}

/* open(ptmx) + unlock + open slave + close both, per second. */
static double m_alloc(struct target *t)
{
	int i, master, slave;
	double t0 = now();

	for (i = 0; i < alloc_cycles; i++) {
		if (open_pair(t, &master, &slave)) {
			fail("%s: pair %d: %s", t->name, i, strerror(errno));
			return -1;
		}
		close(slave);
		close(master);
	}
	return alloc_cycles / (now() - t0);
}

/* ---- memory ---- */

struct meminfo {
	long free, slab, vmalloc, percpu;
};

static void shrink_caches(void)
{
	char path[512];
	struct dirent *d;
	DIR *dir;

	sync();
	write_file("/proc/sys/vm/drop_caches", "3");
	/* Empty slabs go back to the page allocator. */
	dir = opendir("/sys/kernel/slab");
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 d->d_name);
		write_file(path, "1");
	}
	closedir(dir);
}

static int read_meminfo(struct meminfo *mi)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");
	long v;

	if (!f)
		return -1;
	memset(mi, 0, sizeof(*mi));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemFree: %ld", &v) == 1)
			mi->free = v;
		else if (sscanf(line, "Slab: %ld", &v) == 1)
			mi->slab = v;
		else if (sscanf(line, "VmallocUsed: %ld", &v) == 1)
			mi->vmalloc = v;
		else if (sscanf(line, "Percpu: %ld", &v) == 1)
			mi->percpu = v;
	}
	fclose(f);
	return 0;
}

static double mem_slab, mem_vmalloc, mem_used;

/* Read exactly @n bytes. */
static int read_n(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			return -1;
		got += r;
	}
	return 0;
}

/* Exchange one short line each way on a pair, reading everything. */
static int touch_pair(int master, int slave)
{
	char buf[64];

	if (write(master, "hello\r", 6) != 6 || read(slave, buf, sizeof(buf)) != 6)
		return -1;
	/* The echo, "hello\r\n", then "hi\r\n". */
	if (read_n(master, buf, 7))
		return -1;
	if (write(slave, "hi\n", 3) != 3 || read_n(master, buf, 4))
		return -1;
	return 0;
}

/*
 * Kernel memory of mem_pairs idle pairs (both ends open, no traffic yet):
 * the growth of Slab + VmallocUsed per pair, in bytes (large kmallocs count
 * as slab): mem_slab and mem_vmalloc get the two parts, mem_used the
 * same growth once one short line crossed each way and was read.
 */
static double m_memory(struct target *t)
{
	int *fds = calloc(2 * mem_pairs, sizeof(int)), i, opened = 0;
	struct meminfo a, b, c;
	double v = 0;

	if (!fds) {
		fail("%s: no memory", t->name);
		return 0;
	}
	shrink_caches();
	usleep(200000);
	read_meminfo(&a);
	for (i = 0; i < mem_pairs; i++, opened++)
		if (open_pair(t, &fds[2 * i], &fds[2 * i + 1])) {
			fail("%s: pair %d: %s", t->name, i, strerror(errno));
			goto out;
		}
	read_meminfo(&b);
	for (i = 0; i < mem_pairs; i++)
		if (touch_pair(fds[2 * i], fds[2 * i + 1])) {
			fail("%s: traffic on pair %d: %s", t->name, i,
			     strerror(errno));
			goto out;
		}
	read_meminfo(&c);
	mem_slab = (b.slab - a.slab) * 1024.0 / mem_pairs;
	mem_vmalloc = (b.vmalloc - a.vmalloc) * 1024.0 / mem_pairs;
	v = mem_slab + mem_vmalloc;
	mem_used = (c.slab + c.vmalloc - a.slab - a.vmalloc) * 1024.0 /
		   mem_pairs;
out:
	for (i = 0; i < opened; i++) {
		close(fds[2 * i + 1]);
		close(fds[2 * i]);
	}
	free(fds);
	/* Let deferred frees (RCU, the tty release work) finish. */
	usleep(500000);
	return v;
}

static double many_close, many_growth;

/*
 * Create many_pairs pairs and keep them, then close them all. Returns the
 * creation time in seconds; many_close gets the closing time, and
 * many_growth the time of the last tenth of the creations over the first
 * tenth (about 1 when creation does not slow down as the instance fills).
 */
static double m_many(struct target *t)
{
	int *fds = calloc(2 * many_pairs, sizeof(int)), i, opened = 0,
	    tenth = many_pairs / 10;
	double t0, tfirst = 0, tlast = 0, tmark, tcreate = -1;

	if (!fds)
		return -1;
	t0 = now();
	tmark = t0;
	for (i = 0; i < many_pairs; i++, opened++) {
		if (open_pair(t, &fds[2 * i], &fds[2 * i + 1])) {
			fail("%s: pair %d of %d: %s", t->name, i, many_pairs,
			     strerror(errno));
			goto out;
		}
		if (tenth && (i + 1) % tenth == 0) {
			double tn = now();

			if (i + 1 == tenth)
				tfirst = tn - tmark;
			if (i + 1 == 10 * tenth)
				tlast = tn - tmark;
			tmark = tn;
		}
	}
	tcreate = now() - t0;
	many_growth = tfirst > 0 ? tlast / tfirst : 0;
out:
	t0 = now();
	for (i = 0; i < opened; i++) {
		close(fds[2 * i + 1]);
		close(fds[2 * i]);
	}
	many_close = now() - t0;
	free(fds);
	usleep(500000);
	return tcreate;
}

/* ---- ceilings ---- */

static double c_pipe(void)
{
	int p[2];
	double v;

	if (pipe(p))
		return -1;
	v = stream(p[1], p[0], p[0]);
	close(p[0]);
	close(p[1]);
	return v;
}

static double c_memcpy(void)
{
	size_t n = xfer_bytes, reps = quick ? 4 : 64, i;
	char *a = malloc(n), *b = malloc(n);
	double t0, v;

	if (!a || !b)
		return -1;
	memset(a, 1, n);
	memset(b, 2, n);
	t0 = now();
	for (i = 0; i < reps; i++) {
		memcpy(i & 1 ? a : b, i & 1 ? b : a, n);
		__asm__ __volatile__("" : : "r"(a), "r"(b) : "memory");
	}
	v = n * reps / (now() - t0) / 1e6;
	free(a);
	free(b);
	return v;
}

/* ---- driver ---- */

static bool wanted(const char *name)
{
	const char *p = only;
	size_t len = strlen(name);

	if (!only)
		return true;
	while (p && *p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/*
 * Run one measurement on both targets, alternately, rounds times. Each
 * call gets a fresh instance. @extra, when set, records side figures of
 * the same run after each call (from the globals the measurement fills).
 */
static void run_pair(struct metric *m, const char *group,
		     double (*fn)(struct target *),
		     void (*extra)(int tgt, int round))
{
	int r, k;

	if (!wanted(group))
		return;
	fprintf(stderr, "pty_bench: %s", m->name);
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 2; k++) {
			int tgt = (r & 1) ? 1 - k : k;
			struct target *t = &targets[tgt];
			double v;

			if (target_mount(t))
				continue;
			v = fn(t);
			target_umount(t);
			/* A difference reports its own failures. */
			if (v < 0 && !m->signed_ok)
				fail("%s on %s failed", m->name, t->name);
			m->v[tgt][r] = v;
			if (extra)
				extra(tgt, r);
		}
		fputc('.', stderr);
		m->n = r + 1;
	}
	fputc('\n', stderr);
}

static struct metric *m_p99, *m_slab, *m_vmalloc, *m_used, *m_close, *m_growth;

static void rec_p99(int tgt, int r)
{
	m_p99->v[tgt][r] = lat_p99;
	m_p99->n = r + 1;
}

static void rec_mem(int tgt, int r)
{
	m_slab->v[tgt][r] = mem_slab;
	m_vmalloc->v[tgt][r] = mem_vmalloc;
	m_used->v[tgt][r] = mem_used;
	m_slab->n = r + 1;
	m_vmalloc->n = r + 1;
	m_used->n = r + 1;
}

static void rec_many(int tgt, int r)
{
	m_close->v[tgt][r] = many_close;
	m_growth->v[tgt][r] = many_growth;
	m_close->n = r + 1;
	m_growth->n = r + 1;
}

static void run_ceiling(struct metric *m, const char *group,
			double (*fn)(void))
{
	int r;

	if (!wanted(group))
		return;
	for (r = 0; r < rounds; r++) {
		m->v[0][r] = fn();
		if (m->v[0][r] < 0)
			fail("%s failed", m->name);
		m->n = r + 1;
	}
}

static double spread(const double *v, int n)
{
	double med = percentile(v, n, 0.5);

	if (med == 0)
		return 0;
	return (percentile(v, n, 1.0) - percentile(v, n, 0.0)) / med * 100;
}

static void report(FILE *mf)
{
	const char *a = targets[0].name, *b = targets[1].name;
	double ratio[MAX_ROUNDS];
	int i, r;

	printf("\n%-18s %-5s %11s %5s %11s %5s %7s %13s  %s\n", "figure", "unit",
	       a, "+-%", b, "+-%", "ratio", "ratio range", "what");
	for (i = 0; i < nmetrics; i++) {
		struct metric *m = &metrics[i];
		double ma, mb, mr;

		if (!m->n)
			continue;
		ma = percentile(m->v[0], m->n, 0.5);
		if (m->single) {
			printf("%-18s %-5s %11.2f %5.1f %11s %5s %7s %13s  %s\n",
			       m->name, m->unit, ma, spread(m->v[0], m->n), "",
			       "", "", "", m->what);
			if (mf)
				fprintf(mf, "%s %.4g %s\n", m->name, ma, m->unit);
			continue;
		}
		mb = percentile(m->v[1], m->n, 0.5);
		for (r = 0; r < m->n; r++)
			ratio[r] = m->v[0][r] ? m->v[1][r] / m->v[0][r] : 0;
		mr = percentile(ratio, m->n, 0.5);
		printf("%-18s %-5s %11.2f %5.1f %11.2f %5.1f %7.3f %6.3f-%-6.3f  %s\n",
		       m->name, m->unit, ma, spread(m->v[0], m->n), mb,
		       spread(m->v[1], m->n), mr, percentile(ratio, m->n, 0),
		       percentile(ratio, m->n, 1), m->what);
		if (mf) {
			fprintf(mf, "%s.%s %.4g %s\n", m->name, a, ma, m->unit);
			fprintf(mf, "%s.%s %.4g %s\n", m->name, b, mb, m->unit);
			fprintf(mf, "%s.ratio %.4f x\n", m->name, mr);
			fprintf(mf, "%s.ratio_min %.4f x\n", m->name,
				percentile(ratio, m->n, 0));
			fprintf(mf, "%s.ratio_max %.4f x\n", m->name,
				percentile(ratio, m->n, 1));
		}
	}
	printf("\n%s: %d rounds, medians; +-%% is (max - min) / median; %s\n",
	       quick ? "quick run" : "bench", rounds,
	       "ratio is the second target over the first, round by round");
	if (mf)
		fprintf(mf, "rounds %d n\n", rounds);
}

/* The ceilings as a share: raw slave-to-master against the pipe. */
static void report_ceiling(FILE *mf)
{
	struct metric *s2m = NULL, *pipe_m = NULL;
	double share[2][MAX_ROUNDS];
	int i, r, k;

	for (i = 0; i < nmetrics; i++) {
		if (!strcmp(metrics[i].name, "raw_s2m"))
			s2m = &metrics[i];
		if (!strcmp(metrics[i].name, "pipe"))
			pipe_m = &metrics[i];
	}
	if (!s2m || !pipe_m || !s2m->n || s2m->n != pipe_m->n)
		return;
	for (k = 0; k < 2; k++)
		for (r = 0; r < s2m->n; r++)
			share[k][r] = s2m->v[k][r] / pipe_m->v[0][r] * 100;
	for (k = 0; k < 2; k++) {
		double med = percentile(share[k], s2m->n, 0.5);

		printf("raw_s2m of the pipe figure, %s: %.1f%%\n",
		       targets[k].name, med);
		if (mf)
			fprintf(mf, "raw_s2m_of_pipe.%s %.1f %%\n",
				targets[k].name, med);
	}
}

static void usage(void)
{
	static const char *const lines[] = {
		"pty_bench [--rounds N] [--aa] [--quick] [--metrics FILE]",
		"          [--only GROUP,...]",
		"groups: raw canon pingpong alloc memory many ceiling",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lines); i++)
		fprintf(stderr, "%s%s\n", i ? "" : "usage: ", lines[i]);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mpath = NULL;
	struct metric *m;
	struct rlimit rl;
	FILE *mf = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--aa"))
			targets[1] = (struct target){ .name = "devpts2",
				.fstype = "devpts",
				.opts = "newinstance,ptmxmode=0666,mode=0620" };
		else if (!strcmp(argv[i], "--quick"))
			quick = true;
		else if (!strcmp(argv[i], "--metrics") && i + 1 < argc)
			mpath = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else
			usage();
	}
	if (rounds < 1 || rounds > MAX_ROUNDS)
		usage();
	if (quick) {
		xfer_bytes = 64 << 10;
		canon_lines = 100;
		pingpong_iters = 100;
		alloc_cycles = 50;
		mem_pairs = 50;
		many_pairs = 200;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Room for many_pairs pairs on both: fds and the pty limits. */
	rl.rlim_cur = 2 * many_pairs + 64;
	rl.rlim_max = rl.rlim_cur;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		fail("RLIMIT_NOFILE %ld: %s", (long)rl.rlim_cur, strerror(errno));
	write_file("/proc/sys/kernel/pty/max", "65536");
	write_file("/proc/sys/kernel/mypts/max", "65536");
	signal(SIGPIPE, SIG_IGN);

	m = metric("raw_m2s", "MB/s", "raw master to slave", false);
	run_pair(m, "raw", m_raw_m2s, NULL);
	m = metric("raw_s2m", "MB/s", "raw slave to master", false);
	run_pair(m, "raw", m_raw_s2m, NULL);
	m = metric("canon_cooked", "MB/s", "canonical, ICRNL ONLCR ECHO", false);
	run_pair(m, "canon", m_canon_cooked, NULL);
	m = metric("canon_plain", "MB/s", "canonical, no ICRNL ONLCR ECHO", false);
	run_pair(m, "canon", m_canon_plain, NULL);
	m = metric("pingpong_median", "us", "round trip, median", false);
	m_p99 = metric("pingpong_p99", "us", "round trip, 99th pct", false);
	run_pair(m, "pingpong", m_pingpong, rec_p99);
	m = metric("alloc_rate", "1/s", "pairs opened and closed", false);
	run_pair(m, "alloc", m_alloc, NULL);
	m = metric("mem_idle_pair", "B", "per idle pair", false);
	m->signed_ok = true;
	m_slab = metric("mem_idle_slab", "B", "slab part", false);
	m_vmalloc = metric("mem_idle_vmalloc", "B", "vmalloc part", false);
	m_used = metric("mem_used_pair", "B", "after one line each way", false);
	run_pair(m, "memory", m_memory, rec_mem);
	m = metric("create_many", "s", "create 10,000 pairs", false);
	m_close = metric("close_many", "s", "close them", false);
	m_growth = metric("create_growth", "x", "last tenth / first", false);
	run_pair(m, "many", m_many, rec_many);
	m = metric("pipe", "MB/s", "pipe, same sizes", true);
	run_ceiling(m, "ceiling", c_pipe);
	m = metric("memcpy", "MB/s", "memcpy of 1 MiB", true);
	run_ceiling(m, "ceiling", c_memcpy);

	if (mpath) {
		mf = fopen(mpath, "w");
		if (!mf)
			fail("%s: %s", mpath, strerror(errno));
	}
	report(mf);
	report_ceiling(mf);
	if (mf)
		fclose(mf);
	if (failures)
		printf("pty_bench: %d failures: the figures are not valid\n",
		       failures);
	return failures ? 1 : 0;
}
