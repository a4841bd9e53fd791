// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* file.c - see file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "file.h"

static int read_fd(int fd, size_t hint, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = hint + 1 > 4096 ? hint + 1 : 4096;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > FW_FILE_MAX) {
				free(buf);
				return -EFBIG;
			}
			nbuf = realloc(buf, cap * 2);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	if (len > FW_FILE_MAX) {
		free(buf);
		return -EFBIG;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

int fw_file_read(const char *path, unsigned int flags, char **buf, size_t *len)
{
	struct stat st;
	int fd, err;

	if ((flags & FW_FILE_STDIN) && !strcmp(path, "-"))
		return read_fd(STDIN_FILENO, 0, buf, len);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; the type
	 * is known only once it is open (no race with a stat before). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto out;
	}
	if ((unsigned long long)st.st_size > FW_FILE_MAX) {
		err = -EFBIG;
		goto out;
	}
	err = read_fd(fd, (size_t)st.st_size, buf, len);
out:
	close(fd);
	return err;
}

const char *fw_file_strerror(int err)
{
	switch (-err) {
	case EINVAL:
		return "not a regular file (a FIFO, device or directory); give a file";
	case EFBIG:
		return "larger than 256 MiB; is this really a rule or set file?";
	default:
		return strerror(-err);
	}
}
