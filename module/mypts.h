/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mypts.h - definitions shared by every layer of mypts.
 *
 * Lock order (outermost first; Documentation/locking.rst has the reasons):
 *   sb->s_umount (VFS) -> root inode i_rwsem (VFS)
 */
#ifndef _MYPTS_H
#define _MYPTS_H

/* Superblock magic of a mypts instance: "mypt" in ASCII. */
#define MYPTS_SUPER_MAGIC	0x6d797074

#endif /* _MYPTS_H */
