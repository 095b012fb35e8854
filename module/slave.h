/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slave.h - the tty driver of mypts slaves.
 */
#ifndef _MYPTS_SLAVE_H
#define _MYPTS_SLAVE_H

#include <linux/types.h>

struct mypts_pair;
struct tty_struct;

int mypts_slave_init(void);
void mypts_slave_exit(void);
dev_t mypts_slave_devt(int index);
void mypts_slave_port_init(struct mypts_pair *pair);
struct mypts_pair *mypts_slave_pair(struct tty_struct *tty);
void mypts_pkt_event(struct mypts_pair *pair, u8 set, u8 clear);
int mypts_slave_set_termios_flush(struct tty_struct *tty, unsigned int cmd,
				  unsigned long arg);

#endif /* _MYPTS_SLAVE_H */
