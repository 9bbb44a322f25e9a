/* paths.bpf.h - absolute paths from dentries (bounded walk with bpf_loop, crossing mounts,
 * stopping at the build's root: see build_root_dentry) and the identity (stat fields) of an
 * opened file; included once, by asbuilt.bpf.c, after records.bpf.h. */
#ifndef ASBUILT_PATHS_BPF_H
#define ASBUILT_PATHS_BPF_H

/* ---- fields read together ---------------------------------------------------------- */

/*
 * Each bpf_probe_read_kernel is a helper call (25-40 ns here), and a file call read about
 * forty fields one by one.  Fields that lie close together in one object are read with one
 * copy (of at most AB_BPF_COPY bytes, ending at the last field used) into s->copy and
 * taken from there at their CO-RE offsets.  The offsets are constants once relocated, so
 * the verifier keeps only one branch: on a kernel that lays the object out otherwise each
 * field is read alone, as before.  A copy that faults is a failed read of all its fields,
 * not a reason to read them again one by one: the span lies inside one object, so the
 * fields would fault too, and a second way through every call site doubled the
 * verifier's work (load time, docs/performance.md item 30).
 */

/* The end of field f of type. */
#define FEND(type, f) (bpf_core_field_offset(type, f) + bpf_core_field_size(type, f))
/* Whether field f of type (sz bytes) lies within [lo, hi), of at most AB_BPF_COPY bytes. */
#define SPAN_HAS(lo, hi, type, f, sz)                                                     \
	(bpf_core_field_size(type, f) == (sz) && bpf_core_field_offset(type, f) >= (lo) && \
	 FEND(type, f) <= (hi) && (hi) - (lo) <= AB_BPF_COPY)
/* Field f of type, as a T, from the copy in s->copy of the object's bytes from offset lo. */
#define SPAN_GET(s, lo, type, f, T) \
	(*(T *)((__u8 *)(s)->copy + (bpf_core_field_offset(type, f) - (lo))))

/* Copies the bytes [lo, hi) of a kernel object into s->copy; false when they could not be
 * read (a bad pointer: the span ends at the last field used, never past the object). */
static __always_inline bool span_read(struct ab_scratch *s, const void *obj, __u32 lo, __u32 hi)
{
	return bpf_probe_read_kernel(s->copy, hi - lo, (const __u8 *)obj + lo) == 0;
}

/* ---- paths -------------------------------------------------------------------------- */

/* The task's mount namespace when it is not the build's (set at its first exec), else NULL.
 * Helper reads, not loads through the task's BTF pointer: each program that walks a BTF
 * pointer took the verifier about 3 ms more to load (docs/performance.md item 30), more
 * than these two reads cost the few calls that make them. */
static __always_inline struct mnt_namespace *own_mnt_ns(void)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct mnt_namespace *ns = BPF_CORE_READ(t, nsproxy, mnt_ns);

	return build_mnt_ns && (__u64)ns != build_mnt_ns ? ns : NULL;
}

/* Whether a path of dentry's filesystem, from that filesystem's root, names it from the
 * build's root too: it is the filesystem of the build's root, which is that filesystem's
 * own root (the host's root filesystem seen from an unchrooted record). */
static __always_inline bool fs_path_is_build_path(struct dentry *dentry)
{
	struct dentry *root = (void *)build_root_dentry;
	struct super_block *sb = BPF_CORE_READ(root, d_sb);

	return root && sb == BPF_CORE_READ(dentry, d_sb) && root == BPF_CORE_READ(sb, s_root);
}

/* Prepends "/" and the name q to the path in s->path; false when it no longer fits. */
static __always_inline bool put_name(struct ab_walk *w, struct ab_scratch *s, struct qstr *q)
{
	__u32 len = q->len, p;

	if (len > AB_BPF_NAME_MAX) {
		len = AB_BPF_NAME_MAX;
		w->trunc = 1;
	}
	if (w->pos < len + 1) {
		w->trunc = 1;
		return false;
	}
	w->pos -= len + 1;
	p = w->pos & PATH_MASK;
	s->path[p] = '/';
	bpf_probe_read_kernel(&s->path[p + 1], len, q->name);
	return true;
}

/* One step of the walk from a dentry up to the root, crossing mounts (d_path).  Two reads:
 * the dentry's parent and name together, then the name's bytes.  The walk's state is
 * s->walk (struct ab_walk). */
static long walk_step(__u32 i, void *ctx)
{
	struct ab_scratch *s = scratch_get();
	struct ab_walk *w;
	struct dentry *d, *parent;
	struct vfsmount *vm;
	struct qstr q;
	__u32 lo = bpf_core_field_offset(struct dentry, d_parent), hi = FEND(struct dentry, d_name);

	if (!s)
		return 1;
	w = &s->walk;
	d = (void *)w->dentry;
	vm = (void *)w->vfsmnt;
	if (!d) {
		w->trunc = 1; /* no dentry (an object that could not be read): no path */
		goto done;
	}
	if ((__u64)d == w->root_dentry && (__u64)vm == w->root_mnt)
		goto done;
	if (SPAN_HAS(lo, hi, struct dentry, d_parent, 8) &&
	    SPAN_HAS(lo, hi, struct dentry, d_name, 16)) {
		if (!span_read(s, d, lo, hi))
			goto done;
		parent = SPAN_GET(s, lo, struct dentry, d_parent, struct dentry *);
		q = SPAN_GET(s, lo, struct dentry, d_name, struct qstr);
	} else {
		parent = BPF_CORE_READ(d, d_parent);
		if (bpf_core_read(&q, sizeof(q), &d->d_name))
			goto done;
	}
	if ((__u64)d == w->mnt_root || d == parent) {
		struct mount *m = container_of(vm, struct mount, mnt);
		struct mount *mp = BPF_CORE_READ(m, mnt_parent);

		if (!mp || mp == m) { /* the global root, or a detached mount */
			struct mnt_namespace *ns = own_mnt_ns(); /* only here: rare */

			/* the root of the task's own namespace (see ab_walk) */
			if (ns && (void *)BPF_CORE_READ(m, mnt_ns) == ns)
				w->in_ns = 1;
			goto done;
		}
		w->dentry = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
		vm = &mp->mnt;
		w->vfsmnt = (__u64)vm;
		w->mnt_root = (__u64)BPF_CORE_READ(vm, mnt_root);
		return 0;
	}
	if (!put_name(w, s, &q))
		goto done;
	w->dentry = (__u64)parent;
	return 0;
done:
	w->done = 1;
	return 1;
}

/* One step of the second walk of ab_walk: from a dentry up to the root of its filesystem,
 * across no mount.  A callback of its own: the same steps in walk_step, behind a flag,
 * took the verifier twice as long to check every program that walks (item 30). */
static long walk_fs_step(__u32 i, void *ctx)
{
	struct ab_scratch *s = scratch_get();
	struct ab_walk *w;
	struct dentry *d, *parent;
	struct qstr q;

	if (!s)
		return 1;
	w = &s->walk;
	d = (void *)w->dentry;
	if (!d)
		goto done;
	parent = BPF_CORE_READ(d, d_parent);
	if (d == parent || bpf_core_read(&q, sizeof(q), &d->d_name) || !put_name(w, s, &q))
		goto done; /* the root of its filesystem, or no more room */
	w->dentry = (__u64)parent;
	return 0;
done:
	w->done = 1;
	return 1;
}

/* Whether task runs in a root of its own (chroot) below the build's. */
static __always_inline bool chrooted(struct task_struct *t)
{
	return build_root_mnt && ((__u64)BPF_CORE_READ(t, fs, root.mnt) != build_root_mnt ||
				  (__u64)BPF_CORE_READ(t, fs, root.dentry) != build_root_dentry);
}

/* Builds the absolute path of (mnt, dentry) as seen from the build's root (the task's own
 * before the build's is known) in s->path; returns its start offset in s->path
 * (| TRUNC_BIT, | NS_BIT).  A process in a mount namespace of its own (unshare, bwrap, a
 * container) reaches its namespace's root instead: the path is then taken again from the
 * root of the file's filesystem, which names it on the host when that filesystem is the
 * build's root's (a directory bound into the namespace); else it is the namespace's path,
 * which the host may not show or may show as another file: NS_BIT. */
__noinline long ab_walk(__u64 task, __u64 mnt, __u64 dentry)
{
	struct task_struct *t = (void *)task;
	struct ab_scratch *s = scratch_get();
	struct ab_walk *w;
	__u32 pos;

	if (!s)
		return 0;
	w = &s->walk;
	w->dentry = dentry;
	w->vfsmnt = mnt;
	w->mnt_root = (__u64)BPF_CORE_READ((struct vfsmount *)mnt, mnt_root);
	w->root_dentry = build_root_dentry;
	w->root_mnt = build_root_mnt;
	if (!build_root_mnt) {
		w->root_dentry = (__u64)BPF_CORE_READ(t, fs, root.dentry);
		w->root_mnt = (__u64)BPF_CORE_READ(t, fs, root.mnt);
	}
	w->pos = AB_PATH_MAX;
	w->trunc = w->done = w->in_ns = 0;
	bpf_loop(AB_BPF_WALK_MAX, walk_step, NULL, 0);
	if (w->in_ns && fs_path_is_build_path((void *)dentry)) {
		w->in_ns = 0;
		w->dentry = dentry;
		w->pos = AB_PATH_MAX;
		w->trunc = w->done = 0;
		bpf_loop(AB_BPF_WALK_MAX, walk_fs_step, NULL, 0);
	}
	pos = w->pos;
	if (pos >= AB_PATH_MAX) {
		s->path[AB_PATH_MAX - 1] = '/';
		pos = AB_PATH_MAX - 1;
	}
	return (pos & PATH_MASK) | (!w->done || w->trunc ? TRUNC_BIT : 0) |
	       (w->in_ns ? NS_BIT : 0);
}

/* Appends s->path[pos, AB_PATH_MAX) as a string. */
__noinline long ab_put_walked(__u32 off, __u32 pos)
{
	struct ab_scratch *s = scratch_get();
	__u32 len;

	if (!s)
		return off;
	pos &= PATH_MASK;
	len = AB_PATH_MAX - pos;
	bpf_probe_read_kernel(&s->rec[(off + 4) & REC_MASK], len, &s->path[pos]);
	put_len(s, off, len);
	return off + 4 + len;
}

/* Appends the absolute path of (mnt, dentry). */
__noinline long ab_put_path(__u32 off, __u64 task, __u64 mnt, __u64 dentry)
{
	long w = ab_walk(task, mnt, dentry);

	return ab_put_walked(off, (__u32)w) | (w & (TRUNC_BIT | NS_BIT));
}

/* The open file of descriptor fd of task, the current one (helper reads, see own_mnt_ns;
 * the table's size and array together). */
static __always_inline struct file *fd_file(struct task_struct *task, int fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct ab_scratch *s = scratch_get();
	__u32 lo = bpf_core_field_offset(struct fdtable, max_fds), hi = FEND(struct fdtable, fd);
	struct file **fds, *f = NULL;
	unsigned int max;

	if (fd < 0 || !fdt || !s)
		return NULL;
	if (SPAN_HAS(lo, hi, struct fdtable, max_fds, 4) && SPAN_HAS(lo, hi, struct fdtable, fd, 8)) {
		if (!span_read(s, fdt, lo, hi))
			return NULL;
		max = SPAN_GET(s, lo, struct fdtable, max_fds, unsigned int);
		fds = SPAN_GET(s, lo, struct fdtable, fd, struct file **);
	} else {
		max = BPF_CORE_READ(fdt, max_fds);
		fds = BPF_CORE_READ(fdt, fd);
	}
	if ((unsigned int)fd >= max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* The mount, dentry and inode of an open file, read together. */
static __always_inline void file_parts(struct file *file, struct vfsmount **mnt,
				       struct dentry **dentry, struct inode **inode)
{
	struct ab_scratch *s = scratch_get();
	__u32 lo = bpf_core_field_offset(struct file, f_inode), hi = FEND(struct file, f_path);

	if (s && SPAN_HAS(lo, hi, struct file, f_inode, 8) &&
	    SPAN_HAS(lo, hi, struct file, f_path, 16)) {
		struct path p;

		if (!span_read(s, file, lo, hi)) {
			*mnt = NULL;
			*dentry = NULL;
			*inode = NULL;
			return;
		}
		*inode = SPAN_GET(s, lo, struct file, f_inode, struct inode *);
		p = SPAN_GET(s, lo, struct file, f_path, struct path);
		*mnt = p.mnt;
		*dentry = p.dentry;
		return;
	}
	*mnt = BPF_CORE_READ(file, f_path.mnt);
	*dentry = BPF_CORE_READ(file, f_path.dentry);
	*inode = BPF_CORE_READ(file, f_inode);
}

/* Appends the absolute form of the user path uptr: as is when absolute (after the task's
 * root when it chrooted), else the directory dfd (or the cwd) + "/" + path.  Not folded:
 * the loader folds "." and "..". */
__noinline long ab_put_joined(__u32 off, __u64 task, __s32 dfd, __u64 uptr)
{
	struct task_struct *t = (void *)task;
	struct ab_scratch *s = scratch_get();
	struct vfsmount *mnt;
	struct dentry *dentry;
	__u32 len, at;
	char first = 0;
	long n, w;

	if (!s)
		return off;
	if (uptr)
		bpf_probe_read_user(&first, 1, (void *)uptr);
	if (dfd == AB_NO_DIRFD || (first == '/' && !chrooted(t)))
		return ab_put_ustr(off, uptr);
	if (first == '/') { /* the task's root, then the rest of the path */
		mnt = BPF_CORE_READ(t, fs, root.mnt);
		dentry = BPF_CORE_READ(t, fs, root.dentry);
		uptr++;
	} else if (dfd == AB_AT_FDCWD) {
		mnt = BPF_CORE_READ(t, fs, pwd.mnt);
		dentry = BPF_CORE_READ(t, fs, pwd.dentry);
	} else {
		struct file *f = fd_file(t, dfd);

		if (!f)
			return ab_put_ustr(off, uptr);
		mnt = BPF_CORE_READ(f, f_path.mnt);
		dentry = BPF_CORE_READ(f, f_path.dentry);
	}
	w = ab_walk(task, (__u64)mnt, (__u64)dentry);
	len = (__u32)ab_put_walked(off, (__u32)w) - off - 4;
	w &= TRUNC_BIT | NS_BIT;
	if (!first) /* empty path (AT_EMPTY_PATH): the directory itself */
		return (off + 4 + len) | w;
	len &= AB_PATH_MAX * 2 - 1;
	at = (off + 4 + len) & REC_MASK;
	s->rec[at] = '/';
	n = bpf_probe_read_user_str(&s->rec[(at + 1) & REC_MASK], AB_PATH_MAX, (void *)uptr);
	n = n > 0 ? n - 1 : 0;
	len += 1 + n;
	if (len > AB_PATH_MAX) {
		len = AB_PATH_MAX;
		w |= TRUNC_BIT;
	}
	if (own_mnt_ns()) /* the name went through the namespace's mounts, not the host's */
		w |= NS_BIT;
	put_len(s, off, len);
	return (off + 4 + len) | w;
}

/* ---- stat --------------------------------------------------------------------------- */

struct inode___pre611 {
	struct timespec64 __i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___pre66 {
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

static __always_inline __u64 user_dev(__u32 kdev)
{
	__u64 major = kdev >> 20, minor = kdev & 0xfffff;

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffull) << 12);
}

/* Fills dev..ctime_ns and mode of the AB_EV_FILE record in scratch from inode; returns
 * AB_F_STAT (| AB_F_DIR). */
__noinline long ab_fill_stat(__u64 inode)
{
	struct ab_scratch *s = scratch_get();
	struct inode *ino = (void *)inode;
	struct ab_file *f;
	__s64 msec, csec;
	__u32 mns, cns;

	if (!ino || !s)
		return 0;
	f = (void *)(s->rec + HDR_SZ);
#define CEND FEND(struct inode, i_ctime_nsec) /* the last of the fields, in 6.11-6.18 */
	if (bpf_core_field_exists(ino->i_mtime_sec) && SPAN_HAS(0, CEND, struct inode, i_mode, 2) &&
	    SPAN_HAS(0, CEND, struct inode, i_sb, 8) && SPAN_HAS(0, CEND, struct inode, i_ino, 8) &&
	    SPAN_HAS(0, CEND, struct inode, i_size, 8) &&
	    SPAN_HAS(0, CEND, struct inode, i_mtime_sec, 8) &&
	    SPAN_HAS(0, CEND, struct inode, i_mtime_nsec, 4) &&
	    SPAN_HAS(0, CEND, struct inode, i_ctime_sec, 8) &&
	    SPAN_HAS(0, CEND, struct inode, i_ctime_nsec, 4)) { /* two reads, not nine */
		struct super_block *sb;

		if (!span_read(s, ino, 0, CEND))
			return 0;
		sb = SPAN_GET(s, 0, struct inode, i_sb, struct super_block *);
		f->ino = SPAN_GET(s, 0, struct inode, i_ino, __u64);
		f->size = SPAN_GET(s, 0, struct inode, i_size, __s64);
		f->mode = SPAN_GET(s, 0, struct inode, i_mode, __u16);
		msec = SPAN_GET(s, 0, struct inode, i_mtime_sec, __s64);
		mns = SPAN_GET(s, 0, struct inode, i_mtime_nsec, __u32);
		csec = SPAN_GET(s, 0, struct inode, i_ctime_sec, __s64);
		cns = SPAN_GET(s, 0, struct inode, i_ctime_nsec, __u32) & ~AB_I_CTIME_QUERIED;
		f->dev = user_dev(BPF_CORE_READ(sb, s_dev));
		f->mtime_ns = msec * 1000000000LL + mns;
		f->ctime_ns = csec * 1000000000LL + cns;
		return AB_F_STAT | ((f->mode & AB_S_IFMT) == AB_S_IFDIR ? AB_F_DIR : 0);
#undef CEND
	}
	f->dev = user_dev(BPF_CORE_READ(ino, i_sb, s_dev));
	f->ino = BPF_CORE_READ(ino, i_ino);
	f->size = BPF_CORE_READ(ino, i_size);
	f->mode = BPF_CORE_READ(ino, i_mode);
	if (bpf_core_field_exists(ino->i_mtime_sec)) {
		msec = BPF_CORE_READ(ino, i_mtime_sec);
		mns = BPF_CORE_READ(ino, i_mtime_nsec);
		csec = BPF_CORE_READ(ino, i_ctime_sec);
		cns = BPF_CORE_READ(ino, i_ctime_nsec) & ~AB_I_CTIME_QUERIED;
	} else if (bpf_core_field_exists(((struct inode___pre611 *)ino)->__i_mtime)) {
		struct inode___pre611 *o = (void *)ino;

		msec = BPF_CORE_READ(o, __i_mtime.tv_sec);
		mns = BPF_CORE_READ(o, __i_mtime.tv_nsec);
		csec = BPF_CORE_READ(o, __i_ctime.tv_sec);
		cns = BPF_CORE_READ(o, __i_ctime.tv_nsec);
	} else {
		struct inode___pre66 *o = (void *)ino;

		msec = BPF_CORE_READ(o, i_mtime.tv_sec);
		mns = BPF_CORE_READ(o, i_mtime.tv_nsec);
		csec = BPF_CORE_READ(o, i_ctime.tv_sec);
		cns = BPF_CORE_READ(o, i_ctime.tv_nsec);
	}
	f->mtime_ns = msec * 1000000000LL + mns;
	f->ctime_ns = csec * 1000000000LL + cns;
	return AB_F_STAT | ((f->mode & AB_S_IFMT) == AB_S_IFDIR ? AB_F_DIR : 0);
}

#endif /* ASBUILT_PATHS_BPF_H */
