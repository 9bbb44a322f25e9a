#include <stdio.h>
#include "greet.h"
#include "version.h"
#include "x.h"

int main(void)
{
	printf("%s (version %s, x=%d)\n", greet("world"), HELLO_VERSION, x_twice(21));
	return 0;
}
