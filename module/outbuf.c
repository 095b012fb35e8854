// SPDX-License-Identifier: GPL-2.0
/*
 * outbuf.c - the slave-to-master byte queue of a pair.
 *
 * The queue holds up to MYPTS_OUT_SIZE bytes in a chain of chunks that are
 * allocated when the slave writes and freed when the master has read them,
 * so a pair that is idle holds no queue memory at all. Once output has
 * flowed one chunk stays, empty, for the next burst (a prompt and its
 * answer then allocate nothing); a second may be kept as the spare that
 * backs what write_room promised.
 *
 * The slave's write may come in atomic context (other disciplines write
 * from softirqs and timers), so the producer allocates with GFP_ATOMIC, as
 * the tty core's flip buffers do. So that the discipline never loses a
 * byte for lack of memory, write_room promises only room that is allocated
 * already: free bytes of the newest chunk, plus the spare, which
 * write_room tops up itself. When that allocation fails, write_room
 * promises what there is (maybe 0, with an empty queue) and a work item
 * allocates the spare in process context (GFP_KERNEL), then wakes the
 * slave's writers and has the discipline write out its pending echoes;
 * nothing else would, when the master has nothing to read.
 */
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/uaccess.h>

#include "module/ldisc.h"
#include "module/mypts.h"
#include "module/outbuf.h"

/**
 * struct mypts_out_chunk - a piece of the queue
 * @next: the next newer chunk, NULL for the newest
 * @data: the bytes
 */
struct mypts_out_chunk {
	struct mypts_out_chunk *next;
	u8 data[];
};

#define MYPTS_OUT_DATA	(MYPTS_OUT_CHUNK_SIZE - sizeof(struct mypts_out_chunk))

/* Pause between allocation retries in process context. */
#define MYPTS_OUT_RETRY_DELAY	(HZ / 50)

static struct mypts_out_chunk *mypts_out_chunk_alloc(gfp_t gfp)
{
	return kmalloc(MYPTS_OUT_CHUNK_SIZE, gfp | __GFP_NOWARN);
}

/* Free a list of chunks linked by ->next. Context: any, no lock needed. */
static void mypts_out_free_list(struct mypts_out_chunk *c)
{
	struct mypts_out_chunk *next;

	for (; c; c = next) {
		next = c->next;
		kfree(c);
	}
}

/*
 * Room already allocated, within the capacity, at most one chunk: the
 * most that write_room promises.
 * Context: caller holds @pair->out_lock.
 */
static unsigned int mypts_out_have(struct mypts_pair *pair)
{
	struct mypts_outbuf *ob = &pair->out;
	unsigned int have = 0;

	lockdep_assert_held(&pair->out_lock);
	if (ob->last)
		have = MYPTS_OUT_DATA - ob->wpos;
	if (ob->spare)
		have += MYPTS_OUT_DATA;
	have = min_t(unsigned int, have, MYPTS_OUT_DATA);
	return min(have, MYPTS_OUT_SIZE - ob->len);
}

/*
 * The work item behind a failed atomic allocation: a spare in process
 * context, then the wakeups the missing room held back.
 * Context: process context (system workqueue); takes @pair->out_lock,
 * and what tty_wakeup() and the discipline take; drops the reference to
 * the tty taken when it was queued.
 */
static void mypts_out_retry(struct work_struct *work)
{
	struct mypts_outbuf *ob = container_of(to_delayed_work(work),
					       struct mypts_outbuf, retry);
	struct mypts_pair *pair = container_of(ob, struct mypts_pair, out);
	struct mypts_out_chunk *c;
	struct tty_struct *tty;
	unsigned long flags;

	c = mypts_out_chunk_alloc(GFP_KERNEL);
	if (!c) {
		schedule_delayed_work(&ob->retry, MYPTS_OUT_RETRY_DELAY);
		return;
	}
	spin_lock_irqsave(&pair->out_lock, flags);
	if (!ob->spare) {
		c->next = NULL;
		ob->spare = c;
		c = NULL;
	}
	/* From here a new failure queues the work again, with a new reference. */
	tty = ob->retry_tty;
	ob->retry_tty = NULL;
	spin_unlock_irqrestore(&pair->out_lock, flags);
	kfree(c);

	tty_wakeup(tty);
	mypts_ldisc_room(tty);
	tty_kref_put(tty);
}

/*
 * Start the retry work, unless it is pending already; it holds a reference
 * to @tty until it ran.
 * Context: any; caller holds @pair->out_lock.
 */
static void mypts_out_retry_start(struct mypts_pair *pair,
				  struct tty_struct *tty)
{
	struct mypts_outbuf *ob = &pair->out;

	lockdep_assert_held(&pair->out_lock);
	if (ob->retry_tty)
		return;
	ob->retry_tty = tty_kref_get(tty);
	schedule_delayed_work(&ob->retry, 0);
}

/**
 * mypts_out_init() - set up the queue of a new pair (zeroed memory)
 * @pair: the pair
 *
 * Context: Any context.
 */
void mypts_out_init(struct mypts_pair *pair)
{
	spin_lock_init(&pair->out_lock);
	INIT_DELAYED_WORK(&pair->out.retry, mypts_out_retry);
}

/**
 * mypts_out_destroy() - free the queue's memory
 * @pair: the pair, unreachable by anyone else
 *
 * Context: Process context. Can sleep (waits for the retry work).
 */
void mypts_out_destroy(struct mypts_pair *pair)
{
	struct mypts_outbuf *ob = &pair->out;

	cancel_delayed_work_sync(&ob->retry);
	/* The work's reference kept the tty, which is gone: none is left. */
	if (WARN_ON_ONCE(ob->retry_tty))
		tty_kref_put(ob->retry_tty);
	mypts_out_free_list(ob->first);
	kfree(ob->spare);
	ob->first = NULL;
	ob->last = NULL;
	ob->spare = NULL;
	ob->len = 0;
}

/**
 * mypts_out_write() - queue bytes for the master
 * @pair: the pair
 * @tty: its slave
 * @buf: the bytes
 * @count: how many
 *
 * Takes as many as fit in the capacity and in the chunks it has or can
 * allocate atomically. When an allocation fails the retry work is started,
 * so a writer waiting for room is woken.
 *
 * Context: Any context; takes @pair->out_lock with interrupts disabled.
 * Return: the number of bytes queued, maybe 0.
 */
size_t mypts_out_write(struct mypts_pair *pair, struct tty_struct *tty,
		       const u8 *buf, size_t count)
{
	struct mypts_outbuf *ob = &pair->out;
	struct mypts_out_chunk *c;
	unsigned long flags;
	size_t done = 0, n;

	spin_lock_irqsave(&pair->out_lock, flags);
	count = min_t(size_t, count, MYPTS_OUT_SIZE - ob->len);
	while (done < count) {
		if (!ob->last || ob->wpos == MYPTS_OUT_DATA) {
			c = ob->spare;
			if (c)
				ob->spare = NULL;
			else
				c = mypts_out_chunk_alloc(GFP_ATOMIC);
			if (!c) {
				mypts_out_retry_start(pair, tty);
				break;
			}
			c->next = NULL;
			if (ob->last) {
				ob->last->next = c;
			} else {
				ob->first = c;
				ob->rpos = 0;
			}
			ob->last = c;
			ob->wpos = 0;
		}
		n = min_t(size_t, count - done, MYPTS_OUT_DATA - ob->wpos);
		memcpy(ob->last->data + ob->wpos, buf + done, n);
		ob->wpos += n;
		done += n;
	}
	/* The bytes are stored before the unlock that publishes the length. */
	WRITE_ONCE(ob->len, ob->len + done);
	spin_unlock_irqrestore(&pair->out_lock, flags);
	return done;
}

/**
 * mypts_out_room() - room a write is sure to get
 * @pair: the pair
 * @tty: its slave
 *
 * Only room backed by allocated chunks is promised, at most a chunk's
 * worth, so a discipline that writes what it was promised loses nothing.
 * Tops up the spare chunk (atomically) when the promise would otherwise be
 * less than the capacity allows; when that fails the promise is smaller,
 * maybe 0, and the retry work wakes the writers once memory came.
 *
 * Context: Any context; takes @pair->out_lock with interrupts disabled.
 * Return: bytes a write may queue now.
 */
unsigned int mypts_out_room(struct mypts_pair *pair, struct tty_struct *tty)
{
	struct mypts_outbuf *ob = &pair->out;
	struct mypts_out_chunk *c;
	unsigned int have, want;
	unsigned long flags;

	spin_lock_irqsave(&pair->out_lock, flags);
	have = mypts_out_have(pair);
	want = min_t(unsigned int, MYPTS_OUT_SIZE - ob->len, MYPTS_OUT_DATA);
	spin_unlock_irqrestore(&pair->out_lock, flags);
	if (have >= want)
		return have;

	c = mypts_out_chunk_alloc(GFP_ATOMIC);
	spin_lock_irqsave(&pair->out_lock, flags);
	if (c && !ob->spare) {
		c->next = NULL;
		ob->spare = c;
		c = NULL;
	}
	have = mypts_out_have(pair);
	if (have < want)
		mypts_out_retry_start(pair, tty);
	spin_unlock_irqrestore(&pair->out_lock, flags);
	kfree(c);
	return have;
}

/**
 * mypts_out_read() - copy queued bytes to the master's reader
 * @pair: the pair
 * @buf: user buffer
 * @count: its size
 *
 * Copies chunk by chunk without the spinlock (copy_to_user() may fault and
 * sleep); a chunk read to its end goes, and so does the spare once the
 * queue is empty, one empty chunk staying for the next output.
 *
 * Context: Process context. Caller holds @pair->read_lock (the only
 * consumer); takes @pair->out_lock. Can sleep.
 * Return: bytes copied, or -EFAULT if none could be.
 */
ssize_t mypts_out_read(struct mypts_pair *pair, char __user *buf, size_t count)
{
	struct mypts_outbuf *ob = &pair->out;
	struct mypts_out_chunk *c, *drop;
	unsigned int off, n, left = 0;
	unsigned long flags;
	size_t done = 0;

	lockdep_assert_held(&pair->read_lock);
	while (done < count && !left) {
		spin_lock_irqsave(&pair->out_lock, flags);
		if (!ob->len) {
			spin_unlock_irqrestore(&pair->out_lock, flags);
			break;
		}
		c = ob->first;
		off = ob->rpos;
		n = (c == ob->last ? ob->wpos : MYPTS_OUT_DATA) - off;
		spin_unlock_irqrestore(&pair->out_lock, flags);

		/*
		 * The producer only appends past the bytes the lock showed us,
		 * and only consumers (serialised by read_lock) free chunks.
		 */
		n = min_t(size_t, n, count - done);
		left = copy_to_user(buf + done, c->data + off, n);
		n -= left;
		done += n;

		drop = NULL;
		spin_lock_irqsave(&pair->out_lock, flags);
		ob->rpos += n;
		WRITE_ONCE(ob->len, ob->len - n);
		if (!ob->len) {
			/* Empty: this chunk stays, from its start; no spare. */
			ob->rpos = 0;
			ob->wpos = 0;
			drop = ob->spare;
			ob->spare = NULL;
		} else if (ob->rpos == MYPTS_OUT_DATA) {
			ob->first = c->next;
			ob->rpos = 0;
			c->next = NULL;
			if (ob->spare)
				drop = c;
			else
				ob->spare = c;
		}
		spin_unlock_irqrestore(&pair->out_lock, flags);
		kfree(drop);
	}
	if (!done && left)
		return -EFAULT;
	return done;
}

/**
 * mypts_out_flush() - drop every queued byte (TCIFLUSH on the master)
 * @pair: the pair
 *
 * One empty chunk stays, as after a read that emptied the queue (or the
 * spare, when no byte was ever queued).
 *
 * Context: Process context. Caller holds @pair->read_lock; takes
 * @pair->out_lock.
 */
void mypts_out_flush(struct mypts_pair *pair)
{
	struct mypts_outbuf *ob = &pair->out;
	struct mypts_out_chunk *drop = NULL, *c;
	unsigned long flags;

	lockdep_assert_held(&pair->read_lock);
	spin_lock_irqsave(&pair->out_lock, flags);
	if (ob->first != ob->last) {
		/* Unlink everything before the newest chunk. */
		drop = ob->first;
		for (c = drop; c->next != ob->last; c = c->next)
			;
		c->next = NULL;
		ob->first = ob->last;
	}
	if (ob->spare && ob->last) {
		ob->spare->next = drop;
		drop = ob->spare;
		ob->spare = NULL;
	}
	ob->rpos = 0;
	ob->wpos = 0;
	WRITE_ONCE(ob->len, 0);
	spin_unlock_irqrestore(&pair->out_lock, flags);
	mypts_out_free_list(drop);
}
