/* Query strings of the GET routes and pages: the input is "ROLE PATH?QUERY"
 * with ROLE MODEL or MEMBER (whose token the request carries). */
#include <stdint.h>
#include <string.h>

#include "ppm-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data, *space = memchr(text, ' ', size);
  const char *newline = memchr(text, '\n', size);
  int role_length, target_length;

  if (space == NULL || (newline != NULL && newline < space))
    return 0;
  role_length = (int)(space - text);
  target_length = (int)((newline ? newline : text + size) - (space + 1));
  ppm_fuzz_request_printf(NULL, 0, "GET %.*s\nAuthorization: Bearer $%.*s\n\n", target_length,
                          space + 1, role_length, text);
  return 0;
}
