#ifndef X_H
#define X_H
/* x_twice: return 2 * v. */
int x_twice(int v);
#endif
