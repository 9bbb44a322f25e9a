/* zdynamic.c - prints the CRC-32 of a message with crc32() and writes it gzip-compressed with
 * gzopen(), gzwrite() and gzclose(); the only zlib functions it calls.  Linked with -lz. */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

int main(int argc, char **argv)
{
	const char *msg = argc > 1 ? argv[1] : "hello, zlib";
	const char *out = argc > 2 ? argv[2] : "msg.gz";
	unsigned len = (unsigned)strlen(msg);
	gzFile gz;

	printf("crc32 %08lx\n", crc32(0L, (const Bytef *)msg, len));
	gz = gzopen(out, "wb");
	if (!gz)
		return 1;
	if (gzwrite(gz, msg, len) != (int)len) {
		gzclose(gz);
		return 1;
	}
	return gzclose(gz) != Z_OK;
}
