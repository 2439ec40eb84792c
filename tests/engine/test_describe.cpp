// ctest-labels: unit
// One printer per result (engine/core/describe.h): the lines the console, eval, runs show and the
// app print for probes, baselines and what a run learned.
#include <gtest/gtest.h>

#include "engine/core/describe.h"

using namespace pretext;

TEST(describe, ParametersReadAsChoicesNotJson) {
  EXPECT_EQ(describe_parameters(R"({"k":20,"t":0.07})"), "k=20, t=0.07");
  EXPECT_EQ(describe_parameters(R"({"weight_decay":0.0001})"), "weight decay 0.0001");
  // What only says which split it was measured on is left out.
  EXPECT_EQ(describe_parameters(R"({"bank":5000,"k":200,"queries":1000,"t":0.1,"mean":[0.3],"std":[0.2]})"),
            "k=200, t=0.1");
  EXPECT_EQ(describe_parameters("not json"), "not json");
}

TEST(describe, ProbesAndBaselines) {
  ProbeEvent knn;
  knn.kind = "knn";
  knn.step = 720;
  knn.accuracy = 0.7583;
  knn.top5 = 0.971;
  knn.queries = 6000;
  knn.bank = 6000;
  knn.params = R"({"k":20,"t":0.07})";
  EXPECT_EQ(describe_probe(knn),
            "kNN (k=20, t=0.07) at step 720: top-1 75.83 %, top-5 97.10 % on 6000 queries, bank 6000");
  ProbeEvent linear;
  linear.kind = "linear";
  linear.step = 720;
  linear.accuracy = 0.8012;
  linear.train_accuracy = 0.853;
  linear.queries = 6000;
  linear.bank = 5000;
  linear.params = R"({"weight_decay":0.0001})";
  EXPECT_EQ(describe_probe(linear),
            "linear (weight decay 0.0001) at step 720: 80.12 % on 6000 queries (train 85.30 % on 5000)");
  // A probe of another kind is read by what it measured: a ranking over a bank here.
  ProbeEvent centroid;
  centroid.kind = "centroid";
  centroid.step = 40;
  centroid.accuracy = 0.5967;
  centroid.top5 = 0.96;
  centroid.queries = 600;
  centroid.bank = 2400;
  centroid.params = "{}";
  EXPECT_EQ(describe_probe(centroid), "centroid at step 40: top-1 59.67 %, top-5 96.00 % on 600 queries, bank 2400");
  BaselineEvent b;
  b.baseline = "random_init";
  b.scope = "final";
  b.accuracy = 0.6118;
  b.queries = 6000;
  b.params = R"({"k":200,"t":0.1,"bank":6000})";
  EXPECT_EQ(describe_baseline(b), "untrained network, final kNN (k=200, t=0.1): 61.18 % on 6000 queries");
}

TEST(describe, WhatARunLearnedAgainstItsBaselines) {
  EXPECT_EQ(describe_learning(0.7758, 0.7057, 0.7702),
            "learned: +7.0 points over the untrained network; 0.6 points above the raw pixels");
  EXPECT_EQ(describe_learning(0.681, 0.670, 0.756),
            "learned: +1.1 points over the untrained network; 7.5 points below the raw pixels");
  EXPECT_EQ(describe_learning(0.60, 0.62, -1), "learned: -2.0 points over the untrained network");
  EXPECT_EQ(describe_learning(0.60, -1, -1), "");
}
