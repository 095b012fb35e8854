/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pair.h - allocation and lifetime of master/slave pairs.
 */
#ifndef _MYPTS_PAIR_H
#define _MYPTS_PAIR_H

struct file;
struct super_block;
struct mypts_pair;

struct mypts_pair *mypts_pair_create(struct super_block *sb);
void mypts_pair_hangup(struct mypts_pair *pair);
void mypts_pair_release(struct mypts_pair *pair);
void mypts_pair_get(struct mypts_pair *pair);
void mypts_pair_put(struct mypts_pair *pair);

#endif /* _MYPTS_PAIR_H */
