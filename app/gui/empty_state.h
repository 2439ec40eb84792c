#pragma once
// The hint a page shows a newcomer until a dataset is open: what the page is for and the next step.
#include <QString>

class QLabel;

namespace pretext {

class AppState;

// A word-wrapped label that hides itself once the state has a dataset (and shows if it has none).
QLabel* hint_until_data_opens(AppState* state, const QString& text);

}  // namespace pretext
