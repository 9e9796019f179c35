"""LightGBM on a `kernelbus dataset` file (docs/labeling.md): per purged fold, train on its purged train
rows (trainIn's bit) with the sample weights, score its test rows; then one model on every row.

    npx kernelbus dataset examples/tape.csv --bars tick:10 --vertical 1h --indicators rsi \
        --weights uniqueness --folds purged:3 --out ds.parquet
    python examples/train_lightgbm.py ds.parquet model.txt      # pip install lightgbm polars
"""
import sys

import lightgbm as lgb
import polars as pl

ds = pl.read_parquet(sys.argv[1]).filter(pl.col('label').is_not_nan())
labels = {'symbol', 'ts', 't1', 'label', 'ret', 'target', 'barrier', 'tValue', 'weight', 'fold', 'trainIn'}
features = [c for c in ds.columns if c not in labels]
X, y, w = ds.select(features).to_numpy(), (ds['label'] > 0).to_numpy().astype(int), ds['weight'].to_numpy()
train_in, fold = ds['trainIn'].to_numpy().astype('int64'), ds['fold'].to_numpy()
params = {'objective': 'binary', 'min_data_in_leaf': 5, 'verbose': -1}
for k in range(int(fold.max()) + 1):
    train, test = (train_in >> k) & 1 == 1, fold == k
    model = lgb.train(params, lgb.Dataset(X[train], y[train], weight=w[train], feature_name=features))
    print(f'fold {k}: accuracy {((model.predict(X[test]) > 0.5) == y[test]).mean():.3f} on {test.sum()} rows')
lgb.train(params, lgb.Dataset(X, y, weight=w, feature_name=features)).save_model(sys.argv[2])
