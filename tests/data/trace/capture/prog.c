#include <stdlib.h>
#include <string.h>
#include <malloc.h>
int main(void) {
  char *a = malloc(100);
  char *b = calloc(4, 25);
  a = realloc(a, 300);
  char *c = realloc(NULL, 50);
  void *d = memalign(64, 200);
  void *z = malloc(0);
  c = realloc(c, 0);
  free(b); free(d); free(z); free(a);
  free(NULL);
  void *big = malloc(~(size_t)0 >> 1);
  (void)big;
  return 0;
}
