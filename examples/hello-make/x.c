#include "x.h"

int x_twice(int v)
{
	return 2 * v;
}
