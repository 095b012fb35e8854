/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nodes.h - the nodes in an instance's root: ptmx and one per slave.
 */
#ifndef _MYPTS_NODES_H
#define _MYPTS_NODES_H

#include <linux/types.h>

struct dentry;
struct inode;
struct super_block;
struct mypts_pair;

int mypts_ptmx_node_create(struct super_block *sb);
void mypts_ptmx_node_set_mode(struct super_block *sb, umode_t mode);
struct dentry *mypts_slave_node_create(struct super_block *sb,
				       struct mypts_pair *pair, dev_t rdev);
void mypts_slave_node_kill(struct dentry *dentry);
struct mypts_pair *mypts_slave_node_lock(struct inode *inode);
void mypts_slave_node_unlock(void);

#endif /* _MYPTS_NODES_H */
