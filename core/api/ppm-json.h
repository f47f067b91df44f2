/* Strict reading of JSON answers: every getter checks the type and the range
 * and fails with PPM_API_ERROR_PROTOCOL naming the field. */
#pragma once

#include <json-glib/json-glib.h>

#include "ppm-api-types.h"

G_BEGIN_DECLS

/* Deeper answers are refused before json-glib's recursive parser sees them. */
#define PPM_JSON_MAX_DEPTH 32

JsonNode *ppm_json_parse(GBytes *body, GError **error);
/* The root as an object, or a protocol error. */
JsonObject *ppm_json_root_object(JsonNode *root, GError **error);

/* Lenient lookups for error bodies: NULL when absent or of another type. */
JsonObject *ppm_json_get_object(JsonObject *object, const char *name);
const char *ppm_json_get_string(JsonObject *object, const char *name);

gboolean ppm_json_require_object(JsonObject *object, const char *name, JsonObject **out,
                                 GError **error);
gboolean ppm_json_require_array(JsonObject *object, const char *name, JsonArray **out,
                                GError **error);
/* A non-empty string. */
gboolean ppm_json_require_string(JsonObject *object, const char *name, char **out, GError **error);
/* Absent or null gives NULL; anything but a string is an error. */
gboolean ppm_json_optional_string(JsonObject *object, const char *name, char **out, GError **error);
/* An id: a non-empty string or a non-negative integer, as a string. */
gboolean ppm_json_require_id(JsonObject *object, const char *name, char **out, GError **error);
gboolean ppm_json_optional_id(JsonObject *object, const char *name, char **out, GError **error);
/* An RFC 3339 time. */
gboolean ppm_json_require_time(JsonObject *object, const char *name, gboolean optional, char **out,
                               GError **error);
gboolean ppm_json_require_int(JsonObject *object, const char *name, gint64 min, gint64 max,
                              gint64 *out, GError **error);
/* Absent or null gives `absent`; anything but a boolean is an error. */
gboolean ppm_json_optional_bool(JsonObject *object, const char *name, gboolean absent,
                                gboolean *out, GError **error);
/* One of `choices` (NULL-terminated). */
gboolean ppm_json_require_enum(JsonObject *object, const char *name, const char *const *choices,
                               char **out, GError **error);
/* Three upper-case ASCII letters. */
gboolean ppm_json_is_currency(const char *code);
/* {"amount_minor": int, "currency": "XXX"} with min ≤ amount ≤ max.  `currency`
 * is the answer's currency so far ("" when none yet): every amount must match it. */
gboolean ppm_json_require_money(JsonObject *object, const char *name, gint64 min, gint64 max,
                                char currency[4], PpmMoney *out, GError **error);

/* Appends `text` (UTF-8) as a JSON string literal, quotes included. */
void ppm_json_append_string(GString *out, const char *text);

G_END_DECLS
