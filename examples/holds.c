// SPDX-License-Identifier: MIT
// Says which descriptors it was started with: `holds INODE:FD...` exits with bit i of its
// status set when the i-th FD is open on the object with that INODE, as fstat sees it.
// The other examples exec it after closing descriptors one way or another, and report
// what it found: the exec'd program's own account of what it inherited. Makes no IPC
// syscall (fstat is not traced).

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "example.h"

int main(int argc, char **argv)
{
	int held = 0;

	ex_init("holds");
	if (argc < 2 || argc > 8)
		usage("INODE:FD... (at most 7)");
	for (int i = 1; i < argc; i++) {
		char *colon = strchr(argv[i], ':');
		unsigned long inode;
		struct stat st;
		int fd;

		if (!colon)
			usage("INODE:FD... (at most 7)");
		*colon = 0;
		inode = (unsigned long) parse_count(argv[i], 1, LONG_MAX);
		fd = (int) parse_count(colon + 1, 0, INT_MAX);
		if (fstat(fd, &st) == 0 && st.st_ino == inode)
			held |= 1 << (i - 1);
	}
	return held;
}
