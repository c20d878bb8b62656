"""Page trainings on a Dask cluster (`SIAMESE_LAB_SCHEDULER`, docs/scaling.md): `executor.ClusterExecutor` on the
server, `worker.train_on_worker` on a worker. Its modules import Dask (requirements-cluster.txt); its name does not."""
