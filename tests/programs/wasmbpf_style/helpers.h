#ifndef WBSTYLE_HELPERS_H
#define WBSTYLE_HELPERS_H
int wbstyle_double(int x);
#endif
