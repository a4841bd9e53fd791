// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* bpffs.c - see bpffs.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/magic.h>

#include "bpffs.h"
#include "log.h"

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static bool same_ns(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino == sb.st_ino;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	/* "PID (COMM) STATE PPID": COMM may hold spaces and parentheses. */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		sscanf(p + 1, " %*c %d", &ppid);
	fclose(f);
	return ppid;
}

/*
 * The nearest ancestor's bpffs: `ip netns exec` execs us from a shell that
 * still sees the host's /sys. The directory is held open so that the path
 * stays valid if that process exits.
 */
static int ancestor_bpffs(char *buf, size_t len)
{
	char path[64];
	pid_t pid = getppid();
	int fd;

	for (int depth = 0; pid > 0 && depth < 64; depth++, pid = parent_of(pid)) {
		snprintf(path, sizeof(path), "/proc/%d/root" FW_BPFFS_DEFAULT, (int)pid);
		if (!is_bpffs(path))
			continue;
		fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		snprintf(buf, len, "/proc/self/fd/%d", fd);
		fw_dbg("using the bpffs of process %d (%s)", (int)pid, path);
		return 0;
	}
	return -ENOENT;
}

int fw_bpffs_root(char *buf, size_t len, bool *persistent)
{
	static char root[64];
	static bool root_persistent;
	char ppid_ns[64];

	if (root[0])
		goto out;
	root_persistent = true;
	if (is_bpffs(FW_BPFFS_DEFAULT)) {
		snprintf(root, sizeof(root), "%s", FW_BPFFS_DEFAULT);
	} else if (ancestor_bpffs(root, sizeof(root)) == 0) {
		/* libxdp keeps its dispatcher state in bpffs too: it must
		 * see the same one, or it would miss a dispatcher. */
		setenv("LIBXDP_BPFFS", root, 1);
	} else {
		if (mount("bpf", FW_BPFFS_DEFAULT, "bpf", 0, "mode=0700"))
			return fw_err_r(
			    errno,
			    "cannot mount bpffs on %s: %s; mount it by hand (mount -t bpf bpf %s)",
			    FW_BPFFS_DEFAULT, strerror(errno), FW_BPFFS_DEFAULT);
		fw_dbg("mounted bpffs on %s", FW_BPFFS_DEFAULT);
		snprintf(root, sizeof(root), "%s", FW_BPFFS_DEFAULT);
		/* A private mount namespace (ip netns exec) dies with us. */
		snprintf(ppid_ns, sizeof(ppid_ns), "/proc/%d/ns/mnt", (int)getppid());
		root_persistent = same_ns("/proc/self/ns/mnt", ppid_ns);
	}
out:
	snprintf(buf, len, "%s", root);
	*persistent = root_persistent;
	return 0;
}

/*
 * Recent kernels give the initial network namespace a fixed inode. On older
 * ones compare with PID 1's, but only from the initial PID namespace (fixed
 * inode for years): a container's PID 1 shares the container's network
 * namespace, which must not pass for the host's.
 */
#define INIT_NETNS_INO 0xEFFFFFF9U
#define INIT_PIDNS_INO 0xEFFFFFFCU

static bool in_init_netns(ino_t self)
{
	struct stat init, pidns;

	if (self == INIT_NETNS_INO)
		return true;
	return stat("/proc/self/ns/pid", &pidns) == 0 && pidns.st_ino == INIT_PIDNS_INO &&
	       stat("/proc/1/ns/net", &init) == 0 && init.st_ino == self;
}

static int mkdir_p1(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST)
		return fw_err_r(errno, "cannot create pin directory %s: %s", path, strerror(errno));
	return 0;
}

/*
 * Linux allows any byte in an interface name but NUL, '/', ':' and white
 * space: a name may carry an escape sequence, or be a path's "..".
 * Bytes outside a set safe in any shell or listing are written %XX, as is
 * a leading '.', so a directory name never is "." or "..", never hidden,
 * and maps back to one interface name. Common names (eth0, br-lan,
 * eth0.100) stay as they are, as do the pins made before this encoding.
 */
int fw_pin_name(const char *ifname, char *buf, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const char *s = ifname; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		            (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '@' ||
		            c == '+' || (c == '.' && s != ifname);

		if (n + (safe ? 1 : 3) >= len)
			return -ENAMETOOLONG;
		if (safe) {
			buf[n++] = (char)c;
		} else {
			buf[n++] = '%';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 0xf];
		}
	}
	if (!n)
		return -EINVAL;
	buf[n] = '\0';
	return 0;
}

int fw_pin_dir(const char *ifname, bool create, char *buf, size_t len)
{
	char root[256], base[PATH_MAX], name[3 * IF_NAMESIZE];
	struct stat self;
	bool persistent;
	int err;

	err = fw_pin_name(ifname, name, sizeof(name));
	if (err)
		return fw_err_r(err, "cannot name a pin directory after interface %s: %s", ifname,
		                strerror(-err));
	err = fw_bpffs_root(root, sizeof(root), &persistent);
	if (err)
		return err;
	if (create && !persistent)
		fw_info("no bpffs outside this mount namespace: pins for %s vanish when fwctl "
		        "exits; the kernel keeps the program attached",
		        ifname);
	snprintf(base, sizeof(base), "%s/xdpfw", root);
	if (stat("/proc/self/ns/net", &self))
		return fw_err_r(errno, "cannot read the network namespace: %s", strerror(errno));
	if (!in_init_netns(self.st_ino)) {
		if (create && (err = mkdir_p1(base)))
			return err;
		snprintf(base + strlen(base), sizeof(base) - strlen(base), "/netns:%lu",
		         (unsigned long)self.st_ino);
	}
	if (create && (err = mkdir_p1(base)))
		return err;
	if ((size_t)snprintf(buf, len, "%s/%s", base, name) >= len)
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
