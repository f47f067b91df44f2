/* libFuzzer target for one answer decoder, chosen at build time with
 * -DPPM_FUZZ_DECODER="name" (a name from ppm_api_decoder_names(), or "error"
 * for the error-body reader).  Any input must decode or fail cleanly. */
#include "ppm-api-decode.h"
#include "ppm-api-error.h"

#include <stdint.h>

#ifndef PPM_FUZZ_DECODER
#error "define PPM_FUZZ_DECODER"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new(data, size);

  if (g_str_equal(PPM_FUZZ_DECODER, "error"))
    {
      PpmApiResult result = { 0 };

      ppm_api_result_classify(&result, 409, bytes, 1000);
      ppm_api_result_clear(&result);
    }
  else
    ppm_api_decode_bytes(PPM_FUZZ_DECODER, bytes, NULL);
  return 0;
}
