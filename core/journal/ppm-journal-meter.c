/* The meter's journal hook: each PpmJournalRecord becomes one journal write. */
#include "ppm-journal-meter.h"

gboolean
ppm_journal_meter_hook(PpmMeter *meter, const PpmJournalRecord *record, gpointer journal,
                       GError **error)
{
  switch (record->kind)
    {
      case PPM_JOURNAL_OPEN_REQUESTED:
        return ppm_journal_open_requested(journal, record->client_session_id, record->protocol,
                                          record->model_handle, record->member_handle, error);
      case PPM_JOURNAL_OPENED:
        return ppm_journal_opened(journal, record->client_session_id, record->session_id,
                                  record->elapsed_ms, error);
      case PPM_JOURNAL_CHARGE_CONFIRMED:
        return ppm_journal_charge_confirmed(journal, record->client_session_id, record->seq,
                                            record->elapsed_ms, record->total_minor,
                                            record->currency, error);
      case PPM_JOURNAL_CLOSE_REQUESTED:
        return ppm_journal_close_requested(journal, record->client_session_id, record->reason,
                                           record->elapsed_ms, error);
      case PPM_JOURNAL_CLOSED:
        return ppm_journal_closed(journal, record->client_session_id, record->periods_charged,
                                  record->total_minor, record->currency, error);
    }
  g_return_val_if_reached(FALSE);
}
