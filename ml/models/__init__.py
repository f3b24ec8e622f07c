"""One module per registered model; each `train(paths)` returns an `ml.publish.TrainedModel`."""
