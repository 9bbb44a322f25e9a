/* hello.c - the program of the hello-deb example; links libhello. */
#include <stdio.h>

#include "greet.h"

int main(int argc, char **argv)
{
	puts(greet(argc > 1 ? argv[1] : "world"));
	return 0;
}
