#include <stdio.h>
#include "config.h"
#include "shout.h"

int main(void)
{
	char buf[64];

	printf("%s %s\n", shout(buf, sizeof(buf), "hello from cmake"), HELLO_CMAKE_VERSION);
	return 0;
}
