#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QtTest>

#include "widgets/bar_chart.h"
#include "widgets/heatmap_plot.h"
#include "widgets/histogram_plot.h"
#include "widgets/pipeline_editor.h"
#include "widgets/qcp.h"
#include "widgets/thumbnail_grid.h"

using namespace pretext;

class TestEditors : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void pipelineEditorEmitsEditedDocument() {
    const QJsonObject doc{
        {"name", "t"},
        {"views", QJsonArray{QJsonObject{{"ops", QJsonArray{QJsonObject{{"op", "hflip"}, {"p", 0.5}},
                                                          QJsonObject{{"op", "solarize"}, {"p", 0.2}, {"threshold", 128.0}}}}}}}};
    PipelineEditor editor;
    editor.setPipeline(doc);
    QSignalSpy spy(&editor, &PipelineEditor::changed);
    // Toggle the first op off through its checkbox, as a user would.
    auto boxes = editor.findChildren<QCheckBox*>();
    QCOMPARE(boxes.size(), 2);
    boxes[0]->setChecked(false);
    QCOMPARE(spy.count(), 1);
    const QJsonObject edited = spy.takeFirst().at(0).toJsonObject();
    QCOMPARE(edited["views"].toArray()[0].toObject()["ops"].toArray()[0].toObject()["enabled"].toBool(true), false);
    // The threshold control edits the parameter.
    auto spins = editor.findChildren<QDoubleSpinBox*>();
    QCOMPARE(spins.size(), 1);
    spins[0]->setValue(100);
    QCOMPARE(editor.pipeline()["views"].toArray()[0].toObject()["ops"].toArray()[1].toObject()["threshold"].toDouble(), 100.0);
  }

  // An op that always fires (a crop, a mask) has no probability slider, and a range of fractions
  // keeps its decimals: I-JEPA's target aspect [0.75, 1.5] must not show (or send back) 2.
  void pipelineEditorShowsWhatEachOpTakes() {
    const QJsonObject doc{
        {"name", "t"},
        {"views", QJsonArray{QJsonObject{{"ops", QJsonArray{QJsonObject{{"op", "jepa_blocks"},
                                                                        {"target_aspect", QJsonArray{0.75, 1.5}},
                                                                        {"targets", 4}}}}}}}};
    PipelineEditor editor;
    editor.setOpKinds({{"jepa_blocks", {"draws blocks", /*takesProbability=*/false}}});
    editor.setPipeline(doc);
    QCOMPARE(editor.findChildren<QSlider*>().size(), 0);
    const auto spins = editor.findChildren<QDoubleSpinBox*>();
    QCOMPARE(spins.size(), 3);
    QCOMPARE(spins[1]->value(), 1.5);
    QCOMPARE(spins[2]->decimals(), 0);  // the block count is whole
    QCOMPARE(editor.findChildren<QCheckBox*>()[0]->toolTip(), QString("draws blocks"));
  }

  void thumbnailModelFiltersByClass() {
    ThumbnailGrid grid;
    int calls = 0;
    grid.thumbnails()->setSource(
        1000,
        [&calls](int i) {
          ++calls;
          QImage img(8, 8, QImage::Format_Grayscale8);
          img.fill(i % 256);
          return img;
        },
        [] {
          QVector<int> l(1000);
          for (int i = 0; i < 1000; ++i) l[i] = i % 4;
          return l;
        }(),
        {"a", "b", "c", "d"});
    QCOMPARE(grid.thumbnails()->rowCount(), 1000);
    grid.thumbnails()->setClassFilter(2);
    QCOMPARE(grid.thumbnails()->rowCount(), 250);
    QCOMPARE(grid.thumbnails()->sourceIndex(1), 6);
    // Only what is asked for is rendered: the model is virtual.
    grid.resize(300, 300);
    QCOMPARE(calls, 0);
    const QVariant v = grid.thumbnails()->data(grid.thumbnails()->index(0), Qt::DecorationRole);
    QVERIFY(v.canConvert<QPixmap>());
    QCOMPARE(calls, 1);
    grid.thumbnails()->data(grid.thumbnails()->index(0), Qt::DecorationRole);
    QCOMPARE(calls, 1);  // cached
  }

  void histogramAndHeatmapHoldTheirData() {
    HistogramPlot h("sim", -1, 1);
    h.setSeries({{"pos", {0.1, 0.9}}, {"neg", {0.6, 0.4}}});
    QCOMPARE(h.seriesCount(), 2);
    HeatmapPlot m;
    m.setMatrix(2, {1.0f, -0.5f, 0.25f, 1.0f});
    QCOMPARE(m.size(), 2);
    QCOMPARE(m.value(0, 1), -0.5);
    QCOMPARE(m.value(1, 0), 0.25);
    BarChart b("n");
    b.setBars({"x", "y", "z"}, {1, 2, 3});
    QCOMPARE(b.barCount(), 3);
    QCOMPARE(b.seriesCount(), 1);
    // Two runs side by side; an op one run's pipeline lacks has no bar for it.
    b.setGroupedBars({"hflip", "crop", "blur"}, {{"run 1", {0.1, 0.2, qQNaN()}}, {"run 2", {0.3, 0.1, 0.05}}});
    QCOMPARE(b.seriesCount(), 2);
    QCOMPARE(b.barCount(), 5);
    QVERIFY(b.plot()->legend->visible());
  }
};

QTEST_MAIN(TestEditors)
#include "tst_editors.moc"
