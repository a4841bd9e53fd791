// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* bpffs.c - see bpffs.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "bpffs.h"
#include "log.h"

#define HOST_BPFFS "/proc/1/root" FW_BPFFS_DEFAULT

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int fw_bpffs_root(char *buf, size_t len, bool *persistent)
{
	if (!is_bpffs(FW_BPFFS_DEFAULT)) {
		if (mount("bpf", FW_BPFFS_DEFAULT, "bpf", 0, "mode=0700"))
			return fw_err_r(errno, "cannot mount bpffs on %s: %s; mount it by hand (mount -t bpf bpf %s)",
					FW_BPFFS_DEFAULT, strerror(errno), FW_BPFFS_DEFAULT);
		fw_dbg("mounted bpffs on %s", FW_BPFFS_DEFAULT);
	}
	*persistent = true;
	if (is_bpffs(HOST_BPFFS) && !same_file(HOST_BPFFS, FW_BPFFS_DEFAULT)) {
		snprintf(buf, len, "%s", HOST_BPFFS);
		/* libxdp keeps its dispatcher state in bpffs too: share the
		 * host's, or it would not see a dispatcher attached elsewhere. */
		setenv("LIBXDP_BPFFS", HOST_BPFFS, 0);
		return 0;
	}
	/* Our /sys/fs/bpf: persistent unless our mount namespace is private
	 * and PID 1 has no bpffs to share (ip netns exec on a bare host). */
	if (!same_file("/proc/self/ns/mnt", "/proc/1/ns/mnt") && !is_bpffs(HOST_BPFFS))
		*persistent = false;
	snprintf(buf, len, "%s", FW_BPFFS_DEFAULT);
	return 0;
}

static int mkdir_p1(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return fw_err_r(errno, "cannot create pin directory %s: %s", path, strerror(errno));
	return 0;
}

int fw_pin_dir(const char *ifname, bool create, char *buf, size_t len)
{
	char root[256], base[PATH_MAX];
	struct stat self, init;
	bool persistent;
	int err;

	err = fw_bpffs_root(root, sizeof(root), &persistent);
	if (err)
		return err;
	if (create && !persistent)
		fw_info("no bpffs outside this mount namespace: pins for %s vanish when fwctl exits; the kernel keeps the program attached",
			ifname);
	snprintf(base, sizeof(base), "%s/xdpfw", root);
	if (stat("/proc/self/ns/net", &self))
		return fw_err_r(errno, "cannot read the network namespace: %s", strerror(errno));
	/* PID 1's namespace unreadable (container): treat ours as the host's. */
	if (stat("/proc/1/ns/net", &init) == 0 && init.st_ino != self.st_ino) {
		if (create && (err = mkdir_p1(base)))
			return err;
		snprintf(base + strlen(base), sizeof(base) - strlen(base), "/netns:%lu",
			 (unsigned long)self.st_ino);
	}
	if (create && (err = mkdir_p1(base)))
		return err;
	if ((size_t)snprintf(buf, len, "%s/%s", base, ifname) >= len)
		return -ENAMETOOLONG;
	if (create && (err = mkdir_p1(buf)))
		return err;
	return 0;
}

int fw_pin_dir_remove(const char *dir)
{
	char path[PATH_MAX], parent[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0;
	char *slash;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) && errno != ENOENT)
			err = fw_err_r(errno, "cannot remove pin %s: %s", path, strerror(errno));
	}
	closedir(d);
	if (err)
		return err;
	if (rmdir(dir) && errno != ENOENT)
		return fw_err_r(errno, "cannot remove pin directory %s: %s", dir, strerror(errno));
	/* Tidy empty parents: netns:INO/, then xdpfw/ itself. */
	snprintf(parent, sizeof(parent), "%s", dir);
	for (int i = 0; i < 2; i++) {
		slash = strrchr(parent, '/');
		if (!slash)
			break;
		*slash = '\0';
		if (!strstr(parent, "/xdpfw") || rmdir(parent))
			break;
	}
	return 0;
}
