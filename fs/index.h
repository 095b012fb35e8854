/* SPDX-License-Identifier: GPL-2.0 */
/*
 * index.h - pair numbers and the limits on how many pairs may exist.
 */
#ifndef _MYPTS_INDEX_H
#define _MYPTS_INDEX_H

#include <linux/atomic.h>

struct mypts_fs_info;

extern int mypts_limit_max;
extern int mypts_limit_reserve;
extern atomic_t mypts_nr;

int mypts_index_alloc(struct mypts_fs_info *fsi);
void mypts_index_free(struct mypts_fs_info *fsi, int index);

#endif /* _MYPTS_INDEX_H */
