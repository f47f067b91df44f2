/* Routing by method and path: the input is one request line, "METHOD PATH",
 * sent with the model's token so that it gets past authentication. */
#include <stdint.h>
#include <string.h>

#include "ppm-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *newline = memchr(data, '\n', size);
  int length = (int)(newline ? (size_t)(newline - (const char *)data) : size);

  ppm_fuzz_request_printf(NULL, 0, "%.*s\nAuthorization: Bearer $MODEL\n\n", length,
                          (const char *)data);
  return 0;
}
