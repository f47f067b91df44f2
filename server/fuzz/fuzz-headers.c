/* Header handling: Authorization, Content-Type, Cookie, Content-Length, with
 * any method and path.  The input is a whole request as ppm-fuzz.h writes it. */
#include <stdint.h>

#include "ppm-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  ppm_fuzz_request((const char *)data, size);
  return 0;
}
