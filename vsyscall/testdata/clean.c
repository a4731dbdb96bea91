// clean calls time() the current way, through the C library (and so the
// vDSO): the scanner must find nothing in it.
#include <stdio.h>
#include <time.h>

int main(void)
{
	printf("time: %ld\n", (long)time(NULL));
	return 0;
}
