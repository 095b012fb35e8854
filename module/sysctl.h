/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysctl.h - kernel.mypts.{max,reserve,nr}.
 */
#ifndef _MYPTS_SYSCTL_H
#define _MYPTS_SYSCTL_H

int mypts_sysctl_init(void);
void mypts_sysctl_exit(void);

#endif /* _MYPTS_SYSCTL_H */
