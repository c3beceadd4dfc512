"""Background jobs: a table of jobs and the `carebridge worker` process that runs them."""
