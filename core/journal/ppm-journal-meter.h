/* Connects a PpmJournal to core/meter's journal hook. */
#pragma once

#include "ppm-journal.h"
#include "ppm-meter.h"

G_BEGIN_DECLS

/* A PpmMeterEvents.journal handler: pass the PpmJournal as the meter's
 * user_data, or call it from your own handler with the journal. */
gboolean ppm_journal_meter_hook(PpmMeter *meter, const PpmJournalRecord *record, gpointer journal,
                                GError **error);

G_END_DECLS
