/* Strict JSON getters for answers (see ppm-json.h). */
#include "ppm-json.h"

#include "ppm-api-error.h"

#include <string.h>

static gboolean
ppm_json_fail(GError **error, const char *name, const char *what)
{
  g_set_error(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL, "answer field \"%s\": %s", name, what);
  return FALSE;
}

/* Nesting depth outside strings; stops counting once past the limit. */
static gboolean
ppm_json_depth_ok(const char *text, gsize len)
{
  gboolean in_string = FALSE;
  int depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > PPM_JSON_MAX_DEPTH)
            return FALSE;
        }
      else if (c == ']' || c == '}')
        depth--;
    }
  return TRUE;
}

JsonNode *
ppm_json_parse(GBytes *body, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable();
  gsize len;
  const char *text = g_bytes_get_data(body, &len);
  g_autoptr(GError) parse_error = NULL;

  if (len == 0)
    {
      g_set_error_literal(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL, "empty answer");
      return NULL;
    }
  if (!g_utf8_validate(text, (gssize)len, NULL))
    {
      g_set_error_literal(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL,
                          "the answer is not UTF-8 text");
      return NULL;
    }
  if (!ppm_json_depth_ok(text, len))
    {
      g_set_error_literal(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL,
                          "the answer is nested too deeply");
      return NULL;
    }
  if (!json_parser_load_from_data(parser, text, (gssize)len, &parse_error))
    {
      g_set_error(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL, "the answer is not JSON: %s",
                  parse_error->message);
      return NULL;
    }
  if (json_parser_get_root(parser) == NULL)
    {
      g_set_error_literal(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL, "empty answer");
      return NULL;
    }
  return json_parser_steal_root(parser);
}

JsonObject *
ppm_json_root_object(JsonNode *root, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT(root))
    {
      g_set_error_literal(error, PPM_API_ERROR, PPM_API_ERROR_PROTOCOL,
                          "the answer is not a JSON object");
      return NULL;
    }
  return json_node_get_object(root);
}

JsonObject *
ppm_json_get_object(JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member(object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

const char *
ppm_json_get_string(JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member(object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE(node)
      || json_node_get_value_type(node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string(node);
}

gboolean
ppm_json_require_object(JsonObject *object, const char *name, JsonObject **out, GError **error)
{
  *out = ppm_json_get_object(object, name);
  return *out != NULL || ppm_json_fail(error, name, "missing or not an object");
}

gboolean
ppm_json_require_array(JsonObject *object, const char *name, JsonArray **out, GError **error)
{
  JsonNode *node = json_object_get_member(object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node))
    return ppm_json_fail(error, name, "missing or not an array");
  *out = json_node_get_array(node);
  return TRUE;
}

static gboolean
ppm_json_is_null(JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member(object, name);

  return node == NULL || JSON_NODE_HOLDS_NULL(node);
}

gboolean
ppm_json_require_string(JsonObject *object, const char *name, char **out, GError **error)
{
  const char *value = ppm_json_get_string(object, name);

  if (value == NULL || *value == '\0')
    return ppm_json_fail(error, name, "missing or not a non-empty string");
  *out = g_strdup(value);
  return TRUE;
}

gboolean
ppm_json_optional_string(JsonObject *object, const char *name, char **out, GError **error)
{
  *out = NULL;
  if (ppm_json_is_null(object, name))
    return TRUE;
  if (ppm_json_get_string(object, name) == NULL)
    return ppm_json_fail(error, name, "not a string");
  *out = g_strdup(ppm_json_get_string(object, name));
  return TRUE;
}

gboolean
ppm_json_optional_bool(JsonObject *object, const char *name, gboolean absent, gboolean *out,
                       GError **error)
{
  JsonNode *node = json_object_get_member(object, name);

  *out = absent;
  if (ppm_json_is_null(object, name))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
    return ppm_json_fail(error, name, "not a boolean");
  *out = json_node_get_boolean(node);
  return TRUE;
}

gboolean
ppm_json_require_id(JsonObject *object, const char *name, char **out, GError **error)
{
  JsonNode *node = json_object_get_member(object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_INT64
      && json_node_get_int(node) >= 0)
    {
      *out = g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(node));
      return TRUE;
    }
  if (ppm_json_get_string(object, name) == NULL || *ppm_json_get_string(object, name) == '\0')
    return ppm_json_fail(error, name, "missing or not an id");
  *out = g_strdup(ppm_json_get_string(object, name));
  return TRUE;
}

gboolean
ppm_json_optional_id(JsonObject *object, const char *name, char **out, GError **error)
{
  *out = NULL;
  return ppm_json_is_null(object, name) || ppm_json_require_id(object, name, out, error);
}

gboolean
ppm_json_require_time(JsonObject *object, const char *name, gboolean optional, char **out,
                      GError **error)
{
  g_autoptr(GDateTime) time = NULL;
  const char *value = ppm_json_get_string(object, name);

  *out = NULL;
  if (optional && ppm_json_is_null(object, name))
    return TRUE;
  if (value == NULL || (time = g_date_time_new_from_iso8601(value, NULL)) == NULL)
    return ppm_json_fail(error, name, "missing or not an RFC 3339 time");
  *out = g_strdup(value);
  return TRUE;
}

gboolean
ppm_json_require_int(JsonObject *object, const char *name, gint64 min, gint64 max, gint64 *out,
                     GError **error)
{
  JsonNode *node = json_object_get_member(object, name);
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE(node)
      || json_node_get_value_type(node) != G_TYPE_INT64)
    return ppm_json_fail(error, name, "missing or not an integer");
  value = json_node_get_int(node);
  if (value < min || value > max)
    return ppm_json_fail(error, name, "out of range");
  *out = value;
  return TRUE;
}

gboolean
ppm_json_require_enum(JsonObject *object, const char *name, const char *const *choices, char **out,
                      GError **error)
{
  const char *value = ppm_json_get_string(object, name);

  if (value == NULL || !g_strv_contains(choices, value))
    return ppm_json_fail(error, name, "missing or not one of the known values");
  *out = g_strdup(value);
  return TRUE;
}

gboolean
ppm_json_is_currency(const char *code)
{
  return code != NULL && strlen(code) == 3 && g_ascii_isupper(code[0]) && g_ascii_isupper(code[1])
         && g_ascii_isupper(code[2]);
}

gboolean
ppm_json_require_money(JsonObject *object, const char *name, gint64 min, gint64 max,
                       char currency[4], PpmMoney *out, GError **error)
{
  JsonObject *money;
  const char *code;

  if (!ppm_json_require_object(object, name, &money, error)
      || !ppm_json_require_int(money, "amount_minor", min, max, &out->minor, error))
    return FALSE;
  code = ppm_json_get_string(money, "currency");
  if (!ppm_json_is_currency(code))
    return ppm_json_fail(error, name, "currency is not an ISO 4217 code");
  if (currency[0] != '\0' && strcmp(currency, code) != 0)
    return ppm_json_fail(error, name, "currency differs from the platform's");
  memcpy(out->currency, code, 4);
  memcpy(currency, code, 4);
  return TRUE;
}

void
ppm_json_append_string(GString *out, const char *text)
{
  g_string_append_c(out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar)*p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c(out, '\\');
          g_string_append_c(out, (char)c);
        }
      else if (c < 0x20)
        g_string_append_printf(out, "\\u%04x", c);
      else
        g_string_append_c(out, (char)c);
    }
  g_string_append_c(out, '"');
}
