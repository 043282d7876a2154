#include "helpers.h"

int wbstyle_double(int x) { return 2 * x; }
