/* JSON bodies of the routes that take one: the input is "METHOD PATH ROLE"
 * on the first line (ROLE MODEL or MEMBER, whose token the request carries,
 * or anything else for none) and the body after it. */
#include <stdint.h>
#include <string.h>

#include "ppm-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *text = (const char *)data, *newline = memchr(text, '\n', size);
  const char *role;
  int line_length;

  if (newline == NULL)
    return 0;
  line_length = (int)(newline - text);
  role = g_strrstr_len(text, line_length, " ");
  if (role == NULL)
    return 0;
  ppm_fuzz_request_printf(newline + 1, size - (newline + 1 - text),
                          "%.*s\nAuthorization: Bearer $%.*s\n"
                          "Content-Type: application/json\n\n",
                          (int)(role - text), text, (int)(newline - role - 1), role + 1);
  return 0;
}
