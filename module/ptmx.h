/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptmx.h - the ptmx device and the master file.
 */
#ifndef _MYPTS_PTMX_H
#define _MYPTS_PTMX_H

#include <linux/types.h>

int mypts_ptmx_init(void);
void mypts_ptmx_exit(void);
dev_t mypts_ptmx_devt(void);

#endif /* _MYPTS_PTMX_H */
