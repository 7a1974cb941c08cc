"""Apache Spark support: a local (or cluster) SparkSession configured like the dbt target."""
