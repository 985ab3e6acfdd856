// Built with -nostdlib -static so valgrind --tool=lackey logs only these few instructions.
static volatile long buf[4];
void _start(void) {
  for (int i = 0; i < 4; i++) buf[i] = i;      /* 4 stores */
  buf[1] += buf[2];                             /* loads then a store */
  __asm__ volatile("addq $5, %0" : "+m"(buf[3]));  /* one read-modify-write: lackey "M" */
  __asm__ volatile("mov $60, %eax\n xor %edi, %edi\n syscall");
}
