#!/bin/sh
# pretext-cli's store commands as a user runs them: train a tiny run, then runs list/show/tag/compare,
# export (weights, metrics, embeddings), eval, project, delete; checks exit codes and outputs.
#   store_cli.sh PRETEXT_CLI WORK_DIR
set -u
CLI=$1
WORK=$2
DATA=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
[ -f "$DATA" ] || { echo "SKIPPED: dataset-fashion-mnist not installed"; exit 0; }
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
expect() {  # expect CODE command...
  want=$1; shift
  "$@" > out.txt 2> err.txt; got=$?
  [ "$got" = "$want" ] || { cat out.txt err.txt; fail "$* exited $got, expected $want"; }
}
expect 0 "$CLI" train --data "$DATA" --steps 3 --batch 32 --limit 200 --seed 1 --name first --db s.db
expect 0 "$CLI" train --data "$DATA" --steps 3 --batch 32 --limit 200 --seed 2 --lr 0.1 --name second --db s.db
[ -f s.db.runs/1/backbone.safetensors ] || fail "no saved backbone"
expect 0 "$CLI" runs tag 1 baseline --db s.db
expect 0 "$CLI" runs list --tag baseline --json --db s.db
grep -q '"name": "first"' out.txt || fail "tag filter"
grep -q '"second"' out.txt && fail "tag filter let run 2 through"
expect 0 "$CLI" runs show first --db s.db
grep -q "knn" out.txt || fail "show has no probe"
grep -q "backbone.safetensors" out.txt || fail "show lists no files"
expect 0 "$CLI" runs compare 1 2 --json --db s.db
grep -q '"/seed"' out.txt || fail "config diff misses the seed"
expect 0 "$CLI" export 1 --what metrics --out m.csv --db s.db
head -1 m.csv | grep -q '^step,name,value$' || fail "metrics csv header"
expect 0 "$CLI" export 1 --what weights --out w.safetensors --db s.db
cmp -s w.safetensors s.db.runs/1/backbone.safetensors || fail "weights differ"
expect 0 "$CLI" export 1 --what embeddings --limit 30 --out emb --db s.db
[ "$(wc -l < emb/vectors.tsv)" = 30 ] || fail "vectors.tsv rows"
[ -s emb/sprite.png ] || fail "no sprite"
expect 0 "$CLI" eval 1 --json --db s.db
grep -q '"accuracy"' out.txt || fail "eval output"
expect 0 "$CLI" project 1 --method tsne --limit 40 --out p.csv --db s.db
[ "$(wc -l < p.csv)" = 41 ] || fail "projection rows"
expect 0 "$CLI" project 1 --method umap --limit 40 --out u.csv --db s.db
[ "$(wc -l < u.csv)" = 41 ] || fail "umap projection rows"
# A projection's parameters are flags of their own; a map made with other values is stored apart.
expect 0 "$CLI" project 1 --method umap --min-dist 0.5 --neighbours 8 --limit 40 --db s.db
grep -q "umap(neighbours=8,min_dist=0.5) projection of 40 points" out.txt || fail "umap parameters in the stored name"
expect 2 "$CLI" project 1 --method umap --perplexity 20 --db s.db
grep -q "umap has no parameter 'perplexity'" err.txt || fail "a t-SNE parameter given to UMAP"
step=$(ls s.db.runs/1 | sed -n 's/^ckpt-\([0-9]*\)\.pt$/\1/p' | head -1)
[ -n "$step" ] || fail "the run kept no checkpoint"
expect 0 "$CLI" project 1 --method pca --checkpoint "$step" --limit 40 --db s.db
grep -q "pca@$step projection of 40 points" out.txt || fail "checkpoint projection"
expect 2 "$CLI" project 1 --method pca --checkpoint 999999 --db s.db
grep -q "no checkpoint at step 999999" err.txt || fail "a missing checkpoint is not named"
# Bad usage and input: exit code 2, nothing deleted.
expect 2 "$CLI" runs show 99 --db s.db
expect 2 "$CLI" export 1 --what nonsense --out x --db s.db
expect 2 "$CLI" runs list --db missing.db
expect 2 "$CLI" runs delete 1 --db s.db < /dev/null
[ -d s.db.runs/1 ] || fail "delete without --yes removed files"
expect 0 "$CLI" runs delete 1 --yes --db s.db
[ -d s.db.runs/1 ] && fail "delete left the run's folder"
expect 0 "$CLI" runs list --json --db s.db
grep -q '"first"' out.txt && fail "deleted run still listed"
echo "store CLI ok"
