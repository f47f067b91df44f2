/* Decoders from a parsed answer to the typed structs; any deviation from
 * docs/openapi.json is a PPM_API_ERROR_PROTOCOL error, never a crash.  `currency` is the
 * deployment's currency as far as known ("" when not yet): amounts in another
 * currency are refused, and the first one seen fills it in. */
#pragma once

#include "ppm-api-types.h"
#include "ppm-json.h"
#include "ppm-port.h"

G_BEGIN_DECLS

PpmLogin *ppm_api_decode_login(JsonNode *root, GError **error);
PpmMe *ppm_api_decode_me(JsonNode *root, char currency[4], GError **error);
gboolean ppm_api_decode_rate(JsonNode *root, char currency[4], PpmMoney *out, GError **error);
GPtrArray *ppm_api_decode_handles(JsonNode *root, GError **error);
PpmLookup *ppm_api_decode_lookup(JsonNode *root, GError **error);
PpmPage *ppm_api_decode_sessions(JsonNode *root, char currency[4], GError **error);
PpmPage *ppm_api_decode_transactions(JsonNode *root, char currency[4], GError **error);

/* The billing answers fill core/ppm-port.h's structs; their strings are added
 * to `strings` (a g_free array), which must outlive `out`. */
gboolean ppm_api_decode_open(JsonNode *root, char currency[4], GPtrArray *strings,
                             PpmOpenAnswer *out, GError **error);
gboolean ppm_api_decode_charge(JsonNode *root, char currency[4], GPtrArray *strings,
                               PpmChargeAnswer *out, GError **error);
gboolean ppm_api_decode_close(JsonNode *root, char currency[4], GPtrArray *strings,
                              PpmCloseAnswer *out, GError **error);

/* The names of the decoders above ("login", "me", ..., "close"), NULL-terminated. */
const char *const *ppm_api_decoder_names(void);
/* Parses `body` and runs the decoder called `name` on it, then frees the
 * result: for tests and fuzzing. */
gboolean ppm_api_decode_bytes(const char *name, GBytes *body, GError **error);

G_END_DECLS
