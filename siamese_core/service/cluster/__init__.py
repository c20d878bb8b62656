"""Page trainings on a Dask cluster (`SIAMESE_LAB_SCHEDULER`, docs/scaling.md): `executor.ClusterExecutor` is
the server's executor, `worker.train_on_worker` the task a worker runs. Importing these modules imports Dask
(requirements-cluster.txt); this package's own name does not."""
