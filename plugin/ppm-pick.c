#include "ppm-pick.h"

PurpleRequestField *
ppm_pick_new(const char *id, const char *text)
{
  PurpleRequestField *pick = purple_request_field_list_new(id, text);
  purple_request_field_list_set_multi_select(pick, FALSE);
  return pick;
}

void
ppm_pick_add(PurpleRequestField *pick, const char *label, gpointer value, gboolean selected)
{
  purple_request_field_list_add_icon(pick, label, NULL, value);
  if (selected)
    purple_request_field_list_add_selected(pick, label);
}

gpointer
ppm_pick_get(PurpleRequestFields *fields, const char *id)
{
  PurpleRequestField *pick = purple_request_fields_get_field(fields, id);
  GList *picked = pick != NULL ? purple_request_field_list_get_selected(pick) : NULL;
  return picked != NULL ? purple_request_field_list_get_data(pick, picked->data) : NULL;
}
