#pragma once
// The one way to include QCustomPlot: its header uses the `signals` and `foreach` keywords that
// QT_NO_KEYWORDS (needed beside LibTorch) removes, so they are defined around the include only.
#ifndef signals
#define PRETEXT_QCP_SIGNALS
#define signals Q_SIGNALS
#endif
#ifndef foreach
#define PRETEXT_QCP_FOREACH
#define foreach Q_FOREACH
#endif
#include <qcustomplot.h>
#ifdef PRETEXT_QCP_SIGNALS
#undef signals
#undef PRETEXT_QCP_SIGNALS
#endif
#ifdef PRETEXT_QCP_FOREACH
#undef foreach
#undef PRETEXT_QCP_FOREACH
#endif
