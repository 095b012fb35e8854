/* SPDX-License-Identifier: GPL-2.0 */
/*
 * outbuf.h - the slave-to-master byte queue of a pair, in chunks allocated
 * on demand.
 */
#ifndef _MYPTS_OUTBUF_H
#define _MYPTS_OUTBUF_H

#include <linux/types.h>
#include <linux/workqueue.h>

struct mypts_out_chunk;
struct mypts_pair;
struct tty_struct;

/*
 * Bytes of one chunk allocation: one page on 4 KiB-page machines, a
 * kmalloc object elsewhere. Its data area is a few bytes less.
 */
#define MYPTS_OUT_CHUNK_SIZE	4096

/**
 * struct mypts_outbuf - what the slave wrote and the master has not read
 * @first: oldest chunk, the one the master reads from; NULL when there is
 *	no chunk at all
 * @last: newest chunk, the one the slave appends to
 * @spare: an empty chunk kept for room write_room promised
 * @rpos: offset of the next byte to read in @first
 * @wpos: offset of the next byte to write in @last
 * @len: bytes queued; read without the lock by poll and FIONREAD
 * @retry: after an atomic allocation failed, allocates a spare chunk in
 *	process context and wakes the slave's writers
 * @retry_tty: the slave, referenced while @retry is queued; NULL when not
 *
 * @first, @last, @spare, @rpos, @wpos, @len and @retry_tty are protected
 * by the pair's out_lock. Chunks leave the queue only under the pair's
 * read_lock (the one consumer), so the consumer copies from a chunk to
 * user space without the spinlock; the producer never touches bytes it
 * already published.
 */
struct mypts_outbuf {
	struct mypts_out_chunk *first;
	struct mypts_out_chunk *last;
	struct mypts_out_chunk *spare;
	unsigned int rpos;
	unsigned int wpos;
	unsigned int len;
	struct delayed_work retry;
	struct tty_struct *retry_tty;
};

void mypts_out_init(struct mypts_pair *pair);
void mypts_out_destroy(struct mypts_pair *pair);
size_t mypts_out_write(struct mypts_pair *pair, struct tty_struct *tty,
		       const u8 *buf, size_t count);
unsigned int mypts_out_room(struct mypts_pair *pair, struct tty_struct *tty);
ssize_t mypts_out_read(struct mypts_pair *pair, char __user *buf, size_t count);
void mypts_out_flush(struct mypts_pair *pair);

/**
 * mypts_out_len() - bytes the master may read
 * @ob: the queue
 *
 * Context: Any context; a snapshot.
 * Return: the number of bytes queued.
 */
static inline unsigned int mypts_out_len(const struct mypts_outbuf *ob)
{
	return READ_ONCE(ob->len);
}

#endif /* _MYPTS_OUTBUF_H */
