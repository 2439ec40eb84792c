#include "app/gui/empty_state.h"

#include <QLabel>

#include "app/gui/app_state.h"

namespace pretext {

QLabel* hint_until_data_opens(AppState* state, const QString& text) {
  auto* hint = new QLabel(text);
  hint->setObjectName(QStringLiteral("emptyStateHint"));
  hint->setWordWrap(true);
  hint->setMargin(6);
  hint->setFrameShape(QFrame::StyledPanel);
  hint->setVisible(!state->sample());
  QObject::connect(state, &AppState::datasetLoaded, hint, [hint, state] { hint->setVisible(!state->sample()); });
  return hint;
}

}  // namespace pretext
