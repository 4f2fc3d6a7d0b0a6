"""Course operations around the grader: the batch on Dask, submissions and their fingerprints, the report store,
the course lock, build, demo, summary, doctor, and nbgrader's configuration and pipeline stages."""
