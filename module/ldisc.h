/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ldisc.h - the mypts line discipline: state shared by its files.
 *
 * The discipline is split by concern:
 *   ldisc.c        registration, open/close, termios, ioctls, poll, flush,
 *                  throttling and the hooks into pty masters and mypts pairs
 *   ldisc_input.c  input processing: input flags, signals, flow control,
 *                  canonical editing and the erase family
 *   ldisc_output.c output processing (OPOST) and the echo queue
 *   ldisc_rw.c     read (canonical and VMIN/VTIME), write, job control
 *
 * Locking (Documentation/ldisc.rst has the full story):
 *   tty->termios_rwsem, read side: held by input processing and by readers
 *	and writers for the duration of their work, so termios is stable.
 *	Write side: whoever resets the input queue (flush, a signal character,
 *	close) or changes termios.
 *   @read_lock: serialises readers; held across the continuation calls of
 *	one read() (the tty core's cookie).
 *   @out_lock: serialises everything that writes to the driver and owns the
 *	column state and the consumer side of the echo queue.
 * The input queue is single-producer (input processing, serialised by the
 * flip buffer's lock or TIOCSTI's exclusive buffer lock) and single-consumer
 * (the reader holding @read_lock); indices are published with
 * release/acquire pairs.
 */
#ifndef _MYPTS_LDISC_H
#define _MYPTS_LDISC_H

#include <linux/bitops.h>
#include <linux/mutex.h>
#include <linux/tty.h>
#include <linux/types.h>
#include <linux/workqueue.h>

/* Size of the input queue and the echo queue (a power of two). */
#define MLD_QSIZE		4096
#define MLD_IDX(i)		((i) & (MLD_QSIZE - 1))

/* Wake a writer when no more than this much output waits in the driver. */
#define MLD_WAKEUP_CHARS	256
/* Throttle when less room is left; unthrottle when no more is queued. */
#define MLD_THROTTLE_ROOM	128
#define MLD_UNTHROTTLE_CHARS	128

/*
 * The echo queue holds bytes to echo and, after an MLD_ECHO_OP escape,
 * operations on the column state: a literal 0xff is escaped as a pair.
 */
#define MLD_ECHO_OP		0xff
#define MLD_ECHO_BACK_COL	0x80	/* move the column one left */
#define MLD_ECHO_CANON_COL	0x81	/* remember the line's start column */
#define MLD_ECHO_ERASE_TAB	0x82	/* + one byte: erase a tab */
/* Echoes are pushed out when this many accumulate in one receive call. */
#define MLD_ECHO_BATCH		256
/* Near-full echo queue: the oldest echoes are dropped down to this. */
#define MLD_ECHO_DROP_MARK	(MLD_QSIZE - (MLD_ECHO_BATCH + 32))

/**
 * struct mypts_ldisc - per-tty state of the discipline
 * @tty: the tty
 * @rhead: producer: next free slot of @rbuf
 * @rcommit: producer: end of the bytes readers may take in raw mode
 * @chead: producer: end of the last complete line (canonical mode)
 * @ehead: producer: next free slot of @ebuf
 * @ecommit: end of the echoes handed to the output side
 * @emark: end of the echoes of the last finished receive call
 * @special: producer: bytes needing more than a plain store
 * @no_room: the producer stopped for lack of room; a reader restarts it
 * @lnext: the next byte is literal (VLNEXT seen)
 * @erasing: inside an ECHOPRT erase sequence ("\" printed, "/" due)
 * @raw: no input processing at all
 * @real_raw: raw, and nothing about flags either: plain copies
 * @icanon: canonical mode as the queue was last set up for
 * @la_count: bytes already seen by the lookahead for flow control
 * @overrun_at: when overruns were last reported (jiffies)
 * @overruns: overruns since then
 * @rbuf: the input queue; NULL until the first input (mld_alloc_queues())
 * @eol: marks the byte that ends each line in @rbuf; allocated with it
 * @ebuf: the echo queue; allocated with @rbuf
 * @retry: restarts the flip buffer's worker after the queues could not be
 *	allocated
 * @rtail: consumer: next byte to read
 * @col: output side: the cursor column
 * @ccol: output side: the column where the line being edited began
 * @etail: output side: next echo byte to write
 * @read_lock: serialises readers
 * @out_lock: serialises output to the driver
 */
struct mypts_ldisc {
	struct tty_struct *tty;

	size_t rhead;
	size_t rcommit;
	size_t chead;
	size_t ehead;
	size_t ecommit;
	size_t emark;
	DECLARE_BITMAP(special, 256);
	bool no_room;
	unsigned int lnext:1, erasing:1, raw:1, real_raw:1, icanon:1;
	size_t la_count;
	unsigned long overrun_at;
	unsigned int overruns;

	/*
	 * Set once by the producer, before the first index it publishes;
	 * until then every index is 0 and nobody looks at them.
	 */
	u8 *rbuf;
	unsigned long *eol;
	u8 *ebuf;
	struct delayed_work retry;

	size_t rtail;

	unsigned int col;
	unsigned int ccol;
	size_t etail;

	struct mutex read_lock;		/* readers */
	struct mutex out_lock;		/* output to the driver */
};

static inline size_t mld_queued(const struct mypts_ldisc *ld)
{
	return ld->rhead - ld->rtail;
}

static inline u8 mld_rbyte(const struct mypts_ldisc *ld, size_t i)
{
	return ld->rbuf[MLD_IDX(i)];
}

/* ldisc.c */
size_t mld_readable(struct mypts_ldisc *ld);
void mld_kick(struct tty_struct *tty);
void mld_flip_catch_up(struct tty_struct *tty);
void mld_check_unthrottle(struct tty_struct *tty);
void mld_check_throttle(struct tty_struct *tty);
void mld_unthrottle_overflow(struct tty_struct *tty);
void mld_pkt_flushread(struct tty_struct *tty);
void mld_reset_input(struct mypts_ldisc *ld);
bool mld_alloc_queues(struct mypts_ldisc *ld);

/* ldisc_input.c */
size_t mld_receive(struct tty_struct *tty, const u8 *cp, const u8 *fp,
		   size_t count, bool flow);
void mld_lookahead(struct tty_struct *tty, const u8 *cp, const u8 *fp,
		   size_t count);

/* ldisc_output.c */
void mld_echo_byte(struct mypts_ldisc *ld, u8 c);
void mld_echo_raw(struct mypts_ldisc *ld, u8 c);
void mld_echo_op(struct mypts_ldisc *ld, u8 op);
void mld_echo_erase_tab(struct mypts_ldisc *ld, unsigned int n, bool after_tab);
void mld_echo_commit(struct tty_struct *tty);
void mld_echo_process(struct tty_struct *tty);
void mld_echo_flush(struct tty_struct *tty);
void mld_echo_clear(struct mypts_ldisc *ld);
int mld_output(struct tty_struct *tty, const u8 *buf, size_t nr, size_t *done);
int mld_output_raw(struct tty_struct *tty, const u8 *buf, size_t nr,
		   size_t *done);

/* ldisc_rw.c */
ssize_t mld_read(struct tty_struct *tty, struct file *file, u8 *kbuf,
		 size_t nr, void **cookie, unsigned long offset);
ssize_t mld_write(struct tty_struct *tty, struct file *file, const u8 *buf,
		  size_t nr);

/* For the rest of the module. */
int mypts_ldisc_init(void);
void mypts_ldisc_exit(void);
int mypts_ldisc_number(void);
void mypts_ldisc_room(struct tty_struct *tty);
void mypts_ldisc_attach_new(struct tty_struct *tty);

#endif /* _MYPTS_LDISC_H */
