#include "skvtool.h"
int cmd_dump(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_restore(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cmd_bench(int argc, char **argv) { (void)argc; (void)argv; return 1; }
