/* zstatic.c - compresses a message with compress() and restores it with uncompress(); the
 * only zlib functions it calls.  Linked with the static archive libz.a. */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

int main(int argc, char **argv)
{
	const char *msg = argc > 1 ? argv[1] : "hello, hello, hello, zlib";
	unsigned char packed[256], back[256];
	uLongf np = sizeof(packed), nb = sizeof(back) - 1;

	if (compress(packed, &np, (const Bytef *)msg, strlen(msg)) != Z_OK ||
	    uncompress(back, &nb, packed, np) != Z_OK)
		return 1;
	back[nb] = '\0';
	printf("%lu -> %lu bytes -> \"%s\"\n", (unsigned long)strlen(msg), (unsigned long)np,
	       (const char *)back);
	return strcmp(msg, (const char *)back) != 0;
}
