-- one server, one database per component (the Dagster instance's database is POSTGRES_DB)
CREATE DATABASE ducklake;
CREATE DATABASE mlflow;
CREATE DATABASE feast;
